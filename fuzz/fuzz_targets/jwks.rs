//! Fuzzes JWKS and JWK parsing (RFC 7517 section 5) and RSA key import and validation, then key
//! selection on whatever set was accepted.
#![no_main]

use jwksgate::jwa::alg::ALL;
use jwksgate::jwk::{thumbprint, Jwk, Jwks};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(set) = Jwks::parse(data) {
        assert!(set.keys().iter().any(Jwk::is_usable), "an accepted set has a usable key");
        for alg in ALL {
            let _ = set.candidates(alg, None);
            for k in set.keys() {
                if let Ok(found) = set.candidates(alg, k.kid()) {
                    assert!(!found.is_empty());
                }
            }
        }
        let v = jwksgate::Verifier::from_jwks(set);
        let _ = v.key_ids();
    }
    let _ = Jwk::parse(data);
    let _ = thumbprint(data);
});
