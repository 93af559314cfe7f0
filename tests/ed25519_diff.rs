//! Differential: our Ed25519 (`jwa::ed25519`, EdDSA's arithmetic) against ed25519-dalek's
//! `VerifyingKey::from_bytes` + canonical y + `is_weak` (key import) and `verify_strict`
//! (verification), the semantics the package had with ed25519-dalek. Tables of chosen keys
//! (every small-order encoding with either sign bit, every non-canonical y, x = 0 with the sign
//! bit, points off the curve, mixed-order keys, keys at the 32-bit chunk boundaries of the wNAF)
//! and signatures (S at and above L, S >= 2^253, R of small order, non-canonical, off the curve,
//! R with a small-order component), RFC 8032 section 7.1's vectors, and many random keys,
//! messages and mutated signatures: ours and dalek's must agree on every row, and ours must
//! give the row's expected result. Signatures with chosen scalars are made with
//! curve25519-dalek's group arithmetic: R = r B, S = r + k a for any a and r.
#![cfg(feature = "eddsa")]

use curve25519_dalek::constants::{ED25519_BASEPOINT_POINT as B, EIGHT_TORSION};
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::IsIdentity;
use ed25519_dalek::Signer;
use jwksgate::jwa::ed25519::{KeyError, VerifyingKey};
use jwksgate::jwa::words::hex;
use jwksgate::{Alg, Ed25519PublicKey};
use rand::{Rng, RngCore, SeedableRng};
use sha2::{Digest, Sha512};

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

/// Fewer random cases under wasm (`make test-wasm`), where dalek's 64-bit arithmetic is slow.
const SCALE: usize = if cfg!(target_arch = "wasm32") { 10 } else { 1 };

/// L, little-endian.
const L: [u8; 32] = hex("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");
/// p = 2^255 - 19, little-endian.
const P: [u8; 32] = hex("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");

fn hexv(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

fn rng() -> rand::rngs::StdRng {
    rand::rngs::StdRng::seed_from_u64(0xed25519)
}

/// dalek's key import as src/jwa/eddsa.rs did it before our own: `from_bytes`, then y < p,
/// then `is_weak`.
fn reference_key(bytes: &[u8; 32]) -> Result<ed25519_dalek::VerifyingKey, KeyError> {
    let key = ed25519_dalek::VerifyingKey::from_bytes(bytes).map_err(|_| KeyError::NotOnCurve)?;
    let [low, middle @ .., top] = bytes;
    if !(*top & 0x7f != 0x7f || middle.iter().any(|&b| b != 0xff) || *low < 0xed) {
        return Err(KeyError::NotCanonical);
    }
    if key.is_weak() {
        return Err(KeyError::SmallOrder);
    }
    Ok(key)
}

/// Our import against dalek's, the same outcome; our key if any.
fn import(what: &str, bytes: &[u8; 32]) -> Result<VerifyingKey, KeyError> {
    let ours = VerifyingKey::from_bytes(bytes);
    let theirs = reference_key(bytes);
    assert_eq!(ours.as_ref().err(), theirs.as_ref().err(), "{what}: key import");
    // The public face says it with the same outcome (JwkInvalid and the reason's message).
    let public = Ed25519PublicKey::from_bytes(bytes);
    assert_eq!(public.is_ok(), ours.is_ok(), "{what}");
    if let (Err(e), Err(kind)) = (public, ours.as_ref()) {
        assert_eq!(e.code(), jwksgate::Code::JwkInvalid, "{what}");
        let want = match kind {
            KeyError::NotOnCurve => "not a point on the curve",
            KeyError::NotCanonical => "not canonically encoded",
            KeyError::SmallOrder => "has small order",
        };
        assert!(e.message().contains(want), "{what}: {}", e.message());
    }
    ours
}

/// Our verification against `verify_strict`, both through `VerifyingKey` and the public
/// `Ed25519PublicKey`; the common answer. One key verifies three times: its first verification
/// (tables at window 5, not kept), its second (window 7, made and kept) and its third (kept).
fn verify(what: &str, key: &[u8; 32], msg: &[u8], sig: &[u8; 64]) -> bool {
    let vk = VerifyingKey::from_bytes(key).unwrap();
    let ours = vk.verify(msg, sig);
    let theirs = reference_key(key).unwrap().verify_strict(msg, &ed25519_dalek::Signature::from_bytes(sig)).is_ok();
    assert_eq!(ours, theirs, "{what}: verify (key {}, sig {})", hexs(key), hexs(sig));
    for use_ in ["second", "third"] {
        assert_eq!(vk.verify(msg, sig), theirs, "{what}: the key's {use_} verification");
    }
    let public = Ed25519PublicKey::from_bytes(key).unwrap();
    assert_eq!(public.verify(Alg::EdDSA, msg, sig), ours, "{what}");
    assert_eq!(public.verify(Alg::Ed25519, msg, sig), ours, "{what}");
    assert!(!public.verify(Alg::ES256, msg, sig), "{what}");
    ours
}

fn hexs(b: &[u8]) -> String {
    b.iter().map(|b| format!("{b:02x}")).collect()
}

/// k = SHA-512(R || A || M) mod L.
fn challenge(r: &[u8; 32], a: &[u8; 32], msg: &[u8]) -> Scalar {
    Scalar::from_bytes_mod_order_wide(&Sha512::new().chain_update(r).chain_update(a).chain_update(msg).finalize().into())
}

/// The signature R || S with R = the point r_point given, S = r + k a (valid when r_point = r B
/// and the key is a B plus, at most, a small-order point that k kills).
fn sign_with(a: Scalar, key: &[u8; 32], r: Scalar, r_point: &EdwardsPoint, msg: &[u8]) -> [u8; 64] {
    let r_bytes = r_point.compress().to_bytes();
    let s = r + challenge(&r_bytes, key, msg) * a;
    let mut sig = [0u8; 64];
    sig[..32].copy_from_slice(&r_bytes);
    sig[32..].copy_from_slice(s.as_bytes());
    sig
}

fn with_s(sig: &[u8; 64], s: &[u8; 32]) -> [u8; 64] {
    let mut out = *sig;
    out[32..].copy_from_slice(s);
    out
}

fn with_r(sig: &[u8; 64], r: &[u8; 32]) -> [u8; 64] {
    let mut out = *sig;
    out[..32].copy_from_slice(r);
    out
}

/// a + b for 32-octet little-endian integers, mod 2^256.
fn add_le(a: &[u8; 32], b: &[u8; 32]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut carry = 0u16;
    for i in 0..32 {
        let v = a[i] as u16 + b[i] as u16 + carry;
        out[i] = v as u8;
        carry = v >> 8;
    }
    out
}

fn small(v: u8) -> [u8; 32] {
    let mut b = [0u8; 32];
    b[0] = v;
    b
}

/// The eight small-order points' canonical encodings (Chalkias et al., "Taming the many
/// EdDSAs", 2020), as curve25519-dalek's EIGHT_TORSION gives them, and each with the sign bit
/// flipped.
fn small_order_encodings() -> Vec<[u8; 32]> {
    let mut out = Vec::new();
    for t in EIGHT_TORSION {
        let e = t.compress().to_bytes();
        let mut flipped = e;
        flipped[31] ^= 0x80;
        out.extend([e, flipped]);
    }
    out
}

/// Every non-canonical y, p to 2^255 - 1, with either sign bit.
fn non_canonical() -> Vec<[u8; 32]> {
    let mut out = Vec::new();
    for d in 0..19u8 {
        let e = add_le(&P, &small(d));
        let mut flipped = e;
        flipped[31] |= 0x80;
        out.extend([e, flipped]);
    }
    out
}

/// Key import: every chosen encoding, the same outcome as dalek's, and the expected one.
#[test]
fn key_import_table() {
    let mut rows: Vec<(String, [u8; 32], Result<(), KeyError>)> = Vec::new();
    for (i, e) in small_order_encodings().into_iter().enumerate() {
        // Negating x of a small-order point gives another one; x = 0 with the sign bit set
        // (y = 1, y = -1) decodes as x = 0 (dalek), of small order too.
        rows.push((format!("small-order encoding {i}"), e, Err(KeyError::SmallOrder)));
    }
    for (i, e) in non_canonical().into_iter().enumerate() {
        let y = (i / 2) as u8;
        let on_curve = CompressedEdwardsY(small(y)).decompress().is_some();
        let want = if on_curve { Err(KeyError::NotCanonical) } else { Err(KeyError::NotOnCurve) };
        rows.push((format!("y = p + {y}, sign bit {}", i % 2), e, want));
    }
    rows.push(("the identity".into(), small(1), Err(KeyError::SmallOrder)));
    let mut x0 = small(1);
    x0[31] = 0x80;
    rows.push(("y = 1, x = 0 with the sign bit".into(), x0, Err(KeyError::SmallOrder)));
    let mut minus_one = add_le(&P, &[0xff; 32]); // p - 1, mod 2^256
    minus_one[31] |= 0x80;
    rows.push(("y = -1, x = 0 with the sign bit".into(), minus_one, Err(KeyError::SmallOrder)));
    for y in 2..=40u8 {
        let ok = CompressedEdwardsY(small(y)).decompress().is_some_and(|p| !p.is_small_order());
        rows.push((format!("y = {y}"), small(y), if ok { Ok(()) } else { Err(KeyError::NotOnCurve) }));
    }
    rows.push(("all ones (y = p + 18, on the curve)".into(), [0xff; 32], Err(KeyError::NotCanonical)));
    rows.push(("the base point".into(), B.compress().to_bytes(), Ok(())));
    rows.push(("-B".into(), (-B).compress().to_bytes(), Ok(())));
    for (i, t) in EIGHT_TORSION.iter().enumerate().skip(1) {
        rows.push((format!("B plus the small-order point {i} (mixed order)"), (B + t).compress().to_bytes(), Ok(())));
    }
    let mut rng = rng();
    for i in 0..64 {
        let mut b = [0u8; 32];
        rng.fill_bytes(&mut b);
        let want = reference_key(&b).map(|_| ()); // random octets: about half are points
        rows.push((format!("random octets {i}"), b, want));
    }
    let mut refused = 0;
    for (what, bytes, want) in &rows {
        let got = import(what, bytes);
        assert_eq!(got.as_ref().map(|_| ()).map_err(|e| *e), *want, "{what}");
        match got {
            Ok(key) => assert_eq!(key.as_bytes(), bytes, "{what}"),
            Err(_) => refused += 1,
        }
    }
    assert!(rows.len() > 150 && refused > 80, "{} rows, {refused} refused", rows.len());
}

/// RFC 8032 section 7.1, TEST 1, 2 and 3: the secret key gives the public key and signature.
#[test]
fn rfc8032_vectors() {
    let rows = [
        (
            "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
            "",
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
        ),
        (
            "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
            "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
            "72",
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
        ),
        (
            "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
            "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
            "af82",
            "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
        ),
    ];
    for (secret, public, msg, sig) in rows {
        let signer = ed25519_dalek::SigningKey::from_bytes(&hexv(secret).try_into().unwrap());
        let (public, msg, sig): ([u8; 32], _, [u8; 64]) = (hexv(public).try_into().unwrap(), hexv(msg), hexv(sig).try_into().unwrap());
        assert_eq!(signer.verifying_key().to_bytes(), public, "the RFC's public key");
        assert_eq!(signer.sign(&msg).to_bytes(), sig, "the RFC's signature");
        assert!(verify(&format!("RFC 8032 key {public:02x?}"), &public, &msg, &sig));
        let mut wrong = msg.clone();
        wrong.push(0);
        assert!(!verify("RFC 8032, a longer message", &public, &wrong, &sig));
    }
}

/// Signatures with chosen R and S under chosen and random keys: the expected answer from RFC
/// 8032 section 5.1.7 (strict), and dalek's the same.
#[test]
fn signature_table() {
    let mut rng = rng();
    let msg = b"eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0";
    // Secret scalars: small, the chunk boundaries of our wNAF (2^32 c), L - 1, random.
    let mut secrets: Vec<(String, Scalar)> = vec![
        ("a = 1".into(), Scalar::ONE),
        ("a = 2".into(), Scalar::from(2u8)),
        ("a = L - 1".into(), -Scalar::ONE),
        ("a = 2^32 - 1".into(), Scalar::from(u32::MAX)),
        ("a = 2^252".into(), Scalar::from_bytes_mod_order(hex("0000000000000000000000000000000000000000000000000000000000000010"))),
    ];
    for c in 1..8 {
        let mut b = [0u8; 32];
        b[4 * c] = 1;
        secrets.push((format!("a = 2^{}", 32 * c), Scalar::from_bytes_mod_order(b)));
        b[4 * c] = 0;
        b[..4 * c].fill(0xff);
        secrets.push((format!("a = 2^{} - 1", 32 * c), Scalar::from_bytes_mod_order(b)));
    }
    for i in 0..4 {
        let mut b = [0u8; 64];
        rng.fill_bytes(&mut b);
        secrets.push((format!("random a {i}"), Scalar::from_bytes_mod_order_wide(&b)));
    }
    let mut rows = 0;
    let mut accepted = 0;
    for (name, a) in &secrets {
        let a_point = B * a;
        let key = a_point.compress().to_bytes();
        import(name, &key).unwrap();
        let mut r_bytes = [0u8; 64];
        rng.fill_bytes(&mut r_bytes);
        let r = Scalar::from_bytes_mod_order_wide(&r_bytes);
        let good = sign_with(*a, &key, r, &(B * r), msg);
        let s: [u8; 32] = good[32..].try_into().unwrap();
        let mut cases: Vec<(String, [u8; 64], bool)> = vec![
            ("valid".into(), good, true),
            ("S = L".into(), with_s(&good, &L), false),
            ("S = L + 1".into(), with_s(&good, &add_le(&L, &small(1))), false),
            ("S + L (the same S mod L, not canonical)".into(), with_s(&good, &add_le(&s, &L)), false),
            ("S = 0".into(), with_s(&good, &[0; 32]), false),
            ("S = L - 1".into(), with_s(&good, &add_le(&L, &[0xff; 32])), false),
            ("S = 2^253".into(), with_s(&good, &hex("0000000000000000000000000000000000000000000000000000000000000020")), false),
            ("S all ones".into(), with_s(&good, &[0xff; 32]), false),
            ("S with the top bit set".into(), with_s(&good, &{
                let mut t = s;
                t[31] |= 0x80;
                t
            }), false),
            ("S with bit 253 set".into(), with_s(&good, &{
                let mut t = s;
                t[31] |= 0x20;
                t
            }), false),
            ("R the identity".into(), with_r(&good, &small(1)), false),
            ("R with the sign bit flipped".into(), with_r(&good, &{
                let mut t: [u8; 32] = good[..32].try_into().unwrap();
                t[31] ^= 0x80;
                t
            }), false),
            ("R all zero".into(), with_r(&good, &[0; 32]), false),
        ];
        // R of small order, signed for: R = T, S = k a, so [S]B - [k]A = 0 (not T unless T is
        // the identity): refused either way; and R = r B + T with S = r + k a: R - T computed.
        for (i, t) in EIGHT_TORSION.iter().enumerate() {
            cases.push((format!("R the small-order point {i}, S = k a"), sign_with(*a, &key, Scalar::ZERO, t, msg), false));
            let mixed = B * r + t;
            cases.push((format!("R = r B + small-order point {i}"), sign_with(*a, &key, r, &mixed, msg), i == 0));
        }
        for e in small_order_encodings().iter().chain(&non_canonical()) {
            cases.push((format!("R = {}", hexs(e)), with_r(&good, e), false));
        }
        // A non-canonical R for a point of large order (y + p for a small y on the curve):
        // dalek decodes it, and the recomputed R's encoding, canonical, differs from it.
        for y in 2..19u8 {
            if CompressedEdwardsY(small(y)).decompress().is_some_and(|p| !p.is_small_order()) {
                cases.push((format!("R = p + {y} (non-canonical)"), with_r(&good, &add_le(&P, &small(y))), false));
            }
        }
        for (what, sig, want) in cases {
            let what = format!("{name}: {what}");
            assert_eq!(verify(&what, &key, msg, &sig), want, "{what}");
            rows += 1;
            accepted += usize::from(want);
        }
    }
    assert!(rows > 1000 && accepted > 40, "{rows} rows, {accepted} accepted");
}

/// Keys with a small-order component (A = a B + T): dalek's `verify_strict` takes them (the
/// cofactorless equation), so signatures made as S = r + k a verify exactly when k T = 0. Ours
/// must agree on every one; some of each kind must pass.
#[test]
fn mixed_order_keys() {
    let mut rng = rng();
    let mut passed = [0usize; 8];
    for (i, t) in EIGHT_TORSION.iter().enumerate().skip(1) {
        for n in 0..40 / SCALE.min(4) {
            let mut b = [0u8; 64];
            rng.fill_bytes(&mut b);
            let a = Scalar::from_bytes_mod_order_wide(&b);
            rng.fill_bytes(&mut b);
            let r = Scalar::from_bytes_mod_order_wide(&b);
            let key = (B * a + t).compress().to_bytes();
            import("mixed-order key", &key).unwrap();
            let msg = format!("message {n}");
            let sig = sign_with(a, &key, r, &(B * r), msg.as_bytes());
            let k = challenge(&sig[..32].try_into().unwrap(), &key, msg.as_bytes());
            let want = (t * k).is_identity();
            assert_eq!(verify(&format!("A = a B + T{i}, try {n}"), &key, msg.as_bytes(), &sig), want);
            passed[i] += usize::from(want);
        }
    }
    // T of order 2 (index 4) is killed by half the k, of order 4 by a quarter, of order 8 by an eighth.
    assert!(passed[4] > 0, "{passed:?}");
}

/// Random keys and messages, signed by ed25519-dalek, then mutated: one bit of R, S, the key or
/// the message, a random S below L, random R octets, or every octet random.
#[test]
fn random_and_mutated() {
    let mut rng = rng();
    let (mut valid, mut total) = (0, 0);
    for n in 0..1500 / SCALE {
        let mut seed = [0u8; 32];
        rng.fill_bytes(&mut seed);
        let signer = ed25519_dalek::SigningKey::from_bytes(&seed);
        let key = signer.verifying_key().to_bytes();
        let mut msg = vec![0u8; rng.gen_range(0..200)];
        rng.fill_bytes(&mut msg);
        let sig = signer.sign(&msg).to_bytes();
        import("random key", &key).unwrap();
        assert!(verify("dalek's signature", &key, &msg, &sig));
        valid += 1;
        let mut bad = sig;
        let bit = rng.gen_range(0..512);
        bad[bit / 8] ^= 1 << (bit % 8);
        assert!(!verify(&format!("bit {bit} flipped, {n}"), &key, &msg, &bad));
        if !msg.is_empty() {
            let mut m = msg.clone();
            let i = rng.gen_range(0..m.len());
            m[i] ^= 1 << rng.gen_range(0..8);
            assert!(!verify("a bit of the message flipped", &key, &m, &sig));
        }
        let mut s = [0u8; 64];
        rng.fill_bytes(&mut s);
        let s = Scalar::from_bytes_mod_order_wide(&s);
        verify("random S below L", &key, &msg, &with_s(&sig, s.as_bytes()));
        let mut r = [0u8; 32];
        rng.fill_bytes(&mut r);
        verify("random R octets", &key, &msg, &with_r(&sig, &r));
        let mut any = [0u8; 64];
        rng.fill_bytes(&mut any);
        verify("random signature", &key, &msg, &any);
        let mut k2 = key;
        let bit = rng.gen_range(0..255);
        k2[bit / 8] ^= 1 << (bit % 8);
        if import("a bit of the key flipped", &k2).is_ok() {
            assert!(!verify("a bit of the key flipped", &k2, &msg, &sig));
        }
        total += 7;
    }
    assert!(valid >= 150 && total > valid);
}

/// Every row of Wycheproof's Ed25519 file (tests/vectors/wycheproof/ed25519_test.json): ours and
/// dalek's agree, and on the row's result (signatures of any length; a 64-octet one only
/// can verify).
#[test]
fn wycheproof() {
    let file: serde_json::Value = serde_json::from_str(include_str!("vectors/wycheproof/ed25519_test.json")).unwrap();
    let mut rows = 0;
    for group in file["testGroups"].as_array().unwrap() {
        let key: [u8; 32] = hexv(group["publicKey"]["pk"].as_str().unwrap()).try_into().unwrap();
        import("Wycheproof key", &key).unwrap();
        for t in group["tests"].as_array().unwrap() {
            let what = format!("Wycheproof tcId {} ({})", t["tcId"], t["comment"]);
            let (msg, sig) = (hexv(t["msg"].as_str().unwrap()), hexv(t["sig"].as_str().unwrap()));
            let want = t["result"] == "valid";
            let got = match <[u8; 64]>::try_from(sig.as_slice()) {
                Ok(sig) => verify(&what, &key, &msg, &sig),
                Err(_) => Ed25519PublicKey::from_bytes(&key).unwrap().verify(Alg::EdDSA, &msg, &sig),
            };
            assert_eq!(got, want, "{what}");
            rows += 1;
        }
    }
    assert_eq!(rows, 151);
}
