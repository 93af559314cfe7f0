//! Integers mod L = 2^252 + 27742317777372353535851937790883648493, the order of Ed25519's base
//! point (RFC 8032 section 5.1): the check that S is below L (section 5.1.7, step 1) and
//! k = SHA-512(R || A || M) mod L, as eight little-endian 32-bit words for the wNAF of
//! ../point.rs. Public data only: variable time.

/// L, little-endian 32-bit words, and a ninth for the reduction's 288-bit arithmetic.
const L: [u32; 9] = [0x5cf5_d3ed, 0x5812_631a, 0xa2f7_9cd6, 0x14de_f9de, 0, 0, 0, 0x1000_0000, 0];

/// The integer of 32 little-endian octets, as eight words.
pub fn words(b: &[u8; 32]) -> [u32; 8] {
    let mut w = [0u32; 8];
    for (w, b) in w.iter_mut().zip(b.chunks_exact(4)) {
        *w = b.iter().rev().fold(0, |acc, &b| (acc << 8) | u32::from(b));
    }
    w
}

/// Whether 32 little-endian octets are below L (canonical S).
#[inline(never)]
pub fn is_canonical(b: &[u8; 32]) -> bool {
    let w = words(b);
    // The most significant word that differs decides.
    for (a, l) in w.iter().zip(&L).rev() {
        if a != l {
            return a < l;
        }
    }
    false
}

/// 64 little-endian octets mod L, by Horner's rule one octet at a time: r < L, so 256 r + b <
/// 2^261, whose quotient by L is its top bits (above bit 252) or one less, since L exceeds
/// 2^252 by less than 2^125.
#[inline(never)]
pub fn reduce_wide(h: &[u8; 64]) -> [u32; 8] {
    let mut r = [0u32; 9];
    for &byte in h.iter().rev() {
        // r = 256 r + byte.
        let mut carry = u32::from(byte);
        for w in r.iter_mut() {
            let v = (*w >> 24, (*w << 8) | carry);
            carry = v.0;
            *w = v.1;
        }
        let [.., w7, w8] = r;
        let mut q = (w7 >> 28) | (w8 << 4);
        let mut ql = times(q);
        if greater(&ql, &r) {
            q -= 1;
            ql = times(q);
        }
        r = sub(&r, &ql);
    }
    let mut out = [0u32; 8];
    for (o, w) in out.iter_mut().zip(r) {
        *o = w;
    }
    out
}

/// q L for q < 2^10, in nine words.
fn times(q: u32) -> [u32; 9] {
    let mut out = [0u32; 9];
    let mut carry = 0u64;
    for (o, &l) in out.iter_mut().zip(&L) {
        let v = u64::from(l) * u64::from(q) + carry;
        *o = v as u32;
        carry = v >> 32;
    }
    out
}

fn greater(a: &[u32; 9], b: &[u32; 9]) -> bool {
    for (a, b) in a.iter().zip(b).rev() {
        if a != b {
            return a > b;
        }
    }
    false
}

/// a - b for a >= b.
fn sub(a: &[u32; 9], b: &[u32; 9]) -> [u32; 9] {
    let mut out = [0u32; 9];
    let mut borrow = 0u64;
    for ((o, &a), &b) in out.iter_mut().zip(a).zip(b) {
        let v = u64::from(a).wrapping_sub(u64::from(b)).wrapping_sub(borrow);
        *o = v as u32;
        borrow = (v >> 63) & 1;
    }
    out
}
