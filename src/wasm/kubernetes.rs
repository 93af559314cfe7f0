//! `kubernetesIdentity`: who a ServiceAccount token names.

use super::convert::{invalid, json_text, to_js, to_plain};
use wasm_bindgen::prelude::*;

/// The Kubernetes identity in a (verified) claims set, or `null`.
#[wasm_bindgen(js_name = kubernetesIdentity, unchecked_return_type = "KubernetesIdentity | null")]
pub fn kubernetes_identity(#[wasm_bindgen(unchecked_param_type = "JWTPayload")] payload: JsValue) -> Result<JsValue, JsValue> {
    let text = json_text(&payload, "argument payload").map_err(to_js)?;
    let value = crate::json::parse(text.as_bytes()).map_err(|e| to_js(invalid(format!("argument payload is not valid JSON: {e}"))))?;
    match value.as_object().and_then(crate::kubernetes::identity) {
        Some(id) => to_plain(&id),
        None => Ok(JsValue::NULL),
    }
}
