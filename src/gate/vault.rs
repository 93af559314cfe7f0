//! Vault's HTTP shapes: the login request body, and the responses (the `logical.Response` as
//! Vault's HTTP layer writes it) for login and token lookup, so Vault clients work unchanged.

use crate::error::{Code, Error, Result};
use crate::gate::session::{Session, SessionKey};
use crate::gate::store::Record;
use serde_json::{json, Value};

/// The body of `POST /v1/auth/<mount>/login`: `{"role": "...", "jwt": "...", "set_cookie": true}`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LoginRequest {
    /// `role`; `None` when absent, null or empty (the host then uses its default role).
    pub role: Option<String>,
    /// `jwt`; `None` when absent, null or empty.
    pub jwt: Option<String>,
    /// `set_cookie` (the gate's own field). Defaults to false.
    pub set_cookie: bool,
}

fn bad_input(message: impl Into<String>) -> Error {
    Error::new(Code::InvalidArgument, message)
}

fn string_member(value: Option<&Value>, name: &str) -> Result<Option<String>> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(bad_input(format!("field {name:?} must be a string"))),
    }
}

/// Parses a login body with the same strict JSON as tokens (duplicate members, a byte order
/// mark, invalid UTF-8 and nesting past 64 levels are refused), so a proxy in front and the
/// gate cannot read two different logins from one body. An empty body is an empty object.
/// Members other than these three are ignored, as Vault ignores unknown parameters.
/// Errors are `ERR_INVALID_ARGUMENT` (HTTP 400); they quote at most a member name, cut short.
pub fn parse_login_request(body: &[u8]) -> Result<LoginRequest> {
    if body.is_empty() {
        return Ok(LoginRequest::default());
    }
    let value = crate::json::parse(body).map_err(|e| bad_input(format!("failed to parse JSON input: {e}")))?;
    let obj = value.as_object().ok_or_else(|| bad_input("failed to parse JSON input: the body must be a JSON object"))?;
    let set_cookie = match obj.get("set_cookie") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(bad_input("field \"set_cookie\" must be a boolean")),
    };
    Ok(LoginRequest { role: string_member(obj.get("role"), "role")?, jwt: string_member(obj.get("jwt"), "jwt")?, set_cookie })
}

/// The `increment` of a `renew-self` body (`{"increment": "1h"}` or seconds; Vault's
/// TypeDurationSecond), 0 when absent. Strict JSON, as every body the gate reads.
pub fn parse_increment(body: &[u8]) -> Result<u64> {
    if body.is_empty() {
        return Ok(0);
    }
    let value = crate::json::parse(body).map_err(|e| bad_input(format!("failed to parse JSON input: {e}")))?;
    let obj = value.as_object().ok_or_else(|| bad_input("failed to parse JSON input: the body must be a JSON object"))?;
    let secs = crate::gate::fields::duration_second(obj.get("increment").unwrap_or(&Value::Null), "increment", false).map_err(|e| bad_input(e.message()))?;
    Ok(secs.unwrap_or(0).max(0) as u64)
}

/// A claim value made safe for a request header to the origin: visible ASCII other than `%`
/// and `,` as it is, every other byte of its UTF-8 as `%XX` (RFC 3986 percent-encoding). A value
/// then cannot split a comma-separated list, break the header, or be read in another charset.
pub fn header_value(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if b.is_ascii_graphic() && b != b'%' && b != b',' {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A mount-qualified user for the origin: `<mount>/<alias>`, the alias encoded by
/// [`header_value`] with its `/` encoded too (`%2F`), so the last `/` always ends the mount
/// (mount paths may hold `/`; `a/b` + `c` and `a` + `b/c` must not meet).
pub fn qualified_user(mount: &str, alias: &str) -> String {
    format!("{}/{}", header_value(mount), header_value(alias).replace('/', "%2F"))
}

/// The identity headers the origin receives, for a session and a Bearer token alike:
/// `X-Auth-Request-User` (`<mount>/<alias>`, [`qualified_user`]: one name in two clusters is
/// two users, as Vault keeps one entity per mount accessor), `-Mount` (the mount path),
/// `-Policies` and `-Groups` (comma-separated, each encoded by [`header_value`]) and `-Role`.
pub fn identity_headers(mount: &str, role: &str, alias: &str, groups: &[String], policies: &[String]) -> Value {
    let list = |items: &[String]| items.iter().map(|g| header_value(g)).collect::<Vec<_>>().join(",");
    json!({
        "x-auth-request-user": qualified_user(mount, alias),
        "x-auth-request-mount": header_value(mount),
        "x-auth-request-policies": list(policies),
        "x-auth-request-groups": list(groups),
        "x-auth-request-role": header_value(role),
    })
}

/// `{"errors": [message]}`, Vault's error body.
pub fn error_body(message: &str) -> Value {
    json!({ "errors": [message] })
}

fn envelope(request_id: &str, data: Value, auth: Value, warnings: &[String]) -> Value {
    json!({
        "request_id": request_id,
        "lease_id": "",
        "renewable": false,
        "lease_duration": 0,
        "data": data,
        "wrap_info": null,
        "warnings": if warnings.is_empty() { Value::Null } else { json!(warnings) },
        "auth": auth,
    })
}

/// The token's display name as `LoginCreateToken` makes it: the mount with `/` turned into
/// `-`, a `-`, the alias; one trailing `-` trimmed.
pub fn display_name(mount: &str, alias: &str) -> String {
    let name = format!("{}-{alias}", mount.trim_matches('/').replace('/', "-"));
    name.strip_suffix('-').map_or_else(|| name.clone(), str::to_owned)
}

/// The `auth` block of a login or a renewal (`HTTPAuth`): the session's token, with `ttl` as
/// its `lease_duration`. Sessions are renewable (`tokenutil.PopulateTokenAuth` sets
/// `Renewable`), up to the role's maximum.
fn auth_block(key: &SessionKey, session: &Session, token: &str, ttl: i64) -> Value {
    json!({
        "client_token": token,
        "accessor": key.accessor(&session.id),
        "policies": session.policies,
        "token_policies": session.policies,
        "metadata": session.meta,
        "lease_duration": ttl,
        "renewable": true,
        "entity_id": key.entity_id(&session.m, &session.alias),
        "token_type": "service",
        "orphan": true,
        "mfa_requirement": null,
        "num_uses": session.n,
    })
}

/// The body of a successful `POST /v1/auth/<mount>/login`, with Vault's `warnings` (a capped TTL).
pub fn login_response(key: &SessionKey, session: &Session, token: &str, request_id: &str, warnings: &[String]) -> Value {
    envelope(request_id, Value::Null, auth_block(key, session, token, session.exp - session.iat), warnings)
}

/// [`login_response`] as the JSON text the worker sends, written directly: the same bytes as
/// `serde_json::to_string(&login_response(..))` (members in the sorted order of serde_json's
/// map), without building the value first. A login's answer is on every login's path.
pub fn login_response_text(key: &SessionKey, session: &Session, token: &str, request_id: &str, warnings: &[String]) -> String {
    let mut out = String::with_capacity(token.len() + 512);
    let policies = json_text(&session.policies);
    out.push_str("{\"auth\":{\"accessor\":");
    out.push_str(&json_text(&key.accessor(&session.id)));
    out.push_str(",\"client_token\":");
    out.push_str(&json_text(token));
    out.push_str(",\"entity_id\":");
    out.push_str(&json_text(&key.entity_id(&session.m, &session.alias)));
    out.push_str(&format!(",\"lease_duration\":{},\"metadata\":", session.exp - session.iat));
    out.push_str(&json_text(&session.meta));
    out.push_str(&format!(",\"mfa_requirement\":null,\"num_uses\":{},\"orphan\":true,\"policies\":", session.n));
    out.push_str(&policies);
    out.push_str(",\"renewable\":true,\"token_policies\":");
    out.push_str(&policies);
    out.push_str(",\"token_type\":\"service\"},\"data\":null,\"lease_duration\":0,\"lease_id\":\"\",\"renewable\":false,\"request_id\":");
    out.push_str(&json_text(request_id));
    out.push_str(",\"warnings\":");
    out.push_str(&if warnings.is_empty() { "null".to_owned() } else { json_text(warnings) });
    out.push_str(",\"wrap_info\":null}");
    out
}

/// `value` as JSON text (strings, lists and maps of strings: serializing cannot fail).
fn json_text<T: serde::Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".into())
}

/// The body of a successful `auth/token/renew-self`: the `auth` block with the new TTL, and
/// CalculateTTL's warnings.
pub fn renew_response(key: &SessionKey, session: &Session, token: &str, ttl: u64, request_id: &str, warnings: &[String]) -> Value {
    envelope(request_id, Value::Null, auth_block(key, session, token, i64::try_from(ttl).unwrap_or(i64::MAX)), warnings)
}

/// The body of `auth/token/lookup-self` at `now`, with the fields `handleLookup` writes:
/// the store's expiry and uses (`record`, `num_uses`), `bound_cidrs`, `period` and
/// `last_renewal_time` only when set, as Vault.
pub fn lookup_response(key: &SessionKey, session: &Session, record: &Record, num_uses: i64, token: &str, request_id: &str, now: i64) -> Value {
    let mount = &session.m;
    let mut data = json!({
        "accessor": key.accessor(&session.id),
        "creation_time": session.iat,
        "creation_ttl": session.exp - session.iat,
        "display_name": display_name(mount, session.dn.as_deref().unwrap_or(&session.alias)),
        "entity_id": key.entity_id(mount, &session.alias),
        "expire_time": rfc3339(record.exp),
        "explicit_max_ttl": session.xmax,
        "id": token,
        "issue_time": rfc3339(session.iat),
        "meta": session.meta,
        "num_uses": num_uses,
        "orphan": true,
        "path": format!("auth/{mount}/login"),
        "policies": session.policies,
        "renewable": true,
        "ttl": record.exp.saturating_sub(now).max(0),
        "type": "service",
    });
    if let Some(obj) = data.as_object_mut() {
        if !session.cidrs.is_empty() {
            obj.insert("bound_cidrs".into(), json!(session.cidrs));
        }
        if session.period > 0 {
            obj.insert("period".into(), json!(session.period));
        }
        if let Some(renewed) = record.renewed {
            obj.insert("last_renewal_time".into(), json!(renewed));
            obj.insert("last_renewal".into(), json!(rfc3339(renewed)));
        }
    }
    envelope(request_id, data, Value::Null, &[])
}

/// Seconds since the epoch as an RFC 3339 UTC timestamp (civil-from-days, H. Hinnant's algorithm).
pub fn rfc3339(secs: i64) -> String {
    let days = secs.div_euclid(86400);
    let rem = secs.rem_euclid(86400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}
