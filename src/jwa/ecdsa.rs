//! ECDSA public keys and signatures as JWS uses them (RFC 7518 section 3.4): P-256, P-384 and
//! P-521 with SHA-256, SHA-384 and SHA-512, the signature the fixed-length big-endian `r || s`
//! (never DER). The arithmetic is our own: P-256 in `jwa::nistp256` (RustCrypto's `p256` with the
//! feature `p256-crate`), P-384 and P-521 in `jwa::nistp384` and `jwa::nistp521`, one cargo
//! feature each.

use crate::error::{err, Code, Result};
use crate::jwa::alg::Alg;
#[cfg(feature = "p256-crate")]
use signature::Verifier as _;

/// A NIST curve of JWA's ECDSA algorithms (RFC 7518 section 6.2.1.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Curve {
    /// P-256 (secp256r1), for ES256.
    P256,
    /// P-384 (secp384r1), for ES384.
    P384,
    /// P-521 (secp521r1), for ES512.
    P521,
}

impl Curve {
    /// Every curve.
    pub const ALL: [Curve; 3] = [Curve::P256, Curve::P384, Curve::P521];

    /// The curve a JWK `crv` names (exact, case-sensitive).
    pub fn from_name(crv: &str) -> Option<Curve> {
        Curve::ALL.into_iter().find(|c| c.name() == crv)
    }

    /// The curve of a namedCurve OID (its DER content octets, RFC 5480 section 2.1.1.1).
    pub fn from_oid(oid: &[u8]) -> Option<Curve> {
        Curve::ALL.into_iter().find(|c| c.oid() == oid)
    }

    /// The JWK `crv` name.
    pub const fn name(self) -> &'static str {
        match self {
            Curve::P256 => "P-256",
            Curve::P384 => "P-384",
            Curve::P521 => "P-521",
        }
    }

    /// The namedCurve OID's content octets: prime256v1 1.2.840.10045.3.1.7, secp384r1
    /// 1.3.132.0.34, secp521r1 1.3.132.0.35.
    pub const fn oid(self) -> &'static [u8] {
        match self {
            Curve::P256 => &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07],
            Curve::P384 => &[0x2b, 0x81, 0x04, 0x00, 0x22],
            Curve::P521 => &[0x2b, 0x81, 0x04, 0x00, 0x23],
        }
    }

    /// Octets in a coordinate, and in each of `r` and `s` (RFC 7518 sections 3.4 and 6.2.1.2).
    pub const fn coordinate_len(self) -> usize {
        match self {
            Curve::P256 => 32,
            Curve::P384 => 48,
            Curve::P521 => 66,
        }
    }

    /// The one JWS algorithm over this curve.
    pub const fn alg(self) -> Alg {
        match self {
            Curve::P256 => Alg::ES256,
            Curve::P384 => Alg::ES384,
            Curve::P521 => Alg::ES512,
        }
    }
}

/// The crate's verifying key for the curve: the point decoded and checked once, at import.
#[derive(Clone, Debug)]
enum Verifying {
    #[cfg(all(feature = "es256", not(feature = "p256-crate")))]
    P256(crate::jwa::nistp256::VerifyingKey),
    #[cfg(feature = "p256-crate")]
    P256(p256::ecdsa::VerifyingKey),
    #[cfg(feature = "es384")]
    P384(crate::jwa::nistp384::VerifyingKey),
    #[cfg(feature = "es512")]
    P521(crate::jwa::nistp521::VerifyingKey),
}

/// Decodes a SEC1 point with one curve's crate, which refuses points off the curve and the
/// identity; gives the point uncompressed and the key.
#[cfg(feature = "p256-crate")]
macro_rules! import_sec1 {
    ($krate:ident, $variant:ident, $sec1:expr) => {
        $krate::ecdsa::VerifyingKey::from_sec1_bytes($sec1)
            .ok()
            .map(|key| (key.to_sec1_point(false).as_bytes().to_vec(), Verifying::$variant(key)))
    };
}

/// A validated EC public key: a point on its curve other than the identity.
#[derive(Clone, Debug)]
pub struct EcPublicKey {
    curve: Curve,
    /// The point as SEC1 uncompressed octets, 0x04 || x || y.
    point: Vec<u8>,
    key: Verifying,
}

impl EcPublicKey {
    /// A key from JWK coordinates, each exactly the curve's coordinate length (RFC 7518 section
    /// 6.2.1.2: "MUST be the full size of a coordinate").
    pub fn from_coordinates(curve: Curve, x: &[u8], y: &[u8]) -> Result<Self> {
        let len = curve.coordinate_len();
        if x.len() != len || y.len() != len {
            return err(Code::JwkInvalid, format!("{} coordinates must be {len} octets each", curve.name()));
        }
        EcPublicKey::from_sec1(curve, &[&[0x04][..], x, y].concat())
    }

    /// A key from a SEC1 point (SEC 1 section 2.3.4), compressed or uncompressed, as an SPKI
    /// carries it (RFC 5480 section 2.2).
    /// Only SEC 1's compressed (0x02, 0x03) and uncompressed (0x04) forms, those RFC 5480 and
    /// OpenSSL take: RustCrypto's crates would also read 0x05, a "compact" x-only form.
    pub fn from_sec1(curve: Curve, sec1: &[u8]) -> Result<Self> {
        if !matches!(sec1.first(), Some(0x02..=0x04)) {
            return err(Code::JwkInvalid, format!("EC key is not a point on {} (or is the identity)", curve.name()));
        }
        let imported: Result<Option<(Vec<u8>, Verifying)>> = match curve {
            #[cfg(all(feature = "es256", not(feature = "p256-crate")))]
            Curve::P256 => Ok(crate::jwa::nistp256::VerifyingKey::from_sec1(sec1).map(|key| (key.to_uncompressed(), Verifying::P256(key)))),
            #[cfg(feature = "p256-crate")]
            Curve::P256 => Ok(import_sec1!(p256, P256, sec1)),
            #[cfg(feature = "es384")]
            Curve::P384 => Ok(crate::jwa::nistp384::VerifyingKey::from_sec1(sec1).map(|key| (key.to_uncompressed(), Verifying::P384(key)))),
            #[cfg(feature = "es512")]
            Curve::P521 => Ok(crate::jwa::nistp521::VerifyingKey::from_sec1(sec1).map(|key| (key.to_uncompressed(), Verifying::P521(key)))),
            #[allow(unreachable_patterns)]
            _ => {
                let _ = sec1;
                err(Code::NotSupported, format!("{} keys are not supported by this build", curve.name()))
            }
        };
        match imported? {
            Some((point, key)) => Ok(EcPublicKey { curve, point, key }),
            None => err(Code::JwkInvalid, format!("EC key is not a point on {} (or is the identity)", curve.name())),
        }
    }

    /// The curve.
    pub fn curve(&self) -> Curve {
        self.curve
    }

    /// The point as SEC1 uncompressed octets, 0x04 || x || y.
    pub fn sec1_uncompressed(&self) -> &[u8] {
        &self.point
    }

    /// The affine x coordinate, big-endian, the curve's coordinate length.
    pub fn x(&self) -> &[u8] {
        let len = self.curve.coordinate_len();
        self.point.get(1..1 + len).unwrap_or_default()
    }

    /// The affine y coordinate, big-endian, the curve's coordinate length.
    pub fn y(&self) -> &[u8] {
        let len = self.curve.coordinate_len();
        self.point.get(1 + len..).unwrap_or_default()
    }

    /// Verifies a JWS signature: `alg` must be the curve's, `signature` exactly `r || s` of the
    /// curve's length with `r` and `s` in 1..n-1, then ECDSA over the algorithm's hash of
    /// `message`. Every failure is the same `false`.
    pub fn verify(&self, alg: Alg, message: &[u8], signature: &[u8]) -> bool {
        if alg != self.curve.alg() {
            return false;
        }
        // Each takes exactly 2 * coordinate_len octets (so a DER signature, 6 to 9 octets
        // longer, is refused) and refuses r or s that is 0 or not below n.
        match &self.key {
            #[cfg(all(feature = "es256", not(feature = "p256-crate")))]
            Verifying::P256(k) => crate::jwa::nistp256::verify(k, message, signature),
            #[cfg(feature = "p256-crate")]
            Verifying::P256(k) => p256::ecdsa::Signature::from_slice(signature).is_ok_and(|s| k.verify(message, &s).is_ok()),
            #[cfg(feature = "es384")]
            Verifying::P384(k) => crate::jwa::nistp384::verify(k, message, signature),
            #[cfg(feature = "es512")]
            Verifying::P521(k) => crate::jwa::nistp521::verify(k, message, signature),
            #[allow(unreachable_patterns)]
            _ => {
                let _ = (message, signature);
                false
            }
        }
    }
}
