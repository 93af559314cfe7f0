//! Cross-site request forgery, for the two ways a browser's cookie could be made to act.
//! Login CSRF: a login with `set_cookie` hands the browser a session, so a page elsewhere must
//! not be able to make one (an attacker's session planted in the victim's browser). It must be
//! JSON, which a cross-site form cannot send (a fetch that could is preflighted, and the gate
//! answers no CORS preflight), and must not come from a foreign `Origin` or say
//! `Sec-Fetch-Site: cross-site` (Fetch Metadata). A login without `set_cookie` sets nothing in
//! the browser and is Vault's, unchanged: Vault reads any body as JSON whatever its type.
//! Request CSRF: a request that the session cookie authenticates and that may change state (any
//! method but GET, HEAD and OPTIONS: a proxied POST, `revoke-self`) must come from the gate's own
//! origin. `SameSite=Strict` keeps the cookie from other sites, not from a sibling subdomain
//! (same site, another origin), so `Sec-Fetch-Site: same-site` is refused there too.

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
    if foreign_origin(headers, gate_origin) || fetch_site_is(headers, &["cross-site"]) {
        return Err(Error::new(Code::PermissionDenied, "set_cookie is refused for a cross-site request"));
    }
    Ok(())
}

/// A browser sends Origin with every POST; `null` (a sandboxed frame, a data: URL, a redirect
/// across origins) is foreign, and so is any Origin when the gate's own is unknown.
fn foreign_origin(headers: &[(String, String)], gate_origin: Option<&str>) -> bool {
    field(headers, "origin").is_some_and(|o| gate_origin.is_none_or(|g| !o.trim().eq_ignore_ascii_case(g)))
}

/// Whether `Sec-Fetch-Site` (Fetch Metadata) says one of `values`.
fn fetch_site_is(headers: &[(String, String)], values: &[&str]) -> bool {
    field(headers, "sec-fetch-site").is_some_and(|s| values.iter().any(|v| s.trim().eq_ignore_ascii_case(v)))
}

/// Methods that change nothing (RFC 9110 section 9.2.1, TRACE aside: the gate treats it as unsafe).
pub fn is_safe_method(method: &str) -> bool {
    matches!(method.to_ascii_uppercase().as_str(), "GET" | "HEAD" | "OPTIONS")
}

/// Checks a request that the session cookie authenticates (not `X-Vault-Token` nor a Bearer,
/// which a page elsewhere cannot attach). A foreign `Origin` (`null` included) is refused
/// whatever the method: browsers send one on a cross-origin `fetch` (a sibling's
/// `credentials: "include"` read, which an origin answering CORS loosely would let it read), not
/// on a navigation. A method other than GET, HEAD and OPTIONS must also not say
/// `Sec-Fetch-Site: cross-site` or `same-site` (a sibling subdomain, which `SameSite=Strict`
/// does not stop). A request with neither field (a client that is not a browser) passes, as at
/// login. `ERR_PERMISSION_DENIED` (403).
pub fn check_cookie_request(method: &str, headers: &[(String, String)], gate_origin: Option<&str>) -> Result<()> {
    if foreign_origin(headers, gate_origin) {
        return Err(Error::new(Code::PermissionDenied, "a request authenticated by the session cookie is refused from another origin"));
    }
    if !is_safe_method(method) && fetch_site_is(headers, &["cross-site", "same-site"]) {
        return Err(Error::new(Code::PermissionDenied, "a request authenticated by the session cookie is refused from another origin"));
    }
    Ok(())
}
