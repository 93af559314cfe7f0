//! The gate's proxy, as rules over strings: the route a request takes and the upstream URL it goes
//! to (ORIGIN's scheme, host, port and path, then the request's path normalised as RFC 3986
//! section 6.2.2 reads it), which of the caller's headers reach the origin, and which of the
//! origin's reach the caller. The worker hands over `request.url` and header lists and fetches
//! what comes back; nothing here does I/O.

use crate::error::{Code, Error, Result};
use crate::gate::session::PREFIX as SESSION_PREFIX;
use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The session cookie's name. `__Host-`: Secure, `Path=/`, no `Domain` (RFC 6265bis 4.1.3.2).
pub const SESSION_COOKIE: &str = "__Host-jwksgate-session";
/// Longest request URL accepted, in bytes: a bound before any work on the path.
pub const MAX_URL_BYTES: usize = 16 * 1024;

/// Hop-by-hop fields (RFC 9110 section 7.6.1, plus the de facto `Proxy-Connection` and
/// `Keep-Alive`): one connection's, never forwarded either way.
const HOP_BY_HOP: &[&str] = &["connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "http2-settings"];

/// Request fields the gate drops by name (after folding `_` to `-`): its own credential, the
/// proxy's credential, and what an origin might read as the caller's address, host or path
/// (the gate sets `X-Forwarded-For`, `-Proto` and `-Host` itself; IIS and Symfony route on
/// `X-Original-URL` and `X-Rewrite-URL`), or as an identity.
const REQUEST_DROPPED: &[&str] = &[
    "host", "content-length", "x-vault-token", "proxy-authorization", "forwarded", "x-real-ip", "true-client-ip",
    "x-client-ip", "x-cluster-client-ip", "cf-connecting-ip", "cf-connecting-ipv6", "x-original-url", "x-original-uri",
    "x-rewrite-url", "x-original-host", "x-host", "remote-user", "x-user", "x-email", "x-userinfo",
];

/// Prefixes of request fields an origin might read as identity or as set by a trusted proxy:
/// oauth2-proxy's `X-Auth-Request-*` (the gate's own), Kubernetes' `X-Remote-*`, every
/// `X-Forwarded-*` (`-User`, `-Email`, `-Groups`, `-Access-Token`, `-Preferred-Username`, and the
/// address ones), Kong's, Google IAP's, Azure App Service's, AWS ALB's, Cloudflare Access's,
/// Envoy's; and the gate's own assertion (`X-Jwksgate-Assertion`). Dropped whatever the caller
/// sends; the gate then sets its own.
const IDENTITY_PREFIXES: &[&str] = &[
    "x-auth-request-", "x-remote-", "x-forwarded-", "x-webauth-", "x-authenticated-", "x-consumer-", "x-credential-",
    "x-goog-authenticated-user-", "x-goog-iap-", "x-ms-client-principal", "x-amzn-oidc-", "cf-access-", "x-jwt-", "x-envoy-", "x-jwksgate-",
];

/// Response fields that tell a shared cache (a CDN in front of the gate) to keep an answer:
/// an answer to an authenticated request is per identity, so none of them passes.
const RESPONSE_DROPPED: &[&str] = &["cdn-cache-control", "cloudflare-cdn-cache-control", "surrogate-control"];

/// The request fields an answer depends on besides its URL: the credentials.
const PER_IDENTITY: &[&str] = &["Authorization", "Cookie", "X-Vault-Token"];

fn bad_path(message: &str) -> Error {
    Error::new(Code::InvalidArgument, format!("invalid request path: {message}"))
}

fn bad_origin(message: impl Into<String>) -> Error {
    Error::new(Code::ConfigInvalid, format!("ORIGIN {}", message.into()))
}

/// Where authenticated requests go: an http(s) origin and an optional path under it. Built once,
/// from configuration; a request can change none of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    scheme: &'static str,
    /// `host[:port]`, lower case, the scheme's default port left out (as URL serialisers write it).
    authority: String,
    /// `""`, or a normalised path without its trailing `/` (`/app`).
    base: String,
}

impl Origin {
    /// Parses ORIGIN: `http` or `https`, a host (a name, a dotted IPv4 address or a bracketed
    /// IPv6 one) with an optional port, an optional path, and nothing else: credentials, a query
    /// or a fragment are refused, and so is a path that is not already in the normal form requests
    /// are put in (the operator should see the URL the gate will use). `ERR_CONFIG_INVALID`.
    pub fn parse(text: &str) -> Result<Origin> {
        let text = text.trim();
        let (scheme, rest) = text.split_once("://").ok_or_else(|| bad_origin("must be an absolute http(s) URL"))?;
        let scheme = match scheme.to_ascii_lowercase().as_str() {
            "http" => "http",
            "https" => "https",
            _ => return Err(bad_origin("must be an http(s) URL")),
        };
        let (authority, tail) = split_authority(rest);
        if authority.contains('@') {
            return Err(bad_origin("must not carry credentials"));
        }
        let authority = canonical_authority(authority, scheme)
            .ok_or_else(|| bad_origin("must name a host (a DNS name, a dotted IPv4 address or a bracketed IPv6 one) and an optional port"))?;
        if tail.contains(['?', '#']) {
            return Err(bad_origin("must not have a query or a fragment"));
        }
        let base = match tail {
            "" | "/" => String::new(),
            _ => {
                let normal = normalise_path(tail).map_err(|e| bad_origin(format!("has a path the gate cannot use ({})", e.message())))?;
                let normal = normal.trim_end_matches('/');
                if tail.trim_end_matches('/') != normal {
                    return Err(bad_origin(format!("has a path that is not in normal form: write {normal}/")));
                }
                normal.to_owned()
            }
        };
        Ok(Origin { scheme, authority, base })
    }

    /// `scheme://host[:port]`, as a URL parser serialises the origin.
    pub fn origin(&self) -> String {
        format!("{}://{}", self.scheme, self.authority)
    }

    /// ORIGIN's path without its trailing `/`, or `""`.
    pub fn base(&self) -> &str {
        &self.base
    }
}

/// What the gate does with a request, decided on its normalised path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// `/v1/auth/<mount>/login`.
    Login,
    /// `/v1/auth/token/lookup-self`.
    LookupSelf,
    /// `/v1/auth/token/revoke-self`.
    RevokeSelf,
    /// `/v1/auth/token/renew-self`.
    RenewSelf,
    /// Anything else under `/v1/auth/`, in any case: the gate's namespace, never proxied.
    NotFound,
    /// Everything else: to ORIGIN, with a credential.
    Proxy,
}

impl Route {
    /// The route's name for the worker.
    pub const fn as_str(self) -> &'static str {
        match self {
            Route::Login => "login",
            Route::LookupSelf => "lookup-self",
            Route::RevokeSelf => "revoke-self",
            Route::RenewSelf => "renew-self",
            Route::NotFound => "not-found",
            Route::Proxy => "proxy",
        }
    }
}

/// A request's target, read from `request.url`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// The route its path takes.
    pub route: Route,
    /// The normalised path (see [`normalise_path`]).
    pub path: String,
    /// The query without its `?` (`Some("")` for a bare `?`), bytes a URL parser would encode
    /// encoded; otherwise as sent: a query is the origin's to read.
    pub query: Option<String>,
    /// For a login, the mount its path names.
    pub mount: Option<String>,
}

/// Reads the target of a request from its absolute URL (workerd's `request.url`). Only the path
/// and query are used: the scheme and authority are the gate's own, whatever the request names;
/// the fragment is dropped (no client sends one; a URL parser would drop it). Errors are
/// `ERR_INVALID_ARGUMENT` (400).
pub fn target(url: &str, mount: &str) -> Result<Target> {
    target_in(url, &[mount])
}

/// [`target`] for a gate with several mounts: `/v1/auth/<mount>/login` is a login for each.
pub fn target_in<M: AsRef<str>>(url: &str, mounts: &[M]) -> Result<Target> {
    if url.len() > MAX_URL_BYTES {
        return Err(bad_path(&format!("the URL is longer than {MAX_URL_BYTES} bytes")));
    }
    let (_, rest) = url.split_once("://").ok_or_else(|| bad_path("not an absolute URL"))?;
    let (_, tail) = split_authority(rest);
    let tail = tail.split_once('#').map_or(tail, |(before, _)| before);
    let (path, query) = match tail.split_once('?') {
        Some((path, query)) => (path, Some(normalise_query(query))),
        None => (tail, None),
    };
    let path = if path.is_empty() { "/".to_owned() } else { normalise_path(path)? };
    let mount = path.strip_prefix("/v1/auth/").and_then(|p| p.strip_suffix("/login")).and_then(|m| mounts.iter().find(|x| x.as_ref() == m)).map(|m| m.as_ref().to_owned());
    let route = if mount.is_some() { Route::Login } else { route(&path) };
    Ok(Target { route, path, query, mount })
}

fn route(path: &str) -> Route {
    match path {
        "/v1/auth/token/lookup-self" => return Route::LookupSelf,
        "/v1/auth/token/revoke-self" => return Route::RevokeSelf,
        "/v1/auth/token/renew-self" => return Route::RenewSelf,
        _ => {}
    }
    // Case-insensitively: an origin on a case-insensitive file system (IIS) reads /V1/AUTH/ as /v1/auth/.
    let mut segments = path.split('/').skip(1);
    match (segments.next(), segments.next()) {
        (Some(v1), Some(auth)) if v1.eq_ignore_ascii_case("v1") && auth.eq_ignore_ascii_case("auth") => Route::NotFound,
        _ => Route::Proxy,
    }
}

/// The URL the gate fetches for `target`: ORIGIN's scheme, host and port, ORIGIN's path, the
/// request's normalised path, its query. Read back the way a URL parser reads it, it must still
/// be ORIGIN's, under ORIGIN's path, or it is refused (400) and nothing is fetched.
pub fn upstream(origin: &Origin, target: &Target) -> Result<String> {
    let mut url = origin.origin();
    url.push_str(&origin.base);
    url.push_str(&target.path);
    if let Some(query) = &target.query {
        url.push('?');
        url.push_str(query);
    }
    if !within(&url, origin) {
        return Err(bad_path("the upstream URL would leave ORIGIN"));
    }
    Ok(url)
}

/// Whether `url`, read as a WHATWG URL parser reads an absolute http(s) URL (the authority ends
/// at the first `/`, `\`, `?` or `#`), has ORIGIN's scheme and authority and a path under
/// ORIGIN's path with no segment a parser would resolve or read as a separator.
pub fn within(url: &str, origin: &Origin) -> bool {
    let Some((scheme, rest)) = url.split_once("://") else { return false };
    let (authority, tail) = split_authority(rest);
    let path = tail.split(['?', '#']).next().unwrap_or_default();
    let under = path.strip_prefix(origin.base.as_str()).is_some_and(|p| p.starts_with('/'));
    let plain = |s: &str| {
        let lower = s.to_ascii_lowercase();
        !(lower == "." || lower == ".." || lower.contains("%2e") || lower.contains("%2f") || lower.contains("%5c"))
    };
    scheme == origin.scheme
        && authority == origin.authority
        && under
        && !path.contains('\\')
        && !path.starts_with("//")
        && path.split('/').skip(1).all(plain)
}

/// The path as the origin should read it. Normalised, as nginx, the WHATWG URL parser and Go's
/// net/http read a path (so the gate routes on what the origin serves): `\` is `/` (as WHATWG
/// URL and IIS read it), repeated slashes are one, dot segments (`.` `..`, and `%2e` spellings,
/// which WHATWG URL and nginx count as dots) are resolved without climbing above the root (RFC
/// 3986 section 5.2.4), `%`-encoded unreserved characters are decoded and the other `%`-escapes
/// upper-cased (section 6.2.2), and bytes a URL serialiser would encode are encoded.
/// Refused (`ERR_INVALID_ARGUMENT`), because origins disagree on how to read them and the gate
/// cannot know which reading it would be choosing: an encoded `/` or `\` (Apache answers 404,
/// Tomcat 400, nginx decodes and merges: a `..%2f` would climb out of ORIGIN's path), a dot
/// segment with `;` parameters (Tomcat and Jetty read `..;x` as `..`), a segment of only dots and
/// spaces beyond `.` and `..` (Windows drops trailing dots and spaces), control characters,
/// a `%` without two hex digits, and escapes that do not decode to UTF-8 (`%c0%ae`, an overlong
/// `.` that lax decoders accept).
pub fn normalise_path(raw: &str) -> Result<String> {
    let rest = raw.strip_prefix(['/', '\\']).ok_or_else(|| bad_path("it must start with '/'"))?;
    let mut segments: Vec<String> = Vec::new();
    let mut trailing = false;
    for piece in rest.split(['/', '\\']) {
        let segment = normalise_segment(piece)?;
        trailing = true;
        match segment.as_str() {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            s => {
                let head = s.split(';').next().unwrap_or_default();
                if head == "." || head == ".." {
                    return Err(bad_path("a dot segment with ';' parameters"));
                }
                if head.contains('.') && head.replace("%20", "").bytes().all(|b| b == b'.') {
                    return Err(bad_path("a segment of dots and spaces"));
                }
                segments.push(segment);
                trailing = false;
            }
        }
    }
    let mut out = String::with_capacity(raw.len() + 1);
    for s in &segments {
        out.push('/');
        out.push_str(s);
    }
    if segments.is_empty() || trailing {
        out.push('/');
    }
    Ok(out)
}

fn normalise_segment(piece: &str) -> Result<String> {
    let bytes = piece.as_bytes();
    let mut out = String::with_capacity(piece.len());
    let mut decoded = Vec::with_capacity(piece.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let (value, escaped) = if b == b'%' {
            let v = bytes.get(i + 1..i + 3).and_then(hex_pair).ok_or_else(|| bad_path("a '%' not followed by two hex digits"))?;
            i += 3;
            (v, true)
        } else {
            i += 1;
            (b, false)
        };
        decoded.push(value);
        match value {
            b'/' | b'\\' if escaped => return Err(bad_path("an encoded '/' or '\\'")),
            0..=0x1F | 0x7F => return Err(bad_path("a control character")),
            v if v.is_ascii_alphanumeric() || matches!(v, b'-' | b'.' | b'_' | b'~') => out.push(char::from(v)),
            v if escaped || in_path_set(v) => push_escape(&mut out, v),
            v => out.push(char::from(v)),
        }
    }
    if std::str::from_utf8(&decoded).is_err() {
        return Err(bad_path("escapes that are not UTF-8"));
    }
    Ok(out)
}

/// WHATWG URL's path percent-encode set (`^` included, as workerd's parser escapes it), and
/// every byte beyond ASCII: the worker checks that its URL parser reads the URL back unchanged.
fn in_path_set(b: u8) -> bool {
    b <= 0x20 || b >= 0x7F || matches!(b, b'"' | b'#' | b'<' | b'>' | b'?' | b'^' | b'`' | b'{' | b'}')
}

/// The query as sent, with the bytes WHATWG URL's special-query percent-encode set names
/// encoded, so the URL reads back unchanged; its `%`-escapes are the origin's to decode.
fn normalise_query(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for b in raw.bytes() {
        if b <= 0x20 || b >= 0x7F || matches!(b, b'"' | b'#' | b'<' | b'>' | b'\'') {
            push_escape(&mut out, b);
        } else {
            out.push(char::from(b));
        }
    }
    out
}

fn hex_pair(pair: &[u8]) -> Option<u8> {
    let digit = |b: u8| char::from(b).to_digit(16);
    match pair {
        [hi, lo] => u8::try_from(digit(*hi)? * 16 + digit(*lo)?).ok(),
        _ => None,
    }
}

fn push_escape(out: &mut String, b: u8) {
    out.push_str(&format!("%{b:02X}"));
}

/// RFC 3986 section 3.1: `ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )`.
fn is_scheme(s: &str) -> bool {
    s.bytes().next().is_some_and(|b| b.is_ascii_alphabetic()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
}

/// `(authority, rest)` of what follows `scheme://`: the authority ends where a URL parser ends it.
fn split_authority(rest: &str) -> (&str, &str) {
    let end = rest.find(['/', '\\', '?', '#']).unwrap_or(rest.len());
    rest.split_at_checked(end).unwrap_or((rest, ""))
}

/// `host[:port]` in the form URL serialisers write, or None when it is not a plain host.
fn canonical_authority(authority: &str, scheme: &str) -> Option<String> {
    let lower = authority.to_ascii_lowercase();
    let (host, port) = if let Some(rest) = lower.strip_prefix('[') {
        let (inside, after) = rest.split_once(']')?;
        let ip: Ipv6Addr = inside.parse().ok()?;
        let port = if after.is_empty() { None } else { Some(after.strip_prefix(':')?) };
        (format!("[{ip}]"), port)
    } else {
        let (host, port) = match lower.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (lower.as_str(), None),
        };
        if host.is_empty() || !host.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_')) {
            return None;
        }
        // A numeric last label makes a URL parser read the host as IPv4 (`0x7f.1`, `2130706433`
        // are 127.0.0.1 to it): only the dotted form it would write is taken.
        let last = host.rsplit('.').next().unwrap_or_default();
        if (last.bytes().all(|b| b.is_ascii_digit()) || last.starts_with("0x")) && host.parse::<Ipv4Addr>().is_err() {
            return None;
        }
        (host.to_owned(), port)
    };
    let port = match port {
        None | Some("") => None,
        Some(p) if p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()) => Some(p.parse::<u16>().ok().filter(|n| *n != 0)?),
        Some(_) => return None,
    };
    let default = if scheme == "https" { 443 } else { 80 };
    Some(match port {
        Some(p) if p != default => format!("{host}:{p}"),
        _ => host,
    })
}

/// The gate's own origin as a request names it (`scheme://host[:port]` of `request.url`), or
/// None when its host is not a plain one.
pub fn request_origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let (authority, _) = split_authority(rest);
    Some(format!("{scheme}://{}", canonical_authority(authority, &scheme)?))
}

/// Which credential a request carries, and where.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// `X-Vault-Token`, as Vault clients send it.
    VaultToken,
    /// `Authorization: Bearer`.
    Authorization,
    /// The session cookie.
    Cookie,
}

impl Source {
    /// The header's name, for the worker.
    pub const fn as_str(self) -> &'static str {
        match self {
            Source::VaultToken => "x-vault-token",
            Source::Authorization => "authorization",
            Source::Cookie => "cookie",
        }
    }
}

/// A request's credential.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credential {
    /// The token as sent.
    pub token: String,
    /// Where it was.
    pub source: Source,
}

/// A field's value as HTTP combines repeated fields (`, `), names compared case-insensitively.
pub fn field(headers: &[(String, String)], name: &str) -> Option<String> {
    let values: Vec<&str> = headers.iter().filter(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str()).collect();
    if values.is_empty() {
        None
    } else {
        Some(values.join(", "))
    }
}

/// The caller's credential: `X-Vault-Token`, else `Authorization: Bearer <token>` (the whole
/// field: a Bearer beside another scheme is not taken), else, where `cookie` allows it, the
/// first session cookie, in any `;`- or `,`-separated part (workerd joins two `Cookie` fields
/// with `, `). The first place that holds one decides: no fallback past a credential that fails.
pub fn credential(headers: &[(String, String)], cookie: bool) -> Option<Credential> {
    if let Some(v) = field(headers, "x-vault-token").filter(|v| !v.is_empty()) {
        return Some(Credential { token: v.trim().to_owned(), source: Source::VaultToken });
    }
    if let Some(token) = field(headers, "authorization").as_deref().and_then(bearer) {
        return Some(Credential { token: token.to_owned(), source: Source::Authorization });
    }
    if !cookie {
        return None;
    }
    let value = field(headers, "cookie")?;
    let (_, token) = value
        .split([';', ','])
        .map(|part| part.split_once('=').unwrap_or((part, "")))
        .find(|(name, _)| name.trim() == SESSION_COOKIE)?;
    let token = token.trim();
    (!token.is_empty()).then(|| Credential { token: token.to_owned(), source: Source::Cookie })
}

/// `Bearer <token>` (RFC 6750 section 2.1), the whole field value, the scheme in any case.
fn bearer(value: &str) -> Option<&str> {
    let (scheme, rest) = value.split_at_checked(6)?;
    if !scheme.eq_ignore_ascii_case("bearer") || !rest.starts_with(|c: char| c.is_ascii_whitespace()) {
        return None;
    }
    let token = rest.trim();
    (!token.is_empty() && !token.contains(|c: char| c.is_ascii_whitespace())).then_some(token)
}

/// A field name as an origin may read it: lower case, and `_` as `-` (CGI and many frameworks
/// fold both to `HTTP_X_AUTH_REQUEST_USER`).
fn fold(name: &str) -> String {
    name.to_ascii_lowercase().replace('_', "-")
}

/// The fields `Connection` names: hop-by-hop too.
fn nominated(headers: &[(String, String)]) -> BTreeSet<String> {
    headers
        .iter()
        .filter(|(n, _)| fold(n) == "connection")
        .flat_map(|(_, v)| v.split(',').map(|s| fold(s.trim())))
        .filter(|s| !s.is_empty())
        .collect()
}

fn dropped_request_field(folded: &str) -> bool {
    HOP_BY_HOP.contains(&folded) || REQUEST_DROPPED.contains(&folded) || IDENTITY_PREFIXES.iter().any(|p| folded.starts_with(p))
}

/// Whether an `Authorization` value carries the gate's credential: a Bearer in any of its
/// comma-separated parts (two fields arrive joined: `Basic ..., Bearer eyJ...`), or a session
/// token under any scheme. Other schemes are the origin's and pass.
fn carries_credential(value: &str) -> bool {
    value.contains(SESSION_PREFIX)
        || value.split(',').any(|part| part.trim_start().get(..6).is_some_and(|s| s.eq_ignore_ascii_case("bearer")))
}

fn is_session_cookie(pair: &str) -> bool {
    let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
    name.trim().eq_ignore_ascii_case(SESSION_COOKIE) || value.trim().trim_matches('"').starts_with(SESSION_PREFIX)
}

/// The cookies the origin may see: every pair but the session cookie (by name, in any case) and
/// any pair whose value is a session. A `;`-separated part that holds one in a `,`-joined list
/// is split at its commas; other parts are kept whole (a value may hold a comma).
fn kept_cookies(value: &str, kept: &mut Vec<String>) {
    for part in value.split(';') {
        let pairs: Vec<&str> = part.split(',').collect();
        if pairs.iter().any(|p| is_session_cookie(p)) {
            kept.extend(pairs.iter().map(|p| p.trim()).filter(|p| !p.is_empty() && !is_session_cookie(p)).map(str::to_owned));
        } else if !part.trim().is_empty() {
            kept.push(part.trim().to_owned());
        }
    }
}

/// What the gate knows of the request for the origin's forwarding headers.
#[derive(Clone, Copy, Debug, Default)]
pub struct Forwarding<'a> {
    /// The caller's address (`CF-Connecting-IP`), if known.
    pub client: Option<&'a str>,
    /// The gate's own origin as the request names it ([`request_origin`]).
    pub gate: Option<&'a str>,
}

/// The request fields for the origin. From the caller's: hop-by-hop fields and those
/// `Connection` names; the gate's credentials wherever they are (`X-Vault-Token`, a Bearer or a
/// session in `Authorization`, `Proxy-Authorization`, the session cookie in any `Cookie` part);
/// identity, address and routing fields by name and prefix, in any case and with `_` for `-`;
/// `Host` and `Content-Length` (the fetch sets them). Then the gate's: `identity` (already
/// encoded, [`crate::gate::vault::identity_headers`]), `X-Forwarded-For` (the caller's address),
/// `X-Forwarded-Proto` and `X-Forwarded-Host` (the gate's). Names come out lower case.
pub fn request_headers(headers: &[(String, String)], identity: &[(String, String)], forwarding: Forwarding) -> Vec<(String, String)> {
    let nominated = nominated(headers);
    let mut out = Vec::with_capacity(headers.len() + identity.len() + 3);
    let mut cookies = Vec::new();
    for (name, value) in headers {
        let folded = fold(name);
        if nominated.contains(&folded) || dropped_request_field(&folded) {
            continue;
        }
        match folded.as_str() {
            "authorization" if carries_credential(value) => {}
            "cookie" => kept_cookies(value, &mut cookies),
            _ => out.push((name.to_ascii_lowercase(), value.clone())),
        }
    }
    if !cookies.is_empty() {
        out.push(("cookie".to_owned(), cookies.join("; ")));
    }
    out.extend(identity.iter().map(|(n, v)| (n.to_ascii_lowercase(), v.clone())));
    if let Some(ip) = forwarding.client.and_then(|c| c.trim().parse::<IpAddr>().ok()) {
        out.push(("x-forwarded-for".to_owned(), ip.to_string()));
    }
    if let Some((scheme, host)) = forwarding.gate.and_then(|g| g.split_once("://")) {
        out.push(("x-forwarded-proto".to_owned(), scheme.to_owned()));
        out.push(("x-forwarded-host".to_owned(), host.to_owned()));
    }
    out
}

/// The origin's response fields for the caller. Hop-by-hop fields and those `Connection`
/// names are dropped. The answer is per identity, so no shared cache may keep it:
/// `Cache-Control` gets `private` (RFC 9111 section 5.2.2.7) in place of `public` and `s-maxage`
/// unless it says `no-store`; `Vary` gets the credential fields (for a private cache shared by
/// two logins in one browser); CDN cache directives are dropped. A `Location` naming ORIGIN is
/// rewritten to the gate's path ([`location`]).
pub fn response_headers(headers: &[(String, String)], origin: &Origin) -> Vec<(String, String)> {
    let nominated = nominated(headers);
    let mut out = Vec::with_capacity(headers.len() + 2);
    let mut cache_control = Vec::new();
    let mut vary = Vec::new();
    for (name, value) in headers {
        let lower = name.to_ascii_lowercase();
        if HOP_BY_HOP.contains(&lower.as_str()) || nominated.contains(&lower) || RESPONSE_DROPPED.contains(&lower.as_str()) {
            continue;
        }
        match lower.as_str() {
            "cache-control" => cache_control.extend(list(value)),
            "vary" => vary.extend(list(value)),
            "location" => out.push((lower, location(value, origin))),
            _ => out.push((lower, value.clone())),
        }
    }
    out.push(("cache-control".to_owned(), private_cache_control(&cache_control)));
    out.push(("vary".to_owned(), per_identity_vary(&vary)));
    out
}

/// A comma-separated list's members, trimmed; commas inside quoted strings do not separate.
fn list(value: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in value.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            ',' if !quoted => out.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    out.push(current);
    out.into_iter().map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect()
}

fn private_cache_control(directives: &[String]) -> String {
    let name = |d: &str| d.split('=').next().unwrap_or_default().trim().to_ascii_lowercase();
    // no-store already keeps every cache from storing it: the origin's list stays, less what
    // speaks to shared caches only.
    let no_store = directives.iter().any(|d| name(d) == "no-store");
    let mut out: Vec<&str> = if no_store { Vec::new() } else { vec!["private"] };
    for d in directives {
        match name(d).as_str() {
            "public" | "s-maxage" => {}
            "private" if !no_store => {}
            _ => out.push(d),
        }
    }
    out.join(", ")
}

fn per_identity_vary(members: &[String]) -> String {
    if members.iter().any(|m| m == "*") {
        return "*".to_owned();
    }
    let mut out: Vec<&str> = members.iter().map(String::as_str).collect();
    for field in PER_IDENTITY {
        if !members.iter().any(|m| m.eq_ignore_ascii_case(field)) {
            out.push(field);
        }
    }
    out.join(", ")
}

/// A `Location` from the origin, for the caller. One naming ORIGIN (absolute, or a path under
/// ORIGIN's path) becomes the gate's path for it: the caller comes back through the gate, and
/// ORIGIN's address is not told; others (another site, an identity provider, a relative
/// reference the caller resolves against the gate's URL) pass as they are. The gate never
/// follows a redirect itself.
pub fn location(value: &str, origin: &Origin) -> String {
    let v = value.trim();
    let named = if let Some((scheme, rest)) = v.split_once("://").filter(|(s, _)| is_scheme(s)) {
        if !scheme.eq_ignore_ascii_case(origin.scheme) {
            return value.to_owned();
        }
        Some(rest)
    } else {
        v.strip_prefix("//")
    };
    let reference = match named {
        Some(rest) => {
            let (authority, tail) = split_authority(rest);
            if canonical_authority(authority, origin.scheme).as_deref() != Some(origin.authority.as_str()) {
                return value.to_owned();
            }
            tail
        }
        None if v.starts_with('/') => v,
        None => return value.to_owned(),
    };
    let end = reference.find(['?', '#']).unwrap_or(reference.len());
    let (path, rest) = reference.split_at_checked(end).unwrap_or((reference, ""));
    let path = if path.is_empty() { "/" } else { path };
    match path.strip_prefix(origin.base.as_str()) {
        Some("") => format!("/{rest}"),
        Some(p) if p.starts_with('/') => format!("{p}{rest}"),
        _ => value.to_owned(),
    }
}
