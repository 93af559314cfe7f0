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
