//! hashicorp/cap's `jwt.Validator.validateAll`, which Vault's JWT login hands every signature and
//! registered-claim check to, step by step and in its words: the key set's `VerifySignature`
//! (go-oidc's `RemoteKeySet` for discovery and JWKS, cap's `staticKeySet` for PEM keys),
//! `checkRegisteredClaimCollisions`, `validateSigningAlgorithm`, the claims decoded into go-jose's
//! `jwt.Claims` by `encoding/json`, then `iss`, `sub`, `aud`, and the time claims.

use crate::error::{Code, Error};
use crate::gate::fields::{go_int, quote};
use crate::gate::role::VAULT_DEFAULT_ALGS;
use crate::jwa::alg::{self, Alg};
use crate::jws::Compact;
use crate::verifier::{decode_claims, Verifier};
use crate::VerifyOptions;
use serde_json::{Map, Value};

/// cap's `registeredClaimNames`.
pub const REGISTERED: [&str; 7] = ["iss", "sub", "aud", "exp", "nbf", "iat", "jti"];

/// The outcome of the signature step: the token's `alg` and claims when it could be read, and
/// whether a key verified it (with Vault's message and the core's code when not).
pub struct Signed {
    /// The header's `alg` (empty when missing or not a string), when the header parsed.
    pub alg: Option<String>,
    /// The claims: verified when `error` is `None`, otherwise read without verification (for
    /// an explanation only), when the token decodes at all.
    pub claims: Option<Map<String, Value>>,
    /// Why no key verified the token, in Vault's words after `error verifying token signature: `.
    pub error: Option<Error>,
}

fn is_three_parts(token: &str) -> bool {
    token.matches('.').count() == 2
}

/// go-jose v4's `ErrUnexpectedSignatureAlgorithm` against go-oidc's `allAlgs`.
fn unexpected_alg(got: &str) -> String {
    let expected: Vec<String> = VAULT_DEFAULT_ALGS.iter().map(|a| quote(a)).collect();
    format!("unexpected signature algorithm {}; expected [{}]", quote(got), expected.join(" "))
}

/// The key set's `VerifySignature` with every algorithm the core verifies (go-oidc accepts all
/// of Vault's at this step; the role's list is checked after, by [`check_algorithm`]).
pub fn verify_signature(token: &str, verifier: &Verifier) -> Signed {
    let mut options = VerifyOptions::at(0);
    options.algorithms = alg::ALL.to_vec();
    let static_set = verifier.ignores_kid();
    let header = Compact::parse(token, options.max_token_bytes);
    let alg = header.as_ref().ok().map(|c| c.header.get("alg").and_then(Value::as_str).unwrap_or("").to_owned());
    let unverified = || crate::verifier::decode_unverified(token, options.max_token_bytes).ok().map(|u| u.payload);
    let fail = |code: Code, detail: String| {
        let text = format!("error verifying token signature: {detail}");
        Error::new(code, text)
    };
    // go-jose's words for a token that does not split, and the key set's for the rest.
    let malformed = |e: &Error| {
        let detail = if !is_three_parts(token) { "go-jose/go-jose: compact JWS format must have three parts".to_owned() } else { e.message().to_owned() };
        if static_set {
            detail
        } else {
            format!("oidc: malformed jwt: {detail}")
        }
    };
    let no_key = if static_set { "no known key successfully validated the token signature" } else { "failed to verify id token signature" };
    if let Err(e) = &header {
        return Signed { alg, claims: None, error: Some(fail(e.code(), malformed(e))) };
    }
    match verifier.verify_jws(token, &options) {
        Ok(verified) => match decode_claims(&verified.payload) {
            Ok(claims) => Signed { alg, claims: Some(claims), error: None },
            Err(e) => {
                let detail = if static_set { no_key.to_owned() } else { e.message().to_owned() };
                Signed { alg, claims: None, error: Some(fail(e.code(), detail)) }
            }
        },
        Err(e) => {
            let name = alg.as_deref().unwrap_or("");
            let detail = match e.code() {
                // go-oidc refuses names outside its list while parsing; Vault's other names
                // reach the keys, and none here can verify them.
                Code::AlgNotAllowed if !static_set && !VAULT_DEFAULT_ALGS.contains(&name) => format!("oidc: malformed jwt: {}", unexpected_alg(name)),
                Code::AlgNotAllowed | Code::JwksNoMatchingKey | Code::SignatureVerificationFailed | Code::JwkInvalid => no_key.to_owned(),
                _ => malformed(&e),
            };
            Signed { alg, claims: unverified(), error: Some(fail(e.code(), detail)) }
        }
    }
}

/// Go's `strings.EqualFold` for the registered names: simple case folding, where `ſ` (U+017F)
/// folds with `s` and the Kelvin sign with `k`.
fn equal_fold(a: &str, b: &str) -> bool {
    let fold = |c: char| match c {
        '\u{17f}' => 's',
        '\u{212a}' => 'k',
        c => c.to_ascii_lowercase(),
    };
    a.chars().count() == b.chars().count() && a.chars().zip(b.chars()).all(|(x, y)| x == y || fold(x) == fold(y))
}

/// cap's `checkRegisteredClaimCollisions`: a claim named like a registered one under case
/// folding, but not exactly, is refused. Returns the key and the name it collides with.
pub fn claim_collision(claims: &Map<String, Value>) -> Option<(String, &'static str)> {
    claims.keys().find_map(|key| REGISTERED.iter().find(|name| key != *name && equal_fold(key, name)).map(|name| (key.clone(), *name)))
}

/// The message for [`claim_collision`].
pub fn collision_message(key: &str, name: &str) -> String {
    format!("ambiguous claim: key {} collides with registered claim {} under case folding", quote(key), quote(name))
}

/// cap's `validateSigningAlgorithm` against the configured list.
pub fn check_algorithm(alg: &str, allowed: &[Alg]) -> Result<(), String> {
    if allowed.iter().any(|a| a.name() == alg) {
        Ok(())
    } else {
        Err("invalid algorithm (alg) header parameter: token signed with unexpected algorithm".into())
    }
}

/// go-jose's `jwt.Claims` as `encoding/json` fills it from the claims (re-marshalled by cap, so
/// in sorted key order). Times are `NumericDate`: `int64(f)`, 0 when absent or `null`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Registered {
    /// `iss`, empty when absent.
    pub iss: String,
    /// `sub`, empty when absent.
    pub sub: String,
    /// `aud` as a list.
    pub aud: Vec<String>,
    /// `exp`.
    pub exp: i64,
    /// `nbf`.
    pub nbf: i64,
    /// `iat`.
    pub iat: i64,
}

/// Decodes [`Registered`] with `encoding/json`'s precedence: the first error from an
/// `UnmarshalJSON` (go-jose's `Audience` and `NumericDate`) in key order stops decoding and
/// wins; otherwise the first type mismatch of a string field. Returns the fields read so far
/// (for an explanation) and the error with the claim it concerns.
pub fn decode_registered(claims: &Map<String, Value>) -> (Registered, Option<(&'static str, String)>) {
    const AUD: &str = "go-jose/go-jose/jwt: expected string or array value to unmarshal to Audience";
    const DATE: &str = "go-jose/go-jose/jwt: expected number value to unmarshal NumericDate";
    let mut out = Registered::default();
    let mut saved: Option<(&'static str, String)> = None;
    let kind = |v: &Value| match v {
        Value::Number(_) => "number",
        Value::Bool(_) => "bool",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
        _ => "string",
    };
    // `REGISTERED` sorted by bytes, as json.Marshal writes a map's keys.
    for name in ["aud", "exp", "iat", "iss", "jti", "nbf", "sub"] {
        let Some(v) = claims.get(name) else { continue };
        match name {
            "aud" => match v {
                Value::String(s) => out.aud = vec![s.clone()],
                Value::Array(a) if a.iter().all(Value::is_string) => out.aud = a.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
                // Including null: Audience's UnmarshalJSON sees `null` and refuses it.
                _ => return (out, Some(("aud", AUD.into()))),
            },
            "exp" | "nbf" | "iat" => {
                let date = match v {
                    Value::Null => 0,
                    Value::Number(n) => go_int(n.as_f64().unwrap_or(f64::NAN)),
                    _ => return (out, Some((name_static(name), DATE.into()))),
                };
                match name {
                    "exp" => out.exp = date,
                    "nbf" => out.nbf = date,
                    _ => out.iat = date,
                }
            }
            _ => match v {
                Value::Null => {}
                Value::String(s) => match name {
                    "iss" => out.iss = s.clone(),
                    "sub" => out.sub = s.clone(),
                    _ => {}
                },
                other => {
                    if saved.is_none() {
                        saved = Some((name_static(name), format!("json: cannot unmarshal {} into Go struct field Claims.{name} of type string", kind(other))));
                    }
                }
            },
        }
    }
    (out, saved)
}

fn name_static(name: &str) -> &'static str {
    REGISTERED.iter().find(|n| **n == name).copied().unwrap_or("iss")
}

/// The time claims cap checks, after it makes up the missing ones: `exp` from the later of
/// `iat` and `nbf` plus the expiration leeway; `nbf` from `iat`, else from `exp` minus the
/// not-before leeway. `None` when the token has none of the three (all 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Times {
    /// `nbf`, as checked.
    pub nbf: i64,
    /// `exp`, as checked.
    pub exp: i64,
    /// `iat` (0 when absent, which is never in the future).
    pub iat: i64,
    /// `exp` was made up from `iat`/`nbf`.
    pub exp_derived: bool,
    /// `nbf` was made up from `iat` or `exp`.
    pub nbf_derived: bool,
}

/// See [`Times`]. The leeways are effective values (0 for none).
pub fn effective_times(r: &Registered, expiration_leeway: i64, not_before_leeway: i64) -> Option<Times> {
    if r.iat == 0 && r.exp == 0 && r.nbf == 0 {
        return None;
    }
    let mut t = Times { nbf: r.nbf, exp: r.exp, iat: r.iat, exp_derived: false, nbf_derived: false };
    if t.exp == 0 {
        t.exp = r.iat.max(r.nbf).saturating_add(expiration_leeway);
        t.exp_derived = true;
    }
    if t.nbf == 0 {
        t.nbf = if r.iat != 0 { r.iat } else { t.exp.saturating_sub(not_before_leeway) };
        t.nbf_derived = true;
    }
    Some(t)
}

/// The message for a token with no time claim at all.
pub const NO_TIME_CLAIMS: &str = "no issued at (iat), not before (nbf), or expiration time (exp) claims in token";
/// cap's messages for the three time checks.
pub const NOT_YET_VALID: &str = "invalid not before (nbf) claim: token not yet valid";
/// See [`NOT_YET_VALID`].
pub const EXPIRED: &str = "invalid expiration time (exp) claim: token is expired";
/// See [`NOT_YET_VALID`].
pub const ISSUED_IN_FUTURE: &str = "invalid issued at (iat) claim: token issued in the future";

/// `now.Add(skew).Before(nbf)`: refused while `now + skew < nbf`.
pub fn not_yet_valid(now: f64, skew: i64, nbf: i64) -> bool {
    now < nbf.saturating_sub(skew) as f64
}

/// `now.Add(-skew).After(exp)`: refused once `now - skew > exp`.
pub fn expired(now: f64, skew: i64, exp: i64) -> bool {
    now > exp.saturating_add(skew) as f64
}

/// `now.Add(skew).Before(iat)`: refused while `now + skew < iat`.
pub fn issued_in_future(now: f64, skew: i64, iat: i64) -> bool {
    now < iat.saturating_sub(skew) as f64
}
