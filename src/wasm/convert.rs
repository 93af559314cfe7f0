//! Crossing the boundary: every argument enters wasm here, checked (type and size) before it is
//! copied into wasm memory, and core errors and results leave as JS values.
//!
//! Why one path: a JS exception thrown by a JS function that Rust calls unwinds through the wasm
//! frames above it without running their epilogues. Rust destructors do not run (allocations and
//! externref slots leak), wasm-bindgen's borrow of `this` is never released, and the
//! shadow-stack pointer (a global each function lowers on entry and restores on return) stays
//! lowered by every frame it skipped: a few hundred such calls push it below zero, and from then
//! on every export of the instance traps with "memory access out of bounds". So the bindings take
//! every argument as a `JsValue` (wasm-bindgen's `&str` and `&[u8]` glue reads `length` and
//! copies a value of any type before Rust can check it), and read values only through the
//! functions of `crossing.js`, each of which catches and returns an exception as a value. The
//! caller's code that may run while a value is read (getters, Proxy traps, `toJSON`) runs at most
//! once per read, and what it returns is copied into Rust at once.

use crate::error::{short, Code, Error};
use crate::jwk::{Jwk, Jwks};
use js_sys::{JsString, Uint8Array};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// The JS functions Rust calls on values it was given (`crossing.js`): each returns an
/// `Outcome` and never throws. (js-sys declares `Array.isArray`, `Date#getTime`, `Array.from`
/// and typed-array copies without `catch`, so an exception in those went straight through wasm;
/// and its `catch` imports that return a JS value leak a table slot each time they throw.)
#[wasm_bindgen(module = "/src/wasm/crossing.js")]
extern "C" {
    /// `{ ok, value }`: the result, or (`ok` false) the exception.
    type Outcome;
    #[wasm_bindgen(method, getter)]
    fn ok(this: &Outcome) -> bool;
    #[wasm_bindgen(method, getter)]
    fn value(this: &Outcome) -> JsValue;
    /// For `crossingGetAll`: the key whose reading threw.
    #[wasm_bindgen(method, getter)]
    fn key(this: &Outcome) -> JsValue;

    #[wasm_bindgen(js_name = crossingGet)]
    fn reflect_get(target: &JsValue, key: &JsValue) -> Outcome;
    #[wasm_bindgen(js_name = crossingGetAll)]
    fn reflect_get_all(target: &JsValue, keys: &str) -> Outcome;
    #[wasm_bindgen(js_name = crossingOwnKeys)]
    fn reflect_own_keys(target: &JsValue) -> Outcome;
    #[wasm_bindgen(js_name = crossingIsArray)]
    fn array_is_array(value: &JsValue) -> Outcome;
    #[wasm_bindgen(js_name = crossingDateTime)]
    fn date_time_value(value: &JsValue) -> Outcome;
    #[wasm_bindgen(js_name = crossingNow)]
    fn date_now() -> Outcome;
    #[wasm_bindgen(js_name = crossingStringify)]
    fn json_stringify(value: &JsValue) -> Outcome;
    #[wasm_bindgen(js_name = crossingBytes)]
    fn copy_bytes(value: &JsValue) -> Outcome;

    /// A fresh Uint8Array that `crossingBytes` made, so its `length` and contents are its own.
    #[wasm_bindgen(extends = Uint8Array)]
    type OwnBytes;
}

impl Outcome {
    fn result(self) -> Result<JsValue, JsValue> {
        if self.ok() {
            Ok(self.value())
        } else {
            Err(self.value())
        }
    }
}

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

/// A JS error of jose's family with a code the core does not have (the gate's network errors).
#[cfg(feature = "gate")]
pub(crate) fn coded(code: &str, message: &str) -> JsValue {
    error_from_code(code, message, None, None)
}

pub(crate) fn invalid(message: impl Into<String>) -> Error {
    Error::new(Code::InvalidArgument, message)
}

/// What a JS exception said, for a message: its `message` (read the checked way), cut short.
pub(crate) fn thrown(exception: &JsValue) -> String {
    let text = exception.as_string().or_else(|| reflect_get(exception, &"message".into()).result().ok().and_then(|m| m.as_string()));
    text.map_or_else(|| "a value that is not an Error".to_owned(), |t| short(&t).to_owned())
}

/// `target[key]`, or an `ERR_INVALID_ARGUMENT` saying that reading `what` threw.
pub(crate) fn get(target: &JsValue, key: &JsValue, what: &str) -> Result<JsValue, Error> {
    reflect_get(target, key).result().map_err(|e| invalid(format!("{what} could not be read: reading it threw: {}", thrown(&e))))
}

/// `target[key]` for each of the comma-separated `keys`, in one crossing; an error names the key
/// (as `{what} {key}`) whose reading threw.
pub(crate) fn get_all(target: &JsValue, keys: &str, what: &str) -> Result<Vec<JsValue>, Error> {
    let outcome = reflect_get_all(target, keys);
    if !outcome.ok() {
        let key = outcome.key().as_string().unwrap_or_default();
        return Err(invalid(format!("{what} {key} could not be read: reading it threw: {}", thrown(&outcome.value()))));
    }
    // An array crossing.js made: plain data.
    Ok(outcome.value().unchecked_into::<js_sys::Array>().iter().collect())
}

/// Whether `value` is an array (a Proxy of one too); a revoked Proxy is an error, not `false`.
pub(crate) fn is_array(value: &JsValue, what: &str) -> Result<bool, Error> {
    let is = array_is_array(value).result().map_err(|e| invalid(format!("{what} could not be read: {}", thrown(&e))))?;
    Ok(is.is_truthy())
}

/// The string-keyed own property names of an object (a Proxy's `ownKeys` trap runs once).
pub(crate) fn own_keys(value: &JsValue, what: &str, max: u32) -> Result<Vec<String>, Error> {
    let keys = reflect_own_keys(value).result().map_err(|e| invalid(format!("{what} could not be read: listing its members threw: {}", thrown(&e))))?;
    // The engine made this array itself (CreateArrayFromList): plain data, no getters.
    let n = array_length(&keys, what, u32::MAX)?;
    if n > max {
        return Err(invalid(format!("{what} has {n} members, more than any accepted set of options")));
    }
    let mut out = Vec::new();
    for i in 0..n {
        if let Some(name) = get(&keys, &i.into(), what)?.as_string() {
            out.push(name);
        }
    }
    Ok(out)
}

/// An array's `length` (a Proxy's trap runs once), at most `max`.
fn array_length(array: &JsValue, what: &str, max: u32) -> Result<u32, Error> {
    let n = get(array, &"length".into(), what)?.as_f64().unwrap_or(f64::NAN);
    if !(n.fract() == 0.0 && (0.0..=f64::from(max)).contains(&n)) {
        return Err(invalid(format!("{what} holds more than {max} entries")));
    }
    Ok(n as u32)
}

/// The elements of a JS array (`is_array` true), read by index: its length first, at most `max`,
/// then each element once. Its iterator is never run; an array whose iterator is not the
/// built-in one is refused, since code that iterates it (jose's `new Set(algorithms)`) would
/// see other elements than these.
pub(crate) fn array_items(array: &JsValue, what: &str, max: u32) -> Result<Vec<JsValue>, Error> {
    let iterator = js_sys::Symbol::iterator();
    let builtin = reflect_get(&js_sys::Array::new(), &iterator).result().ok();
    let own = get(array, &iterator, what)?;
    if builtin.as_ref() != Some(&own) {
        return Err(invalid(format!("{what} must be a plain array (its iterator was replaced)")));
    }
    let n = array_length(array, what, max)?;
    (0..n).map(|i| get(array, &i.into(), what)).collect()
}

/// Seconds since the epoch of a real `Date` (see `date_time_value`), `None` for anything else.
pub(crate) fn date_seconds(value: &JsValue) -> Option<f64> {
    date_time_value(value).result().ok().and_then(|ms| ms.as_f64()).map(|ms| ms / 1000.0)
}

/// The wall clock in whole seconds.
pub(crate) fn wall_clock() -> Result<i64, Error> {
    let ms = date_now().result().map_err(|e| invalid(format!("the clock could not be read: {}", thrown(&e))))?;
    Ok((ms.as_f64().unwrap_or(f64::NAN) / 1000.0).floor() as i64)
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

/// Largest JSON argument (a payload, a gate configuration) taken from JS.
const MAX_JSON_ARG_BYTES: usize = 16 * 1024 * 1024;

/// The JSON text of a value given as a string or an object, still in JS (not yet copied).
fn json_string(value: &JsValue, what: &str) -> Result<JsString, Error> {
    if let Some(s) = value.dyn_ref::<JsString>() {
        return Ok(s.clone());
    }
    if value.is_object() {
        let text = json_stringify(value).result().map_err(|e| invalid(format!("{what} cannot be serialized as JSON: {}", thrown(&e))))?;
        return text.dyn_into::<JsString>().map_err(|_| invalid(format!("{what} cannot be serialized as JSON")));
    }
    Err(invalid(format!("{what} must be an object or a JSON string")))
}

/// JSON text of a value given as a string or a plain object, bounded before it is copied.
pub(crate) fn json_text(value: &JsValue, what: &str) -> Result<String, Error> {
    let text = json_string(value, what)?;
    fits(&text, what, MAX_JSON_ARG_BYTES, Code::InvalidArgument)?;
    Ok(String::from(text))
}

/// A string argument, refused before it is copied into wasm memory when it is not a string
/// (wasm-bindgen's `&str` glue trapped on a number) or when its UTF-16 length already exceeds
/// `max_bytes` (its UTF-8 form is never shorter), so a hostile 10 MB token costs no copy.
pub(crate) fn string_arg(value: &JsValue, what: &str, max_bytes: usize, code: Code) -> Result<String, Error> {
    let s = value.dyn_ref::<JsString>().ok_or_else(|| invalid(format!("{what} must be a string")))?;
    fits(s, what, max_bytes, code)?;
    Ok(String::from(s))
}

pub(crate) fn fits(s: &JsString, what: &str, max_bytes: usize, code: Code) -> Result<(), Error> {
    if s.length() as usize > max_bytes {
        return Err(Error::new(code, format!("{what} is over {max_bytes} bytes")));
    }
    Ok(())
}

/// The bytes of a real Uint8Array (a Buffer too), by its internal length: a value that only
/// looks like one (a Proxy, another typed array, an array) is refused, and a `length` property
/// that lies is never read. `None` when it holds more than `max_bytes`, which are not copied.
pub(crate) fn bytes_arg(value: &JsValue, what: &str, max_bytes: usize) -> Result<Option<Vec<u8>>, Error> {
    let copy = copy_bytes(value).result().map_err(|e| {
        if e.is_undefined() {
            invalid(format!("{what} must be a Uint8Array"))
        } else {
            invalid(format!("{what} cannot be read: {}", thrown(&e)))
        }
    })?;
    let copy: OwnBytes = copy.unchecked_into();
    if copy.length() as usize > max_bytes {
        return Ok(None);
    }
    Ok(Some(copy.to_vec()))
}

pub(crate) fn parse_jwks(jwks: &JsValue) -> Result<Jwks, Error> {
    let as_jwks = |e: Error| Error::new(Code::JwksInvalid, e.message());
    let text = json_string(jwks, "argument jwks").map_err(as_jwks)?;
    // Refused before the copy, as tokens are: a 4 MB set costs no copy into wasm memory.
    fits(&text, "JWKS", crate::jwk::MAX_JWKS_BYTES, Code::JwksInvalid)?;
    Jwks::parse(String::from(text).as_bytes())
}

pub(crate) fn parse_jwk(jwk: &JsValue) -> Result<Jwk, Error> {
    let text = json_string(jwk, "argument jwk").map_err(|e| Error::new(Code::JwkInvalid, e.message()))?;
    fits(&text, "JWK", crate::jwk::MAX_JWK_BYTES, Code::JwkInvalid)?;
    Jwk::parse(String::from(text).as_bytes())
}
