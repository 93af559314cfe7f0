//! Differential: our Ed25519 (`Ed25519PublicKey` over `jwa::ed25519`: strict decoding and
//! `verify_strict`'s semantics) against ed25519-dalek's `verify_strict` (with its key import
//! as the package did it: `from_bytes`, y < p, `is_weak`) and against RFC 8032 section 5.1.7
//! written out here with curve25519-dalek's point operations: A and R decoded canonically and
//! not of small order, S below L, k = SHA-512(R || A || M) mod L, and [S]B = R + [k]A, by a
//! fixed-base and a variable-base multiplication rather than a double-scalar one. Byte 0 picks
//! the mode; the key comes from the input; signatures are made by ed25519-dalek and mutated, or
//! taken from the input, and the key is sometimes replaced by input bytes (small-order and
//! non-canonical ones among them).
#![no_main]

use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;
use ed25519_dalek::Signer;
use jwksgate::{Alg, Ed25519PublicKey};
use libfuzzer_sys::fuzz_target;
use sha2::{Digest, Sha512};

fn decode(bytes: &[u8; 32]) -> Option<EdwardsPoint> {
    let point = CompressedEdwardsY(*bytes).decompress()?;
    (point.compress().to_bytes() == *bytes && !point.is_small_order()).then_some(point)
}

/// ed25519-dalek's import and `verify_strict`: None when the key is refused.
fn dalek(key: &[u8; 32], msg: &[u8], sig: &[u8]) -> Option<bool> {
    let k = ed25519_dalek::VerifyingKey::from_bytes(key).ok()?;
    let canonical = CompressedEdwardsY(*key).decompress()?.compress().to_bytes() == *key;
    if !canonical || k.is_weak() {
        return None;
    }
    let Ok(sig) = ed25519_dalek::Signature::from_slice(sig) else { return Some(false) };
    Some(k.verify_strict(msg, &sig).is_ok())
}

fn reference(key: &[u8; 32], msg: &[u8], sig: &[u8]) -> Option<bool> {
    let a = decode(key)?;
    let Ok(sig) = <[u8; 64]>::try_from(sig) else { return Some(false) };
    let (r_bytes, s_bytes) = sig.split_at(32);
    let r_bytes: [u8; 32] = r_bytes.try_into().ok()?;
    let Some(r) = decode(&r_bytes) else { return Some(false) };
    let Some(s) = Option::<Scalar>::from(Scalar::from_canonical_bytes(s_bytes.try_into().ok()?)) else { return Some(false) };
    let k = Scalar::from_bytes_mod_order_wide(&Sha512::new().chain_update(r_bytes).chain_update(key).chain_update(msg).finalize().into());
    Some(EdwardsPoint::mul_base(&s) == r + a * k)
}

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else { return };
    let Some((seed, rest)) = rest.split_at_checked(32) else { return };
    let Some((&msg_len, rest)) = rest.split_first() else { return };
    let Some((msg, rest)) = rest.split_at_checked((msg_len as usize).min(rest.len())) else { return };
    let signer = ed25519_dalek::SigningKey::from_bytes(seed.try_into().expect("32 octets"));
    let mut key = signer.verifying_key().to_bytes();
    let mut sig = signer.sign(msg).to_bytes().to_vec();
    match sel % 4 {
        0 => {}
        1 => {
            for pair in rest.chunks_exact(2) {
                sig[pair[0] as usize % 64] ^= pair[1];
            }
        }
        2 => sig = rest.to_vec(),
        _ => {
            if let Some(k) = rest.get(..32) {
                key.copy_from_slice(k);
            }
        }
    }
    let ours = Ed25519PublicKey::from_bytes(&key);
    let want = reference(&key, msg, &sig);
    assert_eq!(dalek(&key, msg, &sig), want, "ed25519-dalek and RFC 8032 disagree");
    match (ours, want) {
        (Ok(k), Some(want)) => {
            assert_eq!(k.verify(Alg::EdDSA, msg, &sig), want, "disagree");
            assert_eq!(k.verify(Alg::Ed25519, msg, &sig), want, "disagree on the key's second use (its tables made)");
            assert_eq!(k.verify(Alg::EdDSA, msg, &sig), want, "disagree with the key's tables kept");
            assert!(!k.verify(Alg::ES256, msg, &sig));
        }
        (Err(_), None) => {}
        (ours, theirs) => panic!("key import disagrees: ours {:?}, reference {}", ours.map(|_| ()), theirs.is_some()),
    }
});
