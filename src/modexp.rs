//! The RSA public-key operation s^e mod n (RFC 8017 section 5.2.2, RSAVP1) by Montgomery
//! multiplication (Montgomery 1985; the CIOS/FIOS forms of Koc, Acar and Kaliski 1996).
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
        let mut wide = [0u32; 2 * MAX_LIMBS];
        let (x, y, wide) = (&mut x[..l], &mut y[..l], &mut wide[..2 * l]);

        // Left to right over the bits of e. The top bit enters the domain (sR = mont(s, R^2));
        // e is odd, so its last bit's multiplication is by plain s, which also leaves the
        // domain: mont(a R, s) = a s. That saves both conversion multiplications.
        let sm = {
            let mut sm = [0u32; MAX_LIMBS];
            mont_mul(&mut sm[..l], s, &self.r2, n, self.n0inv);
            sm
        };
        let sm = &sm[..l];
        x.copy_from_slice(sm);
        let top = 63 - self.e.leading_zeros();
        for bit in (1..top).rev() {
            mont_sqr(y, x, wide, n, self.n0inv);
            if self.e >> bit & 1 == 1 {
                mont_mul(x, y, sm, n, self.n0inv);
            } else {
                x.copy_from_slice(y);
            }
        }
        mont_sqr(y, x, wide, n, self.n0inv);
        mont_mul(x, y, s, n, self.n0inv);

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
    let mut wide = vec![0u32; 2 * l];
    for _ in 0..5 {
        mont_sqr(&mut y, &x, &mut wide, n, n0inv);
        core::mem::swap(&mut x, &mut y);
    }
    x
}

/// out = a b R^-1 mod n, for a, b < n: CIOS with the multiplication and reduction passes
/// fused into one loop over j (FIOS), `out` doubling as the running sum t[0..L] and `hi` as
/// t[L]. Every step t + x y + c fits in 64 bits: (2^32-1)^2 + 2 (2^32-1) = 2^64 - 1.
fn mont_mul(out: &mut [u32], a: &[u32], b: &[u32], n: &[u32], n0inv: u32) {
    let l = n.len();
    let (out, a, b) = (&mut out[..l], &a[..l], &b[..l]);
    out.fill(0);
    let mut hi = 0u64;
    for &bi in b {
        let bi = u64::from(bi);
        let x = u64::from(out[0]) + u64::from(a[0]) * bi;
        let m = u64::from((x as u32).wrapping_mul(n0inv));
        let y = u64::from(x as u32) + m * u64::from(n[0]);
        let (mut c1, mut c2) = (x >> 32, y >> 32);
        // t[j-1] = (t[j] + a[j] b_i + m n[j] + carries) mod 2^32, carries kept apart so each
        // sum stays within 64 bits.
        for j in 1..l {
            let x = u64::from(out[j]) + u64::from(a[j]) * bi + c1;
            let y = (x & 0xffff_ffff) + m * u64::from(n[j]) + c2;
            out[j - 1] = y as u32;
            c1 = x >> 32;
            c2 = y >> 32;
        }
        let t = hi + c1 + c2;
        out[l - 1] = t as u32;
        hi = t >> 32;
    }
    reduce_once(out, hi, n);
}

/// out = a^2 R^-1 mod n, for a < n: the square with each cross product computed once and
/// doubled (about L^2/2 products instead of L^2), then a separate Montgomery reduction.
fn mont_sqr(out: &mut [u32], a: &[u32], wide: &mut [u32], n: &[u32], n0inv: u32) {
    let l = n.len();
    let (out, a, w) = (&mut out[..l], &a[..l], &mut wide[..2 * l]);
    w.fill(0);
    // Cross products a[i] a[j], i < j.
    for i in 0..l {
        let ai = u64::from(a[i]);
        let mut c = 0u64;
        let row = &mut w[2 * i + 1..i + l];
        for (t, &aj) in row.iter_mut().zip(&a[i + 1..]) {
            let x = u64::from(*t) + ai * u64::from(aj) + c;
            *t = x as u32;
            c = x >> 32;
        }
        w[i + l] = c as u32;
    }
    // Double them and add the squares a[i]^2 at 2i.
    let mut shift = 0u32;
    let mut c = 0u64;
    for (i, pair) in w.chunks_exact_mut(2).enumerate() {
        let sq = u64::from(a[i]) * u64::from(a[i]);
        let lo = (pair[0] << 1) | shift;
        let hi_word = (pair[1] << 1) | (pair[0] >> 31);
        shift = pair[1] >> 31;
        let x = u64::from(lo) + (sq & 0xffff_ffff) + c;
        pair[0] = x as u32;
        let y = u64::from(hi_word) + (sq >> 32) + (x >> 32);
        pair[1] = y as u32;
        c = y >> 32;
    }
    // Montgomery reduction: zero the low L limbs one at a time, carrying into the high half.
    let mut top = 0u64;
    for i in 0..l {
        let m = u64::from(w[i].wrapping_mul(n0inv));
        let mut c = 0u64;
        let window = &mut w[i..i + l];
        for (t, &nj) in window.iter_mut().zip(n) {
            let x = u64::from(*t) + m * u64::from(nj) + c;
            *t = x as u32;
            c = x >> 32;
        }
        let x = u64::from(w[i + l]) + c + top;
        w[i + l] = x as u32;
        top = x >> 32;
    }
    out.copy_from_slice(&w[l..]);
    reduce_once(out, top, n);
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
