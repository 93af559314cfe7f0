//! 256-bit integers as eight 32-bit words, least significant first, and the modular helpers the
//! field (mod p) and the scalars (mod n) share. 32-bit words because wasm multiplies
//! 32 x 32 -> 64 bits natively (`i64.mul` of zero-extended words) and has no 64 x 64 -> 128:
//! RustCrypto's 64-bit limbs pay a software `__multi3` per product there
//! (../shared/notes/ec-calibration.md). Everything is `const fn`, so the base point's tables
//! are computed by the compiler (`point::G_TABLES`). Public data only: variable time.

// Fixed-size arrays indexed by loop counters with constant bounds (0..8, 0..16).
#![allow(clippy::indexing_slicing)]

/// An integer below 2^256, little-endian 32-bit words.
pub type W = [u32; 8];

pub const ZERO: W = [0; 8];
pub const ONE: W = [1, 0, 0, 0, 0, 0, 0, 0];

pub const fn is_zero(a: &W) -> bool {
    let mut acc = 0;
    let mut i = 0;
    while i < 8 {
        acc |= a[i];
        i += 1;
    }
    acc == 0
}

pub const fn eq(a: &W, b: &W) -> bool {
    let mut i = 0;
    while i < 8 {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

const fn is_one(a: &W) -> bool {
    eq(a, &ONE)
}

/// a >= b.
pub const fn geq(a: &W, b: &W) -> bool {
    let mut i = 8;
    while i > 0 {
        i -= 1;
        if a[i] != b[i] {
            return a[i] > b[i];
        }
    }
    true
}

/// a + b and the carry out (0 or 1).
pub const fn add(a: &W, b: &W) -> (W, u32) {
    let mut r = ZERO;
    let mut carry = 0u64;
    let mut i = 0;
    while i < 8 {
        let v = a[i] as u64 + b[i] as u64 + carry;
        r[i] = v as u32;
        carry = v >> 32;
        i += 1;
    }
    (r, carry as u32)
}

/// a - b mod 2^256 and the borrow out (0 or 1).
pub const fn sub(a: &W, b: &W) -> (W, u32) {
    let mut r = ZERO;
    let mut borrow = 0u64;
    let mut i = 0;
    while i < 8 {
        let v = (a[i] as u64).wrapping_sub(b[i] as u64).wrapping_sub(borrow);
        r[i] = v as u32;
        borrow = (v >> 63) & 1;
        i += 1;
    }
    (r, borrow as u32)
}

/// (top * 2^256 + a) / 2, top 0 or 1.
const fn half(a: &W, top: u32) -> W {
    let mut r = ZERO;
    let mut i = 0;
    while i < 7 {
        r[i] = (a[i] >> 1) | (a[i + 1] << 31);
        i += 1;
    }
    r[7] = (a[7] >> 1) | (top << 31);
    r
}

/// a + b mod m, for a, b < m.
pub const fn add_mod(a: &W, b: &W, m: &W) -> W {
    let (s, carry) = add(a, b);
    if carry != 0 || geq(&s, m) {
        sub(&s, m).0
    } else {
        s
    }
}

/// a - b mod m, for a, b < m.
pub const fn sub_mod(a: &W, b: &W, m: &W) -> W {
    let (d, borrow) = sub(a, b);
    if borrow != 0 {
        add(&d, m).0
    } else {
        d
    }
}

/// a / 2 mod m, for a < m and m odd.
const fn half_mod(a: &W, m: &W) -> W {
    if a[0] & 1 == 0 {
        half(a, 0)
    } else {
        let (s, carry) = add(a, m);
        half(&s, carry)
    }
}

/// a^-1 mod an odd prime m, for 0 < a < m, by the binary extended Euclidean algorithm
/// (Hankerson, Menezes and Vanstone, Guide to Elliptic Curve Cryptography, algorithm 2.22).
/// Variable time: only for public values. 0 gives 0.
pub const fn inv_mod(a: &W, m: &W) -> W {
    if is_zero(a) {
        return ZERO;
    }
    let (mut u, mut v, mut x1, mut x2) = (*a, *m, ONE, ZERO);
    // u and v stay coprime and nonzero (m is prime and a < m), so both loops end.
    while !is_one(&u) && !is_one(&v) {
        while u[0] & 1 == 0 && !is_zero(&u) {
            u = half(&u, 0);
            x1 = half_mod(&x1, m);
        }
        while v[0] & 1 == 0 && !is_zero(&v) {
            v = half(&v, 0);
            x2 = half_mod(&x2, m);
        }
        if geq(&u, &v) {
            u = sub(&u, &v).0;
            x1 = sub_mod(&x1, &x2, m);
        } else {
            v = sub(&v, &u).0;
            x2 = sub_mod(&x2, &x1, m);
        }
        if is_zero(&u) || is_zero(&v) {
            return ZERO;
        }
    }
    if is_one(&u) {
        x1
    } else {
        x2
    }
}

/// The integer of 32 big-endian octets.
pub const fn from_be(b: &[u8; 32]) -> W {
    let mut r = ZERO;
    let mut i = 0;
    while i < 8 {
        let o = 28 - 4 * i;
        r[i] = u32::from_be_bytes([b[o], b[o + 1], b[o + 2], b[o + 3]]);
        i += 1;
    }
    r
}

/// 32 big-endian octets.
pub fn to_be(a: &W) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (chunk, w) in out.chunks_exact_mut(4).zip(a.iter().rev()) {
        chunk.copy_from_slice(&w.to_be_bytes());
    }
    out
}

/// Bit i (0 = least significant).
pub const fn bit(a: &W, i: usize) -> bool {
    (a[i / 32] >> (i % 32)) & 1 == 1
}
