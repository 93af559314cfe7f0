//! The JWS algorithms this crate verifies (RFC 7518 sections 3.3 to 3.5, RFC 8037 section 3.1,
//! RFC 9864 section 2.2) and what each needs: its key family, curve and hash.

use sha2::{Digest, Sha256, Sha384, Sha512};

/// A signature algorithm the caller may allow. `none` and HMAC are not representable: they are
/// never accepted against a public key set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Alg {
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RS256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RS384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RS512,
    /// RSASSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt.
    PS256,
    /// RSASSA-PSS with SHA-384, MGF1-SHA-384 and a 48-byte salt.
    PS384,
    /// RSASSA-PSS with SHA-512, MGF1-SHA-512 and a 64-byte salt.
    PS512,
    /// ECDSA over P-256 with SHA-256.
    ES256,
    /// ECDSA over P-384 with SHA-384.
    ES384,
    /// ECDSA over P-521 with SHA-512.
    ES512,
    /// EdDSA (RFC 8037); over Ed25519 only, the one curve of it this crate verifies.
    EdDSA,
    /// Ed25519 by its fully specified name (RFC 9864): the same signatures as `EdDSA` over
    /// Ed25519, allowed and matched against a JWK's `alg` as a name of its own.
    Ed25519,
}

/// Every supported algorithm: the one list that names are looked up in.
pub const ALL: [Alg; 11] = [
    Alg::RS256,
    Alg::RS384,
    Alg::RS512,
    Alg::PS256,
    Alg::PS384,
    Alg::PS512,
    Alg::ES256,
    Alg::ES384,
    Alg::ES512,
    Alg::EdDSA,
    Alg::Ed25519,
];

impl Alg {
    /// The algorithm for a JWS `alg` name (exact, case-sensitive), if supported.
    pub fn from_name(name: &str) -> Option<Alg> {
        ALL.into_iter().find(|a| a.name() == name)
    }

    /// The JWS `alg` name.
    pub const fn name(self) -> &'static str {
        match self {
            Alg::RS256 => "RS256",
            Alg::RS384 => "RS384",
            Alg::RS512 => "RS512",
            Alg::PS256 => "PS256",
            Alg::PS384 => "PS384",
            Alg::PS512 => "PS512",
            Alg::ES256 => "ES256",
            Alg::ES384 => "ES384",
            Alg::ES512 => "ES512",
            Alg::EdDSA => "EdDSA",
            Alg::Ed25519 => "Ed25519",
        }
    }

    /// The hash function of the algorithm; for EdDSA, the SHA-512 that Ed25519 applies inside
    /// (RFC 8032 section 5.1), which the caller does not choose.
    pub const fn hash(self) -> Hash {
        match self {
            Alg::RS256 | Alg::PS256 | Alg::ES256 => Hash::Sha256,
            Alg::RS384 | Alg::PS384 | Alg::ES384 => Hash::Sha384,
            Alg::RS512 | Alg::PS512 | Alg::ES512 | Alg::EdDSA | Alg::Ed25519 => Hash::Sha512,
        }
    }

    /// Whether the algorithm is RSASSA-PSS.
    pub const fn is_pss(self) -> bool {
        matches!(self, Alg::PS256 | Alg::PS384 | Alg::PS512)
    }

    /// The JWK `kty` the algorithm needs (RFC 7518 section 6.1, RFC 8037 section 2).
    pub const fn kty(self) -> &'static str {
        match self {
            Alg::RS256 | Alg::RS384 | Alg::RS512 | Alg::PS256 | Alg::PS384 | Alg::PS512 => "RSA",
            Alg::ES256 | Alg::ES384 | Alg::ES512 => "EC",
            Alg::EdDSA | Alg::Ed25519 => "OKP",
        }
    }

    /// The JWK `crv` the algorithm needs, for the families that have curves: each ES algorithm
    /// names its curve (RFC 7518 section 3.4), and EdDSA is verified over Ed25519 only.
    pub const fn crv(self) -> Option<&'static str> {
        match self {
            Alg::ES256 => Some("P-256"),
            Alg::ES384 => Some("P-384"),
            Alg::ES512 => Some("P-521"),
            Alg::EdDSA | Alg::Ed25519 => Some("Ed25519"),
            _ => None,
        }
    }
}

/// A SHA-2 hash function.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Hash {
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl Hash {
    /// Output length in bytes.
    #[allow(clippy::len_without_is_empty)]
    pub const fn len(self) -> usize {
        match self {
            Hash::Sha256 => 32,
            Hash::Sha384 => 48,
            Hash::Sha512 => 64,
        }
    }

    /// Hashes the concatenation of `parts`.
    pub fn digest(self, parts: &[&[u8]]) -> Vec<u8> {
        fn run<D: Digest>(parts: &[&[u8]]) -> Vec<u8> {
            let mut d = D::new();
            for p in parts {
                d.update(p);
            }
            d.finalize().to_vec()
        }
        match self {
            Hash::Sha256 => run::<Sha256>(parts),
            Hash::Sha384 => run::<Sha384>(parts),
            Hash::Sha512 => run::<Sha512>(parts),
        }
    }

    /// The DER `DigestInfo` prefix for PKCS#1 v1.5 (RFC 8017 section 9.2, note 1).
    pub const fn digest_info_prefix(self) -> &'static [u8] {
        match self {
            Hash::Sha256 => &[
                0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
                0x00, 0x04, 0x20,
            ],
            Hash::Sha384 => &[
                0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05,
                0x00, 0x04, 0x30,
            ],
            Hash::Sha512 => &[
                0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05,
                0x00, 0x04, 0x40,
            ],
        }
    }
}
