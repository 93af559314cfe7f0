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
    let document = string_arg(&document, "discovery document", crate::discovery::MAX_DISCOVERY_BYTES, Code::DiscoveryInvalid).map_err(to_js)?;
    // A `&str` parameter let the glue copy a number as a string of garbage and free it.
    let issuer = string_arg(&issuer, "issuer", crate::discovery::MAX_DISCOVERY_BYTES, Code::InvalidArgument).map_err(to_js)?;
    crate::discovery::jwks_uri(document.as_bytes(), &issuer).map_err(to_js)
}
