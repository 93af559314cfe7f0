//! `verify`, `verifyJws`, the `Verifier` class and `decodeUnverified`.

use super::convert::{parse_json, parse_jwks, push_json, string_arg, to_js};
use super::options::{PartialOptions, MAX_TOKEN_BYTES_CEILING};
use crate::claims::VerifyOptions;
use crate::error::Code;
use crate::verifier::{self, KeyInfo};
use js_sys::{Reflect, Uint8Array};
use wasm_bindgen::prelude::*;

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
    let token = string_arg(&token, "argument token", MAX_TOKEN_BYTES_CEILING, Code::JwsInvalid).map_err(to_js)?;
    let d = verifier::decode_unverified(&token, MAX_TOKEN_BYTES_CEILING).map_err(to_js)?;
    let obj = parse_json(&format!("{{\"header\":{},\"payload\":{},\"signature\":null}}", d.header_json, d.payload_json))?;
    Reflect::set(&obj, &"signature".into(), &d.signature.into())?;
    Ok(obj)
}

/// The arguments of a one-shot `verify`/`verifyJws`, checked in the order a `Verifier` would
/// see them: options, then the key set, then the token (bounded before it is copied).
fn one_shot(token: &JsValue, jwks: &JsValue, options: &JsValue) -> Result<(crate::Verifier, String, VerifyOptions), JsValue> {
    let call = PartialOptions::from_js(options).map_err(to_js)?;
    let verifier = crate::Verifier::from_jwks(parse_jwks(jwks).map_err(to_js)?);
    let (token, options) = token_and_options(token, &PartialOptions::default(), &call)?;
    Ok((verifier, token, options))
}

/// The call's options within `defaults`, then the token, refused on its length before it is copied.
fn token_and_options(token: &JsValue, defaults: &PartialOptions, call: &PartialOptions) -> Result<(String, VerifyOptions), JsValue> {
    let options = defaults.resolve(call).map_err(to_js)?;
    let token = string_arg(token, "argument token", options.max_token_bytes, Code::JwsInvalid).map_err(to_js)?;
    Ok((token, options))
}

/// Verifies a JWT against a JWKS (object or JSON text): signature, then claims.
#[wasm_bindgen(unchecked_return_type = "VerifyResult")]
pub fn verify(
    #[wasm_bindgen(unchecked_param_type = "string")] token: JsValue,
    #[wasm_bindgen(unchecked_param_type = "JWKS | string")] jwks: JsValue,
    #[wasm_bindgen(unchecked_param_type = "VerifyOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let (verifier, token, options) = one_shot(&token, &jwks, &options)?;
    jwt_result(verifier.verify(&token, &options).map_err(to_js)?)
}

/// Verifies a compact JWS of any payload against a JWKS: header, key and signature rules
/// only, no claims.
#[wasm_bindgen(js_name = verifyJws, unchecked_return_type = "VerifyJwsResult")]
pub fn verify_jws(
    #[wasm_bindgen(unchecked_param_type = "string")] token: JsValue,
    #[wasm_bindgen(unchecked_param_type = "JWKS | string")] jwks: JsValue,
    #[wasm_bindgen(unchecked_param_type = "VerifyOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let (verifier, token, options) = one_shot(&token, &jwks, &options)?;
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
    /// Parses and imports `jwks`; `options` hold for every call, whose own options may narrow them.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "JWKS | string")] jwks: JsValue,
        #[wasm_bindgen(unchecked_param_type = "VerifyOptions")] options: JsValue,
    ) -> Result<JsVerifier, JsValue> {
        let defaults = PartialOptions::from_js(&options).map_err(to_js)?;
        let inner = crate::Verifier::from_jwks(parse_jwks(&jwks).map_err(to_js)?);
        Ok(JsVerifier { inner, defaults })
    }

    /// A Verifier over a key set as its issuer published it (a remote set's fetch, JSON text):
    /// a well-formed set with no usable key (`{"keys":[]}`, only `use: "enc"` keys) is the
    /// issuer's revocation and verifies nothing (ERR_JWKS_NO_MATCHING_KEY), where the
    /// constructor refuses it; a body that is not a JWKS is ERR_JWKS_INVALID.
    #[wasm_bindgen(js_name = fromPublished)]
    pub fn from_published(#[wasm_bindgen(unchecked_param_type = "string")] jwks: JsValue) -> Result<JsVerifier, JsValue> {
        let text = string_arg(&jwks, "argument jwks", crate::jwk::MAX_JWKS_BYTES, Code::JwksInvalid).map_err(to_js)?;
        let inner = crate::Verifier::from_jwks(crate::Jwks::parse_published(text.as_bytes()).map_err(to_js)?);
        Ok(JsVerifier { inner, defaults: PartialOptions::default() })
    }

    /// Verifies a JWT; `options` may narrow the constructor's (see `PartialOptions::resolve`).
    #[wasm_bindgen(unchecked_return_type = "VerifyResult")]
    pub fn verify(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] token: JsValue,
        #[wasm_bindgen(unchecked_param_type = "VerifyOptions")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let call = PartialOptions::from_js(&options).map_err(to_js)?;
        let (token, options) = token_and_options(&token, &self.defaults, &call)?;
        jwt_result(self.inner.verify(&token, &options).map_err(to_js)?)
    }

    /// Verifies a compact JWS of any payload (no claims).
    #[wasm_bindgen(js_name = verifyJws, unchecked_return_type = "VerifyJwsResult")]
    pub fn verify_jws(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] token: JsValue,
        #[wasm_bindgen(unchecked_param_type = "VerifyOptions")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let call = PartialOptions::from_js(&options).map_err(to_js)?;
        let (token, options) = token_and_options(&token, &self.defaults, &call)?;
        jws_result(self.inner.verify_jws(&token, &options).map_err(to_js)?)
    }

    /// The `kid`s of the usable keys.
    #[wasm_bindgen(getter, js_name = keyIds)]
    pub fn key_ids(&self) -> Vec<String> {
        self.inner.key_ids().into_iter().map(str::to_owned).collect()
    }
}
