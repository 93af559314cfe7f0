//! Points of P-256 (y^2 = x^3 - 3x + b): affine for tables, Jacobian (X/Z^2, Y/Z^3) for sums,
//! with Z = 0 the identity. Doubling is dbl-2001-b and mixed addition madd-2007-bl of the
//! Explicit-Formulas Database (a = -3), with the exceptional cases (identity, P = Q, P = -Q)
//! handled by branches: the inputs are public. The tables of odd multiples used by
//! verification are made here: the base point's by the compiler (`G_TABLES`), a key's once
//! when it is imported.

#![allow(clippy::indexing_slicing)] // fixed-size arrays, constant loop bounds (see words.rs)

use super::field::{self, Fe};
use super::words::{self, W};

/// The curve's b.
pub const B: Fe = [0x27d2_604b, 0x3bce_3c3e, 0xcc53_b0f6, 0x651d_06b0, 0x7698_86bc, 0xb3eb_bd55, 0xaa3a_93e7, 0x5ac6_35d8];

/// A point (x, y) on the curve; never the identity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Affine {
    pub x: Fe,
    pub y: Fe,
}

/// The base point G (SEC 2 section 2.4.2).
pub const G: Affine = Affine {
    x: [0xd898_c296, 0xf4a1_3945, 0x2deb_33a0, 0x7703_7d81, 0x63a4_40f2, 0xf8bc_e6e5, 0xe12c_4247, 0x6b17_d1f2],
    y: [0x37bf_51f5, 0xcbb6_4068, 0x6b31_5ece, 0x2bce_3357, 0x7c0f_9e16, 0x8ee7_eb4a, 0xfe1a_7f9b, 0x4fe3_42e2],
};

impl Affine {
    const PLACEHOLDER: Affine = Affine { x: words::ZERO, y: words::ZERO };

    /// Whether (x, y) satisfies the curve equation (x and y below p).
    pub const fn on_curve(x: &Fe, y: &Fe) -> bool {
        words::eq(&field::square(y), &rhs(x))
    }

    const fn neg(&self) -> Affine {
        Affine { x: self.x, y: field::neg(&self.y) }
    }
}

/// x^3 - 3x + b.
pub const fn rhs(x: &Fe) -> Fe {
    let x3 = field::mul(&field::square(x), x);
    let three_x = field::add(&field::double(x), x);
    field::add(&field::sub(&x3, &three_x), &B)
}

/// A point in Jacobian coordinates.
#[derive(Clone, Copy, Debug)]
pub struct Jacobian {
    pub x: Fe,
    pub y: Fe,
    pub z: Fe,
}

impl Jacobian {
    pub const IDENTITY: Jacobian = Jacobian { x: words::ONE, y: words::ONE, z: words::ZERO };

    pub const fn from_affine(p: &Affine) -> Jacobian {
        Jacobian { x: p.x, y: p.y, z: words::ONE }
    }

    pub const fn is_identity(&self) -> bool {
        words::is_zero(&self.z)
    }

    /// 2P (dbl-2001-b: 3M + 5S).
    pub const fn double(&self) -> Jacobian {
        if self.is_identity() {
            return *self;
        }
        let delta = field::square(&self.z);
        let gamma = field::square(&self.y);
        let beta = field::mul(&self.x, &gamma);
        let t = field::mul(&field::sub(&self.x, &delta), &field::add(&self.x, &delta));
        let alpha = field::add(&field::double(&t), &t);
        let beta4 = field::double(&field::double(&beta));
        let x3 = field::sub(&field::square(&alpha), &field::double(&beta4));
        let z3 = field::sub(&field::sub(&field::square(&field::add(&self.y, &self.z)), &gamma), &delta);
        let gamma2 = field::square(&gamma);
        let gamma8 = field::double(&field::double(&field::double(&gamma2)));
        let y3 = field::sub(&field::mul(&alpha, &field::sub(&beta4, &x3)), &gamma8);
        Jacobian { x: x3, y: y3, z: z3 }
    }

    /// P + Q for an affine Q (madd-2007-bl, with Z3 = 2 Z1 H: 8M + 3S).
    pub const fn add_affine(&self, q: &Affine) -> Jacobian {
        if self.is_identity() {
            return Jacobian::from_affine(q);
        }
        let z1z1 = field::square(&self.z);
        let u2 = field::mul(&q.x, &z1z1);
        let s2 = field::mul(&q.y, &field::mul(&self.z, &z1z1));
        let h = field::sub(&u2, &self.x);
        let rr = field::sub(&s2, &self.y);
        if words::is_zero(&h) {
            return if words::is_zero(&rr) { self.double() } else { Jacobian::IDENTITY };
        }
        let hh = field::square(&h);
        let i = field::double(&field::double(&hh));
        let j = field::mul(&h, &i);
        let r = field::double(&rr);
        let v = field::mul(&self.x, &i);
        let x3 = field::sub(&field::sub(&field::square(&r), &j), &field::double(&v));
        let y3 = field::sub(&field::mul(&r, &field::sub(&v, &x3)), &field::double(&field::mul(&self.y, &j)));
        let z3 = field::double(&field::mul(&self.z, &h));
        Jacobian { x: x3, y: y3, z: z3 }
    }

    /// P + Q or P - Q.
    const fn add_signed(&self, q: &Affine, negative: bool) -> Jacobian {
        if negative {
            self.add_affine(&q.neg())
        } else {
            self.add_affine(q)
        }
    }

    /// Whether x(P) mod n = r, for r below n, without leaving Jacobian coordinates: x(P) is
    /// X / Z^2, below p, so it is r or r + n (when that is below p).
    pub fn x_mod_n_is(&self, r: &W, n: &W) -> bool {
        if self.is_identity() {
            return false;
        }
        let z2 = field::square(&self.z);
        if words::eq(&field::mul(r, &z2), &self.x) {
            return true;
        }
        let (rn, carry) = words::add(r, n);
        carry == 0 && !words::geq(&rn, &field::P) && words::eq(&field::mul(&rn, &z2), &self.x)
    }
}

/// Affine forms of N Jacobian points, none the identity, with one inversion (Montgomery's
/// trick: invert the product of the Z, then peel each 1/Z off it).
const fn to_affine<const N: usize>(points: &[Jacobian; N]) -> [Affine; N] {
    let mut prefix = [words::ONE; N];
    let mut acc = words::ONE;
    let mut i = 0;
    while i < N {
        prefix[i] = acc;
        acc = field::mul(&acc, &points[i].z);
        i += 1;
    }
    let mut inv = field::inv(&acc);
    let mut out = [Affine::PLACEHOLDER; N];
    while i > 0 {
        i -= 1;
        let zi = field::mul(&inv, &prefix[i]);
        inv = field::mul(&inv, &points[i].z);
        let zi2 = field::square(&zi);
        out[i] = Affine { x: field::mul(&points[i].x, &zi2), y: field::mul(&points[i].y, &field::mul(&zi2, &zi)) };
    }
    out
}

/// Scalars are split in eight 32-bit chunks, k = k0 + k1 2^32 + ... + k7 2^224, so kP = k0 P +
/// k1 (2^32 P) + ... + k7 (2^224 P): 33 doublings per multiplication instead of 256, with a
/// table of odd multiples for each of the eight points. Measured against four 64-bit chunks
/// (65 doublings, window 6 for G in the same 4 KiB): 6 to 14% faster per verify.
pub const CHUNKS: usize = 8;
const CHUNK_BITS: usize = 256 / CHUNKS;
const CHUNK_WORDS: usize = CHUNK_BITS / 32;

/// Window of the base point's wNAF: digits odd, |d| < 2^(w-1), tables of 2^(w-2) points.
pub const G_WINDOW: u32 = 5;
/// Window of a key's wNAF.
pub const Q_WINDOW: u32 = 5;
pub const G_ENTRIES: usize = 1 << (G_WINDOW - 2);
pub const Q_ENTRIES: usize = 1 << (Q_WINDOW - 2);

/// The tables of a point P: for each chunk c, the odd multiples 1, 3, 5, ... of 2^(32 c) P.
pub type Tables<const E: usize> = [[Affine; E]; CHUNKS];

/// The tables of P, a point other than the identity (on a curve of prime order, none of the
/// sums below meets an exceptional case).
pub const fn tables<const E: usize>(p: &Affine) -> Tables<E> {
    let mut bases = [Jacobian::from_affine(p); CHUNKS];
    let mut c = 1;
    while c < CHUNKS {
        let mut q = bases[c - 1];
        let mut i = 0;
        while i < CHUNK_BITS {
            q = q.double();
            i += 1;
        }
        bases[c] = q;
        c += 1;
    }
    let bases = to_affine(&bases);
    let mut twice = [Jacobian::IDENTITY; CHUNKS];
    c = 0;
    while c < CHUNKS {
        twice[c] = Jacobian::from_affine(&bases[c]).double();
        c += 1;
    }
    let twice = to_affine(&twice);
    let mut out = [[Affine::PLACEHOLDER; E]; CHUNKS];
    c = 0;
    while c < CHUNKS {
        let mut odd = [Jacobian::IDENTITY; E];
        odd[0] = Jacobian::from_affine(&bases[c]);
        let mut k = 1;
        while k < E {
            odd[k] = odd[k - 1].add_affine(&twice[c]);
            k += 1;
        }
        out[c] = to_affine(&odd);
        c += 1;
    }
    out
}

/// The base point's tables, computed by the compiler: 8 x 8 points, 4 KiB in the binary.
pub static G_TABLES: Tables<G_ENTRIES> = tables(&G);

/// Digits of a wNAF of the 64-bit k, least significant first: each 0 or odd with |d| <
/// 2^(w-1), and at most CHUNK_BITS + 1 of them.
const DIGITS: usize = CHUNK_BITS + 1;
fn wnaf(k: u64, w: u32) -> [i8; DIGITS] {
    let mut out = [0i8; DIGITS];
    let mut k = u128::from(k);
    let window = 1i128 << w;
    for digit in out.iter_mut() {
        if k == 0 {
            break;
        }
        if k & 1 == 1 {
            let mut d = (k as i128) & (window - 1);
            if d >= window / 2 {
                d -= window;
            }
            *digit = d as i8;
            k = (k as i128 - d) as u128;
        }
        k >>= 1;
    }
    out
}

/// The wNAFs of the chunks of k.
fn chunk_wnafs(k: &W, w: u32) -> [[i8; DIGITS]; CHUNKS] {
    let mut out = [[0i8; DIGITS]; CHUNKS];
    for (c, digits) in out.iter_mut().enumerate() {
        let words = k.get(c * CHUNK_WORDS..(c + 1) * CHUNK_WORDS).unwrap_or_default();
        *digits = wnaf(words.iter().rev().fold(0u64, |acc, &w| (acc << 32) | u64::from(w)), w);
    }
    out
}

/// u1 G + u2 Q, Q given by its tables: one chain of 33 doublings for the sixteen chunks,
/// each adding its table's entry where its digit is not zero.
pub fn mul_double(u1: &W, u2: &W, q: &Tables<Q_ENTRIES>) -> Jacobian {
    let g_digits = chunk_wnafs(u1, G_WINDOW);
    let q_digits = chunk_wnafs(u2, Q_WINDOW);
    let mut acc = Jacobian::IDENTITY;
    for i in (0..DIGITS).rev() {
        acc = acc.double();
        for c in 0..CHUNKS {
            let d = g_digits[c][i];
            if d != 0 {
                acc = acc.add_signed(&G_TABLES[c][(d.unsigned_abs() >> 1) as usize], d < 0);
            }
            let d = q_digits[c][i];
            if d != 0 {
                acc = acc.add_signed(&q[c][(d.unsigned_abs() >> 1) as usize], d < 0);
            }
        }
    }
    acc
}
