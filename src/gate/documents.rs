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
}

/// The mount's config: the login rules (bound_issuer, jwt_supported_algs, default_role) as the
/// gate checks them, and the key sources. Vault's other parameters (the OIDC client, provider
/// config, namespaces) do not bear on a JWT login and are left alone.
pub fn config(value: Value) -> Result<(AuthConfig, KeySources)> {
    let value = unwrap_envelope(value);
    let obj = value.as_object().ok_or_else(|| invalid("the auth config must be a JSON object"))?;
    let rules: Map<String, Value> =
        obj.iter().filter(|(k, _)| matches!(k.as_str(), "bound_issuer" | "jwt_supported_algs" | "default_role")).map(|(k, v)| (k.clone(), v.clone())).collect();
    let config = AuthConfig::parse(Value::Object(rules).to_string().as_bytes())?;
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
    };
    Ok((config, keys))
}
