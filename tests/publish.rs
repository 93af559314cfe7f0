//! The gate's side of `jwksgate publish` (src/gate/publish.rs), as a table: a push signed with
//! the shared secret over its method, path, timestamp and body digest is taken; a wrong secret, a
//! stale or future timestamp, a replayed or older push (no rollback), another issuer, another
//! mount, an altered body and an oversized body are refused with their codes. The MAC is
//! HMAC-SHA256 (RFC 2104) checked in constant time (`hmac`'s `verify_slice`), as AWS SigV4 and
//! Stripe's webhook signatures bind a timestamp into the signed input.
#![cfg(feature = "gate")]

#[path = "common/mod.rs"]
mod common;

use jwksgate::gate::publish::{self, Push, Published, MAX_BODY_BYTES, MAX_SKEW};
use jwksgate::Code;
use rsa::pkcs8::{EncodePublicKey, LineEnding};
use serde_json::{json, Value};

const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const NOW: i64 = 1_700_000_000;
const MOUNT: &str = "k3s-home";
const ISSUER: &str = "https://kubernetes.default.svc.cluster.local";

fn jwks() -> Value {
    let pem = common::key(common::K8S_KEY).to_public_key().to_public_key_pem(LineEnding::LF).unwrap();
    json!({ "keys": [Value::Object(jwksgate::import_public_key_pem(&pem).unwrap())] })
}

struct Req {
    method: String,
    path: String,
    timestamp: Option<String>,
    signature: Option<String>,
    body: Vec<u8>,
}

/// A push as `jwksgate publish` makes it, at `at`, of `body`.
fn signed(at: i64, body: Vec<u8>) -> Req {
    let path = format!("/.jwksgate/keys/{MOUNT}");
    let signature = publish::sign(SECRET, "PUT", &path, at, &body).unwrap();
    Req { method: "PUT".into(), path, timestamp: Some(at.to_string()), signature: Some(signature), body }
}

fn check(r: &Req, stored: Option<i64>) -> jwksgate::Result<Published> {
    let push = Push { method: &r.method, path: &r.path, timestamp: r.timestamp.as_deref(), signature: r.signature.as_deref(), body: &r.body };
    publish::verify(SECRET, &push, NOW, MOUNT, ISSUER, stored)
}

#[test]
fn a_signed_push_is_taken_whole() {
    let r = signed(NOW, publish::body(ISSUER, &jwks()));
    let p = check(&r, None).unwrap();
    assert_eq!((p.mount.as_str(), p.timestamp, p.issuer.as_str()), (MOUNT, NOW, ISSUER));
    assert_eq!(p.kids, vec![jwks()["keys"][0]["kid"].as_str().unwrap().to_owned()]);
    assert!(p.key_set().unwrap().is_some());
    // A later push replaces it: a heartbeat of the same set, then a rotated one.
    assert!(check(&signed(NOW - 10, publish::body(ISSUER, &jwks())), Some(NOW - 20)).is_ok());
    // The stored record reads back.
    assert_eq!(Published::from_json(&p.to_json()).unwrap(), p);
    // An empty set is the cluster's word: it is taken, and refuses every token.
    let empty = check(&signed(NOW, publish::body(ISSUER, &json!({ "keys": [] }))), None).unwrap();
    assert!(empty.key_set().unwrap().is_none() && empty.kids.is_empty());
}

#[test]
fn pushes_the_gate_refuses() {
    let good = || signed(NOW, publish::body(ISSUER, &jwks()));
    let big = format!("{{\"issuer\":\"{ISSUER}\",\"jwks\":{{\"keys\":[]}},\"pad\":\"{}\"}}", "x".repeat(MAX_BODY_BYTES));
    // (name, the request, the timestamp the gate holds, the code, a phrase)
    let rows: Vec<(&str, Req, Option<i64>, Code, &str)> = vec![
        ("wrong secret", { let mut r = good(); r.signature = Some(publish::sign(&[b'x'; 64], "PUT", &r.path, NOW, &r.body).unwrap()); r }, None, Code::PermissionDenied, "does not verify"),
        ("no signature", { let mut r = good(); r.signature = None; r }, None, Code::PermissionDenied, "X-Jwksgate-Signature"),
        ("a signature that is not hex", { let mut r = good(); r.signature = Some(format!("v1={}", "g".repeat(64))); r }, None, Code::PermissionDenied, "64 hex digits"),
        ("another scheme", { let mut r = good(); r.signature = r.signature.map(|s| s.replace("v1=", "v0=")); r }, None, Code::PermissionDenied, "v1="),
        ("no timestamp", { let mut r = good(); r.timestamp = None; r }, None, Code::PermissionDenied, "X-Jwksgate-Timestamp"),
        ("a timestamp that is not seconds", { let mut r = good(); r.timestamp = Some("+1700000000".into()); r }, None, Code::PermissionDenied, "seconds"),
        ("the timestamp changed after signing", { let mut r = good(); r.timestamp = Some((NOW + 1).to_string()); r }, None, Code::PermissionDenied, "does not verify"),
        ("the body changed after signing", { let mut r = good(); r.body = publish::body(ISSUER, &json!({ "keys": [] })); r }, None, Code::PermissionDenied, "does not verify"),
        ("a push for another mount replayed here", { let mut r = good(); r.path = "/.jwksgate/keys/prod".into(); r }, None, Code::InvalidArgument, "another mount"),
        ("signed for another mount", { let mut r = good(); r.signature = Some(publish::sign(SECRET, "PUT", "/.jwksgate/keys/prod", NOW, &r.body).unwrap()); r }, None, Code::PermissionDenied, "does not verify"),
        ("a POST", { let mut r = good(); r.method = "POST".into(); r }, None, Code::InvalidArgument, "PUT"),
        ("a path with dot segments", { let mut r = good(); r.path = format!("/.jwksgate/keys/../{MOUNT}"); r }, None, Code::InvalidArgument, "not a mount path"),
        ("stale", signed(NOW - MAX_SKEW - 1, publish::body(ISSUER, &jwks())), None, Code::PermissionDenied, "check the clocks"),
        ("from the future", signed(NOW + MAX_SKEW + 1, publish::body(ISSUER, &jwks())), None, Code::PermissionDenied, "check the clocks"),
        ("the same push replayed", good(), Some(NOW), Code::PermissionDenied, "never taken back"),
        ("an older push (rollback)", signed(NOW - 60, publish::body(ISSUER, &jwks())), Some(NOW - 30), Code::PermissionDenied, "never taken back"),
        ("another issuer", signed(NOW, publish::body("https://evil.example", &jwks())), None, Code::PermissionDenied, "bound_issuer"),
        ("no issuer", signed(NOW, json!({ "jwks": jwks() }).to_string().into_bytes()), None, Code::InvalidArgument, "no issuer"),
        ("not a key set", signed(NOW, publish::body(ISSUER, &json!({ "kys": [] }))), None, Code::InvalidArgument, "jwks"),
        ("a key set with no usable key", signed(NOW, publish::body(ISSUER, &json!({ "keys": [{ "kty": "oct", "k": "c2VjcmV0" }] }))), None, Code::JwksInvalid, "usable"),
        ("duplicate members (strict JSON)", signed(NOW, format!("{{\"issuer\":\"https://evil.example\",\"issuer\":\"{ISSUER}\",\"jwks\":{{\"keys\":[]}}}}").into_bytes()), None, Code::InvalidArgument, "not JSON"),
        ("oversized", signed(NOW, big.into_bytes()), None, Code::InvalidArgument, "over"),
    ];
    let mut refused = 0;
    for (name, r, stored, code, phrase) in rows {
        let e = check(&r, stored).expect_err(name);
        assert_eq!(e.code(), code, "{name}: {}", e.message());
        assert!(e.message().contains(phrase), "{name}: {phrase:?} in {}", e.message());
        refused += 1;
    }
    assert_eq!(refused, 22);
    // A secret too short to be one is the operator's error, at either end.
    assert_eq!(publish::sign(b"short", "PUT", "/.jwksgate/keys/x", NOW, b"{}").unwrap_err().code(), Code::ConfigInvalid);
}
