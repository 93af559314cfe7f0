//! Points of edwards25519, -x^2 + y^2 = 1 + d x^2 y^2 (RFC 8032 section 5.1), in ref10's forms:
//! extended coordinates (X : Y : Z : T), x = X/Z, y = Y/Z, x y = T/Z (Hisil, Wong, Carter and
//! Dawson, "Twisted Edwards curves revisited", 2008), projective (X : Y : Z) between doublings,
//! "completed" ((X : Z), (Y : T)) as the formulas' output, and the tables' affine (y + x, y - x,
//! 2 d x y). With a = -1 a square and d not one, the addition formulas are complete: no
//! exceptional case (identity, doubling, small-order components) needs a branch. Decoding is
//! RFC 8032 section 5.1.3's, encoding section 5.1.2's. Public data only: variable time.

use super::field::{self, Fe};

/// A point in extended coordinates.
#[derive(Clone, Copy)]
pub struct Extended {
    x: Fe,
    y: Fe,
    z: Fe,
    t: Fe,
}

/// A point in projective coordinates, enough to double.
#[derive(Clone, Copy)]
pub struct Projective {
    x: Fe,
    y: Fe,
    z: Fe,
}

/// The output of a doubling or an addition: x = X/Z, y = Y/T.
#[derive(Clone, Copy)]
pub struct Completed {
    x: Fe,
    y: Fe,
    z: Fe,
    t: Fe,
}

/// An affine point as the tables hold it: (y + x, y - x, 2 d x y).
#[derive(Clone, Copy)]
pub struct Niels {
    y_plus_x: Fe,
    y_minus_x: Fe,
    xy2d: Fe,
}

/// An affine point (x, y).
#[derive(Clone, Copy)]
pub struct Affine {
    pub x: Fe,
    pub y: Fe,
}

impl Affine {
    /// Decodes 32 octets (RFC 8032 section 5.1.3): y from the low 255 bits, taken mod p (the
    /// caller checks `field::is_canonical`), x from x^2 = (y^2 - 1) / (d y^2 + 1) with the sign
    /// of the top bit. None when there is no square root. An x of 0 with the sign bit set is
    /// returned as x = 0 (as curve25519-dalek does); the caller refuses it (y = 1 or -1: small
    /// order).
    #[inline(never)]
    pub fn decode(bytes: &[u8; 32]) -> Option<Affine> {
        let y = field::from_bytes(bytes);
        let yy = field::square(&y);
        let u = field::sub(&yy, &field::ONE);
        let v = field::add(&field::mul(&yy, &field::D), &field::ONE);
        let x = field::sqrt_ratio(&field::reduce(&u), &field::reduce(&v))?;
        let negative = bytes.last().is_some_and(|top| top >> 7 == 1);
        let x = if field::is_negative(&x) != negative { field::neg(&x) } else { x };
        Some(Affine { x, y })
    }

    /// RFC 8032 section 5.1.2: y's 255 bits and x's parity in the top bit.
    #[inline(never)]
    pub fn encode(&self) -> [u8; 32] {
        let mut out = field::to_bytes(&self.y);
        if let Some(top) = out.last_mut() {
            *top |= u8::from(field::is_negative(&self.x)) << 7;
        }
        out
    }

    /// Whether the point's order divides 8: x = 0 (the identity and (0, -1)), y = 0 (the two of
    /// order 4), or x^2 + y^2 = 0 (the doubling's y, (x^2 + y^2) / (2 - y^2 + x^2), is 0: the
    /// four of order 8; the group is cyclic of order 8 L, so there are no others).
    pub fn has_small_order(&self) -> bool {
        field::is_zero(&self.x)
            || field::is_zero(&self.y)
            || field::is_zero(&field::add(&field::square(&self.x), &field::square(&self.y)))
    }

    pub fn neg(&self) -> Affine {
        Affine { x: field::neg(&self.x), y: self.y }
    }

    fn niels(&self) -> Niels {
        Niels {
            y_plus_x: field::reduce(&field::add(&self.y, &self.x)),
            y_minus_x: field::reduce(&field::sub(&self.y, &self.x)),
            xy2d: field::mul(&field::mul(&self.x, &self.y), &field::D2),
        }
    }
}

impl Extended {
    pub fn from_affine(p: &Affine) -> Extended {
        Extended { x: p.x, y: p.y, z: field::ONE, t: field::mul(&p.x, &p.y) }
    }

    pub fn double(&self) -> Extended {
        self.projective().double().extended()
    }

    fn projective(&self) -> Projective {
        Projective { x: self.x, y: self.y, z: self.z }
    }

    /// self + q for an affine q (ref10's ge_madd). Not inlined, as the other formulas: one
    /// copy of each keeps the wasm small, and a call costs little beside their products.
    #[inline(never)]
    fn add_niels(&self, q: &Niels) -> Completed {
        let a = field::mul(&field::add(&self.y, &self.x), &q.y_plus_x);
        let b = field::mul(&field::sub(&self.y, &self.x), &q.y_minus_x);
        let c = field::mul(&self.t, &q.xy2d);
        let z2 = field::add(&self.z, &self.z);
        Completed { x: field::sub(&a, &b), y: field::add(&a, &b), z: field::add(&z2, &c), t: field::sub(&z2, &c) }
    }
}

impl Niels {
    /// -q: x negated swaps y + x and y - x and negates 2 d x y (ref10's ge_msub, by way of
    /// ge_madd).
    fn neg(&self) -> Niels {
        Niels { y_plus_x: self.y_minus_x, y_minus_x: self.y_plus_x, xy2d: field::neg(&self.xy2d) }
    }
}

impl Projective {
    pub const IDENTITY: Projective = Projective { x: field::ZERO, y: field::ONE, z: field::ONE };

    /// 2P (ref10's ge_p2_dbl, dbl-2008-hwcd with a = -1): 3S + 1 doubled S.
    #[inline(never)]
    fn double(&self) -> Completed {
        let xx = field::square(&self.x);
        let yy = field::square(&self.y);
        let zz2 = field::square2(&self.z);
        let s = field::square(&field::add(&self.x, &self.y));
        let y = field::add(&yy, &xx);
        let z = field::sub(&yy, &xx);
        Completed { x: field::sub(&s, &y), y, z, t: field::sub(&zz2, &z) }
    }

    /// The affine point (one inversion).
    #[inline(never)]
    pub fn affine(&self) -> Affine {
        let zi = field::invert(&self.z);
        Affine { x: field::mul(&self.x, &zi), y: field::mul(&self.y, &zi) }
    }
}

impl Completed {
    #[inline(never)]
    fn projective(&self) -> Projective {
        Projective { x: field::mul(&self.x, &self.t), y: field::mul(&self.y, &self.z), z: field::mul(&self.z, &self.t) }
    }

    #[inline(never)]
    fn extended(&self) -> Extended {
        Extended {
            x: field::mul(&self.x, &self.t),
            y: field::mul(&self.y, &self.z),
            z: field::mul(&self.z, &self.t),
            t: field::mul(&self.x, &self.y),
        }
    }
}

/// Affine forms of extended points, with one inversion (Montgomery's trick: invert the product
/// of the Z, then peel each 1/Z off it).
fn to_affine(points: &[Extended]) -> Vec<Affine> {
    let mut prefix = Vec::with_capacity(points.len());
    let mut acc = field::ONE;
    for p in points {
        prefix.push(acc);
        acc = field::mul(&acc, &p.z);
    }
    let mut inv = field::invert(&acc);
    let mut out: Vec<Affine> = Vec::with_capacity(points.len());
    for (p, before) in points.iter().zip(prefix).rev() {
        let zi = field::mul(&inv, &before);
        inv = field::mul(&inv, &p.z);
        out.push(Affine { x: field::mul(&p.x, &zi), y: field::mul(&p.y, &zi) });
    }
    out.reverse();
    out
}

/// How the scalars (below L < 2^253) are cut for `mul_double`: k = k0 + k1 2^32 + ... + k7
/// 2^224, so kP = k0 P + k1 (2^32 P) + ...: 33 doublings instead of 253, each chunk with a
/// table of the odd multiples 1, 3, ..., 2^(w-1) - 1 of its point (as ../weierstrass/ does).
pub const CHUNKS: usize = 8;
pub const CHUNK_BITS: usize = 32;
const DIGITS: usize = CHUNK_BITS + 1;

/// Table entries per chunk for a wNAF window.
const fn entries(window: u32) -> usize {
    1 << (window - 2)
}

/// The tables of a point P: entry i of chunk c is (2 i + 1) 2^(32 c) P.
pub fn tables(p: &Affine, window: u32) -> Vec<Niels> {
    let mut bases = vec![Extended::from_affine(p)];
    for _ in 1..CHUNKS {
        let mut q = bases.last().copied().unwrap_or_else(|| Extended::from_affine(p));
        for _ in 0..CHUNK_BITS {
            q = q.double();
        }
        bases.push(q);
    }
    let bases = to_affine(&bases);
    let twice: Vec<Extended> = bases.iter().map(|b| Extended::from_affine(b).double()).collect();
    let twice: Vec<Niels> = to_affine(&twice).iter().map(Affine::niels).collect();
    let mut odd = Vec::with_capacity(CHUNKS * entries(window));
    for (base, twice) in bases.iter().zip(&twice) {
        let mut q = Extended::from_affine(base);
        odd.push(q);
        for _ in 1..entries(window) {
            q = q.add_niels(twice).extended();
            odd.push(q);
        }
    }
    to_affine(&odd).iter().map(Affine::niels).collect()
}

/// The wNAF digits of every 32-bit chunk of k (little-endian words), chunk after chunk, least
/// significant first within a chunk, 33 digits each: 0 or odd, |d| < 2^(w-1).
fn chunk_wnafs(k: &[u32; CHUNKS], window: u32) -> [i8; CHUNKS * DIGITS] {
    let mut out = [0i8; CHUNKS * DIGITS];
    let window = 1i64 << window;
    for (chunk, &word) in out.chunks_exact_mut(DIGITS).zip(k) {
        let mut k = i64::from(word);
        for digit in chunk.iter_mut() {
            if k == 0 {
                break;
            }
            if k & 1 == 1 {
                let mut d = k & (window - 1);
                if d >= window / 2 {
                    d -= window;
                }
                *digit = d as i8;
                k -= d;
            }
            k >>= 1;
        }
    }
    out
}

/// a G + b Q, each point given by its tables (windows `g_window` and `q_window`): one chain of
/// 33 doublings for every chunk, each adding its table's entry where its digit is not zero.
#[inline(never)]
pub fn mul_double(a: &[u32; CHUNKS], g: &[Niels], g_window: u32, b: &[u32; CHUNKS], q: &[Niels], q_window: u32) -> Projective {
    let g_digits = chunk_wnafs(a, g_window);
    let q_digits = chunk_wnafs(b, q_window);
    let add = |acc: &Completed, table: &[Niels], at: usize, d: i8| -> Completed {
        let acc_e = acc.extended();
        match table.get(at + usize::from(d.unsigned_abs() >> 1)) {
            Some(p) if d < 0 => acc_e.add_niels(&p.neg()),
            Some(p) => acc_e.add_niels(p),
            None => *acc,
        }
    };
    let mut acc = Projective::IDENTITY;
    for i in (0..DIGITS).rev() {
        let mut sum = acc.double();
        for c in 0..CHUNKS {
            let at = c * DIGITS + i;
            if let Some(&d) = g_digits.get(at).filter(|&&d| d != 0) {
                sum = add(&sum, g, c * entries(g_window), d);
            }
            if let Some(&d) = q_digits.get(at).filter(|&&d| d != 0) {
                sum = add(&sum, q, c * entries(q_window), d);
            }
        }
        acc = sum.projective();
    }
    acc
}
