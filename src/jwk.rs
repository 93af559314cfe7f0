//! JSON Web Keys and Key Sets (RFC 7517) of every family verified here: RSA (RFC 7518 section
//! 6.3.1), EC (section 6.2.1) and OKP Ed25519 (RFC 8037 section 2); `x5c` checked against the key
//! (RFC 7517 section 4.7); thumbprints (RFC 7638) and the key ids Kubernetes derives (base64url
//! SHA-256 of the DER SPKI).

use crate::b64;
use crate::der;
use crate::error::{err, short, Code, Error, Result};
use crate::json;
use crate::jwa::alg::Alg;
use crate::jwa::ecdsa::{Curve, EcPublicKey};
use crate::jwa::eddsa::Ed25519PublicKey;
use crate::jwa::rsa::RsaPublicKey;
use crate::jwa::PublicKey;
use base64::Engine;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

/// Largest JWKS document accepted, in bytes.
pub const MAX_JWKS_BYTES: usize = 512 * 1024;
/// Most keys accepted in one set.
pub const MAX_KEYS: usize = 100;
/// Largest single JWK document accepted, in bytes.
pub const MAX_JWK_BYTES: usize = 16 * 1024;

/// Private members of every key type (RFC 7518 sections 6.2.2 and 6.3.2, RFC 8037 section 2).
const PRIVATE_MEMBERS: [&str; 7] = ["d", "p", "q", "dp", "dq", "qi", "oth"];

/// One key of a set, as far as it could be understood. Keys of other types, or keys that fail
/// validation, are kept (so a `kid` that names them gives a precise error) but never used.
#[derive(Clone, Debug)]
pub struct Jwk {
    kty: Option<String>,
    kid: Option<String>,
    alg: Option<String>,
    crv: Option<String>,
    use_: Option<String>,
    key_ops: Option<Vec<String>>,
    key: Result<Key>,
}

/// An imported public key of any family with its identifiers, each computed on first use (two
/// SHA-256 per key: a set's keys that never verify anything never pay for them).
#[derive(Clone, Debug)]
pub struct Key {
    public: PublicKey,
    thumbprint: OnceLock<String>,
    kubernetes_key_id: OnceLock<String>,
}

impl Key {
    /// Wraps a validated key.
    pub fn new(public: PublicKey) -> Self {
        Key { public, thumbprint: OnceLock::new(), kubernetes_key_id: OnceLock::new() }
    }

    /// The validated key.
    pub fn public(&self) -> &PublicKey {
        &self.public
    }

    /// Verifies `signature` over `message` with `alg` (`false` when `alg` does not fit the key).
    pub fn verify(&self, alg: Alg, message: &[u8], signature: &[u8]) -> bool {
        self.public.verify(alg, message, signature)
    }

    /// The JWK members that define the key, RFC 7638 section 3.2's required members, in its
    /// lexicographic order: RSA `e`, `kty`, `n`; EC `crv`, `kty`, `x`, `y`; OKP `crv`, `kty`,
    /// `x` (RFC 8037 section 2). The values need no JSON escaping.
    fn members(&self) -> Vec<(&'static str, String)> {
        let kty = ("kty", self.public.kty().to_owned());
        match &self.public {
            PublicKey::Rsa(k) => vec![("e", b64::encode(&k.exponent_bytes())), kty, ("n", b64::encode(k.modulus()))],
            PublicKey::Ec(k) => vec![("crv", k.curve().name().to_owned()), kty, ("x", b64::encode(k.x())), ("y", b64::encode(k.y()))],
            PublicKey::Ed25519(k) => vec![("crv", "Ed25519".to_owned()), kty, ("x", b64::encode(k.as_bytes()))],
        }
    }

    /// RFC 7638 SHA-256 thumbprint, base64url.
    pub fn thumbprint(&self) -> &str {
        self.thumbprint.get_or_init(|| {
            // RFC 7638 section 3.2: required members only, lexicographic order, no whitespace.
            let mut canonical = String::from("{");
            for (i, (name, value)) in self.members().into_iter().enumerate() {
                let comma = if i == 0 { "" } else { "," };
                canonical.push_str(&format!(r#"{comma}"{name}":"{value}""#));
            }
            canonical.push('}');
            b64::encode(&Sha256::digest(canonical.as_bytes()))
        })
    }

    /// base64url SHA-256 of the DER SubjectPublicKeyInfo: the `kid` Kubernetes assigns
    /// (`keyIDFromPublicKey` in kubernetes/kubernetes pkg/serviceaccount/jwt.go), for every family.
    pub fn kubernetes_key_id(&self) -> &str {
        self.kubernetes_key_id.get_or_init(|| b64::encode(&Sha256::digest(self.public.spki_der())))
    }

    /// The key as a public JWK object (its defining members), with `kid` when given.
    pub fn to_jwk(&self, kid: Option<&str>) -> Map<String, Value> {
        let mut m = Map::new();
        for (name, value) in self.members() {
            m.insert(name.into(), value.into());
        }
        if let Some(kid) = kid {
            m.insert("kid".into(), kid.into());
        }
        m
    }
}

fn opt_string(m: &Map<String, Value>, name: &str) -> Result<Option<String>> {
    match m.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => err(Code::JwkInvalid, format!("JWK \"{name}\" must be a string")),
    }
}

impl Jwk {
    /// Reads a JWK object. Structural errors (non-string members) are errors; a key that fails
    /// validation is kept with its error, see [`Jwk::key`].
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
        // Compared as jose compares it (`crv === entry.crv`): a `crv` that is not a string fits
        // no algorithm, and only the key's importer says why it is wrong.
        let crv = m.get("crv").and_then(Value::as_str).map(str::to_owned);
        let key = import(kty.as_deref(), m).and_then(|key| match m.get("x5c") {
            None => Ok(key),
            Some(x5c) => check_x5c(x5c, &key).map(|()| key),
        });
        Ok(Jwk { kty, kid, alg, crv, use_, key_ops, key })
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

    /// The `crv`, when present and a string.
    pub fn crv(&self) -> Option<&str> {
        self.crv.as_deref()
    }

    /// The imported key, or why it could not be imported.
    pub fn key(&self) -> Result<&Key, &Error> {
        self.key.as_ref()
    }

    /// Whether the key may verify `alg` signatures from a token whose header has `kid`, by the
    /// rule of `jose`'s `isUsableJWK` (panva/jose `src/jwks/local.ts`): `kty` the algorithm's
    /// family, `crv` the algorithm's curve where it has one (`entry.crv` there: P-256 for ES256,
    /// P-384 for ES384, P-521 for ES512, Ed25519 for EdDSA and Ed25519), `kid` strictly equal
    /// when the header has one, `alg` equal when the JWK has one, `use` absent or `sig`,
    /// `key_ops` with `verify`.
    pub fn is_candidate(&self, alg: Alg, kid: Option<&str>) -> bool {
        self.kty.as_deref() == Some(alg.kty())
            && alg.crv().is_none_or(|c| self.crv.as_deref() == Some(c))
            && kid.is_none_or(|k| self.kid.as_deref() == Some(k))
            && self.alg.as_deref().is_none_or(|a| a == alg.name())
            && self.is_signing_key()
    }

    fn is_signing_key(&self) -> bool {
        self.use_.as_deref().is_none_or(|u| u == "sig")
            && self.key_ops.as_ref().is_none_or(|ops| ops.iter().any(|o| o == "verify"))
    }

    /// Whether the key could verify some token: an imported signing key.
    pub fn is_usable(&self) -> bool {
        self.key.is_ok() && self.is_signing_key()
    }
}


fn import(kty: Option<&str>, m: &Map<String, Value>) -> Result<Key> {
    if kty.is_some_and(|k| ["RSA", "EC", "OKP"].contains(&k)) {
        if let Some(p) = PRIVATE_MEMBERS.iter().find(|p| m.contains_key(**p)) {
            return err(Code::JwkInvalid, format!("JWK holds the private member \"{p}\"; a key set must hold public keys only"));
        }
    }
    let member = |name: &str| -> Result<Vec<u8>> {
        let kty = kty.unwrap_or_default();
        let s = m
            .get(name)
            .and_then(Value::as_str)
            .ok_or_else(|| Error::new(Code::JwkInvalid, format!("{kty} JWK \"{name}\" is missing or not a string")))?;
        b64::decode(s.as_bytes()).ok_or_else(|| Error::new(Code::JwkInvalid, format!("{kty} JWK \"{name}\" is not base64url")))
    };
    let crv = || match m.get("crv") {
        Some(Value::String(c)) => Ok(c.as_str()),
        _ => err(Code::JwkInvalid, "JWK \"crv\" is missing or not a string"),
    };
    let public = match kty {
        None => return err(Code::JwkInvalid, "JWK \"kty\" is missing"),
        Some("RSA") => PublicKey::Rsa(RsaPublicKey::new(&member("n")?, &member("e")?)?),
        Some("EC") => {
            let crv = crv()?;
            let curve = Curve::from_name(crv).ok_or_else(|| {
                Error::new(Code::NotSupported, format!("EC JWK \"crv\" {:?} is not supported; P-256, P-384 and P-521 are", short(crv)))
            })?;
            PublicKey::Ec(EcPublicKey::from_coordinates(curve, &member("x")?, &member("y")?)?)
        }
        Some("OKP") => match crv()? {
            "Ed25519" => PublicKey::Ed25519(Ed25519PublicKey::from_bytes(&member("x")?)?),
            other => return err(Code::NotSupported, format!("OKP JWK \"crv\" {:?} is not supported; Ed25519 is", short(other))),
        },
        Some(other) => return err(Code::NotSupported, format!("JWK \"kty\" {:?} is not supported; RSA, EC and OKP keys are", short(other))),
    };
    Ok(Key::new(public))
}

/// RFC 7517 section 4.7: "The key in the first certificate MUST match the public key
/// represented by other members of the JWK." Checked as go-jose checks it (`JSONWebKey`'s
/// `UnmarshalJSON` and `parseCertificateChain` in go-jose/go-jose `jwk.go`, which Vault's JWT
/// auth reads key sets with): an array of standard base64 DER certificates that all parse, the
/// first one's key equal to the JWK's; an empty array says nothing. The chain is not validated:
/// the key set, not the certificate, is what is trusted.
fn check_x5c(x5c: &Value, key: &Key) -> Result<()> {
    let bad = |why: &str| Error::new(Code::JwkInvalid, format!("JWK \"x5c\" {why}"));
    let certs = x5c.as_array().ok_or_else(|| bad("must be an array of base64 DER certificates"))?;
    let keys = certs
        .iter()
        .map(|c| {
            let der = c
                .as_str()
                .and_then(|s| base64::engine::general_purpose::STANDARD.decode(s).ok())
                .ok_or_else(|| bad("must hold standard base64 (not base64url) DER certificates"))?;
            der::certificate_key(&der).map_err(|e| bad(&format!("holds a certificate that cannot be read: {}", e.message())))
        })
        .collect::<Result<Vec<_>>>()?;
    let Some(first) = keys.into_iter().next() else {
        return Ok(());
    };
    // Compared as DER SPKI, each side re-encoded canonically (EC points uncompressed).
    let matches = PublicKey::from_spki(first).is_ok_and(|k| k.spki_der() == key.public.spki_der());
    if !matches {
        return Err(bad("holds a certificate for another key than the JWK's"));
    }
    Ok(())
}

/// A parsed JSON Web Key Set: parse once, then select keys per token.
#[derive(Clone, Debug)]
pub struct Jwks {
    keys: Vec<Jwk>,
}

impl Jwks {
    /// Parses JWKS JSON (`{"keys": [...]}`). Keys of other types or uses are skipped; a set
    /// with no usable signing key is `ERR_JWKS_INVALID`, with the reasons keys were refused.
    pub fn parse(text: &[u8]) -> Result<Self> {
        if text.len() > MAX_JWKS_BYTES {
            return err(Code::JwksInvalid, format!("JWKS is over {MAX_JWKS_BYTES} bytes"));
        }
        let value = json::parse(text).map_err(|e| Error::new(Code::JwksInvalid, format!("JWKS is not valid JSON: {e}")))?;
        Jwks::from_value(&value)
    }

    /// Parses a key set as an issuer publishes it (a remote set's fetch): as [`Jwks::parse`],
    /// except that a well-formed set with no usable signing key (`{"keys":[]}`, only
    /// `use: "enc"` keys) is the issuer's word, not an error: a set that verifies nothing, a
    /// revocation (panva/jose `createLocalJWKSet` takes any `{"keys": [objects]}` and then finds
    /// no key). Bodies that are not a JWKS (not JSON, no `keys` array, a key that is not an
    /// object or has a member of the wrong type) are still errors.
    pub fn parse_published(text: &[u8]) -> Result<Self> {
        if text.len() > MAX_JWKS_BYTES {
            return err(Code::JwksInvalid, format!("JWKS is over {MAX_JWKS_BYTES} bytes"));
        }
        let value = json::parse(text).map_err(|e| Error::new(Code::JwksInvalid, format!("JWKS is not valid JSON: {e}")))?;
        Ok(Jwks { keys: Jwks::read_keys(&value)? })
    }

    /// Whether any key may verify a token (false for a published set that revokes them all).
    pub fn has_usable_key(&self) -> bool {
        self.keys.iter().any(Jwk::is_usable)
    }

    /// Reads a JWKS from a parsed JSON value.
    pub fn from_value(value: &Value) -> Result<Self> {
        Jwks::from_keys(Jwks::read_keys(value)?)
    }

    fn read_keys(value: &Value) -> Result<Vec<Jwk>> {
        let keys = value
            .as_object()
            .and_then(|o| o.get("keys"))
            .and_then(Value::as_array)
            .ok_or_else(|| Error::new(Code::JwksInvalid, "JSON Web Key Set malformed: expected {\"keys\": [...]}"))?;
        if keys.len() > MAX_KEYS {
            return err(Code::JwksInvalid, format!("JWKS has {} keys; at most {MAX_KEYS} are accepted", keys.len()));
        }
        keys.iter()
            .map(|k| match k {
                Value::Object(m) => Jwk::from_object(m).map_err(|e| Error::new(Code::JwksInvalid, format!("JWKS key malformed: {}", e.message()))),
                _ => err(Code::JwksInvalid, "JSON Web Key Set malformed: every key must be an object"),
            })
            .collect::<Result<Vec<_>>>()
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
            return err(Code::JwksInvalid, format!("JWKS has no usable signing key{why}"));
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
    pub fn candidates(&self, alg: Alg, kid: Option<&str>) -> Result<Vec<(&Jwk, &Key)>> {
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

/// RFC 7638 thumbprint (SHA-256, base64url) of a JWK given as JSON text.
pub fn thumbprint(jwk_json: &[u8]) -> Result<String> {
    let jwk = Jwk::parse(jwk_json)?;
    jwk.key().map(|k| k.thumbprint().to_owned()).map_err(Clone::clone)
}
