//! A stand-in issuer for the CLI tests: an https server on 127.0.0.1 (port 0) with a
//! certificate from a private CA that the test makes with Debian's openssl, serving whatever
//! routes a test gives it. It stops when dropped, and its loop is bounded in time.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// How long a server may live, whatever the test does.
const LIFETIME: Duration = Duration::from_secs(120);

/// One response.
pub struct Reply {
    pub status: u16,
    pub body: String,
    pub headers: Vec<(String, String)>,
}

impl Reply {
    /// JSON with the headers a well-kept issuer sends (caching, CORS).
    pub fn json(body: String) -> Reply {
        Reply { status: 200, body, headers: vec![("Cache-Control".into(), "max-age=3600".into()), ("Access-Control-Allow-Origin".into(), "*".into())] }
    }
    /// JSON with no caching or CORS headers.
    pub fn bare(body: String) -> Reply {
        Reply { status: 200, body, headers: Vec::new() }
    }
}

/// The test's private CA and a server certificate for IP 127.0.0.1, made once per test binary.
pub struct Pki {
    pub dir: PathBuf,
    pub ca: PathBuf,
    cert: PathBuf,
    key: PathBuf,
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl").args(args).current_dir(dir).output().expect("openssl runs");
    assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

pub fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(|| {
        // Under target/tmp (cargo's CARGO_TARGET_TMPDIR), not /tmp: nothing is left outside the build.
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-pki-{}", std::process::id()));
        // Earlier runs' files go: one CLI test binary runs at a time.
        for old in std::fs::read_dir(env!("CARGO_TARGET_TMPDIR")).into_iter().flatten().flatten() {
            if old.file_name().to_string_lossy().starts_with("cli-pki-") {
                let _ = std::fs::remove_dir_all(old.path());
            }
        }
        std::fs::create_dir_all(&dir).unwrap();
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
        openssl(&dir, &[&["req", "-x509"][..], &ec, &["-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=jwksgate test CA", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign"]].concat());
        openssl(&dir, &[&["req"][..], &ec, &["-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1"]].concat());
        std::fs::write(dir.join("ext.cnf"), "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n").unwrap();
        openssl(&dir, &["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "ext.cnf"]);
        Pki { ca: dir.join("ca.pem"), cert: dir.join("server.pem"), key: dir.join("server.key"), dir }
    })
}

/// A request as the server read it.
pub struct Request {
    pub method: String,
    pub path: String,
    /// The head, lines as sent (header names as the client wrote them).
    pub head: String,
    pub body: Vec<u8>,
}

impl Request {
    /// A header's value, its name matched without case.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|l| l.split_once(':').filter(|(n, _)| n.trim().eq_ignore_ascii_case(name)).map(|(_, v)| v.trim()))
    }
}

type Routes = dyn Fn(&Request, &str) -> Option<Reply> + Send + Sync;

/// A running issuer; `url` is its base, `https://127.0.0.1:PORT`.
pub struct Issuer {
    pub url: String,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Issuer {
    /// Serves `routes(path, base_url)`; `None` is a 404.
    pub fn start(routes: impl Fn(&str, &str) -> Option<Reply> + Send + Sync + 'static) -> Issuer {
        Issuer::serving(move |r, base| routes(&r.path, base))
    }

    /// Serves `routes(request, base_url)`; `None` is a 404.
    pub fn serving(routes: impl Fn(&Request, &str) -> Option<Reply> + Send + Sync + 'static) -> Issuer {
        let pki = pki();
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&pki.cert).unwrap().map(Result::unwrap).collect();
        let key = PrivateKeyDer::from_pem_file(&pki.key).unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .unwrap();
        let config = Arc::new(config);
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("https://127.0.0.1:{}", listener.local_addr().unwrap().port());
        let stop = Arc::new(AtomicBool::new(false));
        let (base, flag) = (url.clone(), stop.clone());
        let routes: Box<Routes> = Box::new(routes);
        let thread = std::thread::spawn(move || {
            let started = Instant::now();
            while !flag.load(Ordering::Relaxed) && started.elapsed() < LIFETIME {
                match listener.accept() {
                    Ok((stream, _)) => serve(stream, &config, &*routes, &base),
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Issuer { url, stop, thread: Some(thread) }
    }

    /// A well-kept issuer: discovery naming `issuer` (default: itself) and `jwks` at /openid/v1/jwks.
    pub fn oidc(jwks: String, issuer: Option<String>) -> Issuer {
        Issuer::start(move |path, base| match path {
            "/.well-known/openid-configuration" => {
                let iss = issuer.clone().unwrap_or_else(|| base.to_owned());
                Some(Reply::json(serde_json::json!({ "issuer": iss, "jwks_uri": format!("{base}/openid/v1/jwks"), "id_token_signing_alg_values_supported": ["RS256"] }).to_string()))
            }
            "/openid/v1/jwks" => Some(Reply::json(jwks.clone())),
            _ => None,
        })
    }
}

fn serve(stream: std::net::TcpStream, config: &Arc<rustls::ServerConfig>, routes: &Routes, base: &str) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(5)));
    let Ok(conn) = rustls::ServerConnection::new(config.clone()) else { return };
    let mut tls = rustls::StreamOwned::new(conn, stream);
    let mut request = Vec::new();
    let mut buf = [0u8; 4096];
    // A client that refuses our certificate ends the handshake here: nothing to answer.
    while !request.windows(4).any(|w| w == b"\r\n\r\n") && request.len() < 16384 {
        match tls.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&buf[..n]),
        }
    }
    let end = request.windows(4).position(|w| w == b"\r\n\r\n").map_or(request.len(), |p| p + 4);
    let head = String::from_utf8_lossy(&request[..end]).into_owned();
    let mut body = request[end..].to_vec();
    let mut words = head.split_whitespace();
    let (method, path) = (words.next().unwrap_or("GET").to_owned(), words.next().unwrap_or("/").to_owned());
    let mut req = Request { method, path, head, body: Vec::new() };
    let length: usize = req.header("content-length").and_then(|v| v.parse().ok()).unwrap_or(0).min(1 << 20);
    while body.len() < length {
        match tls.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => body.extend_from_slice(&buf[..n]),
        }
    }
    req.body = body;
    let reply = routes(&req, base).unwrap_or(Reply { status: 404, body: "not found".into(), headers: Vec::new() });
    let mut head = format!("HTTP/1.1 {} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n", reply.status, reply.body.len());
    for (k, v) in &reply.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let _ = tls.write_all(head.as_bytes());
    let _ = tls.write_all(reply.body.as_bytes());
    tls.conn.send_close_notify();
    let _ = tls.flush();
}

impl Drop for Issuer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
