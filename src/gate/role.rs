//! Roles and the mount's configuration as HashiCorp Vault's JWT auth method reads them
//! (vault-plugin-auth-jwt `path_role.go` `pathRoleCreateUpdate`, `path_config.go`; Vault's
//! `sdk/helper/tokenutil` `ParseTokenFields` and `UpgradeValue`), checked when the gate loads, and
//! the token a login gets (`sdk/framework` `CalculateTTL`, `policyutil.SanitizePolicies`).
//! A role exported by `vault read -format=json auth/jwt/role/NAME` loads unchanged.

use crate::error::{Code, Error, Result};
use crate::gate::cidr::Cidr;
use crate::gate::fields::{self, go_lower, quote};
use crate::jwa::alg::Alg;
use crate::json;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

pub use crate::gate::claims::{get_claim, glob, validate_bound_claims};
pub use crate::gate::login::{evaluate, Check, CheckId, Explanation, Gate, Login, Now, Outcome};

/// cap's `jwt.DefaultLeeway` for `clock_skew_leeway`, in seconds.
pub const DEFAULT_CLOCK_SKEW_LEEWAY: i64 = 60;
/// cap's `DefaultLeewaySeconds` for `expiration_leeway` and `not_before_leeway`.
pub const DEFAULT_CLAIM_LEEWAY: i64 = 150;
/// Vault's system maximum and default token TTL (768h, 32 days): the mount's `MaxLeaseTTL`
/// and `DefaultLeaseTTL` when nothing is tuned.
pub const SYSTEM_MAX_TTL: u64 = 768 * 3600;
/// The TTL of a role that sets none (Vault's system default, [`SYSTEM_MAX_TTL`]).
pub const DEFAULT_TOKEN_TTL: u64 = SYSTEM_MAX_TTL;
/// The message Vault gives for a refusal it does not explain (HTTP 403).
pub const PERMISSION_DENIED: &str = "permission denied";

/// The algorithms Vault's JWT login accepts when `jwt_supported_algs` is empty
/// (`path_login.go` `pathLogin`), in its order.
pub const VAULT_DEFAULT_ALGS: [&str; 10] = ["RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512", "EdDSA"];

/// Vault's default list as this build verifies it: every name of [`VAULT_DEFAULT_ALGS`] the core
/// knows (`Alg::from_name`), so an algorithm the core learns joins the default by itself.
pub fn default_algs() -> Vec<Alg> {
    VAULT_DEFAULT_ALGS.iter().filter_map(|n| Alg::from_name(n)).collect()
}

fn config_err(message: impl Into<String>) -> Error {
    Error::new(Code::ConfigInvalid, message)
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
    /// Accepted signature algorithms. Defaults to Vault's list for JWT login
    /// ([`default_algs`]).
    pub jwt_supported_algs: Vec<Alg>,
    /// `default_role`, lower-cased (`TypeLowerCaseString`): the role of a login that names none.
    pub default_role: Option<String>,
    /// `session_epoch` (the gate's own field, not Vault's): any text; changing it refuses every
    /// session made at the mount before (see `session::MountTrust`). Defaults to empty.
    pub session_epoch: String,
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig { bound_issuer: None, jwt_supported_algs: default_algs(), default_role: None, session_epoch: String::new() }
    }
}

/// Parses `jwt_supported_algs` as `path_config.go` checks it (`jwt.SupportedSigningAlgorithm`).
pub fn parse_algs(names: &[String]) -> Result<Vec<Alg>> {
    if names.is_empty() {
        return Ok(default_algs());
    }
    names
        .iter()
        .map(|n| match Alg::from_name(n) {
            // cap's SupportedSigningAlgorithm knows only Vault's ten names: RFC 9864's Ed25519,
            // which the core verifies, is refused in Vault's config, so here too.
            Some(alg) if VAULT_DEFAULT_ALGS.contains(&n.as_str()) => Ok(alg),
            None if VAULT_DEFAULT_ALGS.contains(&n.as_str()) => {
                Err(config_err(format!("invalid jwt_supported_algs: {} is one of Vault's algorithms, but this build of the gate does not verify it yet", quote(n))))
            }
            _ => Err(config_err(format!("invalid jwt_supported_algs: unsupported signing algorithm {}", quote(n)))),
        })
        .collect()
}

impl AuthConfig {
    /// Parses `{"bound_issuer": "...", "jwt_supported_algs": [...], "default_role": "..."}`
    /// (each optional, `null` meaning unset).
    pub fn parse(text: &[u8]) -> Result<Self> {
        let value = json::parse(text).map_err(|e| config_err(format!("auth config is not valid JSON: {e}")))?;
        let obj = value.as_object().ok_or_else(|| config_err("auth config must be a JSON object"))?;
        let mut out = AuthConfig::default();
        for (k, v) in obj {
            match k.as_str() {
                "bound_issuer" => out.bound_issuer = fields::string(v, k)?.filter(|s| !s.is_empty()),
                "jwt_supported_algs" => out.jwt_supported_algs = parse_algs(&fields::comma_string_slice(v, k)?)?,
                "default_role" => out.default_role = fields::string(v, k)?.map(|s| go_lower(&s)).filter(|s| !s.is_empty()),
                "session_epoch" => {
                    out.session_epoch = match v {
                        Value::Null => String::new(),
                        Value::String(s) => s.clone(),
                        Value::Number(n) => n.to_string(),
                        _ => return Err(config_err("session_epoch must be a string or a number")),
                    }
                }
                other => return Err(config_err(format!("unknown auth config parameter {}", quote(other)))),
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
    /// Exact equality, as Go compares the decoded values.
    String,
    /// `*` wildcards on strings (ryanuber/go-glob's rules, as Vault).
    Glob,
}

/// Vault's `token_type`. Every kind gets the gate's one kind of session (see the README).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenType {
    /// `default` (or unset): a service token.
    Default,
    /// `service`.
    Service,
    /// `batch`.
    Batch,
}

/// One role: what a token must show to log in, and what the session carries.
#[derive(Clone, Debug, PartialEq)]
pub struct Role {
    /// The role's name, lower-cased.
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
    /// `clock_skew_leeway` in seconds, as stored: 0 means the default (60), negative none.
    pub clock_skew_leeway: i64,
    /// `expiration_leeway` in seconds, as stored: 0 means the default (150), negative none.
    pub expiration_leeway: i64,
    /// `not_before_leeway` in seconds, as stored: 0 means the default (150), negative none.
    pub not_before_leeway: i64,
    /// `token_ttl` in seconds; 0 means the system default (768h).
    pub token_ttl: u64,
    /// `token_max_ttl` in seconds; 0 means the system maximum (768h).
    pub token_max_ttl: u64,
    /// `token_explicit_max_ttl` in seconds: a hard cap on the session's lifetime; 0 means none.
    pub token_explicit_max_ttl: u64,
    /// `token_period` in seconds: the session lives this long (sessions cannot be renewed); 0 means none.
    pub token_period: u64,
    /// `token_num_uses`: how many requests a session may make (0: no limit), counted by the
    /// session store (a Durable Object; `store`).
    pub token_num_uses: u64,
    /// `token_policies`, as given (see [`Role::policies`]).
    pub token_policies: Vec<String>,
    /// `token_no_default_policy`: leave out the `default` policy. Defaults to false.
    pub token_no_default_policy: bool,
    /// `token_bound_cidrs`: the caller's address must be in one, at login and on every use.
    pub token_bound_cidrs: Vec<Cidr>,
    /// `token_type`.
    pub token_type: TokenType,
}

/// Vault's `policyutil.SanitizePolicies`: trimmed, lower-cased, empty ones dropped, `root` alone
/// if present, `default` added when asked, then `strutil.RemoveDuplicates` (sorted).
pub fn sanitize_policies(policies: &[String], add_default: bool) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut default_found = false;
    for p in policies {
        let p = go_lower(p.trim());
        if p.is_empty() {
            continue;
        }
        if p == "root" {
            out = vec![p];
            default_found = true;
            break;
        }
        default_found |= p == "default";
        out.push(p);
    }
    if add_default && (out.is_empty() || !default_found) {
        out.push("default".into());
    }
    let set: BTreeSet<String> = out.into_iter().collect();
    set.into_iter().collect()
}

/// The parameters Vault's role endpoint takes that have no effect on a JWT login here.
const OIDC_ONLY: [&str; 4] = ["oidc_scopes", "verbose_oidc_logging", "max_age", "allowed_redirect_uris"];

impl Role {
    /// Parses one role from its Vault parameters (or the whole `vault read -format=json` output,
    /// whose `data` holds them), with Vault's checks at write time in `pathRoleCreateUpdate`'s
    /// order, and its words. `warnings` collects what Vault would answer in `warnings`.
    pub fn from_value_with_warnings(name: &str, value: &Value, warnings: &mut Vec<String>) -> Result<Self> {
        let shown = quote(name);
        let err = |m: String| config_err(format!("role {shown}: {m}"));
        let mut obj = value.as_object().ok_or_else(|| config_err(format!("role {shown} must be a JSON object")))?;
        // `vault read -format=json` wraps the parameters in Vault's response envelope.
        if let (Some(Value::Object(data)), true) = (obj.get("data"), obj.contains_key("request_id")) {
            obj = data;
        }
        if !fields::is_generic_name(name) {
            return Err(err("a role name holds letters, digits, '_', '-', '.' and '@', and starts and ends with a letter, digit or '_' (Vault's GenericNameRegex)".into()));
        }
        let name = go_lower(name);
        let known = |k: &str| {
            matches!(
                k,
                "name" | "role_type" | "bound_audiences" | "bound_subject" | "bound_claims" | "bound_claims_type" | "claim_mappings"
                    | "user_claim" | "user_claim_json_pointer" | "groups_claim" | "clock_skew_leeway" | "expiration_leeway"
                    | "not_before_leeway"
            ) || crate::gate::tokens::TOKEN_KEYS.contains(&k)
                || OIDC_ONLY.contains(&k)
        };
        if let Some(k) = obj.keys().find(|k| !known(k)) {
            return Err(err(format!("unknown parameter {}", quote(k))));
        }
        let get = |k: &str| obj.get(k).unwrap_or(&Value::Null);
        if let Some(n) = fields::string(get("name"), "name")? {
            if go_lower(&n) != name {
                return Err(err(format!("the role's \"name\" is {}, not its key", quote(&n))));
            }
        }

        let role_type = match fields::string(get("role_type"), "role_type")?.as_deref() {
            None | Some("") | Some("jwt") => RoleType::Jwt,
            Some("oidc") => RoleType::Oidc,
            Some(other) => return Err(err(format!("invalid 'role_type': {}", fields::go_value(&Value::String(other.into()))))),
        };

        // tokenutil.ParseTokenFields, with the deprecated names upgraded as UpgradeValue does.
        let tf = crate::gate::tokens::TokenFields::parse(obj, &err)?;
        let (token_bound_cidrs, token_explicit_max_ttl, token_max_ttl, token_period) = (tf.bound_cidrs, tf.explicit_max_ttl, tf.max_ttl, tf.period);
        let (token_policies, token_type, token_num_uses, token_ttl) = (tf.policies, tf.token_type, tf.num_uses, tf.ttl);
        if token_period > SYSTEM_MAX_TTL {
            return Err(err(format!(
                "'period' of '{}' is greater than the backend's maximum lease TTL of '{}'",
                quote(&fields::go_duration(token_period as i64)),
                quote(&fields::go_duration(SYSTEM_MAX_TTL as i64))
            )));
        }

        let leeway = |k: &str| -> Result<i64> { Ok(fields::duration_second(get(k), k, true).map_err(|e| err(e.message().into()))?.unwrap_or(0)) };
        let (expiration_leeway, not_before_leeway, clock_skew_leeway) = (leeway("expiration_leeway")?, leeway("not_before_leeway")?, leeway("clock_skew_leeway")?);
        let bound_audiences = fields::comma_string_slice(get("bound_audiences"), "bound_audiences")?;
        let bound_subject = fields::string(get("bound_subject"), "bound_subject")?.filter(|s| !s.is_empty());

        let bound_claims_type = match fields::string(get("bound_claims_type"), "bound_claims_type")?.as_deref() {
            None | Some("string") => BoundClaimsType::String,
            Some("glob") => BoundClaimsType::Glob,
            Some(other) => return Err(err(format!("invalid 'bound_claims_type': {other}"))),
        };
        let mut bound_claims = BTreeMap::new();
        for (claim, want) in fields::map(get("bound_claims"), "bound_claims")? {
            let values: Vec<&Value> = match &want {
                Value::Array(a) => a.iter().collect(),
                v => vec![v],
            };
            if bound_claims_type == BoundClaimsType::Glob {
                if matches!(want, Value::Object(_) | Value::Null) {
                    return Err(err(format!("claim is not a string or list: {}", fields::go_value(&want))));
                }
                if let Some(v) = values.iter().find(|v| !v.is_string()) {
                    return Err(err(format!("claim is not a string: {}", fields::go_value(v))));
                }
            } else if !values.iter().all(|v| matches!(v, Value::String(_) | Value::Bool(_) | Value::Number(_))) || matches!(want, Value::Null) {
                // Vault stores such a role and then fails (or panics, comparing maps) at every login.
                return Err(err(format!("bound claim {} must be a string, boolean, number or a list of them", quote(&claim))));
            }
            bound_claims.insert(claim, want);
        }

        let mut claim_mappings = BTreeMap::new();
        let mut targets = BTreeSet::new();
        for (source, target) in fields::kv_pairs(get("claim_mappings"), "claim_mappings")? {
            if target == "role" {
                return Err(err(format!("metadata key {} is reserved and may not be a mapping destination", quote(&target))));
            }
            if !targets.insert(target.clone()) {
                return Err(err(format!("multiple keys are mapped to metadata key {}", quote(&target))));
            }
            claim_mappings.insert(source, target);
        }

        let user_claim = fields::string(get("user_claim"), "user_claim")?.unwrap_or_default();
        if user_claim.is_empty() {
            return Err(err("a user claim must be defined on the role".into()));
        }
        let user_claim_json_pointer = fields::boolean(get("user_claim_json_pointer"), "user_claim_json_pointer")?.unwrap_or(false);
        let groups_claim = fields::string(get("groups_claim"), "groups_claim")?.filter(|s| !s.is_empty());
        let allowed_redirect_uris = fields::comma_string_slice(get("allowed_redirect_uris"), "allowed_redirect_uris")?;
        fields::comma_string_slice(get("oidc_scopes"), "oidc_scopes")?;
        fields::duration_second(get("max_age"), "max_age", false)?;
        if fields::boolean(get("verbose_oidc_logging"), "verbose_oidc_logging")?.unwrap_or(false) {
            warnings.push("verbose_oidc_logging has been enabled for this role. This is not recommended in production since sensitive information may be present in OIDC responses.".into());
        }
        if role_type == RoleType::Oidc && allowed_redirect_uris.is_empty() {
            return Err(err("'allowed_redirect_uris' must be set if 'role_type' is 'oidc' or unspecified.".into()));
        }
        if role_type == RoleType::Jwt && bound_audiences.is_empty() && token_bound_cidrs.is_empty() && bound_subject.is_none() && bound_claims.is_empty() {
            return Err(err("must have at least one bound constraint when creating/updating a role".into()));
        }
        if token_max_ttl > 0 && token_ttl > token_max_ttl {
            return Err(err("ttl should not be greater than max ttl".into()));
        }
        if token_max_ttl > SYSTEM_MAX_TTL {
            warnings.push(format!(
                "role {shown}: token max ttl is greater than the system or backend mount's maximum TTL value; issued tokens' max TTL value will be truncated"
            ));
        }
        Ok(Role {
            name,
            role_type,
            bound_audiences,
            bound_subject,
            bound_claims,
            bound_claims_type,
            claim_mappings,
            user_claim,
            user_claim_json_pointer,
            groups_claim,
            clock_skew_leeway,
            expiration_leeway,
            not_before_leeway,
            token_ttl,
            token_max_ttl,
            token_explicit_max_ttl,
            token_period,
            token_num_uses,
            token_policies,
            token_no_default_policy: tf.no_default_policy,
            token_bound_cidrs,
            token_type,
        })
    }

    /// [`Role::from_value_with_warnings`], dropping the warnings.
    pub fn from_value(name: &str, value: &Value) -> Result<Self> {
        Role::from_value_with_warnings(name, value, &mut Vec::new())
    }

    /// The session's lifetime and Vault's warnings, as `LoginCreateToken` computes them with
    /// `framework.CalculateTTL(sysView, 0, token_ttl, token_period, token_max_ttl,
    /// token_explicit_max_ttl, now)` on a mount whose maximum and default are the system's 768h.
    pub fn lease(&self) -> (u64, Vec<String>) {
        // At issue time `now` is the start: never past the maximum, so never an error.
        self.calculate_ttl(0, 0, 0).unwrap_or((0, Vec::new()))
    }

    /// The role's token lifetimes, as `pathLoginRenew` hands them to `CalculateTTL`.
    pub fn lease_params(&self) -> Lease {
        Lease { ttl: self.token_ttl, max_ttl: self.token_max_ttl, explicit_max_ttl: self.token_explicit_max_ttl, period: self.token_period }
    }

    /// [`Lease::calculate_ttl`] with this role's lifetimes.
    pub fn calculate_ttl(&self, increment: u64, start: i64, now: i64) -> Result<(u64, Vec<String>)> {
        self.lease_params().calculate_ttl(increment, start, now)
    }

    /// The last second a token issued at `start` may live, renewals included.
    pub fn max_valid_time(&self, start: i64) -> Option<i64> {
        self.lease_params().max_valid_time(start)
    }

    /// The session lifetime in seconds (see [`Role::lease`]).
    pub fn ttl(&self) -> u64 {
        self.lease().0
    }

    /// The policies a session gets: `token_policies` through `SanitizePolicies`, with
    /// `default` unless `token_no_default_policy` (as `LoginCreateToken` sets `TokenPolicies`).
    pub fn policies(&self) -> Vec<String> {
        sanitize_policies(&self.token_policies, !self.token_no_default_policy)
    }

    /// The effective leeways as cap's `validateAll` takes them from the stored values: 0 is the
    /// default, a negative value none. Returns (clock skew, expiration, not before).
    pub fn leeways(&self) -> (i64, i64, i64) {
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

/// A token's lifetimes as `CalculateTTL` takes them (seconds; 0 is unset): the backend's TTL
/// and maximum (the role's `token_ttl`, `token_max_ttl`), `token_explicit_max_ttl` and
/// `token_period`. Login and renewal (`pathLoginRenew` then the expiration manager's
/// `RenewToken`) both go through it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lease {
    /// `token_ttl`.
    pub ttl: u64,
    /// `token_max_ttl`.
    pub max_ttl: u64,
    /// `token_explicit_max_ttl`.
    pub explicit_max_ttl: u64,
    /// `token_period`.
    pub period: u64,
}

impl Lease {
    /// `framework.CalculateTTL` (sdk/framework/lease.go): `increment` seconds asked at `now`
    /// for a token issued at `start` (whole seconds, as Vault truncates them), on a mount whose
    /// maximum and default are the system's 768h. The TTL and Vault's warnings, or Vault's
    /// "past the max TTL, cannot renew".
    pub fn calculate_ttl(&self, increment: u64, start: i64, now: i64) -> Result<(u64, Vec<String>)> {
        let mut warnings = Vec::new();
        let max_ttl = self.effective_max_ttl();
        let human = |s: u64| fields::human_duration(s as i64);
        let ttl = if self.period > 0 {
            let mut period = self.period;
            if period > max_ttl {
                warnings.push(format!("period of {} exceeded the effective max_ttl of {}; period value is capped accordingly", quote(&human(period)), quote(&human(max_ttl))));
                period = max_ttl;
            }
            period
        } else if increment > 0 {
            increment
        } else if self.ttl > 0 {
            self.ttl
        } else {
            DEFAULT_TOKEN_TTL
        };
        let Some(max_valid) = self.max_valid_time(start) else { return Ok((ttl, warnings)) };
        let max_valid_ttl = u64::try_from(max_valid.saturating_sub(now)).map_err(|_| Error::new(Code::SessionInvalid, "past the max TTL, cannot renew"))?;
        if ttl > max_valid_ttl {
            warnings.push(format!("TTL of {} exceeded the effective max_ttl of {}; TTL value is capped accordingly", quote(&human(ttl)), quote(&human(max_valid_ttl))));
            return Ok((max_valid_ttl, warnings));
        }
        Ok((ttl, warnings))
    }

    /// CalculateTTL's `maxTTL`: the system's 768h narrowed by `token_max_ttl` and
    /// `token_explicit_max_ttl`.
    fn effective_max_ttl(&self) -> u64 {
        [self.max_ttl, self.explicit_max_ttl].into_iter().filter(|&m| m > 0).fold(SYSTEM_MAX_TTL, u64::min)
    }

    /// CalculateTTL's `maxValidTime` for a token issued at `start`: the last second it may live,
    /// renewals included; none for a periodic token without `token_explicit_max_ttl`.
    pub fn max_valid_time(&self, start: i64) -> Option<i64> {
        let lifetime = if self.period > 0 { (self.explicit_max_ttl > 0).then_some(self.explicit_max_ttl)? } else { self.effective_max_ttl() };
        Some(start.saturating_add(i64::try_from(lifetime).unwrap_or(i64::MAX)))
    }
}

/// Parses the roles (`{"name": {role parameters}, ...}`): names are lower-cased, as Vault
/// stores them, and two that meet once lower-cased are refused. Returns them with the warnings
/// Vault would have given when they were written.
pub fn parse_roles(roles_json: &[u8]) -> Result<(BTreeMap<String, Role>, Vec<String>)> {
    let value = json::parse(roles_json).map_err(|e| config_err(format!("roles are not valid JSON: {e}")))?;
    let obj = value.as_object().ok_or_else(|| config_err("roles must be a JSON object of role name to role"))?;
    if obj.is_empty() {
        return Err(config_err("no roles are defined"));
    }
    let mut roles = BTreeMap::new();
    let mut warnings = Vec::new();
    for (k, v) in obj {
        let role = Role::from_value_with_warnings(k, v, &mut warnings)?;
        if let Some(other) = roles.insert(role.name.clone(), role) {
            return Err(config_err(format!("roles {} and {} are one role: Vault lower-cases role names", quote(&other.name), quote(k))));
        }
    }
    Ok((roles, warnings))
}
