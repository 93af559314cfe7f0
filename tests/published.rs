// A key set as its issuer publishes it (issue 22, item 11): a 200 with a well-formed JWKS is the
// issuer's word, so a set with no usable key (`{"keys":[]}`, only `use: "enc"` keys) installs
// and verifies nothing, as panva/jose's remote set does after its next reload
// (`createLocalJWKSet` takes any `{"keys": [objects]}`; selection then finds no key,
// ERR_JWKS_NO_MATCHING_KEY). Only a body that is not a JWKS is an error, which a remote set
// treats as an outage.

use jwksgate::{Code, Jwks, Verifier, VerifyOptions};

mod common;

#[test]
fn published_sets() {
    let private = common::key(common::K8S_KEY);
    let key = common::public_jwk(&private, serde_json::json!({ "kid": "k1" }));
    let mut enc = key.clone();
    enc["use"] = "enc".into();
    let mut no_verify = key.clone();
    no_verify["key_ops"] = serde_json::json!(["encrypt"]);
    // (case, body, Ok(usable) or Err(code))
    let table: Vec<(&str, String, Result<bool, Code>)> = vec![
        ("the key", serde_json::json!({ "keys": [key] }).to_string(), Ok(true)),
        ("an empty set: every key revoked", r#"{"keys":[]}"#.into(), Ok(false)),
        ("only use enc", serde_json::json!({ "keys": [enc] }).to_string(), Ok(false)),
        ("only key_ops encrypt", serde_json::json!({ "keys": [no_verify] }).to_string(), Ok(false)),
        ("an unknown kty only", r#"{"keys":[{"kty":"oct","k":"AAAA"}]}"#.into(), Ok(false)),
        ("an HTML error page", "<html>502</html>".into(), Err(Code::JwksInvalid)),
        ("truncated JSON", r#"{"keys":[{"kty":"RSA""#.into(), Err(Code::JwksInvalid)),
        ("no keys member", r#"{"error":"unavailable"}"#.into(), Err(Code::JwksInvalid)),
        ("keys not an array", r#"{"keys":{}}"#.into(), Err(Code::JwksInvalid)),
        ("a key that is not an object", r#"{"keys":[1]}"#.into(), Err(Code::JwksInvalid)),
        ("a member of the wrong type", r#"{"keys":[{"kty":"RSA","kid":5}]}"#.into(), Err(Code::JwksInvalid)),
        ("JSON null", "null".into(), Err(Code::JwksInvalid)),
    ];
    let token = common::sign(&private, jwksgate::Alg::RS256, serde_json::json!({ "alg": "RS256", "kid": "k1" }), common::k8s_claims());
    for (case, body, want) in table {
        match (want, Jwks::parse_published(body.as_bytes())) {
            (Ok(usable), Ok(set)) => {
                assert_eq!(set.has_usable_key(), usable, "{case}");
                let verified = Verifier::from_jwks(set).verify_jws(&token, &VerifyOptions::at(common::NOW));
                match verified {
                    Ok(_) => assert!(usable, "{case}: verified"),
                    Err(e) => {
                        assert!(!usable, "{case}: {e:?}");
                        assert_eq!(e.code(), Code::JwksNoMatchingKey, "{case}");
                    }
                }
                // A configured set (not published) with no usable key is still refused.
                assert_eq!(Jwks::parse(body.as_bytes()).is_ok(), usable, "{case}");
            }
            (Err(code), Err(e)) => assert_eq!(e.code(), code, "{case}"),
            (want, got) => panic!("{case}: want {want:?}, got {:?}", got.map(|s| s.has_usable_key())),
        }
    }
}
