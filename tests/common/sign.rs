// Shared by tests/role.rs and tests/session.rs: one RSA key generated per test binary, RS256
// signing (RFC 7518 section 3.3) with the `rsa` crate, and its JWKS.
#![allow(dead_code)]

use rsa::traits::PublicKeyParts;
use rsa::{Pkcs1v15Sign, RsaPrivateKey};
use serde_json::{json, Value};
use rsa::sha2::{Digest, Sha256};
use std::sync::OnceLock;

/// DER DigestInfo prefix for SHA-256 (RFC 8017 section 9.2, note 1).
const SHA256_PREFIX: [u8; 19] = [0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20];

pub fn key() -> &'static RsaPrivateKey {
    static KEY: OnceLock<RsaPrivateKey> = OnceLock::new();
    KEY.get_or_init(|| RsaPrivateKey::new(&mut rand::thread_rng(), 2048).unwrap())
}

fn b64(bytes: &[u8]) -> String {
    jwksgate::b64::encode(bytes)
}

pub fn jwks() -> String {
    let k = key();
    json!({"keys": [{"kty": "RSA", "kid": "k1", "alg": "RS256", "use": "sig", "n": b64(&k.n().to_bytes_be()), "e": b64(&k.e().to_bytes_be())}]})
        .to_string()
}

pub fn sign_with(header: &Value, claims: &Value) -> String {
    let input = format!("{}.{}", b64(header.to_string().as_bytes()), b64(claims.to_string().as_bytes()));
    let mut digest_info = SHA256_PREFIX.to_vec();
    digest_info.extend_from_slice(&Sha256::digest(input.as_bytes()));
    let sig = key().sign(Pkcs1v15Sign::new_unprefixed(), &digest_info).unwrap();
    format!("{input}.{}", b64(&sig))
}

pub fn sign(claims: &Value) -> String {
    sign_with(&json!({"alg": "RS256", "kid": "k1", "typ": "JWT"}), claims)
}
