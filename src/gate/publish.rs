//! Published keys (issue 25): `jwksgate publish`, run inside a cluster the edge cannot reach,
//! pushes the cluster's issuer and key set to the gate (`PUT /.jwksgate/keys/<mount>`), and a
//! mount with `jwks_published: true` takes its keys only from what was pushed for it. Both ends
//! are here, pure: the request's MAC (HMAC-SHA256, RFC 2104, over the method, the path, a
//! timestamp and the body's SHA-256, as AWS SigV4 and Stripe's webhooks sign a request), the
//! clock window, no rollback, the issuer bound to the mount, and the set taken as the whole truth
//! (an empty set refuses every token). No I/O and no clock: the caller passes `now` and what is
//! stored.

use crate::error::{Code, Error, Result};
use crate::json;
use crate::jwk::{Jwks, MAX_JWKS_BYTES};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

/// The environment variable `jwksgate publish` reads the secret from (never an argument).
pub const SECRET_ENV: &str = "JWKSGATE_PUBLISH_SECRET";
/// The push's path, before the mount's.
pub const PATH_PREFIX: &str = "/.jwksgate/keys/";
/// The header carrying the push's time, in seconds since the epoch.
pub const TIMESTAMP_HEADER: &str = "X-Jwksgate-Timestamp";
/// The header carrying the MAC: `v1=` and 64 lowercase hex digits.
pub const SIGNATURE_HEADER: &str = "X-Jwksgate-Signature";
/// How far a push's timestamp may be from the gate's clock, either way, in seconds.
pub const MAX_SKEW: i64 = 300;
/// The largest body: a key set at the core's bound and its issuer.
pub const MAX_BODY_BYTES: usize = MAX_JWKS_BYTES + 4096;
/// Shortest secret accepted, in bytes (HMAC-SHA256's output size: a secret of 32 random bytes,
/// `openssl rand -hex 32`, is 64).
pub const MIN_SECRET_BYTES: usize = 32;
const LABEL: &str = "jwksgate-publish-v1";

fn refused(message: impl Into<String>) -> Error {
    Error::new(Code::PermissionDenied, message)
}

fn invalid(message: impl Into<String>) -> Error {
    Error::new(Code::InvalidArgument, message)
}

/// The bytes the MAC covers: a label, the method, the path, the timestamp and the body's
/// SHA-256 in hex, one per line.
pub fn signing_input(method: &str, path: &str, timestamp: i64, body: &[u8]) -> String {
    let digest: String = Sha256::digest(body).iter().map(|b| format!("{b:02x}")).collect();
    format!("{LABEL}\n{method}\n{path}\n{timestamp}\n{digest}")
}

fn mac(secret: &[u8], input: &str) -> Result<HmacSha256> {
    if secret.len() < MIN_SECRET_BYTES {
        return Err(Error::new(Code::ConfigInvalid, format!("the publish secret is {} bytes; at least {MIN_SECRET_BYTES} are required (openssl rand -hex 32)", secret.len())));
    }
    let mut m = <HmacSha256 as KeyInit>::new_from_slice(secret).map_err(|_| Error::new(Code::ConfigInvalid, "the publish secret cannot key HMAC-SHA256"))?;
    m.update(input.as_bytes());
    Ok(m)
}

/// The `X-Jwksgate-Signature` value for a push.
pub fn sign(secret: &[u8], method: &str, path: &str, timestamp: i64, body: &[u8]) -> Result<String> {
    let tag = mac(secret, &signing_input(method, path, timestamp, body))?.finalize().into_bytes();
    Ok(format!("v1={}", tag.iter().map(|b| format!("{b:02x}")).collect::<String>()))
}

/// The body `jwksgate publish` sends: the issuer and the set, as the cluster serves them.
pub fn body(issuer: &str, jwks: &Value) -> Vec<u8> {
    json!({ "issuer": issuer, "jwks": jwks }).to_string().into_bytes()
}

/// The mount a push path names: `/.jwksgate/keys/<mount>`, the mount a plain path (as the
/// gate's mount paths: letters, digits, `-`, `_`, `.` and inner `/`).
pub fn mount_of(path: &str) -> Result<&str> {
    let mount = path.strip_prefix(PATH_PREFIX).ok_or_else(|| invalid(format!("a push goes to {PATH_PREFIX}<mount>")))?;
    let ok = !mount.is_empty()
        && !mount.starts_with('/')
        && !mount.ends_with('/')
        && mount.split('/').all(|seg| !seg.is_empty() && seg != "." && seg != "..")
        && mount.chars().all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c));
    if ok {
        Ok(mount)
    } else {
        Err(invalid("the mount in the push's path is not a mount path"))
    }
}

/// A push as the gate received it.
#[derive(Clone, Copy, Debug)]
pub struct Push<'a> {
    /// The request's method.
    pub method: &'a str,
    /// The request's path, without its query.
    pub path: &'a str,
    /// `X-Jwksgate-Timestamp`, when sent.
    pub timestamp: Option<&'a str>,
    /// `X-Jwksgate-Signature`, when sent.
    pub signature: Option<&'a str>,
    /// The body.
    pub body: &'a [u8],
}

/// What the gate stores for a mount after a push it accepted.
#[derive(Clone, Debug, PartialEq)]
pub struct Published {
    /// The mount it is for.
    pub mount: String,
    /// The push's timestamp: a later push must carry a greater one.
    pub timestamp: i64,
    /// The issuer, equal to the mount's `bound_issuer`.
    pub issuer: String,
    /// The key set as pushed (`{"keys": [...]}`); with no keys it refuses every token.
    pub jwks: Value,
    /// The keys' ids, for `lookup`.
    pub kids: Vec<String>,
}

impl Published {
    /// The record as stored, and as `lookup` shows it (without the keys).
    pub fn to_json(&self) -> Value {
        json!({ "mount": self.mount, "timestamp": self.timestamp, "issuer": self.issuer, "jwks": self.jwks, "kids": self.kids })
    }
    /// Reads a stored record back.
    pub fn from_json(v: &Value) -> Result<Self> {
        let bad = || Error::new(Code::ConfigInvalid, "the stored published keys are not a record this gate wrote");
        let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned).ok_or_else(bad);
        let kids = v.get("kids").and_then(Value::as_array).ok_or_else(bad)?.iter().filter_map(Value::as_str).map(str::to_owned).collect();
        Ok(Published { mount: text("mount")?, timestamp: v.get("timestamp").and_then(Value::as_i64).ok_or_else(bad)?, issuer: text("issuer")?, jwks: v.get("jwks").cloned().ok_or_else(bad)?, kids })
    }
    /// The set to verify with; `None` when it holds no key, which refuses every token.
    pub fn key_set(&self) -> Result<Option<Jwks>> {
        match self.jwks.get("keys").and_then(Value::as_array) {
            Some(keys) if keys.is_empty() => Ok(None),
            _ => Jwks::from_value(&self.jwks).map(Some),
        }
    }
}

fn digits(s: &str) -> Option<i64> {
    (!s.is_empty() && s.len() <= 12 && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok()).flatten()
}

fn hex32(s: &str) -> Option<Vec<u8>> {
    if s.len() != 64 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..32).map(|i| s.get(2 * i..2 * i + 2).and_then(|h| u8::from_str_radix(h, 16).ok())).collect()
}

/// The MAC and the clock window of a request signed as a push is (the header's timestamp, then
/// the MAC over it, then the window); its timestamp when both hold.
fn authenticate(secret: &[u8], push: &Push, now: i64) -> Result<i64> {
    let timestamp = push.timestamp.and_then(digits).ok_or_else(|| refused(format!("{TIMESTAMP_HEADER} must be the push's time in seconds since the epoch")))?;
    let tag = push.signature.and_then(|s| s.strip_prefix("v1=")).and_then(hex32).ok_or_else(|| refused(format!("{SIGNATURE_HEADER} must be v1= and 64 hex digits")))?;
    mac(secret, &signing_input(push.method, push.path, timestamp, push.body))?.verify_slice(&tag).map_err(|_| refused("the push's signature does not verify with PUBLISH_SECRET"))?;
    if (now - timestamp).abs() > MAX_SKEW {
        return Err(refused(format!("the push's timestamp {timestamp} is more than {MAX_SKEW} s from the gate's clock ({now}): check the clocks")));
    }
    Ok(timestamp)
}

/// The operator's `GET /.jwksgate/keys/<mount>` (the mount's publish state): signed as a push
/// is, over `GET`, the path and an empty body, within the same clock window.
pub fn verify_read(secret: &[u8], request: &Push, now: i64, mount: &str) -> Result<()> {
    if request.method != "GET" {
        return Err(invalid("the publish state is read with GET"));
    }
    if mount_of(request.path)? != mount {
        return Err(invalid("the request's path names another mount"));
    }
    if !request.body.is_empty() {
        return Err(invalid("a GET of the publish state has no body"));
    }
    authenticate(secret, request, now).map(|_| ())
}

/// A mount's publish state, as the operator's signed `GET /.jwksgate/keys/<mount>` answers it
/// (under `data`) and `jwksgate publish --status` reads it: `{mount, published: false}` before
/// the first push, else `{mount, published: true, timestamp, age, issuer, kids}`, `age` the
/// seconds from the last push to `now` (the gate's clock). `jwksgate publish --status --json`
/// prints these fields as they are and adds its own `max_age` and `stale` (src/cli/publish.rs).
pub fn state(mount: &str, published: Option<&Published>, now: i64) -> Value {
    match published {
        None => json!({ "mount": mount, "published": false }),
        Some(p) => json!({ "mount": p.mount, "published": true, "timestamp": p.timestamp, "age": now.saturating_sub(p.timestamp), "issuer": p.issuer, "kids": p.kids }),
    }
}

/// What a published mount's key set is worth at `now`: `None` while the last push is within
/// `max_age` (`0`: no bound), else the log line saying how long the mount has heard nothing.
pub fn staleness(mount: &str, last_push: i64, now: i64, max_age: i64) -> Option<String> {
    let heard = now.saturating_sub(last_push);
    (max_age > 0 && heard > max_age).then(|| format!("mount {}: no push for {heard} s, over jwks_published_max_age ({max_age} s): is `jwksgate publish` running in the cluster?", crate::gate::fields::quote(mount)))
}

/// The gate's checks of a push, in this order: method and path, the MAC (nothing of the body is
/// read before it holds), the clock window, no rollback (`stored`, the timestamp of the push
/// the gate holds), the body (strict JSON, at most [`MAX_BODY_BYTES`], an issuer and a key set),
/// and the issuer equal to the mount's `bound_issuer`. A wrong MAC, a stale or replayed push and
/// another issuer are `ERR_PERMISSION_DENIED`; a malformed request `ERR_INVALID_ARGUMENT`.
pub fn verify(secret: &[u8], push: &Push, now: i64, mount: &str, bound_issuer: &str, stored: Option<i64>) -> Result<Published> {
    if push.method != "PUT" {
        return Err(invalid("a push is a PUT"));
    }
    if mount_of(push.path)? != mount {
        return Err(invalid("the push's path names another mount"));
    }
    if push.body.len() > MAX_BODY_BYTES {
        return Err(invalid(format!("the push's body is over {MAX_BODY_BYTES} bytes")));
    }
    let timestamp = authenticate(secret, push, now)?;
    if let Some(held) = stored.filter(|held| timestamp <= *held) {
        return Err(refused(format!("the push's timestamp {timestamp} is not after the one the gate holds ({held}): an older push is never taken back")));
    }
    let value = json::parse(push.body).map_err(|e| invalid(format!("the push's body is not JSON: {e}")))?;
    let issuer = value.get("issuer").and_then(Value::as_str).ok_or_else(|| invalid("the push's body has no issuer"))?;
    if issuer != bound_issuer {
        return Err(refused(format!("the pushed issuer {} is not the mount's bound_issuer {}", crate::gate::fields::quote(issuer), crate::gate::fields::quote(bound_issuer))));
    }
    let jwks = value.get("jwks").cloned().ok_or_else(|| invalid("the push's body has no jwks"))?;
    let keys = jwks.get("keys").and_then(Value::as_array).ok_or_else(|| invalid("the pushed jwks is not {\"keys\": [...]}"))?;
    if !keys.is_empty() {
        Jwks::from_value(&jwks)?;
    }
    let kids = keys.iter().filter_map(|k| k.get("kid").and_then(Value::as_str)).map(str::to_owned).collect();
    Ok(Published { mount: mount.to_owned(), timestamp, issuer: issuer.to_owned(), jwks, kids })
}
