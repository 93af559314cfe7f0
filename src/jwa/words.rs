//! Integers as L 32-bit words, least significant first, and the modular helpers the NIST
//! curves' fields (mod p) and scalars (mod n) share: P-256 (8 words), P-384 (12), P-521 (17).
//! 32-bit words because wasm multiplies 32 x 32 -> 64 bits natively (`i64.mul` of zero-extended
//! words) and has no 64 x 64 -> 128: RustCrypto's 64-bit limbs pay a software `__multi3` per
//! product there (../shared/notes/ec-calibration.md). Everything is `const fn`, so P-256's base
//! point tables are computed by the compiler. Public data only: variable time.

// Fixed-size arrays indexed by loop counters bounded by their length.
#![allow(clippy::indexing_slicing)]
#![allow(missing_docs)] // helpers named for what they compute

pub const fn zero<const L: usize>() -> [u32; L] {
    [0; L]
}

pub const fn one<const L: usize>() -> [u32; L] {
    let mut r = [0; L];
    r[0] = 1;
    r
}

pub const fn is_zero<const L: usize>(a: &[u32; L]) -> bool {
    let mut acc = 0;
    let mut i = 0;
    while i < L {
        acc |= a[i];
        i += 1;
    }
    acc == 0
}

pub const fn eq<const L: usize>(a: &[u32; L], b: &[u32; L]) -> bool {
    let mut i = 0;
    while i < L {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

const fn is_one<const L: usize>(a: &[u32; L]) -> bool {
    eq(a, &one())
}

/// a >= b.
pub const fn geq<const L: usize>(a: &[u32; L], b: &[u32; L]) -> bool {
    let mut i = L;
    while i > 0 {
        i -= 1;
        if a[i] != b[i] {
            return a[i] > b[i];
        }
    }
    true
}

/// a + b and the carry out (0 or 1).
pub const fn add<const L: usize>(a: &[u32; L], b: &[u32; L]) -> ([u32; L], u32) {
    let mut r = [0; L];
    let mut carry = 0u64;
    let mut i = 0;
    while i < L {
        let v = a[i] as u64 + b[i] as u64 + carry;
        r[i] = v as u32;
        carry = v >> 32;
        i += 1;
    }
    (r, carry as u32)
}

/// a - b mod 2^(32 L) and the borrow out (0 or 1).
pub const fn sub<const L: usize>(a: &[u32; L], b: &[u32; L]) -> ([u32; L], u32) {
    let mut r = [0; L];
    let mut borrow = 0u64;
    let mut i = 0;
    while i < L {
        let v = (a[i] as u64).wrapping_sub(b[i] as u64).wrapping_sub(borrow);
        r[i] = v as u32;
        borrow = (v >> 63) & 1;
        i += 1;
    }
    (r, borrow as u32)
}

/// (top * 2^(32 L) + a) / 2, top 0 or 1.
const fn half<const L: usize>(a: &[u32; L], top: u32) -> [u32; L] {
    let mut r = [0; L];
    let mut i = 0;
    while i + 1 < L {
        r[i] = (a[i] >> 1) | (a[i + 1] << 31);
        i += 1;
    }
    r[L - 1] = (a[L - 1] >> 1) | (top << 31);
    r
}

/// a + b mod m, for a, b < m.
pub const fn add_mod<const L: usize>(a: &[u32; L], b: &[u32; L], m: &[u32; L]) -> [u32; L] {
    let (s, carry) = add(a, b);
    if carry != 0 || geq(&s, m) {
        sub(&s, m).0
    } else {
        s
    }
}

/// a - b mod m, for a, b < m.
pub const fn sub_mod<const L: usize>(a: &[u32; L], b: &[u32; L], m: &[u32; L]) -> [u32; L] {
    let (d, borrow) = sub(a, b);
    if borrow != 0 {
        add(&d, m).0
    } else {
        d
    }
}

/// a / 2 mod m, for a < m and m odd.
const fn half_mod<const L: usize>(a: &[u32; L], m: &[u32; L]) -> [u32; L] {
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
pub const fn inv_mod<const L: usize>(a: &[u32; L], m: &[u32; L]) -> [u32; L] {
    if is_zero(a) {
        return [0; L];
    }
    let (mut u, mut v, mut x1, mut x2) = (*a, *m, one(), [0; L]);
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
            return [0; L];
        }
    }
    if is_one(&u) {
        x1
    } else {
        x2
    }
}

/// inv_mod at run time for any L up to 17 (P-521's words): the integers zero-extended to 17
/// words, so that P-384 and P-521 share one copy of the code (10 KB of wasm for the three).
pub fn inv_mod_wide<const L: usize>(a: &[u32; L], m: &[u32; L]) -> [u32; L] {
    const WIDE: usize = 17;
    let (mut a17, mut m17) = ([0u32; WIDE], [0u32; WIDE]);
    for ((a17, m17), (&a, &m)) in a17.iter_mut().zip(m17.iter_mut()).zip(a.iter().zip(m.iter())) {
        (*a17, *m17) = (a, m);
    }
    let inv = inv_mod(&a17, &m17);
    let mut out = [0u32; L];
    for (o, &w) in out.iter_mut().zip(inv.iter()) {
        *o = w;
    }
    out
}

/// The integer of big-endian octets, at most 4 L of them (the caller checks the length).
pub const fn from_be<const L: usize>(b: &[u8]) -> [u32; L] {
    let mut r = [0; L];
    let mut i = 0;
    while i < b.len() && i < 4 * L {
        let byte = b[b.len() - 1 - i] as u32;
        r[i / 4] |= byte << (8 * (i % 4));
        i += 1;
    }
    r
}

/// `len` big-endian octets (the caller knows a fits in them).
pub fn to_be<const L: usize>(a: &[u32; L], len: usize) -> Vec<u8> {
    (0..len).rev().map(|i| a.get(i / 4).map_or(0, |w| (w >> (8 * (i % 4))) as u8)).collect()
}

/// Bit i (0 = least significant); 0 past the top.
pub const fn bit<const L: usize>(a: &[u32; L], i: usize) -> bool {
    i / 32 < L && (a[i / 32] >> (i % 32)) & 1 == 1
}

/// The `count` (at most 64) bits of a from bit `start` up, 0 past the top.
pub const fn bits<const L: usize>(a: &[u32; L], start: usize, count: usize) -> u64 {
    let mut r = 0u64;
    let mut i = 0;
    while i < count {
        if bit(a, start + i) {
            r |= 1 << i;
        }
        i += 1;
    }
    r
}

/// The octets of a hexadecimal string of exactly 2 N digits (lower case), for constants.
pub const fn hex<const N: usize>(s: &str) -> [u8; N] {
    const fn nibble(c: u8) -> u8 {
        if c <= b'9' {
            c - b'0'
        } else {
            c - b'a' + 10
        }
    }
    let s = s.as_bytes();
    let mut out = [0u8; N];
    let mut i = 0;
    while i < N {
        out[i] = (nibble(s[2 * i]) << 4) | nibble(s[2 * i + 1]);
        i += 1;
    }
    out
}
