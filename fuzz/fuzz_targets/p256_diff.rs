//! Differential: our P-256 (`jwksgate::jwa::nistp256`, ES256's arithmetic) against RustCrypto's
//! `p256` on scalars the input picks. Bytes 0..32 are the key's secret d, 32..64 and 64..96 the
//! scalars a and b; then R = aG + bQ by p256, r = x(R) mod n, s = r / b and z = a s make a
//! signature whose verification computes exactly u1 = a and u2 = b, which both must accept;
//! the rest of the input flips bits of z, r or s, and the two must then agree. Byte 96's low bit
//! gives the key compressed instead. Key decoding is compared on the point with a flipped bit.
#![no_main]

use jwksgate::jwa::nistp256::VerifyingKey;
use libfuzzer_sys::fuzz_target;
use p256::ecdsa::signature::hazmat::PrehashVerifier;
use p256::elliptic_curve::ff::{Field, PrimeField};
use p256::elliptic_curve::ops::Reduce;
use p256::elliptic_curve::point::AffineCoordinates;
use p256::elliptic_curve::sec1::ToSec1Point;
use p256::{FieldBytes, ProjectivePoint, Scalar};

fn scalar(b: &[u8]) -> Scalar {
    <Scalar as Reduce<FieldBytes>>::reduce(&FieldBytes::try_from(b).unwrap())
}

fn theirs(key: &p256::ecdsa::VerifyingKey, z: &[u8; 32], sig: &[u8]) -> bool {
    p256::ecdsa::Signature::from_slice(sig).is_ok_and(|s| key.verify_prehash(z, &s).is_ok())
}

fuzz_target!(|data: &[u8]| {
    let Some((head, rest)) = data.split_at_checked(97) else { return };
    let d = scalar(&head[..32]);
    if bool::from(d.is_zero()) {
        return;
    }
    let (a, b) = (scalar(&head[32..64]), scalar(&head[64..96]));
    let q = ProjectivePoint::GENERATOR * d;
    let sec1 = q.to_affine().to_sec1_point(head[96] & 1 == 1);
    let ours = VerifyingKey::from_sec1(sec1.as_bytes()).expect("a valid point refused");
    let reference = p256::ecdsa::VerifyingKey::from_sec1_bytes(sec1.as_bytes()).unwrap();
    assert_eq!(ours.to_uncompressed(), reference.to_sec1_point(false).as_bytes());

    let point = ProjectivePoint::GENERATOR * a + q * b;
    if bool::from(b.is_zero()) || point == ProjectivePoint::IDENTITY {
        return;
    }
    let r = <Scalar as Reduce<FieldBytes>>::reduce(&point.to_affine().x());
    if bool::from(r.is_zero()) {
        return;
    }
    let s = r * b.invert().unwrap();
    let mut z: [u8; 32] = (a * s).to_repr().into();
    let mut sig = [r.to_repr().as_slice(), s.to_repr().as_slice()].concat();
    assert!(ours.verify_prehash(&z, &sig), "u1 = a, u2 = b refused");
    for pair in rest.chunks_exact(2) {
        let at = pair[0] as usize % 96;
        if at < 32 {
            z[at] ^= pair[1];
        } else {
            sig[at - 32] ^= pair[1];
        }
    }
    assert_eq!(ours.verify_prehash(&z, &sig), theirs(&reference, &z, &sig), "verify disagrees");

    let mut bad = sec1.as_bytes().to_vec();
    if let Some((&i, _)) = rest.split_first() {
        let len = bad.len();
        bad[1 + i as usize % (len - 1)] ^= 1 << (i % 8);
        let o = VerifyingKey::from_sec1(&bad);
        let t = p256::ecdsa::VerifyingKey::from_sec1_bytes(&bad).ok();
        assert_eq!(o.is_some(), t.is_some(), "key decoding disagrees");
        if let (Some(o), Some(t)) = (o, t) {
            assert_eq!(o.to_uncompressed(), t.to_sec1_point(false).as_bytes());
        }
    }
});
