//! The options of `verify`, `verifyJws` and `Verifier`, read from a JS object (jose's names).
//!
//! Fail closed: each option is read once, through `convert`'s checked calls, into a Rust value.
//! `undefined` means "not given" (as in jose); `null`, a value of the wrong type, an empty
//! `issuer` or `audience` (which would accept any), a reading that throws and an unknown name (a
//! typo would drop a check) are each an `ERR_INVALID_ARGUMENT` naming the option. At least as
//! strict as jose's `validateClaimsSet`: `pkg-tests/options.test.mjs` runs a table of values
//! through both. A `Verifier`'s per-call options narrow its constructor's (`resolve`).

use super::convert::{array_items, date_seconds, get_all, invalid, is_array, own_keys, wall_clock};
use crate::claims::{normalize_typ, VerifyOptions, DEFAULT_MAX_TOKEN_BYTES};
use crate::error::{Code, Error};
use crate::jwa::alg::Alg;
use wasm_bindgen::prelude::*;

/// Hard ceiling for `maxTokenBytes`, whatever the caller asks.
pub(crate) const MAX_TOKEN_BYTES_CEILING: usize = 16 * 1024 * 1024;
/// The option names, in the order they are read (all in one crossing: `NAME_LIST`).
const NAMES: [&str; 10] =
    ["algorithms", "issuer", "audience", "subject", "typ", "clockTolerance", "currentDate", "maxTokenAge", "requiredClaims", "maxTokenBytes"];
const NAME_LIST: &str = "algorithms,issuer,audience,subject,typ,clockTolerance,currentDate,maxTokenAge,requiredClaims,maxTokenBytes";
/// Most entries in a list option, and bytes in a string option (a longer one can match no claim
/// of a token of the default size).
const MAX_LIST: u32 = 1024;
const MAX_STRING: usize = DEFAULT_MAX_TOKEN_BYTES;
/// A JS Date's range, in seconds either side of the epoch.
const MAX_SECONDS: f64 = 8.64e12;

/// Option `name`'s value as read, `None` when absent (`undefined`).
fn given(value: JsValue, name: &str) -> Result<Option<JsValue>, Error> {
    if value.is_null() {
        return Err(invalid(format!("option {name} is null: leave it out (undefined) to use the default")));
    }
    Ok(Some(value).filter(|v| !v.is_undefined()))
}

fn string(value: &JsValue, name: &str) -> Result<String, Error> {
    let s = value.as_string().ok_or_else(|| invalid(format!("option {name} must be a string")))?;
    if s.is_empty() {
        return Err(invalid(format!("option {name} must not be empty")));
    }
    if s.len() > MAX_STRING {
        return Err(invalid(format!("option {name} is over {MAX_STRING} bytes")));
    }
    Ok(s)
}

/// An array of strings; `each` checks an element (by its index, for the message).
fn list(value: &JsValue, name: &str, each: impl Fn(&JsValue, &str) -> Result<String, Error>) -> Result<Vec<String>, Error> {
    let what = format!("option {name}");
    if !is_array(value, &what)? {
        return Err(invalid(format!("option {name} must be an array of strings")));
    }
    array_items(value, &what, MAX_LIST)?.iter().enumerate().map(|(i, v)| each(v, &format!("{name}[{i}]"))).collect()
}

/// A string or a non-empty array of non-empty strings (`issuer`, `audience`): an empty list
/// would accept any value, so it is refused rather than read as "no check".
fn strings(value: &JsValue, name: &str) -> Result<Vec<String>, Error> {
    if value.as_string().is_some() {
        return Ok(vec![string(value, name)?]);
    }
    if !is_array(value, &format!("option {name}"))? {
        return Err(invalid(format!("option {name} must be a string or an array of strings")));
    }
    let values = list(value, name, string)?;
    if values.is_empty() {
        return Err(invalid(format!("option {name} must not be empty: an empty list would accept any {name}; leave it out to accept any")));
    }
    Ok(values)
}

fn seconds(value: &JsValue, name: &str) -> Result<f64, Error> {
    value
        .as_f64()
        .filter(|n| n.is_finite() && *n >= 0.0)
        .ok_or_else(|| invalid(format!("option {name} must be a non-negative number of seconds")))
}

fn current_date(value: &JsValue) -> Result<i64, Error> {
    let secs = match value.as_f64() {
        Some(n) => n,
        None => date_seconds(value).ok_or_else(|| invalid("option currentDate must be a Date or seconds since the epoch"))?,
    };
    if !(secs.is_finite() && secs.abs() <= MAX_SECONDS) {
        return Err(invalid("option currentDate is not a valid time"));
    }
    Ok(secs.floor() as i64)
}

fn algorithm(name: &str) -> Result<Alg, Error> {
    Alg::from_name(name).ok_or_else(|| {
        let known: Vec<&str> = crate::jwa::alg::ALL.iter().map(|a| a.name()).collect();
        Error::new(Code::NotSupported, format!("algorithm {:?} is not supported; use one of {}", crate::error::short(name), known.join(", ")))
    })
}

/// Options as given from JS, before defaults: what the caller set, and nothing else.
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

impl PartialOptions {
    pub(crate) fn from_js(options: &JsValue) -> Result<Self, Error> {
        let mut out = PartialOptions::default();
        if options.is_undefined() {
            return Ok(out);
        }
        if !options.is_object() || is_array(options, "argument options")? {
            return Err(invalid("argument options must be an object (or left out)"));
        }
        for name in own_keys(options, "argument options", 64)? {
            if name == "crit" {
                return Err(invalid("option crit is not supported: no crit extension is understood, so every token with crit is refused"));
            }
            if !NAMES.contains(&name.as_str()) {
                return Err(invalid(format!("unknown option {:?}; the options are {}", crate::error::short(&name), NAMES.join(", "))));
            }
        }
        let mut values: Vec<Option<JsValue>> = get_all(options, NAME_LIST, "option")?.into_iter().map(Some).collect();
        let mut read = |name: &str| {
            let value = NAMES.iter().position(|n| *n == name).and_then(|i| values.get_mut(i)).and_then(Option::take);
            given(value.unwrap_or(JsValue::UNDEFINED), name)
        };
        if let Some(v) = read("algorithms")? {
            let algs = list(&v, "algorithms", |v, at| v.as_string().ok_or_else(|| invalid(format!("option {at} must be a string"))))?
                .iter()
                .map(|n| algorithm(n))
                .collect::<Result<Vec<_>, _>>()?;
            if algs.is_empty() {
                return Err(invalid("option algorithms must not be empty"));
            }
            out.algorithms = Some(algs);
        }
        if let Some(v) = read("issuer")? {
            out.issuer = Some(strings(&v, "issuer")?);
        }
        if let Some(v) = read("audience")? {
            out.audience = Some(strings(&v, "audience")?);
        }
        if let Some(v) = read("subject")? {
            out.subject = Some(string(&v, "subject")?);
        }
        if let Some(v) = read("typ")? {
            out.typ = Some(string(&v, "typ")?);
        }
        if let Some(v) = read("clockTolerance")? {
            out.clock_tolerance = Some(seconds(&v, "clockTolerance")?);
        }
        if let Some(v) = read("currentDate")? {
            out.now = Some(current_date(&v)?);
        }
        if let Some(v) = read("maxTokenAge")? {
            out.max_token_age = Some(seconds(&v, "maxTokenAge")?);
        }
        if let Some(v) = read("requiredClaims")? {
            let each = |v: &JsValue, at: &str| {
                let s = v.as_string().ok_or_else(|| invalid(format!("option {at} must be a string")))?;
                if s.len() > MAX_STRING {
                    return Err(invalid(format!("option {at} is over {MAX_STRING} bytes")));
                }
                Ok(s)
            };
            out.required_claims = Some(list(&v, "requiredClaims", each)?);
        }
        if let Some(v) = read("maxTokenBytes")? {
            let n = v
                .as_f64()
                .filter(|n| n.fract() == 0.0 && (1.0..=9_007_199_254_740_991.0).contains(n))
                .ok_or_else(|| invalid("option maxTokenBytes must be a positive integer"))?;
            out.max_token_bytes = Some((n as usize).min(MAX_TOKEN_BYTES_CEILING));
        }
        Ok(out)
    }

    /// The options of one call: `call` (per-call options) within `self` (a Verifier's), with the
    /// library defaults under both. What `self` leaves unset, `call` may set; what `self` sets,
    /// `call` may only narrow: a subset of its `algorithms`, `issuer` and `audience`, the same
    /// `subject` and `typ`, at most its `clockTolerance`, `maxTokenAge` and `maxTokenBytes`;
    /// `requiredClaims` are added to its own. Anything wider is an `ERR_INVALID_ARGUMENT`
    /// rather than a silent intersection. `currentDate` is not a check: the call's wins.
    pub(crate) fn resolve(&self, call: &PartialOptions) -> Result<VerifyOptions, Error> {
        let now = match call.now.or(self.now) {
            Some(now) => now,
            None => wall_clock()?,
        };
        let mut o = VerifyOptions::at(now);
        if let Some(v) = subset("algorithms", &self.algorithms, &call.algorithms, |a| a.name().to_owned())? {
            o.algorithms = v;
        }
        o.issuer = subset("issuer", &self.issuer, &call.issuer, |s| format!("{:?}", crate::error::short(s)))?.unwrap_or_default();
        o.audience = subset("audience", &self.audience, &call.audience, |s| format!("{:?}", crate::error::short(s)))?.unwrap_or_default();
        o.subject = equal("subject", &self.subject, &call.subject, |a, b| a == b)?;
        o.typ = equal("typ", &self.typ, &call.typ, |a, b| normalize_typ(a) == normalize_typ(b))?;
        o.clock_tolerance = at_most("clockTolerance", self.clock_tolerance, call.clock_tolerance)?.unwrap_or(0.0);
        o.max_token_age = at_most("maxTokenAge", self.max_token_age, call.max_token_age)?;
        match (&self.required_claims, &call.required_claims) {
            (Some(outer), Some(inner)) => {
                let mut all = outer.clone();
                all.extend(inner.iter().filter(|c| !outer.contains(c)).cloned());
                o.required_claims = all;
            }
            (outer, inner) => {
                if let Some(v) = inner.as_ref().or(outer.as_ref()) {
                    o.required_claims = v.clone();
                }
            }
        }
        let bytes = at_most("maxTokenBytes", self.max_token_bytes.map(|n| n as f64), call.max_token_bytes.map(|n| n as f64))?;
        o.max_token_bytes = bytes.map_or(DEFAULT_MAX_TOKEN_BYTES, |n| n as usize);
        Ok(o)
    }
}

fn narrowing(name: &str, what: String) -> Error {
    invalid(format!("option {name}: {what}; a call's options may narrow the Verifier's, not widen them"))
}

fn subset<T: PartialEq + Clone>(name: &str, outer: &Option<Vec<T>>, inner: &Option<Vec<T>>, show: impl Fn(&T) -> String) -> Result<Option<Vec<T>>, Error> {
    if let (Some(outer), Some(inner)) = (outer, inner) {
        if let Some(x) = inner.iter().find(|x| !outer.contains(x)) {
            return Err(narrowing(name, format!("{} is not among the Verifier's", show(x))));
        }
    }
    Ok(inner.clone().or_else(|| outer.clone()))
}

fn equal(name: &str, outer: &Option<String>, inner: &Option<String>, same: impl Fn(&str, &str) -> bool) -> Result<Option<String>, Error> {
    if let (Some(outer), Some(inner)) = (outer, inner) {
        if !same(outer, inner) {
            return Err(narrowing(name, format!("{:?} is not the Verifier's {:?}", crate::error::short(inner), crate::error::short(outer))));
        }
    }
    Ok(inner.clone().or_else(|| outer.clone()))
}

/// A number of seconds or bytes in words, to the millisecond, without `f64`'s `Display`, which
/// brings core's float formatting (Grisu and Dragon4, about 5 KB gzipped) into the package.
fn decimal(n: f64) -> String {
    let ms = (n * 1000.0).round() as i64; // saturates; the options are checked finite and in range first
    match ms % 1000 {
        0 => format!("{}", ms / 1000),
        frac => format!("{}.{}", ms / 1000, format!("{:03}", frac.abs()).trim_end_matches('0')),
    }
}

fn at_most(name: &str, outer: Option<f64>, inner: Option<f64>) -> Result<Option<f64>, Error> {
    if let (Some(outer), Some(inner)) = (outer, inner) {
        if inner > outer {
            return Err(narrowing(name, format!("{} is more than the Verifier's {}", decimal(inner), decimal(outer))));
        }
    }
    Ok(inner.or(outer))
}
