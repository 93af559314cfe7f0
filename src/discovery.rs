//! OpenID Connect Discovery 1.0 section 4: an issuer's metadata names its key set (`jwks_uri`),
//! and (section 4.3) must name exactly the issuer it was fetched for.

use crate::error::{err, short, Code, Error, Result};
use crate::json;
use serde_json::Value;

/// Largest discovery document accepted, in bytes (the bound key sets have too).
pub const MAX_DISCOVERY_BYTES: usize = 512 * 1024;

/// The `jwks_uri` of a discovery document fetched for `issuer`. The document is read with the
/// strict JSON parser (duplicate members refused, so no two readers can see different issuers),
/// and its `issuer` must equal `issuer` exactly. Checking the URL's scheme is the caller's, whose
/// policy depends on where it runs. Errors are `ERR_DISCOVERY_INVALID`.
pub fn jwks_uri(document: &[u8], issuer: &str) -> Result<String> {
    let invalid = |message: String| Error::new(Code::DiscoveryInvalid, message);
    if document.len() > MAX_DISCOVERY_BYTES {
        return err(Code::DiscoveryInvalid, format!("discovery document is over {MAX_DISCOVERY_BYTES} bytes"));
    }
    let value = json::parse(document).map_err(|e| invalid(format!("discovery document is not valid JSON: {e}")))?;
    let doc = value.as_object().ok_or_else(|| invalid("discovery document is not a JSON object".into()))?;
    match doc.get("issuer") {
        Some(Value::String(named)) if named == issuer => {}
        Some(Value::String(named)) => {
            return err(
                Code::DiscoveryInvalid,
                format!("discovery document names issuer {:?}, not {:?}; its keys are not this issuer's", short(named), short(issuer)),
            )
        }
        _ => return err(Code::DiscoveryInvalid, "discovery document has no issuer"),
    }
    match doc.get("jwks_uri") {
        Some(Value::String(uri)) if !uri.is_empty() => Ok(uri.clone()),
        _ => err(Code::DiscoveryInvalid, "discovery document has no jwks_uri"),
    }
}
