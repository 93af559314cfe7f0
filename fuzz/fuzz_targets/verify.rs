//! Fuzzes `Verifier::verify` and `verify_jws` against a fixed key set holding every RSA key of
//! tests/vectors/rfc_tokens.jsonl and the public EC keys of Wycheproof's JWS suite, so seeds
//! from those files verify (RS*, PS*, ES256, ES512) and mutations explore the paths after the
//! signature check (payload and claims) as well as before it.
#![no_main]

use jwksgate::jwa::alg::{Alg, ALL};
use jwksgate::{Verifier, VerifyOptions};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn verifier() -> &'static Verifier {
    static V: OnceLock<Verifier> = OnceLock::new();
    V.get_or_init(|| {
        let lines = include_str!("../../tests/vectors/rfc_tokens.jsonl");
        let mut keys: Vec<serde_json::Value> = Vec::new();
        for line in lines.lines().filter(|l| !l.trim().is_empty()) {
            let case: serde_json::Value = serde_json::from_str(line).unwrap();
            for k in case["jwks"]["keys"].as_array().unwrap() {
                if !keys.contains(k) {
                    keys.push(k.clone());
                }
            }
        }
        let suite: serde_json::Value = serde_json::from_str(include_str!("../../tests/vectors/json_web_signature_test.json")).unwrap();
        for group in suite["testGroups"].as_array().unwrap() {
            let key = group.get("public").unwrap_or(&group["private"]);
            if key["kty"] == "EC" {
                let public: serde_json::Map<_, _> =
                    key.as_object().unwrap().iter().filter(|(k, _)| k.as_str() != "d").map(|(k, v)| (k.clone(), v.clone())).collect();
                let public = serde_json::Value::Object(public);
                if !keys.contains(&public) {
                    keys.push(public);
                }
            }
        }
        let jwks = serde_json::json!({ "keys": keys });
        Verifier::new(jwks.to_string().as_bytes()).expect("fixed JWKS")
    })
}

fuzz_target!(|data: &[u8]| {
    // Byte 0 picks the options, so one corpus covers several policies; the rest is the token.
    let Some((&sel, rest)) = data.split_first() else { return };
    let Ok(token) = std::str::from_utf8(rest) else { return };
    // Times where the vectors' tokens are valid (2011 for RFC 7515 A.2, 2025 for EKS) and not.
    const NOWS: [i64; 4] = [1_300_819_379, 1_764_000_000, 0, i64::MAX / 2];
    let mut o = VerifyOptions::at(NOWS[(sel & 3) as usize]);
    o.algorithms = if sel & 4 != 0 { ALL.to_vec() } else { vec![Alg::RS256] };
    if sel & 8 != 0 {
        o.required_claims.clear();
    }
    if sel & 16 != 0 {
        o.max_token_age = Some(86_400.0);
        o.audience = vec!["sts.amazonaws.com".into()];
        o.clock_tolerance = 30.0;
    }
    if sel & 32 != 0 {
        o.typ = Some("JWT".into());
    }
    let v = verifier();
    match v.verify(token, &o) {
        Ok(ok) => {
            // Anything accepted must carry a token whose signature the same set accepts as a JWS.
            let jws = v.verify_jws(token, &o).expect("verify accepted but verify_jws refused");
            assert_eq!(jws.key, ok.key);
        }
        Err(e) => assert!(!e.message().is_empty()),
    }
    let _ = v.verify_jws(token, &o);
});
