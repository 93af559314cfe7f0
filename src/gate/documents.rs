//! What users paste or save from Vault, read the same way by the `jwksgate explain` command and
//! the inspector's "Vault role" panel: a role as `vault read -format=json auth/jwt/role/NAME`
//! prints it (or its parameters, or the gate's ROLES object), and the mount's config as
//! `vault read -format=json auth/jwt/config` prints it, with the key sources Vault reads there.

use crate::error::{Code, Error, Result};
use crate::gate::fields::quote;
use crate::gate::role::{AuthConfig, Role};
use serde_json::{json, Map, Value};

fn invalid(message: impl Into<String>) -> Error {
    Error::new(Code::ConfigInvalid, message)
}

/// `vault read -format=json` wraps what it read in a response envelope; its `data` is the object.
pub fn unwrap_envelope(v: Value) -> Value {
    match v {
        Value::Object(mut o) if o.contains_key("request_id") && o.get("data").is_some_and(Value::is_object) => o.remove("data").unwrap_or_default(),
        other => other,
    }
}

/// The roles as the gate's ROLES (`{"name": role}`) and the name of the one to use. One role
/// (its parameters, or `vault read` of it) is named `name`, else "role"; a ROLES object with one
/// role needs no `name`, with several it does.
pub fn roles(value: Value, name: Option<&str>) -> Result<(Value, String)> {
    if value.get("request_id").is_some() || Role::from_value("role", &value).is_ok() {
        let name = name.filter(|n| !n.is_empty()).unwrap_or("role").to_owned();
        return Ok((json!({ name.clone(): value }), name));
    }
    let obj = value.as_object().ok_or_else(|| invalid("a role must be a JSON object"))?;
    if !obj.values().all(Value::is_object) {
        // Not a ROLES object either: the role's own error says what is wrong with it.
        Role::from_value("role", &value)?;
    }
    let names: Vec<&String> = obj.keys().collect();
    let chosen = match (name.filter(|n| !n.is_empty()), names.as_slice()) {
        (Some(n), _) => n.to_owned(),
        (None, [only]) => (*only).clone(),
        (None, many) => {
            return Err(Error::new(
                Code::InvalidArgument,
                format!("the roles hold {} roles ({}): pick one by name", many.len(), many.iter().map(|n| quote(n)).collect::<Vec<_>>().join(", ")),
            ))
        }
    };
    Ok((value, chosen))
}

/// Where the mount's config says keys come from, as Vault reads them (`path_config.go`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct KeySources {
    /// `oidc_discovery_url`.
    pub oidc_discovery_url: Option<String>,
    /// `oidc_discovery_ca_pem`.
    pub oidc_discovery_ca_pem: Option<String>,
    /// `jwks_url`.
    pub jwks_url: Option<String>,
    /// `jwks_ca_pem`.
    pub jwks_ca_pem: Option<String>,
    /// `jwt_validation_pubkeys`, PEM each.
    pub jwt_validation_pubkeys: Vec<String>,
    /// Whether `jwks_pairs` is set (several JWKS URLs, each with its CA): counted as Vault counts
    /// it, and not read.
    pub jwks_pairs: bool,
}

impl KeySources {
    /// How many of Vault's key sources are set; Vault stores a config with exactly one.
    pub fn count(&self) -> usize {
        [self.oidc_discovery_url.is_some(), !self.jwt_validation_pubkeys.is_empty(), self.jwks_url.is_some(), self.jwks_pairs].into_iter().filter(|set| *set).count()
    }
}

/// Vault's words for a config with no key source or several (`pathConfigWrite` at 2e68bba).
pub const EXACTLY_ONE_KEY_SOURCE: &str = "exactly one of 'jwt_validation_pubkeys', 'jwks_url', 'jwks_pairs' or 'oidc_discovery_url' must be set";

/// The checks `pathConfigWrite` (vault-plugin-auth-jwt `path_config.go`, 2e68bba) makes before it
/// stores a config, in its order and words, that bear on a config as `vault read` prints it: a
/// config Vault would never have stored is refused rather than explained. More than one key
/// source is refused here; none is the caller's to refuse (its command line may give the keys).
/// Not checked: `oidc_client_secret`, which `vault read` never prints, and what needs the
/// network (Vault fetches the discovery document or JWKS; the caller does when it uses them).
fn vault_would_store(obj: &Map<String, Value>, keys: &KeySources) -> Result<()> {
    let text = |k: &str| obj.get(k).and_then(Value::as_str).unwrap_or_default();
    if keys.count() > 1 {
        return Err(invalid(EXACTLY_ONE_KEY_SOURCE));
    }
    if !text("oidc_client_id").is_empty() && keys.oidc_discovery_url.is_none() {
        return Err(invalid("'oidc_discovery_url' must be set for OIDC"));
    }
    if keys.jwks_pairs && keys.jwks_ca_pem.is_some() {
        return Err(invalid("CA PEMs must be provided as part of the 'jwks_pairs' when using multiple JWKS URLs"));
    }
    if keys.jwks_pairs && !text("bound_issuer").is_empty() {
        return Err(invalid("Bound issuer is not supported for use with 'jwks_pairs'"));
    }
    Ok(())
}

/// `pathConfigWrite`'s last checks, after `jwt_supported_algs`: the OIDC response types and mode.
fn vault_would_store_responses(obj: &Map<String, Value>) -> Result<()> {
    let text = |k: &str| obj.get(k).and_then(Value::as_str).unwrap_or_default();
    let types = match obj.get("oidc_response_types") {
        Some(v) => crate::gate::fields::comma_string_slice(v, "oidc_response_types")?,
        None => Vec::new(),
    };
    if types.iter().any(|t| t != "code" && t != "id_token") {
        return Err(invalid(format!("invalid response_types [{}]. 'code' and 'id_token' are allowed", types.join(" "))));
    }
    match text("oidc_response_mode") {
        "" | "query" if types.iter().any(|t| t == "id_token") => Err(invalid("query response_mode may not be used with an id_token response_type")),
        "" | "query" | "form_post" => Ok(()),
        other => Err(invalid(format!("invalid response_mode: {}", quote(other)))),
    }
}

/// The mount's config: the login rules (bound_issuer, jwt_supported_algs, default_role) as the
/// gate checks them, and the key sources. Vault's other parameters (the OIDC client, provider
/// config, namespaces) do not bear on a JWT login and are left alone.
pub fn config(value: Value) -> Result<(AuthConfig, KeySources)> {
    let value = unwrap_envelope(value);
    let obj = value.as_object().ok_or_else(|| invalid("the auth config must be a JSON object"))?;
    let rules: Map<String, Value> =
        obj.iter().filter(|(k, _)| matches!(k.as_str(), "bound_issuer" | "jwt_supported_algs" | "default_role")).map(|(k, v)| (k.clone(), v.clone())).collect();
    let text = |k: &str| obj.get(k).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_owned);
    let jwt_validation_pubkeys = match obj.get("jwt_validation_pubkeys") {
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
        Some(Value::String(s)) if !s.is_empty() => vec![s.clone()],
        _ => Vec::new(),
    };
    let keys = KeySources {
        oidc_discovery_url: text("oidc_discovery_url"),
        oidc_discovery_ca_pem: text("oidc_discovery_ca_pem"),
        jwks_url: text("jwks_url"),
        jwks_ca_pem: text("jwks_ca_pem"),
        jwt_validation_pubkeys,
        jwks_pairs: obj.get("jwks_pairs").and_then(Value::as_array).is_some_and(|a| !a.is_empty()),
    };
    vault_would_store(obj, &keys)?;
    let config = AuthConfig::parse(Value::Object(rules).to_string().as_bytes())?;
    vault_would_store_responses(obj)?;
    Ok((config, keys))
}
