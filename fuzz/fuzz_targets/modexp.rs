//! Differential fuzzing of the RSA public operation s^e mod n (RFC 8017 section 5.2.2) in
//! src/jwa/modexp.rs against `rsa::BigUint::modpow`, on random moduli, exponents and signatures
//! within `PublicOp`'s contract: odd n without leading zeros of at most 8192 bits, odd e >= 3.
#![no_main]

use jwksgate::jwa::modexp::PublicOp;
use libfuzzer_sys::fuzz_target;
use rsa::BigUint;

fuzz_target!(|data: &[u8]| {
    // Layout: 1 byte exponent choice, 1 byte length choice, then modulus bytes, then signature
    // bytes; both are stretched from the input when it is short, so every input is usable.
    if data.len() < 4 {
        return;
    }
    let e: u64 = match data[0] % 4 {
        0 => 65537,
        1 => 3,
        2 => 0x1_0000_0001 | 1, // beyond 32 bits, within MAX_EXPONENT
        _ => (u64::from(u32::from_le_bytes([data[0], data[1], data[2], data[3]])) | 1).max(3),
    };
    // Mostly 2048 to 8192 bits, weighted toward the common sizes; one input in eight takes a
    // small modulus (8 to 2040 bits): outside what RsaPublicKey admits but inside PublicOp's
    // contract, and where limb-count edge cases (k not a multiple of 4, one limb) live.
    let k = match data[1] % 8 {
        0..=2 => 256,
        3 => 384,
        4 => 512,
        5 => 257 + (data[2] as usize % 767),
        6 => 1 + (data[2] as usize % 255),
        _ => 1024,
    };
    let body = &data[4..];
    if body.is_empty() {
        return;
    }
    let stretch = |offset: usize, len: usize| -> Vec<u8> {
        (0..len).map(|i| body[(offset + i) % body.len()] ^ (i as u8).wrapping_mul(0x9d)).collect()
    };
    let mut n = stretch(0, k);
    // Exactly k bytes, no leading zero; half the inputs with the top bit set (full-size keys),
    // half with a short top limb, where n is far below the Montgomery radix.
    n[0] = if data[3] & 0x20 != 0 { n[0] | 0x80 } else { n[0].max(1) };
    n[k - 1] |= 1; // odd
    if n == [1] {
        n[0] = 3; // a modulus of one is outside the contract
    }
    let mut s = stretch(k.min(body.len()), k);
    // Steer some inputs to the edges: s = 0, 1, n - 1, n, and s just under n.
    match data[3] % 16 {
        0 => s.iter_mut().for_each(|b| *b = 0),
        1 => {
            s.iter_mut().for_each(|b| *b = 0);
            s[k - 1] = 1;
        }
        2 => {
            s = n.clone();
            s[k - 1] -= 1;
        }
        3 => s = n.clone(),
        4 => {
            s = n.clone();
            s[k / 2] = s[k / 2].wrapping_sub(1).min(s[k / 2]);
        }
        _ => {}
    }
    let op = PublicOp::new(&n, e);
    let got = op.apply(&s);
    let nn = BigUint::from_bytes_be(&n);
    let ss = BigUint::from_bytes_be(&s);
    let want = if ss >= nn {
        None
    } else {
        let m = ss.modpow(&BigUint::from(e), &nn).to_bytes_be();
        let mut out = vec![0u8; k - m.len()];
        out.extend_from_slice(&m);
        Some(out)
    };
    assert_eq!(got, want, "PublicOp::apply disagrees with BigUint::modpow (k = {k}, e = {e})");
});
