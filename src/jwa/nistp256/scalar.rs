//! Integers mod the P-256 group order n, for the three products and the one inversion of an
//! ECDSA verification: Montgomery multiplication with 32-bit words (CIOS, Koc, Acar and
//! Kaliski 1996) and the binary inversion of words.rs.

#![allow(clippy::indexing_slicing)] // fixed-size arrays, constant loop bounds (see words.rs)

use super::words::{self, W};

/// n, the order of the base point.
pub const N: W = [0xfc63_2551, 0xf3b9_cac2, 0xa717_9e84, 0xbce6_faad, 0xffff_ffff, 0xffff_ffff, 0, 0xffff_ffff];

/// -n^-1 mod 2^32, by Newton's iteration (each step doubles the correct low bits).
const N0: u32 = {
    let mut inv = 1u32;
    let mut i = 0;
    while i < 5 {
        inv = inv.wrapping_mul(2u32.wrapping_sub(N[0].wrapping_mul(inv)));
        i += 1;
    }
    inv.wrapping_neg()
};

/// R^2 mod n, R = 2^256: 2^256 - n (that is 2^256 mod n, as n > 2^255), doubled 256 times.
const R2: W = {
    let mut x = words::sub(&words::ZERO, &N).0;
    let mut i = 0;
    while i < 256 {
        x = words::add_mod(&x, &x, &N);
        i += 1;
    }
    x
};

/// a b R^-1 mod n, for a, b < n.
const fn mont_mul(a: &W, b: &W) -> W {
    let mut t = [0u32; 10];
    let mut i = 0;
    while i < 8 {
        let bi = b[i] as u64;
        let mut c = 0u64;
        let mut j = 0;
        while j < 8 {
            let v = t[j] as u64 + a[j] as u64 * bi + c;
            t[j] = v as u32;
            c = v >> 32;
            j += 1;
        }
        let v = t[8] as u64 + c;
        t[8] = v as u32;
        t[9] = (v >> 32) as u32;
        let m = t[0].wrapping_mul(N0) as u64;
        let v = t[0] as u64 + m * N[0] as u64;
        let mut c = v >> 32;
        let mut j = 1;
        while j < 8 {
            let v = t[j] as u64 + m * N[j] as u64 + c;
            t[j - 1] = v as u32;
            c = v >> 32;
            j += 1;
        }
        let v = t[8] as u64 + c;
        t[7] = v as u32;
        t[8] = t[9] + (v >> 32) as u32;
        i += 1;
    }
    let r = [t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7]];
    if t[8] != 0 || words::geq(&r, &N) {
        words::sub(&r, &N).0
    } else {
        r
    }
}

/// a b mod n, for a, b < n.
pub const fn mul(a: &W, b: &W) -> W {
    mont_mul(&mont_mul(a, b), &R2)
}

/// a^-1 mod n, for 0 < a < n.
pub const fn inv(a: &W) -> W {
    words::inv_mod(a, &N)
}

/// An integer below 2^256 mod n (one subtraction: 2^256 < 2n).
pub const fn reduce(a: &W) -> W {
    if words::geq(a, &N) {
        words::sub(a, &N).0
    } else {
        *a
    }
}
