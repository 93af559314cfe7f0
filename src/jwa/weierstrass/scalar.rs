//! Integers mod a group order n of L 32-bit words, for the products and the one inversion of
//! an ECDSA verification: Montgomery multiplication (CIOS, Koc, Acar and Kaliski 1996) and the
//! binary inversion of ../words.rs. Public data only: variable time.

#![allow(clippy::indexing_slicing)] // fixed-size arrays, loops bounded by their length
#![allow(missing_docs)] // the arithmetic's internals, documented where they are not obvious

use crate::jwa::words;

/// -n^-1 mod 2^32 for an odd n, by Newton's iteration (each step doubles the correct low bits).
pub const fn n0<const L: usize>(n: &[u32; L]) -> u32 {
    let mut inv = 1u32;
    let mut i = 0;
    while i < 5 {
        inv = inv.wrapping_mul(2u32.wrapping_sub(n[0].wrapping_mul(inv)));
        i += 1;
    }
    inv.wrapping_neg()
}

/// R^2 mod n, R = 2^(32 L): 1 doubled 2 * 32 L times mod n.
pub const fn r2<const L: usize>(n: &[u32; L]) -> [u32; L] {
    let mut x = words::one::<L>();
    let mut i = 0;
    while i < 64 * L {
        x = words::add_mod(&x, &x, n);
        i += 1;
    }
    x
}

/// A group order with its Montgomery constants.
pub struct Order<const L: usize> {
    pub n: [u32; L],
    n0: u32,
    r2: [u32; L],
}

impl<const L: usize> Order<L> {
    pub const fn new(n: [u32; L]) -> Order<L> {
        Order { n, n0: n0(&n), r2: r2(&n) }
    }

    /// a b R^-1 mod n, for a b < n R (so one factor may be any L-word integer if the other
    /// is below n).
    fn mont_mul(&self, a: &[u32; L], b: &[u32; L]) -> [u32; L] {
        let mut out = [0u32; L];
        mont_mul(a, b, &self.n, self.n0, &mut out);
        out
    }

    /// a b mod n, for a < n (b any L-word integer).
    pub fn mul(&self, a: &[u32; L], b: &[u32; L]) -> [u32; L] {
        self.mont_mul(&self.mont_mul(a, b), &self.r2)
    }

    /// a^-1 mod n, for 0 < a < n.
    pub fn inv(&self, a: &[u32; L]) -> [u32; L] {
        // P-256's own copy (it runs on every ES256 verification, twice as fast at 8 words as
        // at 17); P-384's and P-521's shared one.
        if L <= 8 {
            words::inv_mod(a, &self.n)
        } else {
            words::inv_mod_wide(a, &self.n)
        }
    }

    /// Whether 0 < a < n.
    pub fn in_range(&self, a: &[u32; L]) -> bool {
        !words::is_zero(a) && !words::geq(a, &self.n)
    }

    /// An integer of L words mod n.
    pub fn reduce(&self, a: &[u32; L]) -> [u32; L] {
        let mut a = *a;
        while words::geq(&a, &self.n) {
            a = words::sub(&a, &self.n).0;
        }
        a
    }
}

/// Words of the largest order (P-521's).
const MAX: usize = 17;

/// a b R^-1 mod n, R = 2^(32 len), all of n's length (at most `MAX` words): one copy of the
/// code for every curve (it runs twice per verification).
fn mont_mul(a: &[u32], b: &[u32], n: &[u32], n0: u32, out: &mut [u32]) {
    let l = n.len().min(MAX);
    // t has l + 2 words; the two top ones are kept apart.
    let mut t = [0u32; MAX];
    let mut t_l = 0u32;
    for &bi in &b[..l] {
        let bi = u64::from(bi);
        let mut c = 0u64;
        for (tj, &aj) in t[..l].iter_mut().zip(&a[..l]) {
            let v = u64::from(*tj) + u64::from(aj) * bi + c;
            *tj = v as u32;
            c = v >> 32;
        }
        let v = u64::from(t_l) + c;
        t_l = v as u32;
        let t_l1 = (v >> 32) as u32;
        let m = u64::from(t[0].wrapping_mul(n0));
        let v = u64::from(t[0]) + m * u64::from(n[0]);
        let mut c = v >> 32;
        for j in 1..l {
            let v = u64::from(t[j]) + m * u64::from(n[j]) + c;
            t[j - 1] = v as u32;
            c = v >> 32;
        }
        let v = u64::from(t_l) + c;
        t[l - 1] = v as u32;
        t_l = t_l1 + (v >> 32) as u32;
    }
    // t < 2n: one subtraction if t >= n.
    let geq = t_l != 0 || t[..l].iter().rev().zip(n.iter().rev()).find(|(t, n)| t != n).is_none_or(|(t, n)| t > n);
    let mut borrow = 0u64;
    for ((o, &tj), &nj) in out.iter_mut().zip(&t[..l]).zip(n) {
        if geq {
            let v = u64::from(tj).wrapping_sub(u64::from(nj)).wrapping_sub(borrow);
            *o = v as u32;
            borrow = (v >> 63) & 1;
        } else {
            *o = tj;
        }
    }
}
