//! A Kubernetes mount's `auth/<path>/config`, as vault-plugin-auth-kubernetes `pathConfigWrite`
//! (path_config.go) takes it, with the defaults `loadConfig` (backend.go) reads from the pod and
//! Bank-Vaults' configurer (`addAdditionalAuthConfig`) writes: `kubernetes_host` from
//! `KUBERNETES_SERVICE_HOST`, the CA and the reviewer token from the pod's ServiceAccount files,
//! which the worker holds in its `FILES` secret.

use crate::error::{Code, Error, Result};
use crate::gate::fields::{self, quote};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// `localCACertPath` (path_config.go).
pub const LOCAL_CA_CERT_PATH: &str = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt";
/// `localJWTPath` (path_config.go).
pub const LOCAL_JWT_PATH: &str = "/var/run/secrets/kubernetes.io/serviceaccount/token";
/// `defaultJWTIssuer` (path_login.go), which `parseAndValidateJWT` assigns and never checks.
pub const DEFAULT_JWT_ISSUER: &str = "kubernetes/serviceaccount";

fn config_err(message: impl Into<String>) -> Error {
    Error::new(Code::ConfigInvalid, message)
}

/// What the configuration is read with: the worker's variables and its `FILES` secret, standing
/// in for the environment and the files of the pod Vault and Bank-Vaults' configurer run in.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Environment {
    /// `KUBERNETES_SERVICE_HOST`.
    pub service_host: Option<String>,
    /// `KUBERNETES_SERVICE_PORT`.
    pub service_port: Option<String>,
    /// `FILES`: path to content.
    pub files: BTreeMap<String, String>,
}

impl Environment {
    /// Reads `FILES` (a JSON object of path to content; empty text for none) with the templates'
    /// reader (`templates::Sources::read_files`).
    pub fn with_files(service_host: Option<String>, service_port: Option<String>, files_json: &str) -> Result<Self> {
        let files = crate::gate::templates::Sources::read_files(files_json)?;
        let nonempty = |s: Option<String>| s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        Ok(Environment { service_host: nonempty(service_host), service_port: nonempty(service_port), files })
    }

    /// A file's content, or Go's `os.ReadFile` error.
    fn read(&self, path: &str) -> std::result::Result<&str, String> {
        self.files.get(path).map(String::as_str).ok_or_else(|| format!("open {path}: no such file or directory"))
    }
}

/// Where a mount's signature keys come from in the gate's local-verification mode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LocalKeys {
    /// `pem_keys`.
    Pem,
    /// `oidc_discovery_url` (the gate's): the issuer's discovery document, then its `jwks_uri`.
    Discovery(String),
    /// `jwks_url` (the gate's).
    JwksUrl(String),
}

/// A Kubernetes mount's configuration, defaults applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KubeConfig {
    /// `kubernetes_host`: the API server's URL, without a trailing `/`.
    pub kubernetes_host: String,
    /// `kubernetes_ca_cert`, else the pod's `ca.crt` unless `disable_local_ca_jwt`; none: the
    /// platform's public roots.
    pub kubernetes_ca_cert: Option<String>,
    /// `token_reviewer_jwt`, else the pod's `token` unless `disable_local_ca_jwt`; none: the
    /// client's own JWT is the reviewer's bearer.
    pub token_reviewer_jwt: Option<String>,
    /// `pem_keys`: PEM keys or certificates; when set, signatures are verified locally too.
    pub pem_keys: Vec<String>,
    /// `issuer` (deprecated): checked only when set and `disable_iss_validation` is false.
    pub issuer: String,
    /// `disable_iss_validation` (deprecated). Defaults to true.
    pub disable_iss_validation: bool,
    /// `disable_local_ca_jwt`. Defaults to false.
    pub disable_local_ca_jwt: bool,
    /// The gate's own `default_role` (lower-cased): the role a ServiceAccount token sent as
    /// `Authorization: Bearer` on a proxied path is checked against, with a TokenReview.
    pub default_role: Option<String>,
    /// The gate's departure (`local_verification: true`): no TokenReview; signatures by
    /// `pem_keys` or the issuer's keys, and every role must name an `audience`.
    pub local: Option<LocalKeys>,
    /// The gate's own `session_epoch`, as a JWT mount's: any text or number; changing it ends
    /// every session made at the mount (`session::MountTrust`). Defaults to empty.
    pub session_epoch: String,
}

impl KubeConfig {
    /// The configuration of a mount from its `config` mapping, as `pathConfigWrite` refuses it
    /// and `loadConfig` completes it; `mount` names the mount in messages.
    pub fn from_value(mount: &str, config: &Map<String, Value>, env: &Environment) -> Result<Self> {
        let at = |m: String| config_err(format!("AUTH_CONFIG: mount {}: {m}", quote(mount)));
        let get = |k: &str| config.get(k).unwrap_or(&Value::Null);
        let string = |k: &str| -> Result<String> { Ok(fields::string(get(k), k).map_err(|e| at(e.message().into()))?.unwrap_or_default()) };
        let boolean = |k: &str, d: bool| -> Result<bool> { Ok(fields::boolean(get(k), k).map_err(|e| at(e.message().into()))?.unwrap_or(d)) };
        for k in config.keys() {
            match k.as_str() {
                "kubernetes_host" | "kubernetes_ca_cert" | "token_reviewer_jwt" | "pem_keys" | "issuer" | "disable_iss_validation"
                | "disable_local_ca_jwt" | "use_annotations_as_alias_metadata" | "local_verification" | "oidc_discovery_url" | "jwks_url"
                | "default_role" | "session_epoch" => {}
                other => return Err(at(format!("unknown config parameter {}", quote(other)))),
            }
        }
        if boolean("use_annotations_as_alias_metadata", false)? {
            return Err(at("use_annotations_as_alias_metadata is not supported: it reads each ServiceAccount from the API server, which the gate does not".into()));
        }
        // Bank-Vaults' configurer fills in kubernetes_host from its pod's environment.
        let host = match config.get("kubernetes_host") {
            Some(_) => string("kubernetes_host")?,
            None => match &env.service_host {
                Some(h) => {
                    let host = if h.contains(':') && !h.starts_with('[') { format!("[{h}]") } else { h.clone() };
                    match env.service_port.as_deref() {
                        None | Some("443") => format!("https://{host}"),
                        Some(port) => format!("https://{host}:{port}"),
                    }
                }
                None => String::new(),
            },
        };
        if host.is_empty() {
            return Err(at("no host provided (set kubernetes_host, or KUBERNETES_SERVICE_HOST as in a pod)".into()));
        }
        let host = check_host(&host).map_err(at)?;
        let disable_local_ca_jwt = boolean("disable_local_ca_jwt", false)?;
        let mut ca = string("kubernetes_ca_cert")?;
        if !ca.is_empty() && !has_certificate(&ca) {
            return Err(at("The provided CA PEM data contains no valid certificates".into()));
        }
        let mut reviewer = string("token_reviewer_jwt")?;
        if !disable_local_ca_jwt {
            // loadConfig: a missing token file is ignored (the client's JWT is the bearer); a
            // missing CA file fails the write (updateTLSConfig) and every login.
            if reviewer.is_empty() {
                reviewer = env.read(LOCAL_JWT_PATH).map(|t| t.trim().to_owned()).unwrap_or_default();
            }
            if ca.is_empty() {
                ca = env.read(LOCAL_CA_CERT_PATH).map_err(at)?.to_owned();
            }
        }
        let pem_keys = fields::comma_string_slice(get("pem_keys"), "pem_keys").map_err(|e| at(e.message().into()))?;
        for pem in &pem_keys {
            crate::import_public_key_pem(pem).map_err(|_| at("data does not contain any valid RSA or ECDSA public keys".into()))?;
        }
        let local = if boolean("local_verification", false)? {
            let url = |k: &str| -> Result<Option<String>> { Ok(Some(string(k)?.trim().to_owned()).filter(|s| !s.is_empty())) };
            let mut sources = Vec::new();
            if !pem_keys.is_empty() {
                sources.push(LocalKeys::Pem);
            }
            if let Some(u) = url("oidc_discovery_url")? {
                sources.push(LocalKeys::Discovery(u));
            }
            if let Some(u) = url("jwks_url")? {
                sources.push(LocalKeys::JwksUrl(u));
            }
            if sources.len() != 1 {
                return Err(at("local_verification needs exactly one of pem_keys, oidc_discovery_url or jwks_url: the keys that replace TokenReview".into()));
            }
            sources.pop()
        } else {
            if config.contains_key("oidc_discovery_url") || config.contains_key("jwks_url") {
                return Err(at("oidc_discovery_url and jwks_url serve local_verification only: a Kubernetes mount asks the API server (TokenReview)".into()));
            }
            None
        };
        Ok(KubeConfig {
            kubernetes_host: host,
            kubernetes_ca_cert: Some(ca).filter(|c| !c.is_empty()),
            token_reviewer_jwt: Some(reviewer).filter(|r| !r.is_empty()),
            pem_keys,
            issuer: string("issuer")?,
            disable_iss_validation: boolean("disable_iss_validation", true)?,
            disable_local_ca_jwt,
            default_role: Some(fields::go_lower(&string("default_role")?)).filter(|r| !r.is_empty()),
            local,
            session_epoch: match get("session_epoch") {
                Value::Null => String::new(),
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                _ => return Err(at("session_epoch must be a string or a number".into())),
            },
        })
    }

    /// The issuer `parseAndValidateJWT` checks: only when `disable_iss_validation` is false and
    /// `issuer` is set (an empty one is assigned `kubernetes/serviceaccount`, never checked).
    pub fn checked_issuer(&self) -> Option<&str> {
        (!self.disable_iss_validation && !self.issuer.is_empty()).then_some(self.issuer.as_str())
    }

    /// The TokenReview URL `Review` posts to.
    pub fn review_url(&self) -> String {
        format!("{}/apis/authentication.k8s.io/v1/tokenreviews", self.kubernetes_host.trim_end_matches('/'))
    }

    /// `vault read auth/<path>/config` (`pathConfigRead`): the reviewer token only as `_set`.
    pub fn to_read(&self) -> Value {
        serde_json::json!({
            "kubernetes_host": self.kubernetes_host,
            "kubernetes_ca_cert": self.kubernetes_ca_cert.clone().unwrap_or_default(),
            "pem_keys": self.pem_keys,
            "issuer": self.issuer,
            "disable_iss_validation": self.disable_iss_validation,
            "disable_local_ca_jwt": self.disable_local_ca_jwt,
            "token_reviewer_jwt_set": self.token_reviewer_jwt.is_some(),
            "use_annotations_as_alias_metadata": false,
            "local_verification": self.local.is_some(),
        })
    }
}

/// `hasCerts` (pathConfigWrite): at least one PEM block.
fn has_certificate(pem: &str) -> bool {
    pem.find("-----BEGIN ").is_some_and(|i| pem.get(i..).is_some_and(|rest| rest.contains("-----END ")))
}

/// The API server's URL: `https://` (the reviewer's bearer and every client's token cross it),
/// or `http://` on a loopback address only (local development and tests, as the key URLs), then
/// a host, an optional port and path, nothing else. Vault concatenates whatever it is given; the
/// gate refuses what would not be a URL, or not TLS off the machine.
fn check_host(host: &str) -> std::result::Result<String, String> {
    let host = host.trim();
    let loopback = |a: &str| {
        let name = a.rsplit_once(':').filter(|(h, p)| !h.is_empty() && !p.contains(']')).map_or(a, |(h, _)| h);
        name == "localhost" || name == "[::1]" || name.parse::<std::net::Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
    };
    let rest = match (host.strip_prefix("https://"), host.strip_prefix("http://")) {
        (Some(r), _) => r,
        (None, Some(r)) if loopback(r.split('/').next().unwrap_or_default()) => r,
        _ => return Err(format!("kubernetes_host {} must be an https:// URL (the token travels to it; http:// on loopback only)", quote(host))),
    };
    let authority = rest.split('/').next().unwrap_or_default();
    let ok = !authority.is_empty()
        && !authority.contains('@')
        && authority.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
        && !rest.contains(['?', '#', ' ', '\\']);
    if !ok {
        return Err(format!("kubernetes_host {} is not a URL of the API server", quote(host)));
    }
    Ok(host.trim_end_matches('/').to_owned())
}
