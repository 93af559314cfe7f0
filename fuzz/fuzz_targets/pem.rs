//! Fuzzes PEM armour (RFC 7468) and the strict DER readers behind `import_public_key_pem` and
//! `import_x509`: SubjectPublicKeyInfo of every family, PKCS#1 RSAPublicKey, certificates.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(pem) = std::str::from_utf8(data) else { return };
    let cert = jwksgate::import_x509(pem);
    let any = jwksgate::import_public_key_pem(pem);
    if let Ok(jwk) = &cert {
        assert_eq!(any.as_ref().ok(), Some(jwk), "a certificate importX509 reads, importPublicKeyPem reads alike");
    }
    if let Ok(jwk) = any {
        // An imported key must round-trip through the JWK importer with the same kid.
        let text = serde_json::Value::Object(jwk.clone()).to_string();
        let again = jwksgate::Jwk::parse(text.as_bytes()).expect("exported JWK parses");
        let key = again.key().expect("exported JWK imports");
        assert_eq!(jwk["kid"].as_str(), Some(key.kubernetes_key_id()));
    }
});
