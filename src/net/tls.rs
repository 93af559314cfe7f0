//! A TLS 1.3 client (RFC 8446) for one connection, sans-IO: rustls's unbuffered client
//! (`rustls::client::UnbufferedClientConnection`) with ring as its crypto provider. The roots are
//! the caller's PEM bundle and nothing else, as Vault's `createCAContext` (hashicorp/cap
//! jwt/keyset.go) makes `x509.NewCertPool()` from `oidc_discovery_ca_pem` or `jwks_ca_pem`; the
//! time is the caller's. TLS 1.2 is left out: every Kubernetes API server (Go's crypto/tls)
//! speaks 1.3, and 1.3 alone keeps RSA key exchange, CBC and renegotiation out of the gate (and
//! 13 KB gzipped out of its wasm); Vault's Go client would also accept 1.2.

use super::{NetCode, NetError, NetResult};
use core::time::Duration;
use rustls::client::UnbufferedClientConnection;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::unbuffered::{ConnectionState, EncodeError, EncryptError, InsufficientSizeError, UnbufferedStatus};
use rustls::{ClientConfig, RootCertStore};
use std::string::ToString;
use std::sync::Arc;
use std::vec;
use std::vec::Vec;

/// Largest PEM bundle accepted, in bytes.
pub const MAX_CA_PEM_BYTES: usize = 256 * 1024;
/// TLS bytes held while a record (or a handshake message across records) is incomplete.
const MAX_INCOMING: usize = 256 * 1024;
/// Bound on the state machine's steps per call (each step consumes or produces a record).
const MAX_STEPS: usize = 10_000;

fn invalid(message: impl Into<std::string::String>) -> NetError {
    NetError::new(NetCode::InvalidArgument, message)
}

/// The roots of a PEM bundle, as Go's `CertPool.AppendCertsFromPEM` takes them: every
/// `CERTIFICATE` block that parses, other blocks skipped; none at all is an error (cap's
/// "could not parse CA PEM value successfully").
pub fn root_store(ca_pem: &str) -> NetResult<RootCertStore> {
    if ca_pem.len() > MAX_CA_PEM_BYTES {
        return Err(invalid(std::format!("the CA PEM bundle is over {MAX_CA_PEM_BYTES} bytes")));
    }
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(ca_pem.as_bytes()).filter_map(Result::ok).collect();
    let mut roots = RootCertStore::empty();
    let (added, _ignored) = roots.add_parsable_certificates(certs);
    if added == 0 {
        return Err(invalid("could not parse CA PEM value successfully: no CERTIFICATE block holds a usable certificate"));
    }
    Ok(roots)
}

/// The provider's randomness: ring's (crypto.getRandomValues in a Worker). A client that never
/// authenticates itself loads no private key, so none of ring's signing is linked in.
#[derive(Debug)]
struct Rng;

impl rustls::crypto::SecureRandom for Rng {
    fn fill(&self, buf: &mut [u8]) -> Result<(), rustls::crypto::GetRandomFailed> {
        use ring::rand::SecureRandom;
        ring::rand::SystemRandom::new().fill(buf).map_err(|_| rustls::crypto::GetRandomFailed)
    }
}

impl rustls::crypto::KeyProvider for Rng {
    fn load_private_key(&self, _key: rustls::pki_types::PrivateKeyDer<'static>) -> Result<Arc<dyn rustls::sign::SigningKey>, rustls::Error> {
        Err(rustls::Error::General("this client loads no private key".into()))
    }
}

/// What a Kubernetes API server needs and no more, all from ring through rustls: the cipher
/// suite and key exchange every TLS 1.3 peer must implement (RFC 8446 section 9.1:
/// TLS_AES_128_GCM_SHA256, secp256r1), and the signatures of the certificates clusters make:
/// RSA (PKCS#1 v1.5 in chains, PSS in TLS 1.3's CertificateVerify) and ECDSA P-256 and P-384
/// (kubeadm's, k3s's). Ed25519 certificates and X25519 are left out, which keeps ring's
/// curve25519 code, with the unused suites and all of its signing, out of the gate's wasm.
fn provider() -> rustls::crypto::CryptoProvider {
    use rustls::crypto::WebPkiSupportedAlgorithms;
    use rustls::SignatureScheme as S;
    use webpki::ring as algs;
    static SIGNATURES: WebPkiSupportedAlgorithms = WebPkiSupportedAlgorithms {
        all: &[
            algs::ECDSA_P256_SHA256,
            algs::ECDSA_P256_SHA384,
            algs::ECDSA_P384_SHA256,
            algs::ECDSA_P384_SHA384,
            algs::RSA_PSS_2048_8192_SHA256_LEGACY_KEY,
            algs::RSA_PSS_2048_8192_SHA384_LEGACY_KEY,
            algs::RSA_PSS_2048_8192_SHA512_LEGACY_KEY,
            algs::RSA_PKCS1_2048_8192_SHA256,
            algs::RSA_PKCS1_2048_8192_SHA384,
            algs::RSA_PKCS1_2048_8192_SHA512,
            algs::RSA_PKCS1_2048_8192_SHA256_ABSENT_PARAMS,
            algs::RSA_PKCS1_2048_8192_SHA384_ABSENT_PARAMS,
            algs::RSA_PKCS1_2048_8192_SHA512_ABSENT_PARAMS,
        ],
        // As rustls's ring provider maps them (TLS 1.3 fixes the curve with the scheme).
        mapping: &[
            (S::ECDSA_NISTP384_SHA384, &[algs::ECDSA_P384_SHA384, algs::ECDSA_P256_SHA384]),
            (S::ECDSA_NISTP256_SHA256, &[algs::ECDSA_P256_SHA256, algs::ECDSA_P384_SHA256]),
            (S::RSA_PSS_SHA512, &[algs::RSA_PSS_2048_8192_SHA512_LEGACY_KEY]),
            (S::RSA_PSS_SHA384, &[algs::RSA_PSS_2048_8192_SHA384_LEGACY_KEY]),
            (S::RSA_PSS_SHA256, &[algs::RSA_PSS_2048_8192_SHA256_LEGACY_KEY]),
            (S::RSA_PKCS1_SHA512, &[algs::RSA_PKCS1_2048_8192_SHA512]),
            (S::RSA_PKCS1_SHA384, &[algs::RSA_PKCS1_2048_8192_SHA384]),
            (S::RSA_PKCS1_SHA256, &[algs::RSA_PKCS1_2048_8192_SHA256]),
        ],
    };
    rustls::crypto::CryptoProvider {
        cipher_suites: vec![rustls::crypto::ring::cipher_suite::TLS13_AES_128_GCM_SHA256],
        kx_groups: vec![rustls::crypto::ring::kx_group::SECP256R1],
        signature_verification_algorithms: SIGNATURES,
        secure_random: &Rng,
        key_provider: &Rng,
    }
}

/// The caller's clock, read once per connection.
#[derive(Debug)]
struct CallerTime(UnixTime);

impl rustls::time_provider::TimeProvider for CallerTime {
    fn current_time(&self) -> Option<UnixTime> {
        Some(self.0)
    }
}

/// A client configuration: the bundle's roots only, TLS 1.3 only ([`provider`]), ALPN
/// `http/1.1`, no resumption, the certificates checked at `now` (seconds since the epoch).
pub fn client_config(ca_pem: &str, now: u64) -> NetResult<Arc<ClientConfig>> {
    let roots = root_store(ca_pem)?;
    let provider = Arc::new(provider());
    let time = Arc::new(CallerTime(UnixTime::since_unix_epoch(Duration::from_secs(now))));
    let mut config = ClientConfig::builder_with_details(provider, time)
        .with_protocol_versions(&[&rustls::version::TLS13])
        .map_err(|e| NetError::new(NetCode::Tls, e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    config.resumption = rustls::client::Resumption::disabled();
    Ok(Arc::new(config))
}

fn tls_error(e: rustls::Error) -> NetError {
    let code = match e {
        rustls::Error::InvalidCertificate(_) | rustls::Error::NoCertificatesPresented => NetCode::TlsCertificate,
        _ => NetCode::Tls,
    };
    NetError::new(code, e.to_string())
}

/// One TLS client connection: TLS bytes in ([`TlsClient::receive`]), TLS bytes out
/// ([`TlsClient::take_outgoing`]), application data both ways.
pub struct TlsClient {
    conn: UnbufferedClientConnection,
    incoming: Vec<u8>,
    outgoing: Vec<u8>,
    received: Vec<u8>,
    unsent: Vec<u8>,
    handshake_done: bool,
    peer_closed: bool,
    failed: Option<NetError>,
}

impl TlsClient {
    /// A connection to `host` (a DNS name or an IP address, which the certificate must name),
    /// trusting `ca_pem`'s certificates only, at `now`. The ClientHello is ready at once.
    pub fn new(ca_pem: &str, host: &str, now: u64) -> NetResult<Self> {
        let config = client_config(ca_pem, now)?;
        let name = ServerName::try_from(host.to_string()).map_err(|_| invalid("the host is not a valid DNS name or IP address"))?;
        let conn = UnbufferedClientConnection::new(config, name).map_err(tls_error)?;
        let mut client = TlsClient {
            conn,
            incoming: Vec::new(),
            outgoing: Vec::new(),
            received: Vec::new(),
            unsent: Vec::new(),
            handshake_done: false,
            peer_closed: false,
            failed: None,
        };
        client.pump()?;
        Ok(client)
    }

    /// Queues application data: sent with the client's Finished, or at once after it.
    pub fn send(&mut self, plain: &[u8]) -> NetResult<()> {
        self.unsent.extend_from_slice(plain);
        self.pump()
    }

    /// TLS bytes from the peer.
    pub fn receive(&mut self, tls: &[u8]) -> NetResult<()> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        if self.incoming.len() + tls.len() > MAX_INCOMING {
            return self.fail(NetError::new(NetCode::Tls, std::format!("more than {MAX_INCOMING} bytes of TLS records without a complete one")));
        }
        self.incoming.extend_from_slice(tls);
        self.pump()
    }

    /// TLS bytes to send to the peer.
    pub fn take_outgoing(&mut self) -> Vec<u8> {
        core::mem::take(&mut self.outgoing)
    }

    /// Application data received.
    pub fn take_received(&mut self) -> Vec<u8> {
        core::mem::take(&mut self.received)
    }

    /// Whether the handshake is complete (the server's certificate verified).
    pub fn handshake_done(&self) -> bool {
        self.handshake_done
    }

    /// Whether the peer sent close_notify: everything it sent has been received.
    pub fn peer_closed(&self) -> bool {
        self.peer_closed
    }

    fn fail(&mut self, e: NetError) -> NetResult<()> {
        self.failed = Some(e.clone());
        Err(e)
    }

    fn pump(&mut self) -> NetResult<()> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        match self.steps() {
            Ok(()) => Ok(()),
            Err(e) => self.fail(e),
        }
    }

    /// Runs the state machine until it needs more bytes from the peer (or has nothing to do).
    fn steps(&mut self) -> NetResult<()> {
        for _ in 0..MAX_STEPS {
            let UnbufferedStatus { mut discard, state } = self.conn.process_tls_records(&mut self.incoming);
            let mut stop = false;
            match state.map_err(tls_error)? {
                ConnectionState::ReadTraffic(mut traffic) => {
                    while let Some(record) = traffic.next_record() {
                        let record = record.map_err(tls_error)?;
                        discard += record.discard;
                        self.received.extend_from_slice(record.payload);
                    }
                }
                ConnectionState::PeerClosed => self.peer_closed = true,
                ConnectionState::Closed => {
                    self.peer_closed = true;
                    stop = true;
                }
                ConnectionState::EncodeTlsData(mut state) => {
                    let bytes = grow(|buf| match state.encode(buf) {
                        Ok(n) => Ok(n),
                        Err(EncodeError::InsufficientSize(InsufficientSizeError { required_size })) => Err(Some(required_size)),
                        Err(_) => Err(None),
                    })?;
                    self.outgoing.extend_from_slice(&bytes);
                }
                ConnectionState::TransmitTlsData(mut state) => {
                    // TLS 1.3 lets the request ride with the client's Finished.
                    if let Some(mut traffic) = state.may_encrypt_app_data() {
                        if !self.unsent.is_empty() {
                            let plain = core::mem::take(&mut self.unsent);
                            let bytes = grow(|buf| encrypt_result(traffic.encrypt(&plain, buf)))?;
                            self.outgoing.extend_from_slice(&bytes);
                        }
                    }
                    state.done();
                }
                ConnectionState::BlockedHandshake => stop = true,
                ConnectionState::WriteTraffic(mut traffic) => {
                    self.handshake_done = true;
                    if !self.unsent.is_empty() {
                        let plain = core::mem::take(&mut self.unsent);
                        let bytes = grow(|buf| encrypt_result(traffic.encrypt(&plain, buf)))?;
                        self.outgoing.extend_from_slice(&bytes);
                    }
                    stop = true;
                }
                _ => return Err(NetError::new(NetCode::Tls, "unexpected TLS state (early data)")),
            }
            if discard > self.incoming.len() {
                return Err(NetError::new(NetCode::Tls, "TLS state machine discarded more than it was given"));
            }
            self.incoming.drain(..discard);
            if stop {
                return Ok(());
            }
        }
        Err(NetError::new(NetCode::Tls, "TLS state machine did not settle"))
    }
}

fn encrypt_result(r: Result<usize, EncryptError>) -> Result<usize, Option<usize>> {
    match r {
        Ok(n) => Ok(n),
        Err(EncryptError::InsufficientSize(InsufficientSizeError { required_size })) => Err(Some(required_size)),
        Err(_) => Err(None),
    }
}

/// Runs `write` into a buffer, once more with the size it asks for when the first is too small.
fn grow(mut write: impl FnMut(&mut [u8]) -> Result<usize, Option<usize>>) -> NetResult<Vec<u8>> {
    let mut buf = vec![0u8; 4096];
    let n = match write(&mut buf) {
        Ok(n) => n,
        Err(Some(required)) => {
            buf.resize(required, 0);
            write(&mut buf).map_err(|_| NetError::new(NetCode::Tls, "TLS record could not be written"))?
        }
        Err(None) => return Err(NetError::new(NetCode::Tls, "TLS record could not be written")),
    };
    buf.truncate(n);
    Ok(buf)
}
