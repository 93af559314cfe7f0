//! One key at a time: `verifySignature`, `jwkThumbprint`, `kubernetesKeyId`, `importPublicKeyPem`,
//! `importX509`, `importPublicKeysPem`.

use super::convert::{bytes_arg, invalid, parse_json, parse_jwk, string_arg, to_js, to_plain};
use crate::error::{Code, Error};
use crate::jwa::alg::Alg;
use wasm_bindgen::prelude::*;

/// One property of an imported JWK (no copy of the key itself).
fn key_field(jwk: &JsValue, field: impl Fn(&crate::Key) -> &str) -> Result<String, JsValue> {
    let parsed = parse_jwk(jwk).map_err(to_js)?;
    parsed.key().map(|k| field(k).to_owned()).map_err(|e| to_js(e.clone()))
}

/// Largest `data` accepted by `verifySignature` (wasm memory, once grown, never shrinks).
const MAX_DATA_BYTES: usize = 16 * 1024 * 1024;
/// Longest signature of any algorithm: RSA at 8192 bits.
const MAX_SIGNATURE_BYTES: usize = crate::jwa::rsa::MAX_BITS / 8;

/// Checks a raw signature over `data` with one JWK. `false` when the signature is wrong;
/// throws when the key or algorithm is unusable.
#[wasm_bindgen(js_name = verifySignature)]
pub fn verify_signature(
    #[wasm_bindgen(unchecked_param_type = "JWK | string")] jwk: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Algorithm")] alg: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Uint8Array")] data: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Uint8Array")] signature: JsValue,
) -> Result<bool, JsValue> {
    // Checked here: the `&str` glue trapped on a number, and the `&[u8]` glue read a string or a
    // number as other bytes (zeros, or none) and trusted a Uint8Array's `length` property.
    let alg = string_arg(&alg, "argument alg", 16, Code::NotSupported).map_err(to_js)?;
    let data = bytes_arg(&data, "argument data", MAX_DATA_BYTES).map_err(to_js)?.ok_or_else(|| to_js(invalid(format!("argument data is over {MAX_DATA_BYTES} bytes"))))?;
    // No algorithm's signature is longer: a longer one is wrong, and is not copied.
    let Some(signature) = bytes_arg(&signature, "argument signature", MAX_SIGNATURE_BYTES).map_err(to_js)? else {
        return Ok(false);
    };
    let alg = Alg::from_name(&alg)
        .ok_or_else(|| to_js(Error::new(Code::NotSupported, format!("algorithm {:?} is not supported", crate::error::short(&alg)))))?;
    let parsed = parse_jwk(&jwk).map_err(to_js)?;
    if parsed.alg().is_some_and(|a| a != alg.name()) {
        return Err(to_js(Error::new(Code::JwkInvalid, "the JWK's \"alg\" does not match the algorithm")));
    }
    let key = parsed.key().map_err(|e| to_js(e.clone()))?;
    let public = key.public();
    if !public.fits(alg) {
        let what = public.crv().map_or_else(|| public.kty().to_owned(), |c| format!("{} {c}", public.kty()));
        return Err(to_js(Error::new(Code::JwkInvalid, format!("the JWK is an {what} key, which cannot verify {}", alg.name()))));
    }
    // The same usability rule as key selection in a set (jose's isUsableJWK).
    if !parsed.is_candidate(alg, None) {
        return Err(to_js(Error::new(Code::JwkInvalid, "the JWK is not for verifying signatures (\"use\" or \"key_ops\")")));
    }
    Ok(key.verify(alg, &data, &signature))
}

/// The RFC 7638 SHA-256 thumbprint of a JWK (RSA, EC or OKP), base64url.
#[wasm_bindgen(js_name = jwkThumbprint)]
pub fn jwk_thumbprint(#[wasm_bindgen(unchecked_param_type = "JWK | string")] jwk: JsValue) -> Result<String, JsValue> {
    key_field(&jwk, crate::Key::thumbprint)
}

/// The key id Kubernetes gives a key: base64url(SHA-256(DER SubjectPublicKeyInfo)).
#[wasm_bindgen(js_name = kubernetesKeyId)]
pub fn kubernetes_key_id(#[wasm_bindgen(unchecked_param_type = "JWK | string")] jwk: JsValue) -> Result<String, JsValue> {
    key_field(&jwk, crate::Key::kubernetes_key_id)
}

/// Imports a PEM public key (SPKI `PUBLIC KEY` of RSA, EC or Ed25519, PKCS#1 `RSA PUBLIC KEY`,
/// or a `CERTIFICATE`'s subject key) as a JWK whose `kid` is the Kubernetes key id.
#[wasm_bindgen(js_name = importPublicKeyPem, unchecked_return_type = "JWK")]
pub fn import_public_key_pem(#[wasm_bindgen(unchecked_param_type = "string")] pem: JsValue) -> Result<JsValue, JsValue> {
    let pem = string_arg(&pem, "argument pem", crate::der::MAX_PEM_BYTES, Code::JwkInvalid).map_err(to_js)?;
    to_plain(&crate::import_public_key_pem(&pem).map_err(to_js)?)
}

/// Imports the subject public key of a PEM X.509 certificate (as jose's `importX509`; the
/// certificate itself is not validated) as a JWK whose `kid` is the Kubernetes key id.
#[wasm_bindgen(js_name = importX509, unchecked_return_type = "JWK")]
pub fn import_x509(#[wasm_bindgen(unchecked_param_type = "string")] pem: JsValue) -> Result<JsValue, JsValue> {
    let pem = string_arg(&pem, "argument pem", crate::der::MAX_PEM_BYTES, Code::JwkInvalid).map_err(to_js)?;
    to_plain(&crate::import_x509(&pem).map_err(to_js)?)
}

/// Imports every block of PEM text (public keys and certificates, one or more, as Vault's
/// `jwt_validation_pubkeys` and Kubernetes' `sa.pub` hold them; the crate's one PEM reader) as
/// `[{ certificate, jwk }]`, in order; `jwk.kid` is the Kubernetes key id.
#[wasm_bindgen(js_name = importPublicKeysPem, unchecked_return_type = "{ certificate: boolean; jwk: JWK }[]")]
pub fn import_public_keys_pem(#[wasm_bindgen(unchecked_param_type = "string")] text: JsValue) -> Result<JsValue, JsValue> {
    let text = string_arg(&text, "argument text", crate::pem::MAX_PEM_TEXT_BYTES, Code::JwkInvalid).map_err(to_js)?;
    let keys = crate::import_public_keys_pem(&text).map_err(to_js)?;
    // JSON text by hand: a serde value of the list cost 3 KB of wasm for what this does.
    let mut out = String::from("[");
    for (i, k) in keys.iter().enumerate() {
        let jwk = serde_json::to_string(&k.jwk).map_err(|_| to_js(invalid("cannot convert result")))?;
        out.push_str(&format!("{}{{\"certificate\":{},\"jwk\":{jwk}}}", if i == 0 { "" } else { "," }, k.certificate));
    }
    out.push(']');
    parse_json(&out)
}
