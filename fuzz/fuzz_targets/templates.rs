//! Fuzzes the Bank-Vaults template evaluator (`gate::templates::evaluate`) and AUTH_CONFIG with
//! templates (`gate::mounts::parse_with`) on arbitrary text, with one file and one variable.
//! Invariants: errors are ERR_CONFIG_INVALID; text without `${` comes back unchanged; the output
//! stays within its cap; an evaluation error never shows the variable's value or the file's
//! content (unless the text itself holds them).
#![no_main]

use jwksgate::gate::mounts::parse_with;
use jwksgate::gate::templates::{evaluate, Sources, MAX_OUTPUT_BYTES};
use jwksgate::Code;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = core::str::from_utf8(data) else { return };
    let mut s = Sources::default();
    s.files.insert("ca".into(), "-----BEGIN CERTIFICATE-----\nSECRETFILE\n-----END CERTIFICATE-----\n".into());
    s.env.insert("TOKEN".into(), "SECRETENV".into());
    match evaluate(text, &s) {
        Ok(out) => {
            assert!(out.len() <= MAX_OUTPUT_BYTES + text.len());
            if !text.contains("${") {
                assert_eq!(out, text);
            }
        }
        Err(e) => {
            assert_eq!(e.code(), Code::ConfigInvalid);
            if !text.contains("SECRET") {
                assert!(!e.message().contains("SECRETENV") && !e.message().contains("SECRETFILE"), "{}", e.message());
            }
        }
    }
    // Messages about the evaluated config may quote it (its keys and values): only the code is checked.
    if let Err(e) = parse_with(text, &s) {
        assert_eq!(e.code(), Code::ConfigInvalid);
    }
});
