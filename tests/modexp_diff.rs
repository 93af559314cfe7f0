//! Differential tests of our Montgomery RSA public operation (src/jwa/modexp.rs) and of RSASSA
//! verification (RFC 8017 sections 8.1.2 and 8.2.2) against the `rsa` crate as the reference:
//! random moduli and exponents, real keys with valid and corrupted signatures, and every
//! Wycheproof RSA signature vector we carry. Both sides must agree on every input. Runs natively
//! and under wasm (`wasm-pack test --node`), where the counts are smaller: wasm is slower.

use jwksgate::jwa::modexp::PublicOp;
use jwksgate::{b64, Alg, RsaPublicKey};
use rand::rngs::StdRng;
use rand::{Rng, RngCore, SeedableRng};
use rsa::traits::PublicKeyParts;
use rsa::{BigUint, Pkcs1v15Sign, Pss, RsaPrivateKey};
use rsa::sha2::{Digest, Sha256, Sha384, Sha512};

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

/// Fewer cases under wasm, where the reference arithmetic and key generation are slower.
const SCALE: usize = if cfg!(target_arch = "wasm32") { 5 } else { 1 };

const SEED: u64 = 0x6a77_6b73_6761_7465; // "jwksgate"

fn random_odd(rng: &mut StdRng, bits: usize) -> Vec<u8> {
    let mut n = vec![0u8; bits.div_ceil(8)];
    rng.fill_bytes(&mut n);
    let top_bits = bits - 8 * (n.len() - 1);
    n[0] &= 0xff >> (8 - top_bits);
    n[0] |= 1 << (top_bits - 1);
    *n.last_mut().unwrap() |= 1;
    n
}

fn left_pad(bytes: &[u8], k: usize) -> Vec<u8> {
    let mut out = vec![0u8; k - bytes.len()];
    out.extend_from_slice(bytes);
    out
}

/// s^e mod n for thousands of random odd moduli of every size class (including moduli whose
/// top 32-bit limb is partly filled), random exponents and random s, in and out of range.
#[test]
fn modpow_agrees_with_biguint() {
    let mut rng = StdRng::seed_from_u64(SEED);
    let mut compared = 0usize;
    let mut out_of_range = 0usize;
    for case in 0..3000 / SCALE {
        let bits = match case % 10 {
            0..=4 => 2048,
            5 => 3072,
            6 => 4096,
            7 => 8192,
            8 => rng.gen_range(2040..=4100),
            _ => rng.gen_range(17..=600),
        };
        let n = random_odd(&mut rng, bits);
        let e: u64 = match case % 7 {
            0 => 3,
            1 => (1 << 33) - 1,
            2 => rng.gen_range(1u64..1 << 32) * 2 + 1,
            3 => rng.gen_range(1u64..1 << 16) * 2 + 1,
            _ => 65537,
        };
        let k = n.len();
        let op = PublicOp::new(&n, e);
        let nb = BigUint::from_bytes_be(&n);
        // Mostly s < n; sometimes s = n - 1, 0, 1, or s >= n (which must be refused).
        let s: Vec<u8> = match case % 13 {
            0 => (nb.clone() - 1u32).to_bytes_be(),
            1 => vec![0],
            2 => vec![1],
            3 => n.clone(),
            4 => vec![0xff; k],
            _ => {
                let mut s = vec![0u8; k];
                rng.fill_bytes(&mut s);
                s[0] %= n[0].max(1);
                s
            }
        };
        let s = left_pad(&s, k);
        let sb = BigUint::from_bytes_be(&s);
        let got = op.apply(&s);
        if sb >= nb {
            assert!(got.is_none(), "case {case}: s >= n accepted");
            out_of_range += 1;
            continue;
        }
        let want = left_pad(&sb.modpow(&BigUint::from(e), &nb).to_bytes_be(), k);
        assert_eq!(got.as_deref(), Some(&want[..]), "case {case}: {bits}-bit n, e = {e}");
        compared += 1;
    }
    assert!(compared > 2500 / SCALE && out_of_range > 100 / SCALE, "{compared} compared, {out_of_range} out of range");
}

/// Every limb count from 1 to 45 and the largest ones, in both limb widths: the SIMD kernels
/// lay limbs out four to a vector and rows two to a pass, so each count modulo 4 (and each
/// parity) takes its own path through the masked and the padded groups.
#[test]
fn every_limb_count_agrees_with_biguint() {
    let mut rng = StdRng::seed_from_u64(SEED ^ 1);
    let sizes = (17..=1260).step_by(9).chain(8100..=8192);
    let mut compared = 0usize;
    for bits in sizes.step_by(if cfg!(target_arch = "wasm32") { 2 } else { 1 }) {
        let n = random_odd(&mut rng, bits);
        let nb = BigUint::from_bytes_be(&n);
        for e in [3u64, 65537] {
            let mut s = vec![0u8; n.len()];
            rng.fill_bytes(&mut s);
            s[0] %= n[0];
            let sb = BigUint::from_bytes_be(&s);
            let want = left_pad(&sb.modpow(&BigUint::from(e), &nb).to_bytes_be(), n.len());
            assert_eq!(PublicOp::new(&n, e).apply(&s), Some(want), "{bits}-bit n, e = {e}");
            compared += 1;
        }
    }
    assert!(compared > 200 / SCALE);
}

/// Limb boundaries and extreme values (issue 27's SIMD kernel cuts 28-bit limbs into 14-bit
/// halves, takes eight limbs a pass and reads the next pass's columns half-way through one):
/// every limb count up to 48 and those of 2048-, 3072-, 4096- and 8192-bit keys, each with the
/// modulus filling its top limb by one bit or whole, all ones (every limb at its largest, the
/// columns' worst case) or sparse, and s at the edges of [0, n). RFC 8017 section 5.2.2 step 1
/// (RSAVP1) refuses s >= n, as RustCrypto/RSA's `pkcs1v15::verify` does (`sig >= n`).
#[test]
fn limb_boundaries_and_extreme_values_agree_with_biguint() {
    let counts = (1..=48usize).chain([73, 74, 75, 109, 110, 111, 146, 147, 148, 292, 293]);
    let (mut compared, mut refused) = (0usize, 0usize);
    for limbs in counts {
        for bits in [28 * limbs - 27, 28 * limbs] {
            if bits < 2 || (cfg!(target_arch = "wasm32") && limbs > 48 && bits % 28 != 0) {
                continue;
            }
            let one = BigUint::from(1u32);
            let all_ones = (one.clone() << bits) - 1u32;
            let sparse = (one.clone() << (bits - 1)) + 1u32;
            for nb in [all_ones, sparse] {
                let n = nb.to_bytes_be();
                let k = n.len();
                for e in [3u64, 65537, (1 << 33) - 1] {
                    let op = PublicOp::new(&n, e);
                    let edges = [BigUint::from(0u32), one.clone(), BigUint::from(2u32), nb.clone() - 2u32, nb.clone() - 1u32];
                    for sb in edges.iter().filter(|sb| **sb < nb) {
                        let s = left_pad(&sb.to_bytes_be(), k);
                        let want = left_pad(&sb.modpow(&BigUint::from(e), &nb).to_bytes_be(), k);
                        assert_eq!(op.apply(&s), Some(want), "{bits}-bit n = {nb:x}, e = {e}, s = {sb:x}");
                        compared += 1;
                    }
                    for sb in [nb.clone(), nb.clone() + 1u32, (one.clone() << (8 * k)) - 1u32] {
                        if sb.bits() as usize <= 8 * k {
                            assert_eq!(op.apply(&left_pad(&sb.to_bytes_be(), k)), None, "{bits}-bit n, s = {sb:x} >= n accepted");
                            refused += 1;
                        }
                    }
                }
            }
        }
    }
    assert!(compared > 1000 && refused > 500, "{compared} compared, {refused} refused");
}

fn digest(alg: Alg, msg: &[u8]) -> Vec<u8> {
    match alg {
        Alg::RS256 | Alg::PS256 => Sha256::digest(msg).to_vec(),
        Alg::RS384 | Alg::PS384 => Sha384::digest(msg).to_vec(),
        Alg::RS512 | Alg::PS512 => Sha512::digest(msg).to_vec(),
        _ => unreachable!("{} is not an RSA algorithm", alg.name()),
    }
}

fn pkcs1(alg: Alg) -> Pkcs1v15Sign {
    match alg {
        Alg::RS256 => Pkcs1v15Sign::new::<Sha256>(),
        Alg::RS384 => Pkcs1v15Sign::new::<Sha384>(),
        _ => Pkcs1v15Sign::new::<Sha512>(),
    }
}

fn pss(alg: Alg) -> Pss {
    match alg {
        Alg::PS256 => Pss::new::<Sha256>(),
        Alg::PS384 => Pss::new::<Sha384>(),
        _ => Pss::new::<Sha512>(),
    }
}

/// The reference verdict: the `rsa` crate's RSASSA-PKCS1-v1_5 or RSASSA-PSS (sLen = hLen).
fn reference(key: &rsa::RsaPublicKey, alg: Alg, msg: &[u8], sig: &[u8]) -> bool {
    use rsa::traits::SignatureScheme;
    let hashed = digest(alg, msg);
    if alg.is_pss() {
        pss(alg).verify(key, &hashed, sig).is_ok()
    } else {
        pkcs1(alg).verify(key, &hashed, sig).is_ok()
    }
}

fn ours(key: &rsa::RsaPublicKey) -> RsaPublicKey {
    RsaPublicKey::new(&key.n().to_bytes_be(), &key.e().to_bytes_be()).expect("generated key imports")
}

/// Real keys: every algorithm, valid signatures and signatures corrupted in the ways that
/// matter (a flipped bit anywhere, another message, another algorithm, s = n - 1, s >= n,
/// zero, wrong length).
#[test]
fn signatures_agree_with_rsa_crate() {
    let mut rng = StdRng::seed_from_u64(SEED ^ 1);
    let specs: &[(usize, u64, usize)] = if SCALE == 1 {
        &[(2048, 65537, 3), (2048, 3, 1), (3072, 65537, 1), (4096, 65537, 1), (2056, 65537, 1)]
    } else {
        &[(2048, 65537, 1), (2056, 3, 1)]
    };
    let algs = [Alg::RS256, Alg::RS384, Alg::RS512, Alg::PS256, Alg::PS384, Alg::PS512];
    let (mut valid, mut invalid) = (0usize, 0usize);
    for &(bits, e, count) in specs {
        for _ in 0..count {
            let private = RsaPrivateKey::new_with_exp(&mut rng, bits, &BigUint::from(e)).expect("key generation");
            let public = private.to_public_key();
            let key = ours(&public);
            let k = key.modulus().len();
            let n = BigUint::from_bytes_be(key.modulus());
            for round in 0..12 {
                let alg = algs[round % algs.len()];
                let mut msg = vec![0u8; rng.gen_range(0..300)];
                rng.fill_bytes(&mut msg);
                let hashed = digest(alg, &msg);
                let sig = if alg.is_pss() {
                    private.sign_with_rng(&mut rng, pss(alg), &hashed).unwrap()
                } else {
                    private.sign(pkcs1(alg), &hashed).unwrap()
                };
                let mut cases: Vec<(Alg, Vec<u8>, Vec<u8>)> = vec![(alg, msg.clone(), sig.clone())];
                for _ in 0..4 {
                    let mut bad = sig.clone();
                    let bit = rng.gen_range(0..8 * k);
                    bad[bit / 8] ^= 0x80 >> (bit % 8);
                    cases.push((alg, msg.clone(), bad));
                }
                let mut other = msg.clone();
                other.push(0);
                cases.push((alg, other, sig.clone()));
                let swapped = algs[(round + 1) % algs.len()];
                cases.push((swapped, msg.clone(), sig.clone()));
                cases.push((alg, msg.clone(), left_pad(&(n.clone() - 1u32).to_bytes_be(), k)));
                cases.push((alg, msg.clone(), key.modulus().to_vec()));
                cases.push((alg, msg.clone(), vec![0u8; k]));
                cases.push((alg, msg.clone(), sig[1..].to_vec()));
                let mut long = vec![0u8];
                long.extend_from_slice(&sig);
                cases.push((alg, msg.clone(), long));
                for (i, (alg, msg, sig)) in cases.iter().enumerate() {
                    let want = reference(&public, *alg, msg, sig);
                    let got = key.verify(*alg, msg, sig);
                    assert_eq!(got, want, "{bits}-bit e={e} {alg:?} round {round} case {i}");
                    assert_eq!(got, i == 0, "{bits}-bit e={e} {alg:?} round {round} case {i}");
                    if got {
                        valid += 1;
                    } else {
                        invalid += 1;
                    }
                }
            }
        }
    }
    assert!(valid >= 80 / SCALE && invalid >= 800 / SCALE, "{valid} valid, {invalid} invalid");
}

#[derive(serde::Deserialize)]
struct Vector {
    id: String,
    alg: String,
    jwk: Jwk,
    msg_hex: String,
    sig_b64url: String,
    expect: String,
}

#[derive(serde::Deserialize)]
struct Jwk {
    n: String,
    e: String,
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

/// Every Wycheproof RSA PKCS#1 v1.5 signature vector: ours agrees with the `rsa` crate, and
/// with Wycheproof's verdict for every key we accept (2048 bits and up).
#[test]
fn wycheproof_agrees() {
    let text = include_str!("vectors/wycheproof_raw.jsonl");
    let (mut compared, mut skipped) = (0usize, 0usize);
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: Vector = serde_json::from_str(line).unwrap();
        let alg = Alg::from_name(&v.alg).unwrap();
        let (n, e) = (b64::decode(v.jwk.n.as_bytes()).unwrap(), b64::decode(v.jwk.e.as_bytes()).unwrap());
        let msg = hex(&v.msg_hex);
        let Some(sig) = b64::decode(v.sig_b64url.as_bytes()) else {
            skipped += 1;
            continue;
        };
        let Ok(key) = RsaPublicKey::new(&n, &e) else {
            skipped += 1; // under 2048 bits: refused at import, by design
            continue;
        };
        let public = rsa::RsaPublicKey::new_with_max_size(BigUint::from_bytes_be(&n), BigUint::from_bytes_be(&e), 8192).unwrap();
        let got = key.verify(alg, &msg, &sig);
        assert_eq!(got, reference(&public, alg, &msg, &sig), "{}", v.id);
        match v.expect.as_str() {
            "valid" => assert!(got, "{}", v.id),
            "invalid" => assert!(!got, "{}", v.id),
            _ => {} // "acceptable": either verdict, as long as both implementations agree
        }
        compared += 1;
    }
    assert!(compared > 3000, "{compared} compared, {skipped} skipped");
}
