//! The identity assertion and WebSocket rules for the worker (`src/gate/assertion.rs`,
//! `src/gate/websocket.rs`): the gate's signing keys and documents, the headers the origin gets
//! besides the assertion, and the upgrade checks. Conversions only.

use super::convert::{invalid, json_text, to_plain};
use super::gate::{gate_js, header_list};
use crate::gate::assertion::{self, Assertions, Caller, Kubernetes};
use crate::gate::proxy::{Origin, Source};
use crate::gate::websocket;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_ASSERTION_TYPES: &'static str = r#"
/** A ServiceAccount token's Kubernetes identity, as its `kubernetes.io` claim writes it. */
export interface GateKubernetes { namespace: string; serviceaccount: { name: string; uid?: string }; pod?: { name: string; uid?: string } }
export interface GateIdentity {
  /** A Bearer ServiceAccount token's Kubernetes identity (sessions keep none). */
  kubernetes?: GateKubernetes | null;
}
"#;

/// Adds to a Bearer token's identity what the assertion and the headers read from it: the
/// mount, the token's `exp` and its Kubernetes identity.
pub(super) fn add_token_identity(identity: &mut serde_json::Value, mount: &str, claims: &serde_json::Map<String, serde_json::Value>) {
    if let Some(obj) = identity.as_object_mut() {
        obj.insert("mount".into(), mount.into());
        if let Some(exp) = claims.get("exp").and_then(serde_json::Value::as_f64) {
            obj.insert("exp".into(), exp.floor().into());
        }
        obj.insert("kubernetes".into(), serde_json::json!(Kubernetes::from_claims(claims)));
    }
}

fn caller(identity: &JsValue) -> Result<Caller, JsValue> {
    let text = json_text(identity, "identity").map_err(gate_js)?;
    serde_json::from_str(&text).map_err(|_| gate_js(invalid("identity must be a GateIdentity (mount, role, alias, ...)")))
}

/// The gate's assertion issuer (`ASSERTION_KEY`, `ASSERTION_KEY_PREVIOUS`, `GATE_URL`,
/// `ASSERTION_AUDIENCE` or ORIGIN). A bad setting throws `ERR_CONFIG_INVALID`, never quoting a key.
#[wasm_bindgen(js_name = GateAssertions)]
pub struct JsGateAssertions {
    inner: Assertions,
}

#[wasm_bindgen(js_class = GateAssertions)]
impl JsGateAssertions {
    #[wasm_bindgen(constructor)]
    pub fn new(key: &str, previous: Option<String>, gate_url: Option<String>, audience: Option<String>, origin: Option<String>) -> Result<JsGateAssertions, JsValue> {
        let issuer = assertion::gate_url(gate_url.as_deref().unwrap_or_default().trim())
            .map_err(|e| gate_js(if gate_url.as_deref().is_none_or(|g| g.trim().is_empty()) { crate::Error::new(crate::Code::ConfigInvalid, "ASSERTION_KEY needs GATE_URL, the gate's own https origin (the assertion's issuer)") } else { e }))?;
        let origin = origin.filter(|o| !o.trim().is_empty()).map(|o| Origin::parse(&o)).transpose().map_err(gate_js)?;
        let audience = assertion::audience(audience.as_deref(), origin.as_ref()).map_err(gate_js)?;
        Ok(JsGateAssertions { inner: Assertions::new(key, previous.as_deref(), issuer, audience).map_err(gate_js)? })
    }

    /// The issuer (`GATE_URL`, as a URL parser writes an origin).
    #[wasm_bindgen(getter)]
    pub fn issuer(&self) -> String {
        self.inner.issuer().to_owned()
    }

    /// The audience.
    #[wasm_bindgen(getter)]
    pub fn audience(&self) -> String {
        self.inner.audience().to_owned()
    }

    /// The signing key's `kid`.
    #[wasm_bindgen(getter)]
    pub fn kid(&self) -> String {
        self.inner.kid().to_owned()
    }

    /// The assertion for `identity` (a `GateIdentity`) at `now` (seconds), with `jti` (at least
    /// 22 base64url characters of randomness).
    pub fn sign(&self, #[wasm_bindgen(unchecked_param_type = "GateIdentity")] identity: JsValue, now: f64, jti: &str) -> Result<String, JsValue> {
        self.inner.sign(&caller(&identity)?, now.floor() as i64, jti).map_err(gate_js)
    }

    /// `/.well-known/jwks.json`'s body.
    pub fn jwks(&self) -> String {
        self.inner.jwks().to_string()
    }

    /// `/.well-known/openid-configuration`'s body.
    pub fn discovery(&self) -> String {
        self.inner.discovery().to_string()
    }

    /// Which of the gate's documents a request's URL names, on its normalised path (as the
    /// proxy reads it): `"jwks"`, `"discovery"`, or null (not the gate's: proxied).
    pub fn document(url: &str) -> Option<String> {
        let target = crate::gate::proxy::target_in::<&str>(url, &[]).ok()?;
        match target.path.as_str() {
            assertion::JWKS_PATH => Some("jwks".to_owned()),
            assertion::DISCOVERY_PATH => Some("discovery".to_owned()),
            _ => None,
        }
    }

    /// `Cache-Control: max-age` of the documents, in seconds.
    #[wasm_bindgen(js_name = maxAge)]
    pub fn max_age() -> u32 {
        assertion::KEYS_MAX_AGE
    }
}

/// The fields the origin gets besides the assertion (`assertion::origin_headers`): the role's
/// metadata and a ServiceAccount's Kubernetes identity, values percent-encoded.
#[wasm_bindgen(js_name = originHeaders, unchecked_return_type = "Record<string, string>")]
pub fn origin_headers(#[wasm_bindgen(unchecked_param_type = "GateIdentity")] identity: JsValue) -> Result<JsValue, JsValue> {
    let fields: serde_json::Map<String, serde_json::Value> = assertion::origin_headers(&caller(&identity)?).into_iter().map(|(n, v)| (n, v.into())).collect();
    to_plain(&fields)
}

/// Whether a request asks for a WebSocket (`websocket::is_upgrade`).
#[wasm_bindgen(js_name = isWebSocketUpgrade)]
pub fn is_websocket_upgrade(method: &str, #[wasm_bindgen(unchecked_param_type = "HeaderList")] headers: JsValue) -> Result<bool, JsValue> {
    Ok(websocket::is_upgrade(method, &header_list(&headers, "headers")?))
}

/// Throws `ERR_PERMISSION_DENIED` (403) for an upgrade that must not go on
/// (`websocket::check_upgrade`); `from` is the credential's `GateCredential.from`.
#[wasm_bindgen(js_name = checkWebSocketUpgrade)]
pub fn check_websocket_upgrade(#[wasm_bindgen(unchecked_param_type = "HeaderList")] headers: JsValue, url: &str, from: &str) -> Result<(), JsValue> {
    let source = match from {
        "cookie" => Source::Cookie,
        "authorization" => Source::Authorization,
        "x-vault-token" => Source::VaultToken,
        _ => return Err(gate_js(invalid("from must name a credential's header"))),
    };
    let gate = crate::gate::proxy::request_origin(url);
    websocket::check_upgrade(&header_list(&headers, "headers")?, gate.as_deref(), source).map_err(gate_js)
}

/// The upgrade's fields to the origin from the forwarded ones (`websocket::upstream_headers`).
#[wasm_bindgen(js_name = webSocketHeaders, unchecked_return_type = "HeaderList")]
pub fn websocket_headers(#[wasm_bindgen(unchecked_param_type = "HeaderList")] forwarded: JsValue) -> Result<JsValue, JsValue> {
    to_plain(&websocket::upstream_headers(&header_list(&forwarded, "headers")?))
}

/// How often an open WebSocket's session is checked, in seconds (`websocket::CHECK_SECONDS`).
#[wasm_bindgen(js_name = webSocketCheckSeconds)]
pub fn websocket_check_seconds() -> u32 {
    websocket::CHECK_SECONDS
}
