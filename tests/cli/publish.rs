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
/// accepted ones kept.
fn gate(bound_issuer: &'static str, secret: &'static str) -> (Issuer, Arc<Mutex<Vec<Published>>>) {
    let kept = Arc::new(Mutex::new(Vec::<Published>::new()));
    let store = kept.clone();
    let server = Issuer::serving(move |r: &Request, _| {
        let push = Push { method: &r.method, path: &r.path, timestamp: r.header(publish::TIMESTAMP_HEADER), signature: r.header(publish::SIGNATURE_HEADER), body: &r.body };
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
        let mut kept = store.lock().unwrap();
        let held = kept.last().map(|p| p.timestamp);
        match publish::verify(secret.as_bytes(), &push, now, "home", bound_issuer, held) {
            Ok(p) => {
                kept.push(p);
                Some(Reply { status: 204, body: String::new(), headers: Vec::new() })
            }
            Err(e) => Some(Reply { status: 403, body: json!({ "errors": [e.message()] }).to_string(), headers: Vec::new() }),
        }
    });
    (server, kept)
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
    let (g, kept) = gate(CLUSTER_ISSUER, SECRET);
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
