//! JWS Compact Serialization (RFC 7515 section 7.1): splitting, the protected header, and the
//! header rules applied before any key is touched (RFC 7515 section 4.1, RFC 8725 section 3.1).

use crate::jwa::alg::Alg;
use crate::b64;
use crate::error::{err, short, Code, Error, Result};
use crate::json;
use serde_json::{Map, Value};

/// Header parameters that name or carry a key. They are read, reported, and never used to
/// find or fetch a key (RFC 8725 section 3.10).
pub const KEY_BEARING_HEADERS: [&str; 4] = ["jku", "x5u", "jwk", "x5c"];

/// A compact JWS split into its parts, with the header parsed. Nothing here is verified.
#[derive(Clone, Debug)]
pub struct Compact<'a> {
    /// The protected header.
    pub header: Map<String, Value>,
    /// The protected header's JSON text, members in their order.
    pub header_json: String,
    /// The ASCII signing input, `header.payload`.
    pub signing_input: &'a [u8],
    /// The payload segment, still base64url-encoded.
    pub payload_b64: &'a str,
    /// The signature segment, still base64url-encoded.
    pub signature_b64: &'a str,
}

impl<'a> Compact<'a> {
    /// Splits `token` into exactly three segments and parses the header as a JSON object.
    /// `max_bytes` bounds the whole token.
    pub fn parse(token: &'a str, max_bytes: usize) -> Result<Self> {
        if token.len() > max_bytes {
            return err(Code::JwsInvalid, format!("token is {} bytes; the limit is {max_bytes}", token.len()));
        }
        let segments = || Error::new(Code::JwsInvalid, "Invalid Compact JWS: expected three dot-separated segments");
        // The signing input is everything before the last dot, and holds exactly one more.
        let (signing_input, s) = token.rsplit_once('.').ok_or_else(segments)?;
        let (h, p) = signing_input.split_once('.').filter(|(_, p)| !p.contains('.')).ok_or_else(segments)?;
        let header_bytes = b64::decode(h.as_bytes())
            .ok_or_else(|| Error::new(Code::JwsInvalid, "JWS Protected Header is not canonical unpadded base64url"))?;
        let header = match json::parse(&header_bytes) {
            Ok(Value::Object(m)) => m,
            Ok(_) => return err(Code::JwsInvalid, "JWS Protected Header must be a JSON object"),
            Err(e) => return err(Code::JwsInvalid, format!("JWS Protected Header is not valid JSON: {e}")),
        };
        // Parsed as JSON above, so UTF-8; the error is unreachable but stays a value.
        let header_json = String::from_utf8(header_bytes).map_err(|_| Error::new(Code::JwsInvalid, "JWS Protected Header is not UTF-8"))?;
        Ok(Compact { header, header_json, signing_input: signing_input.as_bytes(), payload_b64: p, signature_b64: s })
    }

    /// The header's `alg`, which must be a string.
    pub fn alg_name(&self) -> Result<&str> {
        match self.header.get("alg") {
            Some(Value::String(a)) => Ok(a),
            _ => err(Code::JwsInvalid, "JWS \"alg\" (Algorithm) Header Parameter missing or invalid"),
        }
    }

    /// The header's `kid`: absent, or a string.
    pub fn kid(&self) -> Result<Option<&str>> {
        match self.header.get("kid") {
            None => Ok(None),
            Some(Value::String(k)) => Ok(Some(k)),
            Some(_) => err(Code::JwsInvalid, "JWS \"kid\" (Key ID) Header Parameter must be a string"),
        }
    }

    /// Applies the header rules and returns the algorithm, if `allowed` lists it.
    ///
    /// Order follows `jose`: `crit` (RFC 7515 section 4.1.11: no extension is understood, so
    /// any listed is refused), `b64` (only the default `true`; RFC 7797 payloads are refused),
    /// then the allowlist, which never consults the token.
    pub fn check_header(&self, allowed: &[Alg]) -> Result<Alg> {
        if let Some(crit) = self.header.get("crit") {
            let first = crit
                .as_array()
                .filter(|a| a.iter().all(Value::is_string))
                .and_then(|a| a.first())
                .and_then(Value::as_str)
                .ok_or_else(|| Error::new(Code::JwsInvalid, "\"crit\" (Critical) Header Parameter must be a non-empty array of strings"))?;
            return err(Code::NotSupported, format!("Extension Header Parameter \"{}\" is not recognized", short(first)));
        }
        match self.header.get("b64") {
            None | Some(Value::Bool(true)) => {}
            Some(_) => return err(Code::NotSupported, "unencoded payloads (\"b64\": false, RFC 7797) are not supported"),
        }
        let name = self.alg_name()?;
        match Alg::from_name(name) {
            Some(alg) if allowed.contains(&alg) => Ok(alg),
            _ => err(Code::AlgNotAllowed, format!("\"alg\" (Algorithm) Header Parameter value {:?} not allowed", short(name))),
        }
    }

    /// The decoded signature.
    pub fn signature(&self) -> Result<Vec<u8>> {
        b64::decode(self.signature_b64.as_bytes())
            .ok_or_else(|| Error::new(Code::JwsInvalid, "JWS signature is not canonical unpadded base64url"))
    }

    /// The decoded payload bytes.
    pub fn payload(&self) -> Result<Vec<u8>> {
        b64::decode(self.payload_b64.as_bytes())
            .ok_or_else(|| Error::new(Code::JwsInvalid, "JWS payload is not canonical unpadded base64url"))
    }
}
