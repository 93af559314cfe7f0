//! HTTP/1.1 for one request over one connection (RFC 9112): a request writer, and a strict
//! response reader that takes bytes as they come. The head is parsed by httparse; the body is
//! framed by Content-Length or chunked transfer coding (section 7.1), or by the connection's end
//! only when the TLS layer saw close_notify. Redirects are errors, never followed (as jose's
//! fetchJwks, `redirect: 'manual'`); the head and the body are capped; a connection that ends
//! before the framing does is an error.

use super::{NetCode, NetError, NetResult};
use std::borrow::ToOwned;
use std::format;
use std::string::String;
use std::vec::Vec;

/// Largest response head (status line and header fields), in bytes.
pub const MAX_HEAD_BYTES: usize = 16 * 1024;
/// Most header fields in a response head.
pub const MAX_HEADERS: usize = 64;
/// Longest chunk-size line (with its extensions) or trailer line.
const MAX_LINE_BYTES: usize = 1024;
/// Largest request body written.
pub const MAX_REQUEST_BODY_BYTES: usize = 1024 * 1024;
/// Header fields the writer sets itself, refused from the caller.
const RESERVED: [&str; 11] = [
    "host", "content-length", "transfer-encoding", "connection", "te", "upgrade", "keep-alive", "trailer", "proxy-connection", "accept-encoding", "expect",
];

fn invalid_arg(message: impl Into<String>) -> NetError {
    NetError::new(NetCode::InvalidArgument, message)
}

fn bad(message: impl Into<String>) -> NetError {
    NetError::new(NetCode::HttpInvalid, message)
}

/// An `https://` URL as the client reads it: one reading decides where it connects, what
/// the certificate must name, the Host header and the request target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Url {
    host: String,
    port: u16,
    target: String,
}

impl Url {
    /// `https://host[:port][/path][?query]`: a DNS name (ASCII letters, digits, `-`, `_`, `.`;
    /// lower-cased), an IPv4 address or a bracketed IPv6 address; no user information, no
    /// fragment, no whitespace or control characters anywhere.
    pub fn parse(text: &str) -> NetResult<Url> {
        let rest = text
            .strip_prefix("https://")
            .or_else(|| text.get(..8).filter(|p| p.eq_ignore_ascii_case("https://")).and_then(|_| text.get(8..)))
            .ok_or_else(|| invalid_arg("the URL must start with https://"))?;
        if text.bytes().any(|b| b <= b' ' || b >= 0x7f) {
            return Err(invalid_arg("the URL holds whitespace, control or non-ASCII characters (write an IDN as punycode, escape the rest)"));
        }
        if text.contains('#') {
            return Err(invalid_arg("the URL must not have a fragment"));
        }
        let end = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, target) = rest.split_at(end);
        if authority.contains('@') {
            return Err(invalid_arg("the URL must not carry credentials"));
        }
        let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
            let (addr, after) = v6.split_once(']').ok_or_else(|| invalid_arg("the URL's IPv6 address has no closing ]"))?;
            if addr.parse::<core::net::Ipv6Addr>().is_err() {
                return Err(invalid_arg("the URL's IPv6 address is not valid (zone identifiers are not supported)"));
            }
            let port = match after {
                "" => None,
                p => Some(p.strip_prefix(':').ok_or_else(|| invalid_arg("the URL's authority is not valid"))?),
            };
            (addr.to_ascii_lowercase(), port)
        } else {
            let (h, p) = match authority.split_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (authority, None),
            };
            if h.is_empty() || h.len() > 253 || !h.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_')) {
                return Err(invalid_arg("the URL's host must be a DNS name or an IP address"));
            }
            (h.to_ascii_lowercase(), p)
        };
        let port = match port {
            None => 443,
            Some(p) if !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()) => match p.parse::<u16>() {
                Ok(n) if n > 0 => n,
                _ => return Err(invalid_arg("the URL's port is not in 1-65535")),
            },
            Some(_) => return Err(invalid_arg("the URL's port is not a number")),
        };
        let target = if target.is_empty() {
            "/".to_owned()
        } else if target.starts_with('?') {
            format!("/{target}")
        } else {
            target.to_owned()
        };
        Ok(Url { host, port, target })
    }

    /// The host: a DNS name or an IP address (IPv6 without brackets).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The port (443 unless given).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The request target: the path and the query.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// The Host header's value (RFC 9112 section 3.2): the port only when not 443.
    pub fn authority(&self) -> String {
        let host = if self.host.contains(':') { format!("[{}]", self.host) } else { self.host.clone() };
        if self.port == 443 {
            host
        } else {
            format!("{host}:{}", self.port)
        }
    }
}

/// Whether two URLs have one origin (scheme, host, port), as this client reads them: the
/// bearer token of an authenticated discovery goes to its URL's origin and nowhere else.
pub fn same_origin(a: &str, b: &str) -> bool {
    match (Url::parse(a), Url::parse(b)) {
        (Ok(a), Ok(b)) => a.host == b.host && a.port == b.port,
        _ => false,
    }
}

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// The request bytes: the request line, `Host`, the caller's fields, `Accept-Encoding:
/// identity`, `Connection: close`, `Content-Length` when there is a body (or the method
/// carries one), then the body. Field names must be tokens and values free of CR, LF, NUL and
/// other controls (no header injection); the fields the writer sets are refused.
pub fn write_request(method: &str, url: &Url, headers: &[(String, String)], body: &[u8]) -> NetResult<Vec<u8>> {
    if method.is_empty() || method.len() > 16 || !method.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(invalid_arg("the method must be an upper-case token such as GET or POST"));
    }
    if body.len() > MAX_REQUEST_BODY_BYTES {
        return Err(invalid_arg(format!("the request body is over {MAX_REQUEST_BODY_BYTES} bytes")));
    }
    if headers.len() > MAX_HEADERS {
        return Err(invalid_arg(format!("more than {MAX_HEADERS} request header fields")));
    }
    let mut out = Vec::with_capacity(256 + body.len());
    out.extend_from_slice(format!("{method} {} HTTP/1.1\r\nHost: {}\r\n", url.target(), url.authority()).as_bytes());
    for (name, value) in headers {
        if name.is_empty() || !name.bytes().all(is_tchar) {
            return Err(invalid_arg("a request header name is not a token"));
        }
        let lower = name.to_ascii_lowercase();
        if RESERVED.contains(&lower.as_str()) {
            return Err(invalid_arg(format!("the request header {lower} is set by the client itself")));
        }
        if value.bytes().any(|b| (b < b' ' && b != b'\t') || b == 0x7f) {
            return Err(invalid_arg(format!("the request header {lower} holds a control character")));
        }
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.trim_matches([' ', '\t']).as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"Accept-Encoding: identity\r\nConnection: close\r\n");
    if !body.is_empty() || matches!(method, "POST" | "PUT" | "PATCH") {
        out.extend_from_slice(format!("Content-Length: {}\r\n", body.len()).as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
    Ok(out)
}

/// A complete response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    /// The status code (200 to 599, never 3xx).
    pub status: u16,
    /// The header fields as received, names lower-cased, values trimmed.
    pub headers: Vec<(String, String)>,
    /// The body, de-chunked.
    pub body: Vec<u8>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Head,
    /// Content-Length: bytes still to come.
    Length(u64),
    ChunkSize,
    /// Chunk data: bytes still to come.
    ChunkData(u64),
    /// The CRLF after a chunk's data.
    ChunkEnd,
    Trailers,
    /// Delimited by the connection's end.
    UntilClose,
    Done,
    Taken,
}

/// Reads one response from the bytes given to [`ResponseReader::push`].
pub struct ResponseReader {
    max_body: usize,
    head_request: bool,
    buf: Vec<u8>,
    state: State,
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    trailer_bytes: usize,
    /// How far the head has been searched for a line's end.
    head_scanned: usize,
}

impl ResponseReader {
    /// A reader accepting bodies of at most `max_body` bytes; `head_request`: the request was
    /// HEAD, so the response has no body.
    pub fn new(max_body: usize, head_request: bool) -> Self {
        ResponseReader { max_body, head_request, buf: Vec::new(), state: State::Head, status: 0, headers: Vec::new(), body: Vec::new(), trailer_bytes: 0, head_scanned: 0 }
    }

    /// Whether the response is complete.
    pub fn is_done(&self) -> bool {
        self.state == State::Done
    }

    /// More bytes of the response.
    pub fn push(&mut self, data: &[u8]) -> NetResult<()> {
        if data.is_empty() {
            return Ok(());
        }
        if matches!(self.state, State::Done | State::Taken) {
            return Err(bad("bytes after the end of the response"));
        }
        self.buf.extend_from_slice(data);
        let mut at = 0;
        let result = self.advance(&mut at);
        self.buf.drain(..at.min(self.buf.len()));
        result?;
        if self.state == State::Done && !self.buf.is_empty() {
            return Err(bad("bytes after the end of the response"));
        }
        Ok(())
    }

    /// The connection ended; `clean`: the TLS layer saw close_notify. Completes a response
    /// delimited by the connection's end, and is an error for any other that is incomplete.
    pub fn finish(&mut self, clean: bool) -> NetResult<()> {
        match self.state {
            State::Done | State::Taken => Ok(()),
            State::UntilClose if clean => {
                self.state = State::Done;
                Ok(())
            }
            State::UntilClose => Err(NetError::new(NetCode::HttpTruncated, "the connection ended without TLS close_notify: the body (delimited by the connection's end) may be truncated")),
            State::Head => Err(NetError::new(NetCode::HttpTruncated, "the connection ended before the end of the response head")),
            State::Length(left) => Err(NetError::new(NetCode::HttpTruncated, format!("the connection ended {left} bytes before the end of the body (Content-Length)"))),
            _ => Err(NetError::new(NetCode::HttpTruncated, "the connection ended before the last chunk of the body")),
        }
    }

    /// The response, once [`ResponseReader::is_done`]; taken once.
    pub fn take_response(&mut self) -> NetResult<Response> {
        if self.state != State::Done {
            return Err(NetError::new(NetCode::HttpTruncated, "the response is not complete"));
        }
        self.state = State::Taken;
        Ok(Response { status: self.status, headers: core::mem::take(&mut self.headers), body: core::mem::take(&mut self.body) })
    }

    fn add_body(&mut self, bytes: &[u8]) -> NetResult<()> {
        if self.body.len() + bytes.len() > self.max_body {
            return Err(self.too_large());
        }
        self.body.extend_from_slice(bytes);
        Ok(())
    }

    fn too_large(&self) -> NetError {
        NetError::new(NetCode::HttpTooLarge, format!("the response body is over {} bytes", self.max_body))
    }

    /// A CRLF-terminated line at `at`, without its CRLF; `None` while incomplete.
    fn line(&self, at: usize, what: &str) -> NetResult<Option<(Vec<u8>, usize)>> {
        let rest = self.buf.get(at..).unwrap_or_default();
        match rest.iter().position(|&b| b == b'\n') {
            Some(i) if i > MAX_LINE_BYTES => Err(bad(format!("a {what} line is over {MAX_LINE_BYTES} bytes"))),
            Some(i) => {
                let line = rest.get(..i).unwrap_or_default();
                let line = line.strip_suffix(b"\r").ok_or_else(|| bad(format!("a {what} line ends in a bare LF")))?;
                if line.iter().any(|&b| (b < b' ' && b != b'\t') || b == 0x7f) {
                    return Err(bad(format!("a {what} line holds a control character")));
                }
                Ok(Some((line.to_vec(), at + i + 1)))
            }
            None if rest.len() > MAX_LINE_BYTES => Err(bad(format!("a {what} line is over {MAX_LINE_BYTES} bytes"))),
            None => Ok(None),
        }
    }

    fn advance(&mut self, at: &mut usize) -> NetResult<()> {
        loop {
            match self.state {
                State::Head => {
                    if !self.head(at)? {
                        return Ok(());
                    }
                }
                State::Length(left) => {
                    let avail = self.buf.len() - *at;
                    let take = usize::try_from(left).unwrap_or(usize::MAX).min(avail);
                    let bytes = self.buf.get(*at..*at + take).unwrap_or_default().to_vec();
                    self.add_body(&bytes)?;
                    *at += take;
                    let left = left - take as u64;
                    self.state = if left == 0 { State::Done } else { State::Length(left) };
                    if left > 0 {
                        return Ok(());
                    }
                }
                State::ChunkSize => {
                    let Some((line, next)) = self.line(*at, "chunk-size")? else { return Ok(()) };
                    let size = chunk_size(&line)?;
                    if self.body.len() as u64 + size > self.max_body as u64 {
                        return Err(self.too_large());
                    }
                    *at = next;
                    self.state = if size == 0 { State::Trailers } else { State::ChunkData(size) };
                }
                State::ChunkData(left) => {
                    let avail = self.buf.len() - *at;
                    let take = usize::try_from(left).unwrap_or(usize::MAX).min(avail);
                    let bytes = self.buf.get(*at..*at + take).unwrap_or_default().to_vec();
                    self.add_body(&bytes)?;
                    *at += take;
                    let left = left - take as u64;
                    if left > 0 {
                        self.state = State::ChunkData(left);
                        return Ok(());
                    }
                    self.state = State::ChunkEnd;
                }
                State::ChunkEnd => {
                    let rest = self.buf.get(*at..).unwrap_or_default();
                    if rest.len() < 2 {
                        if rest.first().is_some_and(|&b| b != b'\r') {
                            return Err(bad("a chunk's data is not followed by CRLF"));
                        }
                        return Ok(());
                    }
                    if rest.get(..2) != Some(b"\r\n") {
                        return Err(bad("a chunk's data is not followed by CRLF"));
                    }
                    *at += 2;
                    self.state = State::ChunkSize;
                }
                State::Trailers => {
                    // Trailer fields are read and dropped (RFC 9112 section 7.1.2 lets a
                    // recipient discard them); bounded like the head.
                    let Some((line, next)) = self.line(*at, "trailer")? else { return Ok(()) };
                    self.trailer_bytes += next - *at;
                    if self.trailer_bytes > MAX_HEAD_BYTES {
                        return Err(NetError::new(NetCode::HttpTooLarge, format!("the trailer fields are over {MAX_HEAD_BYTES} bytes")));
                    }
                    *at = next;
                    if line.is_empty() {
                        self.state = State::Done;
                    }
                }
                State::UntilClose => {
                    let bytes = self.buf.get(*at..).unwrap_or_default().to_vec();
                    self.add_body(&bytes)?;
                    *at = self.buf.len();
                    return Ok(());
                }
                State::Done | State::Taken => return Ok(()),
            }
        }
    }

    /// Parses the head once it is all there; false while it is not.
    fn head(&mut self, at: &mut usize) -> NetResult<bool> {
        // httparse runs again only once a new line has ended: at most once per header field, and
        // it refuses the 65th, so the head costs linear time however it is split. It reads the
        // lines that have ended and nothing after, so a line still arriving is judged once it
        // ends, however the bytes were split (a line cut by the connection's end is truncated).
        let window = self.buf.get(self.head_scanned..).unwrap_or_default();
        let last_line_end = window.iter().rposition(|&b| b == b'\n').map(|i| self.head_scanned + i);
        self.head_scanned = self.buf.len();
        let Some(last_line_end) = last_line_end else {
            if self.buf.len() > MAX_HEAD_BYTES {
                return Err(NetError::new(NetCode::HttpTooLarge, format!("the response head is over {MAX_HEAD_BYTES} bytes")));
            }
            return Ok(false);
        };
        let mut fields = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut response = httparse::Response::new(&mut fields);
        let len = match response.parse(self.buf.get(..=last_line_end).unwrap_or_default()) {
            Ok(httparse::Status::Complete(len)) => len,
            Ok(httparse::Status::Partial) => {
                if self.buf.len() > MAX_HEAD_BYTES {
                    return Err(NetError::new(NetCode::HttpTooLarge, format!("the response head is over {MAX_HEAD_BYTES} bytes")));
                }
                return Ok(false);
            }
            Err(httparse::Error::TooManyHeaders) => return Err(NetError::new(NetCode::HttpTooLarge, format!("the response has more than {MAX_HEADERS} header fields"))),
            Err(e) => return Err(bad(format!("the response head is not valid HTTP/1.1 ({e})"))),
        };
        if len > MAX_HEAD_BYTES {
            return Err(NetError::new(NetCode::HttpTooLarge, format!("the response head is over {MAX_HEAD_BYTES} bytes")));
        }
        // httparse takes a bare LF for CRLF; this reader does not.
        let head = self.buf.get(..len).unwrap_or_default();
        if head.iter().enumerate().any(|(i, &b)| b == b'\n' && (i == 0 || head.get(i - 1) != Some(&b'\r'))) {
            return Err(bad("the response head has a line ending in a bare LF"));
        }
        if response.version != Some(1) {
            return Err(bad("the response is not HTTP/1.1"));
        }
        let status = response.code.unwrap_or(0);
        match status {
            300..=399 => return Err(NetError::new(NetCode::HttpRedirect, format!("the server answered {status}, a redirect, which is never followed"))),
            200..=299 | 400..=599 => {}
            _ => return Err(bad(format!("the status {status} is not expected (a final status in 200-599)"))),
        }
        let mut headers = Vec::with_capacity(response.headers.len());
        for h in response.headers.iter() {
            let value = core::str::from_utf8(h.value).map_err(|_| bad(format!("the header {} is not UTF-8", h.name.to_ascii_lowercase())))?;
            headers.push((h.name.to_ascii_lowercase(), value.trim_matches([' ', '\t']).to_owned()));
        }
        let te: Vec<&str> = headers.iter().filter(|(n, _)| n == "transfer-encoding").map(|(_, v)| v.as_str()).collect();
        let cl: Vec<&str> = headers.iter().filter(|(n, _)| n == "content-length").map(|(_, v)| v.as_str()).collect();
        let state = if self.head_request || status == 204 {
            State::Done
        } else if !te.is_empty() {
            // RFC 9112 section 6.3: both is a message to refuse, and chunked the only coding here.
            if !cl.is_empty() {
                return Err(bad("the response has both Transfer-Encoding and Content-Length"));
            }
            if te.len() != 1 || !te.first().is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
                return Err(bad("the response's Transfer-Encoding is not chunked alone"));
            }
            State::ChunkSize
        } else if let Some(first) = cl.first() {
            if cl.iter().any(|v| v != first) {
                return Err(bad("the response has differing Content-Length fields"));
            }
            if first.is_empty() || first.len() > 19 || !first.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad("the response's Content-Length is not a number"));
            }
            let n: u64 = first.parse().map_err(|_| bad("the response's Content-Length is not a number"))?;
            if n > self.max_body as u64 {
                return Err(self.too_large());
            }
            if n == 0 {
                State::Done
            } else {
                State::Length(n)
            }
        } else {
            State::UntilClose
        };
        self.status = status;
        self.headers = headers;
        self.state = state;
        *at = len;
        Ok(true)
    }
}

/// A chunk-size line: 1 to 16 hex digits, then nothing or chunk extensions (`;...`), which are
/// ignored (RFC 9112 section 7.1.1).
fn chunk_size(line: &[u8]) -> NetResult<u64> {
    let digits = line.iter().take_while(|b| b.is_ascii_hexdigit()).count();
    if digits == 0 || digits > 16 {
        return Err(bad("a chunk size is not 1 to 16 hex digits"));
    }
    let rest = line.get(digits..).unwrap_or_default();
    let ext = rest.iter().skip_while(|&&b| b == b' ' || b == b'\t').copied().collect::<Vec<u8>>();
    if !ext.is_empty() && ext.first() != Some(&b';') {
        return Err(bad("a chunk size is followed by something other than an extension"));
    }
    let text = core::str::from_utf8(line.get(..digits).unwrap_or_default()).map_err(|_| bad("a chunk size is not hex"))?;
    u64::from_str_radix(text, 16).map_err(|_| bad("a chunk size is not hex"))
}
