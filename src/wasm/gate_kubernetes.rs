//! The edge gate's Kubernetes mounts (`src/gate/kubernetes/`): the worker asks for the
//! TokenReview this class writes, sends it, and hands the API server's answer back; every check
//! and the session it mints are decided here, in Rust. Sessions are the JWT mounts' (`Sessions`).

use super::convert::{json_text, parse_jwks, to_js, to_plain};
use super::gate::{check_session_id, gate_js, remote_ip, Sessions};
use crate::error::{Code, Error};
use crate::gate::kubernetes::{Answer, Environment, KubeCheck, KubeMount, LocalKeys};
use crate::gate::session::SessionKey;
use js_sys::Reflect;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_KUBERNETES_TYPES: &'static str = r#"
/** A `type: kubernetes` entry of AUTH_CONFIG, as `parseAuthConfig` lists it. */
export interface KubernetesEntry { path: string; config: Record<string, unknown>; roles: Record<string, unknown> }
/** What a Kubernetes mount's config defaults are read from: the worker's variables and its FILES secret. */
export interface KubernetesEnv { KUBERNETES_SERVICE_HOST?: string; KUBERNETES_SERVICE_PORT?: string; FILES?: string }
/** The TokenReview to send (`Review`): POST, headers, body; `caPem` pins the API server's CA (null: public roots). */
export interface KubernetesReview { url: string; method: "POST"; headers: [string, string][]; body: string; caPem: string | null }
"#;

/// A refused Kubernetes login as a JS error: Vault's answer and status, the check, the log line.
fn refusal(check: &KubeCheck, mount: &str, role: &str) -> JsValue {
    let e = check.error.clone().unwrap_or_else(|| Error::new(Code::PermissionDenied, "permission denied"));
    let js = to_js(e);
    let _ = Reflect::set(&js, &"status".into(), &JsValue::from(check.status));
    let _ = Reflect::set(&js, &"check".into(), &JsValue::from(check.id.name()));
    let _ = Reflect::set(&js, &"log".into(), &JsValue::from(check.log_line(mount, &crate::gate::fields::go_lower(role))));
    js
}

fn answer_of<'a>(status: Option<u16>, body: &'a Option<Vec<u8>>) -> Answer<'a> {
    match (status, body) {
        (Some(s), Some(b)) => Answer::Given(s, b),
        (Some(s), None) => Answer::Given(s, &[]),
        _ => Answer::NotAsked,
    }
}

/// One Kubernetes mount of the gate.
#[wasm_bindgen(js_name = KubernetesGate)]
pub struct JsKubernetesGate {
    mount: KubeMount,
    key: SessionKey,
    binding: String,
}

#[wasm_bindgen(js_class = KubernetesGate)]
impl JsKubernetesGate {
    /// The mount from its AUTH_CONFIG entry, its config completed from `env` (Bank-Vaults'
    /// and Vault's pod defaults); every role checked now. Throws `ERR_CONFIG_INVALID`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "KubernetesEntry")] entry: JsValue,
        #[wasm_bindgen(unchecked_param_type = "KubernetesEnv")] env: JsValue,
        session_secret: &str,
    ) -> Result<JsKubernetesGate, JsValue> {
        let bad = |what: &str| gate_js(Error::new(Code::ConfigInvalid, format!("{what} must be a JSON object")));
        let entry = crate::json::parse(json_text(&entry, "entry").map_err(gate_js)?.as_bytes()).map_err(|_| bad("the entry"))?;
        let env = crate::json::parse(json_text(&env, "env").map_err(gate_js)?.as_bytes()).map_err(|_| bad("env"))?;
        let text = |k: &str| env.get(k).and_then(serde_json::Value::as_str).map(str::to_owned);
        let environment = Environment::with_files(text("KUBERNETES_SERVICE_HOST"), text("KUBERNETES_SERVICE_PORT"), &text("FILES").unwrap_or_default()).map_err(gate_js)?;
        let path = crate::gate::mounts::mount_path(entry.get("path").and_then(serde_json::Value::as_str).unwrap_or("kubernetes")).map_err(gate_js)?;
        let empty = serde_json::Map::new();
        let config = entry.get("config").and_then(serde_json::Value::as_object).unwrap_or(&empty);
        let roles = entry.get("roles").cloned().unwrap_or(serde_json::Value::Null);
        let mount = KubeMount::new(&path, config, &roles, &environment).map_err(gate_js)?;
        let key = SessionKey::new(session_secret.as_bytes()).map_err(gate_js)?;
        let binding = mount.binding();
        Ok(JsKubernetesGate { mount, key, binding })
    }

    /// The mount path.
    #[wasm_bindgen(getter)]
    pub fn mount(&self) -> String {
        self.mount.path.clone()
    }

    /// The method: `"kubernetes"`.
    #[wasm_bindgen(getter)]
    pub fn method(&self) -> String {
        "kubernetes".into()
    }

    /// Vault's write-time warnings (a role without `audience`).
    #[wasm_bindgen(getter)]
    pub fn warnings(&self) -> Vec<String> {
        self.mount.warnings.clone()
    }

    /// The role names.
    #[wasm_bindgen(getter)]
    pub fn roles(&self) -> Vec<String> {
        self.mount.roles.keys().cloned().collect()
    }

    /// `kubernetes_host`.
    #[wasm_bindgen(getter)]
    pub fn host(&self) -> String {
        self.mount.config.kubernetes_host.clone()
    }

    /// The API server's CA (`kubernetes_ca_cert`, or the pod's), which also pins the issuer's
    /// keys in local mode when they are served by the API server; null for public roots.
    #[wasm_bindgen(getter, js_name = caPem)]
    pub fn ca_pem(&self) -> Option<String> {
        self.mount.config.kubernetes_ca_cert.clone()
    }

    /// In local-verification mode, where the keys come from: `pem_keys`,
    /// `oidc_discovery_url` or `jwks_url`; null when TokenReview decides.
    #[wasm_bindgen(getter)]
    pub fn local(&self) -> Option<String> {
        self.mount.config.local.as_ref().map(|l| match l {
            LocalKeys::Pem => "pem_keys".into(),
            LocalKeys::Discovery(_) => "oidc_discovery_url".into(),
            LocalKeys::JwksUrl(_) => "jwks_url".into(),
        })
    }

    /// The URL of the issuer's keys in local mode (discovery or JWKS), else null.
    #[wasm_bindgen(getter, js_name = keyUrl)]
    pub fn key_url(&self) -> Option<String> {
        match &self.mount.config.local {
            Some(LocalKeys::Discovery(u) | LocalKeys::JwksUrl(u)) => Some(u.clone()),
            _ => None,
        }
    }

    /// Installs the issuer's key set (local mode with a discovery or JWKS URL).
    #[wasm_bindgen(js_name = setKeys)]
    pub fn set_keys(&mut self, #[wasm_bindgen(unchecked_param_type = "JWKS | string")] jwks: JsValue) -> Result<Vec<String>, JsValue> {
        let verifier = crate::Verifier::from_jwks(parse_jwks(&jwks).map_err(gate_js)?);
        let ids = verifier.key_ids().into_iter().map(str::to_owned).collect();
        self.mount.set_keys(verifier).map_err(gate_js)?;
        Ok(ids)
    }

    /// Replaces the key set with one its issuer published (a fetch's JSON text), as
    /// `Gate.setFetchedKeys`: a well-formed set with no usable key is the issuer's revocation.
    #[wasm_bindgen(js_name = setFetchedKeys)]
    pub fn set_fetched_keys(&mut self, #[wasm_bindgen(unchecked_param_type = "string")] jwks: JsValue) -> Result<Vec<String>, JsValue> {
        let verifier = super::gate::published_verifier(&jwks)?;
        let ids = verifier.key_ids().into_iter().map(str::to_owned).collect();
        self.mount.set_keys(verifier).map_err(gate_js)?;
        Ok(ids)
    }

    /// Parses a login body strictly, as the JWT mounts do: `[role, jwt, set_cookie]`.
    #[wasm_bindgen(js_name = parseLogin, unchecked_return_type = "GateLoginRequest")]
    pub fn parse_login(&self, #[wasm_bindgen(unchecked_param_type = "Uint8Array")] body: JsValue) -> Result<JsValue, JsValue> {
        super::gate::login_request(&body)
    }

    /// Every check before the review, in Vault's order: throws Vault's answer, or returns the
    /// TokenReview to send (null in local mode, where none is sent).
    #[wasm_bindgen(unchecked_return_type = "KubernetesReview | null")]
    pub fn review(&self, role: &str, jwt: &str, remote: Option<String>, now: f64) -> Result<JsValue, JsValue> {
        let e = self.mount.explain(role, jwt, remote_ip(remote), now, Answer::NotAsked);
        if let Some(c) = e.failure() {
            return Err(refusal(c, &self.mount.path, role));
        }
        match e.review {
            None => Ok(JsValue::NULL),
            Some(r) => to_plain(&serde_json::json!({
                "url": r.url, "method": "POST", "headers": r.headers, "body": r.body, "caPem": self.mount.config.kubernetes_ca_cert,
            })),
        }
    }

    /// Vault's login with the API server's answer to the review (`status` and `body`; both null
    /// in local mode): mints a session with the host's random `session_id` and returns Vault's
    /// answer as JSON text, as `Gate.login`. A refusal carries `status`, `check` and `log`.
    #[allow(clippy::too_many_arguments)]
    pub fn login(
        &self,
        role: &str,
        jwt: &str,
        remote: Option<String>,
        now: f64,
        status: Option<u16>,
        body: Option<Vec<u8>>,
        session_id: &str,
        request_id: &str,
    ) -> Result<String, JsValue> {
        check_session_id(session_id)?;
        let login = self.mount.login(role, jwt, remote_ip(remote), now, answer_of(status, &body)).map_err(|c| refusal(&c, &self.mount.path, role))?;
        let session = login.session(&self.mount.path, &self.binding, session_id, now.floor() as i64);
        self.sessions().answer(&session, request_id, &login.login.warnings)
    }

    /// The config's `issuer`, which Bearer tokens are routed by when several mounts are
    /// configured; null for none.
    #[wasm_bindgen(getter)]
    pub fn issuer(&self) -> Option<String> {
        Some(self.mount.config.issuer.clone()).filter(|i| !i.is_empty())
    }

    /// The gate's `default_role` of this mount (the role of Bearer tokens on proxied paths), or
    /// undefined: then a Bearer token is never checked here.
    #[wasm_bindgen(getter, js_name = defaultRole)]
    pub fn default_role(&self) -> Option<String> {
        self.mount.config.default_role.clone()
    }

    /// A ServiceAccount token sent as Bearer on a proxied path: every check of a login against
    /// `role`, with the API server's answer to its review (or none in local mode), and no
    /// session. The identity for the origin, or the refusal.
    #[wasm_bindgen(unchecked_return_type = "GateIdentity")]
    pub fn authorize(&self, role: &str, jwt: &str, remote: Option<String>, now: f64, status: Option<u16>, body: Option<Vec<u8>>) -> Result<JsValue, JsValue> {
        let l = self.mount.login(role, jwt, remote_ip(remote), now, answer_of(status, &body)).map_err(|c| refusal(&c, &self.mount.path, role))?.login;
        to_plain(&serde_json::json!({
            "role": l.role, "alias": l.alias, "groups": l.groups, "policies": l.policies, "meta": l.metadata,
            "mount": self.mount.path, "headers": crate::gate::vault::identity_headers(&self.mount.path, &l.role, &l.alias, &l.groups, &l.policies),
        }))
    }

    fn sessions(&self) -> Sessions<'_> {
        Sessions { key: &self.key, mount: &self.mount.path, binding: &self.binding }
    }

    /// A role's lifetimes as they are now, for a renewal.
    fn lease(&self, role: &str) -> Option<crate::gate::role::Lease> {
        self.mount.roles.get(role).map(|r| r.token.lease())
    }
}

super::gate::session_methods!(JsKubernetesGate, KubernetesGate);

/// `explainLogin` for a Kubernetes role (`kubernetes::explain_mount`): every check before
/// TokenReview, which the page does not ask; `None` for a JWT role.
pub(super) fn explain(role: &str, config: Option<&str>, name: Option<&str>, token: &str, remote: Option<String>, now: f64) -> Result<Option<serde_json::Value>, JsValue> {
    let parse = |text: &str, what: &str| crate::json::parse(text.as_bytes()).map_err(|e| gate_js(Error::new(Code::ConfigInvalid, format!("the {what} is not valid JSON: {e}"))));
    let config = config.filter(|c| !c.trim().is_empty()).map(|c| parse(c, "config")).transpose()?;
    let Some((mount, name)) = crate::gate::kubernetes::explain_mount(&parse(role, "role")?, name, config).map_err(gate_js)? else { return Ok(None) };
    Ok(Some(mount.explain(&name, token, remote_ip(remote), now, Answer::NotAsked).to_json()))
}
