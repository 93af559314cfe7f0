//! The JWS signature algorithms (RFC 7518 section 3, RFC 8037, RFC 9864): their names and
//! hashes, and the verification of each key family in its own file with the arithmetic it
//! needs. Depends on `der` and `error` only.

pub mod alg;
pub mod ecdsa;
pub mod eddsa;
pub mod rsa;
#[cfg(any(feature = "gate", all(feature = "cli", not(target_arch = "wasm32"))))]
pub mod sign;

// The arithmetic is the crate jwksgate-arith (arith/), built at opt-level 3 where the rest is
// built for size; its files are these folders' (arith/lib.rs), re-exported under their paths.
#[cfg(feature = "eddsa")]
pub use jwksgate_arith::ed25519;
pub use jwksgate_arith::modexp;
#[cfg(all(feature = "es256", not(feature = "p256-crate")))]
pub use jwksgate_arith::nistp256;
#[cfg(feature = "es384")]
pub use jwksgate_arith::nistp384;
#[cfg(feature = "es512")]
pub use jwksgate_arith::nistp521;
#[cfg(any(all(feature = "es256", not(feature = "p256-crate")), feature = "es384", feature = "es512"))]
pub use jwksgate_arith::weierstrass;
#[cfg(any(all(feature = "es256", not(feature = "p256-crate")), feature = "es384", feature = "es512", feature = "eddsa"))]
pub use jwksgate_arith::words;

use crate::der::{self, SpkiKey};
use crate::error::{err, Code, Result};
use alg::Alg;
use ecdsa::{Curve, EcPublicKey};
use eddsa::Ed25519PublicKey;
use rsa::RsaPublicKey;

/// A validated public key of any family this crate verifies.
#[derive(Clone, Debug)]
pub enum PublicKey {
    /// An RSA key (`kty` RSA), for RS* and PS*.
    Rsa(RsaPublicKey),
    /// An EC key (`kty` EC), for the ES algorithm of its curve.
    Ec(EcPublicKey),
    /// An Ed25519 key (`kty` OKP, `crv` Ed25519), for `EdDSA` and `Ed25519`.
    Ed25519(Ed25519PublicKey),
}

impl PublicKey {
    /// The key in a SubjectPublicKeyInfo, validated by its family.
    pub fn from_spki(spki: SpkiKey) -> Result<Self> {
        match spki {
            SpkiKey::Rsa { n, e } => RsaPublicKey::new(&n, &e).map(PublicKey::Rsa),
            SpkiKey::Ec { curve_oid, point } => match Curve::from_oid(&curve_oid) {
                Some(curve) => EcPublicKey::from_sec1(curve, &point).map(PublicKey::Ec),
                None => err(Code::NotSupported, "EC curve is not supported; P-256, P-384 and P-521 are"),
            },
            SpkiKey::Ed25519(key) => Ed25519PublicKey::from_bytes(&key).map(PublicKey::Ed25519),
        }
    }

    /// The JWK `kty`.
    pub fn kty(&self) -> &'static str {
        match self {
            PublicKey::Rsa(_) => "RSA",
            PublicKey::Ec(_) => "EC",
            PublicKey::Ed25519(_) => "OKP",
        }
    }

    /// The JWK `crv`, for the families that have one.
    pub fn crv(&self) -> Option<&'static str> {
        match self {
            PublicKey::Rsa(_) => None,
            PublicKey::Ec(k) => Some(k.curve().name()),
            PublicKey::Ed25519(_) => Some("Ed25519"),
        }
    }

    /// Whether `alg` is an algorithm of this key: its family, and its curve where it has one.
    pub fn fits(&self, alg: Alg) -> bool {
        alg.kty() == self.kty() && alg.crv() == self.crv()
    }

    /// Verifies `signature` over `message` with `alg`; `false` also when `alg` does not fit
    /// the key. Every failure is the same `false`: a verifier should not say why.
    pub fn verify(&self, alg: Alg, message: &[u8], signature: &[u8]) -> bool {
        match self {
            PublicKey::Rsa(k) => self.fits(alg) && k.verify(alg, message, signature),
            PublicKey::Ec(k) => k.verify(alg, message, signature),
            PublicKey::Ed25519(k) => k.verify(alg, message, signature),
        }
    }

    /// The DER SubjectPublicKeyInfo, as Go's `x509.MarshalPKIXPublicKey` writes it: EC points
    /// uncompressed with the named curve, Ed25519 without parameters.
    pub fn spki_der(&self) -> Vec<u8> {
        match self {
            PublicKey::Rsa(k) => der::rsa_spki_der(k.modulus(), &k.exponent_bytes()),
            PublicKey::Ec(k) => der::ec_spki_der(k.curve().oid(), k.sec1_uncompressed()),
            PublicKey::Ed25519(k) => der::ed25519_spki_der(k.as_bytes()),
        }
    }
}
