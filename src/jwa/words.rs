//! Integers as L 32-bit words, least significant first, and the modular helpers the NIST
//! curves' fields (mod p) and scalars (mod n) share: P-256 (8 words), P-384 (12), P-521 (17); and
//! `hex`, for the constants of those curves and of Ed25519.
//! 32-bit words because wasm multiplies 32 x 32 -> 64 bits natively (`i64.mul` of zero-extended
//! words) and has no 64 x 64 -> 128: RustCrypto's 64-bit limbs pay a software `__multi3` per
//! product there (../shared/notes/ec-calibration.md). Everything is `const fn`, so the curves'
//! constants (R^2 mod n, (p + 1) / 4) are computed by the compiler; the inversion is
//! ../weierstrass/scalar.rs's. Public data only: variable time.

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
