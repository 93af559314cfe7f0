//! Ed25519 verification of our own (RFC 8032 section 5.1.7), tuned for wasm: the field of
//! field.rs in ten 25.5-bit limbs (32 x 32 -> 64-bit products only; curve25519-dalek's 64-bit
//! limbs pay a software `__multi3` per product there), [S]B - [k]A by an interleaved wNAF over
//! eight 32-bit chunks (point.rs, as ../weierstrass/ does for the NIST curves), the base point's
//! tables made once per process and a key's kept from its second verification, and one
//! inversion (../weierstrass/'s divsteps) to encode the result. The semantics are
//! ed25519-dalek's `verify_strict`: S below L, A and R not of small order, R compared by its
//! encoding, so a non-canonical R fails. Checked against
//! ed25519-dalek by tests/ed25519_diff.rs and the fuzz target `ed25519_diff`, and by every
//! Wycheproof Ed25519 row (tests/vectors.rs).

mod field;
mod point;
mod scalar;

use point::{Affine, Niels, Projective, CHUNKS};
use crate::jwa::words::hex;
use sha2::{Digest, Sha512};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

/// The base point's wNAF window: digits |d| < 2^6, tables of 32 points per chunk, made once
/// per process.
const B_WINDOW: u32 = 7;
/// A key's wNAF window on its first verification: 8 points per chunk, not kept (the one-shot
/// verify imports the key set on every call, so its keys are used once).
const FIRST_WINDOW: u32 = 5;
/// A key's wNAF window from its second verification on: 32 points per chunk (256 points of
/// 120 bytes, 30 KiB), kept. 6% less CPU a verification than at 5 (`bench/ab.mjs`, both
/// orders), for about two verifications' worth of work once.
const A_WINDOW: u32 = 7;

/// The encoding of B, (x, 4/5) with x positive (RFC 8032 section 5.1).
const B: [u8; 32] = hex("5866666666666666666666666666666666666666666666666666666666666666");


/// Why a public key is refused (RFC 8032 section 5.1.3 and the small-order check).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyError {
    /// y^2 - 1 / (d y^2 + 1) has no square root.
    NotOnCurve,
    /// y is p or more.
    NotCanonical,
    /// The point's order divides 8 (among them x = 0 with the sign bit set, y = 1 or -1).
    SmallOrder,
}

/// An Ed25519 public key: the canonical encoding of a point on the curve whose order is not
/// small, with its tables, made and kept on the key's second verification.
pub struct VerifyingKey {
    bytes: [u8; 32],
    point: Affine,
    used: AtomicBool,
    tables: OnceLock<Vec<Niels>>,
}

impl Clone for VerifyingKey {
    fn clone(&self) -> Self {
        VerifyingKey { bytes: self.bytes, point: self.point, used: AtomicBool::new(self.used.load(Ordering::Relaxed)), tables: self.tables.clone() }
    }
}

// By hand: the tables are 64 points of no interest to a reader.
impl core::fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("VerifyingKey").field("bytes", &self.bytes).finish_non_exhaustive()
    }
}

impl VerifyingKey {
    /// Decodes a public key strictly, in ed25519-dalek's order: not on the curve (y taken mod
    /// p), then y >= p, then small order.
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<VerifyingKey, KeyError> {
        let point = Affine::decode(bytes).ok_or(KeyError::NotOnCurve)?;
        if !field::is_canonical(bytes) {
            return Err(KeyError::NotCanonical);
        }
        if point.has_small_order() {
            return Err(KeyError::SmallOrder);
        }
        Ok(VerifyingKey { bytes: *bytes, point, used: AtomicBool::new(false), tables: OnceLock::new() })
    }

    /// The 32-octet encoding.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.bytes
    }

    /// Verifies a 64-octet signature R || S over `message` (RFC 8032 section 5.1.7, strict):
    /// S < L, R = [S]B - [k]A with k = SHA-512(R || A || M) mod L, compared by encoding (a
    /// non-canonical R or one that does not decode never equals an encoding), and R not of small
    /// order.
    pub fn verify(&self, message: &[u8], signature: &[u8; 64]) -> bool {
        let (r, s) = signature.split_at(32);
        let (Ok(r), Ok(s)) = (<&[u8; 32]>::try_from(r), <&[u8; 32]>::try_from(s)) else {
            return false;
        };
        if !scalar::is_canonical(s) {
            return false;
        }
        let h: [u8; 64] = Sha512::new().chain_update(r).chain_update(self.bytes).chain_update(message).finalize().into();
        let k = scalar::reduce_wide(&h);
        let Some(b) = base_tables() else { return false };
        // -A's tables, so that the sum is [S]B + [k](-A).
        let first;
        let (a, a_window) = match self.tables.get() {
            Some(a) => (a, A_WINDOW),
            None if !self.used.swap(true, Ordering::Relaxed) => {
                first = point::tables(&self.point.neg(), FIRST_WINDOW);
                (&first, FIRST_WINDOW)
            }
            None => (self.tables.get_or_init(|| point::tables(&self.point.neg(), A_WINDOW)), A_WINDOW),
        };
        let sum: Projective = point::mul_double(&scalar::words(s), b, B_WINDOW, &k, a, a_window);
        let sum = sum.affine();
        sum.encode() == *r && !sum.has_small_order()
    }
}

/// B's tables, made on the first verification of the process.
fn base_tables() -> Option<&'static [Niels]> {
    static TABLES: OnceLock<Option<Vec<Niels>>> = OnceLock::new();
    TABLES.get_or_init(|| Some(point::tables(&Affine::decode(&B)?, B_WINDOW))).as_deref()
}

const _: () = assert!(CHUNKS * point::CHUNK_BITS >= 253);
