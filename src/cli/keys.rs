//! Where `verify` and `explain` get keys: a JWKS file or URL, PEM public keys (tried whatever
//! the token's `kid`, as Vault's `jwt_validation_pubkeys`), or an issuer's OIDC discovery.
//! Parsing and every key rule are the core's.

use super::http::{allowed_scheme, Fetched, Http};
use super::Failure;
use crate::discovery::{self, MAX_DISCOVERY_BYTES};
use crate::jwk::{Jwks, MAX_JWKS_BYTES};
use crate::Verifier;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The key options `verify` and `explain` share.
#[derive(clap::Args, Debug, Default)]
pub struct KeyArgs {
    /// A JWKS: a file, or an https URL (fetched, no redirect followed).
    #[arg(long, value_name = "FILE|URL", value_parser = super::non_blank)]
    pub jwks: Option<String>,
    /// PEM public keys or certificates (SPKI, PKCS#1, X.509; one or more blocks, such as
    /// Kubernetes' sa.pub), each tried whatever `kid` the token names.
    #[arg(long, value_name = "FILE")]
    pub pem: Option<PathBuf>,
    /// CA certificates (PEM) trusted for https instead of the built-in roots, as curl's
    /// --cacert: the cluster's own CA for its API server.
    #[arg(long, value_name = "FILE")]
    pub cacert: Option<PathBuf>,
}

/// A key set and where it came from, for the report.
pub struct KeySet {
    /// The verifier over it.
    pub verifier: Verifier,
    /// Where the keys came from, in words.
    pub source: String,
}

/// The discovery document's URL for `issuer`, as go-oidc builds it (`NewProvider`).
pub fn discovery_url(issuer: &str) -> String {
    format!("{}/.well-known/openid-configuration", issuer.trim_end_matches('/'))
}

/// GETs a URL that keys or metadata come from: https (or http to loopback), status 200.
pub fn fetch(http: &Http, url: &str, max: usize) -> Result<Fetched, Failure> {
    if !allowed_scheme(url) {
        return Err(Failure::new("ERR_HTTP", format!("{}: keys and metadata are fetched over https only (http only to this machine), never read from a file", super::quoted(url))));
    }
    let got = http.get(url, max as u64)?;
    match (got.status, &got.location) {
        (200, _) => Ok(got),
        (300..=399, Some(to)) => Err(Failure::new("ERR_HTTP", format!("{url}: HTTP {} redirect to {}, not followed: give the final address", got.status, super::quoted(to)))),
        (status, _) => Err(Failure::new("ERR_HTTP", format!("{url}: HTTP {status}"))),
    }
}

/// The `jwks_uri` of `issuer`'s discovery document, whose `issuer` must equal it exactly.
pub fn discover_jwks_uri(http: &Http, issuer: &str) -> Result<String, Failure> {
    let doc = fetch(http, &discovery_url(issuer), MAX_DISCOVERY_BYTES)?;
    Ok(discovery::jwks_uri(&doc.body, issuer)?)
}

/// Reads PEM public keys or certificates, one or more `-----BEGIN ...-----` blocks, as a JWKS.
pub fn jwks_from_pem(text: &str) -> Result<Jwks, Failure> {
    let mut keys = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN ") {
        let block = rest.get(start..).unwrap_or_default();
        let Some(end) = block.find("-----END ").and_then(|e| block.get(e..).and_then(|t| t.get(9..)).and_then(|t| t.find("-----")).map(|close| e + 9 + close + 5)) else {
            return Err(Failure::input("a PEM block has no -----END ...----- line"));
        };
        let pem = block.get(..end).unwrap_or_default();
        // Public keys and certificates (their subject keys), as Vault's jwt_validation_pubkeys
        // takes them; the core refuses any other block (a private key among them) by name.
        keys.push(Value::Object(crate::import_public_key_pem(pem)?));
        rest = block.get(end..).unwrap_or_default();
    }
    if keys.is_empty() {
        return Err(Failure::input("no PUBLIC KEY block found"));
    }
    Ok(Jwks::from_value(&serde_json::json!({ "keys": keys }))?)
}

/// A JWKS from the user's own `--jwks`: a file or a URL.
pub fn jwks_from_arg(http: &Http, spec: &str) -> Result<Jwks, Failure> {
    if spec.starts_with("https://") || spec.starts_with("http://") {
        return jwks_from_url(http, spec);
    }
    Ok(Jwks::parse(&super::input::read_file(Path::new(spec), MAX_JWKS_BYTES as u64)?)?)
}

/// A JWKS from a URL that a server or a config named (a discovery document's `jwks_uri`, a
/// config's `jwks_url`): fetched under [`fetch`]'s rule, never read as a local file, whatever
/// it looks like (`/etc/...`, `file:`, a FIFO that would hang the command).
pub fn jwks_from_url(http: &Http, url: &str) -> Result<Jwks, Failure> {
    Ok(Jwks::parse(&fetch(http, url, MAX_JWKS_BYTES)?.body)?)
}

/// The keys the options name: `--jwks`, else `--pem`, else the issuer's discovery; `None` when
/// no source is given.
pub fn load(http: &Http, args: &KeyArgs, issuer: Option<&str>) -> Result<Option<KeySet>, Failure> {
    if let Some(spec) = &args.jwks {
        return Ok(Some(KeySet { verifier: Verifier::from_jwks(jwks_from_arg(http, spec)?), source: format!("the JWKS {spec}") }));
    }
    if let Some(path) = &args.pem {
        let text = super::input::read_file(path, MAX_JWKS_BYTES as u64)?;
        let text = String::from_utf8(text).map_err(|_| Failure::input(format!("{}: not PEM text", path.display())))?;
        return Ok(Some(KeySet { verifier: Verifier::any_kid(jwks_from_pem(&text)?), source: format!("the PEM keys of {}", path.display()) }));
    }
    let Some(issuer) = issuer else { return Ok(None) };
    let uri = discover_jwks_uri(http, issuer)?;
    let jwks = jwks_from_url(http, &uri)?;
    Ok(Some(KeySet { verifier: Verifier::from_jwks(jwks), source: format!("{}'s discovery: {}", super::plain(issuer), super::plain(&uri)) }))
}
