//! A Kubernetes mount's roles, as vault-plugin-auth-kubernetes `pathRoleCreateUpdate`
//! (path_role.go) refuses and stores them: the ServiceAccount names and namespaces (go-glob `*`,
//! `*` alone for any), `audience`, `alias_name_source`, and the token fields every method shares
//! (`gate::tokens`).

use crate::error::{Code, Error, Result};
use crate::gate::claims::glob;
use crate::gate::fields::{self, go_lower, quote};
use crate::gate::role::SYSTEM_MAX_TTL;
use crate::gate::tokens::{TokenFields, TOKEN_KEYS};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

fn config_err(message: impl Into<String>) -> Error {
    Error::new(Code::ConfigInvalid, message)
}

/// `alias_name_source`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AliasNameSource {
    /// `serviceaccount_uid` (the default): the ServiceAccount's UID.
    Uid,
    /// `serviceaccount_name`: `<namespace>/<name>`.
    Name,
}

impl AliasNameSource {
    /// Vault's name for it.
    pub const fn as_str(self) -> &'static str {
        match self {
            AliasNameSource::Uid => "serviceaccount_uid",
            AliasNameSource::Name => "serviceaccount_name",
        }
    }
}

/// One role of a Kubernetes mount.
#[derive(Clone, Debug, PartialEq)]
pub struct KubeRole {
    /// The role's name, lower-cased (`role/` + `strings.ToLower(name)`).
    pub name: String,
    /// `bound_service_account_names`: globs; `["*"]` is any.
    pub names: Vec<String>,
    /// `bound_service_account_namespaces`: globs; `["*"]` is any.
    pub namespaces: Vec<String>,
    /// `audience`: one audience the token's `aud` must hold, and the one TokenReview asks for.
    pub audience: Option<String>,
    /// `alias_name_source`.
    pub alias_name_source: AliasNameSource,
    /// The token fields.
    pub token: TokenFields,
}

/// go-secure-stdlib `strutil.StrListContainsGlob`: one pattern matches (ryanuber/go-glob).
pub fn list_contains_glob(patterns: &[String], subject: &str) -> bool {
    patterns.iter().any(|p| go_glob(p, subject))
}

/// ryanuber/go-glob `Glob`: `*` matches any run of characters; `*` alone matches everything.
pub fn go_glob(pattern: &str, subject: &str) -> bool {
    pattern == "*" || glob(pattern, subject)
}

impl KubeRole {
    /// Parses one role with `pathRoleCreateUpdate`'s refusals, in its order and words; its
    /// warnings (no audience, a max TTL above the system's) go to `warnings`. `local` is the
    /// gate's local-verification mode, where an audience is required.
    pub fn from_value(name: &str, value: &Value, local: bool, warnings: &mut Vec<String>) -> Result<Self> {
        let shown = quote(name);
        let err = |m: String| config_err(format!("role {shown}: {m}"));
        let mut obj: &Map<String, Value> = value.as_object().ok_or_else(|| config_err(format!("role {shown} must be a mapping")))?;
        if let (Some(Value::Object(data)), true) = (obj.get("data"), obj.contains_key("request_id")) {
            obj = data;
        }
        if !fields::is_generic_name(name) {
            return Err(err("a role name holds letters, digits, '_', '-', '.' and '@', and starts and ends with a letter, digit or '_' (Vault's GenericNameRegex)".into()));
        }
        let known = |k: &str| {
            matches!(k, "name" | "bound_service_account_names" | "bound_service_account_namespaces" | "bound_service_account_namespace_selector" | "audience" | "alias_name_source")
                || TOKEN_KEYS.contains(&k)
        };
        if let Some(k) = obj.keys().find(|k| !known(k)) {
            return Err(err(format!("unknown parameter {}", quote(k))));
        }
        let get = |k: &str| obj.get(k).unwrap_or(&Value::Null);
        if let Some(n) = fields::string(get("name"), "name")? {
            if go_lower(&n) != go_lower(name) {
                return Err(err(format!("the role's \"name\" is {}, not its key", quote(&n))));
            }
        }
        let token = TokenFields::parse(obj, &err)?;
        if token.period > SYSTEM_MAX_TTL {
            return Err(err(format!(
                "token period of '{}' is greater than the backend's maximum lease TTL of '{}'",
                quote(&fields::go_duration(token.period as i64)),
                quote(&fields::go_duration(SYSTEM_MAX_TTL as i64))
            )));
        }
        if token.max_ttl > 0 && token.ttl > token.max_ttl {
            return Err(err("token ttl should not be greater than token max ttl".into()));
        }
        if token.max_ttl > SYSTEM_MAX_TTL {
            warnings.push(format!("role {shown}: max_ttl is greater than the system or backend mount's maximum TTL value; issued tokens' max TTL value will be truncated"));
        }
        let names = fields::comma_string_slice(get("bound_service_account_names"), "bound_service_account_names")?;
        if names.is_empty() {
            return Err(err("\"bound_service_account_names\" can not be empty".into()));
        }
        if names.len() > 1 && names.iter().any(|n| n == "*") {
            return Err(err("can not mix \"*\" with values".into()));
        }
        let namespaces = fields::comma_string_slice(get("bound_service_account_namespaces"), "bound_service_account_namespaces")?;
        let selector = fields::string(get("bound_service_account_namespace_selector"), "bound_service_account_namespace_selector")?.unwrap_or_default();
        if namespaces.is_empty() && selector.is_empty() {
            return Err(err("\"bound_service_account_namespaces\" can not be empty if \"bound_service_account_namespace_selector\" is not set".into()));
        }
        if !selector.is_empty() {
            return Err(err("bound_service_account_namespace_selector is not supported: it reads each namespace's labels from the API server, which the gate does not; list the namespaces".into()));
        }
        if namespaces.len() > 1 && namespaces.iter().any(|n| n == "*") {
            return Err(err("can not mix \"*\" with values".into()));
        }
        let audience = fields::string(get("audience"), "audience")?.unwrap_or_default();
        if audience.trim().is_empty() {
            if local {
                // The gate's departure: without TokenReview, a role that binds no audience takes
                // a token minted for any, such as a pod's API token, which the API server extends
                // to a year (--service-account-extend-token-expiration).
                return Err(err("audience is required with local_verification: without TokenReview, a role with no audience accepts a token minted for any audience, such as a pod's year-long API token".into()));
            }
            warnings.push(format!(
                "Role {} does not have an audience configured. While audiences are not required, consider specifying one if your use case would benefit from additional JWT claim verification.",
                go_lower(name)
            ));
        }
        let alias_name_source = match fields::string(get("alias_name_source"), "alias_name_source")?.as_deref() {
            None | Some("") | Some("serviceaccount_uid") => AliasNameSource::Uid,
            Some("serviceaccount_name") => AliasNameSource::Name,
            Some(_) => return Err(err("invalid alias_name_source, must be one of: serviceaccount_uid, serviceaccount_name".into())),
        };
        Ok(KubeRole { name: go_lower(name), names, namespaces, audience: Some(audience).filter(|a| !a.is_empty()), alias_name_source, token })
    }

    /// `vault read auth/<path>/role/<name>` (`pathRoleRead`), the token fields as Vault prints them.
    pub fn to_read(&self) -> Value {
        serde_json::json!({
            "bound_service_account_names": self.names,
            "bound_service_account_namespaces": self.namespaces,
            "bound_service_account_namespace_selector": "",
            "audience": self.audience.clone().unwrap_or_default(),
            "alias_name_source": self.alias_name_source.as_str(),
            "token_ttl": self.token.ttl,
            "token_max_ttl": self.token.max_ttl,
            "token_explicit_max_ttl": self.token.explicit_max_ttl,
            "token_period": self.token.period,
            "token_num_uses": self.token.num_uses,
            "token_policies": self.token.policies,
            "token_no_default_policy": self.token.no_default_policy,
            "token_bound_cidrs": self.token.bound_cidrs.iter().map(ToString::to_string).collect::<Vec<_>>(),
        })
    }
}

/// The roles of a mount (`{"name": {parameters}}`), names lower-cased; two that meet once
/// lower-cased are refused. Returns them with Vault's write-time warnings.
pub fn parse_roles(roles: &Value, local: bool) -> Result<(BTreeMap<String, KubeRole>, Vec<String>)> {
    let obj = roles.as_object().ok_or_else(|| config_err("roles must be a mapping of role name to role"))?;
    if obj.is_empty() {
        return Err(config_err("no roles are defined"));
    }
    let mut out = BTreeMap::new();
    let mut warnings = Vec::new();
    for (k, v) in obj {
        let role = KubeRole::from_value(k, v, local, &mut warnings)?;
        if let Some(other) = out.insert(role.name.clone(), role) {
            return Err(config_err(format!("roles {} and {} are one role: Vault lower-cases role names", quote(&other.name), quote(k))));
        }
    }
    Ok((out, warnings))
}
