//! Kubernetes ServiceAccount token claims: the `kubernetes.io` claim of projected tokens
//! (KEP-1205, `pkg/serviceaccount/claims.go`) and the flat claims of legacy secret tokens.

use serde::Serialize;
use serde_json::{Map, Value};

/// The issuer of legacy (secret-based) ServiceAccount tokens.
pub const LEGACY_ISSUER: &str = "kubernetes/serviceaccount";

/// A name and uid pair, as Kubernetes writes them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Ref {
    /// Object name.
    pub name: String,
    /// Object uid, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
}

/// Who a ServiceAccount token says it is. Read from claims that must already be verified.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Identity {
    /// The namespace.
    pub namespace: String,
    /// The ServiceAccount.
    pub service_account: Ref,
    /// The pod the token is bound to, for pod-bound tokens.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pod: Option<Ref>,
    /// The node the token is bound to (Kubernetes 1.30+).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node: Option<Ref>,
    /// The secret the token is bound to (legacy and secret-bound tokens).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<Ref>,
    /// After this time (seconds since the epoch) the kubelet should have refreshed the token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warn_after: Option<i64>,
    /// The `sub` Kubernetes sets for this account: `system:serviceaccount:<ns>:<name>`.
    pub subject: String,
    /// Whether `sub` in the token equals [`Identity::subject`].
    pub subject_matches: bool,
    /// Whether this is a legacy, non-expiring secret token.
    pub legacy: bool,
}

fn reference(v: Option<&Value>) -> Option<Ref> {
    let o = v?.as_object()?;
    Some(Ref { name: o.get("name")?.as_str()?.to_owned(), uid: o.get("uid").and_then(Value::as_str).map(str::to_owned) })
}

/// Reads the Kubernetes identity from a claims set, or `None` when it has none.
pub fn identity(payload: &Map<String, Value>) -> Option<Identity> {
    let sub = payload.get("sub").and_then(Value::as_str);
    let (namespace, service_account, pod, node, secret, warn_after, legacy) = match payload.get("kubernetes.io") {
        Some(Value::Object(k)) => {
            let ns = k.get("namespace")?.as_str()?.to_owned();
            let sa = reference(k.get("serviceaccount"))?;
            let warn = k.get("warnafter").and_then(Value::as_f64).map(|w| w as i64);
            (ns, sa, reference(k.get("pod")), reference(k.get("node")), reference(k.get("secret")), warn, false)
        }
        _ => {
            let get = |name: &str| payload.get(&format!("kubernetes.io/serviceaccount/{name}")).and_then(Value::as_str);
            let ns = get("namespace")?.to_owned();
            let sa = Ref { name: get("service-account.name")?.to_owned(), uid: get("service-account.uid").map(str::to_owned) };
            let secret = get("secret.name").map(|n| Ref { name: n.to_owned(), uid: None });
            (ns, sa, None, None, secret, None, true)
        }
    };
    let subject = format!("system:serviceaccount:{namespace}:{}", service_account.name);
    Some(Identity {
        subject_matches: sub == Some(subject.as_str()),
        subject,
        namespace,
        service_account,
        pod,
        node,
        secret,
        warn_after,
        legacy,
    })
}
