//! Login CSRF: a login with `set_cookie` hands the browser a session, so a page elsewhere must
//! not be able to make one (an attacker's session planted in the victim's browser). It must be
//! JSON, which a cross-site form cannot send (a fetch that could is preflighted, and the gate
//! answers no CORS preflight), and must not come from a foreign `Origin` or say
//! `Sec-Fetch-Site: cross-site` (Fetch Metadata). A login without `set_cookie` sets nothing in
//! the browser and is Vault's, unchanged: Vault reads any body as JSON whatever its type.

use crate::error::{Code, Error, Result};
use crate::gate::proxy::field;

/// Checks a login that asks for the cookie. `gate_origin` is the gate's own origin as the
/// request names it (`proxy::request_origin`). A wrong `Content-Type` is `ERR_INVALID_ARGUMENT`
/// (400); a cross-site request is `ERR_PERMISSION_DENIED` (403).
pub fn check_cookie_login(headers: &[(String, String)], gate_origin: Option<&str>) -> Result<()> {
    let json = field(headers, "content-type")
        .is_some_and(|t| t.split(';').next().unwrap_or_default().trim().eq_ignore_ascii_case("application/json"));
    if !json {
        return Err(Error::new(Code::InvalidArgument, "set_cookie needs Content-Type: application/json"));
    }
    if from_elsewhere(headers, gate_origin) {
        return Err(Error::new(Code::PermissionDenied, "set_cookie is refused for a cross-site request"));
    }
    Ok(())
}

/// Whether a browser says the request comes from a page of another origin: an `Origin` other
/// than the gate's own (`null`, a sandboxed frame or a data: URL, included), or
/// `Sec-Fetch-Site: cross-site` (Fetch Metadata). No `Origin` is not a browser's cross-origin
/// request (a browser sends it with every POST and every WebSocket).
pub fn from_elsewhere(headers: &[(String, String)], gate_origin: Option<&str>) -> bool {
    let foreign = field(headers, "origin").is_some_and(|o| gate_origin.is_none_or(|g| !o.trim().eq_ignore_ascii_case(g)));
    let cross_site = field(headers, "sec-fetch-site").is_some_and(|s| s.trim().eq_ignore_ascii_case("cross-site"));
    foreign || cross_site
}
