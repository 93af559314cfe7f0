//! Signers for the ECDSA and Ed25519 tests, made by RustCrypto's p256, p384, p521 and
//! ed25519-dalek through their signing APIs (the verifier uses the verifying side): ES256/384/512
//! signatures in JWS form (RFC 7518 section 3.4, `r || s`, RFC 6979 nonces, so deterministic) and
//! Ed25519 (RFC 8032, deterministic).

#![allow(dead_code)]

use jwksgate::{b64, Alg};
use p256::ecdsa::signature::Signer;
use serde_json::{json, Value};

/// A private key of one of the curve families.
pub enum EcSigner {
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
    P521(p521::ecdsa::SigningKey),
    Ed25519(ed25519_dalek::SigningKey),
}

/// Kubernetes' P-256 test key (pkg/serviceaccount/jwt_test.go, `ecdsaPrivateKey`).
pub const K8S_EC_KEY: &str = include_str!("../vectors/k8s/pkg_serviceaccount/ecdsaPrivateKey.pem");
/// Kubernetes' P-521 test keys (the OIDC authenticator's testdata/ecdsa_{1,2,3}.pem).
pub const OIDC_EC_KEYS: [&str; 3] = [
    include_str!("../vectors/k8s/oidc_testdata/ecdsa_1.pem"),
    include_str!("../vectors/k8s/oidc_testdata/ecdsa_2.pem"),
    include_str!("../vectors/k8s/oidc_testdata/ecdsa_3.pem"),
];
/// The test Ed25519 key of tests/vectors/certs/ (PKCS#8).
pub const ED25519_KEY: &str = include_str!("../vectors/certs/ed25519_private.pem");

impl EcSigner {
    /// A key for `alg`'s curve, derived from `seed` (a scalar below the order for every seed).
    pub fn from_seed(alg: Alg, seed: u8) -> EcSigner {
        let bytes = |len: usize| {
            let mut b = vec![0u8; len];
            b[1] = 1;
            *b.last_mut().unwrap() = seed.max(1);
            b
        };
        match alg {
            Alg::ES256 => EcSigner::P256(p256::ecdsa::SigningKey::from_slice(&bytes(32)).unwrap()),
            Alg::ES384 => EcSigner::P384(p384::ecdsa::SigningKey::from_slice(&bytes(48)).unwrap()),
            Alg::ES512 => EcSigner::P521(p521::ecdsa::SigningKey::from_slice(&bytes(66)).unwrap()),
            Alg::EdDSA | Alg::Ed25519 => EcSigner::Ed25519(ed25519_dalek::SigningKey::from_bytes(&[seed; 32])),
            _ => unreachable!("{} is not an EC or OKP algorithm", alg.name()),
        }
    }

    /// Kubernetes' P-256 test key.
    pub fn k8s_p256() -> EcSigner {
        let secret = p256::SecretKey::from_sec1_pem(K8S_EC_KEY).unwrap();
        EcSigner::P256(secret.into())
    }

    /// One of Kubernetes' P-521 test keys.
    pub fn k8s_p521(i: usize) -> EcSigner {
        let secret = p521::SecretKey::from_sec1_pem(OIDC_EC_KEYS[i]).unwrap();
        EcSigner::P521(secret.into())
    }

    /// The Ed25519 key of tests/vectors/certs/.
    pub fn test_ed25519() -> EcSigner {
        use ed25519_dalek::pkcs8::DecodePrivateKey;
        EcSigner::Ed25519(ed25519_dalek::SigningKey::from_pkcs8_pem(ED25519_KEY).unwrap())
    }

    /// The algorithm this key signs (EdDSA for Ed25519; `Ed25519` signs the same bytes).
    pub fn alg(&self) -> Alg {
        match self {
            EcSigner::P256(_) => Alg::ES256,
            EcSigner::P384(_) => Alg::ES384,
            EcSigner::P521(_) => Alg::ES512,
            EcSigner::Ed25519(_) => Alg::EdDSA,
        }
    }

    /// The SEC1 uncompressed point, or the 32-octet Ed25519 key.
    pub fn public_bytes(&self) -> Vec<u8> {
        match self {
            EcSigner::P256(k) => k.verifying_key().to_sec1_point(false).as_bytes().to_vec(),
            EcSigner::P384(k) => k.verifying_key().to_sec1_point(false).as_bytes().to_vec(),
            EcSigner::P521(k) => k.verifying_key().to_sec1_point(false).as_bytes().to_vec(),
            EcSigner::Ed25519(k) => k.verifying_key().to_bytes().to_vec(),
        }
    }

    /// The public JWK, with `extra` members added.
    pub fn jwk(&self, extra: Value) -> Value {
        let public = self.public_bytes();
        let mut jwk = match self {
            EcSigner::Ed25519(_) => json!({ "kty": "OKP", "crv": "Ed25519", "x": b64::encode(&public) }),
            _ => {
                let len = (public.len() - 1) / 2;
                let crv = self.alg().crv().unwrap();
                json!({ "kty": "EC", "crv": crv, "x": b64::encode(&public[1..1 + len]), "y": b64::encode(&public[1 + len..]) })
            }
        };
        for (k, v) in extra.as_object().unwrap() {
            jwk[k] = v.clone();
        }
        jwk
    }

    /// The JWS signature of `data`: `r || s`, or Ed25519's `R || S`.
    pub fn sign(&self, data: &[u8]) -> Vec<u8> {
        match self {
            EcSigner::P256(k) => Signer::<p256::ecdsa::Signature>::sign(k, data).to_bytes().to_vec(),
            EcSigner::P384(k) => Signer::<p384::ecdsa::Signature>::sign(k, data).to_bytes().to_vec(),
            EcSigner::P521(k) => Signer::<p521::ecdsa::Signature>::sign(k, data).to_bytes().to_vec(),
            EcSigner::Ed25519(k) => Signer::<ed25519_dalek::Signature>::sign(k, data).to_bytes().to_vec(),
        }
    }

    /// A compact JWS over raw header and payload text.
    pub fn sign_raw(&self, header: &str, payload: &str) -> String {
        let input = format!("{}.{}", b64::encode(header.as_bytes()), b64::encode(payload.as_bytes()));
        format!("{input}.{}", b64::encode(&self.sign(input.as_bytes())))
    }

    /// A JWT with the given header and claims.
    pub fn token(&self, header: Value, claims: Value) -> String {
        self.sign_raw(&header.to_string(), &claims.to_string())
    }
}
