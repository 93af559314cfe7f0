//! The RSA public-key operation s^e mod n (RFC 8017 section 5.2.2, RSAVP1).

use rsa::BigUint;

/// Per-key precomputation for s^e mod n.
#[derive(Clone, Debug)]
pub struct PublicOp {
    n: BigUint,
    e: BigUint,
    k: usize,
}

impl PublicOp {
    /// Prepares the operation for a validated odd modulus `n` (big-endian, no leading zeros).
    pub fn new(n: &[u8], e: u64) -> Self {
        PublicOp { n: BigUint::from_bytes_be(n), e: BigUint::from(e), k: n.len() }
    }

    /// Returns s^e mod n as k big-endian octets, or `None` when s >= n.
    pub fn apply(&self, signature: &[u8]) -> Option<Vec<u8>> {
        let s = BigUint::from_bytes_be(signature);
        if s >= self.n {
            return None;
        }
        let m = s.modpow(&self.e, &self.n).to_bytes_be();
        let mut out = vec![0u8; self.k - m.len()];
        out.extend_from_slice(&m);
        Some(out)
    }
}
