//! ES256's arithmetic of our own: P-256 ECDSA verification (FIPS 186-5 section 6.4.2) over a
//! field with the prime's special form (field.rs), 32-bit words (words.rs), interleaved wNAF
//! double-scalar multiplication with tables of odd multiples, the base point's made by the
//! compiler and a key's once at import (point.rs). Verification handles only public data, so
//! the arithmetic is variable-time. Checked against RustCrypto's `p256` by tests/p256_diff.rs
//! and the fuzz target `ecdsa_diff`, and by every Wycheproof P-256 row (tests/vectors.rs).

mod field;
mod point;
mod scalar;
mod words;

use point::{Affine, Jacobian, Tables, Q_ENTRIES};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

/// A P-256 public key: a point on the curve other than the identity, with its tables, made
/// on the key's first verification (a set of many keys, imported on every call of the one-shot
/// verify, pays only for the key a token names: about two verifications' worth each).
#[derive(Clone)]
pub struct VerifyingKey {
    point: Affine,
    tables: OnceLock<Box<Tables<Q_ENTRIES>>>,
}

impl core::fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("VerifyingKey").field("point", &self.point).finish_non_exhaustive()
    }
}

impl VerifyingKey {
    /// Decodes a SEC1 point (SEC 1 section 2.3.4): 0x04 || x || y, or 0x02 / 0x03 || x with
    /// the parity of y; coordinates below p, on the curve. The identity (0x00) is refused.
    pub fn from_sec1(bytes: &[u8]) -> Option<VerifyingKey> {
        let coordinate = |b: &[u8]| -> Option<field::Fe> {
            let w = words::from_be(<&[u8; 32]>::try_from(b).ok()?);
            (!words::geq(&w, &field::P)).then_some(w)
        };
        let point = match (bytes.first(), bytes.len()) {
            (Some(0x04), 65) => {
                let x = coordinate(bytes.get(1..33)?)?;
                let y = coordinate(bytes.get(33..65)?)?;
                Affine::on_curve(&x, &y).then_some(Affine { x, y })?
            }
            (Some(&tag @ (0x02 | 0x03)), 33) => {
                let x = coordinate(bytes.get(1..33)?)?;
                let y = field::sqrt(&point::rhs(&x))?;
                let y = if (y[0] & 1) == u32::from(tag & 1) { y } else { field::neg(&y) };
                Affine { x, y }
            }
            _ => return None,
        };
        Some(VerifyingKey { point, tables: OnceLock::new() })
    }

    /// The point as SEC1 uncompressed octets, 0x04 || x || y.
    pub fn to_uncompressed(&self) -> Vec<u8> {
        [&[0x04][..], &words::to_be(&self.point.x)[..], &words::to_be(&self.point.y)[..]].concat()
    }

    /// Verifies an ES256 signature `r || s` (64 octets) over SHA-256 of `message`.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        self.verify_prehash(&Sha256::digest(message).into(), signature)
    }

    /// Verifies `r || s` over the digest z: r and s in 1..n-1, R = (z s^-1) G + (r s^-1) Q not
    /// the identity, x(R) mod n = r.
    pub fn verify_prehash(&self, z: &[u8; 32], signature: &[u8]) -> bool {
        let (Some(r), Some(s)) = (signature.get(..32), signature.get(32..)) else { return false };
        let (Ok(r), Ok(s)) = (<&[u8; 32]>::try_from(r), <&[u8; 32]>::try_from(s)) else { return false };
        let (r, s) = (words::from_be(r), words::from_be(s));
        let in_range = |v: &words::W| !words::is_zero(v) && !words::geq(v, &scalar::N);
        if !in_range(&r) || !in_range(&s) {
            return false;
        }
        let w = scalar::inv(&s);
        let u1 = scalar::mul(&scalar::reduce(&words::from_be(z)), &w);
        let u2 = scalar::mul(&r, &w);
        let tables = self.tables.get_or_init(|| Box::new(point::tables(&self.point)));
        let sum: Jacobian = point::mul_double(&u1, &u2, tables);
        sum.x_mod_n_is(&r, &scalar::N)
    }
}
