//! ES256 signing (RFC 7518 section 3.4: ECDSA P-256 SHA-256, the signature as R‖S) for what the
//! gate itself signs: the identity assertion it hands the origin. RustCrypto's `p256`, whose
//! arithmetic is constant-time and whose nonces are RFC 6979's (deterministic: no randomness
//! is needed, and none can leak the key); never this crate's own variable-time verification
//! arithmetic (`jwa::nistp256`). The private key is read from PKCS#8 (`PRIVATE KEY`), SEC1
//! (`EC PRIVATE KEY`) PEM (read by `der`'s strict reader: p256's own PKCS#8 and SEC1 readers
//! cost the gate's wasm 17.7 KB gzipped) or a private JWK (RFC 7518 section 6.2.2).
//! Built with the `gate` or `cli` feature only: the npm package's wasm has no signer.

use crate::b64;
use crate::error::{Code, Error, Result};
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use serde_json::Value;

fn bad_key(message: impl Into<String>) -> Error {
    Error::new(Code::ConfigInvalid, message)
}

/// A P-256 private key that signs ES256. Its `Debug` shows only the public point.
#[derive(Clone)]
pub struct Es256Signer {
    key: SigningKey,
    /// The uncompressed public point's coordinates, 32 bytes each.
    x: Vec<u8>,
    y: Vec<u8>,
    /// The `kid` a private JWK named, if any.
    kid: Option<String>,
}

impl core::fmt::Debug for Es256Signer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Es256Signer(x={}, y={})", b64::encode(&self.x), b64::encode(&self.y))
    }
}

impl Es256Signer {
    /// Reads a private key: a JSON object is a private JWK, anything else PEM. Every failure is
    /// `ERR_CONFIG_INVALID` and never quotes the key.
    pub fn parse(text: &str) -> Result<Self> {
        let text = text.trim();
        if text.starts_with('{') {
            Self::from_jwk(text)
        } else {
            Self::from_pem(text)
        }
    }

    /// A `PRIVATE KEY` (PKCS#8, RFC 5208, with the P-256 curve) or `EC PRIVATE KEY` (SEC1,
    /// RFC 5915) PEM block.
    pub fn from_pem(pem: &str) -> Result<Self> {
        let crate::pem::Block { label, der } = crate::pem::block(pem).map_err(|e| bad_key(format!("the key is not PEM: {}", e.message())))?;
        let key = match label.as_str() {
            "PRIVATE KEY" => crate::der::ec_private_key_pkcs8(&der),
            "EC PRIVATE KEY" => crate::der::ec_private_key_sec1(&der),
            _ => return Err(bad_key("the PEM block must be a PRIVATE KEY (PKCS#8) or an EC PRIVATE KEY (SEC1)")),
        }
        .map_err(|e| bad_key(format!("the key is not a P-256 EC private key ({}); ES256 is the only algorithm the gate signs with", e.message())))?;
        if key.curve_oid != crate::jwa::ecdsa::Curve::P256.oid() {
            return Err(bad_key("the key is not on P-256: ES256 is the only algorithm the gate signs with"));
        }
        let signer = Self::from_scalar(&key.d, None)?;
        if key.point.as_ref().is_some_and(|p| *p != [&[4u8][..], &signer.x, &signer.y].concat()) {
            return Err(bad_key("the key's public point is not its private scalar's"));
        }
        Ok(signer)
    }

    /// The key of a 32-byte big-endian scalar in [1, n-1] (RFC 5915's fixed length).
    fn from_scalar(d: &[u8], kid: Option<String>) -> Result<Self> {
        if d.len() != 32 {
            return Err(bad_key("the private scalar must be 32 bytes"));
        }
        let secret = p256::SecretKey::from_slice(d).map_err(|_| bad_key("the private scalar is not a P-256 private key"))?;
        Ok(Self::new(SigningKey::from(&secret), kid))
    }

    /// A private JWK: `kty` EC, `crv` P-256, `d`, and `x` and `y` that are `d`'s public point.
    /// `kid`, when present, is kept; `alg`, when present, must be ES256; `use`, when present, `sig`.
    pub fn from_jwk(text: &str) -> Result<Self> {
        let value = crate::json::parse(text.as_bytes()).map_err(|_| bad_key("the key is not a JSON object"))?;
        let obj = value.as_object().ok_or_else(|| bad_key("the key is not a JSON object"))?;
        let member = |name: &str| obj.get(name).and_then(Value::as_str);
        if member("kty") != Some("EC") || member("crv") != Some("P-256") {
            return Err(bad_key("the JWK must be kty EC, crv P-256 (ES256 is the only algorithm the gate signs with)"));
        }
        if obj.get("alg").is_some_and(|a| a.as_str() != Some("ES256")) {
            return Err(bad_key("the JWK's alg must be ES256"));
        }
        if obj.get("use").is_some_and(|u| u.as_str() != Some("sig")) {
            return Err(bad_key("the JWK's use must be sig"));
        }
        let coordinate = |name: &str| member(name).and_then(|s| b64::decode(s.as_bytes())).filter(|b| b.len() == 32);
        let d = coordinate("d").ok_or_else(|| bad_key("the JWK has no private part d of 32 bytes (base64url): give the private key"))?;
        let kid = match obj.get("kid") {
            None => None,
            Some(Value::String(k)) if !k.is_empty() => Some(k.clone()),
            Some(_) => return Err(bad_key("the JWK's kid must be a non-empty string")),
        };
        let signer = Self::from_scalar(&d, kid)?;
        if coordinate("x").as_deref() != Some(signer.x.as_slice()) || coordinate("y").as_deref() != Some(signer.y.as_slice()) {
            return Err(bad_key("the JWK's x and y are not the public point of its d"));
        }
        Ok(signer)
    }

    fn new(key: SigningKey, kid: Option<String>) -> Self {
        let point = key.verifying_key().to_sec1_point(false);
        // Uncompressed SEC1: 0x04 ‖ X ‖ Y, 65 bytes for P-256.
        let bytes = point.as_bytes();
        let x = bytes.get(1..33).unwrap_or_default().to_vec();
        let y = bytes.get(33..65).unwrap_or_default().to_vec();
        Es256Signer { key, x, y, kid }
    }

    /// The public point's `x`, 32 bytes.
    pub fn x(&self) -> &[u8] {
        &self.x
    }

    /// The public point's `y`, 32 bytes.
    pub fn y(&self) -> &[u8] {
        &self.y
    }

    /// The `kid` the private JWK named, if it was one that named one.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The ES256 signature of `message` (SHA-256, RFC 6979 nonce): R‖S, 64 bytes.
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        let signature: Signature = self.key.sign(message);
        signature.to_bytes().to_vec()
    }
}
