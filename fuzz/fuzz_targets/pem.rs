//! Fuzzes PEM armour (RFC 7468) and the strict DER reader for SubjectPublicKeyInfo and PKCS#1
//! RSAPublicKey behind `import_public_key_pem`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(pem) = std::str::from_utf8(data) else { return };
    if let Ok(jwk) = jwksgate::import_public_key_pem(pem) {
        // An imported key must round-trip through the JWK importer with the same kid.
        let text = serde_json::Value::Object(jwk.clone()).to_string();
        let again = jwksgate::Jwk::parse(text.as_bytes()).expect("exported JWK parses");
        let key = again.rsa().expect("exported JWK imports");
        assert_eq!(jwk["kid"].as_str(), Some(key.kubernetes_key_id()));
    }
});
