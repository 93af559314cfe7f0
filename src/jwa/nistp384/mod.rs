//! ES384's arithmetic of our own: P-384 (SEC 2 section 2.5.1, FIPS 186-5) over the generic
//! ECDSA verification of ../weierstrass/. The field, integers mod p = 2^384 - 2^128 - 2^96 +
//! 2^32 - 1 in twelve 32-bit words, always fully reduced: a product is the 768-bit schoolbook
//! product's columns folded by 2^384 = 2^128 + 2^96 - 2^32 + 1 (mod p), the prime's special
//! form (Solinas 1999; the same sum as FIPS 186-4 appendix D.2.4), then a carry and at most
//! one subtraction of p.

#![allow(clippy::indexing_slicing)] // fixed-size arrays, loops bounded by their length

use super::weierstrass::{self, point::Cut, scalar, scalar::Order, Curve, Field};
use super::words;
use std::sync::OnceLock;

const L: usize = 12;
type W = [u32; L];

/// p.
pub const P: W = [0xffff_ffff, 0, 0, 0xffff_ffff, 0xffff_fffe, 0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 0xffff_ffff];
const N: W = [0xccc5_2973, 0xecec_196a, 0x48b0_a77a, 0x581a_0db2, 0xf437_2ddf, 0xc763_4d81, 0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 0xffff_ffff];
static ORDER: Order<L> = Order::new(N);
/// -p^-1 mod 2^32, for the inversion.
const P_INV: u32 = scalar::n0(&P);

/// The field of P-384.
pub struct Fp;

/// Adds the products a[i] b[j], each split into its 32-bit halves, into columns i + j and
/// i + j + 1 (below 2^38: no carry chain runs between products).
fn columns(c: &mut [u64; 2 * L], a: &W, b: &W, i: usize, j_from: usize) {
    let ai = u64::from(a[i]);
    for j in j_from..L {
        let v = ai * u64::from(b[j]);
        c[i + j] += v & 0xffff_ffff;
        c[i + j + 1] += v >> 32;
    }
}

/// The integer sum of c[i] 2^(32 i) (columns below 2^39) mod p.
fn reduce(c: &[u64; 2 * L]) -> W {
    let mut w = [0i64; 2 * L];
    for (w, &c) in w.iter_mut().zip(c.iter()) {
        *w = c as i64;
    }
    // Top down, so that what lands on a column still above the eleventh is folded again.
    for k in (L..2 * L).rev() {
        let v = w[k];
        let m = k - L;
        w[m] += v;
        w[m + 1] -= v;
        w[m + 3] += v;
        w[m + 4] += v;
    }
    let mut low = [0i64; L];
    low.copy_from_slice(&w[..L]);
    normalize(low)
}

/// The integer sum of w[i] 2^(32 i) (signed columns below 2^60 in magnitude) mod p: carries
/// propagated, a carry c out of the top word folded back as c (2^384 - p), which changes the
/// value by a multiple of p, until none is left; then at most one subtraction of p.
fn normalize(mut w: [i64; L]) -> W {
    loop {
        let mut carry = 0i64;
        for w in w.iter_mut() {
            let v = *w + carry;
            *w = v & 0xffff_ffff;
            carry = v >> 32; // arithmetic: the floor, also for negative sums
        }
        if carry == 0 {
            break;
        }
        w[0] += carry;
        w[1] -= carry;
        w[3] += carry;
        w[4] += carry;
    }
    let mut r = [0u32; L];
    for (r, &w) in r.iter_mut().zip(w.iter()) {
        *r = w as u32;
    }
    if words::geq(&r, &P) {
        words::sub(&r, &P).0
    } else {
        r
    }
}

/// (p + 1) / 4: p = 3 mod 4, so a^((p+1)/4) is a square root of a when a is a square.
const SQRT_EXP: W = {
    let (p1, _) = words::add(&P, &words::one());
    let mut r = [0u32; L];
    let mut i = 0;
    while i < L {
        r[i] = (p1[i] >> 2) | if i + 1 < L { p1[i + 1] << 30 } else { 0 };
        i += 1;
    }
    r
};

impl Field for Fp {
    type Fe = W;
    const BYTES: usize = 48;

    fn zero() -> W {
        [0; L]
    }

    fn one() -> W {
        words::one()
    }

    fn from_be(b: &[u8]) -> Option<W> {
        let w = words::from_be(b);
        (b.len() == Self::BYTES && !words::geq(&w, &P)).then_some(w)
    }

    fn to_be(a: &W) -> Vec<u8> {
        words::to_be(a, Self::BYTES)
    }

    #[inline(never)]
    fn add(a: &W, b: &W) -> W {
        words::add_mod(a, b, &P)
    }

    #[inline(never)]
    fn sub(a: &W, b: &W) -> W {
        words::sub_mod(a, b, &P)
    }

    #[inline(never)]
    fn mul(a: &W, b: &W) -> W {
        let mut c = [0u64; 2 * L];
        for i in 0..L {
            columns(&mut c, a, b, i, 0);
        }
        reduce(&c)
    }

    /// As a product: the squaring's own code (each cross product once) was 2.6 KB of wasm
    /// for a few percent of a verification.
    fn square(a: &W) -> W {
        Self::mul(a, a)
    }

    fn is_zero(a: &W) -> bool {
        words::is_zero(a)
    }

    fn eq(a: &W, b: &W) -> bool {
        words::eq(a, b)
    }

    fn inv(a: &W) -> W {
        scalar::inv_words(a, &P, P_INV)
    }

    fn sqrt(a: &W) -> Option<W> {
        let mut r = Self::one();
        for i in (0..32 * L).rev() {
            r = Self::square(&r);
            if words::bit(&SQRT_EXP, i) {
                r = Self::mul(&r, a);
            }
        }
        words::eq(&Self::square(&r), a).then_some(r)
    }
}

/// P-384.
pub struct P384;

impl Curve<L> for P384 {
    type F = Fp;
    type Hash = sha2::Sha384;
    const B: &'static [u8] = &hex("b3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aef");
    const G: (&'static [u8], &'static [u8]) = (
        &hex("aa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7"),
        &hex("3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5f"),
    );
    const ORDER: &'static Order<L> = &ORDER;
    /// Twelve chunks of 32 bits: 33 doublings per verification.
    const CUT: Cut = Cut { bits: 384, chunk_bits: 32, g_window: 7, q_window: 5 };

    fn g_tables() -> &'static OnceLock<Option<weierstrass::point::Tables<Fp>>> {
        static TABLES: OnceLock<Option<weierstrass::point::Tables<Fp>>> = OnceLock::new();
        &TABLES
    }
}

/// 48 octets of hexadecimal.
const fn hex(s: &str) -> [u8; 48] {
    super::words::hex(s)
}

/// A P-384 public key.
pub type VerifyingKey = weierstrass::VerifyingKey<P384, L>;

/// [`VerifyingKey::verify`], not generic: compiled in this crate, at its opt-level 3 (a generic
/// is compiled in the crate that names its types, and jwksgate is built for size).
pub fn verify(key: &VerifyingKey, message: &[u8], signature: &[u8]) -> bool {
    key.verify(message, signature)
}

