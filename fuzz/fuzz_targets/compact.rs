//! Fuzzes compact JWS splitting and header parsing (RFC 7515 section 7.1) and
//! `decode_unverified` and the Kubernetes identity reader, which the inspector runs on anything
//! pasted into it.
#![no_main]

use jwksgate::jws::Compact;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Tokens reach the core as `&str`; bytes that are not UTF-8 cannot get that far.
    let Ok(token) = std::str::from_utf8(data) else { return };
    if let Ok(c) = Compact::parse(token, 1 << 20) {
        let _ = c.alg_name();
        let _ = c.kid();
        let _ = c.check_header(&jwksgate::jwa::alg::ALL);
        let _ = c.signature();
        let _ = c.payload();
        assert!(c.signing_input.len() < token.len());
    }
    if let Ok(d) = jwksgate::decode_unverified(token, 1 << 20) {
        // Whatever decodes must re-serialize: the values are plain JSON.
        let _ = serde_json::to_string(&d.header).unwrap();
        let _ = serde_json::to_string(&d.payload).unwrap();
        // The inspector also reads the Kubernetes identity from whatever the payload holds.
        if let Some(id) = jwksgate::kubernetes::identity(&d.payload) {
            assert_eq!(id.subject_matches, d.payload.get("sub").and_then(|s| s.as_str()) == Some(id.subject.as_str()));
            let _ = serde_json::to_string(&id).unwrap();
        }
    }
});
