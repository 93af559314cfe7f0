//! `discoveryJwksUri`: OpenID Connect discovery documents, checked in Rust for every host.

use super::convert::{string_arg, to_js};
use crate::error::Code;
use wasm_bindgen::prelude::*;

/// The `jwks_uri` of an OpenID Connect discovery document (its JSON text) fetched for `issuer`,
/// which the document must name exactly; duplicate members are refused. The URL's scheme is the
/// caller's to check.
#[wasm_bindgen(js_name = discoveryJwksUri)]
pub fn discovery_jwks_uri(
    #[wasm_bindgen(unchecked_param_type = "string")] document: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] issuer: JsValue,
) -> Result<String, JsValue> {
    let document = string_arg(&document, "argument document", crate::discovery::MAX_DISCOVERY_BYTES, Code::DiscoveryInvalid).map_err(to_js)?;
    // A `&str` parameter let the glue copy a number as a string of garbage and free it.
    let issuer = string_arg(&issuer, "argument issuer", crate::discovery::MAX_DISCOVERY_BYTES, Code::InvalidArgument).map_err(to_js)?;
    crate::discovery::jwks_uri(document.as_bytes(), &issuer).map_err(to_js)
}

/// The rule for what a key source may be fetched from (`crate::fetch`): `null` when `url` (as
/// the host's fetch will request it: `new URL(x).href`) may be fetched, else `{ code, message }`
/// (`ERR_URL_INVALID`, `ERR_URL_SCHEME`, `ERR_URL_PLAIN_HTTP`, `ERR_URL_CREDENTIALS`), the
/// message about `what`. Each host throws its own error class with them.
#[wasm_bindgen(js_name = fetchableUrl, unchecked_return_type = "{ code: string; message: string } | null")]
pub fn fetchable_url(
    #[wasm_bindgen(unchecked_param_type = "string")] url: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] what: JsValue,
) -> Result<JsValue, JsValue> {
    let what = string_arg(&what, "argument what", 200, Code::InvalidArgument).map_err(to_js)?;
    let refusal = match string_arg(&url, "argument url", crate::discovery::MAX_DISCOVERY_BYTES, Code::InvalidArgument) {
        Ok(url) => crate::fetch::check(&url).err(),
        Err(_) => Some(crate::fetch::Refusal::Invalid),
    };
    match refusal {
        None => Ok(JsValue::NULL),
        Some(r) => {
            let mut out = format!("{{\"code\":\"{}\",\"message\":", r.code());
            super::convert::push_json(&mut out, r.message(&what).as_str());
            out.push('}');
            super::convert::parse_json(&out)
        }
    }
}
