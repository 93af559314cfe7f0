//! Points of a short Weierstrass curve y^2 = x^3 - 3x + b of prime order over a `Field`:
//! affine for tables, Jacobian (X/Z^2, Y/Z^3) for sums, with Z = 0 the identity. Doubling is
//! dbl-2001-b and mixed addition madd-2007-bl of the Explicit-Formulas Database (a = -3), with
//! the exceptional cases (identity, P = Q, P = -Q) handled by branches: the inputs are public.
//! The same formulas as ../nistp256/point.rs, over any field; the tables of odd multiples are
//! made at run time (the base point's once per process), so they cost the binary nothing.

#![allow(missing_docs)] // the arithmetic's internals, documented where they are not obvious

use super::Field;

/// A point (x, y) on the curve; never the identity.
pub struct Affine<F: Field> {
    pub x: F::Fe,
    pub y: F::Fe,
}

// By hand: a derive would ask F itself to be Clone and Copy.
impl<F: Field> Clone for Affine<F> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<F: Field> Copy for Affine<F> {}

impl<F: Field> core::fmt::Debug for Affine<F> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Affine").field("x", &self.x).field("y", &self.y).finish()
    }
}

impl<F: Field> Affine<F> {
    /// Whether (x, y) satisfies the curve equation.
    pub fn on_curve(x: &F::Fe, y: &F::Fe, b: &F::Fe) -> bool {
        F::eq(&F::square(y), &rhs::<F>(x, b))
    }

    fn neg(&self) -> Affine<F> {
        Affine { x: self.x, y: F::neg(&self.y) }
    }
}

/// x^3 - 3x + b.
pub fn rhs<F: Field>(x: &F::Fe, b: &F::Fe) -> F::Fe {
    let x3 = F::mul(&F::square(x), x);
    let three_x = F::add(&F::add(x, x), x);
    F::add(&F::sub(&x3, &three_x), b)
}

/// A point in Jacobian coordinates.
pub struct Jacobian<F: Field> {
    pub x: F::Fe,
    pub y: F::Fe,
    pub z: F::Fe,
}

impl<F: Field> Clone for Jacobian<F> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<F: Field> Copy for Jacobian<F> {}

fn double<F: Field>(a: &F::Fe) -> F::Fe {
    F::add(a, a)
}

impl<F: Field> Jacobian<F> {
    pub fn identity() -> Jacobian<F> {
        Jacobian { x: F::one(), y: F::one(), z: F::zero() }
    }

    pub fn from_affine(p: &Affine<F>) -> Jacobian<F> {
        Jacobian { x: p.x, y: p.y, z: F::one() }
    }

    pub fn is_identity(&self) -> bool {
        F::is_zero(&self.z)
    }

    /// 2P (dbl-2001-b: 3M + 5S).
    pub fn double(&self) -> Jacobian<F> {
        if self.is_identity() {
            return *self;
        }
        let delta = F::square(&self.z);
        let gamma = F::square(&self.y);
        let beta = F::mul(&self.x, &gamma);
        let t = F::mul(&F::sub(&self.x, &delta), &F::add(&self.x, &delta));
        let alpha = F::add(&double::<F>(&t), &t);
        let beta4 = double::<F>(&double::<F>(&beta));
        let x3 = F::sub(&F::square(&alpha), &double::<F>(&beta4));
        let z3 = F::sub(&F::sub(&F::square(&F::add(&self.y, &self.z)), &gamma), &delta);
        let gamma2 = F::square(&gamma);
        let gamma8 = double::<F>(&double::<F>(&double::<F>(&gamma2)));
        let y3 = F::sub(&F::mul(&alpha, &F::sub(&beta4, &x3)), &gamma8);
        Jacobian { x: x3, y: y3, z: z3 }
    }

    /// P + Q for an affine Q (madd-2007-bl, with Z3 = 2 Z1 H: 8M + 3S).
    pub fn add_affine(&self, q: &Affine<F>) -> Jacobian<F> {
        if self.is_identity() {
            return Jacobian::from_affine(q);
        }
        let z1z1 = F::square(&self.z);
        let u2 = F::mul(&q.x, &z1z1);
        let s2 = F::mul(&q.y, &F::mul(&self.z, &z1z1));
        let h = F::sub(&u2, &self.x);
        let rr = F::sub(&s2, &self.y);
        if F::is_zero(&h) {
            return if F::is_zero(&rr) { self.double() } else { Jacobian::identity() };
        }
        let hh = F::square(&h);
        let i = double::<F>(&double::<F>(&hh));
        let j = F::mul(&h, &i);
        let r = double::<F>(&rr);
        let v = F::mul(&self.x, &i);
        let x3 = F::sub(&F::sub(&F::square(&r), &j), &double::<F>(&v));
        let y3 = F::sub(&F::mul(&r, &F::sub(&v, &x3)), &double::<F>(&F::mul(&self.y, &j)));
        let z3 = double::<F>(&F::mul(&self.z, &h));
        Jacobian { x: x3, y: y3, z: z3 }
    }

    /// Whether x(P) = x1 or x(P) = x2 (when given), without leaving Jacobian coordinates:
    /// x(P) = X / Z^2, so X = x Z^2. The identity has no x.
    pub fn x_is(&self, x1: &F::Fe, x2: Option<&F::Fe>) -> bool {
        if self.is_identity() {
            return false;
        }
        let z2 = F::square(&self.z);
        F::eq(&F::mul(x1, &z2), &self.x) || x2.is_some_and(|x2| F::eq(&F::mul(x2, &z2), &self.x))
    }
}

/// Affine forms of Jacobian points, none the identity, with one inversion (Montgomery's trick:
/// invert the product of the Z, then peel each 1/Z off it).
fn to_affine<F: Field>(points: &[Jacobian<F>]) -> Vec<Affine<F>> {
    let mut prefix = Vec::with_capacity(points.len());
    let mut acc = F::one();
    for p in points {
        prefix.push(acc);
        acc = F::mul(&acc, &p.z);
    }
    let mut inv = F::inv(&acc);
    let mut out: Vec<Affine<F>> = Vec::with_capacity(points.len());
    for (p, before) in points.iter().zip(prefix).rev() {
        let zi = F::mul(&inv, &before);
        inv = F::mul(&inv, &p.z);
        let zi2 = F::square(&zi);
        out.push(Affine { x: F::mul(&p.x, &zi2), y: F::mul(&p.y, &F::mul(&zi2, &zi)) });
    }
    out.reverse();
    out
}

/// How a curve's scalars are cut for its double-scalar multiplication: k = k0 + k1 2^c + ...,
/// so kP = k0 P + k1 (2^c P) + ..., c = `chunk_bits` doublings in all instead of the scalar's
/// bit length, each chunk with a table of the odd multiples 1, 3, ..., 2^(w-1) - 1 of its point.
#[derive(Clone, Copy, Debug)]
pub struct Cut {
    /// Bits of the scalars (of n).
    pub bits: usize,
    /// Bits per chunk.
    pub chunk_bits: usize,
    /// The wNAF window of the base point: digits odd with |d| < 2^(w-1), tables of 2^(w-2)
    /// points. Its tables are made once per process, so a wide window costs little.
    pub g_window: u32,
    /// The wNAF window of a key, whose tables each key makes on its second verification.
    pub q_window: u32,
}

/// The window of a key's one table on its first verification: the scalar uncut (`bits`
/// doublings), the odd multiples of the point alone, so no doublings go into a table that a
/// key used once (the one-shot verify imports the key set on every call) would not use again.
pub const FIRST_WINDOW: u32 = 5;

/// The odd multiples of a point P's chunks: entry i of chunk c is (2 i + 1) 2^(c chunk_bits) P,
/// i below 2^(window - 2).
pub struct Tables<F: Field> {
    points: Vec<Affine<F>>,
    chunk_bits: usize,
    window: u32,
}

impl<F: Field> Clone for Tables<F> {
    fn clone(&self) -> Self {
        Tables { points: self.points.clone(), chunk_bits: self.chunk_bits, window: self.window }
    }
}

/// Table entries per chunk for a window.
const fn entries(window: u32) -> usize {
    1 << (window - 2)
}

/// The tables of a point P other than the identity for scalars of `bits` bits cut in chunks of
/// `chunk_bits`. On a curve of prime order none of these sums meets an exceptional case.
pub fn tables<F: Field>(p: &Affine<F>, bits: usize, chunk_bits: usize, window: u32) -> Tables<F> {
    let mut bases = vec![Jacobian::from_affine(p)];
    for _ in 1..bits.div_ceil(chunk_bits) {
        let mut q = bases.last().copied().unwrap_or_else(Jacobian::identity);
        for _ in 0..chunk_bits {
            q = q.double();
        }
        bases.push(q);
    }
    let bases = if bases.len() > 1 { to_affine(&bases) } else { vec![*p] };
    let twice: Vec<Jacobian<F>> = bases.iter().map(|b| Jacobian::from_affine(b).double()).collect();
    let twice = to_affine(&twice);
    let mut odd = Vec::with_capacity(bases.len() * entries(window));
    for (base, twice) in bases.iter().zip(&twice) {
        let mut q = Jacobian::from_affine(base);
        odd.push(q);
        for _ in 1..entries(window) {
            q = q.add_affine(twice);
            odd.push(q);
        }
    }
    Tables { points: to_affine(&odd), chunk_bits, window }
}

/// The `count` (at most 32) bits of k from bit `start` up, 0 past the top.
fn bits(k: &[u32], start: usize, count: usize) -> u32 {
    let word = |i: usize| u64::from(k.get(i).copied().unwrap_or(0));
    let pair = word(start / 32) | (word(start / 32 + 1) << 32);
    ((pair >> (start % 32)) & ((1 << count) - 1)) as u32
}

/// The wNAF digits of the `count` bits of k from bit `start` (0 past the top): `count + 1`
/// digits, least significant first, each 0 or odd with |d| < 2^(w-1) (libsecp256k1's
/// `secp256k1_ecmult_wnaf`, with the last carry as a digit of its own). One copy for every
/// curve: k as a slice.
fn wnaf(k: &[u32], start: usize, count: usize, window: u32, out: &mut [i8]) {
    let mut bit = 0;
    let mut carry = 0u32;
    while bit < count {
        if bits(k, start + bit, 1) == carry {
            bit += 1;
            continue;
        }
        let now = count.saturating_sub(bit).min(window as usize);
        // Odd, below 2^now + 1: never 2^(w-1), so |digit| < 2^(w-1).
        let mut word = (bits(k, start + bit, now) + carry) as i32;
        carry = (word as u32 >> (window - 1)) & 1;
        word -= (carry << window) as i32;
        if let Some(d) = out.get_mut(bit) {
            *d = word as i8;
        }
        bit += now;
    }
    if let Some(d) = out.get_mut(count) {
        *d = carry as i8;
    }
}

/// The wNAF digits of every chunk of k (scalars of `bits` bits), chunk after chunk,
/// `chunk_bits + 1` each.
fn chunk_wnafs(k: &[u32], bits: usize, chunk_bits: usize, window: u32) -> Vec<i8> {
    let digits = chunk_bits + 1;
    let mut out = vec![0i8; bits.div_ceil(chunk_bits) * digits];
    for (c, chunk) in out.chunks_exact_mut(digits).enumerate() {
        wnaf(k, c * chunk_bits, chunk_bits.min(bits - c * chunk_bits), window, chunk);
    }
    out
}

/// u1 G + u2 Q for scalars of `bits` bits, each point given by its tables: one chain of
/// doublings, as long as the longer chunk and one more, each chunk adding its table's entry
/// where its digit is not zero.
pub fn mul_double<F: Field, const L: usize>(u1: &[u32; L], g: &Tables<F>, u2: &[u32; L], q: &Tables<F>, bits: usize) -> Jacobian<F> {
    let sides = [(chunk_wnafs(u1, bits, g.chunk_bits, g.window), g), (chunk_wnafs(u2, bits, q.chunk_bits, q.window), q)];
    let mut acc = Jacobian::identity();
    for i in (0..=g.chunk_bits.max(q.chunk_bits)).rev() {
        acc = acc.double();
        for (digits, t) in &sides {
            if i > t.chunk_bits {
                continue;
            }
            let per = entries(t.window);
            for (c, chunk) in digits.chunks_exact(t.chunk_bits + 1).enumerate() {
                let d = chunk.get(i).copied().unwrap_or(0);
                if d == 0 {
                    continue;
                }
                if let Some(p) = t.points.get(c * per + usize::from(d.unsigned_abs() >> 1)) {
                    acc = acc.add_affine(&if d < 0 { p.neg() } else { *p });
                }
            }
        }
    }
    acc
}
