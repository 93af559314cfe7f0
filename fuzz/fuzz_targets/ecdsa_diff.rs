//! Differential: ES256, ES384 and ES512 verification (`EcPublicKey::verify`: our own P-256,
//! P-384 and P-521 of src/jwa/nistp256/, nistp384/, nistp521/) against the ECDSA equation
//! written out here from the same crates' field and group operations (FIPS 186-5 section 6.4.2:
//! r, s in 1..n-1, R = (z s^-1) G + (r s^-1) Q by two separate multiplications, R not the
//! identity, x(R) mod n = r). Byte 0 picks the curve and the mode; the key is derived from the
//! input; signatures are made by the crate's RFC 6979 signer and then mutated by the input, or
//! taken from it whole, and the public point is sometimes corrupted.
#![no_main]

use jwksgate::{Alg, Curve, EcPublicKey};
use libfuzzer_sys::fuzz_target;

macro_rules! reference {
    ($k:ident, $hash:ty, $point:expr, $msg:expr, $sig:expr) => {{
        #[allow(unused_imports)] // p256 needs Field for is_zero; p384 and p521 have it inherent
        use $k::elliptic_curve::ff::{Field, PrimeField};
        use $k::elliptic_curve::group::Group;
        use $k::elliptic_curve::ops::Reduce;
        use $k::elliptic_curve::point::AffineCoordinates;
        use $k::elliptic_curve::sec1::FromSec1Point;
        use sha2::Digest;
        (|| -> Option<bool> {
            let sec1 = $k::Sec1Point::from_bytes($point).ok()?;
            let q: Option<$k::AffinePoint> = $k::AffinePoint::from_sec1_point(&sec1).into();
            let q = $k::ProjectivePoint::from(q?);
            if bool::from(q.is_identity()) {
                return None;
            }
            let len = $sig.len() / 2;
            if $sig.len() != 2 * <$k::FieldBytes>::default().len() {
                return Some(false);
            }
            let scalar = |b: &[u8]| -> Option<$k::Scalar> { Option::from($k::Scalar::from_repr(<$k::FieldBytes>::try_from(b).ok()?)) };
            let (Some(r), Some(s)) = (scalar(&$sig[..len]), scalar(&$sig[len..])) else { return Some(false) };
            if bool::from(r.is_zero()) || bool::from(s.is_zero()) {
                return Some(false);
            }
            // z: the hash as an integer, left-padded to the field length (SHA-512 is shorter than
            // P-521's 66 octets; the others are exactly as long), reduced mod n.
            let digest = <$hash>::digest($msg);
            let mut z = <$k::FieldBytes>::default();
            let at = z.len() - digest.len();
            z[at..].copy_from_slice(&digest);
            let z = <$k::Scalar as Reduce<$k::FieldBytes>>::reduce(&z);
            let s_inv = Option::<$k::Scalar>::from(s.invert())?;
            let point = $k::ProjectivePoint::generator() * (z * s_inv) + q * (r * s_inv);
            if bool::from(point.is_identity()) {
                return Some(false);
            }
            let x = point.to_affine().x();
            Some(<$k::Scalar as Reduce<$k::FieldBytes>>::reduce(&x) == r)
        })()
    }};
}

macro_rules! sign {
    ($k:ident, $seed:expr, $msg:expr) => {{
        use $k::ecdsa::signature::Signer;
        let mut bytes = <$k::FieldBytes>::default();
        let n = bytes.len().min($seed.len());
        bytes[1..n].copy_from_slice(&$seed[1..n]); // top octet 0: below n on every curve
        bytes[n - 1] |= 1;
        let key = $k::ecdsa::SigningKey::from_bytes(&bytes).ok()?;
        let sig: $k::ecdsa::Signature = key.sign($msg);
        Some((key.verifying_key().to_sec1_point(false).as_bytes().to_vec(), sig.to_bytes().to_vec()))
    }};
}

fn signed(curve: Curve, seed: &[u8], msg: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    match curve {
        Curve::P256 => sign!(p256, seed, msg),
        Curve::P384 => sign!(p384, seed, msg),
        Curve::P521 => sign!(p521, seed, msg),
    }
}

fn reference(curve: Curve, point: &[u8], msg: &[u8], sig: &[u8]) -> Option<bool> {
    match curve {
        Curve::P256 => reference!(p256, sha2::Sha256, point, msg, sig),
        Curve::P384 => reference!(p384, sha2::Sha384, point, msg, sig),
        Curve::P521 => reference!(p521, sha2::Sha512, point, msg, sig),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else { return };
    let curve = Curve::ALL[(sel % 3) as usize];
    let Some((seed, rest)) = rest.split_at_checked(66) else { return };
    let Some((&msg_len, rest)) = rest.split_first() else { return };
    let Some((msg, rest)) = rest.split_at_checked((msg_len as usize).min(rest.len())) else { return };
    let Some((mut point, mut sig)) = signed(curve, seed, msg) else { return };
    match (sel / 3) % 4 {
        0 => {} // as signed
        1 => {
            for pair in rest.chunks_exact(2) {
                let len = sig.len();
                if let Some(b) = sig.get_mut(pair[0] as usize % len) {
                    *b ^= pair[1];
                }
            }
        }
        2 => sig = rest.to_vec(),
        _ => {
            for pair in rest.chunks_exact(2) {
                let len = point.len();
                if let Some(b) = point.get_mut(1 + pair[0] as usize % (len - 1)) {
                    *b ^= pair[1];
                }
            }
        }
    }
    let ours = EcPublicKey::from_sec1(curve, &point);
    let theirs = reference(curve, &point, msg, &sig);
    match (ours, theirs) {
        (Ok(key), Some(want)) => {
            assert_eq!(key.verify(curve.alg(), msg, &sig), want, "{curve:?}: disagree");
            // Only the curve's own algorithm verifies with it.
            let other = if curve.alg() == Alg::ES256 { Alg::ES384 } else { Alg::ES256 };
            assert!(!key.verify(other, msg, &sig));
        }
        (Err(_), None) => {}
        (ours, theirs) => panic!("{curve:?}: key import disagrees: ours {:?}, reference {}", ours.map(|_| ()), theirs.is_some()),
    }
});
