//! The command's HTTP client: ureq over rustls (ring, no OpenSSL), with a CA bundle of the
//! user's choosing (curl's `--cacert`), a timeout, a size cap on every body, and no redirects
//! followed (as jose's `createRemoteJWKSet` and the gate: keys come from the address shown), and
//! no proxy taken from the environment.

use super::Failure;
use std::path::Path;
use std::time::Duration;
use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig};

/// Every request's deadline, connect to last byte.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// The `Origin` sent, so a server that answers CORS only to cross-origin requests shows its
/// headers (the inspector's fetch button is such a request).
pub const ORIGIN: &str = "https://inspector.jwksgate.invalid";

/// A response, read whole (up to the caller's cap).
#[derive(Debug)]
pub struct Fetched {
    /// The URL asked for.
    pub url: String,
    /// The HTTP status.
    pub status: u16,
    /// The body, at most the cap.
    pub body: Vec<u8>,
    /// `Cache-Control`, when sent.
    pub cache_control: Option<String>,
    /// `Access-Control-Allow-Origin`, when sent.
    pub allow_origin: Option<String>,
    /// `Location` of a redirect, which is never followed.
    pub location: Option<String>,
}

impl Fetched {
    /// Whether a browser page on another origin may read this response.
    pub fn cors_allows_pages(&self) -> bool {
        matches!(self.allow_origin.as_deref(), Some("*") | Some(ORIGIN))
    }
}

/// One agent for a command's requests.
pub struct Http {
    agent: ureq::Agent,
    /// The option that gives this agent its CA (`--cacert`, `publish`'s `--gate-cacert`), which
    /// a TLS failure tells the user to pass.
    ca_option: &'static str,
}

/// Whether `url` may be fetched for keys: https, or http to this machine (`kubectl proxy`), no
/// credentials: the crate's one rule (`crate::fetch`), as the package, the page and the gate.
pub fn allowed_scheme(url: &str) -> bool {
    crate::fetch::check(url).is_ok()
}

/// `http://` to 127.0.0.0/8, `localhost` or `[::1]` (`crate::fetch`'s loopback).
pub fn is_loopback_http(url: &str) -> bool {
    crate::fetch::check(url).is_ok_and(|f| !f.https && f.loopback)
}

impl Http {
    /// An agent trusting Mozilla's roots, or only the certificates of `cacert` when given.
    pub fn new(cacert: Option<&Path>) -> Result<Self, Failure> {
        Http::with_ca(cacert, "--cacert")
    }

    /// [`Http::new`], the CA given by the option `option`, which its errors name.
    pub fn with_ca(cacert: Option<&Path>, option: &'static str) -> Result<Self, Failure> {
        let http = match cacert {
            Some(path) => Http::trusting(Some((&super::input::read_file(path, 1024 * 1024)?, &format!("{option} {}", path.display()))))?,
            None => Http::trusting(None)?,
        };
        Ok(Http { ca_option: option, ..http })
    }

    /// An agent trusting only the certificates of a PEM bundle (named `what` in errors), or
    /// Mozilla's roots when none is given: a file's, or one inline in a Vault config.
    pub fn trusting(ca: Option<(&[u8], &str)>) -> Result<Self, Failure> {
        let mut tls = TlsConfig::builder();
        if let Some((pem, what)) = ca {
            let mut certs: Vec<Certificate<'static>> = Vec::new();
            for item in ureq::tls::parse_pem(pem) {
                match item {
                    Ok(PemItem::Certificate(c)) => certs.push(c),
                    Ok(_) => {}
                    Err(e) => return Err(Failure::input(format!("{what}: not a PEM bundle: {e}"))),
                }
            }
            if certs.is_empty() {
                return Err(Failure::input(format!("{what}: no CERTIFICATE block")));
            }
            tls = tls.root_certs(RootCerts::new_with_certs(&certs));
        }
        let config = ureq::Agent::config_builder()
            .tls_config(tls.build())
            .timeout_global(Some(TIMEOUT))
            // No proxy from HTTPS_PROXY, ALL_PROXY and the like (ureq's default reads them): keys
            // come from the address shown, through nothing the environment slips in.
            .proxy(None)
            .max_redirects(0)
            .max_redirects_will_error(false)
            .http_status_as_error(false)
            .user_agent(concat!("jwksgate/", env!("CARGO_PKG_VERSION")))
            .accept("application/json")
            .build();
        Ok(Http { agent: config.new_agent(), ca_option: "--cacert" })
    }

    /// GETs `url`, reading at most `max` bytes of body (more is an error, not a cut).
    pub fn get(&self, url: &str, max: u64) -> Result<Fetched, Failure> {
        let response = self.agent.get(url).header("Origin", ORIGIN).call().map_err(|e| self.classify(url, e))?;
        self.read(url, response, max)
    }

    /// GETs `url` with `Authorization: Bearer <token>` (an API server's discovery, for
    /// `publish`), reading at most `max` bytes of body.
    pub fn get_bearer(&self, url: &str, token: &str, max: u64) -> Result<Fetched, Failure> {
        self.get_with(url, &[("Authorization", format!("Bearer {token}"))], max)
    }

    /// GETs `url` with `headers` (the bearer of a discovery, the signature of `publish
    /// --status`), reading at most `max` bytes of body.
    pub fn get_with(&self, url: &str, headers: &[(&str, String)], max: u64) -> Result<Fetched, Failure> {
        let mut request = self.agent.get(url);
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        let response = request.call().map_err(|e| self.classify(url, e))?;
        self.read(url, response, max)
    }

    /// PUTs `body` (JSON) with `headers` to `url`, reading at most `max` bytes of the answer.
    pub fn put(&self, url: &str, headers: &[(&str, String)], body: &[u8], max: u64) -> Result<Fetched, Failure> {
        let mut request = self.agent.put(url).header("Content-Type", "application/json");
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        let response = request.send(body).map_err(|e| self.classify(url, e))?;
        self.read(url, response, max)
    }

    /// A response read whole, up to `max` bytes.
    fn read(&self, url: &str, mut response: ureq::http::Response<ureq::Body>, max: u64) -> Result<Fetched, Failure> {
        let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let (cache_control, allow_origin, location) = (header("cache-control"), header("access-control-allow-origin"), header("location"));
        let status = response.status().as_u16();
        let body = response.body_mut().with_config().limit(max).read_to_vec().map_err(|e| self.classify(url, e))?;
        Ok(Fetched { url: url.to_owned(), status, body, cache_control, allow_origin, location })
    }

    /// A transport error in words, TLS failures named as such (with the option for a CA).
    fn classify(&self, url: &str, e: ureq::Error) -> Failure {
        let tls_io = |io: &std::io::Error| io.get_ref().is_some_and(|inner| inner.to_string().contains("certificate") || inner.is::<ureq::Error>());
        let tls = |why: String| Failure::tls(url, why, self.ca_option);
        match e {
            ureq::Error::Tls(m) => tls(m.to_owned()),
            ureq::Error::Rustls(r) => tls(r.to_string()),
            ureq::Error::Io(io) if tls_io(&io) => tls(io.to_string()),
            ureq::Error::Timeout(t) => Failure::new("ERR_JWKS_TIMEOUT", format!("{url}: timed out ({t}) after at most {} s", TIMEOUT.as_secs())),
            ureq::Error::BodyExceedsLimit(n) => Failure::new("ERR_HTTP", format!("{url}: the body is over {n} bytes")),
            other => Failure::new("ERR_HTTP", format!("{url}: {other}")),
        }
    }
}
