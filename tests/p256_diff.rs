//! Differential: our P-256 (`jwa::nistp256`, ES256's arithmetic) against RustCrypto's `p256`.
//! Key decoding (compressed and uncompressed points, coordinates at and above p, points off
//! the curve) must agree; verification must agree on signatures made by p256's signer and
//! mutated, on r and s at the edges of 1..n-1, and on "signatures" built from chosen scalars:
//! for any a and b, R = aG + bQ (computed by p256), r = x(R) mod n, s = r / b and z = a s make
//! u1 = a and u2 = b, so the double-scalar multiplication is checked on the scalars we pick
//! (small, large, a chunk of 64 one bits, R the identity, aG = bQ), not only those a hash gives.
#![cfg(all(feature = "es256", not(feature = "p256-crate")))]

use jwksgate::jwa::nistp256::VerifyingKey;
use p256::ecdsa::signature::hazmat::PrehashVerifier;
use p256::ecdsa::signature::Signer;
use p256::elliptic_curve::ff::{Field, PrimeField};
use p256::elliptic_curve::ops::Reduce;
use p256::elliptic_curve::point::AffineCoordinates;
use p256::elliptic_curve::sec1::ToSec1Point;
use p256::{FieldBytes, ProjectivePoint, Scalar};
use rand::{Rng, RngCore, SeedableRng};

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

/// Fewer cases under wasm (`make test-wasm`), where p256's arithmetic is slow.
const SCALE: usize = if cfg!(target_arch = "wasm32") { 5 } else { 1 };

const N: [u8; 32] = hex32("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
const P: [u8; 32] = hex32("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff");

const fn hex32(s: &str) -> [u8; 32] {
    let s = s.as_bytes();
    let mut out = [0u8; 32];
    let mut i = 0;
    while i < 32 {
        out[i] = nibble(s[2 * i]) << 4 | nibble(s[2 * i + 1]);
        i += 1;
    }
    out
}

const fn nibble(c: u8) -> u8 {
    if c <= b'9' {
        c - b'0'
    } else {
        c - b'a' + 10
    }
}

fn rng() -> rand::rngs::StdRng {
    rand::rngs::StdRng::seed_from_u64(0x9256)
}

fn scalar(bytes: [u8; 32]) -> Scalar {
    <Scalar as Reduce<FieldBytes>>::reduce(&bytes.into())
}

fn reference_key(sec1: &[u8]) -> Option<p256::ecdsa::VerifyingKey> {
    p256::ecdsa::VerifyingKey::from_sec1_bytes(sec1).ok()
}

fn reference_verify(key: &p256::ecdsa::VerifyingKey, z: &[u8; 32], sig: &[u8]) -> bool {
    p256::ecdsa::Signature::from_slice(sig).is_ok_and(|s| key.verify_prehash(z, &s).is_ok())
}

/// A signature (r, s) and digest z for which u1 = a and u2 = b under the public point q; None
/// when b is 0, R the identity or r 0.
fn chosen(q: &ProjectivePoint, a: Scalar, b: Scalar) -> Option<([u8; 32], Vec<u8>)> {
    let point = ProjectivePoint::GENERATOR * a + *q * b;
    if bool::from(b.is_zero()) || point == ProjectivePoint::IDENTITY {
        return None;
    }
    let r = <Scalar as Reduce<FieldBytes>>::reduce(&point.to_affine().x());
    if bool::from(r.is_zero()) {
        return None;
    }
    let s = r * Option::<Scalar>::from(b.invert())?;
    let z = a * s;
    Some((z.to_repr().into(), [r.to_repr().as_slice(), s.to_repr().as_slice()].concat()))
}

#[test]
fn keys_decode_as_p256_decodes_them() {
    let mut rng = rng();
    let mut checked = 0;
    for i in 0..600 / SCALE {
        let key = p256::ecdsa::SigningKey::from_bytes(&scalar(rng.gen()).to_repr()).unwrap();
        let vk = key.verifying_key();
        let uncompressed = vk.to_sec1_point(false).as_bytes().to_vec();
        let compressed = vk.to_sec1_point(true).as_bytes().to_vec();
        let mut candidates = vec![uncompressed.clone(), compressed.clone()];
        // Off the curve, a flipped tag, random x (half of them are on the curve), x or y >= p.
        let mut off = uncompressed.clone();
        off[64] ^= 1 << (i % 8);
        candidates.push(off);
        let mut flipped = compressed.clone();
        flipped[0] ^= 1;
        candidates.push(flipped);
        let mut random_x = vec![2 + (i % 2) as u8];
        random_x.extend(rng.gen::<[u8; 32]>());
        candidates.push(random_x);
        let mut high = compressed.clone();
        high[1..].copy_from_slice(&P);
        candidates.push(high.clone());
        high[32] += (i % 5) as u8;
        candidates.push(high);
        let mut y_high = uncompressed.clone();
        y_high[33..].copy_from_slice(&P);
        candidates.push(y_high);
        candidates.extend([vec![0], vec![0x04; 65], uncompressed[..64].to_vec(), compressed[..32].to_vec()]);
        // p256 also reads 0x05 || x, a "compact" form outside SEC 1; EcPublicKey refuses it
        // for every curve before the arithmetic sees it, and so does ours.
        let mut compact = compressed.clone();
        compact[0] = 0x05;
        assert!(VerifyingKey::from_sec1(&compact).is_none());
        for c in candidates {
            let ours = VerifyingKey::from_sec1(&c);
            let theirs = reference_key(&c);
            assert_eq!(ours.is_some(), theirs.is_some(), "key import disagrees on {c:02x?}");
            if let (Some(o), Some(t)) = (ours, theirs) {
                assert_eq!(o.to_uncompressed(), t.to_sec1_point(false).as_bytes(), "decoded points differ");
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 600 / SCALE * 12);
}

#[test]
fn signatures_verify_as_p256_verifies_them() {
    let mut rng = rng();
    let (mut accepted, mut refused) = (0, 0);
    for i in 0..300 / SCALE {
        let key = p256::ecdsa::SigningKey::from_bytes(&scalar(rng.gen()).to_repr()).unwrap();
        let vk = *key.verifying_key();
        let ours = VerifyingKey::from_sec1(vk.to_sec1_point(i % 2 == 0).as_bytes()).unwrap();
        let mut msg = vec![0u8; rng.gen_range(0..200)];
        rng.fill_bytes(&mut msg);
        let sig: p256::ecdsa::Signature = key.sign(&msg);
        let sig = sig.to_bytes().to_vec();
        let z: [u8; 32] = <sha2::Sha256 as sha2::Digest>::digest(&msg).into();
        let mut cases = vec![sig.clone()];
        for _ in 0..4 {
            let mut m = sig.clone();
            m[rng.gen_range(0..64)] ^= 1 << rng.gen_range(0..8);
            cases.push(m);
        }
        // r or s at and around the edges of 1..n-1, and high S (n - s, which ECDSA accepts).
        let s = Scalar::from_repr(FieldBytes::try_from(&sig[32..]).unwrap()).unwrap();
        cases.push([&sig[..32], (-s).to_repr().as_slice()].concat());
        let mut edge = |v: [u8; 32], second: bool| {
            let mut m = sig.clone();
            m[if second { 32..64 } else { 0..32 }].copy_from_slice(&v);
            cases.push(m);
        };
        let mut n_minus_1 = N;
        n_minus_1[31] -= 1;
        let mut one = [0u8; 32];
        one[31] = 1;
        for v in [[0u8; 32], one, n_minus_1, N, [0xff; 32], P] {
            edge(v, false);
            edge(v, true);
        }
        cases.push(sig[..63].to_vec());
        cases.push([&sig[..], &[0]].concat());
        for c in &cases {
            let want = reference_verify(&vk, &z, c);
            assert_eq!(ours.verify_prehash(&z, c), want, "verify disagrees on {c:02x?}");
            assert_eq!(ours.verify(&msg, c), want);
            if want { accepted += 1 } else { refused += 1 }
        }
        // The digest reduced mod n: z and z + n (when below 2^256) are the same message.
        let mut wrong_z = z;
        wrong_z[31] ^= 1;
        assert_eq!(ours.verify_prehash(&wrong_z, &sig), reference_verify(&vk, &wrong_z, &sig));
    }
    assert!(accepted >= 600 / SCALE && refused >= 300 / SCALE * 15, "{accepted} accepted, {refused} refused");
}

#[test]
fn double_scalar_multiplication_on_chosen_scalars() {
    let mut rng = rng();
    let mut ran = 0;
    for i in 0..(200 / SCALE) as u32 {
        let d = scalar(rng.gen());
        let q = ProjectivePoint::GENERATOR * d;
        let sec1 = q.to_affine().to_sec1_point(false);
        let ours = VerifyingKey::from_sec1(sec1.as_bytes()).unwrap();
        let theirs = reference_key(sec1.as_bytes()).unwrap();
        let mut ones = [0u8; 32];
        ones[8 * (i as usize % 4)..8 * (i as usize % 4) + 8].fill(0xff); // one chunk all ones
        let small = |v: u64| Scalar::from(v);
        let pairs = [
            (scalar(rng.gen()), scalar(rng.gen())),
            (small(0), scalar(rng.gen())),
            (small(u64::from(i) + 1), small(u64::from(i) + 2)),
            (scalar(ones), scalar(ones)),
            (-small(1), -small(u64::from(i) + 1)),
            (scalar(rng.gen()), small(1)),
            // aG = bQ: every chunk's partial sums meet the other's at the same point.
            (d * small(u64::from(i) + 3), small(u64::from(i) + 3)),
            (d, small(1)),
        ];
        for (a, b) in pairs {
            let Some((z, sig)) = chosen(&q, a, b) else { continue };
            assert!(reference_verify(&theirs, &z, &sig), "the construction is wrong");
            assert!(ours.verify_prehash(&z, &sig), "u1 = {a:?}, u2 = {b:?}");
            let mut z1 = z;
            z1[31] ^= 1;
            assert_eq!(ours.verify_prehash(&z1, &sig), reference_verify(&theirs, &z1, &sig));
            ran += 1;
        }
        // R the identity: z = -r d makes u1 G + u2 Q = s^-1 (z + r d) G = 0; refused by both.
        let r = scalar(rng.gen());
        let s = scalar(rng.gen());
        let z: [u8; 32] = (-(r * d)).to_repr().into();
        let sig = [r.to_repr().as_slice(), s.to_repr().as_slice()].concat();
        assert!(!reference_verify(&theirs, &z, &sig));
        assert!(!ours.verify_prehash(&z, &sig));
    }
    assert!(ran >= 200 / SCALE * 6, "{ran}");
}
