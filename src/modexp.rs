//! The RSA public-key operation s^e mod n (RFC 8017 section 5.2.2, RSAVP1) by Montgomery
//! multiplication (Montgomery 1985), in the separated operand scanning form of Koc, Acar and
//! Kaliski 1996 with carries deferred into 64-bit columns.
//!
//! Verification only: every input is public (modulus, exponent, signature), so nothing here
//! tries to be constant-time. Limbs are 32 bits with 64-bit products because that is what wasm
//! multiplies natively (it has no 64x64->128 multiply). The per-key constants are computed once
//! in [`PublicOp::new`]; [`PublicOp::apply`] works in fixed stack buffers, never allocating per
//! multiplication. The `rsa` crate stays the reference in `tests/modexp_diff.rs`.

/// Largest modulus handled, in 32-bit limbs (8192 bits, the bound `RsaPublicKey` enforces).
pub const MAX_LIMBS: usize = 256;

/// Per-key precomputation for s^e mod n.
#[derive(Clone, Debug)]
pub struct PublicOp {
    /// The modulus, little-endian 32-bit limbs, exactly `limbs` of them.
    n: Vec<u32>,
    /// R^2 mod n with R = 2^(32 * limbs): multiplying by it enters the Montgomery domain.
    r2: Vec<u32>,
    /// -n^-1 mod 2^32.
    n0inv: u32,
    e: u64,
    /// The modulus length in octets, as the signature and the result have.
    k: usize,
}

impl PublicOp {
    /// Prepares the operation for a validated odd modulus `n` (big-endian, no leading zeros,
    /// at most 8192 bits) and an odd exponent `e` >= 3. Callers validate; out-of-contract
    /// input gives a context whose `apply` returns `None` rather than a panic.
    pub fn new(n: &[u8], e: u64) -> Self {
        let k = n.len();
        let limbs = k.div_ceil(4);
        let mut nl = vec![0u32; limbs];
        from_be_bytes(n, &mut nl);
        let usable = (1..=MAX_LIMBS).contains(&limbs)
            && nl[0] & 1 == 1
            && nl[limbs - 1] != 0
            && (limbs > 1 || nl[0] > 1)
            && e & 1 == 1
            && e > 1;
        if !usable {
            return PublicOp { n: Vec::new(), r2: Vec::new(), n0inv: 0, e, k };
        }
        let n0inv = neg_inv(nl[0]);
        let r2 = r_squared(&nl, n0inv);
        PublicOp { n: nl, r2, n0inv, e, k }
    }

    /// Returns s^e mod n as k big-endian octets, or `None` when s >= n (or `signature` is not
    /// k octets long).
    pub fn apply(&self, signature: &[u8]) -> Option<Vec<u8>> {
        let l = self.n.len();
        if l == 0 || signature.len() != self.k {
            return None;
        }
        let n = &self.n[..];
        let mut s = [0u32; MAX_LIMBS];
        let s = &mut s[..l];
        from_be_bytes(signature, s);
        if !less_than(s, n) {
            return None;
        }
        let mut x = [0u32; MAX_LIMBS];
        let mut y = [0u32; MAX_LIMBS];
        let mut wide: Wide = [0u64; 2 * MAX_LIMBS + 1];
        let (x, y) = (&mut x[..l], &mut y[..l]);
        let wide = &mut wide;

        // Left to right over the bits of e. The top bit enters the domain (sR = mont(s, R^2));
        // e is odd, so its last bit's multiplication is by plain s, which also leaves the
        // domain: mont(a R, s) = a s. That saves both conversion multiplications.
        let sm = {
            let mut sm = [0u32; MAX_LIMBS];
            mont_mul(&mut sm[..l], s, &self.r2, wide, n, self.n0inv);
            sm
        };
        let sm = &sm[..l];
        x.copy_from_slice(sm);
        let top = 63 - self.e.leading_zeros();
        for bit in (1..top).rev() {
            mont_sqr(y, x, wide, n, self.n0inv);
            if self.e >> bit & 1 == 1 {
                mont_mul(x, y, sm, wide, n, self.n0inv);
            } else {
                x.copy_from_slice(y);
            }
        }
        mont_sqr(y, x, wide, n, self.n0inv);
        mont_mul(x, y, s, wide, n, self.n0inv);

        let mut out = vec![0u8; self.k];
        to_be_bytes(x, &mut out);
        Some(out)
    }
}

/// Big-endian octets into little-endian limbs; `out` is long enough and zeroed above.
fn from_be_bytes(bytes: &[u8], out: &mut [u32]) {
    out.fill(0);
    for (limb, chunk) in out.iter_mut().zip(bytes.rchunks(4)) {
        *limb = chunk.iter().fold(0u32, |acc, &b| (acc << 8) | u32::from(b));
    }
}

/// Little-endian limbs into exactly `out.len()` big-endian octets (the value fits).
fn to_be_bytes(limbs: &[u32], out: &mut [u8]) {
    for (chunk, limb) in out.rchunks_mut(4).zip(limbs) {
        let b = limb.to_be_bytes();
        chunk.copy_from_slice(&b[4 - chunk.len()..]);
    }
}

/// -n0^-1 mod 2^32 by Newton's iteration: each step doubles the correct low bits, and an odd
/// n0 is its own inverse mod 8, so five steps give 96 > 32 bits.
fn neg_inv(n0: u32) -> u32 {
    let mut inv = n0;
    for _ in 0..5 {
        inv = inv.wrapping_mul(2u32.wrapping_sub(n0.wrapping_mul(inv)));
    }
    inv.wrapping_neg()
}

/// a < b, for equal-length limb slices.
fn less_than(a: &[u32], b: &[u32]) -> bool {
    for (x, y) in a.iter().rev().zip(b.iter().rev()) {
        if x != y {
            return x < y;
        }
    }
    false
}

/// a -= b, returning the borrow.
fn sub_in_place(a: &mut [u32], b: &[u32]) -> u32 {
    let mut borrow = 0u32;
    for (x, &y) in a.iter_mut().zip(b) {
        let (d1, b1) = x.overflowing_sub(y);
        let (d2, b2) = d1.overflowing_sub(borrow);
        *x = d2;
        borrow = u32::from(b1 | b2);
    }
    borrow
}

/// The Montgomery result is (hi:t) < 2n; bring it below n.
fn reduce_once(t: &mut [u32], hi: u64, n: &[u32]) {
    if hi != 0 || !less_than(t, n) {
        sub_in_place(t, n);
    }
}

/// R^2 mod n without division: double 2^(bits-1) up to R mod n, on to 2^L R mod n (the
/// Montgomery form of 2^L), then five Montgomery squarings reach 2^(32L) R = R^2.
fn r_squared(n: &[u32], n0inv: u32) -> Vec<u32> {
    let l = n.len();
    let bits = 32 * l - n[l - 1].leading_zeros() as usize;
    let mut x = vec![0u32; l];
    x[(bits - 1) / 32] = 1 << ((bits - 1) % 32);
    for _ in 0..(32 * l - bits + 1) + l {
        // x < n, so 2x < 2n: one conditional subtraction keeps it below n.
        let mut carry = 0u32;
        for limb in x.iter_mut() {
            let next = *limb >> 31;
            *limb = (*limb << 1) | carry;
            carry = next;
        }
        reduce_once(&mut x, u64::from(carry), n);
    }
    let mut y = vec![0u32; l];
    let mut wide: Box<Wide> = Box::new([0u64; 2 * MAX_LIMBS + 1]);
    for _ in 0..5 {
        mont_sqr(&mut y, &x, &mut wide, n, n0inv);
        core::mem::swap(&mut x, &mut y);
    }
    x
}

/// Scratch for one Montgomery operation: a double-width sum in 64-bit columns whose carries
/// are deferred (see [`mul_add_row`]).
pub(crate) type Wide = [u64; 2 * MAX_LIMBS + 1];

/// t[0..=a.len()] += a * b, one 32-bit product per column pair, carries left in the columns.
///
/// Each product is split: its low half goes to column j, its high half to column j + 1. No
/// carry runs from one iteration to the next through an add-and-shift chain, so the loop is
/// bound by multiplier throughput rather than by carry latency (about 8% faster in wasm than
/// fused CIOS with a running carry, measured). A column absorbs at most 2 terms per row, each
/// below 2^32, over at most 3L rows (square doubled, then reduced): under 2^43 for L = 256.
#[inline(always)]
fn mul_add_row(t: &mut [u64], a: &[u32], b: u32) {
    let b = u64::from(b);
    let (t, last) = t.split_at_mut(a.len());
    let mut hi = 0u64;
    for (tj, &aj) in t.iter_mut().zip(a) {
        let p = u64::from(aj) * b;
        *tj += (p & 0xffff_ffff) + hi;
        hi = p >> 32;
    }
    last[0] += hi;
}

/// t[0..=a.len() + 1] += a * b0 + a * b1 * 2^32: two rows in one pass, so each column is
/// loaded and stored once per two products. Column j takes lo(a_j b0), hi(a_{j-1} b0),
/// lo(a_{j-1} b1) and hi(a_{j-2} b1): four terms below 2^32, as two single rows would add.
#[inline(always)]
fn mul_add_2rows(t: &mut [u64], a: &[u32], b0: u32, b1: u32) {
    let (b0, b1) = (u64::from(b0), u64::from(b1));
    let (t, last) = t.split_at_mut(a.len());
    let (mut h0, mut h1, mut prev) = (0u64, 0u64, 0u64);
    for (tj, &aj) in t.iter_mut().zip(a) {
        let aj = u64::from(aj);
        let p0 = aj * b0;
        let p1 = prev * b1;
        *tj += (p0 & 0xffff_ffff) + h0 + (p1 & 0xffff_ffff) + h1;
        h0 = p0 >> 32;
        h1 = p1 >> 32;
        prev = aj;
    }
    let p1 = prev * b1;
    last[0] += h0 + (p1 & 0xffff_ffff) + h1;
    last[1] += p1 >> 32;
}

/// Montgomery reduction of the deferred-carry sum t (2L + 1 columns, value below n R) into
/// out = t R^-1 mod n: zero column i by adding m n 2^(32 i), m = -t_i / n mod 2^32, carrying
/// each finished column's excess into the next.
fn reduce(out: &mut [u32], t: &mut [u64], n: &[u32], n0inv: u32) {
    let l = n.len();
    let mut carry = 0u64;
    let mut i = 0;
    while i + 1 < l {
        // m_{i+1} needs column i + 1 as row i leaves it: its own value, the carry out of
        // column i, and row i's two terms there (hi(m_i n_0) and lo(m_i n_1)).
        let c0 = t[i] + carry;
        let m0 = (c0 as u32).wrapping_mul(n0inv);
        let p00 = u64::from(m0) * u64::from(n[0]);
        let p01 = u64::from(m0) * u64::from(n[1]);
        let c1 = t[i + 1] + ((c0 + (p00 & 0xffff_ffff)) >> 32) + (p00 >> 32) + (p01 & 0xffff_ffff);
        let m1 = (c1 as u32).wrapping_mul(n0inv);
        mul_add_2rows(&mut t[i..=i + l + 1], n, m0, m1);
        carry = (t[i] + carry) >> 32;
        carry = (t[i + 1] + carry) >> 32;
        i += 2;
    }
    if i < l {
        let m = ((t[i] + carry) as u32).wrapping_mul(n0inv);
        mul_add_row(&mut t[i..=i + l], n, m);
        carry = (t[i] + carry) >> 32;
    }
    for (o, &tk) in out.iter_mut().zip(&t[l..2 * l]) {
        let v = tk + carry;
        *o = v as u32;
        carry = v >> 32;
    }
    reduce_once(out, t[2 * l] + carry, n);
}

/// out = a b R^-1 mod n, for a, b < n: the product (separated operand scanning), then
/// [`reduce`].
fn mont_mul(out: &mut [u32], a: &[u32], b: &[u32], wide: &mut Wide, n: &[u32], n0inv: u32) {
    let l = n.len();
    let (out, a, b) = (&mut out[..l], &a[..l], &b[..l]);
    let t = &mut wide[..=2 * l];
    t.fill(0);
    let mut pairs = b.chunks_exact(2);
    for (i, pair) in (&mut pairs).enumerate() {
        mul_add_2rows(&mut t[2 * i..=2 * i + l + 1], a, pair[0], pair[1]);
    }
    if let [bi] = pairs.remainder() {
        mul_add_row(&mut t[l - 1..=2 * l - 1], a, *bi);
    }
    reduce(out, t, n, n0inv);
}

/// out = a^2 R^-1 mod n, for a < n: each cross product a_i a_j (i < j) computed once and the
/// columns doubled (L^2 / 2 products instead of L^2), the squares a_i^2 added, then [`reduce`].
fn mont_sqr(out: &mut [u32], a: &[u32], wide: &mut Wide, n: &[u32], n0inv: u32) {
    let l = n.len();
    let (out, a) = (&mut out[..l], &a[..l]);
    let t = &mut wide[..=2 * l];
    t.fill(0);
    // Rows i and i + 1 (i even) in one pass over a[i + 1..]: row i + 1 then also takes
    // a_{i+1}^2, once, at column 2i + 2, which the diagonal pass below allows for.
    for i in (0..l.saturating_sub(1)).step_by(2) {
        mul_add_2rows(&mut t[2 * i + 1..=i + l + 1], &a[i + 1..], a[i], a[i + 1]);
    }
    for (k, (pair, &ak)) in t.chunks_exact_mut(2).zip(a).enumerate() {
        let sq = u64::from(ak) * u64::from(ak);
        let (lo, hi) = (sq & 0xffff_ffff, sq >> 32);
        if k % 2 == 1 {
            // Doubled from the cross pass: 2 a_k^2, so take one away (the columns hold at
            // least that much, so nothing goes negative).
            pair[0] = 2 * pair[0] - lo;
            pair[1] = 2 * pair[1] - hi;
        } else {
            pair[0] = 2 * pair[0] + lo;
            pair[1] = 2 * pair[1] + hi;
        }
    }
    reduce(out, t, n, n0inv);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(n_hex: &str, e: u64) -> PublicOp {
        let bytes: Vec<u8> = (0..n_hex.len()).step_by(2).map(|i| u8::from_str_radix(&n_hex[i..i + 2], 16).unwrap()).collect();
        PublicOp::new(&bytes, e)
    }

    #[test]
    fn neg_inv_table() {
        for n0 in [1u32, 3, 0xffff_ffff, 0x8000_0001, 0x1234_5677] {
            assert_eq!(n0.wrapping_mul(neg_inv(n0)), u32::MAX, "{n0:#x}");
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
    fn out_of_contract_is_none_not_panic() {
        assert!(op("", 65537).apply(&[]).is_none());
        assert!(op("10", 65537).apply(&[1]).is_none(), "even modulus");
        assert!(op("0f", 2).apply(&[1]).is_none(), "even exponent");
        assert!(op("0f", 65537).apply(&[1, 2]).is_none(), "wrong length");
        assert!(op("01", 3).apply(&[0]).is_none(), "modulus one");
    }
}
