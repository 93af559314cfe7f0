//! jwksgate: verify JSON Web Tokens (RFC 7519) signed with RSA, ECDSA or Ed25519 against a JSON
//! Web Key Set (RFC 7517), the way Kubernetes ServiceAccount tokens are checked outside the cluster.
//!
//! The core has no I/O and no clock: the caller passes the key set and the current time.
//! The layers, each a folder, imports running one way: `jwa` (the signature algorithms and their
//! arithmetic) under the core (parsing, keys, claims, the verifier), under `gate` (HashiCorp
//! Vault's JWT auth roles and session tokens, built with the `gate` feature; beside it `net`, the
//! gate's sans-IO HTTPS client for a pinned CA, which knows nothing of Vault), under `wasm` (the
//! JavaScript bindings, compiled for wasm32 only) and `cli` (the `jwksgate` command, native only,
//! feature `cli`: the one layer that does I/O).
//!
//! ```
//! use jwksgate::{Verifier, VerifyOptions, Code};
//!
//! let jwks = br#"{"keys":[{"kty":"RSA","n":"ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ","e":"AQAB"}]}"#;
//! // RFC 7515 appendix A.2.
//! let token = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";
//!
//! let verifier = Verifier::new(jwks).unwrap();
//! let mut options = VerifyOptions::at(1_300_819_379);
//! options.issuer = vec!["joe".into()];
//! let verified = verifier.verify(token, &options).unwrap();
//! assert_eq!(verified.payload["iss"], "joe");
//!
//! // One second after `exp`, the same token is refused with jose's code.
//! let late = VerifyOptions::at(1_300_819_381);
//! assert_eq!(verifier.verify(token, &late).unwrap_err().code(), Code::JwtExpired);
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]
// Untrusted input must come back as an error value, never a panic (a panic traps the wasm instance).
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

mod ascii;
pub mod b64;
pub mod claims;
pub mod der;
pub mod discovery;
pub mod error;
pub mod fetch;
pub mod json;
pub mod jwk;
pub mod jws;
pub mod jwa;
pub mod kubernetes;
pub mod pem;
pub mod verifier;

// The gate's rules serve the worker's wasm (`gate`) and the native command (`cli`, which never
// builds for wasm32: the npm package's wasm carries neither).
#[cfg(any(feature = "gate", all(feature = "cli", not(target_arch = "wasm32"))))]
pub mod gate;

#[cfg(all(feature = "cli", not(target_arch = "wasm32")))]
pub mod cli;

// The gate's HTTPS client for pinned CAs (rustls and httparse): the worker's wasm only.
#[cfg(feature = "gate")]
pub mod net;

#[cfg(target_arch = "wasm32")]
mod wasm;

pub use jwa::alg::Alg;
pub use claims::VerifyOptions;
pub use error::{Code, Error, Reason, Result};
pub use jwk::{Jwk, Jwks, Key};
pub use jwa::ecdsa::{Curve, EcPublicKey};
pub use jwa::eddsa::Ed25519PublicKey;
pub use jwa::rsa::RsaPublicKey;
pub use jwa::PublicKey;
pub use verifier::{decode_unverified, KeyInfo, Unverified, VerifiedJws, VerifiedJwt, Verifier};

/// Imports a PEM public key of any family (SPKI `PUBLIC KEY`, PKCS#1 `RSA PUBLIC KEY`, or the
/// subject key of a `CERTIFICATE`, as Vault's `jwt_validation_pubkeys` takes them) as a JWK object
/// whose `kid` is the Kubernetes key id.
pub fn import_public_key_pem(pem: &str) -> Result<serde_json::Map<String, serde_json::Value>> {
    jwk_with_kubernetes_kid(der::public_key_from_pem(pem)?)
}

/// A key read from PEM text by [`import_public_keys_pem`].
#[derive(Clone, Debug)]
pub struct PemKey {
    /// It came from a `CERTIFICATE` (its subject key), else a public key block.
    pub certificate: bool,
    /// The key as a JWK object whose `kid` is the Kubernetes key id.
    pub jwk: serde_json::Map<String, serde_json::Value>,
}

/// Imports every block of PEM text (one or more public keys or certificates, as Vault's
/// `jwt_validation_pubkeys` and Kubernetes' `sa.pub` hold them), in order: the one PEM reader of
/// the package, the page, the worker and the command. Any block that is not a public key or a
/// certificate (a private key among them) is an error naming it.
pub fn import_public_keys_pem(text: &str) -> Result<Vec<PemKey>> {
    pem::blocks(text)?
        .iter()
        .enumerate()
        .map(|(i, block)| {
            let spki = der::public_key_from_block(block).map_err(|e| Error::new(e.code(), format!("PEM block {}: {}", i + 1, e.message())))?;
            Ok(PemKey { certificate: block.is_certificate(), jwk: jwk_with_kubernetes_kid(spki)? })
        })
        .collect()
}

/// Every block of PEM text as a key set ([`import_public_keys_pem`]); it must hold a usable key.
pub fn jwks_from_pem(text: &str) -> Result<Jwks> {
    let keys: Vec<serde_json::Value> = import_public_keys_pem(text)?.into_iter().map(|k| serde_json::Value::Object(k.jwk)).collect();
    Jwks::from_value(&serde_json::json!({ "keys": keys }))
}

/// Imports the subject public key of a PEM X.509 `CERTIFICATE` (as `jose`'s `importX509`) as a
/// JWK object whose `kid` is the Kubernetes key id. The certificate is not validated.
pub fn import_x509(pem: &str) -> Result<serde_json::Map<String, serde_json::Value>> {
    jwk_with_kubernetes_kid(der::certificate_key_from_pem(pem)?)
}

fn jwk_with_kubernetes_kid(spki: der::SpkiKey) -> Result<serde_json::Map<String, serde_json::Value>> {
    let key = Key::new(PublicKey::from_spki(spki)?);
    Ok(key.to_jwk(Some(key.kubernetes_key_id())))
}
