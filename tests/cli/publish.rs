//! `jwksgate publish` (issue 25) against a stand-in API server over TLS with a private CA that
//! answers discovery only to the ServiceAccount's bearer token, pushing to a stand-in gate that
//! checks each push with the gate's own rules (src/gate/publish.rs `verify`). Exit codes: 0
//! pushed, 1 refused (by the gate, or a set that fails the checks), 2 usage or I/O.

use super::*;
use issuer::Request;
use jwksgate::gate::publish::{self, Push, Published};
use std::sync::{Arc, Mutex};

const SECRET: &str = "5f1c3a9e0b7d42e6a8c1f3b5d7e9a0c2e4f6a8b0c2d4e6f8a0b2c4d6e8f0a2b4";
const SA_TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.sa-token.sig";
const CLUSTER_ISSUER: &str = "https://kubernetes.default.svc.cluster.local";

/// An API server: discovery and its key set, to the bearer token only; counts its requests.
fn api_server(jwks: String, hits: Arc<Mutex<usize>>) -> Issuer {
    Issuer::serving(move |r: &Request, _| {
        *hits.lock().unwrap() += 1;
        if r.header("authorization") != Some(&format!("Bearer {SA_TOKEN}")) {
            return Some(Reply { status: 401, body: "{\"kind\":\"Status\",\"code\":401}".into(), headers: Vec::new() });
        }
        match r.path.as_str() {
            "/.well-known/openid-configuration" => Some(Reply::json(json!({ "issuer": CLUSTER_ISSUER, "jwks_uri": format!("{CLUSTER_ISSUER}/openid/v1/jwks") }).to_string())),
            "/openid/v1/jwks" => Some(Reply::json(jwks.clone())),
            _ => None,
        }
    })
}

/// A gate: each push checked by the gate's rules for mount `home` bound to `bound_issuer`, the
/// accepted ones kept; the operator's signed GET answered through `verify_read` and the state's
/// one shape (`publish::state`), a refusal as the worker's `{"errors": [...]}`. Counts requests.
fn gate(bound_issuer: &'static str, secret: &'static str) -> (Issuer, Arc<Mutex<Vec<Published>>>, Arc<Mutex<usize>>) {
    let kept = Arc::new(Mutex::new(Vec::<Published>::new()));
    let seen = Arc::new(Mutex::new(0));
    let (store, count) = (kept.clone(), seen.clone());
    let server = Issuer::serving(move |r: &Request, _| {
        *count.lock().unwrap() += 1;
        let push = Push { method: &r.method, path: &r.path, timestamp: r.header(publish::TIMESTAMP_HEADER), signature: r.header(publish::SIGNATURE_HEADER), body: &r.body };
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
        let mut kept = store.lock().unwrap();
        let refused = |e: jwksgate::Error| Some(Reply { status: 403, body: json!({ "errors": [e.message()] }).to_string(), headers: Vec::new() });
        if r.method == "GET" {
            return match publish::verify_read(secret.as_bytes(), &push, now, "home") {
                Ok(()) => Some(Reply::json(json!({ "data": publish::state("home", kept.last(), now) }).to_string())),
                Err(e) => refused(e),
            };
        }
        let held = kept.last().map(|p| p.timestamp);
        match publish::verify(secret.as_bytes(), &push, now, "home", bound_issuer, held) {
            Ok(p) => {
                kept.push(p);
                Some(Reply { status: 204, body: String::new(), headers: Vec::new() })
            }
            Err(e) => refused(e),
        }
    });
    (server, kept, seen)
}

fn publish_cmd(args: &[&str], secret: Option<&str>) -> Out {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_jwksgate"));
    cmd.arg("publish").args(args).env_remove("KUBERNETES_SERVICE_HOST").env_remove("KUBERNETES_SERVICE_PORT").env_remove(publish::SECRET_ENV);
    for v in ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"] {
        cmd.env_remove(v);
    }
    if let Some(s) = secret {
        cmd.env(publish::SECRET_ENV, s);
    }
    let out = cmd.stdin(Stdio::null()).output().unwrap();
    Out { code: out.status.code().unwrap_or(-1), stdout: String::from_utf8_lossy(&out.stdout).into(), stderr: String::from_utf8_lossy(&out.stderr).into() }
}

#[test]
fn publish_pushes_the_clusters_keys_and_the_gate_takes_them() {
    let hits = Arc::new(Mutex::new(0));
    let api = api_server(rsa_jwks(), hits.clone());
    let (g, kept, _) = gate(CLUSTER_ISSUER, SECRET);
    let sa_token = file("sa-token", &format!("{SA_TOKEN}\n"));
    let ca = ca();
    let base = ["--gate", g.url.as_str(), "--gate-cacert", &ca, "--mount", "home", "--server", api.url.as_str(), "--cacert", &ca, "--token-file", sa_token.to_str().unwrap()];
    let out = publish_cmd(&[&base[..], &["--once"]].concat(), Some(SECRET));
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(out.stdout.contains("pushed the keys of issuer") && out.stdout.contains(&kid()), "{}", out.stdout);
    let p = kept.lock().unwrap().last().cloned().unwrap();
    assert_eq!((p.issuer.as_str(), p.kids.clone()), (CLUSTER_ISSUER, vec![kid()]));
    // The pushed set verifies the cluster's tokens.
    let set = p.key_set().unwrap().unwrap();
    let t = token(CLUSTER_ISSUER, |_| {});
    let mut options = jwksgate::VerifyOptions::at(common::NOW);
    options.issuer = vec![CLUSTER_ISSUER.into()];
    assert!(jwksgate::Verifier::from_jwks(set).verify(&t, &options).is_ok());

    // Refusals: (name, arguments, secret, exit code, phrase).
    let other = gate("https://another-cluster.example", SECRET).0;
    let wrong = gate(CLUSTER_ISSUER, "a-different-secret-of-enough-length-0123456789").0;
    let bad_token = file("sa-token-bad", "not-the-token");
    let no_keys_api = api_server(json!({ "keys": [{ "kty": "oct", "k": "c2VjcmV0" }] }).to_string(), Arc::new(Mutex::new(0)));
    let with = |gate_url: &str, server: &str, token: &str| -> Vec<String> {
        ["--gate", gate_url, "--gate-cacert", &ca, "--mount", "home", "--server", server, "--cacert", &ca, "--token-file", token, "--once"].iter().map(|s| s.to_string()).collect()
    };
    let tok = sa_token.to_str().unwrap();
    let rows: Vec<(&str, Vec<String>, Option<&str>, i32, &str)> = vec![
        ("the gate's secret differs", with(&wrong.url, &api.url, tok), Some(SECRET), 1, "does not verify"),
        ("the gate's mount is bound to another issuer", with(&other.url, &api.url, tok), Some(SECRET), 1, "bound_issuer"),
        ("a set with no usable key", with(&g.url, &no_keys_api.url, tok), Some(SECRET), 1, "ERR_JWKS_INVALID"),
        ("the API server refuses the token", with(&g.url, &api.url, bad_token.to_str().unwrap()), Some(SECRET), 2, "HTTP 401"),
        ("a short secret", with(&g.url, &api.url, tok), Some("short"), 2, "at least 32"),
        ("a gate over plain http elsewhere", with("http://gate.example", &api.url, tok), Some(SECRET), 2, "https only"),
        ("not in a pod", vec!["--gate".into(), g.url.clone(), "--mount".into(), "home".into(), "--once".into()], Some(SECRET), 2, "KUBERNETES_SERVICE_HOST"),
        ("the gate's private CA not given", with(&g.url, &api.url, tok).into_iter().enumerate().filter(|(i, _)| !(2..4).contains(i)).map(|(_, a)| a).collect(), Some(SECRET), 2, "pass it with --gate-cacert FILE"),
        ("neither --once nor --every", with(&g.url, &api.url, tok).into_iter().filter(|a| a != "--once").collect(), Some(SECRET), 2, "--every"),
        ("--every too short", [with(&g.url, &api.url, tok), vec!["--every".into(), "1s".into()]].concat().into_iter().filter(|a| a != "--once").collect(), Some(SECRET), 2, "at least 10 s"),
    ];
    for (name, args, secret, code, phrase) in rows {
        let out = publish_cmd(&args.iter().map(String::as_str).collect::<Vec<_>>(), secret);
        assert_eq!(out.code, code, "{name}: {}", out.all());
        assert!(out.all().contains(phrase), "{name}: {phrase:?} in {}", out.all());
    }
    // No secret: say so and contact nothing.
    let before = *hits.lock().unwrap();
    let out = publish_cmd(&[&base[..], &["--once"]].concat(), None);
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(out.stderr.contains("JWKSGATE_PUBLISH_SECRET is not set"), "{}", out.stderr);
    assert_eq!(*hits.lock().unwrap(), before, "nothing contacted");
}

/// A record as the gate keeps it, pushed `ago` seconds before now.
fn record(issuer: &str, kids: &[&str], ago: i64) -> Published {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    Published { mount: "home".into(), timestamp: now - ago, issuer: issuer.into(), jwks: json!({ "keys": [] }), kids: kids.iter().map(|k| k.to_string()).collect() }
}

#[test]
fn publish_status_reads_the_gates_signed_state() {
    let ca = ca();
    // After a push by the command itself.
    let api = api_server(rsa_jwks(), Arc::new(Mutex::new(0)));
    let (pushed, _, _) = gate(CLUSTER_ISSUER, SECRET);
    let sa_token = file("sa-token-status", &format!("{SA_TOKEN}\n"));
    let push = publish_cmd(&["--gate", &pushed.url, "--gate-cacert", &ca, "--mount", "home", "--server", &api.url, "--cacert", &ca, "--token-file", sa_token.to_str().unwrap(), "--once"], Some(SECRET));
    assert_eq!(push.code, 0, "{}", push.all());
    let (empty, _, _) = gate(CLUSTER_ISSUER, SECRET);
    let (wrong, _, _) = gate(CLUSTER_ISSUER, "a-different-secret-of-enough-length-0123456789");
    let (old, old_kept, _) = gate(CLUSTER_ISSUER, SECRET);
    old_kept.lock().unwrap().push(record(CLUSTER_ISSUER, &["old-kid"], 3600));
    // What a hostile gate (or a hostile push it took) could make a terminal obey: OSC 52, a cursor
    // move, a carriage return over the line, a bidi override (src/cli/out.rs's edge).
    let (hostile, hostile_kept, _) = gate(CLUSTER_ISSUER, SECRET);
    hostile_kept.lock().unwrap().push(record("https://evil\u{1b}]52;c;ZXZpbA==\u{7}.example", &["k\u{1b}[2A\rOK\u{202e}cba"], 0));
    let status = |url: &str, extra: &[&str]| -> Vec<String> { [&["--gate", url, "--gate-cacert", &ca, "--mount", "home", "--status"][..], extra].concat().iter().map(|s| s.to_string()).collect() };
    let kid = kid();
    // The state's one shape (worker/src/publish.mjs answers it under `data`, byte for byte).
    assert_eq!(publish::state("home", None, 0).to_string(), r#"{"mount":"home","published":false}"#);
    let shape = publish::state("x", Some(&Published { mount: "home".into(), timestamp: 100, issuer: "https://i".into(), jwks: json!({ "keys": [] }), kids: vec!["a".into()] }), 130);
    assert_eq!(shape.to_string(), r#"{"age":30,"issuer":"https://i","kids":["a"],"mount":"home","published":true,"timestamp":100}"#);
    // (name, arguments, exit code, phrase in the output). The gate's side is verify_read and
    // state (src/gate/publish.rs), as worker/src/publish.mjs answers the GET.
    let rows: Vec<(&str, Vec<String>, i32, String)> = vec![
        ("after a push: the kids", status(&pushed.url, &[]), 0, format!("kids: {kid}")),
        ("after a push, --json", status(&pushed.url, &["--json"]), 0, format!("\"kids\": [\n    \"{kid}\"")),
        ("after a push, within --max-age", status(&pushed.url, &["--max-age", "10m"]), 0, "published: true".into()),
        ("nothing published", status(&empty.url, &[]), 1, "published: false".into()),
        ("nothing published, --json", status(&empty.url, &["--json"]), 1, "\"published\": false".into()),
        ("the gate refuses a wrong secret", status(&wrong.url, &[]), 1, "does not verify".into()),
        ("older than --max-age", status(&old.url, &["--max-age", "10m"]), 1, "older than --max-age".into()),
        ("old but within --max-age", status(&old.url, &["--max-age", "2h"]), 0, "kids: old-kid".into()),
        ("a hostile issuer and kid, escaped", status(&hostile.url, &[]), 0, "https://evil\\u{001B}]52;c;ZXZpbA==\\u{0007}.example".into()),
        ("a hostile kid, escaped", status(&hostile.url, &[]), 0, "kids: \"k\\u{001B}[2A\\u{000D}OK\\u{202E}cba\"".into()),
        ("a hostile kid in --json", status(&hostile.url, &["--json"]), 0, "k\\u001b[2A\\rOK\\u202ecba".into()),
        ("--status with --server", status(&pushed.url, &["--server", "https://127.0.0.1:1"]), 2, "cannot be used with".into()),
        ("--status with --once", status(&pushed.url, &["--once"]), 2, "cannot be used with".into()),
        ("--json without --status", vec!["--gate".into(), pushed.url.clone(), "--mount".into(), "home".into(), "--once".into(), "--json".into()], 2, "cannot be used with".into()),
        ("--max-age without --status", vec!["--gate".into(), pushed.url.clone(), "--mount".into(), "home".into(), "--every".into(), "1h".into(), "--max-age".into(), "1h".into()], 2, "cannot be used with".into()),
        ("--max-age not a duration", status(&pushed.url, &["--max-age", "soon"]), 2, "a duration".into()),
        // The gate's CA is --gate-cacert (--cacert is the API server's): the hint names the right one.
        ("the gate's private CA not given", vec!["--gate".into(), pushed.url.clone(), "--mount".into(), "home".into(), "--status".into()], 2, "pass it with --gate-cacert FILE".into()),
        ("--gate-cacert not a PEM bundle", vec!["--gate".into(), pushed.url.clone(), "--gate-cacert".into(), sa_token.to_str().unwrap().into(), "--mount".into(), "home".into(), "--status".into()], 2, format!("--gate-cacert {}: no CERTIFICATE block", sa_token.display())),
    ];
    for (name, args, code, phrase) in rows {
        let out = publish_cmd(&args.iter().map(String::as_str).collect::<Vec<_>>(), Some(SECRET));
        assert_eq!(out.code, code, "{name}: {}", out.all());
        assert!(out.all().contains(&phrase), "{name}: {phrase:?} in {}", out.all());
        let raw = out.all().replace('\n', "");
        assert!(!raw.chars().any(|c| c.is_control() || ('\u{202a}'..='\u{202e}').contains(&c)), "{name}: a hidden character reached the terminal: {raw:?}");
    }
    // --json: the gate's fields as they are, and whether the state is too old for --max-age said
    // as a field (`stale`, with `max_age` in seconds, null without --max-age), as the exit code
    // says it. (name, gate, extra arguments, exit code, fields expected in the output).
    let json_rows: Vec<(&str, &str, Vec<&str>, i32, Value)> = vec![
        ("fresh, no --max-age", &pushed.url, vec![], 0, json!({ "mount": "home", "published": true, "issuer": CLUSTER_ISSUER, "kids": [kid], "max_age": null, "stale": false })),
        ("fresh, within --max-age", &pushed.url, vec!["--max-age", "10m"], 0, json!({ "published": true, "max_age": 600, "stale": false })),
        ("an hour old, over --max-age 10m", &old.url, vec!["--max-age", "10m"], 1, json!({ "published": true, "kids": ["old-kid"], "max_age": 600, "stale": true })),
        ("an hour old, within --max-age 2h", &old.url, vec!["--max-age", "2h"], 0, json!({ "published": true, "max_age": 7200, "stale": false })),
        ("an hour old, no --max-age", &old.url, vec![], 0, json!({ "published": true, "max_age": null, "stale": false })),
        ("nothing published", &empty.url, vec!["--max-age", "10m"], 1, json!({ "mount": "home", "published": false, "max_age": 600 })),
    ];
    for (name, url, extra, code, fields) in json_rows {
        let args = status(url, &[&["--json"][..], &extra].concat());
        let out = publish_cmd(&args.iter().map(String::as_str).collect::<Vec<_>>(), Some(SECRET));
        assert_eq!(out.code, code, "{name}: {}", out.all());
        let got = out.json();
        for (k, v) in fields.as_object().unwrap() {
            assert_eq!(&got[k], v, "{name}: field {k} in {got}");
        }
        if got["published"] == true {
            let age = got["age"].as_i64().unwrap_or_else(|| panic!("{name}: age in {got}"));
            assert!(got["timestamp"].is_i64(), "{name}: timestamp in {got}");
            assert_eq!(got["stale"], got["max_age"].as_i64().is_some_and(|m| age > m), "{name}: stale is age > max_age in {got}");
        } else {
            assert!(got.get("stale").is_none() && got.get("age").is_none(), "{name}: nothing published has no age: {got}");
        }
    }
    // No secret: say so and contact nothing.
    let (quiet, _, seen) = gate(CLUSTER_ISSUER, SECRET);
    let out = publish_cmd(&status(&quiet.url, &[]).iter().map(String::as_str).collect::<Vec<_>>(), None);
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(out.stderr.contains("JWKSGATE_PUBLISH_SECRET is not set"), "{}", out.stderr);
    assert_eq!(*seen.lock().unwrap(), 0, "the stand-in gate saw no request");
}
