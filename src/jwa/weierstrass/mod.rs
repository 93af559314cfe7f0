//! ECDSA verification (FIPS 186-5 section 6.4.2) over a NIST prime curve y^2 = x^3 - 3x + b,
//! generic over the curve's field: ES256's P-256 (../nistp256/), ES384's P-384 (../nistp384/)
//! and ES512's P-521 (../nistp521/), each a field with its prime's special form and 32-bit
//! words, over the point arithmetic of point.rs (interleaved wNAF over chunked scalars, tables
//! of odd multiples made once per process for the base point and once per key, on its second
//! verification: its first runs its scalar uncut) and the scalars of scalar.rs. No
//! inversion in the final check: x(R) mod n = r is tested as X = r Z^2 (or (r + n) Z^2).
//! Verification handles only public data, so the arithmetic is variable-time. Checked against
//! RustCrypto's `p256`, `p384` and `p521` by tests/nist_diff.rs and the
//! fuzz targets `p256_diff` and `nist_diff`, and by every Wycheproof row of the three curves
//! (tests/vectors.rs).

pub mod point;
pub mod scalar;

use crate::jwa::words;
use point::{Affine, Cut, Tables};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

/// A prime field of a curve, its elements in whatever form its multiplication likes best.
pub trait Field: 'static {
    /// An element; not necessarily in its least form (`eq` and `is_zero` compare values).
    type Fe: Copy + core::fmt::Debug;
    /// Octets of an encoded element (SEC 1 section 2.3.5), and of the curve's coordinates.
    const BYTES: usize;
    /// 0.
    fn zero() -> Self::Fe;
    /// 1.
    fn one() -> Self::Fe;
    /// The element of exactly `BYTES` big-endian octets, if below p.
    fn from_be(b: &[u8]) -> Option<Self::Fe>;
    /// `BYTES` big-endian octets, the least form.
    fn to_be(a: &Self::Fe) -> Vec<u8>;
    /// a + b.
    fn add(a: &Self::Fe, b: &Self::Fe) -> Self::Fe;
    /// a - b.
    fn sub(a: &Self::Fe, b: &Self::Fe) -> Self::Fe;
    /// a b.
    fn mul(a: &Self::Fe, b: &Self::Fe) -> Self::Fe;
    /// a^2.
    fn square(a: &Self::Fe) -> Self::Fe;
    /// -a.
    fn neg(a: &Self::Fe) -> Self::Fe {
        Self::sub(&Self::zero(), a)
    }
    /// Whether a = 0 (mod p).
    fn is_zero(a: &Self::Fe) -> bool;
    /// Whether a = b (mod p).
    fn eq(a: &Self::Fe, b: &Self::Fe) -> bool {
        Self::is_zero(&Self::sub(a, b))
    }
    /// a^-1, for a not 0.
    fn inv(a: &Self::Fe) -> Self::Fe;
    /// A square root of a, if a is a square.
    fn sqrt(a: &Self::Fe) -> Option<Self::Fe>;
}

/// A curve: its field, constants and the cut of its scalars. L is the number of 32-bit words
/// of a scalar.
pub trait Curve<const L: usize>: 'static + Sized {
    /// The field of the coordinates.
    type F: Field;
    /// The hash of the curve's JWS algorithm (RFC 7518 section 3.4).
    type Hash: sha2::Digest;
    /// The curve's b, big-endian.
    const B: &'static [u8];
    /// The base point G's coordinates, big-endian.
    const G: (&'static [u8], &'static [u8]);
    /// The group order n and its Montgomery constants.
    const ORDER: &'static scalar::Order<L>;
    /// How the scalars are cut for mul_double.
    const CUT: Cut;
    /// The base point's tables, made on the first verification of the process.
    fn g_tables() -> &'static OnceLock<Option<Tables<Self::F>>>;
}

/// A public key of the curve C: a point on the curve other than the identity, with its tables,
/// made on the key's second verification. The first one (the only one of a key imported by the
/// one-shot verify, which imports the key set on every call) runs uncut, with only the point's
/// odd multiples: 3 to 4 verifications' worth of doublings less than making the tables.
pub struct VerifyingKey<C: Curve<L>, const L: usize> {
    point: Affine<C::F>,
    used: AtomicBool,
    tables: OnceLock<Tables<C::F>>,
}

impl<C: Curve<L>, const L: usize> Clone for VerifyingKey<C, L> {
    fn clone(&self) -> Self {
        VerifyingKey { point: self.point, used: AtomicBool::new(self.used.load(Ordering::Relaxed)), tables: self.tables.clone() }
    }
}

impl<C: Curve<L>, const L: usize> core::fmt::Debug for VerifyingKey<C, L> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("VerifyingKey").field("point", &self.point).finish_non_exhaustive()
    }
}

fn b<C: Curve<L>, const L: usize>() -> Option<<C::F as Field>::Fe> {
    C::F::from_be(C::B)
}

impl<C: Curve<L>, const L: usize> VerifyingKey<C, L> {
    /// Decodes a SEC1 point (SEC 1 section 2.3.4): 0x04 || x || y, or 0x02 / 0x03 || x with
    /// the parity of y; coordinates exactly `BYTES` octets and below p, on the curve. The
    /// identity (0x00) and every other form are refused.
    pub fn from_sec1(bytes: &[u8]) -> Option<Self> {
        let len = C::F::BYTES;
        let b = b::<C, L>()?;
        let point = match (bytes.first(), bytes.len()) {
            (Some(0x04), n) if n == 1 + 2 * len => {
                let x = C::F::from_be(bytes.get(1..1 + len)?)?;
                let y = C::F::from_be(bytes.get(1 + len..)?)?;
                Affine::<C::F>::on_curve(&x, &y, &b).then_some(Affine { x, y })?
            }
            (Some(&tag @ (0x02 | 0x03)), n) if n == 1 + len => {
                let x = C::F::from_be(bytes.get(1..)?)?;
                let y = C::F::sqrt(&point::rhs::<C::F>(&x, &b))?;
                let odd = C::F::to_be(&y).last().is_some_and(|low| low & 1 == 1);
                let y = if odd == (tag == 0x03) { y } else { C::F::neg(&y) };
                Affine { x, y }
            }
            _ => return None,
        };
        Some(VerifyingKey { point, used: AtomicBool::new(false), tables: OnceLock::new() })
    }

    /// The point as SEC1 uncompressed octets, 0x04 || x || y.
    pub fn to_uncompressed(&self) -> Vec<u8> {
        [&[0x04][..], &C::F::to_be(&self.point.x), &C::F::to_be(&self.point.y)].concat()
    }

    /// Verifies a JWS signature `r || s` over the curve's hash of `message`.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        self.verify_prehash(&<C::Hash as sha2::Digest>::digest(message), signature)
    }

    /// Verifies `r || s` (each `BYTES` octets) over the digest z (big-endian, at most 4 L
    /// octets, taken as an integer mod n: JWS's hashes are never longer than n): r and s in
    /// 1..n-1, R = (z s^-1) G + (r s^-1) Q not the identity, x(R) mod n = r.
    pub fn verify_prehash(&self, z: &[u8], signature: &[u8]) -> bool {
        let len = C::F::BYTES;
        if signature.len() != 2 * len || z.len() > 4 * L {
            return false;
        }
        let (r, s) = signature.split_at(len);
        // BYTES <= 4 L for every curve here; a longer r would not fit L words.
        if r.len() > 4 * L {
            return false;
        }
        let order = C::ORDER;
        let (r, s) = (words::from_be::<L>(r), words::from_be::<L>(s));
        if !order.in_range(&r) || !order.in_range(&s) {
            return false;
        }
        let w = order.inv(&s);
        let u1 = order.mul(&order.reduce(&words::from_be::<L>(z)), &w);
        let u2 = order.mul(&r, &w);
        let Some(g) = C::g_tables().get_or_init(|| {
            let g = Affine { x: C::F::from_be(C::G.0)?, y: C::F::from_be(C::G.1)? };
            Some(point::tables(&g, C::CUT.bits, C::CUT.chunk_bits, C::CUT.g_window))
        }) else {
            return false;
        };
        let first;
        let q = match self.tables.get() {
            Some(q) => q,
            None if !self.used.swap(true, Ordering::Relaxed) => {
                first = point::tables(&self.point, C::CUT.bits, C::CUT.bits, point::FIRST_WINDOW);
                &first
            }
            None => self.tables.get_or_init(|| point::tables(&self.point, C::CUT.bits, C::CUT.chunk_bits, C::CUT.q_window)),
        };
        let sum = point::mul_double(&u1, g, &u2, q, C::CUT.bits);
        // x(R) is below p, so x(R) mod n = r means x(R) = r or x(R) = r + n (if below p).
        let Some(r_fe) = C::F::from_be(&words::to_be(&r, len)) else { return false };
        let (rn, carry) = words::add(&r, &order.n);
        let rn_fe = if carry == 0 && words::bits(&rn, 8 * len, 32) == 0 {
            C::F::from_be(&words::to_be(&rn, len))
        } else {
            None
        };
        sum.x_is(&r_fe, rn_fe.as_ref())
    }
}
