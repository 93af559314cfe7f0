//! The options of `verify`, `verifyJws` and `Verifier`, read from a JS object (jose's names).

use super::convert::invalid;
use crate::claims::{VerifyOptions, DEFAULT_MAX_TOKEN_BYTES};
use crate::error::{Code, Error};
use crate::jwa::alg::Alg;
use js_sys::{Array, Reflect};
use wasm_bindgen::prelude::*;

fn get(obj: &JsValue, name: &str) -> Option<JsValue> {
    Reflect::get(obj, &name.into()).ok().filter(|v| !v.is_undefined() && !v.is_null())
}

fn strings(value: &JsValue, name: &str) -> Result<Vec<String>, Error> {
    if let Some(s) = value.as_string() {
        return Ok(vec![s]);
    }
    if Array::is_array(value) {
        return Array::from(value)
            .iter()
            .map(|v| v.as_string().ok_or_else(|| invalid(format!("option {name} must hold strings"))))
            .collect();
    }
    Err(invalid(format!("option {name} must be a string or an array of strings")))
}

fn seconds(value: &JsValue, name: &str) -> Result<f64, Error> {
    value
        .as_f64()
        .filter(|n| n.is_finite() && *n >= 0.0)
        .ok_or_else(|| invalid(format!("option {name} must be a non-negative number of seconds")))
}

/// Options as given from JS, before defaults: per-call options override constructor ones.
#[derive(Clone, Default)]
pub(crate) struct PartialOptions {
    algorithms: Option<Vec<Alg>>,
    issuer: Option<Vec<String>>,
    audience: Option<Vec<String>>,
    subject: Option<String>,
    typ: Option<String>,
    clock_tolerance: Option<f64>,
    now: Option<i64>,
    max_token_age: Option<f64>,
    required_claims: Option<Vec<String>>,
    max_token_bytes: Option<usize>,
}

/// Hard ceiling for `maxTokenBytes`, whatever the caller asks.
pub(crate) const MAX_TOKEN_BYTES_CEILING: usize = 16 * 1024 * 1024;

impl PartialOptions {
    pub(crate) fn from_js(options: &JsValue) -> Result<Self, Error> {
        let mut out = PartialOptions::default();
        if options.is_undefined() || options.is_null() {
            return Ok(out);
        }
        if !options.is_object() {
            return Err(invalid("options must be an object"));
        }
        if let Some(v) = get(options, "algorithms") {
            let names = strings(&v, "algorithms")?;
            if names.is_empty() {
                return Err(invalid("option algorithms must not be empty"));
            }
            let algs = names
                .iter()
                .map(|n| {
                    Alg::from_name(n).ok_or_else(|| {
                        let known: Vec<&str> = crate::jwa::alg::ALL.iter().map(|a| a.name()).collect();
                        Error::new(Code::NotSupported, format!("algorithm {:?} is not supported; use one of {}", crate::error::short(n), known.join(", ")))
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            out.algorithms = Some(algs);
        }
        if let Some(v) = get(options, "issuer") {
            out.issuer = Some(strings(&v, "issuer")?);
        }
        if let Some(v) = get(options, "audience") {
            out.audience = Some(strings(&v, "audience")?);
        }
        if let Some(v) = get(options, "subject") {
            out.subject = Some(v.as_string().ok_or_else(|| invalid("option subject must be a string"))?);
        }
        if let Some(v) = get(options, "typ") {
            out.typ = Some(v.as_string().ok_or_else(|| invalid("option typ must be a string"))?);
        }
        if let Some(v) = get(options, "clockTolerance") {
            out.clock_tolerance = Some(seconds(&v, "clockTolerance")?);
        }
        if let Some(v) = get(options, "maxTokenAge") {
            out.max_token_age = Some(seconds(&v, "maxTokenAge")?);
        }
        if let Some(v) = get(options, "currentDate") {
            let secs = if v.is_instance_of::<js_sys::Date>() {
                js_sys::Date::from(v).get_time() / 1000.0
            } else {
                v.as_f64().ok_or_else(|| invalid("option currentDate must be a Date or seconds since the epoch"))?
            };
            if !secs.is_finite() {
                return Err(invalid("option currentDate is not a valid time"));
            }
            out.now = Some(secs.floor() as i64);
        }
        if let Some(v) = get(options, "requiredClaims") {
            if !Array::is_array(&v) {
                return Err(invalid("option requiredClaims must be an array of strings"));
            }
            out.required_claims = Some(strings(&v, "requiredClaims")?);
        }
        if let Some(v) = get(options, "maxTokenBytes") {
            let n = v.as_f64().filter(|n| n.fract() == 0.0 && *n >= 1.0).ok_or_else(|| invalid("option maxTokenBytes must be a positive integer"))?;
            out.max_token_bytes = Some((n as usize).min(MAX_TOKEN_BYTES_CEILING));
        }
        Ok(out)
    }

    /// `self` overridden by `call`, with the library defaults under both.
    pub(crate) fn resolve(&self, call: &PartialOptions) -> VerifyOptions {
        let now = call.now.or(self.now).unwrap_or_else(|| (js_sys::Date::now() / 1000.0).floor() as i64);
        let mut o = VerifyOptions::at(now);
        macro_rules! pick {
            ($field:ident) => {
                call.$field.clone().or_else(|| self.$field.clone())
            };
        }
        if let Some(v) = pick!(algorithms) {
            o.algorithms = v;
        }
        o.issuer = pick!(issuer).unwrap_or_default();
        o.audience = pick!(audience).unwrap_or_default();
        o.subject = pick!(subject);
        o.typ = pick!(typ);
        o.clock_tolerance = pick!(clock_tolerance).unwrap_or(0.0);
        o.max_token_age = pick!(max_token_age);
        if let Some(v) = pick!(required_claims) {
            o.required_claims = v;
        }
        o.max_token_bytes = pick!(max_token_bytes).unwrap_or(DEFAULT_MAX_TOKEN_BYTES);
        o
    }
}
