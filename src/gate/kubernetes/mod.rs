//! Vault's Kubernetes auth method (vault-plugin-auth-kubernetes) at the edge: a mount's
//! configuration with the defaults a pod gives it (`config`), its roles (`role`), the login's
//! checks in `pathLogin`'s order (`login`) and the TokenReview the API server answers
//! (`review`). Sans-IO: the host sends the review this code writes and hands back the answer.

pub mod config;
pub mod login;
pub mod review;
pub mod role;

pub use config::{Environment, KubeConfig, LocalKeys};
pub use login::{Answer, KubeCheck, KubeCheckId, KubeExplanation, KubeLogin, KubeMount, ServiceAccount};
pub use role::{AliasNameSource, KubeRole};

use crate::error::{Code, Error, Result};
use crate::gate::fields::{self, quote};
use serde_json::{Map, Value};

/// A `type: kubernetes` entry of `AUTH_CONFIG`, before the environment completes its config.
#[derive(Clone, Debug, PartialEq)]
pub struct KubeEntry {
    /// The mount path (Bank-Vaults' default: the type, `kubernetes`).
    pub path: String,
    /// `config`, as written.
    pub config: Map<String, Value>,
    /// The roles by name.
    pub roles: Value,
}

impl KubeEntry {
    /// The mount, its config completed from `env` (see [`KubeConfig::from_value`]).
    pub fn mount(&self, env: &Environment) -> Result<KubeMount> {
        KubeMount::new(&self.path, &self.config, &self.roles, env)
    }
}

/// Reads entry `i` of `auth:` whose type is `kubernetes`, as Bank-Vaults' configurer does
/// (`initAuthConfig`: the path defaults to the type; `description` is not used).
pub fn entry(i: usize, e: &Map<String, Value>) -> Result<KubeEntry> {
    let bad = |m: String| Error::new(Code::ConfigInvalid, m);
    if let Some(k) = e.keys().find(|k| !matches!(k.as_str(), "type" | "path" | "description" | "config" | "roles")) {
        return Err(bad(format!("AUTH_CONFIG: auth entry {i}: {} is not supported by the gate", quote(k))));
    }
    let path = crate::gate::mounts::mount_path(&fields::string(e.get("path").unwrap_or(&Value::Null), "path")?.unwrap_or_else(|| "kubernetes".into()))?;
    let config = match e.get("config") {
        Some(Value::Object(c)) => c.clone(),
        None | Some(Value::Null) => Map::new(),
        Some(_) => return Err(bad(format!("AUTH_CONFIG: mount {}: config must be a mapping", quote(&path)))),
    };
    let roles = crate::gate::mounts::roles_by_name(e.get("roles"), &path)?;
    Ok(KubeEntry { path, config, roles })
}

fn is_kube_role(v: &Value) -> bool {
    v.as_object().is_some_and(|o| o.contains_key("bound_service_account_names") || o.contains_key("bound_service_account_namespaces"))
}

/// For `explain` (the command and the inspector's panel), without the cluster: when `role` is a
/// Kubernetes role (as `vault read -format=json auth/kubernetes/role/NAME` prints it, its
/// parameters, or a ROLES object whose role `name` is one), the mount to explain it with and the
/// role's name; `None` for any other role. `config` is `vault read auth/kubernetes/config`'s
/// output (its `token_reviewer_jwt_set` read back as a reviewer token), or none: then the host is
/// the in-cluster service's and the CA and reviewer token are a pod's, as Vault's in a pod.
pub fn explain_mount(role: &Value, name: Option<&str>, config: Option<Value>) -> Result<Option<(KubeMount, String)>> {
    let role = crate::gate::documents::unwrap_envelope(role.clone());
    let name = name.filter(|n| !n.is_empty());
    let (roles, chosen) = if is_kube_role(&role) {
        let n = name.unwrap_or("role").to_owned();
        (serde_json::json!({ n.clone(): role }), n)
    } else {
        let Some(obj) = role.as_object().filter(|o| !o.is_empty() && o.values().all(Value::is_object)) else { return Ok(None) };
        let chosen = match (name, obj.len()) {
            (Some(n), _) => n.to_owned(),
            (None, 1) => obj.keys().next().cloned().unwrap_or_default(),
            (None, _) if obj.values().any(is_kube_role) => return Err(Error::new(Code::InvalidArgument, "the roles hold several roles: pick one by name")),
            (None, _) => return Ok(None),
        };
        if !obj.get(&chosen).is_some_and(is_kube_role) {
            return Ok(None);
        }
        let one: Map<String, Value> = obj.iter().filter(|(k, _)| **k == chosen).map(|(k, v)| (k.clone(), v.clone())).collect();
        (Value::Object(one), chosen)
    };
    let mut config = match config.map(crate::gate::documents::unwrap_envelope) {
        Some(Value::Object(c)) => c,
        Some(Value::Null) | None => Map::new(),
        Some(_) => return Err(Error::new(Code::ConfigInvalid, "the config must be a JSON object")),
    };
    if config.remove("token_reviewer_jwt_set") == Some(Value::Bool(true)) && !config.contains_key("token_reviewer_jwt") {
        config.insert("token_reviewer_jwt".into(), Value::String("(set)".into()));
    }
    config.retain(|_, v| !v.is_null());
    let env = Environment {
        service_host: Some("kubernetes.default.svc".into()),
        service_port: None,
        files: [
            (config::LOCAL_CA_CERT_PATH.to_owned(), "(the pod's CA)".to_owned()),
            (config::LOCAL_JWT_PATH.to_owned(), "(the pod's token)".to_owned()),
        ]
        .into_iter()
        .collect(),
    };
    let mount = KubeMount::new("kubernetes", &config, &roles, &env)?;
    Ok(Some((mount, crate::gate::fields::go_lower(&chosen))))
}
