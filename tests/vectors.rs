//! Table-driven tests over external suites (tests/vectors/, copied from ../shared/vectors with
//! provenance in SOURCES.md): Project Wycheproof RSASSA, ECDSA (P1363) and Ed25519 vectors and
//! JWS/JWK suites, Kubernetes' own keys and key set, and real tokens from RFC 7515, RFC 7520 and
//! other projects. The same tests run natively and under wasm (`wasm-pack test --node`).

mod common;

use common::ec::EcSigner;
use jwksgate::{der, jwa::alg::ALL, b64, Alg, Code, Jwk, Jwks, Key, PublicKey, Verifier, VerifyOptions};
use serde_json::{json, Value};

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

const WYCHEPROOF_RAW: &str = include_str!("vectors/wycheproof_raw.jsonl");
const WYCHEPROOF_JWS: &str = include_str!("vectors/json_web_signature_test.json");
const WYCHEPROOF_JWK: &str = include_str!("vectors/json_web_key_test.json");
const RFC_TOKENS: &str = include_str!("vectors/rfc_tokens.jsonl");
const WYCHEPROOF_CURVES: [(&str, Alg, &str); 4] = [
    ("ecdsa_secp256r1_sha256_p1363_test", Alg::ES256, include_str!("vectors/wycheproof/ecdsa_secp256r1_sha256_p1363_test.json")),
    ("ecdsa_secp384r1_sha384_p1363_test", Alg::ES384, include_str!("vectors/wycheproof/ecdsa_secp384r1_sha384_p1363_test.json")),
    ("ecdsa_secp521r1_sha512_p1363_test", Alg::ES512, include_str!("vectors/wycheproof/ecdsa_secp521r1_sha512_p1363_test.json")),
    ("ed25519_test", Alg::EdDSA, include_str!("vectors/wycheproof/ed25519_test.json")),
];

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
        let ok = jwk.key().is_ok_and(|k| k.verify(alg, &msg, &sig));
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

/// Every row of Wycheproof's ECDSA P1363 files (the JWS signature form, RFC 7518 section 3.4)
/// and of its Ed25519 file: each group's key imported three ways (its JWK, its PEM, its DER
/// SPKI), which must agree, then every signature checked against `result`. The files have no
/// `acceptable` rows; a group whose key is refused at import must hold only `invalid` rows.
#[test]
fn wycheproof_ecdsa_and_ed25519() {
    let mut summary = Vec::new();
    for (file, alg, text) in WYCHEPROOF_CURVES {
        let suite: Value = serde_json::from_str(text).unwrap();
        let (mut valid, mut invalid, mut refused_keys, mut disagree) = (0, 0, 0, Vec::new());
        let mut rows = 0;
        for group in suite["testGroups"].as_array().unwrap() {
            // Groups without a JWK (the r = x edge cases) carry the raw point.
            let jwk = group.get("publicKeyJwk").cloned().unwrap_or_else(|| {
                let point = hex(group["publicKey"]["uncompressed"].as_str().unwrap());
                let len = (point.len() - 1) / 2;
                json!({ "kty": "EC", "crv": alg.crv(), "x": b64::encode(&point[1..1 + len]), "y": b64::encode(&point[1 + len..]) })
            });
            let from_jwk = Jwk::from_object(jwk.as_object().unwrap()).unwrap();
            let from_pem = jwksgate::import_public_key_pem(group["publicKeyPem"].as_str().unwrap());
            let from_der = der::spki_key(&hex(group["publicKeyDer"].as_str().unwrap())).and_then(PublicKey::from_spki).map(Key::new);
            let key = from_jwk.key().ok();
            match (key, &from_pem, &from_der) {
                (Some(k), Ok(pem), Ok(d)) => {
                    assert_eq!(pem["kid"].as_str(), Some(k.kubernetes_key_id()), "{file}: PEM and JWK import differ");
                    assert_eq!(d.thumbprint(), k.thumbprint(), "{file}: DER and JWK import differ");
                }
                (None, Err(_), Err(_)) => {}
                other => panic!("{file}: the three imports disagree on a key: {:?}", other.0.is_some()),
            }
            for t in group["tests"].as_array().unwrap() {
                rows += 1;
                let (msg, sig) = (hex(t["msg"].as_str().unwrap()), hex(t["sig"].as_str().unwrap()));
                let ok = key.is_some_and(|k| k.verify(alg, &msg, &sig));
                match (t["result"].as_str().unwrap(), ok) {
                    ("valid", true) => valid += 1,
                    ("invalid", false) if key.is_none() => refused_keys += 1,
                    ("invalid", false) => invalid += 1,
                    (expect, got) => disagree.push(format!("{file} #{} ({}): expected {expect}, got {got}", t["tcId"], t["comment"])),
                }
            }
        }
        assert_eq!(rows, suite["numberOfTests"].as_u64().unwrap() as usize, "{file}: every row ran");
        assert!(disagree.is_empty(), "{disagree:#?}");
        summary.push(format!("{file}: {rows} rows, {valid} valid accepted, {invalid} invalid refused, {refused_keys} refused with their key"));
    }
    println!("wycheproof {}", summary.join("; "));
}

#[test]
fn wycheproof_jws() {
    let suite: Value = serde_json::from_str(WYCHEPROOF_JWS).unwrap();
    // jose's key selection (which this crate follows, `isUsableJWK` in panva/jose
    // src/jwks/local.ts) requires a JWK's `alg` to equal the header's: these RFC 7520 cases wrap a
    // PS384 signature in a key marked PS256, and an ES512 one in a key marked "ES521" (no JWA
    // name). The ES512 ones verify once the key's `alg` is dropped.
    let known = ["rfc7520 #346", "rfc7520WithKeyOps #350", "rfc7520 #347", "rfc7520WithKeyOps #351"];
    let (mut passed, mut refused_by_design, mut disagree) = (0, 0, Vec::new());
    for group in suite["testGroups"].as_array().unwrap() {
        let key = group.get("public").unwrap_or(&group["private"]);
        let hmac = key["kty"] == "oct";
        let verifier = Verifier::new(json!({ "keys": [public_jwk(key)] }).to_string().as_bytes());
        for t in group["tests"].as_array().unwrap() {
            let jws = t["jws"].as_str().unwrap();
            let mut options = VerifyOptions::at(0);
            options.algorithms = ALL.to_vec();
            let result = verifier.as_ref().map_err(Clone::clone).and_then(|v| v.verify_jws(jws, &options));
            let id = format!("{} #{}", group["comment"].as_str().unwrap(), t["tcId"]);
            if known.contains(&id.as_str()) {
                assert_eq!(result.unwrap_err().code(), Code::JwksNoMatchingKey, "{id}");
                if key["alg"] == "ES521" {
                    let mut unmarked = public_jwk(key);
                    unmarked.as_object_mut().unwrap().remove("alg");
                    let v = Verifier::new(json!({ "keys": [unmarked] }).to_string().as_bytes()).unwrap();
                    assert_eq!(v.verify_jws(jws, &options).unwrap().key.alg, "ES512", "{id} without the key's alg");
                }
                continue;
            }
            match (t["result"].as_str().unwrap(), result.is_ok()) {
                ("valid", true) | ("invalid", false) => passed += 1,
                // HS256 is never offered against a key set: refusing it is the design, not a miss.
                ("valid", false) if hmac => refused_by_design += 1,
                (expect, got) => disagree.push(format!("{id}: expected {expect}, got {got} {:?}", result.err())),
            }
        }
    }
    println!(
        "wycheproof jws: {passed} agree, {refused_by_design} HS256 'valid' refused by design, {} refused by the JWK alg rule, {} disagree",
        known.len(),
        disagree.len()
    );
    assert!(disagree.is_empty(), "{disagree:#?}");
    assert!(passed > 300, "only {passed} cases ran");
}

/// Wycheproof's JWK-set suite: every row's key set, public members only, against its token. An
/// "invalid" row must be refused; a "valid" row must verify, except HMAC ones (never usable here,
/// by design); and each kind with a valid row must verify at least one, so a verifier refusing
/// everything fails this table. The file has no valid EC row: one is derived from it, group 1's
/// unmodified ES256 key (`kid-ec-sign`) against the ES256 token of rows 19 to 23, which sign
/// with that key and are refused only for the key's modifications.
#[test]
fn wycheproof_jwk_sets() {
    let suite: Value = serde_json::from_str(WYCHEPROOF_JWK).unwrap();
    let groups = suite["testGroups"].as_array().unwrap();
    let kind = |jws: &str| {
        let header: Value = serde_json::from_slice(&b64::decode(jws.split('.').next().unwrap().as_bytes()).unwrap()).unwrap();
        match header["alg"].as_str().unwrap().get(..2).unwrap() {
            "RS" | "PS" => "RSA",
            "ES" => "EC",
            "HS" => "HMAC",
            other => panic!("no kind for {other}"),
        }
    };
    // (set, token, expected, label)
    let mut rows: Vec<(Value, String, String, String)> = Vec::new();
    for group in groups {
        let keys: Vec<Value> = group["private"]["keys"].as_array().unwrap().iter().map(public_jwk).collect();
        for t in group["tests"].as_array().unwrap() {
            rows.push((json!({ "keys": keys }), t["jws"].as_str().unwrap().to_owned(), t["result"].as_str().unwrap().to_owned(), format!("#{} {}", t["tcId"], t["comment"])));
        }
    }
    let ec_key = groups[0]["private"]["keys"].as_array().unwrap().iter().find(|k| k["kty"] == "EC").map(public_jwk).unwrap();
    let ec_token = groups.iter().flat_map(|g| g["tests"].as_array().unwrap()).find(|t| t["tcId"] == 21).unwrap()["jws"].as_str().unwrap().to_owned();
    rows.push((json!({ "keys": [ec_key] }), ec_token, "valid".into(), "derived: group 1's ES256 key, unmodified".into()));

    let mut passed: std::collections::BTreeMap<&str, (usize, usize)> = Default::default();
    let (mut hmac_refused, mut disagree) = (0, Vec::new());
    for (set, jws, result, label) in &rows {
        let k = kind(jws);
        let mut options = VerifyOptions::at(0);
        options.algorithms = ALL.to_vec();
        let ok = Verifier::new(set.to_string().as_bytes()).is_ok_and(|v| v.verify_jws(jws, &options).is_ok());
        let tally = passed.entry(k).or_default();
        match (result.as_str(), ok) {
            ("valid", true) => tally.0 += 1,
            ("invalid", false) => tally.1 += 1,
            ("valid", false) if k == "HMAC" => hmac_refused += 1,
            _ => disagree.push(format!("{label} ({k}): {result}, verified {ok}")),
        }
    }
    println!("wycheproof jwk sets: {passed:?} (valid verified, invalid refused) per kind, {hmac_refused} HMAC 'valid' refused by design");
    assert!(disagree.is_empty(), "{disagree:#?}");
    for k in ["RSA", "EC"] {
        assert!(passed.get(k).is_some_and(|&(valid, invalid)| valid > 0 && invalid > 0), "{k}: {:?}", passed.get(k));
    }
    assert!(passed.get("HMAC").is_some_and(|&(_, invalid)| invalid > 0) && hmac_refused > 0);
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

/// Kubernetes' own keys (pkg/serviceaccount/jwt_test.go) and the key set it serves for them
/// (openidmetadata_test.go `wantKeyset`): every key usable, each `kid` equal to the one
/// Kubernetes assigns, and tokens signed with the private keys verify against that set.
#[test]
fn kubernetes_jwks_and_key_ids() {
    let keyset = include_str!("vectors/k8s/pkg_serviceaccount/openidmetadata_wantKeyset.json");
    let jwks = Jwks::parse(keyset.as_bytes()).unwrap();
    let keys: Vec<_> = jwks.keys().iter().map(|k| (k.kid().unwrap(), k.key().unwrap())).collect();
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0].0, "JHJehTTTZlsspKHT-GaJxK7Kd1NQgZJu3fyK6K_QDYU");
    assert_eq!(keys[1].0, "SoABiieYuNx4UdqYvZRVeuC6SihxgLrhLy9peHMHpTc");
    for (kid, key) in &keys {
        assert_eq!(key.kubernetes_key_id(), *kid);
    }
    for (pem, kid) in [
        (include_str!("vectors/k8s/pkg_serviceaccount/rsaPublicKey.pem"), keys[0].0),
        (include_str!("vectors/k8s/pkg_serviceaccount/ecdsaPublicKey.pem"), keys[1].0),
    ] {
        assert_eq!(jwksgate::import_public_key_pem(pem).unwrap()["kid"], kid);
    }
    // A token as Kubernetes' ES256 signer makes it (header alg and kid, the bound claims).
    let verifier = Verifier::new(keyset.as_bytes()).unwrap();
    let signer = EcSigner::k8s_p256();
    let token = signer.token(json!({ "alg": "ES256", "kid": keys[1].0 }), common::k8s_claims());
    let mut options = VerifyOptions::at(common::NOW);
    options.algorithms = vec![Alg::RS256, Alg::ES256];
    let verified = verifier.verify(&token, &options).unwrap();
    assert_eq!((verified.key.kid.as_deref(), verified.key.alg), (Some(keys[1].0), "ES256"));
    // The default allowlist is RS256 only.
    assert_eq!(verifier.verify(&token, &VerifyOptions::at(common::NOW)).unwrap_err().code(), Code::AlgNotAllowed);
    // And an RS256 token verifies under the same mixed allowlist.
    let rs = common::sign(&common::key(common::K8S_KEY), Alg::RS256, json!({ "alg": "RS256", "kid": keys[0].0 }), common::k8s_claims());
    assert_eq!(verifier.verify(&rs, &options).unwrap().key.alg, "RS256");
}

/// Kubernetes' P-521 test keys (the OIDC authenticator's testdata): ES512 tokens verify against
/// a set of their public keys, whose key ids equal OpenSSL's (tests/vectors/certs/README.md).
#[test]
fn kubernetes_p521_keys() {
    let kids = ["892oXS8SSgNldETvo92mBIZWLBmYJP4dJ3ILGpO-UcM", "DG2LU22VZ4x0di8Hz-dEmU4h2w6SIJkYWNzOG5GUuFc", "0QwzPJ8rMGb9dE6E9jZb5DDZOKwJ1cWR0qgx5cFlYI4"];
    let signers: Vec<EcSigner> = (0..3).map(EcSigner::k8s_p521).collect();
    let keys: Vec<Value> = signers.iter().zip(kids).map(|(s, kid)| s.jwk(json!({ "kid": kid, "use": "sig" }))).collect();
    let jwks = Jwks::parse(json!({ "keys": keys }).to_string().as_bytes()).unwrap();
    for (jwk, kid) in jwks.keys().iter().zip(kids) {
        assert_eq!(jwk.key().unwrap().kubernetes_key_id(), kid);
    }
    let verifier = Verifier::from_jwks(jwks);
    let mut options = VerifyOptions::at(common::NOW);
    options.algorithms = vec![Alg::ES512];
    for (signer, kid) in signers.iter().zip(kids) {
        let token = signer.token(json!({ "alg": "ES512", "kid": kid }), common::k8s_claims());
        assert_eq!(verifier.verify(&token, &options).unwrap().key.kid.as_deref(), Some(kid));
        // Without a kid, every P-521 key is tried.
        let token = signer.token(json!({ "alg": "ES512" }), common::k8s_claims());
        assert_eq!(verifier.verify(&token, &options).unwrap().key.kid.as_deref(), Some(kid));
    }
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
