// The session store's rules (src/gate/store.rs) as tables: each row an op on a stored record at
// a time, and what is kept and answered. Vault's functions: vault/token_store.go UseToken (a
// use limit counts every request; the last use is allowed and revokes, NumUses -1 meanwhile),
// revoke-self, and the expiration manager's RenewToken through sdk/framework/lease.go
// CalculateTTL (renewal up to the maximum from issue time, capped with a warning, "past the max
// TTL, cannot renew" after it), with vault-plugin-auth-jwt path_login.go pathLoginRenew handing
// it the role's token_ttl, token_max_ttl and token_period.

use jwksgate::gate::role::Lease;
use jwksgate::gate::store::{apply, Op, Record};

const T0: i64 = 1_700_000_000;

fn record(uses: u64) -> Record {
    Record { id: "s1".into(), mount: "k8s-prod".into(), iat: T0, exp: T0 + 1800, uses, limited: uses > 0, renewed: None, ended: false }
}
fn use_op() -> Op {
    Op::Use { id: "s1".into(), mount: "k8s-prod".into(), init: None }
}
fn renew(lease: Lease, increment: u64) -> Op {
    Op::Renew { id: "s1".into(), mount: "k8s-prod".into(), lease, increment, init: None }
}
const ROLE: Lease = Lease { ttl: 1800, max_ttl: 3600, explicit_max_ttl: 0, period: 0 };

#[test]
fn ops_on_a_record() {
    let after = |mut r: Record, f: fn(&mut Record)| {
        f(&mut r);
        r
    };
    // (case, stored, op, now, ok, kept, num_uses shown, ttl)
    type Row = (&'static str, Option<Record>, Op, i64, bool, Option<Record>, i64, Option<u64>);
    let table: Vec<Row> = vec![
        ("create", None, Op::Create { record: record(3) }, T0, true, Some(record(3)), 3, None),
        ("create over an existing id", Some(record(0)), Op::Create { record: record(3) }, T0, false, Some(record(0)), 0, None),
        ("use, no limit", Some(record(0)), use_op(), T0 + 1, true, Some(record(0)), 0, None),
        ("use 1 of 3", Some(record(3)), use_op(), T0 + 1, true, Some(record(2)), 2, None),
        ("use 2 of 3", Some(record(2)), use_op(), T0 + 1, true, Some(after(record(1), |r| r.limited = true)), 1, None),
        ("use 3 of 3: allowed, then a tombstone (UseToken: NumUses -1)", Some(after(record(1), |r| r.limited = true)), use_op(), T0 + 1, true, Some(after(record(0), |r| { r.limited = true; r.ended = true })), -1, None),
        ("use 4 of 3: nothing stored", None, use_op(), T0 + 1, false, None, 0, None),
        ("a spent record stays spent", Some(after(record(0), |r| r.limited = true)), use_op(), T0 + 1, false, Some(after(record(0), |r| { r.limited = true; r.ended = true })), 0, None),
        ("expired: refused and dropped", Some(record(0)), use_op(), T0 + 1800, false, None, 0, None),
        ("another session's record", Some(after(record(0), |r| r.id = "s2".into())), use_op(), T0, false, Some(after(record(0), |r| r.id = "s2".into())), 0, None),
        ("another mount's record", Some(after(record(0), |r| r.mount = "k8s-staging".into())), use_op(), T0, false, Some(after(record(0), |r| r.mount = "k8s-staging".into())), 0, None),
        ("revoke: a tombstone until exp", Some(record(0)), Op::Revoke { id: "s1".into(), mount: "k8s-prod".into(), init: None }, T0 + 5, true, Some(after(record(0), |r| r.ended = true)), 0, None),
        ("revoke twice", None, Op::Revoke { id: "s1".into(), mount: "k8s-prod".into(), init: None }, T0 + 5, false, None, 0, None),
        ("renew: the role's token_ttl", Some(record(0)), renew(ROLE, 0), T0 + 600, true, Some(after(record(0), |r| { r.exp = T0 + 2400; r.renewed = Some(T0 + 600) })), 0, Some(1800)),
        ("renew: an increment", Some(record(0)), renew(ROLE, 60), T0 + 600, true, Some(after(record(0), |r| { r.exp = T0 + 660; r.renewed = Some(T0 + 600) })), 0, Some(60)),
        ("renew: capped at token_max_ttl from issue time", Some(after(record(0), |r| r.exp = T0 + 3500)), renew(ROLE, 0), T0 + 3000, true, Some(after(record(0), |r| { r.exp = T0 + 3600; r.renewed = Some(T0 + 3000) })), 0, Some(600)),
        ("renew: periodic, the period each time", Some(record(0)), renew(Lease { period: 900, ..Lease::default() }, 7200), T0 + 1000, true, Some(after(record(0), |r| { r.exp = T0 + 1900; r.renewed = Some(T0 + 1000) })), 0, Some(900)),
        ("renew counts as a use", Some(record(2)), renew(ROLE, 0), T0 + 10, true, Some(after(record(1), |r| { r.limited = true; r.exp = T0 + 1810; r.renewed = Some(T0 + 10) })), 1, Some(1800)),
        ("renew an expired session", Some(record(0)), renew(ROLE, 0), T0 + 1800, false, None, 0, None),
        ("expire before exp", Some(record(0)), Op::Expire {}, T0 + 10, false, Some(record(0)), 0, None),
        ("expire at exp", Some(record(0)), Op::Expire {}, T0 + 1800, false, None, 0, None),
    ];
    for (case, stored, op, now, ok, kept, num_uses, ttl) in table {
        let out = apply(stored, op, now);
        assert_eq!(out.answer.ok, ok, "{case}: {:?}", out.answer.reason);
        assert_eq!(out.keep, kept, "{case}");
        if ok {
            assert_eq!((out.answer.num_uses, out.answer.ttl), (num_uses, ttl), "{case}");
        }
    }
}

#[test]
fn renewal_up_to_the_maximum_and_not_past_it() {
    // A record renewed to the maximum, then asked again past it: CalculateTTL's warning, then its error.
    let renewed_once = Record { exp: T0 + 3500, ..record(0) };
    let out = apply(Some(renewed_once), renew(ROLE, 0), T0 + 3000);
    assert_eq!(out.answer.warnings, ["TTL of \"30m\" exceeded the effective max_ttl of \"10m\"; TTL value is capped accordingly"]);
    let stored = out.keep.unwrap();
    assert_eq!(stored.exp, T0 + 3600);
    // At the maximum the session has expired: refused and dropped.
    let past = apply(Some(stored.clone()), renew(ROLE, 0), T0 + 3600);
    assert!(!past.answer.ok && past.keep.is_none());
    // A role whose maximum shrank since (pathLoginRenew reads the role again): past it, Vault's words.
    let shrunk = apply(Some(stored), renew(Lease { max_ttl: 600, ..ROLE }, 0), T0 + 3000);
    assert_eq!(shrunk.answer.reason.as_deref(), Some("past the max TTL, cannot renew"));
}

#[test]
fn ops_cross_as_json() {
    let op = serde_json::to_string(&renew(ROLE, 5)).unwrap();
    assert_eq!(jwksgate::gate::store::parse_op(&op).unwrap(), renew(ROLE, 5));
    for bad in [r#"{"op":"use"}"#, r#"{"op":"grant","id":"s1"}"#, r#"{"op":"use","id":"s1","mount":"m","uses":9}"#, "[]"] {
        assert!(jwksgate::gate::store::parse_op(bad).is_err(), "{bad}");
    }
}

// Issue 27, logins: a login stores nothing. Every op carries the session's initial record (from
// its MAC-verified token); the store starts from it when it holds none, writes only what differs
// from it, and keeps an ended session as a tombstone until its expiry, which every later use
// reads (so revocation stays immediate, and a spent session cannot start again from `init`).
#[test]
fn a_login_stores_nothing_and_an_end_is_a_tombstone() {
    let init = |uses: u64| Some(record(uses));
    let op = |kind: &str, uses: u64| {
        let (id, mount) = ("s1".to_string(), "k8s-prod".to_string());
        match kind {
            "use" => Op::Use { id, mount, init: init(uses) },
            "revoke" => Op::Revoke { id, mount, init: init(uses) },
            _ => Op::Renew { id, mount, lease: ROLE, increment: 0, init: init(uses) },
        }
    };
    let tomb = |mut r: Record| {
        r.ended = true;
        r.uses = 0;
        r
    };
    // (case, stored, op, now, ok, kept)
    type Row = (&'static str, Option<Record>, Op, i64, bool, Option<Record>);
    let table: Vec<Row> = vec![
        ("an unlimited session's uses write nothing", None, op("use", 0), T0 + 1, true, None),
        ("a use-limited session's first use stores its count", None, op("use", 3), T0 + 1, true, Some(record(2))),
        ("a one-use session's only use: a tombstone", None, op("use", 1), T0 + 1, true, Some(tomb(record(1)))),
        ("revoked before any use: a tombstone", None, op("revoke", 0), T0 + 1, true, Some(tomb(record(0)))),
        ("a use after revocation is refused (the tombstone read)", Some(tomb(record(0))), op("use", 0), T0 + 2, false, Some(tomb(record(0)))),
        ("a renewal after revocation is refused", Some(tomb(record(0))), op("renew", 0), T0 + 2, false, Some(tomb(record(0)))),
        ("a spent session does not start again from init", Some(tomb(record(3))), op("use", 3), T0 + 2, false, Some(tomb(record(3)))),
        ("the tombstone's alarm at exp drops it", Some(tomb(record(0))), Op::Expire {}, T0 + 1800, false, None),
        ("after it, init has expired too: refused, nothing written", None, op("use", 0), T0 + 1800, false, None),
        ("a renewal stores the new expiry", None, op("renew", 0), T0 + 600, true, Some(Record { exp: T0 + 2400, renewed: Some(T0 + 600), ..record(0) })),
        ("a stored record wins over init", Some(record(1)), op("use", 3), T0 + 1, true, Some(tomb(Record { limited: true, ..record(0) }))),
        ("init of another session is refused", None, Op::Use { id: "s2".into(), mount: "k8s-prod".into(), init: init(0) }, T0 + 1, false, None),
    ];
    for (case, stored, op, now, ok, kept) in table {
        let out = apply(stored, op, now);
        assert_eq!(out.answer.ok, ok, "{case}: {:?}", out.answer.reason);
        assert_eq!(out.keep, kept, "{case}");
    }
}
