//! What a key source may be fetched from: the one rule of the package, the page, the worker and
//! the command (issue 22). https; or plain http to this machine only: an IPv4 address in
//! 127.0.0.0/8 (four decimal parts, as WHATWG's URL serializer writes them), `[::1]` (spelled so,
//! as it serializes the IPv6 loopback), or the name `localhost` (RFC 6761 section 6.3, which
//! browsers resolve to loopback themselves); and never a URL carrying a user name or password
//! (RFC 3986 section 3.2.1 deprecates them; browsers refuse to fetch them). No I/O: the caller
//! fetches, and passes the URL as its fetch will request it (in JS, `new URL(x).href`).
//!
//! Read as an attacker would: the authority is cut where RFC 3986 and WHATWG's URL parser both
//! end it, and anything either might read another way (a backslash, which WHATWG reads as `/`;
//! spaces and controls; non-ASCII; an `@`) is refused rather than interpreted. `127.1`,
//! `0x7f.0.0.1`, `127.000.0.1`, `localhost.`, `foo.localhost`, `[0::1]` and `[::ffff:127.0.0.1]`
//! are not loopback here (a JS host's `href` has already rewritten the first and the sixth). The
//! addresses are read by hand, not by `core::net`'s parsers: 3.7 KB less wasm.

/// Why a URL may not be fetched, as a stable code.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Not an absolute `scheme://host` URL, or it holds what a parser might read two ways.
    Invalid,
    /// Neither https nor http.
    Scheme,
    /// Plain http to a host that is not this machine.
    PlainHttp,
    /// A user name or password in the authority.
    Credentials,
}

impl Refusal {
    /// The stable code, e.g. `ERR_URL_PLAIN_HTTP`.
    pub const fn code(self) -> &'static str {
        match self {
            Refusal::Invalid => "ERR_URL_INVALID",
            Refusal::Scheme => "ERR_URL_SCHEME",
            Refusal::PlainHttp => "ERR_URL_PLAIN_HTTP",
            Refusal::Credentials => "ERR_URL_CREDENTIALS",
        }
    }

    /// The refusal in words, about `what` (`jwks_uri`, `the issuer`...).
    pub fn message(self, what: &str) -> String {
        let why = match self {
            Refusal::Invalid => "is not a valid URL",
            Refusal::Scheme => "must be an https URL",
            Refusal::PlainHttp => "must use https (plain http only to a loopback address: 127.0.0.0/8, [::1], localhost)",
            Refusal::Credentials => "must not carry credentials (a user name or password)",
        };
        format!("{what} {why}")
    }
}

/// A URL the rule allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fetchable {
    /// https (else plain http, to loopback).
    pub https: bool,
    /// The host is this machine (127.0.0.0/8, `[::1]`, `localhost`).
    pub loopback: bool,
}

/// Whether `url` may be fetched for keys or metadata: `Ok` with what it is, or why not.
pub fn check(url: &str) -> Result<Fetchable, Refusal> {
    // Printable ASCII only, and no backslash (WHATWG turns it into `/` in http(s) URLs, so
    // `http://127.0.0.1\@evil.test/` would be one host to one parser and another to the other).
    if url.bytes().any(|b| !(0x21..=0x7e).contains(&b) || b == b'\\') {
        return Err(Refusal::Invalid);
    }
    let (scheme, rest) = crate::ascii::split_once(url, "://").ok_or(Refusal::Invalid)?;
    let https = if scheme.eq_ignore_ascii_case("https") {
        true
    } else if scheme.eq_ignore_ascii_case("http") {
        false
    } else if !scheme.is_empty() && scheme.bytes().all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b)) {
        return Err(Refusal::Scheme);
    } else {
        return Err(Refusal::Invalid);
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err(Refusal::Credentials);
    }
    let (host, port) = split_host_port(authority).ok_or(Refusal::Invalid)?;
    if !port.bytes().all(|b| b.is_ascii_digit()) || port.len() > 5 || port.parse::<u32>().is_ok_and(|p| p > 65_535) {
        return Err(Refusal::Invalid);
    }
    let loopback = match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        Some(v6) => {
            if v6.is_empty() || !v6.bytes().all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.') || !v6.contains(':') {
                return Err(Refusal::Invalid);
            }
            v6 == "::1"
        }
        None => {
            const SUB_DELIMS: &[u8] = b"-._~!$&'()*+,;=";
            if host.is_empty() || !host.bytes().all(|b| b.is_ascii_alphanumeric() || SUB_DELIMS.contains(&b)) {
                return Err(Refusal::Invalid);
            }
            host.eq_ignore_ascii_case("localhost") || ipv4_loopback(host)
        }
    };
    if !https && !loopback {
        return Err(Refusal::PlainHttp);
    }
    Ok(Fetchable { https, loopback })
}

/// `host` (brackets kept for IPv6) and `port` (empty when absent) of an authority.
fn split_host_port(authority: &str) -> Option<(&str, &str)> {
    if authority.starts_with('[') {
        let close = authority.find(']')?;
        let (host, after) = authority.split_at_checked(close + 1)?;
        return match after.strip_prefix(':') {
            Some(port) => Some((host, port)),
            None if after.is_empty() => Some((host, "")),
            None => None,
        };
    }
    match authority.split_once(':') {
        Some((_, port)) if port.contains(':') => None,
        Some((host, port)) => Some((host, port)),
        None => Some((authority, "")),
    }
}

/// Whether `host` is an address of 127.0.0.0/8 in four decimal parts, each 0 to 255 without a
/// leading zero (WHATWG's serialization; the forms it rewrites are not taken on trust).
fn ipv4_loopback(host: &str) -> bool {
    let mut parts = 0;
    for (i, part) in host.split('.').enumerate() {
        let decimal = !part.is_empty() && part.len() <= 3 && part.bytes().all(|b| b.is_ascii_digit()) && !(part.len() > 1 && part.starts_with('0'));
        if !decimal || part.parse::<u16>().map_or(true, |v| v > 255) || (i == 0 && part != "127") {
            return false;
        }
        parts = i + 1;
    }
    parts == 4
}
