//! RSA public keys and signature verification: RSASSA-PKCS1-v1_5 (RFC 8017 section 8.2.2) and
//! RSASSA-PSS (RFC 8017 section 8.1.2, EMSA-PSS section 9.1.2), with JWA's fixed salt length
//! (RFC 7518 section 3.5). PKCS#1 v1.5 is checked by rebuilding the whole expected encoded
//! message and comparing, never by parsing what the signature decrypts to.

use crate::alg::{Alg, Hash};
use crate::error::{err, Code, Result};
use crate::modexp::PublicOp;

/// Smallest accepted modulus, in bits.
pub const MIN_BITS: usize = 2048;
/// Largest accepted modulus, in bits.
pub const MAX_BITS: usize = 8192;
/// Largest accepted public exponent (as the `rsa` crate bounds it).
pub const MAX_EXPONENT: u64 = (1 << 33) - 1;

/// A validated RSA public key: a modulus of 2048 to 8192 bits, odd, and an odd exponent in
/// 3..=2^33-1, with what verification needs precomputed once.
#[derive(Clone, Debug)]
pub struct RsaPublicKey {
    n: Vec<u8>,
    e: u64,
    bits: usize,
    op: PublicOp,
}

impl RsaPublicKey {
    /// Validates big-endian `n` and `e` (leading zero bytes are allowed and ignored).
    pub fn new(n: &[u8], e: &[u8]) -> Result<Self> {
        let n = strip(n);
        let e_bytes = strip(e);
        let bits = match n.first() {
            None => 0,
            Some(top) => n.len() * 8 - top.leading_zeros() as usize,
        };
        if !(MIN_BITS..=MAX_BITS).contains(&bits) {
            return err(Code::JwkInvalid, format!("RSA modulus is {bits} bits; {MIN_BITS} to {MAX_BITS} are accepted"));
        }
        if n[n.len() - 1] & 1 == 0 {
            return err(Code::JwkInvalid, "RSA modulus is even");
        }
        if e_bytes.len() > 8 {
            return err(Code::JwkInvalid, "RSA public exponent is too large");
        }
        let e = e_bytes.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
        if e < 3 || e > MAX_EXPONENT || e & 1 == 0 {
            return err(Code::JwkInvalid, "RSA public exponent must be odd and between 3 and 2^33-1");
        }
        let op = PublicOp::new(n, e);
        Ok(RsaPublicKey { n: n.to_vec(), e, bits, op })
    }

    /// The modulus, big-endian, without leading zeros.
    pub fn modulus(&self) -> &[u8] {
        &self.n
    }

    /// The public exponent.
    pub fn exponent(&self) -> u64 {
        self.e
    }

    /// The exponent as minimal big-endian bytes.
    pub fn exponent_bytes(&self) -> Vec<u8> {
        strip(&self.e.to_be_bytes()).to_vec()
    }

    /// The modulus size in bits.
    pub fn bits(&self) -> usize {
        self.bits
    }

    /// Verifies `signature` over `message` with `alg`. Every failure is the same `false`:
    /// a verifier should not say why a signature is wrong.
    pub fn verify(&self, alg: Alg, message: &[u8], signature: &[u8]) -> bool {
        let k = self.n.len();
        // RFC 8017 section 8.2.2 step 1: the signature is exactly k octets.
        if signature.len() != k {
            return false;
        }
        let Some(em) = self.op.apply(signature) else {
            return false; // signature representative out of range (s >= n)
        };
        let hash = alg.hash();
        let digest = hash.digest(&[message]);
        if alg.is_pss() {
            emsa_pss_verify(hash, &digest, &em, self.bits - 1)
        } else {
            emsa_pkcs1_v15_matches(hash, &digest, &em)
        }
    }
}

fn strip(bytes: &[u8]) -> &[u8] {
    let zeros = bytes.iter().take_while(|&&b| b == 0).count();
    &bytes[zeros..]
}

/// RFC 8017 section 9.2: EM = 0x00 || 0x01 || PS (0xff...) || 0x00 || DigestInfo || H.
fn emsa_pkcs1_v15_matches(hash: Hash, digest: &[u8], em: &[u8]) -> bool {
    let prefix = hash.digest_info_prefix();
    let t_len = prefix.len() + digest.len();
    if em.len() < t_len + 11 {
        return false;
    }
    let ps_len = em.len() - t_len - 3;
    let mut expected = Vec::with_capacity(em.len());
    expected.extend_from_slice(&[0x00, 0x01]);
    expected.resize(2 + ps_len, 0xff);
    expected.push(0x00);
    expected.extend_from_slice(prefix);
    expected.extend_from_slice(digest);
    constant_time_eq(&expected, em)
}

/// RFC 8017 section 9.1.2, with sLen = hLen as JWA requires. `em` is the k-octet integer
/// representative; `em_bits` is modBits - 1.
fn emsa_pss_verify(hash: Hash, m_hash: &[u8], em: &[u8], em_bits: usize) -> bool {
    let h_len = hash.len();
    let s_len = h_len;
    let em_len = em_bits.div_ceil(8);
    // The k-octet representative has one extra leading octet, which must be zero, when
    // modBits - 1 is a multiple of 8.
    let (extra, em) = em.split_at(em.len() - em_len);
    if extra.iter().any(|&b| b != 0) {
        return false;
    }
    if em_len < h_len + s_len + 2 || em[em_len - 1] != 0xbc {
        return false;
    }
    let (masked_db, rest) = em.split_at(em_len - h_len - 1);
    let h = &rest[..h_len];
    let unused_bits = 8 * em_len - em_bits;
    let top_mask = 0xffu8 >> unused_bits;
    if masked_db[0] & !top_mask != 0 {
        return false;
    }
    let mut db = mgf1(hash, h, masked_db.len());
    for (d, m) in db.iter_mut().zip(masked_db) {
        *d ^= m;
    }
    db[0] &= top_mask;
    let ps_len = em_len - h_len - s_len - 2;
    if db[..ps_len].iter().any(|&b| b != 0) || db[ps_len] != 0x01 {
        return false;
    }
    let salt = &db[db.len() - s_len..];
    let h2 = hash.digest(&[&[0u8; 8], m_hash, salt]);
    constant_time_eq(h, &h2)
}

/// MGF1 (RFC 8017 appendix B.2.1).
fn mgf1(hash: Hash, seed: &[u8], len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + hash.len());
    let mut counter = 0u32;
    while out.len() < len {
        out.extend_from_slice(&hash.digest(&[seed, &counter.to_be_bytes()]));
        counter += 1;
    }
    out.truncate(len);
    out
}

/// Compares without an early exit; the inputs are public, but the habit is cheap.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
