//! WebSocket upgrades through the gate (RFC 6455 section 4): which requests are upgrades, which
//! may be (a browser's cookie only from the gate's own pages: Cross-Site WebSocket Hijacking),
//! and the fields of the upgrade the worker asks of the origin. The worker relays the frames and
//! checks the session again while the connection is open (`store::Op::Check`); nothing here
//! does I/O.

use crate::error::{Code, Error, Result};
use crate::gate::proxy::{field, Source};

/// How often, in seconds, the worker checks an open WebSocket's session with its store: a
/// revoked or used-up session's connection is closed at most this long (and one store round
/// trip) after; an expiring one at its expiry.
pub const CHECK_SECONDS: u32 = 5;

/// Fields of the caller's handshake that belong to its connection with the gate: the worker's
/// fetch makes its own handshake with the origin (key, version, extensions).
const HANDSHAKE_FIELDS: &[&str] = &["sec-websocket-key", "sec-websocket-version", "sec-websocket-extensions", "sec-websocket-accept"];

/// Whether a request asks for a WebSocket: `GET` with `websocket` among `Upgrade`'s protocols
/// (RFC 9110 section 7.8; RFC 6455 section 4.2.1).
pub fn is_upgrade(method: &str, headers: &[(String, String)]) -> bool {
    method.eq_ignore_ascii_case("GET") && field(headers, "upgrade").is_some_and(|v| v.split(',').any(|p| p.trim().eq_ignore_ascii_case("websocket")))
}

/// Checks an upgrade before any credential is used: one carried by the session cookie must not
/// come from a page of another origin (`Origin` other than the gate's own, `null` included) or
/// say `Sec-Fetch-Site: cross-site`; a browser sends the cookie with any page's WebSocket to the
/// gate, and reads whatever comes back. Tokens in `X-Vault-Token` or `Authorization` are not
/// sent by a browser on its own and pass. `ERR_PERMISSION_DENIED` (403).
pub fn check_upgrade(headers: &[(String, String)], gate_origin: Option<&str>, source: Source) -> Result<()> {
    if source != Source::Cookie {
        return Ok(());
    }
    if crate::gate::csrf::from_elsewhere(headers, gate_origin) {
        return Err(Error::new(Code::PermissionDenied, "a WebSocket with the session cookie from another origin"));
    }
    Ok(())
}

/// The fields of the upgrade to the origin, from the ones the proxy forwards
/// (`proxy::request_headers`, which drops `Upgrade` and `Connection` as hop-by-hop): the
/// handshake's own fields dropped, `Upgrade: websocket` set (the worker's fetch then makes the
/// handshake). `Sec-WebSocket-Protocol` passes: the origin chooses the subprotocol.
pub fn upstream_headers(forwarded: &[(String, String)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = forwarded.iter().filter(|(n, _)| !HANDSHAKE_FIELDS.contains(&n.to_ascii_lowercase().as_str())).cloned().collect();
    out.push(("upgrade".to_owned(), "websocket".to_owned()));
    out
}
