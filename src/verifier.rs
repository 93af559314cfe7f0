//! The verification pipeline, in `jose`'s fixed order (`src/jwt/verify.ts`): split, header,
//! allowlist, key selection, signature over the ASCII signing input (RFC 7515 section 5.2),
//! payload, and only then claims (RFC 7519 section 7.2).

use crate::claims::{self, VerifyOptions};
use crate::error::{err, Code, Error, Result};
use crate::json;
use crate::jwk::{Jwk, Jwks, Key};
use crate::jws::Compact;
use serde_json::{Map, Value};

/// Which key verified a token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyInfo {
    /// The key's `kid`, when it has one.
    pub kid: Option<String>,
    /// The algorithm that verified.
    pub alg: &'static str,
    /// The key's RFC 7638 thumbprint.
    pub thumbprint: String,
}

/// A JWS whose signature verified; the payload is opaque bytes.
#[derive(Clone, Debug)]
pub struct VerifiedJws {
    /// The protected header.
    pub header: Map<String, Value>,
    /// The protected header's JSON text, members in their order.
    pub header_json: String,
    /// The payload bytes.
    pub payload: Vec<u8>,
    /// The key that verified.
    pub key: KeyInfo,
}

/// A JWT whose signature and claims verified.
#[derive(Clone, Debug)]
pub struct VerifiedJwt {
    /// The protected header.
    pub header: Map<String, Value>,
    /// The protected header's JSON text, members in their order.
    pub header_json: String,
    /// The claims.
    pub payload: Map<String, Value>,
    /// The claims as the token carries them: the payload's JSON text, members in their order.
    pub payload_json: String,
    /// The key that verified.
    pub key: KeyInfo,
}

/// Verifies tokens against one key set, parsed and imported once.
///
/// A `Verifier` holds no state that a token can change: every call is independent, and an
/// error leaves it as it was.
#[derive(Clone, Debug)]
pub struct Verifier {
    jwks: Jwks,
    any_kid: bool,
}

impl Verifier {
    /// Parses and imports a JWKS given as JSON text.
    pub fn new(jwks_json: &[u8]) -> Result<Self> {
        Ok(Verifier { jwks: Jwks::parse(jwks_json)?, any_kid: false })
    }

    /// Wraps an already parsed set.
    pub fn from_jwks(jwks: Jwks) -> Self {
        Verifier { jwks, any_kid: false }
    }

    /// A static set of public keys, as Vault's `jwt_validation_pubkeys` (cap's `staticKeySet`):
    /// every key that fits the algorithm is tried, whatever `kid` the token names.
    pub fn any_kid(jwks: Jwks) -> Self {
        Verifier { jwks, any_kid: true }
    }

    /// Whether this is a static set that ignores `kid` ([`Verifier::any_kid`]).
    pub fn ignores_kid(&self) -> bool {
        self.any_kid
    }

    /// The set's keys.
    pub fn jwks(&self) -> &Jwks {
        &self.jwks
    }

    /// The `kid`s of the set's usable keys, in document order.
    pub fn key_ids(&self) -> Vec<&str> {
        self.jwks.keys().iter().filter(|k| k.is_usable()).filter_map(Jwk::kid).collect()
    }

    /// Verifies a compact JWS with any payload: header rules, key selection and signature,
    /// no claims. Only `algorithms` and `max_token_bytes` of `options` apply.
    pub fn verify_jws(&self, token: &str, options: &VerifyOptions) -> Result<VerifiedJws> {
        let (compact, key) = self.verify_signature(token, options)?;
        let payload = compact.payload()?;
        Ok(VerifiedJws { header: compact.header, header_json: compact.header_json, payload, key })
    }

    /// Verifies a JWT: signature as [`Verifier::verify_jws`], then the claims.
    pub fn verify(&self, token: &str, options: &VerifyOptions) -> Result<VerifiedJwt> {
        let (compact, key) = self.verify_signature(token, options)?;
        if compact.header.get("b64").is_some_and(|b| b != &Value::Bool(true)) {
            return err(Code::JwtInvalid, "JWTs must not use unencoded payload");
        }
        let (payload, payload_json) = decode_claims_text(compact.payload()?)?;
        claims::validate(&compact.header, &payload, options)?;
        Ok(VerifiedJwt { header: compact.header, header_json: compact.header_json, payload, payload_json, key })
    }

    fn verify_signature<'t>(&self, token: &'t str, options: &VerifyOptions) -> Result<(Compact<'t>, KeyInfo)> {
        let compact = Compact::parse(token, options.max_token_bytes)?;
        let alg = compact.check_header(&options.algorithms)?;
        let kid = if self.any_kid { None } else { compact.kid()? };
        let candidates = self.jwks.candidates(alg, kid)?;
        let signature = compact.signature()?;
        // A header without `kid` (or a set with repeated kids) is tried against each candidate.
        let (jwk, key) = candidates
            .into_iter()
            .find(|(_, key)| key.verify(alg, compact.signing_input, &signature))
            .ok_or_else(|| Error::new(Code::SignatureVerificationFailed, "signature verification failed"))?;
        let info = key_info(jwk, key, alg.name());
        Ok((compact, info))
    }
}

fn key_info(jwk: &Jwk, key: &Key, alg: &'static str) -> KeyInfo {
    KeyInfo { kid: jwk.kid().map(str::to_owned), alg, thumbprint: key.thumbprint().to_owned() }
}

/// Parses a JWT payload: a JSON object (RFC 7519 section 7.2 step 10).
pub fn decode_claims(payload: &[u8]) -> Result<Map<String, Value>> {
    match json::parse(payload) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => err(Code::JwtInvalid, "JWT Claims Set must be a top-level JSON object"),
        Err(e) => err(Code::JwtInvalid, format!("JWT Claims Set is not valid JSON: {e}")),
    }
}

/// The claims and their JSON text (parsed as JSON first, so UTF-8; the error is unreachable
/// but stays a value).
fn decode_claims_text(bytes: Vec<u8>) -> Result<(Map<String, Value>, String)> {
    let claims = decode_claims(&bytes)?;
    let text = String::from_utf8(bytes).or_else(|_| err(Code::JwtInvalid, "JWT Claims Set is not UTF-8"))?;
    Ok((claims, text))
}

/// A token decoded **without verifying its signature or claims**: for inspection only.
#[derive(Clone, Debug)]
pub struct Unverified {
    /// The header, unverified.
    pub header: Map<String, Value>,
    /// The payload, unverified.
    pub payload: Map<String, Value>,
    /// The header's and the payload's JSON text, members in their order.
    pub header_json: String,
    /// See `header_json`.
    pub payload_json: String,
    /// The signature segment as it appears in the token (base64url).
    pub signature: String,
}

/// Decodes a JWT **without verifying anything**. Never use the result to make a decision;
/// it exists for inspectors and logs.
pub fn decode_unverified(token: &str, max_bytes: usize) -> Result<Unverified> {
    let compact = Compact::parse(token, max_bytes)?;
    compact.signature()?;
    let (payload, payload_json) = decode_claims_text(compact.payload()?)?;
    Ok(Unverified { signature: compact.signature_b64.to_owned(), header: compact.header, header_json: compact.header_json, payload, payload_json })
}
