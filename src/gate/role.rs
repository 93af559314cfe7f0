//! Roles and login rules of HashiCorp Vault's JWT auth method (vault-plugin-auth-jwt:
//! `path_role.go`, `path_login.go`, `claims.go`), evaluated after the core verifier has checked
//! the signature. Parameter names and meanings are Vault's, so a Vault role moves over as is.

use crate::jwa::alg::Alg;
use crate::gate::cidr::{self, Cidr};
use crate::claims::{self, VerifyOptions};
use crate::error::{Code, Error, Result};
use crate::json;
use crate::verifier::Verifier;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::net::IpAddr;

/// Vault's default `clock_skew_leeway` (go-jose's `DefaultLeeway`), in seconds.
pub const DEFAULT_CLOCK_SKEW_LEEWAY: i64 = 60;
/// Vault's default `expiration_leeway` and `not_before_leeway` (`claimDefaultLeeway`), in seconds.
pub const DEFAULT_CLAIM_LEEWAY: i64 = 150;
/// Vault's system default token TTL (32 days), used when a role sets neither TTL.
pub const DEFAULT_TOKEN_TTL: u64 = 32 * 24 * 3600;
/// The message Vault gives for a refusal it does not explain (HTTP 403).
pub const PERMISSION_DENIED: &str = "permission denied";

fn config_err(message: impl Into<String>) -> Error {
    Error::new(Code::ConfigInvalid, message)
}

fn refused(message: impl Into<String>) -> Error {
    Error::new(Code::LoginRefused, message)
}

/// The HTTP status Vault answers an error with: 403 for `permission denied` (a bad session, or a
/// caller outside the role's CIDRs), 500 for a broken configuration, 400 for every other refusal
/// (Vault's `logical.ErrorResponse`).
pub fn http_status(e: &Error) -> u16 {
    match e.code() {
        Code::ConfigInvalid => 500,
        Code::SessionInvalid | Code::PermissionDenied => 403,
        _ => 400,
    }
}

/// Configuration shared by every role (Vault's `auth/jwt/config`).
#[derive(Clone, Debug, PartialEq)]
pub struct AuthConfig {
    /// Required `iss`. Defaults to none (any issuer the keys sign for).
    pub bound_issuer: Option<String>,
    /// Accepted signature algorithms. Defaults to `[RS256]`, as Vault's.
    pub jwt_supported_algs: Vec<Alg>,
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig { bound_issuer: None, jwt_supported_algs: vec![Alg::RS256] }
    }
}

impl AuthConfig {
    /// Parses `{"bound_issuer": "...", "jwt_supported_algs": ["RS256", ...]}` (both optional).
    pub fn parse(text: &[u8]) -> Result<Self> {
        let value = json::parse(text).map_err(|e| config_err(format!("auth config is not valid JSON: {e}")))?;
        let obj = value.as_object().ok_or_else(|| config_err("auth config must be a JSON object"))?;
        let mut out = AuthConfig::default();
        for (k, v) in obj {
            match k.as_str() {
                "bound_issuer" => {
                    out.bound_issuer = match v {
                        Value::Null => None,
                        Value::String(s) if s.is_empty() => None,
                        Value::String(s) => Some(s.clone()),
                        _ => return Err(config_err("bound_issuer must be a string")),
                    }
                }
                "jwt_supported_algs" => {
                    let names = string_list(v, k)?;
                    if !names.is_empty() {
                        out.jwt_supported_algs = names
                            .iter()
                            .map(|n| Alg::from_name(n).ok_or_else(|| config_err(format!("invalid jwt_supported_algs: {:?} is not supported", crate::error::short(n)))))
                            .collect::<Result<_>>()?;
                    }
                }
                other => return Err(config_err(format!("unknown auth config parameter {:?}", crate::error::short(other)))),
            }
        }
        Ok(out)
    }
}

/// Vault's `role_type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoleType {
    /// Direct login with a JWT: the only kind this gate serves.
    Jwt,
    /// Browser OIDC flow: accepted in the configuration, refused at login, as Vault does on the JWT login path.
    Oidc,
}

/// How `bound_claims` values are compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BoundClaimsType {
    /// Exact equality of JSON values.
    String,
    /// `*` wildcards on strings (ryanuber/go-glob's rules, as Vault).
    Glob,
}

/// One role: what a token must show to log in, and what the session carries.
#[derive(Clone, Debug, PartialEq)]
pub struct Role {
    /// The role's name.
    pub name: String,
    /// `role_type`. Defaults to `jwt` (Vault's API defaults to `oidc`, which this gate cannot serve).
    pub role_type: RoleType,
    /// `bound_audiences`: one must be in `aud`. When empty, a token carrying `aud` is refused.
    pub bound_audiences: Vec<String>,
    /// `bound_subject`: required `sub`.
    pub bound_subject: Option<String>,
    /// `bound_claims`: claim (name or JSON pointer) to accepted value(s).
    pub bound_claims: BTreeMap<String, Value>,
    /// `bound_claims_type`. Defaults to `string`.
    pub bound_claims_type: BoundClaimsType,
    /// `claim_mappings`: claim (name or JSON pointer) to metadata key.
    pub claim_mappings: BTreeMap<String, String>,
    /// `user_claim`: the claim naming the user (the alias). Required.
    pub user_claim: String,
    /// `user_claim_json_pointer`: read `user_claim` as a JSON pointer. Defaults to false.
    pub user_claim_json_pointer: bool,
    /// `groups_claim`: a claim holding a list of group names. Defaults to none.
    pub groups_claim: Option<String>,
    /// `clock_skew_leeway` in seconds. Defaults to 60; 0 means the default, -1 none.
    pub clock_skew_leeway: i64,
    /// `expiration_leeway` in seconds. Defaults to 150; 0 means the default, -1 none.
    pub expiration_leeway: i64,
    /// `not_before_leeway` in seconds. Defaults to 150; 0 means the default, -1 none.
    pub not_before_leeway: i64,
    /// `token_ttl` in seconds; 0 means the system default.
    pub token_ttl: u64,
    /// `token_max_ttl` in seconds; 0 means no maximum besides the system one.
    pub token_max_ttl: u64,
    /// `token_policies`.
    pub token_policies: Vec<String>,
    /// `token_no_default_policy`: leave out the `default` policy. Defaults to false.
    pub token_no_default_policy: bool,
    /// `token_bound_cidrs`: the caller's address must be in one, at login and on every use.
    pub token_bound_cidrs: Vec<Cidr>,
}

fn string_list(v: &Value, name: &str) -> Result<Vec<String>> {
    // Vault's TypeCommaStringSlice: a list of strings, or one comma-separated string.
    match v {
        Value::Null => Ok(Vec::new()),
        Value::String(s) => Ok(s.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()),
        Value::Array(a) => a
            .iter()
            .map(|x| x.as_str().map(|s| s.trim().to_owned()).ok_or_else(|| config_err(format!("{name} must hold strings"))))
            .collect(),
        _ => Err(config_err(format!("{name} must be a list of strings or a comma-separated string"))),
    }
}

/// Parses a Vault duration: an integer of seconds, or a string such as `"90"`, `"90s"`,
/// `"15m"`, `"1h30m"`. `allow_negative` admits `-1` (the leeways' "disabled").
pub fn parse_duration(v: &Value, name: &str, allow_negative: bool) -> Result<i64> {
    let bad = || config_err(format!("{name} must be a number of seconds or a duration such as \"1h\""));
    let secs = match v {
        Value::Number(n) => n.as_i64().ok_or_else(bad)?,
        Value::String(s) => {
            let s = s.trim();
            if let Ok(n) = s.parse::<i64>() {
                n
            } else {
                let (neg, body) = match s.strip_prefix('-') {
                    Some(rest) => (true, rest),
                    None => (false, s),
                };
                let mut total: i64 = 0;
                let mut digits = String::new();
                let mut chars = body.chars().peekable();
                let mut any = false;
                while let Some(c) = chars.next() {
                    if c.is_ascii_digit() {
                        digits.push(c);
                        continue;
                    }
                    let n: i64 = digits.parse().map_err(|_| bad())?;
                    digits.clear();
                    let unit = match c {
                        'h' => 3600,
                        'm' if chars.peek() == Some(&'s') => {
                            chars.next();
                            0
                        }
                        'm' => 60,
                        's' => 1,
                        'd' => 86400,
                        _ => return Err(bad()),
                    };
                    total = total.checked_add(n.checked_mul(unit).ok_or_else(bad)?).ok_or_else(bad)?;
                    any = true;
                }
                if !digits.is_empty() || !any {
                    return Err(bad());
                }
                if neg {
                    -total
                } else {
                    total
                }
            }
        }
        _ => return Err(bad()),
    };
    if secs < 0 && !(allow_negative && secs == -1) {
        return Err(config_err(format!("{name} must not be negative{}", if allow_negative { " (only -1, to disable)" } else { "" })));
    }
    Ok(secs)
}

fn string_field(v: &Value, name: &str) -> Result<String> {
    v.as_str().map(str::to_owned).ok_or_else(|| config_err(format!("{name} must be a string")))
}

fn bool_field(v: &Value, name: &str) -> Result<bool> {
    v.as_bool().ok_or_else(|| config_err(format!("{name} must be a boolean")))
}

impl Role {
    /// Parses one role from its Vault parameters, with Vault's checks at write time: a
    /// `user_claim` is required, a `jwt` role needs at least one binding, `bound_claims_type`
    /// is `string` or `glob`, `role` cannot be a claim mapping target, TTL below max TTL.
    pub fn from_value(name: &str, value: &Value) -> Result<Self> {
        let obj = value.as_object().ok_or_else(|| config_err(format!("role {:?} must be a JSON object", crate::error::short(name))))?;
        let mut role = Role {
            name: name.to_owned(),
            role_type: RoleType::Jwt,
            bound_audiences: Vec::new(),
            bound_subject: None,
            bound_claims: BTreeMap::new(),
            bound_claims_type: BoundClaimsType::String,
            claim_mappings: BTreeMap::new(),
            user_claim: String::new(),
            user_claim_json_pointer: false,
            groups_claim: None,
            clock_skew_leeway: DEFAULT_CLOCK_SKEW_LEEWAY,
            expiration_leeway: DEFAULT_CLAIM_LEEWAY,
            not_before_leeway: DEFAULT_CLAIM_LEEWAY,
            token_ttl: 0,
            token_max_ttl: 0,
            token_policies: Vec::new(),
            token_no_default_policy: false,
            token_bound_cidrs: Vec::new(),
        };
        let mut policies_alias = None;
        for (k, v) in obj {
            match k.as_str() {
                "role_type" => {
                    role.role_type = match v.as_str() {
                        Some("jwt") => RoleType::Jwt,
                        Some("oidc") => RoleType::Oidc,
                        _ => return Err(config_err("invalid 'role_type': must be \"jwt\" or \"oidc\"")),
                    }
                }
                "bound_audiences" => role.bound_audiences = string_list(v, k)?,
                "bound_subject" => role.bound_subject = Some(string_field(v, k)?).filter(|s| !s.is_empty()),
                "bound_claims" => {
                    let m = match v {
                        Value::Null => Map::new(),
                        Value::Object(m) => m.clone(),
                        _ => return Err(config_err("bound_claims must be an object")),
                    };
                    for (claim, want) in m {
                        match &want {
                            Value::String(_) | Value::Bool(_) | Value::Number(_) => {}
                            Value::Array(a) if a.iter().all(|x| matches!(x, Value::String(_) | Value::Bool(_) | Value::Number(_))) => {}
                            _ => return Err(config_err(format!("bound claim {:?} is not a string or list", crate::error::short(&claim)))),
                        }
                        role.bound_claims.insert(claim, want);
                    }
                }
                "bound_claims_type" => {
                    role.bound_claims_type = match v.as_str() {
                        Some("string") | Some("") => BoundClaimsType::String,
                        Some("glob") => BoundClaimsType::Glob,
                        _ => return Err(config_err("invalid 'bound_claims_type': must be \"string\" or \"glob\"")),
                    }
                }
                "claim_mappings" => {
                    let m = v.as_object().ok_or_else(|| config_err("claim_mappings must be an object"))?;
                    let mut targets = std::collections::BTreeSet::new();
                    for (source, target) in m {
                        let target = string_field(target, "claim_mappings values")?;
                        if target == "role" {
                            return Err(config_err("metadata key \"role\" is reserved and may not be a target of a claim mapping"));
                        }
                        if !targets.insert(target.clone()) {
                            return Err(config_err(format!("multiple keys are mapped to metadata key {:?}", crate::error::short(&target))));
                        }
                        role.claim_mappings.insert(source.clone(), target);
                    }
                }
                "user_claim" => role.user_claim = string_field(v, k)?,
                "user_claim_json_pointer" => role.user_claim_json_pointer = bool_field(v, k)?,
                "groups_claim" => role.groups_claim = Some(string_field(v, k)?).filter(|s| !s.is_empty()),
                "clock_skew_leeway" => role.clock_skew_leeway = parse_duration(v, k, true)?,
                "expiration_leeway" => role.expiration_leeway = parse_duration(v, k, true)?,
                "not_before_leeway" => role.not_before_leeway = parse_duration(v, k, true)?,
                "token_ttl" | "ttl" => role.token_ttl = parse_duration(v, k, false)? as u64,
                "token_max_ttl" | "max_ttl" => role.token_max_ttl = parse_duration(v, k, false)? as u64,
                "token_policies" => role.token_policies = string_list(v, k)?,
                "policies" => policies_alias = Some(string_list(v, k)?),
                "token_no_default_policy" => role.token_no_default_policy = bool_field(v, k)?,
                "token_bound_cidrs" | "bound_cidrs" => {
                    role.token_bound_cidrs = string_list(v, k)?.iter().map(|c| Cidr::parse(c)).collect::<Result<_>>()?
                }
                // Accepted for compatibility with Vault role exports; they have no meaning here.
                "token_type" | "token_period" | "token_explicit_max_ttl" | "token_num_uses" | "verbose_oidc_logging"
                | "allowed_redirect_uris" | "oidc_scopes" | "max_age" => {}
                other => return Err(config_err(format!("role {:?}: unknown parameter {:?}", crate::error::short(name), crate::error::short(other)))),
            }
        }
        if role.token_policies.is_empty() {
            role.token_policies = policies_alias.unwrap_or_default();
        }
        if role.user_claim.is_empty() {
            return Err(config_err(format!("role {:?}: a user claim must be defined on the role", crate::error::short(name))));
        }
        if role.role_type == RoleType::Jwt
            && role.bound_audiences.is_empty()
            && role.bound_subject.is_none()
            && role.bound_claims.is_empty()
            && role.token_bound_cidrs.is_empty()
        {
            return Err(config_err(format!(
                "role {:?}: must have at least one bound constraint when creating/updating a role (bound_audiences, bound_subject, bound_claims or token_bound_cidrs)",
                crate::error::short(name)
            )));
        }
        if role.bound_claims_type == BoundClaimsType::Glob && role.bound_claims.values().any(|v| !all_strings(v)) {
            return Err(config_err(format!("role {:?}: bound_claims values must be strings or lists of strings when bound_claims_type is \"glob\"", crate::error::short(name))));
        }
        if role.token_max_ttl > 0 && role.token_ttl > role.token_max_ttl {
            return Err(config_err(format!("role {:?}: token_ttl should not be greater than token_max_ttl", crate::error::short(name))));
        }
        Ok(role)
    }

    /// The session lifetime: `token_ttl`, else `token_max_ttl`, else Vault's 32 days, capped by `token_max_ttl`.
    pub fn ttl(&self) -> u64 {
        let ttl = if self.token_ttl > 0 { self.token_ttl } else { DEFAULT_TOKEN_TTL };
        if self.token_max_ttl > 0 {
            ttl.min(self.token_max_ttl)
        } else {
            ttl
        }
    }

    /// The policies a session gets: `token_policies`, plus `default` unless
    /// `token_no_default_policy`, sorted and without repeats (as Vault's token store).
    pub fn policies(&self) -> Vec<String> {
        let mut p: Vec<String> = self.token_policies.clone();
        if !self.token_no_default_policy {
            p.push("default".into());
        }
        p.sort();
        p.dedup();
        p
    }

    /// Vault's rule: 0 means the default, -1 disables (0 seconds).
    fn leeways(&self) -> (i64, i64, i64) {
        let pick = |v: i64, default: i64| match v {
            0 => default,
            v if v < 0 => 0,
            v => v,
        };
        (
            pick(self.clock_skew_leeway, DEFAULT_CLOCK_SKEW_LEEWAY),
            pick(self.expiration_leeway, DEFAULT_CLAIM_LEEWAY),
            pick(self.not_before_leeway, DEFAULT_CLAIM_LEEWAY),
        )
    }
}

fn all_strings(v: &Value) -> bool {
    match v {
        Value::String(_) => true,
        Value::Array(a) => a.iter().all(Value::is_string),
        _ => false,
    }
}

/// Vault's `getClaim`: a key starting with `/` is a JSON pointer (RFC 6901), else a top-level name.
pub fn get_claim<'a>(claims: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    let v = if let Some(path) = key.strip_prefix('/') {
        // RFC 6901: `~1` is `/` and `~0` is `~`, unescaped in that order; array indices are decimal.
        let mut cur: Option<&Value> = None;
        let root = claims;
        for (i, raw) in path.split('/').enumerate() {
            let token = raw.replace("~1", "/").replace("~0", "~");
            cur = if i == 0 {
                root.get(&token)
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

/// Vault's `normalizeList`: a scalar becomes a one-element list; objects and null are refused.
fn normalize_list(v: &Value) -> Option<Vec<&Value>> {
    match v {
        Value::Array(a) => Some(a.iter().collect()),
        Value::String(_) | Value::Bool(_) | Value::Number(_) => Some(vec![v]),
        _ => None,
    }
}

/// Vault's `validateBoundClaims`: every bound claim must be present, and one of its expected
/// values must match one of its actual values.
pub fn validate_bound_claims(kind: BoundClaimsType, bound: &BTreeMap<String, Value>, claims: &Map<String, Value>) -> Result<()> {
    for (claim, expected) in bound {
        let short = crate::error::short(claim);
        let actual = get_claim(claims, claim).ok_or_else(|| refused(format!("error validating claims: claim {short:?} is missing")))?;
        let actual = normalize_list(actual).ok_or_else(|| refused(format!("error validating claims: claim {short:?} is not a string or list")))?;
        let expected = normalize_list(expected).ok_or_else(|| config_err(format!("bound claim {short:?} is not a string or list")))?;
        let found = expected.iter().any(|e| {
            actual.iter().any(|a| match kind {
                BoundClaimsType::Glob => matches!((e, a), (Value::String(p), Value::String(s)) if glob(p, s)),
                BoundClaimsType::String => e == a,
            })
        });
        if !found {
            return Err(refused(format!("error validating claims: claim {short:?} does not match any associated bound claim values")));
        }
    }
    Ok(())
}

/// Vault's `validateAudience` in strict mode (the fix for CVE-2024-5798, default since 1.17).
pub fn validate_audience(bound: &[String], aud: &[&str]) -> Result<()> {
    if bound.is_empty() {
        if !aud.is_empty() {
            return Err(refused("error validating claims: audience claim found in JWT but no audiences bound to the role"));
        }
        return Ok(());
    }
    if bound.iter().any(|b| aud.contains(&b.as_str())) {
        Ok(())
    } else {
        Err(refused("error validating claims: aud claim does not match any bound audience"))
    }
}

/// A successful login: who logged in, under which role, with what.
#[derive(Clone, Debug, PartialEq)]
pub struct Login {
    /// The role's name.
    pub role: String,
    /// The user claim's value: the entity alias name.
    pub alias: String,
    /// Group names from `groups_claim`, empty strings dropped.
    pub groups: Vec<String>,
    /// Policies for the session (see [`Role::policies`]).
    pub policies: Vec<String>,
    /// `role` plus the claim mappings.
    pub metadata: BTreeMap<String, String>,
    /// Session lifetime in seconds.
    pub ttl: u64,
    /// The role's `token_bound_cidrs`, as text, for the session to carry.
    pub bound_cidrs: Vec<String>,
    /// The verified claims.
    pub claims: Map<String, Value>,
}

/// Every role of a deployment, with the shared configuration.
#[derive(Clone, Debug)]
pub struct Gate {
    /// Shared configuration.
    pub config: AuthConfig,
    /// Roles by name.
    pub roles: BTreeMap<String, Role>,
}

impl Gate {
    /// Parses the roles (`{"name": {role parameters}, ...}`); every role is checked now, so a bad
    /// one stops the deployment instead of failing later at a login.
    pub fn new(config: AuthConfig, roles_json: &[u8]) -> Result<Self> {
        let value = json::parse(roles_json).map_err(|e| config_err(format!("roles are not valid JSON: {e}")))?;
        let obj = value.as_object().ok_or_else(|| config_err("roles must be a JSON object of role name to role"))?;
        if obj.is_empty() {
            return Err(config_err("no roles are defined"));
        }
        let roles = obj.iter().map(|(k, v)| Role::from_value(k, v).map(|r| (k.clone(), r))).collect::<Result<_>>()?;
        Ok(Gate { config, roles })
    }

    /// Vault's login: role lookup, `role_type`, caller address, signature, issuer, subject,
    /// time claims with the role's leeways, audience, bound claims, user claim, groups, claim
    /// mappings, in that order. `remote` is the caller's address; `now` is seconds since the epoch.
    pub fn login(&self, role_name: &str, token: &str, verifier: &Verifier, remote: Option<IpAddr>, now: i64) -> Result<Login> {
        if role_name.is_empty() {
            return Err(refused("missing role"));
        }
        if token.is_empty() {
            return Err(refused("missing token"));
        }
        let role = self
            .roles
            .get(role_name)
            .ok_or_else(|| refused(format!("role {:?} could not be found", crate::error::short(role_name))))?;
        if role.role_type == RoleType::Oidc {
            return Err(refused("role with oidc role_type is not allowed"));
        }
        if !cidr::remote_addr_is_ok(remote, &role.token_bound_cidrs) {
            return Err(Error::new(Code::PermissionDenied, PERMISSION_DENIED));
        }
        let claims = self.verify(role, token, verifier, now)?;
        let mut login = evaluate(role, claims)?;
        login.bound_cidrs = role.token_bound_cidrs.iter().map(ToString::to_string).collect();
        Ok(login)
    }

    /// Signature and issuer through the core verifier, then Vault's time rules: with `s` the
    /// clock skew leeway, refused when `now - s - expiration_leeway > exp`, when
    /// `now + s + not_before_leeway < nbf`, or when `now + s < iat`. `exp` is not required
    /// (Vault accepts legacy ServiceAccount tokens, which have none).
    fn verify(&self, role: &Role, token: &str, verifier: &Verifier, now: i64) -> Result<Map<String, Value>> {
        let (skew, exp_leeway, nbf_leeway) = role.leeways();
        // Leeways come from the role's configuration and may be as large as i64 allows.
        let (exp_window, nbf_window) = (skew.saturating_add(exp_leeway), skew.saturating_add(nbf_leeway));
        let mut options = VerifyOptions::at(now);
        options.algorithms = self.config.jwt_supported_algs.clone();
        options.issuer = self.config.bound_issuer.iter().cloned().collect();
        options.required_claims = Vec::new();
        // The core's single tolerance is set to the widest window; the exact per-claim windows follow.
        options.clock_tolerance = exp_window.max(nbf_window) as f64 + 1.0;
        let verified = verifier.verify(token, &options).map_err(vault_token_error)?;
        let claims = verified.payload;
        let time = |name: &str| claims.get(name).and_then(Value::as_f64);
        let now = now as f64;
        if time("exp").is_some_and(|exp| now - exp_window as f64 > exp) {
            return Err(Error::claim(Code::JwtExpired, "error validating claims: token is expired (exp)", "exp", crate::Reason::CheckFailed));
        }
        if time("nbf").is_some_and(|nbf| now + (nbf_window as f64) < nbf) {
            return Err(refused("error validating claims: token not valid yet (nbf)"));
        }
        if time("iat").is_some_and(|iat| now + (skew as f64) < iat) {
            return Err(refused("error validating claims: token issued in the future (iat)"));
        }
        if let Some(want) = &role.bound_subject {
            if claims.get("sub").and_then(Value::as_str) != Some(want.as_str()) {
                return Err(refused("error validating claims: sub claim does not match bound subject"));
            }
        }
        let aud = claims::audiences(&claims).map_err(vault_token_error)?.unwrap_or_default();
        validate_audience(&role.bound_audiences, &aud)?;
        Ok(claims)
    }
}

/// Core errors keep their code (the worker refetches keys on `ERR_JWKS_NO_MATCHING_KEY`) and
/// take Vault's wording.
fn vault_token_error(e: Error) -> Error {
    let prefix = match e.code() {
        Code::ClaimValidationFailed | Code::JwtExpired => "error validating claims",
        Code::SignatureVerificationFailed | Code::JwksNoMatchingKey => "error validating signature",
        _ => "error validating token",
    };
    let message = match (e.code(), e.claim_name()) {
        (Code::ClaimValidationFailed, Some("iss")) => "invalid issuer claim (iss)".to_owned(),
        (Code::JwksNoMatchingKey, _) => "no known key successfully validated the token signature".to_owned(),
        (Code::JwtExpired, _) => "token is expired (exp)".to_owned(),
        _ => e.message().to_owned(),
    };
    let text = format!("{prefix}: {message}");
    match (e.claim_name(), e.reason()) {
        (Some(claim), Some(reason)) => Error::claim(e.code(), text, claim, reason),
        _ => Error::new(e.code(), text),
    }
}

/// The claim checks after verification: bound claims, user claim, groups, claim mappings.
pub fn evaluate(role: &Role, claims: Map<String, Value>) -> Result<Login> {
    validate_bound_claims(role.bound_claims_type, &role.bound_claims, &claims)?;
    let user = if role.user_claim_json_pointer { get_claim(&claims, &role.user_claim) } else { claims.get(&role.user_claim).filter(|v| !v.is_null()) };
    let short = crate::error::short(&role.user_claim);
    let alias = match user {
        None => return Err(refused(format!("claim {short:?} not found in token"))),
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        Some(_) => return Err(refused(format!("claim {short:?} could not be converted to string"))),
    };
    let mut groups = Vec::new();
    if let Some(gc) = &role.groups_claim {
        let short = crate::error::short(gc);
        let raw = get_claim(&claims, gc).ok_or_else(|| refused(format!("{short:?} claim not found in token")))?;
        let list = normalize_list(raw).ok_or_else(|| refused(format!("{short:?} claim could not be converted to string list")))?;
        for g in list {
            match g {
                Value::String(s) if s.is_empty() => {}
                Value::String(s) => groups.push(s.clone()),
                _ => return Err(refused("value in groups claim could not be parsed as string")),
            }
        }
    }
    let mut metadata = BTreeMap::new();
    for (source, target) in &role.claim_mappings {
        if let Some(v) = get_claim(&claims, source) {
            let s = v.as_str().ok_or_else(|| refused(format!("error converting claim '{}' to string", crate::error::short(source))))?;
            metadata.insert(target.clone(), s.to_owned());
        }
    }
    metadata.insert("role".into(), role.name.clone());
    Ok(Login {
        role: role.name.clone(),
        alias,
        groups,
        policies: role.policies(),
        metadata,
        ttl: role.ttl(),
        bound_cidrs: Vec::new(),
        claims,
    })
}
