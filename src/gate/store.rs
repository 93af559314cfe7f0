//! The session store's rules: what the gate keeps for a session once it needs keeping (its
//! current expiry after a renewal, the uses it has left, that it ended) and how a request changes
//! it, as Vault's token store does it
//! (`vault/token_store.go` `UseToken`, the expiration manager's `RenewToken` with
//! `framework.CalculateTTL`, `revoke-self`). The worker keeps a [`Record`] in a Durable Object
//! (one object per session, strongly consistent) and calls [`apply`] there, so every decision
//! is made here and one object sees every request of its session in order. A login stores
//! nothing: every op carries the session's initial record (`init`, from its token, which its MAC
//! vouches for), the store starts from it when it holds none, and writes only what differs from
//! it. An ended session (revoked, its uses spent) is kept as a tombstone until its expiry, which
//! every later use reads, so a revocation holds at once everywhere.

use crate::error::{Code, Error, Result};
use crate::gate::role::Lease;
use crate::gate::session::Session;
use serde::{Deserialize, Serialize};

/// What the store keeps for one session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    /// The session's id (the object's name).
    pub id: String,
    /// The mount it logged in at.
    pub mount: String,
    /// Issued at: CalculateTTL's start for every renewal.
    pub iat: i64,
    /// The current expiry (moved by renewals).
    pub exp: i64,
    /// Uses left when `limited`.
    pub uses: u64,
    /// Whether the role set `token_num_uses`.
    pub limited: bool,
    /// The last renewal, seconds since the epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renewed: Option<i64>,
    /// A tombstone: the session was revoked or spent its uses; every later use is refused.
    #[serde(default, skip_serializing_if = "is_false")]
    pub ended: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Record {
    /// The record a login stores for its session.
    pub fn new(session: &Session) -> Self {
        Record { id: session.id.clone(), mount: session.m.clone(), iat: session.iat, exp: session.exp, uses: session.n, limited: session.n > 0, renewed: None, ended: false }
    }
}

/// What a request asks of the store. Every op but `create` and `expire` is one use of the
/// session (Vault counts every request made with a token, lookups included). As JSON, serde's
/// external tagging (`{"use": {"id": ..., "mount": ...}}`, `{"expire": {}}`): no buffering of
/// untagged content, which keeps the gate's wasm smaller.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
pub enum Op {
    /// A login stores its session's record.
    Create {
        /// The record.
        record: Record,
    },
    /// A request made with the session (a lookup, a proxied request).
    Use {
        /// The session's id, as its MAC vouches for it.
        id: String,
        /// Its mount.
        mount: String,
        /// The session's record as its login made it ([`Record::new`]), for a store that holds none.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        init: Option<Record>,
    },
    /// `renew-self`: one use, then a new expiry from the role's current lifetimes.
    Renew {
        /// The session's id.
        id: String,
        /// Its mount.
        mount: String,
        /// The role's lifetimes now (`pathLoginRenew` reads the role again).
        lease: Lease,
        /// The `increment` asked for, in seconds (0: the role's `token_ttl`).
        increment: u64,
        /// See [`Op::Use`].
        #[serde(default, skip_serializing_if = "Option::is_none")]
        init: Option<Record>,
    },
    /// `revoke-self`: the session ends now.
    Revoke {
        /// The session's id.
        id: String,
        /// Its mount.
        mount: String,
        /// See [`Op::Use`].
        #[serde(default, skip_serializing_if = "Option::is_none")]
        init: Option<Record>,
    },
    /// The object's alarm: drops the record once it has expired.
    Expire {},
}

/// The store's answer to one op.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Answer {
    /// Whether the request may go on.
    pub ok: bool,
    /// Why not, for the log only (callers get "permission denied").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The session as it stands after the op (for `lookup-self` and the renewal's answer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<Record>,
    /// Uses left as Vault's token entry shows them: 0 for no limit, -1 once the last one is
    /// spent (`UseToken` sets `tokenRevocationPending` for the request under way).
    pub num_uses: i64,
    /// A renewal's TTL in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ttl: Option<u64>,
    /// A renewal's warnings (a TTL capped at the maximum).
    pub warnings: Vec<String>,
}

/// The record to keep after an op (`None`: delete it) and the answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// What the object stores now.
    pub keep: Option<Record>,
    /// What the request gets.
    pub answer: Answer,
}

fn refused(keep: Option<Record>, reason: &str) -> Outcome {
    Outcome { keep, answer: Answer { ok: false, reason: Some(reason.to_owned()), record: None, num_uses: 0, ttl: None, warnings: Vec::new() } }
}

fn allowed(keep: Option<Record>, record: Record, num_uses: i64) -> Outcome {
    Outcome { keep, answer: Answer { ok: true, reason: None, record: Some(record), num_uses, ttl: None, warnings: Vec::new() } }
}

/// Applies `op` at `now` (whole seconds) to the stored record. Bad input changes nothing: a
/// refusal keeps the record as it was, unless it refuses because the record is spent.
pub fn apply(current: Option<Record>, op: Op, now: i64) -> Outcome {
    match op {
        Op::Create { record } => match current {
            // Session ids are random: a second create for one id is a bug or an attack.
            Some(existing) => refused(Some(existing), "a session with this id is already stored"),
            None => {
                let limit = i64::try_from(record.uses).unwrap_or(i64::MAX);
                allowed(Some(record.clone()), record, limit)
            }
        },
        Op::Expire {} => match current {
            Some(r) if r.exp > now => refused(Some(r), "not expired yet"),
            _ => refused(None, "expired"),
        },
        Op::Use { id, mount, init } => settle(current, init, now, |c| use_once(c, &id, &mount, now)),
        Op::Revoke { id, mount, init } => settle(current, init, now, |c| match use_once(c, &id, &mount, now) {
            Outcome { answer: Answer { ok: true, record, num_uses, .. }, .. } => {
                Outcome { keep: None, answer: Answer { ok: true, reason: None, record, num_uses, ttl: None, warnings: Vec::new() } }
            }
            refusal => refusal,
        }),
        Op::Renew { id, mount, lease, increment, init } => settle(current, init, now, |c| {
            let used = use_once(c, &id, &mount, now);
            let (Some(mut record), true) = (used.answer.record.clone(), used.answer.ok) else { return used };
            match lease.calculate_ttl(increment, record.iat, now) {
                Ok((ttl, warnings)) => {
                    record.exp = now.saturating_add(i64::try_from(ttl).unwrap_or(i64::MAX));
                    record.renewed = Some(now);
                    // A session on its last use is renewed for nothing: it ends after this request.
                    let keep = used.keep.map(|_| record.clone());
                    Outcome { keep, answer: Answer { ok: true, reason: None, record: Some(record), num_uses: used.answer.num_uses, ttl: Some(ttl), warnings } }
                }
                Err(e) => refused(used.keep, e.message()),
            }
        }),
    }
}

/// Runs `op` on the stored record, or, when none is stored, on the session's initial one
/// (`init`: logins store nothing). Then what to keep: a session that ended before its expiry
/// (revoked, its last use spent) becomes a tombstone until that expiry, so a later use, which
/// would otherwise start again from `init`, is refused; one that expired is dropped (its `init`
/// has expired too, renewals only move the expiry later); an unstored session still as its
/// login made it is not written.
fn settle(current: Option<Record>, init: Option<Record>, now: i64, op: impl FnOnce(Option<Record>) -> Outcome) -> Outcome {
    let stored = current.is_some();
    let base = current.or_else(|| init.clone());
    let mut out = op(base.clone());
    if out.keep.is_none() {
        if let Some(b) = base.filter(|b| b.exp > now) {
            let mut tomb = out.answer.record.clone().filter(|r| r.id == b.id).unwrap_or(b);
            tomb.ended = true;
            tomb.uses = 0;
            out.keep = Some(tomb);
        }
    }
    if !stored && out.keep.is_some() && out.keep == init {
        out.keep = None;
    }
    out
}

/// One use (`UseToken`): refused when there is no record (revoked, spent, expired or never
/// stored), it is another session's, it has expired, or its uses are spent; the last use is
/// allowed and deletes the record.
fn use_once(current: Option<Record>, id: &str, mount: &str, now: i64) -> Outcome {
    let Some(mut record) = current else { return refused(None, "no such session (revoked, used up, expired or never stored)") };
    if record.id != id || record.mount != mount {
        return refused(Some(record), "the stored session is another session's");
    }
    if record.ended && record.exp > now {
        return refused(Some(record), "the session was revoked or its uses are spent");
    }
    if record.exp <= now {
        return refused(None, "session expired");
    }
    if !record.limited {
        return allowed(Some(record.clone()), record, 0);
    }
    if record.uses == 0 {
        return refused(None, "the session's uses are spent");
    }
    record.uses -= 1;
    if record.uses == 0 {
        return allowed(None, record, -1);
    }
    let left = i64::try_from(record.uses).unwrap_or(i64::MAX);
    allowed(Some(record.clone()), record, left)
}

/// Parses an op as JSON (from the worker, into the object).
pub fn parse_op(text: &str) -> Result<Op> {
    serde_json::from_str(text).map_err(|e| Error::new(Code::InvalidArgument, format!("not a session store op: {e}")))
}

/// Parses a stored record.
pub fn parse_record(text: &str) -> Result<Record> {
    serde_json::from_str(text).map_err(|e| Error::new(Code::InvalidArgument, format!("not a session record: {e}")))
}
