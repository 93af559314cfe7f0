//! The JavaScript bindings: every `#[wasm_bindgen]` of the crate lives here. Each function
//! converts arguments, calls the pure core, and turns core errors into JS `Error`s with `code`
//! (and `claim` and `reason` for claim failures). Nothing here makes a security decision.

use crate::alg::Alg;
use crate::claims::{VerifyOptions, DEFAULT_MAX_TOKEN_BYTES};
use crate::error::{Code, Error};
use crate::jwk::{Jwk, Jwks};
use crate::verifier::{self, KeyInfo};
use js_sys::{Array, Reflect, Uint8Array};
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** A JSON Web Key Set: `{ keys: [...] }`. */
export interface JWKS { keys: JWK[] }
/** A JSON Web Key (RFC 7517). Only RSA keys are used for verification. */
export interface JWK {
  kty: string; kid?: string; alg?: string; use?: string; key_ops?: string[];
  n?: string; e?: string; [member: string]: unknown;
}
/** Algorithms that may be allowed. `none` and HMAC never are. */
export type Algorithm = "RS256" | "RS384" | "RS512" | "PS256" | "PS384" | "PS512";
/** Options of `verify`, `verifyJws` and `Verifier`. */
export interface VerifyOptions {
  /** Accepted algorithms. Default `["RS256"]`; never taken from the token. */
  algorithms?: Algorithm[];
  /** Accepted `iss` value(s); when set, `iss` is required. */
  issuer?: string | string[];
  /** Accepted audience(s), any one matching `aud`; when set, `aud` is required. */
  audience?: string | string[];
  /** Required `sub`. */
  subject?: string;
  /** Required header `typ` (case-insensitive, `application/` prefix ignored). */
  typ?: string;
  /** Leeway in seconds for `exp`, `nbf`, `iat`. Default 0. */
  clockTolerance?: number;
  /** Evaluation time: a Date, or seconds since the epoch. Default the wall clock. */
  currentDate?: Date | number;
  /** Maximum age in seconds since `iat`; makes `iat` required. */
  maxTokenAge?: number;
  /** Claims that must be present. Default `["exp"]`; pass `[]` to accept tokens without `exp`. */
  requiredClaims?: string[];
  /** Largest token accepted, in bytes. Default 65536. */
  maxTokenBytes?: number;
}
/** The key that verified a token. */
export interface KeyInfo { kid?: string; alg: Algorithm; thumbprint: string }
/** A JWT header. */
export interface JWTHeader { alg: string; kid?: string; typ?: string; [param: string]: unknown }
/** JWT claims. */
export interface JWTPayload {
  iss?: string; sub?: string; aud?: string | string[]; exp?: number; nbf?: number; iat?: number; jti?: string;
  [claim: string]: unknown;
}
/** A verified JWT. */
export interface VerifyResult { header: JWTHeader; payload: JWTPayload; key: KeyInfo }
/** A verified compact JWS with an opaque payload. */
export interface VerifyJwsResult { header: JWTHeader; payload: Uint8Array; key: KeyInfo }
/** A token decoded without any verification. */
export interface DecodedToken { header: JWTHeader; payload: JWTPayload; signature: string }
/** A Kubernetes object reference. */
export interface KubernetesRef { name: string; uid?: string }
/** The identity in a Kubernetes ServiceAccount token. */
export interface KubernetesIdentity {
  namespace: string; serviceAccount: KubernetesRef; pod?: KubernetesRef; node?: KubernetesRef;
  secret?: KubernetesRef; warnAfter?: number; subject: string; subjectMatches: boolean; legacy: boolean;
}
/** Every `code` an error thrown by this package can carry. */
export type ErrorCode =
  | "ERR_JWT_INVALID" | "ERR_JWS_INVALID" | "ERR_JOSE_ALG_NOT_ALLOWED" | "ERR_JOSE_NOT_SUPPORTED"
  | "ERR_JWK_INVALID" | "ERR_JWKS_INVALID" | "ERR_JWKS_NO_MATCHING_KEY"
  | "ERR_JWS_SIGNATURE_VERIFICATION_FAILED" | "ERR_JWT_EXPIRED" | "ERR_JWT_CLAIM_VALIDATION_FAILED"
  | "ERR_INVALID_ARGUMENT" | "ERR_CONFIG_INVALID" | "ERR_LOGIN_REFUSED" | "ERR_PERMISSION_DENIED" | "ERR_SESSION_INVALID"
  | "ERR_DISCOVERY_INVALID";
/** Why a claim check failed. */
export type ClaimFailureReason = "missing" | "check_failed" | "invalid" | "mismatch";
/** The shape of every error thrown by this package. */
export interface JwksgateError extends Error {
  code: ErrorCode;
  /** For ERR_JWT_CLAIM_VALIDATION_FAILED and ERR_JWT_EXPIRED: the claim. */
  claim?: string;
  /** For ERR_JWT_CLAIM_VALIDATION_FAILED and ERR_JWT_EXPIRED: why. */
  reason?: ClaimFailureReason;
}
"#;

/// Converts a core error to a JS `Error` with `name`, `code`, and `claim`/`reason` when set.
pub(crate) fn to_js(e: Error) -> JsValue {
    let js = js_sys::Error::new(e.message());
    js.set_name(e.code().name());
    let obj: &JsValue = js.as_ref();
    let _ = Reflect::set(obj, &"code".into(), &e.code().as_str().into());
    if let Some(claim) = e.claim_name() {
        let _ = Reflect::set(obj, &"claim".into(), &claim.into());
    }
    if let Some(reason) = e.reason() {
        let _ = Reflect::set(obj, &"reason".into(), &reason.as_str().into());
    }
    js.into()
}

fn invalid(message: impl Into<String>) -> Error {
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

fn parse_json(text: &str) -> Result<JsValue, JsValue> {
    js_sys::JSON::parse(text).map_err(|_| to_js(invalid("cannot convert result")))
}

/// Appends `value` as JSON; values here are strings and string-keyed maps, which cannot fail.
fn push_json<T: Serialize + ?Sized>(out: &mut String, value: &T) {
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
struct PartialOptions {
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
const MAX_TOKEN_BYTES_CEILING: usize = 16 * 1024 * 1024;

impl PartialOptions {
    fn from_js(options: &JsValue) -> Result<Self, Error> {
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
                        Error::new(Code::NotSupported, format!("algorithm {:?} is not supported; use RS256, RS384, RS512, PS256, PS384 or PS512", crate::error::short(n)))
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
    fn resolve(&self, call: &PartialOptions) -> VerifyOptions {
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

/// A string argument, refused before it is copied into wasm memory when it is not a string
/// (wasm-bindgen's `&str` glue traps on a number) or when its UTF-16 length already exceeds
/// `max_bytes` (its UTF-8 form is never shorter), so a hostile 10 MB token costs no copy.
fn string_arg(value: &JsValue, what: &str, max_bytes: usize, code: Code) -> Result<String, Error> {
    let s = value.dyn_ref::<js_sys::JsString>().ok_or_else(|| invalid(format!("{what} must be a string")))?;
    fits(s, what, max_bytes, code)?;
    Ok(String::from(s))
}

fn fits(s: &js_sys::JsString, what: &str, max_bytes: usize, code: Code) -> Result<(), Error> {
    if s.length() as usize > max_bytes {
        return Err(Error::new(code, format!("{what} is over {max_bytes} bytes")));
    }
    Ok(())
}

fn parse_jwks(jwks: &JsValue) -> Result<Jwks, Error> {
    if let Some(s) = jwks.dyn_ref::<js_sys::JsString>() {
        // Refused before the copy, as tokens are: a 4 MB set costs no copy into wasm memory.
        fits(s, "JWKS", crate::jwk::MAX_JWKS_BYTES, Code::JwksInvalid)?;
    }
    let text = json_text(jwks, "jwks").map_err(|e| Error::new(Code::JwksInvalid, e.message()))?;
    Jwks::parse(text.as_bytes())
}

/// `{header, payload, key}` as one JSON text parsed once by the host; `payload_json` is
/// spliced in as is (`null` for a placeholder). `key` lists `kid` (when set), `alg`,
/// `thumbprint`, in that order.
fn result_json(header_json: &str, payload_json: &str, key: &KeyInfo) -> String {
    let mut out = String::with_capacity(256 + header_json.len() + payload_json.len());
    out.push_str("{\"header\":");
    out.push_str(header_json);
    out.push_str(",\"payload\":");
    out.push_str(payload_json);
    out.push_str(",\"key\":{");
    if let Some(kid) = &key.kid {
        out.push_str("\"kid\":");
        push_json(&mut out, kid);
        out.push(',');
    }
    out.push_str("\"alg\":");
    push_json(&mut out, key.alg);
    out.push_str(",\"thumbprint\":");
    push_json(&mut out, &key.thumbprint);
    out.push_str("}}");
    out
}

/// Header and payload cross as the token's own JSON text (already parsed strictly in Rust), so
/// JS gets what `JSON.parse` makes of them, as jose returns them: members in the token's order.
fn jwt_result(v: verifier::VerifiedJwt) -> Result<JsValue, JsValue> {
    parse_json(&result_json(&v.header_json, &v.payload_json, &v.key))
}

fn jws_result(v: verifier::VerifiedJws) -> Result<JsValue, JsValue> {
    // The placeholder keeps `payload` in its place between `header` and `key`.
    let obj = parse_json(&result_json(&v.header_json, "null", &v.key))?;
    Reflect::set(&obj, &"payload".into(), &Uint8Array::from(v.payload.as_slice()).into())?;
    Ok(obj)
}

/// Decodes a JWT **without verifying its signature or claims**. For inspection only: never
/// base a decision on the result.
#[wasm_bindgen(js_name = decodeUnverified, unchecked_return_type = "DecodedToken")]
pub fn decode_unverified(#[wasm_bindgen(unchecked_param_type = "string")] token: JsValue) -> Result<JsValue, JsValue> {
    let token = string_arg(&token, "token", MAX_TOKEN_BYTES_CEILING, Code::JwsInvalid).map_err(to_js)?;
    let d = verifier::decode_unverified(&token, MAX_TOKEN_BYTES_CEILING).map_err(to_js)?;
    let obj = parse_json(&format!("{{\"header\":{},\"payload\":{},\"signature\":null}}", d.header_json, d.payload_json))?;
    Reflect::set(&obj, &"signature".into(), &d.signature.into())?;
    Ok(obj)
}

/// The arguments of a one-shot `verify`/`verifyJws`, checked in the order a `Verifier` would
/// see them: options, then the key set, then the token (bounded before it is copied).
fn one_shot(token: &JsValue, jwks: &JsValue, options: Option<JsValue>) -> Result<(crate::Verifier, String, VerifyOptions), JsValue> {
    let call = PartialOptions::from_js(&options.unwrap_or(JsValue::UNDEFINED)).map_err(to_js)?;
    let verifier = crate::Verifier::from_jwks(parse_jwks(jwks).map_err(to_js)?);
    let (token, options) = token_and_options(token, &PartialOptions::default(), &call)?;
    Ok((verifier, token, options))
}

/// The call's options over `defaults`, then the token, refused on its length before it is copied.
fn token_and_options(token: &JsValue, defaults: &PartialOptions, call: &PartialOptions) -> Result<(String, VerifyOptions), JsValue> {
    let options = defaults.resolve(call);
    let token = string_arg(token, "token", options.max_token_bytes, Code::JwsInvalid).map_err(to_js)?;
    Ok((token, options))
}

/// Verifies a JWT against a JWKS (object or JSON text): signature, then claims.
#[wasm_bindgen(unchecked_return_type = "VerifyResult")]
pub fn verify(
    #[wasm_bindgen(unchecked_param_type = "string")] token: JsValue,
    #[wasm_bindgen(unchecked_param_type = "JWKS | string")] jwks: JsValue,
    #[wasm_bindgen(unchecked_param_type = "VerifyOptions")] options: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let (verifier, token, options) = one_shot(&token, &jwks, options)?;
    jwt_result(verifier.verify(&token, &options).map_err(to_js)?)
}

/// Verifies a compact JWS of any payload against a JWKS: header, key and signature rules
/// only, no claims.
#[wasm_bindgen(js_name = verifyJws, unchecked_return_type = "VerifyJwsResult")]
pub fn verify_jws(
    #[wasm_bindgen(unchecked_param_type = "string")] token: JsValue,
    #[wasm_bindgen(unchecked_param_type = "JWKS | string")] jwks: JsValue,
    #[wasm_bindgen(unchecked_param_type = "VerifyOptions")] options: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let (verifier, token, options) = one_shot(&token, &jwks, options)?;
    jws_result(verifier.verify_jws(&token, &options).map_err(to_js)?)
}

/// Verifies many tokens against one key set, parsed and imported once.
#[wasm_bindgen(js_name = Verifier)]
pub struct JsVerifier {
    inner: crate::Verifier,
    defaults: PartialOptions,
}

#[wasm_bindgen(js_class = Verifier)]
impl JsVerifier {
    /// Parses and imports `jwks`; `options` become the defaults of every `verify` call.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "JWKS | string")] jwks: JsValue,
        #[wasm_bindgen(unchecked_param_type = "VerifyOptions")] options: Option<JsValue>,
    ) -> Result<JsVerifier, JsValue> {
        let defaults = PartialOptions::from_js(&options.unwrap_or(JsValue::UNDEFINED)).map_err(to_js)?;
        let inner = crate::Verifier::from_jwks(parse_jwks(&jwks).map_err(to_js)?);
        Ok(JsVerifier { inner, defaults })
    }

    /// Verifies a JWT; `options` override the constructor's, field by field.
    #[wasm_bindgen(unchecked_return_type = "VerifyResult")]
    pub fn verify(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] token: JsValue,
        #[wasm_bindgen(unchecked_param_type = "VerifyOptions")] options: Option<JsValue>,
    ) -> Result<JsValue, JsValue> {
        let call = PartialOptions::from_js(&options.unwrap_or(JsValue::UNDEFINED)).map_err(to_js)?;
        let (token, options) = token_and_options(&token, &self.defaults, &call)?;
        jwt_result(self.inner.verify(&token, &options).map_err(to_js)?)
    }

    /// Verifies a compact JWS of any payload (no claims).
    #[wasm_bindgen(js_name = verifyJws, unchecked_return_type = "VerifyJwsResult")]
    pub fn verify_jws(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] token: JsValue,
        #[wasm_bindgen(unchecked_param_type = "VerifyOptions")] options: Option<JsValue>,
    ) -> Result<JsValue, JsValue> {
        let call = PartialOptions::from_js(&options.unwrap_or(JsValue::UNDEFINED)).map_err(to_js)?;
        let (token, options) = token_and_options(&token, &self.defaults, &call)?;
        jws_result(self.inner.verify_jws(&token, &options).map_err(to_js)?)
    }

    /// The `kid`s of the usable keys.
    #[wasm_bindgen(getter, js_name = keyIds)]
    pub fn key_ids(&self) -> Vec<String> {
        self.inner.key_ids().into_iter().map(str::to_owned).collect()
    }
}

fn parse_jwk(jwk: &JsValue) -> Result<Jwk, Error> {
    let text = json_text(jwk, "jwk").map_err(|e| Error::new(Code::JwkInvalid, e.message()))?;
    Jwk::parse(text.as_bytes())
}

/// One property of an imported RSA JWK (no copy of the key itself).
fn rsa_key_field(jwk: &JsValue, field: impl Fn(&crate::RsaKey) -> &str) -> Result<String, JsValue> {
    let parsed = parse_jwk(jwk).map_err(to_js)?;
    parsed.rsa().map(|k| field(k).to_owned()).map_err(|e| to_js(e.clone()))
}

/// Checks a raw signature over `data` with one JWK. `false` when the signature is wrong;
/// throws when the key or algorithm is unusable.
#[wasm_bindgen(js_name = verifySignature)]
pub fn verify_signature(
    #[wasm_bindgen(unchecked_param_type = "JWK | string")] jwk: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Algorithm")] alg: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Uint8Array")] data: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Uint8Array")] signature: JsValue,
) -> Result<bool, JsValue> {
    // Checked here: the `&str` glue trapped on a number and the `&[u8]` glue read a string or a
    // number as other bytes (zeros, or none).
    let alg = string_arg(&alg, "algorithm", 16, Code::NotSupported).map_err(to_js)?;
    let bytes = |v: &JsValue, what: &str| v.dyn_ref::<Uint8Array>().map(Uint8Array::to_vec).ok_or_else(|| to_js(invalid(format!("{what} must be a Uint8Array"))));
    let (data, signature) = (bytes(&data, "data")?, bytes(&signature, "signature")?);
    let alg = Alg::from_name(&alg)
        .ok_or_else(|| to_js(Error::new(Code::NotSupported, format!("algorithm {:?} is not supported", crate::error::short(&alg)))))?;
    let parsed = parse_jwk(&jwk).map_err(to_js)?;
    if parsed.alg().is_some_and(|a| a != alg.name()) {
        return Err(to_js(Error::new(Code::JwkInvalid, "the JWK's \"alg\" does not match the algorithm")));
    }
    let key = parsed.rsa().map_err(|e| to_js(e.clone()))?;
    // The same usability rule as key selection in a set (jose's isUsableJWK).
    if !parsed.is_candidate(alg, None) {
        return Err(to_js(Error::new(Code::JwkInvalid, "the JWK is not for verifying signatures (\"use\" or \"key_ops\")")));
    }
    Ok(key.key.verify(alg, &data, &signature))
}

/// The RFC 7638 SHA-256 thumbprint of an RSA JWK, base64url.
#[wasm_bindgen(js_name = jwkThumbprint)]
pub fn jwk_thumbprint(#[wasm_bindgen(unchecked_param_type = "JWK | string")] jwk: JsValue) -> Result<String, JsValue> {
    rsa_key_field(&jwk, crate::RsaKey::thumbprint)
}

/// The key id Kubernetes gives an RSA key: base64url(SHA-256(DER SubjectPublicKeyInfo)).
#[wasm_bindgen(js_name = kubernetesKeyId)]
pub fn kubernetes_key_id(#[wasm_bindgen(unchecked_param_type = "JWK | string")] jwk: JsValue) -> Result<String, JsValue> {
    rsa_key_field(&jwk, crate::RsaKey::kubernetes_key_id)
}

/// Imports a PEM RSA public key (SPKI `PUBLIC KEY` or PKCS#1 `RSA PUBLIC KEY`) as a JWK whose
/// `kid` is the Kubernetes key id.
#[wasm_bindgen(js_name = importPublicKeyPem, unchecked_return_type = "JWK")]
pub fn import_public_key_pem(#[wasm_bindgen(unchecked_param_type = "string")] pem: JsValue) -> Result<JsValue, JsValue> {
    let pem = string_arg(&pem, "PEM input", crate::der::MAX_PEM_BYTES, Code::JwkInvalid).map_err(to_js)?;
    to_plain(&crate::import_public_key_pem(&pem).map_err(to_js)?)
}

/// Whether this build multiplies with wasm SIMD128: true for the package's `jwksgate_bg.wasm`,
/// false for `jwksgate_scalar_bg.wasm`, which the web glue loads on hosts without SIMD.
#[wasm_bindgen(js_name = wasmSimd)]
pub fn wasm_simd() -> bool {
    cfg!(target_feature = "simd128")
}

/// The `jwks_uri` of an OpenID Connect discovery document (its JSON text) fetched for `issuer`,
/// which the document must name exactly; duplicate members are refused. The URL's scheme is the
/// caller's to check.
#[wasm_bindgen(js_name = discoveryJwksUri)]
pub fn discovery_jwks_uri(#[wasm_bindgen(unchecked_param_type = "string")] document: JsValue, issuer: &str) -> Result<String, JsValue> {
    let document = string_arg(&document, "discovery document", crate::discovery::MAX_DISCOVERY_BYTES, Code::DiscoveryInvalid).map_err(to_js)?;
    crate::discovery::jwks_uri(document.as_bytes(), issuer).map_err(to_js)
}

/// The Kubernetes identity in a (verified) claims set, or `null`.
#[wasm_bindgen(js_name = kubernetesIdentity, unchecked_return_type = "KubernetesIdentity | null")]
pub fn kubernetes_identity(#[wasm_bindgen(unchecked_param_type = "JWTPayload")] payload: JsValue) -> Result<JsValue, JsValue> {
    let text = json_text(&payload, "payload").map_err(to_js)?;
    let value = crate::json::parse(text.as_bytes()).map_err(|e| to_js(invalid(format!("payload is not valid JSON: {e}"))))?;
    match value.as_object().and_then(crate::kubernetes::identity) {
        Some(id) => to_plain(&id),
        None => Ok(JsValue::NULL),
    }
}

/// The package version.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

// ---------------------------------------------------------------------------------------------
// The edge login gate (worker/): Vault-style roles and session tokens. The worker does HTTP and
// key fetching only; every decision below is made by the pure core (role.rs, session.rs).
// Built only with the `gate` feature (the worker's own wasm), so the npm package stays small.
#[cfg(feature = "gate")]
mod gate {
    use super::*;

    use crate::role::{self as gate_role, AuthConfig, Gate as CoreGate};
    use crate::session::{Session, SessionKey};
    use js_sys::Object;

    fn result_object(pairs: &[(&str, JsValue)]) -> Result<JsValue, JsValue> {
        let obj = Object::new();
        for (k, v) in pairs {
            Reflect::set(&obj, &(*k).into(), v)?;
        }
        Ok(obj.into())
    }

    #[wasm_bindgen(typescript_custom_section)]
    const TS_GATE_TYPES: &'static str = r#"
    /** Shared auth configuration (Vault's `auth/jwt/config`). */
    export interface GateConfig { bound_issuer?: string; jwt_supported_algs?: Algorithm[] }
    /** Who a request is, once a session or token has been checked. */
    export interface GateIdentity {
      id?: string; role: string; alias: string; groups: string[]; policies: string[];
      meta: Record<string, string>; iat?: number; exp?: number;
      /** The identity headers for the origin, values percent-encoded where not plain ASCII. */
      headers: Record<string, string>;
    }
    /** A login request body, parsed strictly (`Gate.parseLogin`). */
    export interface GateLoginRequest { role: string | null; jwt: string | null; set_cookie: boolean }
    /** A successful login: Vault's response body, and the session it minted. */
    export interface GateLogin { body: unknown; token: string; session: GateIdentity }
    /** Errors from the gate also carry the HTTP status Vault would answer with. */
    export interface GateError extends JwksgateError { status: number }
    "#;

    fn gate_js(e: Error) -> JsValue {
        let status = gate_role::http_status(&e);
        let js = to_js(e);
        let _ = Reflect::set(&js, &"status".into(), &JsValue::from(status));
        js
    }

    fn remote_ip(remote: Option<String>) -> Option<std::net::IpAddr> {
        remote.and_then(|r| r.trim().trim_start_matches('[').trim_end_matches(']').parse().ok())
    }

    fn session_identity(s: &Session) -> Result<JsValue, JsValue> {
        to_plain(&serde_json::json!({
            "id": s.id, "role": s.role, "alias": s.alias, "groups": s.groups, "policies": s.policies,
            "meta": s.meta, "iat": s.iat, "exp": s.exp,
            "headers": crate::vault::identity_headers(&s.role, &s.alias, &s.groups),
        }))
    }

    /// The gate's policy: roles, shared configuration, the session key and the current key set.
    #[wasm_bindgen(js_name = Gate)]
    pub struct JsGate {
        gate: CoreGate,
        key: SessionKey,
        mount: String,
        verifier: Option<crate::Verifier>,
    }

    #[wasm_bindgen(js_class = Gate)]
    impl JsGate {
        /// Checks every role now (a bad one throws `ERR_CONFIG_INVALID`), and the secret's length.
        #[wasm_bindgen(constructor)]
        pub fn new(
            #[wasm_bindgen(unchecked_param_type = "GateConfig | string")] config: JsValue,
            #[wasm_bindgen(unchecked_param_type = "Record<string, unknown> | string")] roles: JsValue,
            session_secret: &str,
            mount: Option<String>,
        ) -> Result<JsGate, JsValue> {
            let config = if config.is_undefined() || config.is_null() {
                AuthConfig::default()
            } else {
                AuthConfig::parse(json_text(&config, "config").map_err(gate_js)?.as_bytes()).map_err(gate_js)?
            };
            let roles = json_text(&roles, "roles").map_err(|e| gate_js(Error::new(Code::ConfigInvalid, e.message())))?;
            let gate = CoreGate::new(config, roles.as_bytes()).map_err(gate_js)?;
            let key = SessionKey::new(session_secret.as_bytes()).map_err(gate_js)?;
            let mount = mount.filter(|m| !m.is_empty()).unwrap_or_else(|| "jwt".into());
            if !mount.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'/') {
                return Err(gate_js(Error::new(Code::ConfigInvalid, "the mount name may hold letters, digits, '-', '_' and '/' only")));
            }
            Ok(JsGate { gate, key, mount, verifier: None })
        }

        /// Replaces the key set (after a fetch or a rotation). Throws on a bad set and keeps the old one.
        #[wasm_bindgen(js_name = setKeys)]
        pub fn set_keys(&mut self, #[wasm_bindgen(unchecked_param_type = "JWKS | string")] jwks: JsValue) -> Result<Vec<String>, JsValue> {
            let verifier = crate::Verifier::from_jwks(parse_jwks(&jwks).map_err(gate_js)?);
            let ids = verifier.key_ids().into_iter().map(str::to_owned).collect();
            self.verifier = Some(verifier);
            Ok(ids)
        }

        /// Whether a key set is loaded.
        #[wasm_bindgen(getter, js_name = hasKeys)]
        pub fn has_keys(&self) -> bool {
            self.verifier.is_some()
        }

        /// The mount name (`jwt` by default).
        #[wasm_bindgen(getter)]
        pub fn mount(&self) -> String {
            self.mount.clone()
        }

        /// The role names.
        #[wasm_bindgen(getter)]
        pub fn roles(&self) -> Vec<String> {
            self.gate.roles.keys().cloned().collect()
        }

        fn verifier(&self) -> Result<&crate::Verifier, JsValue> {
            self.verifier.as_ref().ok_or_else(|| gate_js(Error::new(Code::JwksInvalid, "no keys are loaded")))
        }

        /// Parses the raw body of a login request (strict JSON: no duplicate members, no byte
        /// order mark, valid UTF-8, bounded nesting). Throws `ERR_INVALID_ARGUMENT` with status 400.
        #[wasm_bindgen(js_name = parseLogin, unchecked_return_type = "GateLoginRequest")]
        pub fn parse_login(&self, #[wasm_bindgen(unchecked_param_type = "Uint8Array")] body: JsValue) -> Result<JsValue, JsValue> {
            let body = body.dyn_ref::<Uint8Array>().map(Uint8Array::to_vec).ok_or_else(|| gate_js(invalid("the login body must be a Uint8Array")))?;
            let request = crate::vault::parse_login_request(&body).map_err(gate_js)?;
            to_plain(&serde_json::json!({ "role": request.role, "jwt": request.jwt, "set_cookie": request.set_cookie }))
        }

        /// Vault's login: checks `jwt` against role `role` for a caller at `remote` at `now`
        /// (seconds), and mints a session with the host's random `session_id`.
        #[wasm_bindgen(unchecked_return_type = "GateLogin")]
        pub fn login(&self, role: &str, jwt: &str, remote: Option<String>, now: f64, session_id: &str, request_id: &str) -> Result<JsValue, JsValue> {
            if session_id.len() < 16 {
                return Err(gate_js(Error::new(Code::InvalidArgument, "session id must be at least 16 random characters")));
            }
            let now = now.floor() as i64;
            let login = self.gate.login(role, jwt, self.verifier()?, remote_ip(remote), now).map_err(gate_js)?;
            let session = Session::from_login(&login, session_id, now);
            let token = self.key.mint(&session).map_err(gate_js)?;
            let body = crate::vault::login_response(&self.key, &session, &token, request_id);
            result_object(&[("body", to_plain(&body)?), ("token", token.as_str().into()), ("session", session_identity(&session)?)])
        }

        /// Checks `jwt` against `role` as a login would, without minting a session: for requests
        /// that carry a ServiceAccount token directly.
        #[wasm_bindgen(unchecked_return_type = "GateIdentity")]
        pub fn authorize(&self, role: &str, jwt: &str, remote: Option<String>, now: f64) -> Result<JsValue, JsValue> {
            let login = self.gate.login(role, jwt, self.verifier()?, remote_ip(remote), now.floor() as i64).map_err(gate_js)?;
            to_plain(&serde_json::json!({
                "role": login.role, "alias": login.alias, "groups": login.groups, "policies": login.policies, "meta": login.metadata,
                "headers": crate::vault::identity_headers(&login.role, &login.alias, &login.groups),
            }))
        }

        /// Verifies a session token (MAC, expiry, bound CIDRs). Revocation is the host's to check, by `id`.
        #[wasm_bindgen(unchecked_return_type = "GateIdentity")]
        pub fn session(&self, token: &str, remote: Option<String>, now: f64) -> Result<JsValue, JsValue> {
            let s = self.key.verify(token, remote_ip(remote), now.floor() as i64).map_err(gate_js)?;
            session_identity(&s)
        }

        /// Vault's `lookup-self` body for a session token (verified again here).
        #[wasm_bindgen(js_name = lookupSelf)]
        pub fn lookup_self(&self, token: &str, remote: Option<String>, now: f64, request_id: &str) -> Result<JsValue, JsValue> {
            let now = now.floor() as i64;
            let s = self.key.verify(token, remote_ip(remote), now).map_err(gate_js)?;
            to_plain(&crate::vault::lookup_response(&self.key, &s, token, &self.mount, request_id, now))
        }
    }
}
