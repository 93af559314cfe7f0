//! The token fields every Vault auth method's roles share, as `sdk/helper/tokenutil`
//! `ParseTokenFields` reads them and `UpgradeValue` resolves their deprecated names (`policies`,
//! `ttl`, `max_ttl`, `period`, `num_uses`, `bound_cidrs`): one reading for the JWT method's roles
//! (`role`) and the Kubernetes method's (`kubernetes::role`).

use crate::error::{Code, Error, Result};
use crate::gate::cidr::Cidr;
use crate::gate::fields;
use crate::gate::role::{sanitize_policies, Lease, TokenType};
use serde_json::{Map, Value};

/// Every parameter name [`TokenFields::parse`] reads, the deprecated ones included.
pub const TOKEN_KEYS: [&str; 15] = [
    "token_ttl",
    "ttl",
    "token_max_ttl",
    "max_ttl",
    "token_explicit_max_ttl",
    "token_period",
    "period",
    "token_num_uses",
    "num_uses",
    "token_policies",
    "policies",
    "token_no_default_policy",
    "token_bound_cidrs",
    "bound_cidrs",
    "token_type",
];

/// A role's token fields, the deprecated names upgraded.
#[derive(Clone, Debug, PartialEq)]
pub struct TokenFields {
    /// `token_ttl` (or `ttl`) in seconds; 0 is the system default.
    pub ttl: u64,
    /// `token_max_ttl` (or `max_ttl`) in seconds; 0 is the system maximum.
    pub max_ttl: u64,
    /// `token_explicit_max_ttl` in seconds; 0 is none.
    pub explicit_max_ttl: u64,
    /// `token_period` (or `period`) in seconds; 0 is none.
    pub period: u64,
    /// `token_num_uses` (or `num_uses`); 0 is no limit.
    pub num_uses: u64,
    /// `token_policies` as given, or `policies` through `ParsePolicies`.
    pub policies: Vec<String>,
    /// `token_no_default_policy`.
    pub no_default_policy: bool,
    /// `token_bound_cidrs` (or `bound_cidrs`).
    pub bound_cidrs: Vec<Cidr>,
    /// `token_type`.
    pub token_type: TokenType,
}

/// The value of a deprecated parameter and of the one replacing it, as `tokenutil.UpgradeValue`
/// resolves them: the new one wins when both are given (even empty); the old one alone is used.
fn upgraded<'a>(obj: &'a Map<String, Value>, old: &str, new: &str) -> Option<(&'a str, &'a Value)> {
    obj.get_key_value(new).or_else(|| obj.get_key_value(old)).map(|(k, v)| (k.as_str(), v))
}

impl TokenFields {
    /// `ParseTokenFields` then `UpgradeValue`, with their refusals in their order and words;
    /// `err` puts the role's name in front of a message.
    pub fn parse(obj: &Map<String, Value>, err: &dyn Fn(String) -> Error) -> Result<Self> {
        let get = |k: &str| obj.get(k).unwrap_or(&Value::Null);
        let duration = |old: &str, new: &str| -> Result<u64> {
            Ok(match upgraded(obj, old, new) {
                Some((k, v)) => fields::duration_second(v, k, false).map_err(|e| err(e.message().into()))?.unwrap_or(0) as u64,
                None => 0,
            })
        };
        let bound_cidrs = match upgraded(obj, "bound_cidrs", "token_bound_cidrs") {
            Some((k, v)) => fields::comma_string_slice(v, k)?.iter().map(|c| Cidr::parse(c)).collect::<Result<Vec<_>>>().map_err(|e| err(e.message().into()))?,
            None => Vec::new(),
        };
        let explicit_max_ttl = duration("token_explicit_max_ttl", "token_explicit_max_ttl")?;
        let max_ttl = duration("max_ttl", "token_max_ttl")?;
        let period = duration("period", "token_period")?;
        let policies = match upgraded(obj, "policies", "token_policies") {
            // The old name goes through ParsePolicies (sanitized, no default added).
            Some(("policies", v)) => sanitize_policies(&fields::comma_string_slice(v, "policies")?, false),
            Some((k, v)) => fields::comma_string_slice(v, k)?,
            None => Vec::new(),
        };
        let token_type = match fields::string(get("token_type"), "token_type")?.as_deref() {
            None | Some("") | Some("default") | Some("default-service") => TokenType::Default,
            Some("service") => TokenType::Service,
            Some("batch") | Some("default-batch") => TokenType::Batch,
            Some(other) => return Err(err(format!("invalid 'token_type' value {}", fields::quote(other)))),
        };
        let num_uses = match upgraded(obj, "num_uses", "token_num_uses") {
            Some((k, v)) => fields::int(v, k)?.unwrap_or(0),
            None => 0,
        };
        if num_uses < 0 {
            return Err(err("'token_num_uses' cannot be negative".into()));
        }
        if token_type == TokenType::Batch && period != 0 {
            return Err(err("'token_type' cannot be 'batch' or 'default_batch' when set to generate periodic tokens".into()));
        }
        if token_type == TokenType::Batch && num_uses != 0 {
            return Err(err("'token_type' cannot be 'batch' or 'default_batch' when set to generate tokens with limited use count".into()));
        }
        // ParseTokenFields compares the new names only; the upgraded values are the caller's.
        let (new_ttl, new_max) = (duration("token_ttl", "token_ttl")?, duration("token_max_ttl", "token_max_ttl")?);
        if new_ttl > 0 && new_max > 0 && new_ttl > new_max {
            return Err(err("'token_ttl' cannot be greater than 'token_max_ttl'".into()));
        }
        let ttl = duration("ttl", "token_ttl")?;
        let no_default_policy = fields::boolean(get("token_no_default_policy"), "token_no_default_policy")?.unwrap_or(false);
        Ok(TokenFields { ttl, max_ttl, explicit_max_ttl, period, num_uses: num_uses as u64, policies, no_default_policy, bound_cidrs, token_type })
    }

    /// The lifetimes `CalculateTTL` takes.
    pub fn lease(&self) -> Lease {
        Lease { ttl: self.ttl, max_ttl: self.max_ttl, explicit_max_ttl: self.explicit_max_ttl, period: self.period }
    }

    /// The policies a token gets (`SanitizePolicies`, `default` unless `token_no_default_policy`).
    pub fn token_policies(&self) -> Vec<String> {
        sanitize_policies(&self.policies, !self.no_default_policy)
    }
}

/// `LoginCreateToken`'s refusal of internal policies: `root`, `response-wrapping`, `control-group`.
pub fn internal_policy(policies: &[String]) -> Option<Error> {
    let p = policies.iter().find(|p| matches!(p.as_str(), "root" | "response-wrapping" | "control-group"))?;
    Some(if p == "root" {
        Error::new(Code::LoginRefused, "auth methods cannot create root tokens")
    } else {
        Error::new(Code::LoginRefused, format!("cannot assign policy {}", fields::quote(p)))
    })
}
