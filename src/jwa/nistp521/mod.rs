//! ES512's arithmetic of our own: P-521 (SEC 2 section 2.6.1, FIPS 186-5) over the generic
//! ECDSA verification of ../weierstrass/. The field, integers mod the Mersenne prime
//! p = 2^521 - 1, in eighteen limbs of 29 bits (522 bits, not always the least form): a limb
//! product is below 2^58, so a column of the schoolbook product sums its products in a u64
//! with no carries, and 2^522 = 2 (mod p) folds the upper columns onto the lower ones with a
//! doubling; one carry pass follows. wasm multiplies 32 x 32 -> 64 natively, so every product
//! is one `i64.mul`.

#![allow(clippy::indexing_slicing)] // fixed-size arrays, loops bounded by their length

use super::weierstrass::{self, point::Cut, scalar, scalar::Order, Curve, Field};
use super::words;
use std::sync::OnceLock;

/// 32-bit words of a scalar, and of the least form of a field element.
const L: usize = 17;
/// Limbs of a field element.
const LIMBS: usize = 18;
const LIMB_BITS: usize = 29;
const MASK: u64 = (1 << LIMB_BITS) - 1;

/// Limbs least significant first, each below `LOOSE` (2^29 plus a little: what add and sub
/// leave after one carry step): not always the least form, nor always below 2^522.
type Fe = [u32; LIMBS];
type W = [u32; L];

/// Every limb of an element is below this.
const LOOSE: u64 = (1 << LIMB_BITS) + 16;

const P: W = [
    0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 0xffff_ffff,
    0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 0x1ff,
];
const N: W = [
    0x9138_6409, 0xbb6f_b71e, 0x899c_47ae, 0x3bb5_c9b8, 0xf709_a5d0, 0x7fcc_0148, 0xbf2f_966b, 0x5186_8783, 0xffff_fffa,
    0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 0x1ff,
];
static ORDER: Order<L> = Order::new(N);
/// -p^-1 mod 2^32, for the inversion.
const P_INV: u32 = scalar::n0(&P);

/// 4p = 2^523 - 4 with every limb at least 2^30 - 4, above any limb of an element: a - b + 4p
/// has no negative limb.
const FOUR_P: [u32; LIMBS] = {
    let mut l = [(1 << 30) - 2; LIMBS];
    l[0] = (1 << 30) - 4;
    l
};

/// The field of P-521.
pub struct Fp;

/// Limbs below 2^31 brought below `LOOSE` by one carry step taken in every limb at once (no
/// chain from limb to limb): each keeps its low 29 bits plus the carry of the limb below (at
/// most 3), the bottom one twice the carry out of the top (2^522 = 2 mod p).
fn carry_step(v: &[u32; LIMBS]) -> Fe {
    let mut out = [0u32; LIMBS];
    let mut below = 2 * (v[LIMBS - 1] >> LIMB_BITS);
    for (o, &v) in out.iter_mut().zip(v.iter()) {
        *o = (v & MASK as u32) + below;
        below = v >> LIMB_BITS;
    }
    out
}

/// Columns (each below 2^64 - 2^36) carried into limbs: a carry c out of the top limb is worth
/// c 2^522 = 2c (mod p), added back at the bottom and carried two limbs up, which leaves the
/// third limb at most 1 above 2^29 - 1.
fn carry(c: &[u64; LIMBS]) -> Fe {
    let mut out = [0u32; LIMBS];
    let mut carry = 0u64;
    for (o, &c) in out.iter_mut().zip(c.iter()) {
        let v = c + carry;
        *o = (v & MASK) as u32;
        carry = v >> LIMB_BITS;
    }
    let v = u64::from(out[0]) + 2 * carry;
    out[0] = (v & MASK) as u32;
    let v = u64::from(out[1]) + (v >> LIMB_BITS);
    out[1] = (v & MASK) as u32;
    out[2] += (v >> LIMB_BITS) as u32;
    debug_assert!(out.iter().all(|&l| u64::from(l) < LOOSE));
    out
}

/// The least limbs of a: each below 2^29, so the value below 2^522 (0, p and 2p are the
/// forms of 0). A carry c out of the top is 2c at the bottom, carried up until none is left.
fn normalize(a: &Fe) -> Fe {
    let mut out = *a;
    let mut carry = 0u32;
    for o in out.iter_mut() {
        let v = *o + carry;
        *o = v & MASK as u32;
        carry = v >> LIMB_BITS;
    }
    let mut carry = 2 * carry;
    let mut k = 0;
    while carry != 0 {
        let v = out[k] + carry;
        out[k] = v & MASK as u32;
        carry = v >> LIMB_BITS;
        k += 1;
        if k == LIMBS {
            k = 0;
            carry *= 2;
        }
    }
    out
}

/// The limbs of an integer below 2^522 given in words.
fn to_limbs(w: &W) -> Fe {
    let mut out = [0u32; LIMBS];
    for (k, o) in out.iter_mut().enumerate() {
        *o = words::bits(w, LIMB_BITS * k, LIMB_BITS) as u32;
    }
    out
}

/// The least form of a, in words.
fn to_words(a: &Fe) -> W {
    let mut w = [0u32; L];
    for (k, &limb) in normalize(a).iter().enumerate() {
        let at = LIMB_BITS * k;
        let (i, shift) = (at / 32, at % 32);
        w[i] |= limb << shift;
        if shift + LIMB_BITS > 32 && i + 1 < L {
            w[i + 1] |= limb >> (32 - shift);
        }
    }
    while words::geq(&w, &P) {
        w = words::sub(&w, &P).0;
    }
    w
}

impl Field for Fp {
    type Fe = Fe;
    const BYTES: usize = 66;

    fn zero() -> Fe {
        [0; LIMBS]
    }

    fn one() -> Fe {
        words::one()
    }

    fn from_be(b: &[u8]) -> Option<Fe> {
        let w = words::from_be::<L>(b);
        (b.len() == Self::BYTES && !words::geq(&w, &P)).then(|| to_limbs(&w))
    }

    fn to_be(a: &Fe) -> Vec<u8> {
        words::to_be(&to_words(a), Self::BYTES)
    }

    #[inline(never)]
    fn add(a: &Fe, b: &Fe) -> Fe {
        let mut c = [0u32; LIMBS];
        for k in 0..LIMBS {
            c[k] = a[k] + b[k];
        }
        carry_step(&c)
    }

    #[inline(never)]
    fn sub(a: &Fe, b: &Fe) -> Fe {
        let mut c = [0u32; LIMBS];
        for k in 0..LIMBS {
            c[k] = a[k] + FOUR_P[k] - b[k];
        }
        carry_step(&c)
    }

    /// Row by row, two rows a pass, into eighteen columns: a product that lands at 2^522 or
    /// above lands 522 bits lower, doubled (2^522 = 2 mod p), so it takes its factor from the
    /// doubled copy of b.
    #[inline(never)]
    fn mul(a: &Fe, b: &Fe) -> Fe {
        // e[18 - i + m] is the factor of a[i] in column m: 2 b[m - i + 18] or b[m - i].
        let mut e = [0u32; 2 * LIMBS];
        for j in 0..LIMBS {
            e[j] = 2 * b[j];
            e[LIMBS + j] = b[j];
        }
        let mut c = [0u64; LIMBS];
        for i in (0..LIMBS).step_by(2) {
            let (a0, a1) = (u64::from(a[i]), u64::from(a[i + 1]));
            let e0 = &e[LIMBS - i..2 * LIMBS - i];
            let e1 = &e[LIMBS - 1 - i..2 * LIMBS - 1 - i];
            for m in 0..LIMBS {
                c[m] += a0 * u64::from(e0[m]) + a1 * u64::from(e1[m]);
            }
        }
        carry(&c)
    }

    /// Each cross product once, with one factor doubled, then the squares, into 35 columns;
    /// the upper ones folded, doubled, onto the lower.
    #[inline(never)]
    fn square(a: &Fe) -> Fe {
        let mut c = [0u64; 2 * LIMBS];
        for i in 0..LIMBS {
            let ai = u64::from(a[i]);
            c[2 * i] += ai * ai;
            let ai2 = 2 * ai;
            for j in i + 1..LIMBS {
                c[i + j] += ai2 * u64::from(a[j]);
            }
        }
        let mut low = [0u64; LIMBS];
        for m in 0..LIMBS {
            low[m] = c[m] + 2 * c[m + LIMBS];
        }
        carry(&low)
    }

    /// A value below 2^522 is 0 mod p when it is 0, p or 2p; the limb at 29 bits is then 0 or
    /// all ones, which settles most cases before the least form is taken.
    fn is_zero(a: &Fe) -> bool {
        let a = normalize(a);
        if a[1] != 0 && u64::from(a[1]) != MASK {
            return false;
        }
        words::is_zero(&to_words(&a))
    }

    fn inv(a: &Fe) -> Fe {
        to_limbs(&scalar::inv_words(&to_words(a), &P, P_INV))
    }

    /// a^((p+1)/4) = a^(2^519): p = 3 mod 4.
    fn sqrt(a: &Fe) -> Option<Fe> {
        let mut r = *a;
        for _ in 0..519 {
            r = Self::square(&r);
        }
        Self::eq(&Self::square(&r), a).then_some(r)
    }
}

/// P-521.
pub struct P521;

impl Curve<L> for P521 {
    type F = Fp;
    type Hash = sha2::Sha512;
    const B: &'static [u8] = &hex("0051953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00");
    const G: (&'static [u8], &'static [u8]) = (
        &hex("00c6858e06b70404e9cd9e3ecb662395b4429c648139053fb521f828af606b4d3dbaa14b5e77efe75928fe1dc127a2ffa8de3348b3c1856a429bf97e7e31c2e5bd66"),
        &hex("011839296a789a3bc0045c8a5fb42c7d1bd998f54449579b446817afbd17273e662c97ee72995ef42640c550b9013fad0761353c7086a272c24088be94769fd16650"),
    );
    const ORDER: &'static Order<L> = &ORDER;
    const CUT: Cut = Cut { bits: 521, chunk_bits: 32, g_window: 7, q_window: 5 };

    fn g_tables() -> &'static OnceLock<Option<weierstrass::point::Tables<Fp>>> {
        static TABLES: OnceLock<Option<weierstrass::point::Tables<Fp>>> = OnceLock::new();
        &TABLES
    }
}

/// 66 octets of hexadecimal.
const fn hex(s: &str) -> [u8; 66] {
    words::hex(s)
}

/// A P-521 public key.
pub type VerifyingKey = weierstrass::VerifyingKey<P521, L>;

/// [`VerifyingKey::verify`], not generic: compiled in this crate, at its opt-level 3 (a generic
/// is compiled in the crate that names its types, and jwksgate is built for size).
pub fn verify(key: &VerifyingKey, message: &[u8], signature: &[u8]) -> bool {
    key.verify(message, signature)
}


#[cfg(test)]
mod tests {
    use super::*;
    use rsa::BigUint;

    fn value(a: &Fe) -> BigUint {
        a.iter().rev().fold(BigUint::from(0u32), |acc, &l| (acc << LIMB_BITS) + BigUint::from(l))
    }

    fn p() -> BigUint {
        (BigUint::from(1u32) << 521) - 1u32
    }

    /// Elements at the edges of what the operations meet: limbs at 0, at 2^29 - 1, at the loose
    /// bound's top (2^29 + 15, which add, sub and mul never exceed), the forms of 0 and p - 1.
    fn edges() -> Vec<Fe> {
        let top = (LOOSE - 1) as u32;
        let mut v = vec![[0; LIMBS], [MASK as u32; LIMBS], [top; LIMBS], Fp::one()];
        let mut p_minus_1 = to_limbs(&P);
        p_minus_1[0] -= 1;
        v.push(p_minus_1);
        v.push(to_limbs(&P));
        let mut mixed = [top; LIMBS];
        for (k, l) in mixed.iter_mut().enumerate() {
            if k % 3 == 1 {
                *l = 0;
            }
        }
        v.push(mixed);
        let mut high = [0; LIMBS];
        high[LIMBS - 1] = top;
        v.push(high);
        v
    }

    /// Every operation on every pair of edges agrees with BigUint mod p, and leaves every limb
    /// below LOOSE (in a debug build, an overflow in the columns traps).
    #[test]
    fn operations_at_the_limb_bounds_agree_with_biguint() {
        let p = p();
        let loose = |r: &Fe| r.iter().all(|&l| u64::from(l) < LOOSE);
        let mut checked = 0;
        for a in edges() {
            for b in edges() {
                let (va, vb) = (value(&a) % &p, value(&b) % &p);
                let rows: [(&str, Fe, BigUint); 4] = [
                    ("add", Fp::add(&a, &b), (&va + &vb) % &p),
                    ("sub", Fp::sub(&a, &b), (&va + &p - &vb) % &p),
                    ("mul", Fp::mul(&a, &b), (&va * &vb) % &p),
                    ("square", Fp::square(&a), (&va * &va) % &p),
                ];
                for (op, got, want) in rows {
                    assert!(loose(&got), "{op} left a limb above the bound: {got:x?}");
                    assert_eq!(value(&got) % &p, want, "{op} of {a:x?} and {b:x?}");
                    assert_eq!(BigUint::from_bytes_be(&Fp::to_be(&got)), want, "{op}: least form");
                    assert_eq!(Fp::is_zero(&got), want == BigUint::from(0u32), "{op}: is_zero");
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 4 * edges().len() * edges().len());
    }
}
