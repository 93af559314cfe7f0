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
//! `rsa` crate stays the reference in `tests/modexp_diff.rs`.

// The one module allowed to index: its kernels run on buffers cut to the key's limb count,
// which `PublicOp::new` bounds (at most MAX_LIMBS) and `apply` checks the signature against
// (exactly k octets, below n); the loops stay free of bounds checks that way. Differentially
// tested and fuzzed against the `rsa` crate (tests/modexp_diff.rs, fuzz target `modexp`).
#![allow(clippy::indexing_slicing)]

/// Bits per limb: 28 while the widest column sum stays within 2^64 (up to 2L + 2 products
/// below 2^56, so L <= 126 limbs, keys up to 3528 bits: 2048 and 3072), else 27 (up to 2L + 2
/// products below 2^54, any L up to 8192 bits). 28 bits means 5 to 7% fewer limb products.
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
        if bits.div_ceil(WIDE as usize) <= WIDE_MAX_LIMBS {
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
        let r2 = {
            let (nv, mut t) = (simd::Lanes::new(&nl), Box::new(simd::columns()));
            r_squared::<W>(&nl, bits, |out, a| simd::mont_sqr::<W>(out, a, &mut t, &nl, &nv, n0inv))
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
            let [nv, r2v] = &*self.lanes;
            let mut t = simd::columns();
            let t = &mut t;
            simd::mont_mul::<W>(x, s, r2v, t, n, nv, n0inv);
            let (sm, sv) = (simd::Lanes::new(x), simd::Lanes::new(s));
            walk(self.e, x, y, |step, out, a| match step {
                Step::Square => simd::mont_sqr::<W>(out, a, t, n, nv, n0inv),
                Step::TimesSR => simd::mont_mul::<W>(out, a, &sm, t, n, nv, n0inv),
                Step::TimesS => simd::mont_mul::<W>(out, a, &sv, t, n, nv, n0inv),
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
/// main `.wasm`; hosts without SIMD load the scalar build). `i64x2.extmul_low/high_i32x4_u`
/// take two 32 x 32 -> 64-bit products per instruction, which V8 compiles to one `pmuludq`
/// each; the columns stay 64-bit sums with deferred carries exactly as in the scalar code, two
/// to a `v128`.
///
/// Row i of a product adds a_i b_j into column i + j. Columns are held in pairs (2k, 2k + 1),
/// so a row meets them pair-aligned only if i is even; for odd rows the multiplicand is also
/// kept moved up one limb ([`Lanes::shifted`]), which makes rows i and i + 1 (i even) start
/// at the same pair. Every access is then a whole `v128` at an index: no unaligned loads, no
/// unsafe code. Products, squares and reductions go four rows a pass (rows i + 2 and i + 3
/// start one pair up), so each pair of columns is loaded and stored once per 8 products.
/// Measured against two rows a pass: 3 to 5% faster; one level of Karatsuba on the squares,
/// as the scalar code has, was 2 to 10% slower here (three operand layouts per square).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd {
    use super::{mask, reduce_once, MAX_LIMBS};
    use core::arch::wasm32::{
        u32x4, u32x4_shr, u32x4_shuffle, u32x4_splat, u64x2, u64x2_add, u64x2_extmul_high_u32x4, u64x2_extmul_low_u32x4,
        u64x2_extract_lane, u64x2_shl, u64x2_splat, v128, v128_and, v128_or,
    };

    /// u32x4 groups of a multiplicand of up to MAX_LIMBS limbs, with room for the shift.
    const GROUPS: usize = (MAX_LIMBS + 1).div_ceil(4);
    /// Column pairs: rows reach pair (L - 1) / 2 + 2 GROUPS, below L + 3.
    const PAIRS: usize = MAX_LIMBS + 4;

    /// A multiplicand's limbs as u32x4 groups (limb j in lane j % 4 of group j / 4), and the
    /// same moved up one limb (limb j at position j + 1).
    #[derive(Clone, Debug)]
    pub(super) struct Lanes {
        plain: [v128; GROUPS],
        shifted: [v128; GROUPS],
        /// Groups in use: (L + 1) / 4 rounded up, enough for the shifted copy's top limb.
        len: usize,
    }

    impl Lanes {
        /// Made for every square (from its operand), so made with whole-vector operations: each
        /// group narrowed from two u64x2 by one shuffle, its shifted copy one more shuffle of it
        /// and the group before (building them lane by lane was 5% of a verify).
        pub(super) fn new(x: &[u64]) -> Self {
            let len = (x.len() + 1).div_ceil(4).min(GROUPS);
            let (full, rest) = x.as_chunks::<4>();
            // The last group, zero-padded: the remaining limbs, or all zeros, where only the
            // shifted copy has a limb (x's top limb) when L is a multiple of four.
            let mut last = [0u64; 4];
            if let Some(l) = last.get_mut(..rest.len()) {
                l.copy_from_slice(rest);
            }
            let mut plain = [u32x4_splat(0); GROUPS];
            let mut shifted = [u32x4_splat(0); GROUPS];
            let mut before = u32x4_splat(0);
            let words = full.iter().chain(core::iter::once(&last));
            for ((p, s), &[a, b, c, d]) in plain.iter_mut().zip(shifted.iter_mut()).zip(words).take(len) {
                let group = u32x4_shuffle::<0, 2, 4, 6>(u64x2(a, b), u64x2(c, d));
                *p = group;
                *s = u32x4_shuffle::<3, 4, 5, 6>(before, group);
                before = group;
            }
            Lanes { plain, shifted, len }
        }
    }

    /// The column sums, two to a v128.
    pub(super) type Columns = [v128; PAIRS];

    pub(super) fn columns() -> Columns {
        [u64x2_splat(0); PAIRS]
    }

    fn column(t: &[v128], k: usize) -> u64 {
        if k.is_multiple_of(2) {
            u64x2_extract_lane::<0>(t[k / 2])
        } else {
            u64x2_extract_lane::<1>(t[k / 2])
        }
    }

    /// t += x0 p + x1 q, group by group from pair 0 of t: rows i and i + 1 of a product, p the
    /// plain groups and q the shifted ones. Limbs are below 2^31, so `z = u32x4_shr(p, 31)` is
    /// zero: or-ed into the multipliers, it keeps LLVM from widening those loop-invariant
    /// vectors once outside the loop, which would leave an emulated `i64x2.mul` (about three
    /// times the instructions) where an `extmul` belongs.
    #[inline(always)]
    fn add_2rows(t: &mut [v128], p: &[v128], q: &[v128], x0: v128, x1: v128) {
        for ((tt, &p), &q) in t.chunks_exact_mut(2).zip(p).zip(q) {
            let z = u32x4_shr(p, 31);
            let (x0, x1) = (v128_or(x0, z), v128_or(x1, z));
            let lo = u64x2_add(u64x2_extmul_low_u32x4(p, x0), u64x2_extmul_low_u32x4(q, x1));
            let hi = u64x2_add(u64x2_extmul_high_u32x4(p, x0), u64x2_extmul_high_u32x4(q, x1));
            tt[0] = u64x2_add(tt[0], lo);
            tt[1] = u64x2_add(tt[1], hi);
        }
    }

    /// Lanes below 0 to 4 cleared, by how many.
    const CLEAR: [v128; 5] = [
        u32x4(!0, !0, !0, !0),
        u32x4(0, !0, !0, !0),
        u32x4(0, 0, !0, !0),
        u32x4(0, 0, 0, !0),
        u32x4(0, 0, 0, 0),
    ];

    /// t = the column sums of a b, four rows a pass.
    fn product(t: &mut [v128], a: &[u64], b: &Lanes) {
        let g = b.len;
        for (i, rows) in (0..).step_by(4).zip(a.chunks(4)) {
            let limb = |d: usize| u32x4_splat(rows.get(d).map_or(0, |&v| v as u32));
            add_4rows(&mut t[i / 2..i / 2 + 2 * g + 1], &b.plain[..g], &b.shifted[..g], [limb(0), limb(1), limb(2), limb(3)]);
        }
    }

    /// t = the column sums of a^2: the cross products a_i a_j (i < j) once, doubled, plus the
    /// squares, four rows a pass.
    fn square(t: &mut [v128], a: &[u64], av: &Lanes) {
        let g = av.len;
        for (i, rows) in (0..).step_by(4).zip(a.chunks(4)) {
            let limb = |d: usize| u32x4_splat(rows.get(d).map_or(0, |&v| v as u32));
            let x = [limb(0), limb(1), limb(2), limb(3)];
            let p = i / 2;
            // Rows i, i + 1 start at pair p, rows i + 2, i + 3 at pair p + 1. Row i + d takes
            // limbs from i + d + 1 on: group positions from i + 1, i + 3 (shifted), i + 3 and
            // i + 5 (shifted, counted from column i + 2); the first two groups are masked.
            let from = [i + 1, i + 3, i + 3, i + 5];
            let first = i / 4;
            let masked = (first..g).take(2);
            for k in masked.clone() {
                let q = |d: usize, groups: &[v128; GROUPS]| v128_and(groups[k], CLEAR[from[d].saturating_sub(4 * k).min(4)]);
                add_2rows(&mut t[p + 2 * k..p + 2 * k + 2], &[q(0, &av.plain)], &[q(1, &av.shifted)], x[0], x[1]);
                add_2rows(&mut t[p + 1 + 2 * k..p + 2 * k + 3], &[q(2, &av.plain)], &[q(3, &av.shifted)], x[2], x[3]);
            }
            let rest = first + masked.len();
            if rest < g {
                add_4rows(&mut t[p + 2 * rest..p + 2 * g + 1], &av.plain[rest..g], &av.shifted[rest..g], x);
            }
        }
        for (pair, &ak) in t.iter_mut().zip(a) {
            *pair = u64x2_add(u64x2_shl(*pair, 1), u64x2(ak * ak, 0));
        }
    }

    /// Rows i to i + 3 (i even) at once: rows i, i + 1 start at pair 0 of t, rows i + 2, i + 3
    /// at pair 1, so pair 2g takes the low half of group g of the first two rows and the high
    /// half of group g - 1 of the other two.
    #[inline(always)]
    fn add_4rows(t: &mut [v128], p: &[v128], q: &[v128], x: [v128; 4]) {
        let mut carried = u64x2_splat(0);
        let (tt, last) = t.split_at_mut(2 * p.len());
        for ((tt, &p), &q) in tt.chunks_exact_mut(2).zip(p).zip(q) {
            let z = u32x4_shr(p, 31);
            let [x0, x1, x2, x3] = x.map(|x| v128_or(x, z));
            let lo01 = u64x2_add(u64x2_extmul_low_u32x4(p, x0), u64x2_extmul_low_u32x4(q, x1));
            let hi01 = u64x2_add(u64x2_extmul_high_u32x4(p, x0), u64x2_extmul_high_u32x4(q, x1));
            let lo23 = u64x2_add(u64x2_extmul_low_u32x4(p, x2), u64x2_extmul_low_u32x4(q, x3));
            let hi23 = u64x2_add(u64x2_extmul_high_u32x4(p, x2), u64x2_extmul_high_u32x4(q, x3));
            tt[0] = u64x2_add(tt[0], u64x2_add(lo01, carried));
            tt[1] = u64x2_add(tt[1], u64x2_add(hi01, lo23));
            carried = hi23;
        }
        last[0] = u64x2_add(last[0], carried);
    }

    /// Montgomery reduction of the column sums t into out = t R^-1 mod n, as [`super::reduce`]:
    /// four rows a pass, each m_(i+k) computed from column i + k as rows i to i + k - 1 leave it.
    fn reduce<const W: u32>(out: &mut [u64], t: &mut [v128], n: &[u64], nv: &Lanes, n0inv: u64) {
        let l = n.len();
        let g = nv.len;
        let nj = |j: usize| n.get(j).copied().unwrap_or(0);
        let mut carry = 0u64;
        let mut i = 0;
        // Column i + k as rows i.. leave it: its sum, the carry in, and the earlier rows' terms.
        while i + 4 <= l {
            let mut m = [0u64; 4];
            for k in 0..4 {
                let mut c = column(t, i + k) + carry;
                for (j, &mj) in m.iter().enumerate().take(k) {
                    c += mj * nj(k - j);
                }
                m[k] = c.wrapping_mul(n0inv) & mask(W);
                carry = (c + m[k] * nj(0)) >> W;
            }
            let x = m.map(|m| u32x4_splat(m as u32));
            add_4rows(&mut t[i / 2..i / 2 + 2 * g + 1], &nv.plain[..g], &nv.shifted[..g], x);
            i += 4;
        }
        // The last one to three rows, two a pass. (Folding them into one more four-row pass with
        // zero multipliers is shorter code but measured 2% slower at 2048 and 3072 bits, whose
        // limb counts leave two rows over.)
        for i in (i..l).step_by(2) {
            let c0 = column(t, i) + carry;
            let m0 = c0.wrapping_mul(n0inv) & mask(W);
            carry = (c0 + m0 * nj(0)) >> W;
            let m1 = if i + 1 < l {
                let c1 = column(t, i + 1) + carry + m0 * nj(1);
                let m1 = c1.wrapping_mul(n0inv) & mask(W);
                carry = (c1 + m1 * nj(0)) >> W;
                m1
            } else {
                0
            };
            let (x0, x1) = (u32x4_splat(m0 as u32), u32x4_splat(m1 as u32));
            add_2rows(&mut t[i / 2..i / 2 + 2 * g], &nv.plain[..g], &nv.shifted[..g], x0, x1);
        }
        for (k, o) in (l..2 * l).zip(out.iter_mut()) {
            let v = column(t, k) + carry;
            *o = v & mask(W);
            carry = v >> W;
        }
        reduce_once::<W>(out, carry, n);
    }

    /// out = a b R^-1 mod n.
    pub(super) fn mont_mul<const W: u32>(out: &mut [u64], a: &[u64], b: &Lanes, t: &mut Columns, n: &[u64], nv: &Lanes, n0inv: u64) {
        let t = &mut t[..n.len() + 3];
        t.fill(u64x2_splat(0));
        product(t, a, b);
        reduce::<W>(out, t, n, nv, n0inv);
    }

    /// out = a^2 R^-1 mod n.
    pub(super) fn mont_sqr<const W: u32>(out: &mut [u64], a: &[u64], t: &mut Columns, n: &[u64], nv: &Lanes, n0inv: u64) {
        let t = &mut t[..n.len() + 3];
        t.fill(u64x2_splat(0));
        square(t, a, &Lanes::new(a));
        reduce::<W>(out, t, n, nv, n0inv);
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
