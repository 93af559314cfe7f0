//! Table-driven tests over external suites (tests/vectors/, copied from ../shared/vectors with
//! provenance in SOURCES.md): Project Wycheproof RSASSA vectors and JWS/JWK suites, and real
//! tokens from RFC 7515, RFC 7520 and other projects. The same tests run natively and under
//! wasm (`wasm-pack test --node`).

use jwksgate::{jwa::alg::ALL, b64, Alg, Code, Jwk, Jwks, Verifier, VerifyOptions};
use serde_json::{json, Value};

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

const WYCHEPROOF_RAW: &str = include_str!("vectors/wycheproof_raw.jsonl");
const WYCHEPROOF_JWS: &str = include_str!("vectors/json_web_signature_test.json");
const WYCHEPROOF_JWK: &str = include_str!("vectors/json_web_key_test.json");
const RFC_TOKENS: &str = include_str!("vectors/rfc_tokens.jsonl");

fn hex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

/// Public members only: Wycheproof's JWS groups publish private keys.
fn public_jwk(k: &Value) -> Value {
    let keep = ["kty", "kid", "alg", "use", "key_ops", "n", "e", "crv", "x", "y"];
    Value::Object(k.as_object().unwrap().iter().filter(|(n, _)| keep.contains(&n.as_str())).map(|(n, v)| (n.clone(), v.clone())).collect())
}

#[test]
fn wycheproof_raw_signatures() {
    let (mut passed, mut refused_acceptable, mut disagree) = (0, 0, Vec::new());
    for line in WYCHEPROOF_RAW.lines() {
        let case: Value = serde_json::from_str(line).unwrap();
        let id = case["id"].as_str().unwrap();
        let alg = Alg::from_name(case["alg"].as_str().unwrap()).unwrap();
        let jwk = Jwk::from_object(case["jwk"].as_object().unwrap()).unwrap();
        let msg = hex(case["msg_hex"].as_str().unwrap());
        let sig = b64::decode(case["sig_b64url"].as_str().unwrap().as_bytes()).unwrap();
        // A key this crate refuses (under 2048 bits) verifies nothing.
        let ok = jwk.rsa().is_ok_and(|k| k.key.verify(alg, &msg, &sig));
        match (case["expect"].as_str().unwrap(), ok) {
            ("valid", true) | ("invalid", false) => passed += 1,
            ("acceptable", false) => refused_acceptable += 1,
            (expect, got) => disagree.push(format!("{id}: expected {expect}, got {got}")),
        }
    }
    println!("wycheproof raw: {passed} agree, {refused_acceptable} 'acceptable' refused, {} disagree", disagree.len());
    assert!(disagree.is_empty(), "{disagree:#?}");
    assert!(passed > 3000, "only {passed} cases ran");
}

#[test]
fn wycheproof_jws() {
    let suite: Value = serde_json::from_str(WYCHEPROOF_JWS).unwrap();
    // jose's key selection (which this crate follows) requires a JWK's `alg` to equal the
    // header's: these RFC 7520 cases wrap a PS384 signature in a key marked PS256.
    let known = ["rfc7520 #346", "rfc7520WithKeyOps #350"];
    let (mut passed, mut refused_by_design, mut disagree) = (0, 0, Vec::new());
    for group in suite["testGroups"].as_array().unwrap() {
        let key = group.get("public").unwrap_or(&group["private"]);
        let rsa = key["kty"] == "RSA";
        let verifier = Verifier::new(json!({ "keys": [public_jwk(key)] }).to_string().as_bytes());
        for t in group["tests"].as_array().unwrap() {
            let jws = t["jws"].as_str().unwrap();
            let mut options = VerifyOptions::at(0);
            options.algorithms = ALL.to_vec();
            let result = verifier.as_ref().map_err(Clone::clone).and_then(|v| v.verify_jws(jws, &options));
            let id = format!("{} #{}", group["comment"].as_str().unwrap(), t["tcId"]);
            if known.contains(&id.as_str()) {
                assert_eq!(result.unwrap_err().code(), Code::JwksNoMatchingKey, "{id}");
                continue;
            }
            match (t["result"].as_str().unwrap(), result.is_ok()) {
                ("valid", true) | ("invalid", false) => passed += 1,
                // ES256 and HS256 are not offered: refusing them is the design, not a miss.
                ("valid", false) if !rsa => refused_by_design += 1,
                (expect, got) => disagree.push(format!("{id}: expected {expect}, got {got} {:?}", result.err())),
            }
        }
    }
    println!(
        "wycheproof jws: {passed} agree, {refused_by_design} non-RSA 'valid' refused by design, {} refused by the JWK alg rule, {} disagree",
        known.len(),
        disagree.len()
    );
    assert!(disagree.is_empty(), "{disagree:#?}");
    assert!(passed > 300, "only {passed} cases ran");
}

#[test]
fn wycheproof_jwk_sets() {
    let suite: Value = serde_json::from_str(WYCHEPROOF_JWK).unwrap();
    let mut ran = 0;
    for group in suite["testGroups"].as_array().unwrap() {
        let keys: Vec<Value> = group["private"]["keys"].as_array().unwrap().iter().map(public_jwk).collect();
        let verifier = Verifier::new(json!({ "keys": keys }).to_string().as_bytes());
        for t in group["tests"].as_array().unwrap() {
            let mut options = VerifyOptions::at(0);
            options.algorithms = ALL.to_vec();
            let ok = verifier.as_ref().is_ok_and(|v| v.verify_jws(t["jws"].as_str().unwrap(), &options).is_ok());
            // Only RSA keys are usable here, so a "valid" case signed by another key type is refused.
            if t["result"] == "invalid" {
                assert!(!ok, "{} #{} accepted", group["comment"], t["tcId"]);
            }
            ran += 1;
        }
    }
    assert!(ran > 0);
}

#[test]
fn rfc_and_real_tokens() {
    let mut ran = 0;
    for line in RFC_TOKENS.lines() {
        let case: Value = serde_json::from_str(line).unwrap();
        let id = case["id"].as_str().unwrap();
        let verifier = Verifier::new(case["jwks"].to_string().as_bytes()).unwrap();
        let token = case["token"].as_str().unwrap();
        let mut options = VerifyOptions::at(case["valid_at"].as_i64().unwrap_or(0));
        options.algorithms = vec![Alg::from_name(case["alg"].as_str().unwrap()).unwrap()];
        options.required_claims = vec![];
        let valid = case["expect"] == "valid";
        if case["payload_is_json"] == true {
            let result = verifier.verify(token, &options);
            assert_eq!(result.is_ok(), valid, "{id}: {:?}", result.as_ref().err());
            if let Ok(v) = result {
                assert_eq!(Value::Object(v.payload), case["expect_payload"], "{id}");
                // The same token one second after `exp` is refused.
                if let Some(exp) = case["exp"].as_i64() {
                    let mut late = options.clone();
                    late.now = exp;
                    assert_eq!(verifier.verify(token, &late).unwrap_err().code(), Code::JwtExpired, "{id}");
                }
            }
        } else {
            assert_eq!(verifier.verify_jws(token, &options).is_ok(), valid, "{id}");
        }
        ran += 1;
    }
    assert_eq!(ran, 14);
}

#[test]
fn kubernetes_jwks_and_key_ids() {
    let keyset = include_str!("vectors/k8s/pkg_serviceaccount/openidmetadata_wantKeyset.json");
    let jwks = Jwks::parse(keyset.as_bytes()).unwrap();
    let rsa: Vec<_> = jwks.keys().iter().filter_map(|k| k.rsa().ok().map(|r| (k.kid().unwrap(), r))).collect();
    assert_eq!(rsa.len(), 1, "the EC key is skipped, not fatal");
    assert_eq!(rsa[0].0, "JHJehTTTZlsspKHT-GaJxK7Kd1NQgZJu3fyK6K_QDYU");
    assert_eq!(rsa[0].1.kubernetes_key_id(), rsa[0].0);
    let pem = include_str!("vectors/k8s/pkg_serviceaccount/rsaPublicKey.pem");
    let jwk = jwksgate::import_public_key_pem(pem).unwrap();
    assert_eq!(jwk["kid"], "JHJehTTTZlsspKHT-GaJxK7Kd1NQgZJu3fyK6K_QDYU");
}

#[test]
fn panva_jose_key_selection() {
    let keyset = include_str!("vectors/jose/panva_jose/remote_test_jwks.json");
    let jwks = Jwks::parse(keyset.as_bytes()).unwrap();
    let kids = |alg, kid| -> Result<Vec<Option<String>>, Code> {
        jwks.candidates(alg, kid).map(|c| c.iter().map(|(k, _)| k.kid().map(str::to_owned)).collect()).map_err(|e| e.code())
    };
    // Upstream expectations (meta.json): the use:enc and empty key_ops entries are excluded.
    assert_eq!(kids(Alg::RS256, None).unwrap().len(), 2);
    assert_eq!(kids(Alg::PS256, Some("ZuLUAgyr6RQV3ERjDukHzOO_90rVbrPiE1vD_HtPFuM")).unwrap().len(), 1);
    assert_eq!(kids(Alg::PS256, Some("hJU8GvYjtifxLVuBDSNmhLBF19wQHaZvQhfpT3wKzpE")), Err(Code::JwksNoMatchingKey));
}
