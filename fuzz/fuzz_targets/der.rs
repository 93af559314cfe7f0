//! Fuzzes the strict DER readers behind every key import: SubjectPublicKeyInfo of each family
//! (RSA, EC with a named curve, Ed25519) and the subject key of an X.509 certificate, then each
//! family's validation (`PublicKey::from_spki`: modulus bounds, points on the curve, small order).
#![no_main]

use jwksgate::{der, Key, PublicKey};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for parsed in [der::spki_key(data), der::certificate_key(data)] {
        let Ok(Ok(public)) = parsed.map(PublicKey::from_spki) else { continue };
        // A validated key re-encodes canonically, and that encoding imports to the same key.
        let spki = public.spki_der();
        let again = PublicKey::from_spki(der::spki_key(&spki).expect("canonical SPKI parses")).expect("canonical SPKI imports");
        assert_eq!(again.spki_der(), spki);
        let (a, b) = (Key::new(public), Key::new(again));
        assert_eq!((a.thumbprint(), a.kubernetes_key_id()), (b.thumbprint(), b.kubernetes_key_id()));
        // Its JWK form imports to the same key again.
        let jwk = serde_json::Value::Object(a.to_jwk(None)).to_string();
        let parsed = jwksgate::Jwk::parse(jwk.as_bytes()).expect("exported JWK parses");
        assert_eq!(parsed.key().expect("exported JWK imports").thumbprint(), a.thumbprint());
    }
});
