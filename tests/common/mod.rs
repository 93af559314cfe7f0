//! Token minting for tests: RS and PS signatures (RFC 7518 section 3.3 and 3.5) made by the
//! `rsa` crate, an implementation independent of the verifier's own arithmetic.

#![allow(dead_code)]

pub mod ec;

use jwksgate::{b64, Alg};
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::traits::PublicKeyParts;
use rsa::{Pkcs1v15Sign, Pss, RsaPrivateKey};
use serde_json::{json, Value};
use rsa::sha2::{Digest, Sha256, Sha384, Sha512};

pub const K8S_KEY: &str = include_str!("../vectors/k8s/pkg_serviceaccount/rsaPrivateKey.pem");
pub const OIDC_KEY_1: &str = include_str!("../vectors/k8s/oidc_testdata/rsa_1.pem");
pub const OIDC_KEY_2: &str = include_str!("../vectors/k8s/oidc_testdata/rsa_2.pem");
/// Kubernetes' test clock (pkg/serviceaccount/claims_test.go).
pub const NOW: i64 = 1_514_764_800;

pub fn key(pem: &str) -> RsaPrivateKey {
    RsaPrivateKey::from_pkcs1_pem(pem).unwrap()
}

pub fn public_jwk(key: &RsaPrivateKey, extra: Value) -> Value {
    let mut jwk = json!({
        "kty": "RSA",
        "n": b64::encode(&key.n().to_bytes_be()),
        "e": b64::encode(&key.e().to_bytes_be()),
    });
    for (k, v) in extra.as_object().unwrap() {
        jwk[k] = v.clone();
    }
    jwk
}

pub fn sign_bytes(key: &RsaPrivateKey, alg: Alg, data: &[u8]) -> Vec<u8> {
    let mut rng = rand::thread_rng();
    match alg {
        Alg::RS256 => key.sign(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(data)).unwrap(),
        Alg::RS384 => key.sign(Pkcs1v15Sign::new::<Sha384>(), &Sha384::digest(data)).unwrap(),
        Alg::RS512 => key.sign(Pkcs1v15Sign::new::<Sha512>(), &Sha512::digest(data)).unwrap(),
        Alg::PS256 => key.sign_with_rng(&mut rng, Pss::new::<Sha256>(), &Sha256::digest(data)).unwrap(),
        Alg::PS384 => key.sign_with_rng(&mut rng, Pss::new::<Sha384>(), &Sha384::digest(data)).unwrap(),
        Alg::PS512 => key.sign_with_rng(&mut rng, Pss::new::<Sha512>(), &Sha512::digest(data)).unwrap(),
        _ => unreachable!("{} is not an RSA algorithm", alg.name()),
    }
}

/// A compact JWS over raw header and payload text, signed with `alg`.
pub fn sign_raw(key: &RsaPrivateKey, alg: Alg, header: &str, payload: &str) -> String {
    let input = format!("{}.{}", b64::encode(header.as_bytes()), b64::encode(payload.as_bytes()));
    let sig = sign_bytes(key, alg, input.as_bytes());
    format!("{input}.{}", b64::encode(&sig))
}

/// A JWT with the given header and claims, signed with `alg`.
pub fn sign(key: &RsaPrivateKey, alg: Alg, header: Value, claims: Value) -> String {
    sign_raw(key, alg, &header.to_string(), &claims.to_string())
}

/// Claims shaped like a Kubernetes projected ServiceAccount token, valid around [`NOW`].
pub fn k8s_claims() -> Value {
    json!({
        "aud": ["https://kubernetes.default.svc"],
        "exp": NOW + 3600,
        "iat": NOW - 60,
        "nbf": NOW - 60,
        "iss": "https://kubernetes.default.svc",
        "sub": "system:serviceaccount:default:builder",
        "kubernetes.io": {
            "namespace": "default",
            "serviceaccount": {"name": "builder", "uid": "9e4f5b8c-7e56-4f39-9b3c-1d2b3f4a5c6d"},
            "pod": {"name": "builder-7d9f", "uid": "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"},
            "warnafter": NOW + 3000
        }
    })
}
