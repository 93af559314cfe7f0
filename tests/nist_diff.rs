//! Differential: our P-256, P-384 and P-521 (`jwa::nistp256`, `jwa::nistp384`,
//! `jwa::nistp521`, ES256's, ES384's and ES512's arithmetic over `jwa::weierstrass`) against
//! RustCrypto's `p256`, `p384` and `p521`, one table of cases for the three. Key decoding
//! (compressed and uncompressed points, coordinates at and above p, points off the curve,
//! lengths) must agree; verification must agree on signatures made by the crates' signers and
//! mutated, on r and s at the edges of 1..n-1, and on "signatures" built from chosen scalars:
//! for any a and b, R = aG + bQ (by the crate), r = x(R) mod n, s = r / b and z = a s make
//! u1 = a and u2 = b, so the double-scalar multiplication is checked on the scalars we pick
//! (small, large, a chunk of one bits, R the identity, aG = bQ), not only those a hash gives;
//! each both by a key's first verification (the scalar uncut, no tables) and by a key with its
//! tables.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

/// Fewer cases under wasm (`make test-wasm`), where the reference arithmetic is slow.
const SCALE: usize = if cfg!(target_arch = "wasm32") { 10 } else { 1 };

fn hex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

macro_rules! differential {
    ($cfg:meta, $curve:ident, $ours:ty, $krate:ident, $hash:ty, $len:literal, $n:literal, $p:literal, $seed:literal, $times:literal) => {
        #[cfg($cfg)]
        mod $curve {
            use super::{hex, SCALE};
            use $krate::ecdsa::signature::hazmat::PrehashVerifier;
            use $krate::ecdsa::signature::Signer;
            #[allow(unused_imports)]
            use $krate::elliptic_curve::ff::{Field, PrimeField};
            use $krate::elliptic_curve::ops::Reduce;
            use $krate::elliptic_curve::point::AffineCoordinates;
            use $krate::elliptic_curve::sec1::ToSec1Point;
            use $krate::{FieldBytes, ProjectivePoint, Scalar};
            type VerifyingKey = $ours;
            use rand::{Rng, RngCore, SeedableRng};

            #[cfg(target_arch = "wasm32")]
            use wasm_bindgen_test::wasm_bindgen_test as test;

            const LEN: usize = $len;
            /// Rounds of each test, over SCALE.
            const TIMES: usize = $times;

            fn rng() -> rand::rngs::StdRng {
                rand::rngs::StdRng::seed_from_u64($seed)
            }

            fn random_bytes(rng: &mut impl RngCore) -> Vec<u8> {
                let mut b = vec![0u8; LEN];
                rng.fill_bytes(&mut b);
                b
            }

            fn scalar(bytes: &[u8]) -> Scalar {
                <Scalar as Reduce<FieldBytes>>::reduce(&FieldBytes::try_from(bytes).unwrap())
            }

            fn reference_key(sec1: &[u8]) -> Option<$krate::ecdsa::VerifyingKey> {
                $krate::ecdsa::VerifyingKey::from_sec1_bytes(sec1).ok()
            }

            fn reference_verify(key: &$krate::ecdsa::VerifyingKey, z: &[u8], sig: &[u8]) -> bool {
                $krate::ecdsa::Signature::from_slice(sig).is_ok_and(|s| key.verify_prehash(z, &s).is_ok())
            }

            /// A signature (r, s) and digest z for which u1 = a and u2 = b under the public point
            /// q; None when b is 0, R the identity or r 0.
            fn chosen(q: &ProjectivePoint, a: Scalar, b: Scalar) -> Option<(Vec<u8>, Vec<u8>)> {
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
                Some((z.to_repr().to_vec(), [r.to_repr().as_slice(), s.to_repr().as_slice()].concat()))
            }

            fn signing_key(rng: &mut impl RngCore) -> $krate::ecdsa::SigningKey {
                $krate::ecdsa::SigningKey::from_bytes(&scalar(&random_bytes(rng)).to_repr()).unwrap()
            }

            #[test]
            fn keys_decode_as_the_crate_decodes_them() {
                let mut rng = rng();
                let p = hex($p);
                let mut checked = 0;
                for i in 0..300 * TIMES / SCALE {
                    let vk = *signing_key(&mut rng).verifying_key();
                    let uncompressed = vk.to_sec1_point(false).as_bytes().to_vec();
                    let compressed = vk.to_sec1_point(true).as_bytes().to_vec();
                    let mut candidates = vec![uncompressed.clone(), compressed.clone()];
                    // Off the curve, a flipped tag, random x (half of them are on the curve),
                    // x or y at or above p, every bit above p's set, the identity, lengths.
                    let mut off = uncompressed.clone();
                    off[2 * LEN] ^= 1 << (i % 8);
                    candidates.push(off);
                    let mut flipped = compressed.clone();
                    flipped[0] ^= 1;
                    candidates.push(flipped);
                    let mut random_x = vec![2 + (i % 2) as u8];
                    random_x.extend(random_bytes(&mut rng));
                    candidates.push(random_x);
                    let mut high = compressed.clone();
                    high[1..].copy_from_slice(&p);
                    candidates.push(high.clone());
                    high[LEN] = high[LEN].wrapping_add((i % 5) as u8);
                    candidates.push(high);
                    let mut y_high = uncompressed.clone();
                    y_high[1 + LEN..].copy_from_slice(&p);
                    candidates.push(y_high);
                    let mut x_top = compressed.clone();
                    x_top[1] = 0xff;
                    candidates.push(x_top);
                    candidates.extend([vec![0], vec![0x04; 1 + 2 * LEN], uncompressed[..2 * LEN].to_vec(), compressed[..LEN].to_vec()]);
                    candidates.push([&uncompressed[..], &[0]].concat());
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
                assert_eq!(checked, 300 * TIMES / SCALE * 14);
            }

            #[test]
            fn signatures_verify_as_the_crate_verifies_them() {
                let mut rng = rng();
                let (mut accepted, mut refused) = (0, 0);
                let (n, p) = (hex($n), hex($p));
                for i in 0..150 * TIMES / SCALE {
                    let key = signing_key(&mut rng);
                    let vk = *key.verifying_key();
                    let ours = VerifyingKey::from_sec1(vk.to_sec1_point(i % 2 == 0).as_bytes()).unwrap();
                    let mut msg = vec![0u8; rng.gen_range(0..200)];
                    rng.fill_bytes(&mut msg);
                    let sig: $krate::ecdsa::Signature = key.sign(&msg);
                    let sig = sig.to_bytes().to_vec();
                    let z = <$hash as sha2::Digest>::digest(&msg).to_vec();
                    let mut cases = vec![sig.clone()];
                    for _ in 0..4 {
                        let mut m = sig.clone();
                        m[rng.gen_range(0..2 * LEN)] ^= 1 << rng.gen_range(0..8);
                        cases.push(m);
                    }
                    // r or s at and around the edges of 1..n-1, and high S (n - s, which ECDSA
                    // accepts).
                    let s = Scalar::from_repr(FieldBytes::try_from(&sig[LEN..]).unwrap()).unwrap();
                    cases.push([&sig[..LEN], (-s).to_repr().as_slice()].concat());
                    let mut edge = |v: &[u8], second: bool| {
                        let mut m = sig.clone();
                        m[if second { LEN..2 * LEN } else { 0..LEN }].copy_from_slice(v);
                        cases.push(m);
                    };
                    let mut n_minus_1 = n.clone();
                    n_minus_1[LEN - 1] -= 1;
                    let mut n_plus_1 = n.clone();
                    n_plus_1[LEN - 1] += 1;
                    let mut one = vec![0u8; LEN];
                    one[LEN - 1] = 1;
                    for v in [&vec![0u8; LEN], &one, &n_minus_1, &n, &n_plus_1, &vec![0xff; LEN], &p] {
                        edge(v, false);
                        edge(v, true);
                    }
                    cases.push(sig[..2 * LEN - 1].to_vec());
                    cases.push([&sig[..], &[0]].concat());
                    for c in &cases {
                        let want = reference_verify(&vk, &z, c);
                        assert_eq!(ours.verify_prehash(&z, c), want, "verify disagrees on {c:02x?}");
                        assert_eq!(ours.verify(&msg, c), want);
                        if want {
                            accepted += 1
                        } else {
                            refused += 1
                        }
                    }
                    let mut wrong_z = z.clone();
                    wrong_z[z.len() - 1] ^= 1;
                    assert_eq!(ours.verify_prehash(&wrong_z, &sig), reference_verify(&vk, &wrong_z, &sig));
                }
                assert!(accepted >= 300 * TIMES / SCALE && refused >= 150 * TIMES / SCALE * 15, "{accepted} accepted, {refused} refused");
            }

            #[test]
            fn double_scalar_multiplication_on_chosen_scalars() {
                let mut rng = rng();
                let mut ran = 0;
                for i in 0..(100 * TIMES / SCALE) as u32 {
                    let d = scalar(&random_bytes(&mut rng));
                    let q = ProjectivePoint::GENERATOR * d;
                    let sec1 = q.to_affine().to_sec1_point(false);
                    // `ours` makes its tables on its second verification (the first pair's z1) and
                    // uses them from then on; a fresh key for each pair runs the first
                    // verification's path, the scalar uncut.
                    let ours = VerifyingKey::from_sec1(sec1.as_bytes()).unwrap();
                    let theirs = reference_key(sec1.as_bytes()).unwrap();
                    // One 32-bit chunk all ones, then a run of 64 ones across two chunks.
                    let mut ones = vec![0u8; LEN];
                    let at = 4 * (i as usize % (LEN / 4 - 2));
                    ones[at..at + 4 + 4 * (i as usize % 2)].fill(0xff);
                    let small = |v: u64| Scalar::from(v);
                    let pairs = [
                        (scalar(&random_bytes(&mut rng)), scalar(&random_bytes(&mut rng))),
                        (small(0), scalar(&random_bytes(&mut rng))),
                        (small(u64::from(i) + 1), small(u64::from(i) + 2)),
                        (scalar(&ones), scalar(&ones)),
                        (-small(1), -small(u64::from(i) + 1)),
                        (scalar(&random_bytes(&mut rng)), small(1)),
                        // aG = bQ: every chunk's partial sums meet the other's at the same point.
                        (d * small(u64::from(i) + 3), small(u64::from(i) + 3)),
                        (d, small(1)),
                    ];
                    for (a, b) in pairs {
                        let Some((z, sig)) = chosen(&q, a, b) else { continue };
                        assert!(reference_verify(&theirs, &z, &sig), "the construction is wrong");
                        assert!(ours.verify_prehash(&z, &sig), "u1 = {a:?}, u2 = {b:?}");
                        let mut z1 = z.clone();
                        z1[LEN - 1] ^= 1;
                        let want = reference_verify(&theirs, &z1, &sig);
                        assert_eq!(ours.verify_prehash(&z1, &sig), want);
                        let fresh = || VerifyingKey::from_sec1(sec1.as_bytes()).unwrap();
                        assert!(fresh().verify_prehash(&z, &sig), "first verification: u1 = {a:?}, u2 = {b:?}");
                        assert_eq!(fresh().verify_prehash(&z1, &sig), want);
                        ran += 1;
                    }
                    // R the identity: z = -r d makes u1 G + u2 Q = s^-1 (z + r d) G = 0; refused
                    // by both.
                    let r = scalar(&random_bytes(&mut rng));
                    let s = scalar(&random_bytes(&mut rng));
                    let z = (-(r * d)).to_repr().to_vec();
                    let sig = [r.to_repr().as_slice(), s.to_repr().as_slice()].concat();
                    assert!(!reference_verify(&theirs, &z, &sig));
                    assert!(!ours.verify_prehash(&z, &sig));
                    assert!(!VerifyingKey::from_sec1(sec1.as_bytes()).unwrap().verify_prehash(&z, &sig));
                }
                assert!(ran >= 100 * TIMES / SCALE * 6, "{ran}");
            }
        }
    };
}

// P-256 twice the rounds of the others: it was tests/p256_diff.rs's count, and it is cheap.
differential!(
    all(feature = "es256", not(feature = "p256-crate")),
    p256,
    jwksgate::jwa::nistp256::VerifyingKey,
    p256,
    sha2::Sha256,
    32,
    "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551",
    "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff",
    0x9256,
    2
);

differential!(
    feature = "es384",
    p384,
    jwksgate::jwa::nistp384::VerifyingKey,
    p384,
    sha2::Sha384,
    48,
    "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973",
    "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff",
    0x9384,
    1
);

differential!(
    feature = "es512",
    p521,
    jwksgate::jwa::nistp521::VerifyingKey,
    p521,
    sha2::Sha512,
    66,
    "01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409",
    "01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    0x9521,
    1
);

/// The test file has rows for each curve its build has.
#[test]
fn some_curve_is_built() {
    assert!(cfg!(feature = "es256") || cfg!(feature = "es384") || cfg!(feature = "es512"));
    let _ = hex("00");
}

/// P-521's digest is taken as an integer mod n whatever its 66 octets (`verify_prehash`'s
/// contract): z + n and z + 2n verify as z does. p521 reduces by one subtraction of n, so its
/// answer above 2n is out of its own contract (found by the fuzz target `nist_diff`, which now
/// keeps z below 2^521); ES512 hashes with SHA-512, 64 octets, below n.
#[cfg(feature = "es512")]
#[test]
fn p521_digest_is_taken_mod_n() {
    use ::p521::ecdsa::signature::hazmat::PrehashSigner;
    let key = ::p521::ecdsa::SigningKey::from_bytes(&hex(&format!("00{}", "52".repeat(65))).as_slice().try_into().unwrap()).unwrap();
    let ours = jwksgate::jwa::nistp521::VerifyingKey::from_sec1(key.verifying_key().to_sec1_point(false).as_bytes()).unwrap();
    let z = [&[0u8, 0][..], &<sha2::Sha512 as sha2::Digest>::digest(b"payload")[..]].concat();
    let sig: ::p521::ecdsa::Signature = key.sign_prehash(&z).unwrap();
    let sig = sig.to_bytes().to_vec();
    let n = hex("01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409");
    let plus = |z: &[u8], k: u16| -> Vec<u8> {
        let mut out = z.to_vec();
        let mut carry = 0u32;
        for i in (0..66).rev() {
            let v = u32::from(out[i]) + u32::from(k) * u32::from(n[i]) + carry;
            out[i] = v as u8;
            carry = v >> 8;
        }
        assert_eq!(carry, 0);
        out
    };
    // A key's first verification, then one with its tables.
    for _ in 0..2 {
        assert!(ours.verify_prehash(&z, &sig), "z");
        assert!(ours.verify_prehash(&plus(&z, 1), &sig), "z + n");
        assert!(ours.verify_prehash(&plus(&z, 2), &sig), "z + 2n");
    }
}
