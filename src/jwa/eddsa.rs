//! Ed25519 public keys and signatures (RFC 8032 section 5.1) as JWS uses them: `EdDSA` over
//! Ed25519 (RFC 8037 section 3.1) and RFC 9864's `Ed25519`, verified by our own arithmetic
//! (../ed25519/) with ed25519-dalek's `verify_strict` semantics: a non-canonical `S` (not below
//! the group order L), a small-order `R` or key, or a non-canonical `R` is refused; keys are
//! decoded strictly (RFC 8032 section 5.1.3).

use crate::error::{err, Code, Result};
use crate::jwa::alg::Alg;

/// Octets of an Ed25519 public key.
pub const PUBLIC_KEY_LEN: usize = 32;
/// Octets of an Ed25519 signature, `R || S`.
pub const SIGNATURE_LEN: usize = 64;

/// A validated Ed25519 public key: the canonical encoding of a point on the curve whose order
/// is not small.
#[derive(Clone, Debug)]
pub struct Ed25519PublicKey {
    #[cfg(feature = "eddsa")]
    key: crate::jwa::ed25519::VerifyingKey,
    #[cfg(not(feature = "eddsa"))]
    bytes: [u8; PUBLIC_KEY_LEN],
}

impl Ed25519PublicKey {
    /// Decodes a 32-octet public key (a JWK's `x`, RFC 8037 section 2, or an SPKI's, RFC 8410
    /// section 4).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let Ok(bytes) = <[u8; PUBLIC_KEY_LEN]>::try_from(bytes) else {
            return err(Code::JwkInvalid, format!("Ed25519 public keys are {PUBLIC_KEY_LEN} octets"));
        };
        Ed25519PublicKey::decode(bytes)
    }

    #[cfg(feature = "eddsa")]
    fn decode(bytes: [u8; PUBLIC_KEY_LEN]) -> Result<Self> {
        use crate::jwa::ed25519::{KeyError, VerifyingKey};
        match VerifyingKey::from_bytes(&bytes) {
            Ok(key) => Ok(Ed25519PublicKey { key }),
            Err(KeyError::NotOnCurve) => err(Code::JwkInvalid, "Ed25519 public key is not a point on the curve"),
            // RFC 8032 section 5.1.3 fails a y >= p (the 19 values p..2^255-1).
            Err(KeyError::NotCanonical) => err(Code::JwkInvalid, "Ed25519 public key is not canonically encoded"),
            // A small-order key verifies forged signatures for many messages (no strict verifier
            // would accept its signatures anyway): refused at import, so the set says why. An x
            // of 0 with the sign bit set is y = 1 or -1, of small order too.
            Err(KeyError::SmallOrder) => err(Code::JwkInvalid, "Ed25519 public key has small order"),
        }
    }

    #[cfg(not(feature = "eddsa"))]
    fn decode(_bytes: [u8; PUBLIC_KEY_LEN]) -> Result<Self> {
        err(Code::NotSupported, "Ed25519 keys are not supported by this build")
    }

    /// The 32-octet encoding.
    pub fn as_bytes(&self) -> &[u8; PUBLIC_KEY_LEN] {
        #[cfg(feature = "eddsa")]
        return self.key.as_bytes();
        #[cfg(not(feature = "eddsa"))]
        return &self.bytes;
    }

    /// Verifies a JWS signature with `EdDSA` or `Ed25519`: exactly 64 octets, checked as
    /// ed25519-dalek's `verify_strict` does. Every failure is the same `false`.
    pub fn verify(&self, alg: Alg, message: &[u8], signature: &[u8]) -> bool {
        if !matches!(alg, Alg::EdDSA | Alg::Ed25519) {
            return false;
        }
        let Ok(signature) = <[u8; SIGNATURE_LEN]>::try_from(signature) else {
            return false;
        };
        #[cfg(feature = "eddsa")]
        return self.key.verify(message, &signature);
        #[cfg(not(feature = "eddsa"))]
        return {
            let _ = (message, signature);
            false
        };
    }
}
