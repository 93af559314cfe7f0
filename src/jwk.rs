//! JSON Web Keys and Key Sets (RFC 7517), RSA members (RFC 7518 section 6.3.1), thumbprints
//! (RFC 7638) and the key ids Kubernetes derives (base64url SHA-256 of the DER SPKI).

use crate::jwa::alg::Alg;
use crate::b64;
use crate::der;
use crate::error::{err, short, Code, Error, Result};
use crate::json;
use crate::jwa::rsa::RsaPublicKey;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

/// Largest JWKS document accepted, in bytes.
pub const MAX_JWKS_BYTES: usize = 512 * 1024;
/// Most keys accepted in one set.
pub const MAX_KEYS: usize = 100;
/// Largest single JWK document accepted, in bytes.
pub const MAX_JWK_BYTES: usize = 16 * 1024;

const PRIVATE_MEMBERS: [&str; 7] = ["d", "p", "q", "dp", "dq", "qi", "oth"];

/// One key of a set, as far as it could be understood. Keys of other types, or RSA keys that
/// fail validation, are kept (so a `kid` that names them gives a precise error) but never used.
#[derive(Clone, Debug)]
pub struct Jwk {
    kty: Option<String>,
    kid: Option<String>,
    alg: Option<String>,
    use_: Option<String>,
    key_ops: Option<Vec<String>>,
    key: Result<RsaKey>,
}

/// An imported RSA public key with its identifiers, each computed on first use (two SHA-256
/// per key: a set's keys that never verify anything never pay for them).
#[derive(Clone, Debug)]
pub struct RsaKey {
    /// The validated key.
    pub key: RsaPublicKey,
    thumbprint: OnceLock<String>,
    kubernetes_key_id: OnceLock<String>,
}

impl RsaKey {
    /// Wraps a validated key.
    pub fn new(key: RsaPublicKey) -> Self {
        RsaKey { key, thumbprint: OnceLock::new(), kubernetes_key_id: OnceLock::new() }
    }

    /// RFC 7638 SHA-256 thumbprint, base64url.
    pub fn thumbprint(&self) -> &str {
        self.thumbprint.get_or_init(|| thumbprint_rsa(self.key.modulus(), &self.key.exponent_bytes()))
    }

    /// base64url SHA-256 of the DER SubjectPublicKeyInfo: the `kid` Kubernetes assigns.
    pub fn kubernetes_key_id(&self) -> &str {
        self.kubernetes_key_id
            .get_or_init(|| b64::encode(&Sha256::digest(der::spki_der(self.key.modulus(), &self.key.exponent_bytes()))))
    }

    /// The key as a public JWK object (`kty`, `n`, `e`), with `kid` when given.
    pub fn to_jwk(&self, kid: Option<&str>) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("kty".into(), "RSA".into());
        m.insert("n".into(), b64::encode(self.key.modulus()).into());
        m.insert("e".into(), b64::encode(&self.key.exponent_bytes()).into());
        if let Some(kid) = kid {
            m.insert("kid".into(), kid.into());
        }
        m
    }
}

fn thumbprint_rsa(n: &[u8], e: &[u8]) -> String {
    // RFC 7638 section 3.2: required members only, lexicographic order, no whitespace.
    let canonical = format!(r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#, b64::encode(e), b64::encode(n));
    b64::encode(&Sha256::digest(canonical.as_bytes()))
}

fn opt_string(m: &Map<String, Value>, name: &str) -> Result<Option<String>> {
    match m.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => err(Code::JwkInvalid, format!("JWK \"{name}\" must be a string")),
    }
}

impl Jwk {
    /// Reads a JWK object. Structural errors (non-string members) are errors; an RSA key that
    /// fails validation is kept with its error, see [`Jwk::rsa`].
    pub fn from_object(m: &Map<String, Value>) -> Result<Self> {
        let kty = opt_string(m, "kty")?;
        let kid = opt_string(m, "kid")?;
        let alg = opt_string(m, "alg")?;
        let use_ = opt_string(m, "use")?;
        let key_ops = match m.get("key_ops") {
            None => None,
            Some(Value::Array(ops)) => Some(
                ops.iter()
                    .map(|o| o.as_str().map(str::to_owned))
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| Error::new(Code::JwkInvalid, "JWK \"key_ops\" must be an array of strings"))?,
            ),
            Some(_) => return err(Code::JwkInvalid, "JWK \"key_ops\" must be an array of strings"),
        };
        let key = match kty.as_deref() {
            None => err(Code::JwkInvalid, "JWK \"kty\" is missing"),
            Some("RSA") => import_rsa(m),
            Some(other) => err(Code::NotSupported, format!("JWK \"kty\" {:?} is not supported; RSA keys only", short(other))),
        };
        Ok(Jwk { kty, kid, alg, use_, key_ops, key })
    }

    /// Parses one JWK from JSON text.
    pub fn parse(text: &[u8]) -> Result<Self> {
        if text.len() > MAX_JWK_BYTES {
            return err(Code::JwkInvalid, format!("JWK is over {MAX_JWK_BYTES} bytes"));
        }
        match json::parse(text).map_err(|e| Error::new(Code::JwkInvalid, format!("JWK is not valid JSON: {e}")))? {
            Value::Object(m) => Jwk::from_object(&m),
            _ => err(Code::JwkInvalid, "JWK must be a JSON object"),
        }
    }

    /// The `kid`, when present.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The `kty`, when present.
    pub fn kty(&self) -> Option<&str> {
        self.kty.as_deref()
    }

    /// The `alg`, when present.
    pub fn alg(&self) -> Option<&str> {
        self.alg.as_deref()
    }

    /// The imported RSA key, or why it could not be imported.
    pub fn rsa(&self) -> Result<&RsaKey, &Error> {
        self.key.as_ref()
    }

    /// Whether the key may verify `alg` signatures from a token whose header has `kid`, by the
    /// rule of `jose`'s `isUsableJWK`: `kty` fits, `kid` strictly equal when the header has
    /// one, `alg` equal when the JWK has one, `use` absent or `sig`, `key_ops` with `verify`.
    pub fn is_candidate(&self, alg: Alg, kid: Option<&str>) -> bool {
        self.kty.as_deref() == Some(alg.kty())
            && kid.is_none_or(|k| self.kid.as_deref() == Some(k))
            && self.alg.as_deref().is_none_or(|a| a == alg.name())
            && self.is_signing_key()
    }

    fn is_signing_key(&self) -> bool {
        self.use_.as_deref().is_none_or(|u| u == "sig")
            && self.key_ops.as_ref().is_none_or(|ops| ops.iter().any(|o| o == "verify"))
    }

    /// Whether the key could verify some token: an imported RSA signing key.
    pub fn is_usable(&self) -> bool {
        self.key.is_ok() && self.is_signing_key()
    }
}


fn import_rsa(m: &Map<String, Value>) -> Result<RsaKey> {
    if let Some(p) = PRIVATE_MEMBERS.iter().find(|p| m.contains_key(**p)) {
        return err(Code::JwkInvalid, format!("JWK holds the private member \"{p}\"; a key set must hold public keys only"));
    }
    let member = |name: &str| -> Result<Vec<u8>> {
        let s = m
            .get(name)
            .and_then(Value::as_str)
            .ok_or_else(|| Error::new(Code::JwkInvalid, format!("RSA JWK \"{name}\" is missing or not a string")))?;
        b64::decode(s.as_bytes()).ok_or_else(|| Error::new(Code::JwkInvalid, format!("RSA JWK \"{name}\" is not base64url")))
    };
    let n = member("n")?;
    let e = member("e")?;
    Ok(RsaKey::new(RsaPublicKey::new(&n, &e)?))
}

/// A parsed JSON Web Key Set: parse once, then select keys per token.
#[derive(Clone, Debug)]
pub struct Jwks {
    keys: Vec<Jwk>,
}

impl Jwks {
    /// Parses JWKS JSON (`{"keys": [...]}`). Keys of other types or uses are skipped; a set
    /// with no usable RSA signing key is `ERR_JWKS_INVALID`, with the reasons keys were refused.
    pub fn parse(text: &[u8]) -> Result<Self> {
        if text.len() > MAX_JWKS_BYTES {
            return err(Code::JwksInvalid, format!("JWKS is over {MAX_JWKS_BYTES} bytes"));
        }
        let value = json::parse(text).map_err(|e| Error::new(Code::JwksInvalid, format!("JWKS is not valid JSON: {e}")))?;
        Jwks::from_value(&value)
    }

    /// Reads a JWKS from a parsed JSON value.
    pub fn from_value(value: &Value) -> Result<Self> {
        let keys = value
            .as_object()
            .and_then(|o| o.get("keys"))
            .and_then(Value::as_array)
            .ok_or_else(|| Error::new(Code::JwksInvalid, "JSON Web Key Set malformed: expected {\"keys\": [...]}"))?;
        if keys.len() > MAX_KEYS {
            return err(Code::JwksInvalid, format!("JWKS has {} keys; at most {MAX_KEYS} are accepted", keys.len()));
        }
        let keys = keys
            .iter()
            .map(|k| match k {
                Value::Object(m) => Jwk::from_object(m).map_err(|e| Error::new(Code::JwksInvalid, format!("JWKS key malformed: {}", e.message()))),
                _ => err(Code::JwksInvalid, "JSON Web Key Set malformed: every key must be an object"),
            })
            .collect::<Result<Vec<_>>>()?;
        Jwks::from_keys(keys)
    }

    /// Builds a set from keys; it must hold at least one usable key.
    pub fn from_keys(keys: Vec<Jwk>) -> Result<Self> {
        if !keys.iter().any(Jwk::is_usable) {
            let why = keys
                .iter()
                .filter_map(|k| k.key.as_ref().err().map(|e| e.message().to_owned()))
                .next()
                .map(|m| format!(" (a key was refused: {m})"))
                .unwrap_or_default();
            return err(Code::JwksInvalid, format!("JWKS has no usable RSA signing key{why}"));
        }
        Ok(Jwks { keys })
    }

    /// All keys, usable or not, in document order.
    pub fn keys(&self) -> &[Jwk] {
        &self.keys
    }

    /// The keys that may verify a token with `alg` and header `kid`. When the only candidates
    /// failed to import, their error is returned (so a 1024-bit key named by `kid` says so);
    /// when there are none, `ERR_JWKS_NO_MATCHING_KEY`.
    pub fn candidates(&self, alg: Alg, kid: Option<&str>) -> Result<Vec<(&Jwk, &RsaKey)>> {
        let mut refused = None;
        let mut found = Vec::new();
        for jwk in self.keys.iter().filter(|k| k.is_candidate(alg, kid)) {
            match &jwk.key {
                Ok(key) => found.push((jwk, key)),
                Err(e) => refused = refused.or(Some(e)),
            }
        }
        match (found.is_empty(), refused) {
            (false, _) => Ok(found),
            (true, Some(e)) => Err(e.clone()),
            (true, None) => err(Code::JwksNoMatchingKey, "no applicable key found in the JSON Web Key Set"),
        }
    }
}

/// RFC 7638 thumbprint (SHA-256, base64url) of an RSA JWK given as JSON text.
pub fn thumbprint(jwk_json: &[u8]) -> Result<String> {
    let jwk = Jwk::parse(jwk_json)?;
    jwk.rsa().map(|k| k.thumbprint().to_owned()).map_err(Clone::clone)
}
