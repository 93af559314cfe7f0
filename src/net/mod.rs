//! The gate's own HTTPS client, sans-IO: a TLS 1.3 client whose only roots are a mount's pinned
//! CA (`tls`, rustls's unbuffered client) under a strict HTTP/1.1 request writer and response
//! reader (`http`). The caller moves bytes between a socket and [`HttpsExchange`] and passes the
//! time; nothing here touches a socket or a clock. Built with the `gate` feature (the worker's
//! wasm), never the npm package's. Knows nothing of Vault.

pub mod http;
pub mod tls;

use core::fmt;
use std::string::String;
use std::vec::Vec;

/// What went wrong on the wire, as a stable code.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NetCode {
    /// A URL, header, method or CA bundle given by the caller is unusable.
    InvalidArgument,
    /// The server's certificate was refused (unknown issuer, another name, expired, ...).
    TlsCertificate,
    /// The TLS handshake or a record failed (a protocol version refused, an alert, bad data).
    Tls,
    /// The response is not well-formed HTTP/1.1.
    HttpInvalid,
    /// The connection ended before the end of the response.
    HttpTruncated,
    /// The response (its head or its body) is over the caps.
    HttpTooLarge,
    /// The response is a redirect (3xx), which is never followed.
    HttpRedirect,
}

impl NetCode {
    /// The stable string form, e.g. `ERR_TLS_CERTIFICATE`.
    pub const fn as_str(self) -> &'static str {
        match self {
            NetCode::InvalidArgument => "ERR_INVALID_ARGUMENT",
            NetCode::TlsCertificate => "ERR_TLS_CERTIFICATE",
            NetCode::Tls => "ERR_TLS",
            NetCode::HttpInvalid => "ERR_HTTP_INVALID",
            NetCode::HttpTruncated => "ERR_HTTP_TRUNCATED",
            NetCode::HttpTooLarge => "ERR_HTTP_TOO_LARGE",
            NetCode::HttpRedirect => "ERR_HTTP_REDIRECT",
        }
    }
}

/// An error of this layer: a code and a message (never a header value or a body).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetError {
    code: NetCode,
    message: String,
}

impl NetError {
    /// An error with its code and message.
    pub fn new(code: NetCode, message: impl Into<String>) -> Self {
        NetError { code, message: message.into() }
    }
    /// The code.
    pub fn code(&self) -> NetCode {
        self.code
    }
    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for NetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}

/// Results of this layer.
pub type NetResult<T> = core::result::Result<T, NetError>;

/// One HTTPS request and its response over one connection: the request written, TLS driven,
/// the response read. The caller connects to [`HttpsExchange::host`] and
/// [`HttpsExchange::port`], sends what [`HttpsExchange::take_outgoing`] returns, hands every
/// byte read to [`HttpsExchange::receive`] until it returns true, or calls
/// [`HttpsExchange::end`] when the peer closes, then takes [`HttpsExchange::response`].
pub struct HttpsExchange {
    url: http::Url,
    tls: tls::TlsClient,
    reader: http::ResponseReader,
}

/// What the caller asks for.
pub struct Request<'a> {
    /// An `https://` URL.
    pub url: &'a str,
    /// The PEM bundle whose certificates are the only roots.
    pub ca_pem: &'a str,
    /// The method (`GET`, `POST`, ...).
    pub method: &'a str,
    /// Header fields beyond those the writer sets itself.
    pub headers: &'a [(String, String)],
    /// The body (empty for none).
    pub body: &'a [u8],
    /// The largest body accepted, in bytes.
    pub max_body: usize,
    /// Seconds since the Unix epoch, for the certificates' validity.
    pub now: u64,
}

impl HttpsExchange {
    /// Checks the URL, the headers and the CA bundle, writes the request and starts the handshake.
    pub fn new(r: &Request<'_>) -> NetResult<Self> {
        let url = http::Url::parse(r.url)?;
        let request = http::write_request(r.method, &url, r.headers, r.body)?;
        let mut tls = tls::TlsClient::new(r.ca_pem, url.host(), r.now)?;
        tls.send(&request)?;
        let reader = http::ResponseReader::new(r.max_body, r.method == "HEAD");
        Ok(HttpsExchange { url, tls, reader })
    }

    /// The host to connect to (an IPv6 address without brackets).
    pub fn host(&self) -> &str {
        self.url.host()
    }

    /// The port to connect to.
    pub fn port(&self) -> u16 {
        self.url.port()
    }

    /// TLS bytes to send now.
    pub fn take_outgoing(&mut self) -> Vec<u8> {
        self.tls.take_outgoing()
    }

    /// Bytes read from the socket; true once the response is complete.
    pub fn receive(&mut self, bytes: &[u8]) -> NetResult<bool> {
        self.tls.receive(bytes)?;
        let plain = self.tls.take_received();
        self.reader.push(&plain)?;
        if self.tls.peer_closed() && !self.reader.is_done() {
            self.reader.finish(true)?;
        }
        Ok(self.reader.is_done())
    }

    /// The peer closed the connection: an error unless the response is complete (a body
    /// delimited by the connection's end needs TLS close_notify, or it may be truncated).
    pub fn end(&mut self) -> NetResult<()> {
        if self.reader.is_done() {
            return Ok(());
        }
        if !self.tls.handshake_done() {
            return Err(NetError::new(NetCode::Tls, "the server closed the connection during the TLS handshake"));
        }
        self.reader.finish(self.tls.peer_closed())
    }

    /// The response, once complete.
    pub fn response(&mut self) -> NetResult<http::Response> {
        self.reader.take_response()
    }
}
