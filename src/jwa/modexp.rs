//! The RSA public-key operation s^e mod n (RFC 8017 section 5.2.2, RSAVP1) by Montgomery
//! multiplication (Montgomery 1985), in the separated operand scanning form of Koc, Acar and
//! Kaliski 1996, with 27- or 28-bit limbs whose carries are deferred in 64-bit columns.
//!
//! Verification only: every input is public (modulus, exponent, signature), so nothing here
//! tries to be constant-time. wasm multiplies 64 x 64 -> 64 bits natively and has no wider
//! product, so limbs are small enough that a product (< 2^56) is added to its column whole:
//! no split into halves, no carry chain between iterations (see `WIDE` for the bounds). Profiling showed this inner loop to
//! be nearly all of a verify. The per-key constants are computed once in [`PublicOp::new`];
//! [`PublicOp::apply`] works in fixed stack buffers, never allocating per multiplication. The
//! `rsa` crate stays the reference in `tests/modexp_diff.rs`. The SIMD128 build (the package's
//! main `.wasm`) multiplies 14-bit halves of the 28-bit limbs eight at a time with
//! `i32x4.dot_i16x8_s` instead (module `simd`); the scalar code below is the build without SIMD.

// The one module allowed to index: its kernels run on buffers cut to the key's limb count,
// which `PublicOp::new` bounds (at most MAX_LIMBS) and `apply` checks the signature against
// (exactly k octets, below n); the loops stay free of bounds checks that way. Differentially
// tested and fuzzed against the `rsa` crate (tests/modexp_diff.rs, fuzz target `modexp`).
#![allow(clippy::indexing_slicing)]

/// Bits per limb: 28 while the widest column sum stays within 2^64 (up to 2L + 2 products
/// below 2^56, so L <= 126 limbs, keys up to 3528 bits: 2048 and 3072), else 27 (up to 2L + 2
/// products below 2^54, any L up to 8192 bits). 28 bits means 5 to 7% fewer limb products.
/// The SIMD kernel's columns hold products of 14-bit halves, far from 2^64: 28 bits at every L.
const NARROW: u32 = 27;
const WIDE: u32 = 28;
const WIDE_MAX_LIMBS: usize = 126;
const fn mask(w: u32) -> u64 {
    (1 << w) - 1
}
/// Largest modulus handled, in limbs (8192 bits, the bound `RsaPublicKey` enforces).
pub const MAX_LIMBS: usize = 8192_usize.div_ceil(NARROW as usize);

/// Scratch for one Montgomery operation: the double-width sum, one 64-bit column per limb.
type Wide = [u64; 2 * MAX_LIMBS + 1];

/// Per-key precomputation for s^e mod n.
#[derive(Clone, Debug)]
pub struct PublicOp {
    /// The modulus, little-endian limbs, exactly `limbs` of them.
    n: Vec<u64>,
    /// R^2 mod n with R = 2^(w * limbs): multiplying by it enters the Montgomery domain.
    #[cfg_attr(all(target_arch = "wasm32", target_feature = "simd128"), allow(dead_code))]
    r2: Vec<u64>,
    /// -n^-1 mod 2^w.
    n0inv: u64,
    /// Bits per limb, [`WIDE`] or [`NARROW`].
    w: u32,
    e: u64,
    /// The modulus length in octets, as the signature and the result have.
    k: usize,
    /// n and R^2 mod n as SIMD multiplicands.
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    lanes: Box<[simd::Lanes; 2]>,
}

impl PublicOp {
    /// Prepares the operation for a validated odd modulus `n` (big-endian, no leading zeros,
    /// at most 8192 bits) and an odd exponent `e` >= 3. Callers validate; out-of-contract
    /// input gives a context whose `apply` returns `None` rather than a panic.
    pub fn new(n: &[u8], e: u64) -> Self {
        let bits = match n.first() {
            Some(&top) if top != 0 => 8 * n.len() - top.leading_zeros() as usize,
            _ => 0,
        };
        // The SIMD kernel's columns hold 14-bit halves' products (see `simd`): 28-bit limbs at
        // every size there.
        if cfg!(all(target_arch = "wasm32", target_feature = "simd128")) || bits.div_ceil(WIDE as usize) <= WIDE_MAX_LIMBS {
            Self::with_limbs::<WIDE>(n, bits, e)
        } else {
            Self::with_limbs::<NARROW>(n, bits, e)
        }
    }

    fn with_limbs<const W: u32>(n: &[u8], bits: usize, e: u64) -> Self {
        let k = n.len();
        let limbs = bits.div_ceil(W as usize);
        let mut nl = vec![0u64; limbs];
        let read = (1..=MAX_LIMBS).contains(&limbs) && from_be_bytes::<W>(n, &mut nl);
        let low = nl.first().copied().unwrap_or(0);
        if !(read && low & 1 == 1 && (limbs > 1 || low > 1) && e & 1 == 1 && e > 1) {
            return Self::from_parts(Vec::new(), Vec::new(), 0, W, e, k);
        }
        let n0inv = neg_inv::<W>(low);
        #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
        let r2 = {
            let mut wide: Box<Wide> = Box::new([0u64; 2 * MAX_LIMBS + 1]);
            r_squared::<W>(&nl, bits, |out, a| scalar::mont_sqr::<W>(out, a, &mut wide, &nl, n0inv))
        };
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        let r2 = if W != WIDE {
            Vec::new()
        } else {
            let (nv, mut av, mut t) = (simd::Lanes::new(&nl), Box::new(simd::Lanes::new(&[])), Box::new(simd::columns()));
            r_squared::<W>(&nl, bits, |out, a| simd::mont_sqr(out, a, &mut t, &mut av, &nl, &nv, n0inv))
        };
        Self::from_parts(nl, r2, n0inv, W, e, k)
    }

    fn from_parts(n: Vec<u64>, r2: Vec<u64>, n0inv: u64, w: u32, e: u64, k: usize) -> Self {
        PublicOp {
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            lanes: Box::new([simd::Lanes::new(&n), simd::Lanes::new(&r2)]),
            n,
            r2,
            n0inv,
            w,
            e,
            k,
        }
    }

    /// Returns s^e mod n as k big-endian octets, or `None` when s >= n (or `signature` is not
    /// k octets long).
    pub fn apply(&self, signature: &[u8]) -> Option<Vec<u8>> {
        if self.w == WIDE {
            self.apply_with::<WIDE>(signature)
        } else {
            self.apply_with::<NARROW>(signature)
        }
    }

    fn apply_with<const W: u32>(&self, signature: &[u8]) -> Option<Vec<u8>> {
        let l = self.n.len();
        if l == 0 || signature.len() != self.k {
            return None;
        }
        let n = &self.n[..];
        let mut s = [0u64; MAX_LIMBS];
        let s = &mut s[..l];
        if !from_be_bytes::<W>(signature, s) || !less_than(s, n) {
            return None;
        }
        let mut x = [0u64; MAX_LIMBS];
        let mut y = [0u64; MAX_LIMBS];
        let (x, y) = (&mut x[..l], &mut y[..l]);
        let n0inv = self.n0inv;

        // x = mont(s, R^2) = sR enters the Montgomery domain; `walk` takes it to s^e.
        #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
        {
            let mut wide: Wide = [0u64; 2 * MAX_LIMBS + 1];
            let wide = &mut wide;
            scalar::mont_mul::<W>(x, s, &self.r2, wide, n, n0inv);
            let mut sm = [0u64; MAX_LIMBS];
            let sm = &mut sm[..l];
            sm.copy_from_slice(x);
            walk(self.e, x, y, |step, out, a| match step {
                Step::Square => scalar::mont_sqr::<W>(out, a, wide, n, n0inv),
                Step::TimesSR => scalar::mont_mul::<W>(out, a, sm, wide, n, n0inv),
                Step::TimesS => scalar::mont_mul::<W>(out, a, s, wide, n, n0inv),
            });
        }
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        {
            if W != WIDE {
                return None; // `new` takes 28-bit limbs for every key in this build
            }
            let [nv, r2v] = &*self.lanes;
            let mut t = simd::columns();
            let t = &mut t;
            simd::mont_mul(x, s, r2v, t, n, nv, n0inv);
            let (sm, sv, mut av) = (simd::Lanes::new(x), simd::Lanes::new(s), simd::Lanes::new(&[]));
            walk(self.e, x, y, |step, out, a| match step {
                Step::Square => simd::mont_sqr(out, a, t, &mut av, n, nv, n0inv),
                Step::TimesSR => simd::mont_mul(out, a, &sm, t, n, nv, n0inv),
                Step::TimesS => simd::mont_mul(out, a, &sv, t, n, nv, n0inv),
            });
        }
        let mut out = vec![0u8; self.k];
        to_be_bytes::<W>(x, &mut out);
        Some(out)
    }
}

/// A Montgomery operation [`walk`] asks for: out = mont(a, a), mont(a, sR) or mont(a, s).
enum Step {
    Square,
    TimesSR,
    TimesS,
}

/// s^e mod n from x = sR (s in the Montgomery domain), left to right over the bits of e, into
/// x. The top bit is x itself; e is odd, so its last bit's multiplication is by plain s, which
/// also leaves the domain: mont(a R, s) = a s. That saves the conversion out.
fn walk(e: u64, x: &mut [u64], y: &mut [u64], mut step: impl FnMut(Step, &mut [u64], &[u64])) {
    let top = 63 - e.leading_zeros();
    for bit in (1..top).rev() {
        step(Step::Square, y, x);
        if e >> bit & 1 == 1 {
            step(Step::TimesSR, x, y);
        } else {
            x.copy_from_slice(y);
        }
    }
    step(Step::Square, y, x);
    step(Step::TimesS, x, y);
}

/// Big-endian octets into little-endian limbs filling `out`; false when the value does not
/// fit in `out.len()` limbs.
fn from_be_bytes<const W: u32>(bytes: &[u8], out: &mut [u64]) -> bool {
    out.fill(0);
    let (mut acc, mut have, mut i) = (0u64, 0u32, 0usize);
    for &b in bytes.iter().rev() {
        acc |= u64::from(b) << have;
        have += 8;
        if have >= W {
            match out.get_mut(i) {
                Some(limb) => *limb = acc & mask(W),
                None if acc == 0 => {}
                None => return false,
            }
            i += 1;
            acc >>= W;
            have -= W;
        }
    }
    match out.get_mut(i) {
        Some(limb) => *limb = acc,
        None => return acc == 0,
    }
    true
}

/// Little-endian limbs into exactly `out.len()` big-endian octets (the value fits).
fn to_be_bytes<const W: u32>(limbs: &[u64], out: &mut [u8]) {
    let (mut acc, mut have) = (0u64, 0u32);
    let mut bytes = out.iter_mut().rev();
    for &limb in limbs {
        acc |= limb << have;
        have += W;
        while have >= 8 {
            if let Some(b) = bytes.next() {
                *b = acc as u8;
            }
            acc >>= 8;
            have -= 8;
        }
    }
    for b in bytes {
        *b = acc as u8;
        acc >>= 8;
    }
}

/// -n0^-1 mod 2^27 by Newton's iteration: each step doubles the correct low bits, and an odd
/// n0 is its own inverse mod 8, so five steps give 96 bits.
fn neg_inv<const W: u32>(n0: u64) -> u64 {
    let mut inv = n0;
    for _ in 0..5 {
        inv = inv.wrapping_mul(2u64.wrapping_sub(n0.wrapping_mul(inv)));
    }
    inv.wrapping_neg() & mask(W)
}

/// a < b, for equal-length normalised limb slices.
fn less_than(a: &[u64], b: &[u64]) -> bool {
    for (x, y) in a.iter().rev().zip(b.iter().rev()) {
        if x != y {
            return x < y;
        }
    }
    false
}

/// a -= b (normalised limbs; a >= b as a whole, counting a carry above a's top limb).
fn sub_in_place<const W: u32>(a: &mut [u64], b: &[u64]) {
    let mut borrow = 0u64;
    for (x, &y) in a.iter_mut().zip(b) {
        let d = x.wrapping_sub(y).wrapping_sub(borrow);
        *x = d & mask(W);
        borrow = d >> 63;
    }
}

/// A Montgomery result is (hi:t) < 2n with hi the value above the top limb; bring it below n.
fn reduce_once<const W: u32>(t: &mut [u64], hi: u64, n: &[u64]) {
    if hi != 0 || !less_than(t, n) {
        sub_in_place::<W>(t, n);
    }
}

/// R^2 mod n without division: double 2^(bits-1) up to R mod n (the Montgomery form of 1),
/// then walk the bits of log2(R) = 27L to the Montgomery form of 2^(27L), R^2 mod n: a
/// squaring doubles the power, a doubling adds one. The top bits go by doublings alone.
/// `sqr(out, a)` is the Montgomery square out = a^2 R^-1 mod n, scalar or SIMD.
fn r_squared<const W: u32>(n: &[u64], bits: usize, mut sqr: impl FnMut(&mut [u64], &[u64])) -> Vec<u64> {
    let l = n.len();
    let mut x = vec![0u64; l];
    if let Some(top) = x.get_mut((bits - 1) / W as usize) {
        *top = 1 << ((bits - 1) % W as usize);
    }
    let double = |x: &mut [u64]| {
        let mut carry = 0u64;
        for limb in x.iter_mut() {
            let v = (*limb << 1) | carry;
            *limb = v & mask(W);
            carry = v >> W;
        }
        // x < n, so 2x < 2n: one conditional subtraction keeps it below n.
        reduce_once::<W>(x, carry, n);
    };
    for _ in 0..(W as usize * l - bits + 1) {
        double(&mut x);
    }
    let target = W as usize * l;
    let rest = (usize::BITS - target.leading_zeros()).saturating_sub(7);
    for _ in 0..target >> rest {
        double(&mut x);
    }
    let mut y = vec![0u64; l];
    for bit in (0..rest).rev() {
        sqr(&mut y, &x);
        core::mem::swap(&mut x, &mut y);
        if target >> bit & 1 == 1 {
            double(&mut x);
        }
    }
    x
}

/// The Montgomery arithmetic on 64-bit words, for builds without SIMD128 (and natively): the
/// SIMD build uses [`simd`]'s kernels instead and leaves these unused.
#[cfg_attr(all(target_arch = "wasm32", target_feature = "simd128"), allow(dead_code))]
mod scalar {
    use super::{mask, reduce_once, Wide, MAX_LIMBS};

    /// t[0..a.len()] += a b.
    #[inline(always)]
    fn mul_add_row(t: &mut [u64], a: &[u64], b: u64) {
        for (tj, &aj) in t.iter_mut().zip(a) {
            *tj += aj * b;
        }
    }

    /// t[0..=a.len()] += a b0 + a b1 2^27: two rows in one pass, so each column is loaded and
    /// stored once per two products.
    #[inline(always)]
    fn mul_add_2rows(t: &mut [u64], a: &[u64], b0: u64, b1: u64) {
        let (t, last) = t.split_at_mut(a.len());
        let mut prev = 0u64;
        for (tj, &aj) in t.iter_mut().zip(a) {
            *tj += aj * b0 + prev * b1;
            prev = aj;
        }
        last[0] += prev * b1;
    }

    /// Montgomery reduction of the column sum t (value below n R) into out = t R^-1 mod n: zero
    /// column i by adding m n 2^(27 i), m = -t_i / n mod 2^27, two rows per pass, carrying each
    /// finished column's excess into the next.
    fn reduce<const W: u32>(out: &mut [u64], t: &mut [u64], n: &[u64], n0inv: u64) {
        let l = n.len();
        let mut carry = 0u64;
        let mut i = 0;
        while i + 1 < l {
            // m_{i+1} needs column i + 1 as row i leaves it: its own value, the carry out of
            // column i, and row i's term there, m_i n_1.
            let c0 = t[i] + carry;
            let m0 = c0.wrapping_mul(n0inv) & mask(W);
            let c1 = t[i + 1] + ((c0 + m0 * n[0]) >> W) + m0 * n[1];
            let m1 = c1.wrapping_mul(n0inv) & mask(W);
            mul_add_2rows(&mut t[i..=i + l], n, m0, m1);
            carry = (t[i] + carry) >> W;
            carry = (t[i + 1] + carry) >> W;
            i += 2;
        }
        if i < l {
            let m = (t[i] + carry).wrapping_mul(n0inv) & mask(W);
            mul_add_row(&mut t[i..i + l], n, m);
            carry = (t[i] + carry) >> W;
        }
        for (o, &tk) in out.iter_mut().zip(&t[l..2 * l]) {
            let v = tk + carry;
            *o = v & mask(W);
            carry = v >> W;
        }
        reduce_once::<W>(out, carry, n);
    }

    /// out = a b R^-1 mod n, for a, b < n: the product two rows a pass, then [`reduce`].
    pub(super) fn mont_mul<const W: u32>(out: &mut [u64], a: &[u64], b: &[u64], wide: &mut Wide, n: &[u64], n0inv: u64) {
        let l = n.len();
        let (out, a, b) = (&mut out[..l], &a[..l], &b[..l]);
        let t = &mut wide[..=2 * l];
        t.fill(0);
        let mut pairs = b.chunks_exact(2);
        for (i, pair) in (&mut pairs).enumerate() {
            mul_add_2rows(&mut t[2 * i..=2 * i + l], a, pair[0], pair[1]);
        }
        if let [bi] = pairs.remainder() {
            mul_add_row(&mut t[l - 1..2 * l - 1], a, *bi);
        }
        reduce::<W>(out, t, n, n0inv);
    }

    /// out = a^2 R^-1 mod n, for a < n: the column sums of a^2, then [`reduce`].
    pub(super) fn mont_sqr<const W: u32>(out: &mut [u64], a: &[u64], wide: &mut Wide, n: &[u64], n0inv: u64) {
        let l = n.len();
        let (out, a) = (&mut out[..l], &a[..l]);
        let t = &mut wide[..=2 * l];
        if l >= KARATSUBA_LIMBS {
            square_karatsuba(t, a);
        } else {
            t[2 * l] = 0;
            square_columns(&mut t[..2 * l], a);
        }
        reduce::<W>(out, t, n, n0inv);
    }

    /// From this many limbs on (2048-bit keys: 74 limbs), a square is taken by one level of
    /// Karatsuba: 3 L^2 / 8 limb products instead of L^2 / 2. Measured in one process: 1% faster
    /// at 2048 bits, 3 to 4% at 3072 and 4096; a second level (halves of 38 limbs and up) was 5
    /// to 9% slower.
    const KARATSUBA_LIMBS: usize = 64;

    /// t[..2 L] = the column sums of a^2 (no carries): each cross product a_i a_j (i < j) computed
    /// once and the columns doubled (L^2 / 2 products instead of L^2), the squares a_i^2 added.
    pub(super) fn square_columns(t: &mut [u64], a: &[u64]) {
        let l = a.len();
        let t = &mut t[..2 * l];
        t.fill(0);
        // Rows i and i + 1 (i even) in one pass over a[i + 1..]: row i + 1 then also takes
        // a_{i+1}^2, once, at column 2i + 2, which the diagonal pass below allows for.
        for i in (0..l.saturating_sub(1)).step_by(2) {
            mul_add_2rows(&mut t[2 * i + 1..=i + l], &a[i + 1..], a[i], a[i + 1]);
        }
        for (k, (pair, &ak)) in t.chunks_exact_mut(2).zip(a).enumerate() {
            // Odd k: the cross pass left 2 a_k^2 after doubling, so take one away (the column
            // holds at least that much, so nothing goes negative).
            pair[0] = if k % 2 == 1 { 2 * pair[0] - ak * ak } else { 2 * pair[0] + ak * ak };
            pair[1] *= 2;
        }
    }

    /// t[..=2 L] = the column sums of a^2 by one level of Karatsuba on the limb polynomial: with
    /// a = a0 + a1 X, a^2 = a0^2 + ((a0 + a1)^2 - a0^2 - a1^2) X + a1^2 X^2. Columns carry no
    /// carries, so this is an identity of polynomials: every column ends exactly as in
    /// [`square_columns`] (so within the same bound), and the middle difference is a sum of
    /// products a0_i a1_j, never negative column by column. The middle square's limbs are one bit
    /// wider, so its columns reach h 2^(2w + 2) = (about) 2L 2^(2w): the bound of [`WIDE`] again.
    pub(super) fn square_karatsuba(t: &mut [u64], a: &[u64]) {
        let l = a.len();
        let h = l.div_ceil(2);
        let (a0, a1) = a.split_at(h);
        let mut sum = [0u64; MAX_LIMBS.div_ceil(2)];
        let sum = &mut sum[..h];
        sum.copy_from_slice(a0);
        for (s, &x) in sum.iter_mut().zip(a1) {
            *s += x;
        }
        let mut mid = [0u64; 2 * MAX_LIMBS.div_ceil(2)];
        let mid = &mut mid[..2 * h];
        square_columns(mid, sum);
        let t = &mut t[..=2 * l];
        t[2 * l] = 0;
        let (lo, hi) = t.split_at_mut(2 * h);
        square_columns(lo, a0);
        square_columns(&mut hi[..2 * (l - h)], a1);
        for (m, &x) in mid.iter_mut().zip(lo.iter()) {
            *m -= x;
        }
        for (m, &x) in mid.iter_mut().zip(hi.iter()) {
            *m -= x;
        }
        for (tk, &m) in t[h..3 * h].iter_mut().zip(mid.iter()) {
            *tk += m;
        }
    }
}

/// The same Montgomery arithmetic in wasm SIMD128, for builds with `+simd128` (the package's
/// main `.wasm`; hosts without SIMD load the scalar build), on `i32x4.dot_i16x8_s`: each lane
/// sums two 16 x 16-bit products, and V8 compiles it to one `pmaddwd` (eight products an
/// instruction, no shuffle; `i64x2.extmul` costs two shuffles and a `pmuludq` per two products).
///
/// Limbs stay 28 bits ([`WIDE`], every key size), each cut in two 14-bit halves ("units"), so
/// a product a b is a product of 2L-unit numbers whose unit products stay below 2^28. A row of
/// the product is one 28-bit limb of b, i.e. two unit rows, whose units (hi, lo) are splatted
/// as an i16 pair; lane m of a multiplicand group holds the unit pair (u_j, u_(j+1)), so a dot
/// lane is u_j b_hi + u_(j+1) b_lo: both products belong to unit column j + 2r + 1. Two copies
/// of the multiplicand, the pairs from j = 4G - 1 and from j = 4G - 3 ([`Lanes`]), put the rows
/// of even and odd limbs on whole groups of four unit columns. Eight limbs a pass: each lane sums
/// at most 8 dots (< 2^32, summed in u32), then is widened into the 64-bit unit columns, two to a
/// `v128`. The Montgomery digits stay 28 bits, computed from the columns exactly as in the scalar
/// [`super::scalar`] code (with n's halves accounted as the dots place them).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd {
    use super::{mask, reduce_once, MAX_LIMBS, WIDE};
    use core::arch::wasm32::{
        i32x4_add, i32x4_dot_i16x8, u32x4, u32x4_shuffle, u64x2, u64x2_add, u64x2_extend_high_u32x4, u64x2_extend_low_u32x4,
        u64x2_extract_lane, u64x2_shl, u64x2_shr, u64x2_shuffle, u64x2_splat, u64x2_sub, u8x16_shuffle, v128, v128_and, v128_or,
    };

    /// Bits per unit: half a limb.
    const HALF: u32 = WIDE / 2;
    const HMASK: u64 = (1 << HALF) - 1;
    /// Multiplicand groups: (L + 3) / 2 for L limbs (the odd copy reaches unit 2L).
    const GROUPS: usize = MAX_LIMBS / 2 + 2;
    /// Pairs of unit columns: a pass at limb i writes pairs i to i + 2 (groups + 3).
    const PAIRS: usize = 2 * MAX_LIMBS + 12;

    /// A multiplicand's unit pairs, four to a group: `even` lane m of group G is the pair
    /// (u_(4G+m-1), u_(4G+m)), `odd` lane m (u_(4G+m-3), u_(4G+m-2)); units out of range are zero.
    #[derive(Clone, Debug)]
    pub(super) struct Lanes {
        even: [v128; GROUPS],
        odd: [v128; GROUPS],
        len: usize,
    }

    impl Lanes {
        pub(super) fn new(x: &[u64]) -> Self {
            let mut lanes = Lanes { even: [u64x2_splat(0); GROUPS], odd: [u64x2_splat(0); GROUPS], len: 0 };
            lanes.set(x);
            lanes
        }

        /// Made for every square (into the same scratch, not a new 5 KiB value), so with
        /// whole-vector operations: two limbs (a_2G, a_2G+1) make group G's four pairs,
        /// (a_(i-1) hi, a_i lo) and (a_i lo, a_i hi) for each limb.
        pub(super) fn set(&mut self, x: &[u64]) {
            let len = (x.len().div_ceil(2) + 1).min(GROUPS);
            let Lanes { even, odd, .. } = self;
            let (mut before, mut last) = (u64x2_splat(0), u64x2_splat(0));
            let (pairs, rest) = x.as_chunks::<2>();
            let top = [rest.first().copied().unwrap_or(0), 0];
            let limbs = pairs.iter().chain(core::iter::once(&top)).chain(core::iter::repeat(&[0, 0]));
            for ((e, o), &[a0, a1]) in even.iter_mut().zip(odd.iter_mut()).zip(limbs).take(len) {
                let a = u64x2(a0, a1);
                let prev = u64x2_shuffle::<1, 2>(before, a);
                let lo = v128_and(a, u64x2_splat(HMASK));
                let v = v128_or(
                    v128_or(u64x2_shr(prev, HALF), u64x2_shl(lo, 16)),
                    v128_or(u64x2_shl(lo, 32), u64x2_shl(u64x2_shr(a, HALF), 48)),
                );
                *e = v;
                *o = u32x4_shuffle::<2, 3, 4, 5>(last, v);
                (before, last) = (a, v);
            }
            self.len = len;
        }
    }

    /// A limb as a row pair's multiplier: (hi, lo) in every lane.
    fn splat(v: u64) -> v128 {
        let w = ((v >> HALF) | (v & HMASK) << 16) as u32;
        u32x4(w, w, w, w)
    }

    /// The unit columns, two to a v128.
    pub(super) type Columns = [v128; PAIRS];

    pub(super) fn columns() -> Columns {
        [u64x2_splat(0); PAIRS]
    }

    /// The 28-bit column k: unit columns 2k and 2k + 1.
    fn column(t: &[v128], k: usize) -> u64 {
        u64x2_extract_lane::<0>(t[k]) + (u64x2_extract_lane::<1>(t[k]) << HALF)
    }

    /// t += the u32 sums of four unit columns, widened.
    #[inline(always)]
    fn widen_add(t: &mut [v128], s: v128) {
        t[0] = u64x2_add(t[0], u64x2_extend_low_u32x4(s));
        t[1] = u64x2_add(t[1], u64x2_extend_high_u32x4(s));
    }

    /// t (pairs from column group 0) += 2H limb rows: row pair k (limbs 2k, 2k + 1 of the pass,
    /// multipliers x[k]) takes multiplicand group c of `even` and `odd` into column group c + k.
    /// `keep(c, d)` masks row d's lanes of group c (all ones but at a square's diagonal). Each
    /// column group's u32 sum collects 2H dots of two products below 2^28: H <= 4. Once column
    /// groups 0 to `hook_at` are complete, `hook` reads them (the reduction's next digits, taken
    /// while the rest of the pass runs), if the pass reaches that far.
    #[inline(always)]
    fn add_rows<const H: usize, const HOOK: bool>(
        t: &mut [v128],
        even: &[v128],
        odd: &[v128],
        x: [[v128; 2]; H],
        keep: impl Fn(usize, usize) -> v128,
        hook_at: usize,
        hook: &mut dyn FnMut(&[v128]),
    ) {
        // Four named sums rather than an array: LLVM turned the array's shift into a memmove and
        // kept it in memory. With H = 2 the last two stay zero and fold away.
        let zero = u64x2_splat(0);
        let (mut p0, mut p1, mut p2, mut p3) = (zero, zero, zero, zero);
        let n = even.len();
        let (body, tail) = t.split_at_mut(2 * n);
        let split = if HOOK { hook_at.saturating_add(1).min(n) } else { n };
        let (first, rest) = body.split_at_mut(2 * split);
        let mut step = |c: usize, tt: &mut [v128], e: v128, o: v128| {
            let rows = |k: usize| {
                let de = i32x4_dot_i16x8(v128_and(e, keep(c, 2 * k)), x[k][0]);
                i32x4_add(de, i32x4_dot_i16x8(v128_and(o, keep(c, 2 * k + 1)), x[k][1]))
            };
            widen_add(tt, i32x4_add(p0, rows(0)));
            p0 = i32x4_add(p1, rows(1));
            if H > 2 {
                p1 = i32x4_add(p2, rows(2));
                p2 = i32x4_add(p3, rows(3));
                p3 = zero;
            } else {
                p1 = zero;
            }
        };
        for (c, ((tt, &e), &o)) in first.chunks_exact_mut(2).zip(even).zip(odd).enumerate() {
            step(c, tt, e, o);
        }
        if HOOK && hook_at < n {
            hook(first);
        }
        if HOOK {
            for (c, ((tt, &e), &o)) in rest.chunks_exact_mut(2).zip(&even[split..]).zip(&odd[split..]).enumerate() {
                step(split + c, tt, e, o);
            }
        }
        for (tt, p) in tail.chunks_exact_mut(2).zip([p0, p1, p2]).take(H - 1) {
            widen_add(tt, p);
        }
    }

    const ALL: v128 = u32x4(!0, !0, !0, !0);

    /// Lanes below 0 to 4 cleared, by how many.
    const CLEAR: [v128; 5] = [ALL, u32x4(0, !0, !0, !0), u32x4(0, 0, !0, !0), u32x4(0, 0, 0, !0), u32x4(0, 0, 0, 0)];

    /// A square's masks at its diagonal, by group (from the pass's first) and row of the pass:
    /// row d keeps lanes 4c + m >= 2d + 2, or 2d + 4 in the odd copy (see [`upper`]).
    const DIAGONAL: [[v128; 8]; 5] = {
        let mut masks = [[ALL; 8]; 5];
        let mut c = 0;
        while c < 5 {
            let mut d = 0;
            while d < 8 {
                let from = 2 * d + 2 + 2 * (d & 1);
                let clear = if from <= 4 * c { 0 } else if from - 4 * c > 4 { 4 } else { from - 4 * c };
                masks[c][d] = CLEAR[clear];
                d += 1;
            }
            c += 1;
        }
        masks
    };

    /// Adds the rows of limbs i.. (`rows`, zero past the end) times `b` into t, eight a pass
    /// (four for a last pass of at most four), through `pass(t at the pass's columns, x)`.
    fn passes(t: &mut [v128], rows: &[u64], mut pass: impl FnMut(&mut [v128], usize, &[[v128; 2]])) {
        let mut i = 0;
        while i < rows.len() {
            let limb = |d: usize| splat(rows.get(i + d).copied().unwrap_or(0));
            let x = [[limb(0), limb(1)], [limb(2), limb(3)], [limb(4), limb(5)], [limb(6), limb(7)]];
            let h = if rows.len() - i > 4 { 4 } else { 2 };
            pass(&mut t[i..], i, &x[..h]);
            i += 2 * h;
        }
    }

    /// Rows of 2H limbs (x) against the whole multiplicand b, into t from its first pair.
    #[inline(always)]
    fn full<const H: usize>(t: &mut [v128], b: &Lanes, x: &[[v128; 2]], hook_at: usize, hook: &mut dyn FnMut(&[v128])) {
        let g = b.len;
        let mut xs = [[u64x2_splat(0); 2]; H];
        xs.copy_from_slice(&x[..H]);
        add_rows::<H, true>(&mut t[..2 * (g + H - 1)], &b.even[..g], &b.odd[..g], xs, |_, _| ALL, hook_at, hook);
    }

    /// t = the unit column sums of a b.
    fn product(t: &mut [v128], a: &[u64], b: &Lanes) {
        let none = &mut |_: &[v128]| {};
        passes(t, a, |t, _, x| if x.len() == 4 { full::<4>(t, b, x, usize::MAX, none) } else { full::<2>(t, b, x, usize::MAX, none) });
    }

    /// Rows of the limbs i.. (t from pair i) against units from 2i + 2d + 1 on (row d): a
    /// square's cross products, and one unit square each.
    #[inline(never)]
    fn upper<const H: usize>(t: &mut [v128], i: usize, av: &Lanes, x: &[[v128; 2]]) {
        let g = av.len;
        let mut xs = [[u64x2_splat(0); 2]; H];
        xs.copy_from_slice(&x[..H]);
        // Row d needs lanes 4G + m >= 2i + 2d + 2 (even copy) or 2i + 2d + 4 (odd copy): from
        // group i / 2, the first five groups masked, the rest whole.
        let (start, cut) = ((i / 2).min(g), (i / 2 + 5).min(g));
        let keep = |c: usize, d: usize| DIAGONAL[c.min(4)][d];
        add_rows::<H, false>(&mut t[2 * start..2 * (cut + H - 1)], &av.even[start..cut], &av.odd[start..cut], xs, keep, usize::MAX, &mut |_| {});
        if cut < g {
            add_rows::<H, false>(&mut t[2 * cut..2 * (g + H - 1)], &av.even[cut..g], &av.odd[cut..g], xs, |_, _| ALL, usize::MAX, &mut |_| {});
        }
    }

    /// t = the unit column sums of a^2: the cross products a_i a_j (i < j) once, then doubled,
    /// plus the squares. Row i's dots against units from 2i + 1 on take the cross products and
    /// one unit square, u_(2i+1)^2 (unit column 4i + 2), which the last loop takes back once
    /// (after doubling the column holds it twice) and completes a_i^2 with its other units:
    /// u_2i^2 and 2 u_2i u_(2i+1), two limbs at a time by two more dots of the even copy's
    /// (lo, hi) pairs.
    fn square(t: &mut [v128], a: &[u64], av: &Lanes) {
        // Eight rows a pass to the end (a last pass of four rows here spans only the few groups
        // past the diagonal, so one copy of the code serves).
        passes(t, a, |t, i, x| {
            let mut rows = [[u64x2_splat(0); 2]; 4];
            rows[..x.len()].copy_from_slice(x);
            upper::<4>(t, i, av, &rows);
        });
        let zero = u64x2_splat(0);
        let groups = av.even[..av.len].iter().copied().chain(core::iter::repeat(zero));
        for (q, group) in t.chunks_exact_mut(4).zip(groups) {
            // (lo, hi) of limbs 2G, 2G, 2G + 1, 2G + 1; then (lo, 0), (hi, lo), ... and (0, hi), 0, ...
            let v = u32x4_shuffle::<1, 1, 3, 3>(group, group);
            let low = i32x4_dot_i16x8(v, u8x16_shuffle::<0, 1, 16, 16, 6, 7, 4, 5, 8, 9, 16, 16, 14, 15, 12, 13>(v, zero));
            let high = i32x4_dot_i16x8(v, u8x16_shuffle::<16, 16, 2, 3, 16, 16, 16, 16, 16, 16, 10, 11, 16, 16, 16, 16>(v, zero));
            q[0] = u64x2_add(u64x2_shl(q[0], 1), u64x2_extend_low_u32x4(low));
            q[1] = u64x2_sub(u64x2_shl(q[1], 1), u64x2_extend_low_u32x4(high));
            q[2] = u64x2_add(u64x2_shl(q[2], 1), u64x2_extend_high_u32x4(low));
            q[3] = u64x2_sub(u64x2_shl(q[3], 1), u64x2_extend_high_u32x4(high));
        }
    }

    /// The reduction's digits of columns `at..` of `cols` (`count` of them, at most 8) into m, and
    /// the carry out of the last, less its spill (see [`reduce`]).
    #[inline(never)]
    fn digits(m: &mut [u64; 8], cols: &[v128], at: usize, count: usize, carry: &mut u64, low: &[u64; 8], n0inv: u64) {
        // A constant trip count, so that the loop unrolls and the digits stay in registers.
        for k in 0..8 {
            if k >= count {
                break;
            }
            let mut c = column(cols, at + k) + *carry;
            for j in 0..k {
                c += m[j] * low[k - j];
            }
            let d = c.wrapping_mul(n0inv) & mask(WIDE);
            m[k] = d;
            *carry = (c + d * low[0]) >> WIDE;
        }
        let last = count.min(8);
        for j in 0..8 {
            if j < last {
                *carry -= (m[j] >> HALF) * (low[last - 1 - j] >> HALF);
            }
        }
    }

    /// Montgomery reduction of the unit columns t into out = t R^-1 mod n, eight 28-bit digits a
    /// pass: m_(i+k) from column i + k as rows i to i + k - 1 leave it, their products m_j n_l
    /// counted whole in column i + j + l, as in the scalar code. The dots place a product's top
    /// unit product (m_j hi times n_l hi) one column up; below the pass's last column that only
    /// moves value between columns the chain has already summed, but the last column's spills
    /// land in the next pass's columns, where t holds them too: the carry gives them back.
    /// The next pass's digits are taken as soon as the pass has finished their columns (its
    /// first h + 4 column groups), so that their serial chain runs beside the pass's dots.
    fn reduce(out: &mut [u64], t: &mut [v128], n: &[u64], nv: &Lanes, n0inv: u64) {
        let l = n.len();
        let low: [u64; 8] = core::array::from_fn(|j| n.get(j).copied().unwrap_or(0));
        let mut carry = 0u64;
        let mut m = [0u64; 8];
        digits(&mut m, t, 0, l, &mut carry, &low, n0inv);
        let mut i = 0;
        while i < l {
            let h = if l - i > 4 { 4 } else { 2 };
            let count = l.saturating_sub(i + 2 * h);
            let x = [[splat(m[0]), splat(m[1])], [splat(m[2]), splat(m[3])], [splat(m[4]), splat(m[5])], [splat(m[6]), splat(m[7])]];
            let mut next = [0u64; 8];
            let early = nv.len >= h + 4;
            let hook_at = if early { h + 3 } else { usize::MAX };
            let hook = &mut |cols: &[v128]| digits(&mut next, cols, 2 * h, count, &mut carry, &low, n0inv);
            if h == 4 {
                full::<4>(&mut t[i..], nv, &x, hook_at, hook);
            } else {
                full::<2>(&mut t[i..], nv, &x, hook_at, hook);
            }
            if !early {
                digits(&mut next, &t[i..], 2 * h, count, &mut carry, &low, n0inv);
            }
            m = next;
            i += 2 * h;
        }
        for (k, o) in (l..2 * l).zip(out.iter_mut()) {
            let v = column(t, k) + carry;
            *o = v & mask(WIDE);
            carry = v >> WIDE;
        }
        reduce_once::<WIDE>(out, carry, n);
    }

    /// out = a b R^-1 mod n.
    pub(super) fn mont_mul(out: &mut [u64], a: &[u64], b: &Lanes, t: &mut Columns, n: &[u64], nv: &Lanes, n0inv: u64) {
        let t = &mut t[..2 * n.len() + 12];
        t.fill(u64x2_splat(0));
        product(t, a, b);
        reduce(out, t, n, nv, n0inv);
    }

    /// out = a^2 R^-1 mod n.
    pub(super) fn mont_sqr(out: &mut [u64], a: &[u64], t: &mut Columns, av: &mut Lanes, n: &[u64], nv: &Lanes, n0inv: u64) {
        let t = &mut t[..2 * n.len() + 12];
        t.fill(u64x2_splat(0));
        av.set(a);
        square(t, a, av);
        reduce(out, t, n, nv, n0inv);
    }
}

#[cfg(test)]
mod tests {
    use super::scalar::{square_columns, square_karatsuba};
    use super::*;

    fn op(n_hex: &str, e: u64) -> PublicOp {
        let bytes: Vec<u8> = (0..n_hex.len()).step_by(2).map(|i| u8::from_str_radix(&n_hex[i..i + 2], 16).unwrap()).collect();
        PublicOp::new(&bytes, e)
    }

    #[test]
    fn neg_inv_table() {
        for n0 in [1u64, 3, mask(NARROW), 0x400_0001, 0x234_5677] {
            assert_eq!(n0.wrapping_mul(neg_inv::<NARROW>(n0)) & mask(NARROW), mask(NARROW), "{n0:#x}");
            assert_eq!(n0.wrapping_mul(neg_inv::<WIDE>(n0)) & mask(WIDE), mask(WIDE), "{n0:#x}");
        }
    }

    #[test]
    fn small_moduli_agree_with_u128() {
        // Moduli of one to three limbs exercise every loop boundary; u128 is the reference.
        let cases: &[(u128, u64)] = &[
            (0xffff_fffb, 3),
            (0x8000_0001, 65537),
            (0xffff_ffff_ffff_ffc5, 65537),
            (0x1_0000_0000_0000_0001, 5),
            (0xffff_ffff_ffff_ffff_ffff_ff61, (1 << 33) - 1),
        ];
        for &(n, e) in cases {
            let k = (128 - n.leading_zeros() as usize).div_ceil(8);
            let nb = &n.to_be_bytes()[16 - k..];
            let p = PublicOp::new(nb, e);
            for s in [0u128, 1, 2, n / 3, n - 2, n - 1] {
                let want = pow_mod(s, e, n);
                let got = p.apply(&s.to_be_bytes()[16 - k..]).unwrap();
                assert_eq!(got, &want.to_be_bytes()[16 - k..], "n={n:#x} e={e} s={s:#x}");
            }
            assert!(p.apply(&n.to_be_bytes()[16 - k..]).is_none(), "s = n is out of range");
        }
    }

    fn mul_mod(a: u128, b: u128, n: u128) -> u128 {
        // Double-and-add keeps every step below 2^128 for n < 2^127.
        let (mut r, mut a, mut b) = (0u128, a % n, b);
        while b > 0 {
            if b & 1 == 1 {
                r = (r + a) % n;
            }
            a = (a << 1) % n;
            b >>= 1;
        }
        r
    }

    fn pow_mod(mut b: u128, mut e: u64, n: u128) -> u128 {
        let mut r = 1 % n;
        b %= n;
        while e > 0 {
            if e & 1 == 1 {
                r = mul_mod(r, b, n);
            }
            b = mul_mod(b, b, n);
            e >>= 1;
        }
        r
    }

    #[test]
    fn karatsuba_square_equals_schoolbook_columns() {
        // Largest limbs at the limb counts at the ends of each width's range: the columns
        // must come out equal (and, in a debug build, nothing may overflow on the way).
        for (w, lens) in [(WIDE, &[1usize, 2, 3, 74, 100, 101, 125, 126][..]), (NARROW, &[127, 152, 227, 303, MAX_LIMBS][..])] {
            for &l in lens {
                for a in [vec![mask(w); l], (0..l as u64).map(|i| (i * 0x9e37_79b9) & mask(w)).collect()] {
                    let (mut want, mut got) = (vec![0u64; 2 * l + 1], vec![7u64; 2 * l + 1]);
                    square_columns(&mut want[..2 * l], &a);
                    square_karatsuba(&mut got, &a);
                    assert_eq!(got, want, "w={w} l={l}");
                }
            }
        }
    }

    #[test]
    fn out_of_contract_is_none_not_panic() {
        assert!(op("", 65537).apply(&[]).is_none());
        assert!(op("10", 65537).apply(&[1]).is_none(), "even modulus");
        assert!(op("0f", 2).apply(&[1]).is_none(), "even exponent");
        assert!(op("0f", 65537).apply(&[1, 2]).is_none(), "wrong length");
        assert!(op("01", 3).apply(&[0]).is_none(), "modulus one");
    }
}
