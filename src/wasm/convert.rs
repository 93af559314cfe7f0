//! Crossing the boundary: core errors to JS `Error`s, results to plain JS values, and arguments
//! checked (type and size) before they are copied into wasm memory.

use crate::error::{Code, Error};
use crate::jwk::{Jwk, Jwks};
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/js/errors.mjs")]
extern "C" {
    /// An instance of the class jose names for `code` (js/errors.mjs), a TypeError for ERR_INVALID_ARGUMENT.
    #[wasm_bindgen(js_name = fromCode)]
    fn error_from_code(code: &str, message: &str, claim: Option<&str>, reason: Option<&str>) -> JsValue;
}

/// Converts a core error to a JS error of jose's class for its code, with `name`, `code`, and
/// `claim`/`reason` when set.
pub(crate) fn to_js(e: Error) -> JsValue {
    error_from_code(e.code().as_str(), e.message(), e.claim_name(), e.reason().map(|r| r.as_str()))
}

pub(crate) fn invalid(message: impl Into<String>) -> Error {
    Error::new(Code::InvalidArgument, message)
}

/// A plain JS value (objects, arrays, strings, numbers) from a serializable one. Through JSON
/// text and the host's native `JSON.parse`: one crossing instead of one per key and value,
/// which profiling showed to be most of the non-RSA cost of a verify. Values read as `JSON.parse`
/// (and `jose`) reads them: an integer beyond 2^53 becomes the nearest double, `__proto__` an
/// own property. Same shape as
/// serde-wasm-bindgen's `json_compatible` (integers as numbers, `None` as `null`).
pub(crate) fn to_plain<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    parse_json(&serde_json::to_string(value).map_err(|e| to_js(invalid(format!("cannot convert result: {e}"))))?)
}

pub(crate) fn parse_json(text: &str) -> Result<JsValue, JsValue> {
    js_sys::JSON::parse(text).map_err(|_| to_js(invalid("cannot convert result")))
}

/// Appends `value` as JSON; values here are strings and string-keyed maps, which cannot fail.
pub(crate) fn push_json<T: Serialize + ?Sized>(out: &mut String, value: &T) {
    out.push_str(&serde_json::to_string(value).unwrap_or_else(|_| "null".into()));
}

/// JSON text of a value given as a string or a plain object.
pub(crate) fn json_text(value: &JsValue, what: &str) -> Result<String, Error> {
    if let Some(s) = value.as_string() {
        return Ok(s);
    }
    if value.is_object() {
        return js_sys::JSON::stringify(value)
            .ok()
            .and_then(|s| s.as_string())
            .ok_or_else(|| invalid(format!("{what} cannot be serialized as JSON")));
    }
    Err(invalid(format!("{what} must be an object or a JSON string")))
}

/// A string argument, refused before it is copied into wasm memory when it is not a string
/// (wasm-bindgen's `&str` glue traps on a number) or when its UTF-16 length already exceeds
/// `max_bytes` (its UTF-8 form is never shorter), so a hostile 10 MB token costs no copy.
pub(crate) fn string_arg(value: &JsValue, what: &str, max_bytes: usize, code: Code) -> Result<String, Error> {
    let s = value.dyn_ref::<js_sys::JsString>().ok_or_else(|| invalid(format!("{what} must be a string")))?;
    fits(s, what, max_bytes, code)?;
    Ok(String::from(s))
}

pub(crate) fn fits(s: &js_sys::JsString, what: &str, max_bytes: usize, code: Code) -> Result<(), Error> {
    if s.length() as usize > max_bytes {
        return Err(Error::new(code, format!("{what} is over {max_bytes} bytes")));
    }
    Ok(())
}

pub(crate) fn parse_jwks(jwks: &JsValue) -> Result<Jwks, Error> {
    if let Some(s) = jwks.dyn_ref::<js_sys::JsString>() {
        // Refused before the copy, as tokens are: a 4 MB set costs no copy into wasm memory.
        fits(s, "JWKS", crate::jwk::MAX_JWKS_BYTES, Code::JwksInvalid)?;
    }
    let text = json_text(jwks, "jwks").map_err(|e| Error::new(Code::JwksInvalid, e.message()))?;
    Jwks::parse(text.as_bytes())
}

pub(crate) fn parse_jwk(jwk: &JsValue) -> Result<Jwk, Error> {
    let text = json_text(jwk, "jwk").map_err(|e| Error::new(Code::JwkInvalid, e.message()))?;
    Jwk::parse(text.as_bytes())
}
