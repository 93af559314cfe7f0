//! Fuzzes session token verification (`SessionKey::verify`). Byte 0 picks the mode and the
//! caller's address and time:
//! - raw: the rest is the token as sent; only the exact text this key mints for a body may be
//!   accepted (the seeds include such tokens, mutations must not find another encoding);
//! - signed: the rest is the session body, which the harness MACs with the key, so the paths
//!   after the MAC (strict JSON, the session schema, expiry, bound CIDRs) see arbitrary input.
//!   Whatever is accepted must mint back into a token that verifies to the same session.
#![no_main]

use hmac::{Hmac, KeyInit, Mac};
use jwksgate::gate::session::{SessionKey, PREFIX};
use jwksgate::{b64, Code};
use libfuzzer_sys::fuzz_target;
use sha2::Sha256;
use std::net::IpAddr;

const SECRET: &[u8] = b"fuzz-secret-0123456789abcdef-0123456789";

/// The key `SessionKey` derives for MACs (kept in step with src/gate/session.rs by the assertion on a
/// minted token below).
fn mac_key() -> Hmac<Sha256> {
    let mut m = <Hmac<Sha256> as KeyInit>::new_from_slice(SECRET).unwrap();
    m.update(b"jwksgate session mac v1");
    <Hmac<Sha256> as KeyInit>::new_from_slice(&m.finalize().into_bytes()).unwrap()
}

fn sign(body: &[u8]) -> String {
    let mut token = format!("{PREFIX}{}", b64::encode(body));
    let mut mac = mac_key();
    mac.update(token.as_bytes());
    token.push('.');
    token.push_str(&b64::encode(&mac.finalize().into_bytes()));
    token
}

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else { return };
    let key = SessionKey::new(SECRET).unwrap();
    let remote: Option<IpAddr> = match (sel >> 1) & 3 {
        0 => None,
        1 => Some("10.1.2.3".parse().unwrap()),
        2 => Some("2001:db8::1".parse().unwrap()),
        _ => Some("192.0.2.7".parse().unwrap()),
    };
    let now = [0, 1_700_000_000, i64::MAX, i64::MIN][((sel >> 3) & 3) as usize];
    if sel & 1 == 0 {
        let Ok(token) = std::str::from_utf8(rest) else { return };
        match key.verify(token, remote, now) {
            // Only the exact text the key mints for its body is accepted: no second encoding
            // of the body or the tag gets through.
            Ok(_) => {
                let body = token.strip_prefix(PREFIX).and_then(|t| t.split_once('.')).and_then(|(b, _)| b64::decode(b.as_bytes()));
                assert_eq!(body.map(|b| sign(&b)).as_deref(), Some(token), "accepted a token the key did not mint");
            }
            Err(e) => assert_eq!(e.code(), Code::SessionInvalid),
        }
        return;
    }
    match key.verify(&sign(rest), remote, now) {
        Ok(session) => {
            assert!(session.exp > now);
            let again = key.mint(&session).expect("an accepted session mints");
            assert_eq!(key.verify(&again, remote, now).expect("re-minted session verifies"), session);
        }
        Err(e) => {
            assert_eq!(e.code(), Code::SessionInvalid);
            assert_ne!(e.message(), "session signature does not verify", "the harness MAC disagrees with SessionKey");
        }
    }
});
