//! The ECDSA and EdDSA families end to end: algorithms allowed one by one and mixed with RSA,
//! key selection by `kty` and `crv` (jose's `isUsableJWK`), EC and OKP JWK import and what it
//! refuses, SPKI PEM, X.509 certificates and `x5c`, RFC 8037's Ed25519 examples. Tokens are signed
//! by RustCrypto's signing APIs (tests/common/ec.rs). Runs natively and under wasm.

mod common;

use common::ec::EcSigner;
use common::{k8s_claims, NOW};
use jwksgate::{b64, der, Alg, Code, Jwk, Jwks, Key, PublicKey, Verifier, VerifyOptions};
use serde_json::{json, Value};

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

const CURVE_ALGS: [Alg; 5] = [Alg::ES256, Alg::ES384, Alg::ES512, Alg::EdDSA, Alg::Ed25519];

fn options(algs: &[Alg]) -> VerifyOptions {
    let mut o = VerifyOptions::at(NOW);
    o.algorithms = algs.to_vec();
    o
}

fn verifier(keys: &[Value]) -> Verifier {
    Verifier::new(json!({ "keys": keys }).to_string().as_bytes()).unwrap()
}

fn code(r: jwksgate::Result<impl std::fmt::Debug>) -> Code {
    r.unwrap_err().code()
}

fn jwk_error(jwk: Value) -> Code {
    Jwk::from_object(jwk.as_object().unwrap()).unwrap().key().unwrap_err().code()
}

#[test]
fn each_curve_algorithm_when_allowed() {
    for alg in CURVE_ALGS {
        let signer = EcSigner::from_seed(alg, 7);
        let v = verifier(&[signer.jwk(json!({ "kid": "k" }))]);
        let token = signer.token(json!({ "alg": alg.name(), "kid": "k" }), k8s_claims());
        let ok = v.verify(&token, &options(&[alg])).unwrap();
        assert_eq!((ok.key.alg, ok.key.kid.as_deref()), (alg.name(), Some("k")), "{}", alg.name());
        // The default allowlist is RS256 only; the token never chooses.
        assert_eq!(code(v.verify(&token, &VerifyOptions::at(NOW))), Code::AlgNotAllowed, "{}", alg.name());
        // Tampered payload and tampered signature: one error.
        let (input, sig) = token.rsplit_once('.').unwrap();
        let mut bad = b64::decode(sig.as_bytes()).unwrap();
        bad[5] ^= 1;
        assert_eq!(code(v.verify(&format!("{input}.{}", b64::encode(&bad)), &options(&[alg]))), Code::SignatureVerificationFailed);
        let other = signer.token(json!({ "alg": alg.name(), "kid": "k" }), json!({ "sub": "x" }));
        let spliced = format!("{}.{}", other.rsplit_once('.').unwrap().0, sig);
        assert_eq!(code(v.verify(&spliced, &options(&[alg]))), Code::SignatureVerificationFailed);
    }
}

/// `EdDSA` and RFC 9864's `Ed25519` verify the same signatures, each only under its own name,
/// and a JWK's `alg` must equal the header's (jose: `alg === jwkAlg`).
#[test]
fn eddsa_and_ed25519_are_two_names() {
    let signer = EcSigner::from_seed(Alg::EdDSA, 3);
    let claims = k8s_claims();
    let eddsa = signer.token(json!({ "alg": "EdDSA" }), claims.clone());
    let ed25519 = signer.token(json!({ "alg": "Ed25519" }), claims);
    let unmarked = verifier(&[signer.jwk(json!({}))]);
    assert_eq!(unmarked.verify(&eddsa, &options(&[Alg::EdDSA])).unwrap().key.alg, "EdDSA");
    assert_eq!(unmarked.verify(&ed25519, &options(&[Alg::Ed25519])).unwrap().key.alg, "Ed25519");
    assert_eq!(code(unmarked.verify(&ed25519, &options(&[Alg::EdDSA]))), Code::AlgNotAllowed);
    assert_eq!(code(unmarked.verify(&eddsa, &options(&[Alg::Ed25519]))), Code::AlgNotAllowed);
    let marked = verifier(&[signer.jwk(json!({ "alg": "EdDSA" }))]);
    assert_eq!(code(marked.verify(&ed25519, &options(&[Alg::Ed25519]))), Code::JwksNoMatchingKey);
    assert!(marked.verify(&eddsa, &options(&[Alg::EdDSA, Alg::Ed25519])).is_ok());
}

/// A mixed allowlist accepts each family's tokens against a mixed set (it used to be refused
/// whole), and each token is checked only against keys of its own family and curve.
#[test]
fn mixed_allowlists_and_sets() {
    let rsa = common::key(common::K8S_KEY);
    let signers: Vec<EcSigner> = CURVE_ALGS.iter().take(4).map(|&a| EcSigner::from_seed(a, 11)).collect();
    let mut keys = vec![common::public_jwk(&rsa, json!({ "kid": "rsa" }))];
    keys.extend(signers.iter().map(|s| s.jwk(json!({}))));
    let v = verifier(&keys);
    let all = options(&[Alg::RS256, Alg::ES256, Alg::ES384, Alg::ES512, Alg::EdDSA]);
    let rs = common::sign(&rsa, Alg::RS256, json!({ "alg": "RS256", "kid": "rsa" }), k8s_claims());
    assert_eq!(v.verify(&rs, &options(&[Alg::RS256, Alg::ES256])).unwrap().key.alg, "RS256");
    for s in &signers {
        let token = s.token(json!({ "alg": s.alg().name() }), k8s_claims());
        let got = v.verify(&token, &all).unwrap();
        assert_eq!(got.key.thumbprint, Jwk::from_object(s.jwk(json!({})).as_object().unwrap()).unwrap().key().unwrap().thumbprint());
    }
    // Candidates: the RSA key for RS256, exactly one curve key for each curve algorithm.
    let jwks = v.jwks();
    assert_eq!(jwks.candidates(Alg::RS256, None).unwrap().len(), 1);
    for alg in CURVE_ALGS {
        let found = jwks.candidates(alg, None).unwrap();
        assert_eq!(found.len(), 1, "{}", alg.name());
        assert_eq!(found[0].0.crv(), alg.crv());
    }
    // The set's key ids list every usable key, whatever its family.
    assert_eq!(v.key_ids(), vec!["rsa"]);
}

/// Key selection by `kty` and `crv` as jose's `isUsableJWK` has it: a key of another curve or
/// family is not a candidate (ERR_JWKS_NO_MATCHING_KEY), even when its `kid` is the header's.
#[test]
fn curve_and_family_confusion() {
    let p256 = EcSigner::from_seed(Alg::ES256, 5);
    let p384 = EcSigner::from_seed(Alg::ES384, 5);
    let ed = EcSigner::from_seed(Alg::EdDSA, 5);
    let rsa = common::key(common::K8S_KEY);
    let claims = k8s_claims();
    let cases: Vec<(&str, Value, String, Alg, Code)> = vec![
        ("P-256 key, ES384 token", p256.jwk(json!({ "kid": "k" })), p384.token(json!({ "alg": "ES384", "kid": "k" }), claims.clone()), Alg::ES384, Code::JwksNoMatchingKey),
        ("P-256 key named P-384, ES384 token", p256.jwk(json!({ "kid": "k", "crv": "P-384" })), p384.token(json!({ "alg": "ES384", "kid": "k" }), claims.clone()), Alg::ES384, Code::JwkInvalid),
        ("RSA key, ES256 token", common::public_jwk(&rsa, json!({ "kid": "k" })), p256.token(json!({ "alg": "ES256", "kid": "k" }), claims.clone()), Alg::ES256, Code::JwksNoMatchingKey),
        ("EC key, RS256 token", p256.jwk(json!({ "kid": "k" })), common::sign(&rsa, Alg::RS256, json!({ "alg": "RS256", "kid": "k" }), claims.clone()), Alg::RS256, Code::JwksNoMatchingKey),
        ("OKP key, ES256 token", ed.jwk(json!({ "kid": "k" })), p256.token(json!({ "alg": "ES256", "kid": "k" }), claims.clone()), Alg::ES256, Code::JwksNoMatchingKey),
        ("EC key marked kty OKP, EdDSA token", p256.jwk(json!({ "kid": "k", "kty": "OKP" })), ed.token(json!({ "alg": "EdDSA", "kid": "k" }), claims.clone()), Alg::EdDSA, Code::JwksNoMatchingKey),
        ("Ed25519 key with alg ES256, ES256 token", ed.jwk(json!({ "kid": "k", "alg": "ES256" })), p256.token(json!({ "alg": "ES256", "kid": "k" }), claims.clone()), Alg::ES256, Code::JwksNoMatchingKey),
        ("P-256 key with alg ES384, ES384 token", p256.jwk(json!({ "kid": "k", "alg": "ES384" })), p384.token(json!({ "alg": "ES384", "kid": "k" }), claims.clone()), Alg::ES384, Code::JwksNoMatchingKey),
    ];
    for (what, jwk, token, alg, want) in cases {
        // A second, good key keeps the set valid so the token's own key selection is what fails.
        let filler = EcSigner::from_seed(Alg::ES512, 9).jwk(json!({ "kid": "filler" }));
        let v = verifier(&[jwk, filler]);
        assert_eq!(code(v.verify(&token, &options(&[alg]))), want, "{what}");
    }
}

#[test]
fn ec_and_okp_jwk_import_refusals() {
    let p256 = EcSigner::from_seed(Alg::ES256, 5).jwk(json!({}));
    let ed = EcSigner::from_seed(Alg::EdDSA, 5).jwk(json!({}));
    let with = |base: &Value, extra: Value| {
        let mut j = base.clone();
        for (k, v) in extra.as_object().unwrap() {
            if v.is_null() {
                j.as_object_mut().unwrap().remove(k);
            } else {
                j[k] = v.clone();
            }
        }
        j
    };
    let x = b64::decode(p256["x"].as_str().unwrap().as_bytes()).unwrap();
    let mut y_plus_1 = b64::decode(p256["y"].as_str().unwrap().as_bytes()).unwrap();
    *y_plus_1.last_mut().unwrap() ^= 1;
    let (ed_small_order, ed_non_canonical) = ed25519_bad_keys();
    let cases: Vec<(&str, Value, Code)> = vec![
        ("x one octet short", with(&p256, json!({ "x": b64::encode(&x[1..]) })), Code::JwkInvalid),
        ("x with a leading zero octet", with(&p256, json!({ "x": b64::encode(&[&[0u8][..], &x].concat()) })), Code::JwkInvalid),
        ("point off the curve (y + 1)", with(&p256, json!({ "y": b64::encode(&y_plus_1) })), Code::JwkInvalid),
        ("(0, 0), the identity as some libraries write it", with(&p256, json!({ "x": b64::encode(&[0; 32]), "y": b64::encode(&[0; 32]) })), Code::JwkInvalid),
        ("y missing", with(&p256, json!({ "y": null })), Code::JwkInvalid),
        ("x not base64url", with(&p256, json!({ "x": "AA==" })), Code::JwkInvalid),
        ("crv missing", with(&p256, json!({ "crv": null })), Code::JwkInvalid),
        ("crv a number", with(&p256, json!({ "crv": 256 })), Code::JwkInvalid),
        ("crv secp256k1", with(&p256, json!({ "crv": "secp256k1" })), Code::NotSupported),
        ("crv p-256 (case)", with(&p256, json!({ "crv": "p-256" })), Code::NotSupported),
        ("private member d", with(&p256, json!({ "d": "AAAA" })), Code::JwkInvalid),
        ("OKP private member d", with(&ed, json!({ "d": "AAAA" })), Code::JwkInvalid),
        ("OKP crv X25519", with(&ed, json!({ "crv": "X25519" })), Code::NotSupported),
        ("OKP crv Ed448", with(&ed, json!({ "crv": "Ed448" })), Code::NotSupported),
        ("OKP x of 31 octets", with(&ed, json!({ "x": b64::encode(&[9; 31]) })), Code::JwkInvalid),
        ("OKP x of 33 octets", with(&ed, json!({ "x": b64::encode(&[9; 33]) })), Code::JwkInvalid),
        ("OKP x not on the curve", with(&ed, json!({ "x": b64::encode(&not_on_ed25519()) })), Code::JwkInvalid),
        ("OKP x non-canonical (y >= p)", with(&ed, json!({ "x": b64::encode(&ed_non_canonical) })), Code::JwkInvalid),
    ];
    for (what, jwk, want) in cases {
        assert_eq!(jwk_error(jwk), want, "{what}");
    }
    for (i, key) in ed_small_order.iter().enumerate() {
        assert_eq!(jwk_error(with(&ed, json!({ "x": b64::encode(key) }))), Code::JwkInvalid, "small-order key #{i}");
    }
    // A set holding only refused keys is ERR_JWKS_INVALID and says why.
    let e = Jwks::parse(json!({ "keys": [with(&p256, json!({ "y": b64::encode(&y_plus_1) }))] }).to_string().as_bytes()).unwrap_err();
    assert_eq!(e.code(), Code::JwksInvalid);
    assert!(e.message().contains("not a point on P-256"), "{}", e.message());
}

/// Every small-order point of Ed25519 as RFC 8032 encodes them (the identity, the point of
/// order 2, the two of order 4 and the four of order 8, as listed by Chalkias et al., "Taming
/// the many EdDSAs", 2020), and a non-canonical encoding (y + p) of a point of large order.
fn ed25519_bad_keys() -> (Vec<[u8; 32]>, [u8; 32]) {
    let hex = |s: &str| -> [u8; 32] { (0..32).map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap()).collect::<Vec<_>>().try_into().unwrap() };
    let small = [
        "0100000000000000000000000000000000000000000000000000000000000000",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0000000000000000000000000000000000000000000000000000000000000080",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
    ]
    .map(hex)
    .to_vec();
    // The smallest y (little-endian, below 19) that is a point of large order; y + p encodes
    // it again, non-canonically.
    let y = (2u8..19)
        .find(|&y| {
            let mut b = [0u8; 32];
            b[0] = y;
            ed25519_dalek::VerifyingKey::from_bytes(&b).is_ok_and(|k| !k.is_weak())
        })
        .expect("a small y on the curve");
    let mut p_plus_y = hex("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
    p_plus_y[0] += y;
    (small, p_plus_y)
}

/// A y for which x^2 = (y^2 - 1) / (d y^2 + 1) has no root.
fn not_on_ed25519() -> [u8; 32] {
    (2u8..=255)
        .map(|y| {
            let mut b = [0u8; 32];
            b[0] = y;
            b
        })
        .find(|b| ed25519_dalek::VerifyingKey::from_bytes(b).is_err())
        .unwrap()
}

/// RFC 8037 appendix A: the Ed25519 key's thumbprint (A.3) and the signed example (A.4).
#[test]
fn rfc8037_examples() {
    let jwk = json!({ "kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo" });
    assert_eq!(jwksgate::jwk::thumbprint(jwk.to_string().as_bytes()).unwrap(), "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
    let jws = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";
    let v = verifier(&[jwk]);
    let ok = v.verify_jws(jws, &options(&[Alg::EdDSA])).unwrap();
    assert_eq!(ok.payload, b"Example of Ed25519 signing");
}

/// SPKI PEM of every family, with compressed EC points and the refusals: identity, explicit
/// curve parameters, unknown curves and algorithms.
#[test]
fn spki_pem_import() {
    let pem = |der: &[u8]| {
        use base64::Engine;
        format!("-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n", base64::engine::general_purpose::STANDARD.encode(der))
    };
    for alg in [Alg::ES256, Alg::ES384, Alg::ES512, Alg::EdDSA] {
        let signer = EcSigner::from_seed(alg, 21);
        let public = signer.public_bytes();
        let spki = match alg {
            Alg::EdDSA => der::ed25519_spki_der(&public),
            _ => der::ec_spki_der(jwksgate::Curve::from_name(alg.crv().unwrap()).unwrap().oid(), &public),
        };
        let jwk = jwksgate::import_public_key_pem(&pem(&spki)).unwrap();
        let mut expected = signer.jwk(json!({}));
        expected["kid"] = jwk["kid"].clone();
        assert_eq!(Value::Object(jwk.clone()), expected, "{}", alg.name());
        // The kid is base64url SHA-256 of exactly these SPKI octets.
        assert_eq!(jwk["kid"], b64::encode(&<sha2::Sha256 as sha2::Digest>::digest(&spki)));
        if alg != Alg::EdDSA {
            // The same key with its point compressed (RFC 5480 allows it) imports to the same JWK.
            let len = (public.len() - 1) / 2;
            let compressed = [&[2 + (public[public.len() - 1] & 1)][..], &public[1..1 + len]].concat();
            let curve = jwksgate::Curve::from_name(alg.crv().unwrap()).unwrap();
            let again = jwksgate::import_public_key_pem(&pem(&der::ec_spki_der(curve.oid(), &compressed))).unwrap();
            assert_eq!(again, jwk, "{} compressed", alg.name());
        }
    }
    let p256 = jwksgate::Curve::P256.oid();
    let refusals: Vec<(&str, Vec<u8>, Code)> = vec![
        ("the identity (SEC1 0x00)", der::ec_spki_der(p256, &[0]), Code::JwkInvalid),
        ("a point off the curve", der::ec_spki_der(p256, &[&[4u8][..], &[1; 64]].concat()), Code::JwkInvalid),
        ("a P-256 point under the P-384 OID", der::ec_spki_der(jwksgate::Curve::P384.oid(), &EcSigner::from_seed(Alg::ES256, 1).public_bytes()), Code::JwkInvalid),
        ("secp256k1 (1.3.132.0.10)", der::ec_spki_der(&[0x2b, 0x81, 0x04, 0x00, 0x0a], &[4; 65]), Code::NotSupported),
        // id-ecPublicKey with explicit parameters (a SEQUENCE, here a stub) instead of a named curve.
        ("explicit curve parameters", explicit_params_spki(&EcSigner::from_seed(Alg::ES256, 1).public_bytes()), Code::NotSupported),
        ("X25519 (1.3.101.110)", hex("302a300506032b656e032100") .into_iter().chain([9; 32]).collect(), Code::NotSupported),
        ("Ed25519 with parameters present", hex("302c300706032b65700500032100").into_iter().chain([9; 32]).collect(), Code::JwkInvalid),
        ("Ed25519 of 31 octets", der::ed25519_spki_der(&[9; 31]), Code::JwkInvalid),
    ];
    for (what, spki, want) in refusals {
        assert_eq!(jwksgate::import_public_key_pem(&pem(&spki)).unwrap_err().code(), want, "{what}");
    }
}

fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
    assert!(body.len() < 128);
    [&[tag, body.len() as u8][..], body].concat()
}

fn explicit_params_spki(point: &[u8]) -> Vec<u8> {
    let alg = tlv(0x30, &[tlv(0x06, &hex("2a8648ce3d0201")), tlv(0x30, &tlv(0x02, &[1]))].concat());
    tlv(0x30, &[alg, tlv(0x03, &[&[0u8][..], point].concat())].concat())
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

const CERTS: [(&str, &str, &str); 5] = [
    ("rsa", include_str!("vectors/certs/rsa.pem"), "JHJehTTTZlsspKHT-GaJxK7Kd1NQgZJu3fyK6K_QDYU"),
    ("p256", include_str!("vectors/certs/p256.pem"), "SoABiieYuNx4UdqYvZRVeuC6SihxgLrhLy9peHMHpTc"),
    ("p256_v1", include_str!("vectors/certs/p256_v1.pem"), "SoABiieYuNx4UdqYvZRVeuC6SihxgLrhLy9peHMHpTc"),
    ("p521", include_str!("vectors/certs/p521.pem"), "892oXS8SSgNldETvo92mBIZWLBmYJP4dJ3ILGpO-UcM"),
    ("ed25519", include_str!("vectors/certs/ed25519.pem"), "4-WziuR5ZshgiGN0boug1jYnNhcMV020oe-Kx9gxRpI"),
];

/// Certificates (made by OpenSSL, tests/vectors/certs/): `import_x509` as jose's `importX509`
/// and `import_public_key_pem` both read the subject key; the key ids are OpenSSL's.
#[test]
fn x509_certificates() {
    for (name, pem, kid) in CERTS {
        let jwk = jwksgate::import_x509(pem).unwrap();
        assert_eq!(jwk["kid"], kid, "{name}");
        assert_eq!(jwksgate::import_public_key_pem(pem).unwrap(), jwk, "{name}");
    }
    // The Kubernetes P-256 certificate holds the key of Kubernetes' own JWKS entry.
    let keyset: Value = serde_json::from_str(include_str!("vectors/k8s/pkg_serviceaccount/openidmetadata_wantKeyset.json")).unwrap();
    let jwk = jwksgate::import_x509(CERTS[1].1).unwrap();
    assert_eq!((&jwk["x"], &jwk["y"]), (&keyset["keys"][1]["x"], &keyset["keys"][1]["y"]));
    // importX509 takes certificates only; a truncated or altered one is refused.
    let spki_pem = include_str!("vectors/k8s/pkg_serviceaccount/ecdsaPublicKey.pem");
    assert_eq!(jwksgate::import_x509(spki_pem).unwrap_err().code(), Code::JwkInvalid);
    let der = cert_der(CERTS[1].1);
    for (what, bad) in [("truncated", der[..der.len() - 10].to_vec()), ("trailing data", [der.clone(), vec![0]].concat()), ("empty", vec![])] {
        use base64::Engine;
        let pem = format!("-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n", base64::engine::general_purpose::STANDARD.encode(&bad));
        assert_eq!(jwksgate::import_x509(&pem).unwrap_err().code(), Code::JwkInvalid, "{what}");
    }
}

fn cert_der(pem: &str) -> Vec<u8> {
    use base64::Engine;
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD.decode(body).unwrap()
}

fn x5c(pem: &str) -> Value {
    use base64::Engine;
    json!(base64::engine::general_purpose::STANDARD.encode(cert_der(pem)))
}

/// A JWK's `x5c` must hold certificates, the first for the JWK's own key (RFC 7517 section
/// 4.7), as go-jose checks it; the chain itself is not validated.
#[test]
fn x5c_matches_the_key() {
    let k8s = EcSigner::k8s_p256();
    let ed = EcSigner::test_ed25519();
    let rsa = common::public_jwk(&common::key(common::K8S_KEY), json!({}));
    let cases: Vec<(&str, Value, Option<Code>)> = vec![
        ("P-256 key, its certificate", k8s.jwk(json!({ "x5c": [x5c(CERTS[1].1)] })), None),
        ("P-256 key, its v1 certificate then another", k8s.jwk(json!({ "x5c": [x5c(CERTS[2].1), x5c(CERTS[3].1)] })), None),
        ("Ed25519 key, its certificate", ed.jwk(json!({ "x5c": [x5c(CERTS[4].1)] })), None),
        ("RSA key, its certificate", { let mut j = rsa.clone(); j["x5c"] = json!([x5c(CERTS[0].1)]); j }, None),
        ("empty x5c", k8s.jwk(json!({ "x5c": [] })), None),
        ("P-256 key, the P-521 certificate", k8s.jwk(json!({ "x5c": [x5c(CERTS[3].1)] })), Some(Code::JwkInvalid)),
        ("RSA key, the P-256 certificate", { let mut j = rsa.clone(); j["x5c"] = json!([x5c(CERTS[1].1)]); j }, Some(Code::JwkInvalid)),
        ("P-256 key, its certificate second", k8s.jwk(json!({ "x5c": [x5c(CERTS[3].1), x5c(CERTS[1].1)] })), Some(Code::JwkInvalid)),
        ("x5c a string", k8s.jwk(json!({ "x5c": x5c(CERTS[1].1) })), Some(Code::JwkInvalid)),
        ("x5c in base64url", k8s.jwk(json!({ "x5c": [b64::encode(&cert_der(CERTS[1].1))] })), Some(Code::JwkInvalid)),
        ("x5c holding a public key, not a certificate", k8s.jwk(json!({ "x5c": [x5c(include_str!("vectors/k8s/pkg_serviceaccount/ecdsaPublicKey.pem"))] })), Some(Code::JwkInvalid)),
        ("x5c second entry not base64", k8s.jwk(json!({ "x5c": [x5c(CERTS[1].1), "!"] })), Some(Code::JwkInvalid)),
    ];
    for (what, jwk, want) in cases {
        let got = Jwk::from_object(jwk.as_object().unwrap()).unwrap().key().map(|_| ()).map_err(|e| e.code());
        assert_eq!(got.err(), want, "{what}");
    }
    // A token verifies against a key that carries its certificate.
    let v = verifier(&[k8s.jwk(json!({ "kid": "k", "x5c": [x5c(CERTS[1].1)] }))]);
    let token = k8s.token(json!({ "alg": "ES256", "kid": "k" }), k8s_claims());
    assert!(v.verify(&token, &options(&[Alg::ES256])).is_ok());
}

/// What an imported key exports: the defining members, and import again gives the same key.
#[test]
fn jwk_round_trip_and_ids() {
    for alg in CURVE_ALGS {
        let signer = EcSigner::from_seed(alg, 30);
        let jwk = signer.jwk(json!({ "kid": "x", "use": "sig", "alg": alg.name() }));
        let parsed = Jwk::from_object(jwk.as_object().unwrap()).unwrap();
        let key: &Key = parsed.key().unwrap();
        let exported = Value::Object(key.to_jwk(None));
        assert_eq!(exported, signer.jwk(json!({})), "{}", alg.name());
        let again = Key::new(PublicKey::from_spki(der::spki_key(&key.public().spki_der()).unwrap()).unwrap());
        assert_eq!((again.thumbprint(), again.kubernetes_key_id()), (key.thumbprint(), key.kubernetes_key_id()));
        assert!(key.public().fits(alg));
    }
}
