//! JWT claim checks (RFC 7519 section 4.1), in `jose`'s order (`src/lib/jwt_claims_set.ts`):
//! `typ`, required claims, `iss`, `sub`, `aud`, `iat`, `nbf`, `exp`, then the token's age.

use crate::jwa::alg::Alg;
use crate::error::{Code, Error, Reason, Result};
use serde_json::{Map, Value};

/// Default bound on a token's size, in bytes.
pub const DEFAULT_MAX_TOKEN_BYTES: usize = 65536;

/// What a token must satisfy. Built with [`VerifyOptions::at`], since the core has no clock.
#[derive(Clone, Debug, PartialEq)]
pub struct VerifyOptions {
    /// Algorithms accepted. Defaults to `[RS256]`. Never taken from the token.
    pub algorithms: Vec<Alg>,
    /// Accepted `iss` values; empty means any. Defaults to empty. When set, `iss` is required.
    pub issuer: Vec<String>,
    /// Accepted audiences (any one of them in `aud`); empty means any. Defaults to empty.
    /// When set, `aud` is required.
    pub audience: Vec<String>,
    /// Required `sub`. Defaults to none.
    pub subject: Option<String>,
    /// Required header `typ`, compared case-insensitively without an `application/` prefix.
    /// Defaults to none.
    pub typ: Option<String>,
    /// Seconds of leeway for `exp`, `nbf`, `iat` and `max_token_age`. Defaults to 0.
    pub clock_tolerance: f64,
    /// The current time, in seconds since the Unix epoch. Required: the core has no clock.
    pub now: i64,
    /// Maximum age in seconds since `iat`; requires `iat`. Defaults to none.
    pub max_token_age: Option<f64>,
    /// Claims that must be present. Defaults to `["exp"]`, so a token that never expires is
    /// refused unless the caller opts out with an empty list.
    pub required_claims: Vec<String>,
    /// Largest token accepted, in bytes. Defaults to 65536.
    pub max_token_bytes: usize,
}

impl VerifyOptions {
    /// The defaults, evaluated at `now` (seconds since the Unix epoch).
    pub fn at(now: i64) -> Self {
        VerifyOptions {
            algorithms: vec![Alg::RS256],
            issuer: Vec::new(),
            audience: Vec::new(),
            subject: None,
            typ: None,
            clock_tolerance: 0.0,
            now,
            max_token_age: None,
            required_claims: vec!["exp".into()],
            max_token_bytes: DEFAULT_MAX_TOKEN_BYTES,
        }
    }
}

fn failed(message: impl Into<String>, claim: &str, reason: Reason) -> Error {
    Error::claim(Code::ClaimValidationFailed, message, claim, reason)
}

pub(crate) fn normalize_typ(t: &str) -> String {
    let lower = t.to_ascii_lowercase();
    match lower.strip_prefix("application/") {
        Some(rest) => rest.to_owned(),
        None => lower,
    }
}

fn number(payload: &Map<String, Value>, claim: &str) -> Result<Option<f64>> {
    match payload.get(claim) {
        None => Ok(None),
        Some(Value::Number(n)) => Ok(n.as_f64()),
        Some(_) => Err(failed(format!("\"{claim}\" claim must be a number"), claim, Reason::Invalid)),
    }
}

fn string<'a>(payload: &'a Map<String, Value>, claim: &str) -> Result<Option<&'a str>> {
    match payload.get(claim) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(failed(format!("\"{claim}\" claim must be a string"), claim, Reason::Invalid)),
    }
}

/// The `aud` claim as a list: a string, or an array of strings (RFC 7519 section 4.1.3).
pub fn audiences(payload: &Map<String, Value>) -> Result<Option<Vec<&str>>> {
    match payload.get("aud") {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(vec![s.as_str()])),
        Some(Value::Array(a)) => a
            .iter()
            .map(Value::as_str)
            .collect::<Option<Vec<_>>>()
            .map(Some)
            .ok_or_else(|| failed("\"aud\" claim must be a string or an array of strings", "aud", Reason::Invalid)),
        Some(_) => Err(failed("\"aud\" claim must be a string or an array of strings", "aud", Reason::Invalid)),
    }
}

/// Checks `payload` (and the header's `typ`) against `options`.
pub fn validate(header: &Map<String, Value>, payload: &Map<String, Value>, options: &VerifyOptions) -> Result<()> {
    if let Some(want) = &options.typ {
        let got = header.get("typ").and_then(Value::as_str);
        if got.map(normalize_typ) != Some(normalize_typ(want)) {
            return Err(failed("unexpected \"typ\" JWT header value", "typ", Reason::Mismatch));
        }
    }

    let mut required: Vec<&str> = options.required_claims.iter().map(String::as_str).collect();
    if !options.issuer.is_empty() {
        required.push("iss");
    }
    if options.subject.is_some() {
        required.push("sub");
    }
    if !options.audience.is_empty() {
        required.push("aud");
    }
    if options.max_token_age.is_some() {
        required.push("iat");
    }
    for claim in required {
        if !payload.contains_key(claim) {
            return Err(failed(format!("missing required \"{}\" claim", crate::error::short(claim)), claim, Reason::Missing));
        }
    }

    let iss = string(payload, "iss")?;
    if !options.issuer.is_empty() && !iss.is_some_and(|i| options.issuer.iter().any(|w| w == i)) {
        return Err(failed("unexpected \"iss\" claim value", "iss", Reason::CheckFailed));
    }
    let sub = string(payload, "sub")?;
    if let Some(want) = &options.subject {
        if sub != Some(want.as_str()) {
            return Err(failed("unexpected \"sub\" claim value", "sub", Reason::CheckFailed));
        }
    }
    let aud = audiences(payload)?;
    if !options.audience.is_empty() && !aud.is_some_and(|a| a.iter().any(|x| options.audience.iter().any(|w| w == x))) {
        return Err(failed("unexpected \"aud\" claim value", "aud", Reason::CheckFailed));
    }

    let now = options.now as f64;
    let tolerance = options.clock_tolerance;
    let iat = number(payload, "iat")?;
    if let Some(nbf) = number(payload, "nbf")? {
        if nbf > now + tolerance {
            return Err(failed("\"nbf\" claim timestamp check failed", "nbf", Reason::CheckFailed));
        }
    }
    if let Some(exp) = number(payload, "exp")? {
        if exp <= now - tolerance {
            return Err(Error::claim(Code::JwtExpired, "\"exp\" claim timestamp check failed", "exp", Reason::CheckFailed));
        }
    }
    if let (Some(max_age), Some(iat)) = (options.max_token_age, iat) {
        let age = now - iat;
        if age - tolerance > max_age {
            return Err(Error::claim(
                Code::JwtExpired,
                "\"iat\" claim timestamp check failed (too far in the past)",
                "iat",
                Reason::CheckFailed,
            ));
        }
        if age < -tolerance {
            return Err(failed("\"iat\" claim timestamp check failed (it should be in the past)", "iat", Reason::CheckFailed));
        }
    }
    Ok(())
}
