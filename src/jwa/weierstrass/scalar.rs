//! Integers mod a group order n of L 32-bit words, for the products and the one inversion of
//! an ECDSA verification: Montgomery multiplication (CIOS, Koc, Acar and Kaliski 1996) and a
//! binary inversion, which the fields' inversions share (one copy of each over slices, for
//! every curve). Public data only: variable time.

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
        inv_words(a, &self.n, self.n0)
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

/// Words of a up to its top nonzero one.
fn used(a: &[u32; MAX]) -> usize {
    a.iter().rposition(|&w| w != 0).map_or(0, |i| i + 1)
}

/// Makes w (its `len` low words used) odd, dividing x by the same power of 2 mod m (m odd, its
/// `l` words; x < m stays below m): a run of k zero bits at once, x + t m with t = -x m^-1
/// mod 2^k (below 2^k, so (x + t m) / 2^k < m), instead of one halving per bit.
fn halve(w: &mut [u32; MAX], len: &mut usize, x: &mut [u32; MAX], m: &[u32], l: usize, m_inv: u32) {
    while *len > 0 && w[0] & 1 == 0 {
        let k = w[0].trailing_zeros().min(31);
        for j in 0..*len {
            let above = if j + 1 < *len { w[j + 1] } else { 0 };
            w[j] = (w[j] >> k) | (above << (32 - k));
        }
        if w[*len - 1] == 0 {
            *len -= 1;
        }
        let t = u64::from(x[0].wrapping_mul(m_inv) & ((1 << k) - 1));
        let mut carry = 0u64;
        let mut low = 0u32;
        for j in 0..l {
            let s = u64::from(x[j]) + t * u64::from(m[j]) + carry;
            if j > 0 {
                x[j - 1] = low | ((s as u32) << (32 - k));
            }
            low = (s as u32) >> k;
            carry = s >> 32;
        }
        x[l - 1] = low | ((carry as u32) << (32 - k));
    }
}

/// a - b mod m over l words, for a, b < m.
fn sub_mod(a: &mut [u32; MAX], b: &[u32; MAX], m: &[u32], l: usize) {
    let mut borrow = 0u64;
    for j in 0..l {
        let v = u64::from(a[j]).wrapping_sub(u64::from(b[j])).wrapping_sub(borrow);
        a[j] = v as u32;
        borrow = (v >> 63) & 1;
    }
    if borrow != 0 {
        let mut carry = 0u64;
        for j in 0..l {
            let v = u64::from(a[j]) + u64::from(m[j]) + carry;
            a[j] = v as u32;
            carry = v >> 32;
        }
    }
}

/// a^-1 mod an odd prime m of at most `MAX` words, for 0 < a < m (0 gives 0), m_inv = -m^-1
/// mod 2^32: the binary extended Euclidean algorithm (Hankerson, Menezes and Vanstone, Guide to
/// Elliptic Curve Cryptography, algorithm 2.22) with each run of zero bits shifted out at once
/// and u and v only as long as their used words. One copy for every curve's fields and
/// orders. Variable time: only for public values.
pub fn inv(a: &[u32], m: &[u32], m_inv: u32) -> [u32; MAX] {
    let l = m.len().min(MAX);
    let (mut u, mut v, mut x1, mut x2) = ([0u32; MAX], [0u32; MAX], [0u32; MAX], [0u32; MAX]);
    u[..l].copy_from_slice(&a[..l]);
    v[..l].copy_from_slice(&m[..l]);
    x1[0] = 1;
    let (mut lu, mut lv) = (used(&u), used(&v));
    // u and v stay coprime (m is prime and a < m): each pass shrinks one of them, until one
    // is 1; a 0 means they were not coprime.
    while lu > 0 && lv > 0 {
        halve(&mut u, &mut lu, &mut x1, m, l, m_inv);
        halve(&mut v, &mut lv, &mut x2, m, l, m_inv);
        if lu == 1 && u[0] == 1 {
            return x1;
        }
        if lv == 1 && v[0] == 1 {
            return x2;
        }
        let u_geq = lu > lv || (lu == lv && u[..lu].iter().rev().zip(v[..lv].iter().rev()).find(|(x, y)| x != y).is_none_or(|(x, y)| x > y));
        let (big, len, small, x_big, x_small) =
            if u_geq { (&mut u, &mut lu, &v, &mut x1, &x2) } else { (&mut v, &mut lv, &u, &mut x2, &x1) };
        let mut borrow = 0u64;
        for j in 0..*len {
            let s = u64::from(big[j]).wrapping_sub(u64::from(small[j])).wrapping_sub(borrow);
            big[j] = s as u32;
            borrow = (s >> 63) & 1;
        }
        *len = used(big);
        sub_mod(x_big, x_small, m, l);
    }
    [0; MAX]
}

/// `inv` for L words: a^-1 mod m, m an odd prime, m_inv = -m^-1 mod 2^32 (`n0`).
pub fn inv_words<const L: usize>(a: &[u32; L], m: &[u32; L], m_inv: u32) -> [u32; L] {
    let inv = inv(a, m, m_inv);
    let mut out = [0u32; L];
    for (o, &w) in out.iter_mut().zip(inv.iter()) {
        *o = w;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rsa::BigUint;

    fn big(w: &[u32]) -> BigUint {
        BigUint::from_slice(w)
    }

    /// a^-1 a = 1 mod m for every modulus of the three curves (their p and n) and values that
    /// reach each branch: 1, 2, m - 1, m - 2, powers of 2 (runs of zero bits longer than 31,
    /// whole zero words), a word of ones and random ones; 0 gives 0.
    #[test]
    fn inversion_agrees_with_biguint() {
        let moduli: [&[u32]; 6] = [
            &[0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 0, 0, 0, 1, 0xffff_ffff],
            &[0xfc63_2551, 0xf3b9_cac2, 0xa717_9e84, 0xbce6_faad, 0xffff_ffff, 0xffff_ffff, 0, 0xffff_ffff],
            &[0xffff_ffff, 0, 0, 0xffff_ffff, 0xffff_fffe, 0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 0xffff_ffff],
            &[0xccc5_2973, 0xecec_196a, 0x48b0_a77a, 0x581a_0db2, 0xf437_2ddf, 0xc763_4d81, 0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 0xffff_ffff],
            &[u32::MAX, u32::MAX, u32::MAX, u32::MAX, u32::MAX, u32::MAX, u32::MAX, u32::MAX, u32::MAX, u32::MAX, u32::MAX, u32::MAX, u32::MAX, u32::MAX, u32::MAX, u32::MAX, 0x1ff],
            &[
                0x9138_6409, 0xbb6f_b71e, 0x899c_47ae, 0x3bb5_c9b8, 0xf709_a5d0, 0x7fcc_0148, 0xbf2f_966b, 0x5186_8783, 0xffff_fffa,
                0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 0x1ff,
            ],
        ];
        let mut seed = 0x1234_5678_9abc_def0u64;
        let mut checked = 0;
        for m in moduli {
            let l = m.len();
            let mut m_inv = 1u32;
            for _ in 0..5 {
                m_inv = m_inv.wrapping_mul(2u32.wrapping_sub(m[0].wrapping_mul(m_inv)));
            }
            let m_inv = m_inv.wrapping_neg();
            let mb = big(m);
            let mut values: Vec<BigUint> = vec![BigUint::from(1u32), BigUint::from(2u32), &mb - 1u32, &mb - 2u32, BigUint::from(u32::MAX)];
            for k in [31, 32, 33, 64, 95, 32 * l - 33] {
                values.push((BigUint::from(1u32) << k) % &mb);
                values.push(((BigUint::from(1u32) << k) + 1u32) % &mb);
            }
            for _ in 0..50 {
                let words: Vec<u32> = (0..l)
                    .map(|_| {
                        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                        (seed >> 32) as u32
                    })
                    .collect();
                values.push(big(&words) % &mb);
            }
            for v in values {
                let mut a = [0u32; MAX];
                for (i, byte) in v.to_bytes_le().into_iter().enumerate() {
                    a[i / 4] |= u32::from(byte) << (8 * (i % 4));
                }
                let got = big(&inv(&a[..l], m, m_inv));
                if v == BigUint::from(0u32) {
                    assert_eq!(got, BigUint::from(0u32));
                } else {
                    assert!(got < mb, "not reduced: {got:x} mod {mb:x}");
                    assert_eq!((&got * &v) % &mb, BigUint::from(1u32), "{v:x}^-1 mod {mb:x}");
                }
                checked += 1;
            }
        }
        assert_eq!(checked, 6 * (5 + 12 + 50));
        assert_eq!(inv(&[0; 8], moduli[0], 1), [0; MAX]);
    }
}
