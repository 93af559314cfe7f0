//! Reading claims the way vault-plugin-auth-jwt's `claims.go` does: `getClaim` (a name, or a JSON
//! pointer, RFC 6901; a top-level number becomes `json.Number(strconv.Itoa(int(v)))`),
//! `normalizeList`, `validateBoundClaims` with Go's equality, `extractMetadata`, and go-glob.

use crate::error::{Code, Error, Result};
use crate::gate::fields::{go_claim_value, go_int, go_value, quote};
use crate::gate::role::BoundClaimsType;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

fn refused(message: impl Into<String>) -> Error {
    Error::new(Code::LoginRefused, message)
}

/// Vault's `getClaim`, without its number conversion: a key starting with `/` is a JSON pointer,
/// else a top-level name; a missing claim and JSON `null` are both `None`.
pub fn get_claim<'a>(claims: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    let v = if let Some(path) = key.strip_prefix('/') {
        // RFC 6901: `~1` is `/` and `~0` is `~`, unescaped in that order; array indices are decimal.
        let mut cur: Option<&Value> = None;
        for (i, raw) in path.split('/').enumerate() {
            let token = raw.replace("~1", "/").replace("~0", "~");
            cur = if i == 0 {
                claims.get(&token)
            } else {
                match cur? {
                    Value::Object(m) => m.get(&token),
                    Value::Array(a) => token.parse::<usize>().ok().and_then(|n| a.get(n)),
                    _ => None,
                }
            };
        }
        cur
    } else {
        claims.get(key)
    };
    v.filter(|v| !v.is_null())
}

/// A value as Go holds it after `getClaim` and `normalizeList`: the comparison of bound claims
/// is Go's `!=` on these, so the type matters as much as the value.
#[derive(Clone, Debug, PartialEq)]
pub enum GoValue<'a> {
    /// A string.
    Str(&'a str),
    /// A boolean.
    Bool(bool),
    /// `json.Number` text: a claim's top-level number truncated (`strconv.Itoa(int(v))`), or a
    /// role's number as written (only integers are kept: other texts never equal an `Itoa`).
    Number(Option<i64>),
    /// A float64 inside a list, which equals no `json.Number`, string or bool.
    Float,
    /// A list or map inside a list (never equal to a role's scalar values).
    Other(&'a Value),
}

impl GoValue<'_> {
    fn of_claim(v: &Value) -> GoValue<'_> {
        match v {
            Value::String(s) => GoValue::Str(s),
            Value::Bool(b) => GoValue::Bool(*b),
            Value::Number(n) => GoValue::Number(Some(go_int(n.as_f64().unwrap_or(f64::NAN)))),
            other => GoValue::Other(other),
        }
    }

    fn of_element(v: &Value) -> GoValue<'_> {
        match v {
            Value::String(s) => GoValue::Str(s),
            Value::Bool(b) => GoValue::Bool(*b),
            Value::Number(_) => GoValue::Float,
            other => GoValue::Other(other),
        }
    }

    fn of_role(v: &Value) -> GoValue<'_> {
        match v {
            Value::Number(n) => GoValue::Number(n.as_i64()),
            other => GoValue::of_element(other),
        }
    }

    fn equals(&self, role_value: &GoValue<'_>) -> bool {
        match (self, role_value) {
            (GoValue::Number(Some(a)), GoValue::Number(Some(b))) => a == b,
            (GoValue::Number(_), _) | (GoValue::Float, _) | (GoValue::Other(_), _) => false,
            (a, b) => a == b,
        }
    }
}

/// Vault's `normalizeList` after `getClaim`: a list as its elements, a string, bool or number as
/// a list of one; `None` for a map (which Vault cannot compare).
fn normalize_claim(v: &Value) -> Option<Vec<GoValue<'_>>> {
    match v {
        Value::Array(a) => Some(a.iter().map(GoValue::of_element).collect()),
        Value::Object(_) | Value::Null => None,
        scalar => Some(vec![GoValue::of_claim(scalar)]),
    }
}

fn normalize_role(v: &Value) -> Vec<GoValue<'_>> {
    match v {
        Value::Array(a) => a.iter().map(GoValue::of_role).collect(),
        scalar => vec![GoValue::of_role(scalar)],
    }
}

/// ryanuber/go-glob: `*` matches any run of characters, nothing else is special.
pub fn glob(pattern: &str, subject: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or_default();
    let Some(last) = parts.next_back() else {
        return pattern == subject;
    };
    let Some(mut rest) = subject.strip_prefix(first) else {
        return false;
    };
    // Each middle part at its first occurrence after the previous one, as strings.Index does.
    for part in parts {
        match rest.split_once(part) {
            Some((_, after)) => rest = after,
            None => return false,
        }
    }
    rest.ends_with(last)
}

/// Vault's `validateBoundClaims` (without the `error validating claims: ` that `pathLogin` adds):
/// every bound claim present, one expected value equal (or, for `glob`, matching) to one actual
/// value. Returns the claim that failed with Vault's message.
pub fn bound_claims_failure(kind: BoundClaimsType, bound: &BTreeMap<String, Value>, claims: &Map<String, Value>) -> Option<(String, String)> {
    for (claim, expected) in bound {
        let Some(actual) = get_claim(claims, claim) else {
            return Some((claim.clone(), format!("claim {} is missing", quote(claim))));
        };
        let Some(actual) = normalize_claim(actual) else {
            return Some((claim.clone(), format!("received claim is not a string, bool, int or list: {}", go_value(actual))));
        };
        let expected = normalize_role(expected);
        let found = expected.iter().any(|e| {
            actual.iter().any(|a| match kind {
                BoundClaimsType::Glob => matches!((e, a), (GoValue::Str(p), GoValue::Str(s)) if glob(p, s)),
                BoundClaimsType::String => a.equals(e),
            })
        });
        if !found {
            return Some((claim.clone(), format!("claim {} does not match any associated bound claim values", quote(claim))));
        }
    }
    None
}

/// [`bound_claims_failure`] as `pathLogin` answers it: `error validating claims: ...`.
pub fn validate_bound_claims(kind: BoundClaimsType, bound: &BTreeMap<String, Value>, claims: &Map<String, Value>) -> Result<()> {
    match bound_claims_failure(kind, bound, claims) {
        None => Ok(()),
        Some((claim, message)) => Err(Error::claim(Code::LoginRefused, format!("error validating claims: {message}"), &claim, crate::Reason::CheckFailed)),
    }
}

/// Vault's `extractMetadata`: each mapped claim that is present must be a string.
pub fn extract_metadata(mappings: &BTreeMap<String, String>, claims: &Map<String, Value>) -> std::result::Result<BTreeMap<String, String>, (String, Error)> {
    let mut metadata = BTreeMap::new();
    for (source, target) in mappings {
        if let Some(v) = get_claim(claims, source) {
            let s = v.as_str().ok_or_else(|| (source.clone(), refused(format!("error converting claim '{}' to string", crate::gate::fields::cut_name(source)))))?;
            metadata.insert(target.clone(), s.to_owned());
        }
    }
    Ok(metadata)
}

/// The groups of `createIdentity` and `fetchGroups`: the claim must be present, a list (or a
/// single value), of strings; empty names are skipped.
pub fn groups(groups_claim: &str, claims: &Map<String, Value>) -> Result<Vec<String>> {
    let raw = get_claim(claims, groups_claim).ok_or_else(|| refused(format!("failed to fetch groups: {} claim not found in token", quote(groups_claim))))?;
    let (items, top): (Vec<&Value>, bool) = match raw {
        Value::Array(a) => (a.iter().collect(), false),
        Value::Object(_) => return Err(refused(format!("{} claim could not be converted to string list", quote(groups_claim)))),
        scalar => (vec![scalar], true),
    };
    let mut out = Vec::new();
    for g in items {
        match g {
            Value::String(s) if s.is_empty() => {}
            Value::String(s) => out.push(s.clone()),
            other => {
                let shown = if top { go_claim_value(other) } else { go_value(other) };
                return Err(refused(format!("value {shown} in groups claim could not be parsed as string")));
            }
        }
    }
    Ok(out)
}
