//! ES256's arithmetic of our own: P-256 (SEC 2 section 2.4.2, FIPS 186-5) over the generic
//! ECDSA verification of ../weierstrass/ (interleaved wNAF over eight 32-bit chunks, tables made
//! once per key and once per process for the base point, no inversion in the final check), with
//! a field of the prime's special form in 32-bit words (field.rs). Checked against RustCrypto's
//! `p256` by tests/nist_diff.rs and the fuzz target `p256_diff`, and by every Wycheproof P-256
//! row (tests/vectors.rs).

mod field;
mod words;

use super::weierstrass::{self, point::Cut, scalar, scalar::Order, Curve, Field};
use std::sync::OnceLock;

const L: usize = 8;
type W = words::W;

/// n, the order of the base point.
const N: W = [0xfc63_2551, 0xf3b9_cac2, 0xa717_9e84, 0xbce6_faad, 0xffff_ffff, 0xffff_ffff, 0, 0xffff_ffff];
static ORDER: Order<L> = Order::new(N);
/// -p^-1 mod 2^32, for the inversion.
const P_INV: u32 = scalar::n0(&field::P);

/// The field of P-256 (field.rs).
pub struct Fp;

impl Field for Fp {
    type Fe = W;
    const BYTES: usize = 32;

    fn zero() -> W {
        words::ZERO
    }

    fn one() -> W {
        words::ONE
    }

    fn from_be(b: &[u8]) -> Option<W> {
        let w = words::from_be(b);
        (b.len() == Self::BYTES && !words::geq(&w, &field::P)).then_some(w)
    }

    fn to_be(a: &W) -> Vec<u8> {
        words::to_be(a)
    }

    fn add(a: &W, b: &W) -> W {
        field::add(a, b)
    }

    fn sub(a: &W, b: &W) -> W {
        field::sub(a, b)
    }

    fn mul(a: &W, b: &W) -> W {
        field::mul(a, b)
    }

    fn square(a: &W) -> W {
        field::square(a)
    }

    fn neg(a: &W) -> W {
        field::neg(a)
    }

    fn is_zero(a: &W) -> bool {
        words::is_zero(a)
    }

    fn eq(a: &W, b: &W) -> bool {
        words::eq(a, b)
    }

    fn inv(a: &W) -> W {
        scalar::inv_words(a, &field::P, P_INV)
    }

    fn sqrt(a: &W) -> Option<W> {
        field::sqrt(a)
    }
}

/// P-256.
pub struct P256;

impl Curve<L> for P256 {
    type F = Fp;
    type Hash = sha2::Sha256;
    const B: &'static [u8] = &hex("5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b");
    const G: (&'static [u8], &'static [u8]) = (
        &hex("6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"),
        &hex("4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5"),
    );
    const ORDER: &'static Order<L> = &ORDER;
    /// Eight chunks of 32 bits (33 doublings per verification): measured 6 to 14% faster than
    /// four of 64 when the base point's tables were made by the compiler (issue 16). A key's
    /// tables at window 7, as the base point's (32 points a chunk, 16 KiB a key, made on its
    /// second verification): 7% less CPU a verification than at 5 (`bench/ab.mjs`, both
    /// orders); 8 for both saved 3 to 6% more for twice the memory and table time.
    const CUT: Cut = Cut { bits: 256, chunk_bits: 32, g_window: 7, q_window: 7 };

    fn g_tables() -> &'static OnceLock<Option<weierstrass::point::Tables<Fp>>> {
        static TABLES: OnceLock<Option<weierstrass::point::Tables<Fp>>> = OnceLock::new();
        &TABLES
    }
}

/// 32 octets of hexadecimal.
const fn hex(s: &str) -> [u8; 32] {
    crate::jwa::words::hex(s)
}

/// A P-256 public key: a point on the curve other than the identity, with its tables, made on
/// the key's first verification.
pub type VerifyingKey = weierstrass::VerifyingKey<P256, L>;

/// [`VerifyingKey::verify`], not generic: compiled in this crate, at its opt-level 3 (a generic
/// is compiled in the crate that names its types, and jwksgate is built for size).
pub fn verify(key: &VerifyingKey, message: &[u8], signature: &[u8]) -> bool {
    key.verify(message, signature)
}
