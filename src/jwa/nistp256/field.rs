//! The P-256 base field, integers mod p = 2^256 - 2^224 + 2^192 + 2^96 - 1, always fully
//! reduced. A product is the 512-bit schoolbook product of 32-bit words, reduced by the prime's
//! special form (Solinas 1999; FIPS 186-4 appendix D.2.3): a signed sum of nine 256-bit words
//! made of the product's columns, then a fold of the carry and at most one subtraction of p.

#![allow(clippy::indexing_slicing)] // fixed-size arrays, constant loop bounds (see words.rs)

use super::words::{self, W};

/// An element of the field, below p.
pub type Fe = W;

pub const P: Fe = [0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 0, 0, 0, 1, 0xffff_ffff];

pub const fn add(a: &Fe, b: &Fe) -> Fe {
    words::add_mod(a, b, &P)
}

pub const fn sub(a: &Fe, b: &Fe) -> Fe {
    words::sub_mod(a, b, &P)
}

pub const fn neg(a: &Fe) -> Fe {
    words::sub_mod(&words::ZERO, a, &P)
}

/// Adds the word product a[i] b[j], split into its 32-bit halves, into columns i + j and
/// i + j + 1: a column then holds at most 16 halves (below 2^36), no carry chain runs between
/// products, and the columns go to the reduction unpropagated. Written out pair by pair (not
/// looped) so that the columns are locals, not memory: measured faster in V8.
macro_rules! products {
    ($c:ident, $a:ident, $b:ident; $(($i:literal, $j:literal))*) => {
        $(
            let v = $a[$i] as u64 * $b[$j] as u64;
            $c[$i + $j] += v & 0xffff_ffff;
            $c[$i + $j + 1] += v >> 32;
        )*
    };
}

/// a b.
pub const fn mul(a: &Fe, b: &Fe) -> Fe {
    let mut c = [0u64; 16];
    products!(c, a, b;
        (0, 0) (0, 1) (0, 2) (0, 3) (0, 4) (0, 5) (0, 6) (0, 7) (1, 0) (1, 1) (1, 2) (1, 3) (1, 4)
        (1, 5) (1, 6) (1, 7) (2, 0) (2, 1) (2, 2) (2, 3) (2, 4) (2, 5) (2, 6) (2, 7) (3, 0) (3, 1)
        (3, 2) (3, 3) (3, 4) (3, 5) (3, 6) (3, 7) (4, 0) (4, 1) (4, 2) (4, 3) (4, 4) (4, 5) (4, 6)
        (4, 7) (5, 0) (5, 1) (5, 2) (5, 3) (5, 4) (5, 5) (5, 6) (5, 7) (6, 0) (6, 1) (6, 2) (6, 3)
        (6, 4) (6, 5) (6, 6) (6, 7) (7, 0) (7, 1) (7, 2) (7, 3) (7, 4) (7, 5) (7, 6) (7, 7));
    reduce(&c)
}

/// a^2: each cross product once, the columns doubled, then the squares.
pub const fn square(a: &Fe) -> Fe {
    let mut c = [0u64; 16];
    products!(c, a, a;
        (0, 1) (0, 2) (0, 3) (0, 4) (0, 5) (0, 6) (0, 7) (1, 2) (1, 3) (1, 4) (1, 5) (1, 6) (1, 7)
        (2, 3) (2, 4) (2, 5) (2, 6) (2, 7) (3, 4) (3, 5) (3, 6) (3, 7) (4, 5) (4, 6) (4, 7) (5, 6)
        (5, 7) (6, 7));
    let mut k = 0;
    while k < 16 {
        c[k] <<= 1;
        k += 1;
    }
    products!(c, a, a; (0, 0) (1, 1) (2, 2) (3, 3) (4, 4) (5, 5) (6, 6) (7, 7));
    reduce(&c)
}

/// The 512-bit sum of c[i] 2^(32 i) (columns below 2^37) mod p, by FIPS 186-4 D.2.3's
/// s1 + 2 s2 + 2 s3 + s4 + s5 - s6 - s7 - s8 - s9 taken on the columns instead of the
/// product's words (the same sum), in signed 64-bit columns (below 2^41 in magnitude).
const fn reduce(c: &[u64; 16]) -> Fe {
    let c: [i64; 16] = {
        let mut w = [0i64; 16];
        let mut i = 0;
        while i < 16 {
            w[i] = c[i] as i64;
            i += 1;
        }
        w
    };
    let w = [
        c[0] + c[8] + c[9] - c[11] - c[12] - c[13] - c[14],
        c[1] + c[9] + c[10] - c[12] - c[13] - c[14] - c[15],
        c[2] + c[10] + c[11] - c[13] - c[14] - c[15],
        c[3] + 2 * c[11] + 2 * c[12] + c[13] - c[15] - c[8] - c[9],
        c[4] + 2 * c[12] + 2 * c[13] + c[14] - c[9] - c[10],
        c[5] + 2 * c[13] + 2 * c[14] + c[15] - c[10] - c[11],
        c[6] + 3 * c[14] + 2 * c[15] + c[13] - c[8] - c[9],
        c[7] + 3 * c[15] + c[8] - c[10] - c[11] - c[12] - c[13],
    ];
    normalize(w)
}

/// The integer sum of w[i] 2^(32 i) (signed columns below 2^62 in magnitude) mod p: carries
/// are propagated, a carry out of the top word c is folded back as c (2^256 - p) = c (2^224 -
/// 2^192 - 2^96 + 1), which changes the value by a multiple of p, until none is left (the
/// second fold's carry is at most 1 in magnitude); then at most one subtraction of p.
const fn normalize(mut w: [i64; 8]) -> Fe {
    loop {
        let mut carry = 0i64;
        let mut i = 0;
        while i < 8 {
            let v = w[i] + carry;
            w[i] = v & 0xffff_ffff;
            carry = v >> 32; // arithmetic: the floor, also for negative sums
            i += 1;
        }
        if carry == 0 {
            break;
        }
        w[0] += carry;
        w[3] -= carry;
        w[6] -= carry;
        w[7] += carry;
    }
    let mut r = words::ZERO;
    let mut i = 0;
    while i < 8 {
        r[i] = w[i] as u32;
        i += 1;
    }
    if words::geq(&r, &P) {
        words::sub(&r, &P).0
    } else {
        r
    }
}

/// a^e, by squaring and multiplying from the top bit.
const fn pow(a: &Fe, e: &W) -> Fe {
    let mut r = words::ONE;
    let mut i = 256;
    while i > 0 {
        i -= 1;
        r = square(&r);
        if words::bit(e, i) {
            r = mul(&r, a);
        }
    }
    r
}

/// (p + 1) / 4: p = 3 mod 4, so a^((p+1)/4) is a square root of a when a is a square.
const SQRT_EXP: W = {
    let (p1, _) = words::add(&P, &words::ONE);
    let mut r = words::ZERO;
    let mut i = 0;
    while i < 8 {
        r[i] = (p1[i] >> 2) | if i < 7 { p1[i + 1] << 30 } else { 0 };
        i += 1;
    }
    r
};

/// A square root of a, if a is a square.
pub const fn sqrt(a: &Fe) -> Option<Fe> {
    let r = pow(a, &SQRT_EXP);
    if words::eq(&square(&r), a) {
        Some(r)
    } else {
        None
    }
}
