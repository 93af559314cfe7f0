//! The verification pipeline as a table: every claim rule (RFC 7519 section 4.1), header rule
//! (RFC 7515 section 4.1) and error code, on tokens signed by the `rsa` crate.

mod common;

use common::*;
use jwksgate::{b64, Alg, Code, Reason, Verifier, VerifyOptions};
use serde_json::{json, Value};

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

#[derive(Debug, PartialEq)]
enum Want {
    Accept,
    Refuse(Code),
    Claim(Code, &'static str, Reason),
}
use Want::*;

type Tweak = Box<dyn Fn(&mut VerifyOptions)>;

fn none() -> Tweak {
    Box::new(|_| {})
}

fn check(verifier: &Verifier, cases: Vec<(&str, String, Tweak, Want)>) {
    assert!(!cases.is_empty());
    for (name, token, tweak, want) in cases {
        let mut options = VerifyOptions::at(NOW);
        tweak(&mut options);
        let got = match verifier.verify(&token, &options) {
            Ok(_) => Accept,
            Err(e) => match (e.claim_name(), e.reason()) {
                (Some(c), Some(r)) => Claim(e.code(), Box::leak(c.to_owned().into_boxed_str()), r),
                _ => Refuse(e.code()),
            },
        };
        assert_eq!(got, want, "case {name:?}");
        // A refused token leaves the verifier as it was: a good token still verifies.
        let good = sign(&key(K8S_KEY), Alg::RS256, json!({"alg": "RS256", "kid": "k8s"}), k8s_claims());
        verifier.verify(&good, &VerifyOptions::at(NOW)).unwrap();
    }
}

fn with(mut claims: Value, f: impl FnOnce(&mut serde_json::Map<String, Value>)) -> Value {
    f(claims.as_object_mut().unwrap());
    claims
}

#[test]
fn claims_table() {
    let k = key(K8S_KEY);
    let verifier = Verifier::new(json!({"keys": [public_jwk(&k, json!({"kid": "k8s"}))]}).to_string().as_bytes()).unwrap();
    let h = json!({"alg": "RS256", "kid": "k8s", "typ": "JWT"});
    let t = |claims: Value| sign(&k, Alg::RS256, h.clone(), claims);
    let base = k8s_claims;
    let cases: Vec<(&str, String, Tweak, Want)> = vec![
        ("valid", t(base()), none(), Accept),
        ("no exp, default requiredClaims", t(with(base(), |c| drop(c.remove("exp")))), none(), Claim(Code::ClaimValidationFailed, "exp", Reason::Missing)),
        ("no exp, opted out", t(with(base(), |c| drop(c.remove("exp")))), Box::new(|o| o.required_claims.clear()), Accept),
        ("expired at exp", t(with(base(), |c| drop(c.insert("exp".into(), json!(NOW))))), none(), Claim(Code::JwtExpired, "exp", Reason::CheckFailed)),
        ("expired within tolerance", t(with(base(), |c| drop(c.insert("exp".into(), json!(NOW - 5))))), Box::new(|o| o.clock_tolerance = 10.0), Accept),
        ("exp as float", t(with(base(), |c| drop(c.insert("exp".into(), json!((NOW as f64) + 0.5))))), none(), Accept),
        ("exp as string", t(with(base(), |c| drop(c.insert("exp".into(), json!("9999999999"))))), none(), Claim(Code::ClaimValidationFailed, "exp", Reason::Invalid)),
        ("nbf in the future", t(with(base(), |c| drop(c.insert("nbf".into(), json!(NOW + 30))))), none(), Claim(Code::ClaimValidationFailed, "nbf", Reason::CheckFailed)),
        ("nbf within tolerance", t(with(base(), |c| drop(c.insert("nbf".into(), json!(NOW + 30))))), Box::new(|o| o.clock_tolerance = 30.0), Accept),
        ("nbf as string", t(with(base(), |c| drop(c.insert("nbf".into(), json!("soon"))))), none(), Claim(Code::ClaimValidationFailed, "nbf", Reason::Invalid)),
        ("iat as bool", t(with(base(), |c| drop(c.insert("iat".into(), json!(true))))), none(), Claim(Code::ClaimValidationFailed, "iat", Reason::Invalid)),
        ("issuer matches", t(base()), Box::new(|o| o.issuer = vec!["https://kubernetes.default.svc".into()]), Accept),
        ("issuer one of several", t(base()), Box::new(|o| o.issuer = vec!["a".into(), "https://kubernetes.default.svc".into()]), Accept),
        ("issuer mismatch", t(base()), Box::new(|o| o.issuer = vec!["https://evil".into()]), Claim(Code::ClaimValidationFailed, "iss", Reason::CheckFailed)),
        ("issuer missing", t(with(base(), |c| drop(c.remove("iss")))), Box::new(|o| o.issuer = vec!["x".into()]), Claim(Code::ClaimValidationFailed, "iss", Reason::Missing)),
        ("iss not a string", t(with(base(), |c| drop(c.insert("iss".into(), json!(["x"]))))), none(), Claim(Code::ClaimValidationFailed, "iss", Reason::Invalid)),
        ("audience in array", t(base()), Box::new(|o| o.audience = vec!["https://kubernetes.default.svc".into()]), Accept),
        ("audience as string", t(with(base(), |c| drop(c.insert("aud".into(), json!("vault"))))), Box::new(|o| o.audience = vec!["vault".into()]), Accept),
        ("audience any of", t(base()), Box::new(|o| o.audience = vec!["vault".into(), "https://kubernetes.default.svc".into()]), Accept),
        ("audience mismatch", t(base()), Box::new(|o| o.audience = vec!["vault".into()]), Claim(Code::ClaimValidationFailed, "aud", Reason::CheckFailed)),
        ("audience empty array", t(with(base(), |c| drop(c.insert("aud".into(), json!([]))))), Box::new(|o| o.audience = vec!["vault".into()]), Claim(Code::ClaimValidationFailed, "aud", Reason::CheckFailed)),
        ("aud as object", t(with(base(), |c| drop(c.insert("aud".into(), json!({"a": 1}))))), none(), Claim(Code::ClaimValidationFailed, "aud", Reason::Invalid)),
        ("aud missing", t(with(base(), |c| drop(c.remove("aud")))), Box::new(|o| o.audience = vec!["vault".into()]), Claim(Code::ClaimValidationFailed, "aud", Reason::Missing)),
        ("subject matches", t(base()), Box::new(|o| o.subject = Some("system:serviceaccount:default:builder".into())), Accept),
        ("subject mismatch", t(base()), Box::new(|o| o.subject = Some("system:serviceaccount:kube-system:admin".into())), Claim(Code::ClaimValidationFailed, "sub", Reason::CheckFailed)),
        ("typ case-insensitive", t(base()), Box::new(|o| o.typ = Some("jwt".into())), Accept),
        ("typ with application/", t(base()), Box::new(|o| o.typ = Some("application/JWT".into())), Accept),
        ("typ mismatch", t(base()), Box::new(|o| o.typ = Some("at+jwt".into())), Claim(Code::ClaimValidationFailed, "typ", Reason::Mismatch)),
        ("maxTokenAge ok", t(base()), Box::new(|o| o.max_token_age = Some(120.0)), Accept),
        ("maxTokenAge too old", t(base()), Box::new(|o| o.max_token_age = Some(30.0)), Claim(Code::JwtExpired, "iat", Reason::CheckFailed)),
        ("iat in the future with maxTokenAge", t(with(base(), |c| drop(c.insert("iat".into(), json!(NOW + 600))))), Box::new(|o| o.max_token_age = Some(3600.0)), Claim(Code::ClaimValidationFailed, "iat", Reason::CheckFailed)),
        ("maxTokenAge needs iat", t(with(base(), |c| drop(c.remove("iat")))), Box::new(|o| o.max_token_age = Some(60.0)), Claim(Code::ClaimValidationFailed, "iat", Reason::Missing)),
        ("required custom claim", t(base()), Box::new(|o| o.required_claims = vec!["jti".into()]), Claim(Code::ClaimValidationFailed, "jti", Reason::Missing)),
    ];
    check(&verifier, cases);
}

#[test]
fn header_and_format_table() {
    let k = key(K8S_KEY);
    let other = key(OIDC_KEY_1);
    let jwks = json!({"keys": [public_jwk(&k, json!({"kid": "k8s"})), public_jwk(&other, json!({"kid": "other", "alg": "RS256"}))]});
    let verifier = Verifier::new(jwks.to_string().as_bytes()).unwrap();
    let claims = k8s_claims();
    let s = |alg: Alg, header: Value| sign(&k, alg, header, claims.clone());
    let good = s(Alg::RS256, json!({"alg": "RS256", "kid": "k8s"}));
    let parts: Vec<&str> = good.split('.').collect();
    let enc = |v: &str| b64::encode(v.as_bytes());
    let mut flipped = good.clone().into_bytes();
    let last = flipped.len() - 5;
    flipped[last] = if flipped[last] == b'A' { b'B' } else { b'A' };
    let flipped = String::from_utf8(flipped).unwrap();
    let allow = |algs: &'static [Alg]| -> Tweak { Box::new(move |o| o.algorithms = algs.to_vec()) };
    let cases: Vec<(&str, String, Tweak, Want)> = vec![
        ("RS256 with kid", good.clone(), none(), Accept),
        ("no kid: every usable key is tried", s(Alg::RS256, json!({"alg": "RS256"})), none(), Accept),
        ("RS384 allowed", s(Alg::RS384, json!({"alg": "RS384", "kid": "k8s"})), allow(&[Alg::RS384]), Accept),
        ("RS512 allowed", s(Alg::RS512, json!({"alg": "RS512", "kid": "k8s"})), allow(&[Alg::RS256, Alg::RS512]), Accept),
        ("PS256 allowed", s(Alg::PS256, json!({"alg": "PS256", "kid": "k8s"})), allow(&[Alg::PS256]), Accept),
        ("PS384 allowed", s(Alg::PS384, json!({"alg": "PS384", "kid": "k8s"})), allow(&[Alg::PS384]), Accept),
        ("PS512 allowed", s(Alg::PS512, json!({"alg": "PS512", "kid": "k8s"})), allow(&[Alg::PS512]), Accept),
        ("RS384 by default", s(Alg::RS384, json!({"alg": "RS384", "kid": "k8s"})), none(), Refuse(Code::AlgNotAllowed)),
        ("PS256 by default", s(Alg::PS256, json!({"alg": "PS256", "kid": "k8s"})), none(), Refuse(Code::AlgNotAllowed)),
        ("RS256 signature labelled PS256", format!("{}.{}.{}", enc(r#"{"alg":"PS256","kid":"k8s"}"#), parts[1], parts[2]), allow(&[Alg::PS256]), Refuse(Code::SignatureVerificationFailed)),
        ("alg none", format!("{}.{}.", enc(r#"{"alg":"none"}"#), parts[1]), none(), Refuse(Code::AlgNotAllowed)),
        ("alg HS256", format!("{}.{}.{}", enc(r#"{"alg":"HS256","kid":"k8s"}"#), parts[1], parts[2]), none(), Refuse(Code::AlgNotAllowed)),
        ("alg missing", format!("{}.{}.{}", enc(r#"{"kid":"k8s"}"#), parts[1], parts[2]), none(), Refuse(Code::JwsInvalid)),
        ("alg not a string", format!("{}.{}.{}", enc(r#"{"alg":256}"#), parts[1], parts[2]), none(), Refuse(Code::JwsInvalid)),
        ("kid unknown", s(Alg::RS256, json!({"alg": "RS256", "kid": "nope"})), none(), Refuse(Code::JwksNoMatchingKey)),
        ("kid not a string", s(Alg::RS256, json!({"alg": "RS256", "kid": 7})), none(), Refuse(Code::JwsInvalid)),
        ("JWK alg RS256 vs header PS256", sign(&other, Alg::PS256, json!({"alg": "PS256", "kid": "other"}), claims.clone()), allow(&[Alg::PS256]), Refuse(Code::JwksNoMatchingKey)),
        ("crit", s(Alg::RS256, json!({"alg": "RS256", "kid": "k8s", "crit": ["exp"], "exp": 1})), none(), Refuse(Code::NotSupported)),
        ("crit malformed", s(Alg::RS256, json!({"alg": "RS256", "kid": "k8s", "crit": []})), none(), Refuse(Code::JwsInvalid)),
        ("b64 false", s(Alg::RS256, json!({"alg": "RS256", "kid": "k8s", "b64": false, "crit": ["b64"]})), none(), Refuse(Code::NotSupported)),
        ("b64 false without crit", s(Alg::RS256, json!({"alg": "RS256", "kid": "k8s", "b64": false})), none(), Refuse(Code::NotSupported)),
        ("jku is never followed", s(Alg::RS256, json!({"alg": "RS256", "kid": "k8s", "jku": "https://evil/jwks"})), none(), Accept),
        ("jwk header of another key is ignored", sign(&other, Alg::RS256, json!({"alg": "RS256", "kid": "k8s", "jwk": public_jwk(&other, json!({}))}), claims.clone()), none(), Refuse(Code::SignatureVerificationFailed)),
        ("signature flipped", flipped, none(), Refuse(Code::SignatureVerificationFailed)),
        ("signature empty", format!("{}.{}.", parts[0], parts[1]), none(), Refuse(Code::SignatureVerificationFailed)),
        ("signature padded", format!("{good}="), none(), Refuse(Code::JwsInvalid)),
        ("two segments", format!("{}.{}", parts[0], parts[1]), none(), Refuse(Code::JwsInvalid)),
        ("four segments", format!("{good}.x"), none(), Refuse(Code::JwsInvalid)),
        ("empty", String::new(), none(), Refuse(Code::JwsInvalid)),
        ("leading whitespace", format!(" {good}"), none(), Refuse(Code::JwsInvalid)),
        ("header not JSON", format!("{}.{}.{}", enc("alg"), parts[1], parts[2]), none(), Refuse(Code::JwsInvalid)),
        ("header an array", format!("{}.{}.{}", enc("[]"), parts[1], parts[2]), none(), Refuse(Code::JwsInvalid)),
        ("header duplicate alg", format!("{}.{}.{}", enc(r#"{"alg":"none","alg":"RS256"}"#), parts[1], parts[2]), none(), Refuse(Code::JwsInvalid)),
        ("payload an array", sign_raw(&k, Alg::RS256, r#"{"alg":"RS256","kid":"k8s"}"#, "[1]"), none(), Refuse(Code::JwtInvalid)),
        ("payload not JSON", sign_raw(&k, Alg::RS256, r#"{"alg":"RS256","kid":"k8s"}"#, "hello"), none(), Refuse(Code::JwtInvalid)),
        ("payload duplicate sub", sign_raw(&k, Alg::RS256, r#"{"alg":"RS256","kid":"k8s"}"#, r#"{"sub":"a","sub":"b","exp":9999999999}"#), none(), Refuse(Code::JwtInvalid)),
        ("over maxTokenBytes", good.clone(), Box::new(|o| o.max_token_bytes = 100), Refuse(Code::JwsInvalid)),
    ];
    check(&verifier, cases);
}

#[test]
fn key_sizes_and_sets() {
    let small = rsa::RsaPrivateKey::new(&mut rand::thread_rng(), 1024).unwrap();
    let good = key(K8S_KEY);
    // A set holding only a refused key has no usable key.
    let only_small = json!({"keys": [public_jwk(&small, json!({"kid": "small"}))]}).to_string();
    let e = Verifier::new(only_small.as_bytes()).unwrap_err();
    assert_eq!(e.code(), Code::JwksInvalid);
    assert!(e.message().contains("1024 bits"), "{}", e.message());
    // Next to a good key it is kept, and a token naming it gets the key's own error.
    let mixed = json!({"keys": [public_jwk(&small, json!({"kid": "small"})), public_jwk(&good, json!({"kid": "k8s"})),
        {"kty": "EC", "crv": "P-256", "x": "x", "y": "y", "kid": "ec"}, public_jwk(&good, json!({"kid": "enc", "use": "enc"}))]});
    let verifier = Verifier::new(mixed.to_string().as_bytes()).unwrap();
    assert_eq!(verifier.key_ids(), vec!["k8s"]);
    let token = sign(&small, Alg::RS256, json!({"alg": "RS256", "kid": "small"}), k8s_claims());
    assert_eq!(verifier.verify(&token, &VerifyOptions::at(NOW)).unwrap_err().code(), Code::JwkInvalid);
    let token = sign(&good, Alg::RS256, json!({"alg": "RS256", "kid": "enc"}), k8s_claims());
    assert_eq!(verifier.verify(&token, &VerifyOptions::at(NOW)).unwrap_err().code(), Code::JwksNoMatchingKey);
    // Malformed sets.
    for (name, text) in [
        ("not JSON", "{"),
        ("no keys", "{}"),
        ("keys not an array", r#"{"keys": {}}"#),
        ("key not an object", r#"{"keys": [1]}"#),
        ("empty", r#"{"keys": []}"#),
        ("private key", &json!({"keys": [public_jwk(&good, json!({"d": "AQAB"}))]}).to_string()),
        ("kid not a string", &json!({"keys": [public_jwk(&good, json!({"kid": 1}))]}).to_string()),
        ("n not base64url", r#"{"keys": [{"kty": "RSA", "n": "a+b", "e": "AQAB"}]}"#),
        ("e even", &json!({"keys": [public_jwk(&good, json!({"e": "AQAA"}))]}).to_string()),
        ("e = 1", &json!({"keys": [public_jwk(&good, json!({"e": "AQ"}))]}).to_string()),
    ] {
        assert_eq!(Verifier::new(text.as_bytes()).unwrap_err().code(), Code::JwksInvalid, "{name}");
    }
}

/// The ROCA fingerprint (CVE-2017-15361): moduli whose residue modulo each of the 38 primes of
/// Nemec et al. lies in the subgroup generated by 65537. Built by the Chinese remainder theorem
/// (residue 1 everywhere, then one residue moved out of the subgroup), next to real keys.
#[test]
fn roca_fingerprint_refused() {
    use jwksgate::RsaPublicKey;
    use rsa::BigUint;
    const PRIMES: [u32; 38] = [
        3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97, 101, 103, 107, 109,
        113, 127, 131, 137, 139, 149, 151, 157, 163, 167,
    ];
    let m = PRIMES.iter().fold(BigUint::from(1u32), |acc, &p| acc * p);
    // n = 1 + k M, 2048 bits, odd (M is odd and k even).
    let k = ((BigUint::from(1u32) << 2047usize) / &m + 2u32) >> 1usize << 1usize;
    let n = &k * &m + 1u32;
    assert_eq!(n.bits(), 2048);
    let e = [1u8, 0, 1];
    let import = |n: &BigUint| RsaPublicKey::new(&n.to_bytes_be(), &e);
    let refused = import(&n).unwrap_err();
    assert_eq!(refused.code(), Code::JwkInvalid);
    assert!(refused.message().contains("ROCA"), "{}", refused.message());
    // The same with n = 3 mod 17, outside <65537 mod 17> = <2> = {1, 2, 4, 8, 9, 13, 15, 16}:
    // no longer the fingerprint. j M/17 = 2 mod 17 with j even keeps n odd and the other residues.
    let m17 = &m / 17u32;
    let j = (0u32..34).find(|j| j % 2 == 0 && (&m17 * *j) % 17u32 == BigUint::from(2u32)).unwrap();
    let near = &n + &m17 * j;
    assert_eq!(&near % 17u32, BigUint::from(3u32));
    assert!(import(&near).is_ok(), "one residue outside the subgroup is not the fingerprint");
    // A real key passes: Kubernetes' test key (every other test imports real keys too).
    use rsa::traits::PublicKeyParts;
    let real = key(K8S_KEY);
    assert!(RsaPublicKey::new(&real.n().to_bytes_be(), &real.e().to_bytes_be()).is_ok());
}

#[test]
fn kubernetes_identity() {
    let claims = k8s_claims();
    let id = jwksgate::kubernetes::identity(claims.as_object().unwrap()).unwrap();
    assert_eq!(id.namespace, "default");
    assert_eq!(id.service_account.name, "builder");
    assert_eq!(id.pod.as_ref().unwrap().name, "builder-7d9f");
    assert_eq!(id.warn_after, Some(NOW + 3000));
    assert!(id.subject_matches && !id.legacy);
    let legacy = json!({
        "iss": "kubernetes/serviceaccount",
        "sub": "system:serviceaccount:test:my-service-account",
        "kubernetes.io/serviceaccount/namespace": "test",
        "kubernetes.io/serviceaccount/secret.name": "my-rsa-secret",
        "kubernetes.io/serviceaccount/service-account.name": "my-service-account",
        "kubernetes.io/serviceaccount/service-account.uid": "12345"
    });
    let id = jwksgate::kubernetes::identity(legacy.as_object().unwrap()).unwrap();
    assert!(id.legacy && id.subject_matches);
    assert_eq!(id.secret.unwrap().name, "my-rsa-secret");
    assert!(jwksgate::kubernetes::identity(json!({"sub": "x"}).as_object().unwrap()).is_none());
}
