//! Integers mod a group order n of L 32-bit words, for the products and the one inversion of
//! an ECDSA verification: Montgomery multiplication (CIOS, Koc, Acar and Kaliski 1996) and an
//! inversion by Bernstein and Yang's divsteps, which the fields' inversions share (one copy of
//! each over slices, for every curve; Ed25519's too). Public data only: variable time.

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

/// 30-bit signed limbs enough for every modulus here (17 words, 544 bits, and a sign): the
/// representation of Bernstein and Yang's divsteps as libsecp256k1 writes it (`modinv32_impl.h`).
const LIMBS: usize = MAX * 32 / 30 + 1;
const M30: i32 = (1 << 30) - 1;

/// A value in 30-bit limbs, the top one signed, the others in [0, 2^30) once normalized.
type Signed30 = [i32; LIMBS];

/// The transition matrix of 30 divsteps, [u v; q r], each entry in [-2^30, 2^30].
struct Trans {
    u: i32,
    v: i32,
    q: i32,
    r: i32,
}

/// 30 divsteps on the low limbs f0 (odd) and g0, runs of zeros at once and up to 8 bits of g
/// cleared a step (`secp256k1_modinv32_divsteps_30_var`): the matrix, and eta after them.
fn divsteps_30(mut eta: i32, f0: u32, g0: u32) -> (i32, Trans) {
    let (mut u, mut v, mut q, mut r) = (1u32, 0u32, 0u32, 1u32);
    let (mut f, mut g) = (f0, g0);
    let mut left = 30u32;
    loop {
        // A sentinel bit counts the zeros only up to the steps left.
        let zeros = (g | (u32::MAX << left)).trailing_zeros();
        g >>= zeros;
        u <<= zeros;
        v <<= zeros;
        eta -= zeros as i32;
        left -= zeros;
        if left == 0 {
            break;
        }
        if eta < 0 {
            eta = -eta;
            (f, g) = (g, f.wrapping_neg());
            (u, q) = (q, u.wrapping_neg());
            (v, r) = (r, v.wrapping_neg());
        }
        // Cancel at most eta + 1 (eta's sign flips after that) and at most `left` low bits of
        // g, and at most 8, the width libsecp256k1's table and bounds are made for.
        let limit = (eta as u32 + 1).min(left);
        let mask = (u32::MAX >> (32 - limit)) & 255;
        // -f^-1 mod 2^8 by Newton's iteration from f itself (right to 3 bits for an odd f,
        // doubled by each step), where libsecp256k1 reads a table.
        let mut finv = f;
        finv = finv.wrapping_mul(2u32.wrapping_sub(f.wrapping_mul(finv)));
        finv = finv.wrapping_mul(2u32.wrapping_sub(f.wrapping_mul(finv)));
        let w = g.wrapping_mul(finv.wrapping_neg()) & mask;
        g = g.wrapping_add(f.wrapping_mul(w));
        q = q.wrapping_add(u.wrapping_mul(w));
        r = r.wrapping_add(v.wrapping_mul(w));
    }
    (eta, Trans { u: u as i32, v: v as i32, q: q as i32, r: r as i32 })
}

/// (t / 2^30) [x, y] over n limbs. For f and g (`MOD` false) exactly: t's rows leave the low
/// 30 bits zero (`secp256k1_modinv32_update_fg_30`). For d and e (`MOD` true) mod m: multiples
/// of m added first make them zero, x and y in (-2m, m) before and after
/// (`secp256k1_modinv32_update_de_30`); inv30 = m^-1 mod 2^30.
fn transform<const MOD: bool>(x: &mut Signed30, y: &mut Signed30, t: &Trans, m: &Signed30, inv30: u32, n: usize) {
    let Trans { u, v, q, r } = *t;
    // Add [u, q] m if x is negative and [v, r] m if y is.
    let (mut mx, mut my) = (0i32, 0i32);
    if MOD {
        let (sx, sy) = (x[n - 1] >> 31, y[n - 1] >> 31);
        mx = (u & sx) + (v & sy);
        my = (q & sx) + (r & sy);
    }
    let (mut cx, mut cy) = (0i64, 0i64);
    for i in 0..n {
        let (xi, yi) = (i64::from(x[i]), i64::from(y[i]));
        cx += i64::from(u) * xi + i64::from(v) * yi;
        cy += i64::from(q) * xi + i64::from(r) * yi;
        if MOD {
            if i == 0 {
                // Correct mx and my so that the low 30 bits come out zero.
                mx -= (inv30.wrapping_mul(cx as u32).wrapping_add(mx as u32) & M30 as u32) as i32;
                my -= (inv30.wrapping_mul(cy as u32).wrapping_add(my as u32) & M30 as u32) as i32;
            }
            cx += i64::from(m[i]) * i64::from(mx);
            cy += i64::from(m[i]) * i64::from(my);
        }
        if i > 0 {
            x[i - 1] = cx as i32 & M30;
            y[i - 1] = cy as i32 & M30;
        }
        cx >>= 30;
        cy >>= 30;
    }
    x[n - 1] = cx as i32;
    y[n - 1] = cy as i32;
}

/// Carries every limb but the top one into [0, 2^30).
fn carry(x: &mut Signed30, n: usize) {
    for i in 0..n - 1 {
        x[i + 1] += x[i] >> 30;
        x[i] &= M30;
    }
}

/// Adds m to x if x is negative (its limbs in (-2^30, 2^30), top limb's sign), then carries.
fn add_if_negative(x: &mut Signed30, m: &Signed30, n: usize) {
    let negative = x[n - 1] >> 31;
    for (xi, &mi) in x[..n].iter_mut().zip(&m[..n]) {
        *xi += mi & negative;
    }
    carry(x, n);
}

/// a^-1 mod an odd prime m of at most `MAX` words, for 0 < a < m (0 gives 0), m_inv = -m^-1
/// mod 2^32: Bernstein and Yang's divsteps in batches of 30 until g is 0, in variable time
/// (libsecp256k1's `secp256k1_modinv32_var`, for n limbs instead of 9). One copy for every
/// curve's fields and orders. Variable time: only for public values.
pub fn inv(a: &[u32], m: &[u32], m_inv: u32) -> [u32; MAX] {
    let l = m.len().min(MAX);
    let n = l * 32 / 30 + 1;
    let to30 = |w: &[u32]| -> Signed30 {
        let mut out = [0i32; LIMBS];
        for (i, o) in out.iter_mut().enumerate().take(n) {
            let bit = 30 * i;
            let word = |j: usize| u64::from(w.get(j).copied().unwrap_or(0));
            let pair = word(bit / 32) | (word(bit / 32 + 1) << 32);
            *o = ((pair >> (bit % 32)) as i32) & M30;
        }
        out
    };
    let modulus = to30(&m[..l]);
    let inv30 = m_inv.wrapping_neg() & M30 as u32;
    let (mut d, mut e, mut f, mut g) = ([0i32; LIMBS], [0i32; LIMBS], modulus, to30(&a[..l.min(a.len())]));
    e[0] = 1;
    let mut eta = -1;
    // Every input of `bits` bits is done within (49 bits + 57) / 17 divsteps (Bernstein and
    // Yang, theorem 11.2): 51 batches for 544 bits. The bound keeps a modulus that is not a
    // prime from looping.
    let batches = (49 * 32 * l + 57) / 17 / 30 + 1;
    let mut done = false;
    for _ in 0..batches {
        let (next, t) = divsteps_30(eta, f[0] as u32, g[0] as u32);
        eta = next;
        transform::<true>(&mut d, &mut e, &t, &modulus, inv30, n);
        transform::<false>(&mut f, &mut g, &t, &modulus, inv30, n);
        if g[..n].iter().all(|&x| x == 0) {
            done = true;
            break;
        }
    }
    // g is 0 and f is +-gcd(a, m): +-1 for a prime m and 0 < a < m, so d is +-a^-1. -1 is
    // every limb at 2^30 - 1 but the top one, at -1.
    let negative = f[n - 1] < 0;
    let unit = if negative {
        f[..n - 1].iter().all(|&x| x == M30) && f[n - 1] == -1
    } else {
        f[0] == 1 && f[1..n].iter().all(|&x| x == 0)
    };
    if !done || !unit {
        return [0; MAX];
    }
    // d in (-2m, m): into [0, m), negated when f is -1 (`secp256k1_modinv32_normalize_30`).
    add_if_negative(&mut d, &modulus, n);
    if negative {
        for x in d[..n].iter_mut() {
            *x = -*x;
        }
        carry(&mut d, n);
    }
    add_if_negative(&mut d, &modulus, n);
    let mut out = [0u32; MAX];
    for (i, &limb) in d.iter().enumerate().take(n) {
        let bit = 30 * i;
        let limb = u64::from(limb as u32 & M30 as u32) << (bit % 32);
        if let Some(o) = out.get_mut(bit / 32) {
            *o |= limb as u32;
        }
        if let Some(o) = out.get_mut(bit / 32 + 1) {
            *o |= (limb >> 32) as u32;
        }
    }
    for o in out.iter_mut().skip(l) {
        *o = 0;
    }
    out
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
            for _ in 0..500 {
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
        assert_eq!(checked, 6 * (5 + 12 + 500));
        assert_eq!(inv(&[0; 8], moduli[0], 1), [0; MAX]);
    }

    /// Out of contract (a modulus that is not a prime, a sharing a factor with it): 0 within
    /// the bound on batches, never a loop or a panic; a coprime a still inverts.
    #[test]
    fn a_common_factor_gives_zero() {
        let m_inv = |m: u32| n0::<1>(&[m]);
        for (m, a) in [(15u32, 5u32), (15, 3), (u32::MAX, 257), (u32::MAX, 65537 * 3)] {
            assert_eq!(inv(&[a], &[m], m_inv(m)), [0; MAX], "{a}^-1 mod {m}");
        }
        let got = inv(&[7], &[15], m_inv(15))[0];
        assert_eq!(got * 7 % 15, 1);
    }
}
