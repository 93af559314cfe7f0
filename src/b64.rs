//! Strict base64url (RFC 4648 section 5) as JWS requires it (RFC 7515 section 2): no padding,
//! no whitespace, and no non-canonical trailing bits, so one token has exactly one encoding.

use base64::alphabet::URL_SAFE;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine;

const STRICT: GeneralPurpose = GeneralPurpose::new(
    &URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::RequireNone)
        .with_decode_allow_trailing_bits(false),
);

/// Decodes unpadded, canonical base64url; `None` for anything else.
pub fn decode(input: &[u8]) -> Option<Vec<u8>> {
    STRICT.decode(input).ok()
}

/// Encodes as unpadded base64url.
pub fn encode(input: &[u8]) -> String {
    STRICT.encode(input)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn table() {
        let cases: &[(&str, Option<&[u8]>)] = &[
            ("", Some(b"")),
            ("Zm9v", Some(b"foo")),
            ("Zm8", Some(b"fo")),
            ("Zg", Some(b"f")),
            ("Zm8=", None),   // padding
            ("Zh", None),     // non-canonical trailing bits
            ("Zm9v\n", None), // whitespace
            ("Z", None),      // impossible length
            ("Zm+v", None),   // standard alphabet
            ("Zm/v", None),
            ("_-8", Some(&[0xff, 0xef])),
        ];
        for (input, want) in cases {
            assert_eq!(decode(input.as_bytes()).as_deref(), *want, "{input:?}");
        }
    }
}
