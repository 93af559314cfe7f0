// The identity assertion (src/gate/assertion.rs, src/jwa/sign.rs) and WebSocket rules
// (src/gate/websocket.rs) as tables. Keys are made by openssl at test time (PKCS#8 and SEC1 PEM
// as `openssl genpkey` and `openssl ec` write them), except RFC 6979's own test key, whose
// signature is the RFC's (appendix A.2.5). Assertions are verified by this crate's verifier and
// by RustCrypto's p256 (an independent implementation); under workerd, by jose and the package
// (worker/test/assertion.test.mjs). Upstream shapes followed: Cloudflare Access's
// Cf-Access-Jwt-Assertion (iss the team URL, aud, short exp), panva/jose's jwtVerify (the
// checks an origin makes), RFC 7638 (kid), Kubernetes' kubernetes.io claim (KEP-1205).

use jwksgate::gate::assertion::{audience, gate_url, origin_headers, Assertions, Caller, Kubernetes, ObjectRef, TTL_SECONDS};
use jwksgate::gate::proxy::{request_headers, Forwarding, Origin, Source};
use jwksgate::gate::websocket::{check_upgrade, is_upgrade, upstream_headers};
use jwksgate::jwa::sign::Es256Signer;
use jwksgate::{b64, Code, Jwks, VerifyOptions};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const NOW: i64 = 1_800_000_000;
const JTI: &str = "AAAAAAAAAAAAAAAAAAAAAA";
const ISSUER: &str = "https://gate.example";
const AUD: &str = "https://origin.example";

/// RFC 6979 appendix A.2.5: the P-256 test key (x, Ux, Uy).
const RFC6979_D: &str = "C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721";
const RFC6979_X: &str = "60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6";
const RFC6979_Y: &str = "7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299";
/// Its SHA-256 signature of "sample": r and s.
const RFC6979_SAMPLE: &str = "EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8";

fn hex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

fn rfc6979_jwk(extra: Value) -> String {
    let mut jwk = json!({ "kty": "EC", "crv": "P-256", "d": b64::encode(&hex(RFC6979_D)), "x": b64::encode(&hex(RFC6979_X)), "y": b64::encode(&hex(RFC6979_Y)) });
    for (k, v) in extra.as_object().unwrap() {
        jwk[k] = v.clone();
    }
    jwk.to_string()
}

/// Keys made by openssl once per test binary, under cargo's CARGO_TARGET_TMPDIR.
struct Keys {
    dir: PathBuf,
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl").args(args).current_dir(dir).output().expect("openssl runs");
    assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("assertion-keys-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        openssl(&dir, &["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "p256.pem"]);
        openssl(&dir, &["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "p256-b.pem"]);
        openssl(&dir, &["ec", "-in", "p256.pem", "-out", "p256-sec1.pem"]);
        openssl(&dir, &["pkey", "-in", "p256.pem", "-pubout", "-out", "p256-pub.pem"]);
        openssl(&dir, &["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-out", "p384.pem"]);
        openssl(&dir, &["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "rsa.pem"]);
        openssl(&dir, &["genpkey", "-algorithm", "ED25519", "-out", "ed25519.pem"]);
        Keys { dir }
    })
}

fn key_file(name: &str) -> String {
    std::fs::read_to_string(keys().dir.join(name)).unwrap()
}

fn caller() -> Caller {
    Caller {
        mount: "k8s".into(),
        role: "shop".into(),
        alias: "system:serviceaccount:shop:cart".into(),
        policies: vec!["default".into(), "shop".into()],
        groups: vec!["dev".into()],
        meta: [("role".to_owned(), "shop".to_owned()), ("team".to_owned(), "payments".to_owned())].into_iter().collect(),
        kubernetes: None,
    }
}

fn assertions(key: &str, previous: Option<&str>) -> Assertions {
    Assertions::new(key, previous, ISSUER.into(), AUD.into()).unwrap()
}

/// An assertion checked as an origin checks it (jose's jwtVerify: ES256 only, issuer, audience, time).
fn verify_as_origin(token: &str, jwks: &Value, now: i64, aud: &str) -> Result<serde_json::Map<String, Value>, Code> {
    let set = Jwks::parse(jwks.to_string().as_bytes()).unwrap();
    let verifier = jwksgate::Verifier::from_jwks(set);
    let options = VerifyOptions { algorithms: vec![jwksgate::Alg::ES256], issuer: vec![ISSUER.into()], audience: vec![aud.into()], ..VerifyOptions::at(now) };
    verifier.verify(token, &options).map(|v| v.payload).map_err(|e| e.code())
}

#[test]
fn private_keys_are_read_from_pkcs8_sec1_and_jwk() {
    let public = jwksgate::der::public_key_from_pem(&key_file("p256-pub.pem")).unwrap();
    let jwksgate::der::SpkiKey::Ec { point, .. } = public else { panic!("openssl wrote an EC key") };
    // (case, key text, Ok(the public point as openssl writes it, or None: the RFC's) or the error)
    type Row = (&'static str, String, Result<Option<Vec<u8>>, Code>);
    let table: Vec<Row> = vec![
        ("PKCS#8 PEM (openssl genpkey)", key_file("p256.pem"), Ok(Some(point.clone()))),
        ("SEC1 PEM (openssl ec)", key_file("p256-sec1.pem"), Ok(Some(point.clone()))),
        ("private JWK", rfc6979_jwk(json!({})), Ok(None)),
        ("private JWK with alg and use", rfc6979_jwk(json!({ "alg": "ES256", "use": "sig" })), Ok(None)),
        ("public JWK: no d", rfc6979_jwk(json!({ "d": null })), Err(Code::ConfigInvalid)),
        ("JWK whose x is not d's", rfc6979_jwk(json!({ "x": b64::encode(&[7u8; 32]) })), Err(Code::ConfigInvalid)),
        ("JWK without y", rfc6979_jwk(json!({ "y": null })), Err(Code::ConfigInvalid)),
        ("JWK of another curve", rfc6979_jwk(json!({ "crv": "P-384" })), Err(Code::ConfigInvalid)),
        ("JWK for another algorithm", rfc6979_jwk(json!({ "alg": "ES384" })), Err(Code::ConfigInvalid)),
        ("JWK for encryption", rfc6979_jwk(json!({ "use": "enc" })), Err(Code::ConfigInvalid)),
        ("JWK with d of 31 bytes", rfc6979_jwk(json!({ "d": b64::encode(&[1u8; 31]) })), Err(Code::ConfigInvalid)),
        ("JWK with d = 0", rfc6979_jwk(json!({ "d": b64::encode(&[0u8; 32]) })), Err(Code::ConfigInvalid)),
        ("P-384 PKCS#8", key_file("p384.pem"), Err(Code::ConfigInvalid)),
        ("RSA PKCS#8", key_file("rsa.pem"), Err(Code::ConfigInvalid)),
        ("Ed25519 PKCS#8", key_file("ed25519.pem"), Err(Code::ConfigInvalid)),
        ("a public key", key_file("p256-pub.pem"), Err(Code::ConfigInvalid)),
        ("two keys", format!("{}{}", key_file("p256.pem"), key_file("p256-b.pem")), Err(Code::ConfigInvalid)),
        ("not a key", "hunter2".into(), Err(Code::ConfigInvalid)),
        ("empty", String::new(), Err(Code::ConfigInvalid)),
    ];
    let mut passed = 0;
    for (case, text, expected) in table {
        match (Es256Signer::parse(&text), expected) {
            (Ok(signer), Ok(point)) => {
                let point = point.unwrap_or_else(|| [vec![4u8], hex(RFC6979_X), hex(RFC6979_Y)].concat());
                assert_eq!([&[4u8][..], signer.x(), signer.y()].concat(), point, "{case}");
                // Debug shows the public point only.
                assert!(!format!("{signer:?}").contains(&b64::encode(&hex(RFC6979_D))), "{case}");
            }
            (Err(e), Err(code)) => {
                assert_eq!(e.code(), code, "{case}: {}", e.message());
                // No message quotes the key.
                assert!(!e.message().contains(&b64::encode(&hex(RFC6979_D))) && !e.message().contains("MI"), "{case}: {}", e.message());
            }
            (got, expected) => panic!("{case}: got {:?}, expected {expected:?}", got.map(|_| ())),
        }
        passed += 1;
    }
    assert!(passed > 0);
}

#[test]
fn signatures_are_rfc_6979s_and_verify_elsewhere() {
    // RFC 6979 A.2.5, "With SHA-256, message = 'sample'": deterministic, so byte for byte.
    let signer = Es256Signer::parse(&rfc6979_jwk(json!({}))).unwrap();
    assert_eq!(signer.sign(b"sample"), hex(RFC6979_SAMPLE));
    // An openssl key's signatures verify with RustCrypto's verifier (not this crate's).
    use p256::ecdsa::signature::Verifier as _;
    let pkcs8 = Es256Signer::parse(&key_file("p256.pem")).unwrap();
    let point = [&[4u8][..], pkcs8.x(), pkcs8.y()].concat();
    let verifying = p256::ecdsa::VerifyingKey::from_sec1_bytes(&point).unwrap();
    for message in [&b""[..], b"sample", &[0xffu8; 1000]] {
        let signature = p256::ecdsa::Signature::from_slice(&pkcs8.sign(message)).unwrap();
        assert!(verifying.verify(message, &signature).is_ok());
    }
}

#[test]
fn an_assertion_verifies_as_an_origin_checks_it() {
    let a = assertions(&key_file("p256.pem"), None);
    let other = assertions(&key_file("p256-b.pem"), None);
    let token = a.sign(&caller(), NOW, JTI).unwrap();
    let claims = verify_as_origin(&token, &a.jwks(), NOW, AUD).unwrap();
    assert_eq!(
        Value::Object(claims),
        json!({
            "iss": ISSUER, "aud": AUD, "sub": "k8s/system:serviceaccount:shop:cart", "iat": NOW, "nbf": NOW, "exp": NOW + TTL_SECONDS, "jti": JTI,
            "mount": "k8s", "role": "shop", "alias": "system:serviceaccount:shop:cart", "policies": ["default", "shop"], "groups": ["dev"],
            "metadata": { "role": "shop", "team": "payments" },
        })
    );
    let header: Value = serde_json::from_slice(&b64::decode(token.split('.').next().unwrap().as_bytes()).unwrap()).unwrap();
    assert_eq!(header, json!({ "alg": "ES256", "typ": "JWT", "kid": a.kid() }));
    // (case, token, key set, now, audience, the error the origin gets)
    let table: Vec<(&str, String, Value, i64, &str, Option<Code>)> = vec![
        ("good", token.clone(), a.jwks(), NOW, AUD, None),
        ("good at its last second", token.clone(), a.jwks(), NOW + TTL_SECONDS - 1, AUD, None),
        ("expired", token.clone(), a.jwks(), NOW + TTL_SECONDS, AUD, Some(Code::JwtExpired)),
        ("another gate's key", other.sign(&caller(), NOW, JTI).unwrap(), a.jwks(), NOW, AUD, Some(Code::JwksNoMatchingKey)),
        ("another gate's key under this kid", resign_kid(&other.sign(&caller(), NOW, JTI).unwrap(), a.kid()), a.jwks(), NOW, AUD, Some(Code::SignatureVerificationFailed)),
        ("copied to another audience", token.clone(), a.jwks(), NOW, "https://other.example", Some(Code::ClaimValidationFailed)),
        ("signed before it was made", token.clone(), a.jwks(), NOW - 120, AUD, Some(Code::ClaimValidationFailed)),
    ];
    for (case, token, jwks, now, aud, expected) in table {
        assert_eq!(verify_as_origin(&token, &jwks, now, aud).err(), expected, "{case}");
    }
}

/// `token` with its header's kid replaced (its signature left as it was).
fn resign_kid(token: &str, kid: &str) -> String {
    let mut parts = token.split('.');
    let header = json!({ "alg": "ES256", "typ": "JWT", "kid": kid });
    let (_, payload, signature) = (parts.next(), parts.next().unwrap(), parts.next().unwrap());
    format!("{}.{payload}.{signature}", b64::encode(header.to_string().as_bytes()))
}

#[test]
fn rotation_publishes_both_keys_and_signs_with_the_new_one() {
    let old = assertions(&key_file("p256-b.pem"), None);
    let old_token = old.sign(&caller(), NOW, JTI).unwrap();
    let rotated = assertions(&key_file("p256.pem"), Some(&key_file("p256-b.pem")));
    let keys = rotated.jwks();
    let kids: Vec<&str> = keys["keys"].as_array().unwrap().iter().map(|k| k["kid"].as_str().unwrap()).collect();
    assert_eq!(kids, [rotated.kid(), old.kid()]);
    for key in keys["keys"].as_array().unwrap() {
        assert!(key.get("d").is_none(), "no private part is published");
        assert_eq!((&key["alg"], &key["use"], &key["kty"], &key["crv"]), (&json!("ES256"), &json!("sig"), &json!("EC"), &json!("P-256")));
    }
    // The kid is the RFC 7638 thumbprint, as this crate's Jwk computes it.
    assert_eq!(rotated.kid(), jwksgate::jwk::thumbprint(keys["keys"][0].to_string().as_bytes()).unwrap());
    // During the overlap, an assertion signed before the rotation still verifies; new ones carry the new kid.
    assert!(verify_as_origin(&old_token, &keys, NOW, AUD).is_ok());
    assert!(verify_as_origin(&rotated.sign(&caller(), NOW, JTI).unwrap(), &keys, NOW, AUD).is_ok());
    // A JWK's own kid is kept; the same key twice is refused.
    let named = Assertions::new(&rfc6979_jwk(json!({ "kid": "gate-2026-12" })), None, ISSUER.into(), AUD.into()).unwrap();
    assert_eq!(named.kid(), "gate-2026-12");
    let twice = Assertions::new(&key_file("p256.pem"), Some(&key_file("p256.pem")), ISSUER.into(), AUD.into());
    assert_eq!(twice.unwrap_err().code(), Code::ConfigInvalid);
}

#[test]
fn the_discovery_document_names_the_issuer_and_its_keys() {
    let a = assertions(&key_file("p256.pem"), None);
    let doc = a.discovery().to_string();
    assert_eq!(jwksgate::discovery::jwks_uri(doc.as_bytes(), ISSUER).unwrap(), "https://gate.example/.well-known/jwks.json");
    assert!(jwksgate::discovery::jwks_uri(doc.as_bytes(), "https://gate.example/").is_err(), "issuer exactly");
}

#[test]
fn jti_and_caller_are_checked_before_signing() {
    let a = assertions(&key_file("p256.pem"), None);
    let rows: Vec<(&str, Caller, &str, Option<Code>)> = vec![
        ("good", caller(), JTI, None),
        ("jti too short: not 128 bits", caller(), "AAAAAAAAAAAAAAAAAAAAA", Some(Code::InvalidArgument)),
        ("jti with a dot", caller(), "AAAAAAAAAAAAAAAAAAAAA.A", Some(Code::InvalidArgument)),
        ("jti with a quote", caller(), "AAAAAAAAAAAAAAAAAAAAA\"A", Some(Code::InvalidArgument)),
        ("no mount", Caller { mount: String::new(), ..caller() }, JTI, Some(Code::InvalidArgument)),
        ("no alias", Caller { alias: String::new(), ..caller() }, JTI, Some(Code::InvalidArgument)),
    ];
    for (case, who, jti, expected) in rows {
        assert_eq!(a.sign(&who, NOW, jti).err().map(|e| e.code()), expected, "{case}");
    }
}

#[test]
fn the_issuer_is_configured_never_the_host() {
    // (GATE_URL, the issuer or the error)
    let table: Vec<(&str, Result<&str, Code>)> = vec![
        ("https://gate.example", Ok("https://gate.example")),
        ("https://Gate.Example:443/", Ok("https://gate.example")),
        ("https://gate.example:8443", Ok("https://gate.example:8443")),
        ("http://127.0.0.1:8787", Ok("http://127.0.0.1:8787")),
        ("http://localhost:8787", Ok("http://localhost:8787")),
        ("http://[::1]:8787", Ok("http://[::1]:8787")),
        ("http://gate.example", Err(Code::ConfigInvalid)),
        ("http://127.0.0.1.nip.io", Err(Code::ConfigInvalid)),
        ("https://gate.example/auth", Err(Code::ConfigInvalid)),
        ("https://user@gate.example", Err(Code::ConfigInvalid)),
        ("https://gate.example?x=1", Err(Code::ConfigInvalid)),
        ("gate.example", Err(Code::ConfigInvalid)),
        ("", Err(Code::ConfigInvalid)),
    ];
    for (text, expected) in table {
        assert_eq!(gate_url(text).as_deref().map_err(|e| e.code()), expected, "{text}");
    }
    let origin = Origin::parse("https://backend.example:8443/app/").unwrap();
    assert_eq!(audience(None, Some(&origin)).unwrap(), "https://backend.example:8443/app");
    assert_eq!(audience(Some(" api://shop "), Some(&origin)).unwrap(), "api://shop");
    assert_eq!(audience(Some(""), None).unwrap_err().code(), Code::ConfigInvalid);
}

#[test]
fn metadata_headers_cannot_break_a_header() {
    let with = |pairs: &[(&str, &str)]| Caller { meta: pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(), ..caller() };
    // (attack, metadata, the fields the origin gets)
    type Row<'a> = (&'a str, Caller, Vec<(&'a str, &'a str)>);
    let table: Vec<Row> = vec![
        ("plain", with(&[("team", "payments")]), vec![("x-auth-request-metadata-team", "payments")]),
        ("underscore read as CGI reads it", with(&[("service_account", "cart")]), vec![("x-auth-request-metadata-service-account", "cart")]),
        ("upper case folded", with(&[("Team", "a")]), vec![("x-auth-request-metadata-team", "a")]),
        ("CRLF in a value: header injection", with(&[("team", "a\r\nX-Auth-Request-User: admin")]), vec![("x-auth-request-metadata-team", "a%0D%0AX-Auth-Request-User:%20admin")]),
        ("NUL, comma, percent, non-ASCII", with(&[("team", "a\0b,c%d\u{e9}\u{202e}")]), vec![("x-auth-request-metadata-team", "a%00b%2Cc%25d%C3%A9%E2%80%AE")]),
        ("a key with CRLF: no field", with(&[("team\r\nx-auth-request-user", "admin")]), vec![]),
        ("a key with a colon or space: no field", with(&[("a:b", "1"), ("a b", "2")]), vec![]),
        ("a non-ASCII key: no field", with(&[("\u{e9}quipe", "1")]), vec![]),
        ("keys that fold to one name: neither", with(&[("Team", "a"), ("team", "b"), ("a_b", "1"), ("a-b", "2"), ("ok", "3")]), vec![("x-auth-request-metadata-ok", "3")]),
        ("a key of 65 bytes: no field", with(&[(&"k".repeat(65), "1")]), vec![]),
        ("an empty key: no field", with(&[("", "1")]), vec![]),
    ];
    for (case, who, expected) in table {
        let got = origin_headers(&who);
        let got: Vec<(&str, &str)> = got.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        assert_eq!(got, expected, "{case}");
        for (name, value) in &got {
            assert!(name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'), "{case}: {name}");
            assert!(value.bytes().all(|b| b.is_ascii_graphic() && b != b','), "{case}: {value}");
        }
    }
}

#[test]
fn kubernetes_identity_headers_and_claim() {
    let claims = json!({
        "iss": "https://kubernetes.default.svc", "sub": "system:serviceaccount:shop:cart",
        "kubernetes.io": { "namespace": "shop", "serviceaccount": { "name": "cart", "uid": "u-1" }, "pod": { "name": "cart-7f\r\nx", "uid": "u-2" } },
    });
    let k = Kubernetes::from_claims(claims.as_object().unwrap()).unwrap();
    assert_eq!(k, Kubernetes { namespace: "shop".into(), serviceaccount: ObjectRef { name: "cart".into(), uid: Some("u-1".into()) }, pod: Some(ObjectRef { name: "cart-7f\r\nx".into(), uid: Some("u-2".into()) }) });
    let who = Caller { meta: Default::default(), kubernetes: Some(k), ..caller() };
    let got = origin_headers(&who);
    let expected = [
        ("x-auth-request-kubernetes-namespace", "shop"),
        ("x-auth-request-kubernetes-service-account", "cart"),
        ("x-auth-request-kubernetes-service-account-uid", "u-1"),
        ("x-auth-request-kubernetes-pod", "cart-7f%0D%0Ax"),
        ("x-auth-request-kubernetes-pod-uid", "u-2"),
    ];
    assert_eq!(got.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect::<Vec<_>>(), expected);
    let a = assertions(&key_file("p256.pem"), None);
    assert_eq!(a.claims(&who, NOW, JTI)["kubernetes.io"], json!({ "namespace": "shop", "serviceaccount": { "name": "cart", "uid": "u-1" }, "pod": { "name": "cart-7f\r\nx", "uid": "u-2" } }));
    // A legacy secret token has no pod; a token of no ServiceAccount, no identity.
    let legacy = json!({ "iss": "kubernetes/serviceaccount", "kubernetes.io/serviceaccount/namespace": "shop", "kubernetes.io/serviceaccount/service-account.name": "cart" });
    assert_eq!(Kubernetes::from_claims(legacy.as_object().unwrap()).unwrap().pod, None);
    assert_eq!(Kubernetes::from_claims(json!({ "sub": "alice" }).as_object().unwrap()), None);
}

#[test]
fn a_callers_own_assertion_never_reaches_the_origin() {
    let caller_headers: Vec<(String, String)> = [
        ("X-Jwksgate-Assertion", "eyJ.forged.sig"),
        ("x_jwksgate_assertion", "eyJ.forged.sig"),
        ("X-Auth-Request-Metadata-Team", "admins"),
        ("X-Auth-Request-Kubernetes-Namespace", "kube-system"),
        ("Accept", "text/html"),
    ]
    .iter()
    .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
    .collect();
    let out = request_headers(&caller_headers, &[], Forwarding::default());
    assert_eq!(out, vec![("accept".to_owned(), "text/html".to_owned())]);
}

fn headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect()
}

#[test]
fn websocket_upgrades() {
    // RFC 6455 section 4.2.1: GET, Upgrade naming websocket (any case, in a list).
    let rows: Vec<(&str, &str, Vec<(String, String)>, bool)> = vec![
        ("a WebSocket", "GET", headers(&[("Upgrade", "websocket"), ("Connection", "Upgrade")]), true),
        ("any case, in a list", "get", headers(&[("upgrade", "h2c, WebSocket")]), true),
        ("POST", "POST", headers(&[("Upgrade", "websocket")]), false),
        ("another protocol", "GET", headers(&[("Upgrade", "h2c")]), false),
        ("no Upgrade", "GET", headers(&[("Connection", "Upgrade")]), false),
    ];
    for (case, method, h, expected) in rows {
        assert_eq!(is_upgrade(method, &h), expected, "{case}");
    }
    let gate = Some("https://gate.example");
    // Cross-Site WebSocket Hijacking: (case, headers, credential, the error)
    let rows: Vec<(&str, Vec<(String, String)>, Source, Option<Code>)> = vec![
        ("cookie from the gate's page", headers(&[("Origin", "https://gate.example")]), Source::Cookie, None),
        ("cookie, no Origin (not a browser)", headers(&[]), Source::Cookie, None),
        ("cookie from another origin", headers(&[("Origin", "https://evil.example")]), Source::Cookie, Some(Code::PermissionDenied)),
        ("cookie from a sibling subdomain (same site)", headers(&[("Origin", "https://app.gate.example")]), Source::Cookie, Some(Code::PermissionDenied)),
        ("cookie from a sandboxed frame", headers(&[("Origin", "null")]), Source::Cookie, Some(Code::PermissionDenied)),
        ("cookie, Sec-Fetch-Site cross-site", headers(&[("Sec-Fetch-Site", "cross-site")]), Source::Cookie, Some(Code::PermissionDenied)),
        ("Bearer from another origin", headers(&[("Origin", "https://evil.example")]), Source::Authorization, None),
        ("X-Vault-Token from another origin", headers(&[("Origin", "https://evil.example")]), Source::VaultToken, None),
    ];
    for (case, h, source, expected) in rows {
        assert_eq!(check_upgrade(&h, gate, source).err().map(|e| e.code()), expected, "{case}");
    }
    let forwarded = headers(&[("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ=="), ("sec-websocket-version", "13"), ("sec-websocket-extensions", "permessage-deflate"), ("sec-websocket-protocol", "chat"), ("x-auth-request-user", "k8s/a")]);
    assert_eq!(upstream_headers(&forwarded), headers(&[("sec-websocket-protocol", "chat"), ("x-auth-request-user", "k8s/a"), ("upgrade", "websocket")]));
}

/// DER as RFC 5208, 5958 and 5915 lay out an EC private key, built here so that each row can
/// break one part of it.
fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    match body.len() {
        n if n < 0x80 => out.push(n as u8),
        n if n < 0x100 => out.extend([0x81, n as u8]),
        n => out.extend([0x82, (n >> 8) as u8, n as u8]),
    }
    out.extend_from_slice(body);
    out
}
const EC_OID: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const P256_OID: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
const P384_OID: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22];
/// The order n of P-256 (SEC 2 section 2.4.2).
const P256_N: &str = "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551";

fn ec_private(version: u8, d: &[u8], curve: Option<&[u8]>, point: Option<&[u8]>) -> Vec<u8> {
    let mut body = [tlv(0x02, &[version]), tlv(0x04, d)].concat();
    if let Some(c) = curve {
        body.extend(tlv(0xa0, &tlv(0x06, c)));
    }
    if let Some(p) = point {
        body.extend(tlv(0xa1, &tlv(0x03, &[&[0u8][..], p].concat())));
    }
    tlv(0x30, &body)
}

fn pkcs8(version: u8, curve: &[u8], inner: &[u8], extra: &[u8]) -> Vec<u8> {
    tlv(0x30, &[tlv(0x02, &[version]), tlv(0x30, &[tlv(0x06, EC_OID), tlv(0x06, curve)].concat()), tlv(0x04, inner), extra.to_vec()].concat())
}

fn pem(label: &str, der: &[u8]) -> String {
    use base64::Engine;
    format!("-----BEGIN {label}-----\n{}\n-----END {label}-----\n", base64::engine::general_purpose::STANDARD.encode(der))
}

#[test]
fn pkcs8_and_sec1_structures() {
    let d = hex(RFC6979_D);
    let point = [vec![4u8], hex(RFC6979_X), hex(RFC6979_Y)].concat();
    let other_point = [vec![4u8], hex(RFC6979_Y), hex(RFC6979_X)].concat();
    let good = ec_private(1, &d, None, Some(&point));
    // (case, PEM, whether it is read as the RFC 6979 key)
    let table: Vec<(&str, String, bool)> = vec![
        ("PKCS#8 v0, point inside (openssl's layout)", pem("PRIVATE KEY", &pkcs8(0, P256_OID, &good, &[])), true),
        ("PKCS#8 without the point", pem("PRIVATE KEY", &pkcs8(0, P256_OID, &ec_private(1, &d, None, None), &[])), true),
        ("PKCS#8 with the curve repeated inside", pem("PRIVATE KEY", &pkcs8(0, P256_OID, &ec_private(1, &d, Some(P256_OID), None), &[])), true),
        ("OneAsymmetricKey v1 with attributes", pem("PRIVATE KEY", &pkcs8(1, P256_OID, &good, &tlv(0xa0, &[]))), true),
        ("SEC1 with curve and point", pem("EC PRIVATE KEY", &ec_private(1, &d, Some(P256_OID), Some(&point))), true),
        ("SEC1 naming no curve", pem("EC PRIVATE KEY", &good), false),
        ("SEC1 on P-384", pem("EC PRIVATE KEY", &ec_private(1, &d, Some(P384_OID), None)), false),
        ("PKCS#8 on P-384", pem("PRIVATE KEY", &pkcs8(0, P384_OID, &good, &[])), false),
        ("PKCS#8 whose inner curve is another", pem("PRIVATE KEY", &pkcs8(0, P256_OID, &ec_private(1, &d, Some(P384_OID), None), &[])), false),
        ("a public point that is not d's", pem("PRIVATE KEY", &pkcs8(0, P256_OID, &ec_private(1, &d, None, Some(&other_point)), &[])), false),
        ("d of 31 bytes", pem("PRIVATE KEY", &pkcs8(0, P256_OID, &ec_private(1, &d[1..], None, None), &[])), false),
        ("d of 33 bytes", pem("PRIVATE KEY", &pkcs8(0, P256_OID, &ec_private(1, &[&[0u8][..], &d].concat(), None, None), &[])), false),
        ("d = n", pem("PRIVATE KEY", &pkcs8(0, P256_OID, &ec_private(1, &hex(P256_N), None, None), &[])), false),
        ("d = 0", pem("PRIVATE KEY", &pkcs8(0, P256_OID, &ec_private(1, &[0u8; 32], None, None), &[])), false),
        ("ECPrivateKey version 0", pem("PRIVATE KEY", &pkcs8(0, P256_OID, &ec_private(0, &d, None, None), &[])), false),
        ("PKCS#8 version 2", pem("PRIVATE KEY", &pkcs8(2, P256_OID, &good, &[])), false),
        ("trailing bytes", pem("PRIVATE KEY", &[pkcs8(0, P256_OID, &good, &[]), vec![0]].concat()), false),
        ("truncated", pem("PRIVATE KEY", &pkcs8(0, P256_OID, &good, &[])[..60]), false),
        ("the label of a public key", pem("PUBLIC KEY", &pkcs8(0, P256_OID, &good, &[])), false),
    ];
    for (case, text, ok) in table {
        match Es256Signer::parse(&text) {
            Ok(signer) => {
                assert!(ok, "{case}: read");
                assert_eq!([&[4u8][..], signer.x(), signer.y()].concat(), point, "{case}");
                assert_eq!(signer.sign(b"sample"), hex(RFC6979_SAMPLE), "{case}");
            }
            Err(e) => {
                assert!(!ok, "{case}: {}", e.message());
                assert_eq!(e.code(), Code::ConfigInvalid, "{case}");
            }
        }
    }
}
