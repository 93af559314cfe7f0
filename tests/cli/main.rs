//! The `jwksgate` command as a user runs it: the built binary, against stand-in issuers on
//! https://127.0.0.1 with a private CA made here (issuer.rs). Each command's exit codes, its
//! `--json` fields and the phrases a user reads: an issuer mismatch, TLS without the CA, a
//! tampered token, and a role refused at each of Vault's checks (the gate's `Gate::explain`).
// The command is native only; `wasm-pack test` compiles this file to nothing.
#![cfg(not(target_arch = "wasm32"))]

#[path = "../common/mod.rs"]
mod common;
mod attacks;
mod issuer;
mod publish;

use common::{k8s_claims, K8S_KEY, NOW};
use issuer::{pki, Issuer, Reply};
use jwksgate::Alg;
use rsa::pkcs8::{EncodePublicKey, LineEnding};
use serde_json::{json, Value};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Out {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", self.stdout))
    }
    fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

fn jwksgate(args: &[&str], stdin: Option<&str>) -> Out {
    let mut child = Command::new(env!("CARGO_BIN_EXE_jwksgate"))
        .args(args)
        .env_remove("HTTPS_PROXY")
        .env_remove("https_proxy")
        .env_remove("ALL_PROXY")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or_default().as_bytes()).unwrap();
    drop(input);
    let out = child.wait_with_output().unwrap();
    Out { code: out.status.code().unwrap_or(-1), stdout: String::from_utf8_lossy(&out.stdout).into(), stderr: String::from_utf8_lossy(&out.stderr).into() }
}

fn at() -> String {
    NOW.to_string()
}

/// The RSA test key's public half as a JWK whose kid is its Kubernetes key id, and as PEM.
fn rsa_public() -> (Value, String) {
    let pem = common::key(K8S_KEY).to_public_key().to_public_key_pem(LineEnding::LF).unwrap();
    (Value::Object(jwksgate::import_public_key_pem(&pem).unwrap()), pem)
}

fn rsa_jwks() -> String {
    json!({ "keys": [rsa_public().0] }).to_string()
}

fn kid() -> String {
    rsa_public().0["kid"].as_str().unwrap().to_owned()
}

/// A projected ServiceAccount token from `iss`, with claims changed by `edit`.
fn token(iss: &str, edit: impl FnOnce(&mut Value)) -> String {
    let mut claims = k8s_claims();
    claims["iss"] = iss.into();
    edit(&mut claims);
    common::sign(&common::key(K8S_KEY), Alg::RS256, json!({ "alg": "RS256", "kid": kid(), "typ": "JWT" }), claims)
}

fn tampered(token: &str) -> String {
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let mut claims: Value = serde_json::from_slice(&jwksgate::b64::decode(parts[1].as_bytes()).unwrap()).unwrap();
    claims["sub"] = "system:serviceaccount:kube-system:admin".into();
    parts[1] = jwksgate::b64::encode(claims.to_string().as_bytes());
    parts.join(".")
}

/// A file for one command line; tests run in parallel, so each gets its own name.
fn file(name: &str, text: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let path = pki().dir.join(format!("{}-{name}", NEXT.fetch_add(1, Ordering::Relaxed)));
    std::fs::write(&path, text).unwrap();
    path
}

fn ca() -> String {
    pki().ca.display().to_string()
}

// ---- inspect ----

#[test]
fn inspect_decodes_without_verifying_and_says_so() {
    let t = token("https://kubernetes.default.svc", |_| {});
    let out = jwksgate(&["inspect", &t, "--at", &at()], None);
    assert_eq!(out.code, 0, "{}", out.all());
    for phrase in ["NOT VERIFIED", "Header", "Claims", "Kubernetes", "system:serviceaccount:default:builder (matches sub)", "builder-7d9f", "2018-01-01 01:00:00 UTC (in 1 h)", "Warnings (0)"] {
        assert!(out.stdout.contains(phrase), "{phrase:?} in\n{}", out.stdout);
    }
    // From standard input and from a file, with a Bearer prefix, as the same token.
    let from_stdin = jwksgate(&["inspect", "--json"], Some(&format!("Authorization: Bearer {t}\n")));
    let from_file = jwksgate(&["inspect", "--json", file("token.txt", &t).to_str().unwrap()], None);
    assert_eq!(from_stdin.code, 0, "{}", from_stdin.all());
    assert_eq!(from_stdin.stdout, from_file.stdout);
    // step crypto jwt inspect's shape.
    let j = from_stdin.json();
    assert_eq!(j.as_object().unwrap().keys().collect::<Vec<_>>(), ["header", "payload", "signature"]);
    assert_eq!(j["header"]["alg"], "RS256");
    assert_eq!(j["payload"]["sub"], "system:serviceaccount:default:builder");
    assert_eq!(j["signature"], t.split('.').nth(2).unwrap());
}

#[test]
fn inspect_warns_as_the_inspector_does() {
    let rows: [(&str, Box<dyn Fn(&mut Value)>, &str); 5] = [
        ("expired", Box::new(|_| {}), "Expired 1 day"),
        ("no exp", Box::new(|c| drop(c.as_object_mut().unwrap().remove("exp"))), "No \"exp\""),
        ("long-lived", Box::new(|c| c["exp"] = (NOW + 90_000).into()), "over a day"),
        ("sub differs", Box::new(|c| c["sub"] = "someone".into()), "\"sub\" is not system:serviceaccount:default:builder"),
        ("hidden characters", Box::new(|c| c["su\u{200B}b"] = "x".into()), "su\\u{200B}b"),
    ];
    for (name, edit, phrase) in rows {
        let t = token("https://kubernetes.default.svc", edit);
        let when = if name == "expired" { (NOW + 3600 + 86400 + 60).to_string() } else { at() };
        let out = jwksgate(&["inspect", &t, "--at", &when], None);
        assert_eq!(out.code, 0, "{name}: a warning is no failure: {}", out.all());
        assert!(out.stdout.contains(phrase), "{name}: {phrase:?} in\n{}", out.stdout);
    }
}

#[test]
fn inspect_exits_non_zero_only_for_what_is_not_a_jwt() {
    for bad in ["not a token", "a.b.c", "eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln", ""] {
        let out = jwksgate(&["inspect", bad], None);
        assert_eq!(out.code, 1, "{bad:?}: {}", out.all());
        assert!(out.stderr.contains("ERR_JWT_INVALID") || out.stderr.contains("ERR_JWS_INVALID"), "{bad:?}: {}", out.stderr);
    }
}

// ---- verify ----

#[test]
fn verify_by_discovery_over_https_with_the_private_ca() {
    let iss = Issuer::oidc(rsa_jwks(), None);
    let t = token(&iss.url, |_| {});
    let out = jwksgate(&["verify", &t, "--issuer", &iss.url, "--cacert", &ca(), "--audience", "https://kubernetes.default.svc", "--at", &at()], None);
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(out.json()["sub"], "system:serviceaccount:default:builder");
    let out = jwksgate(&["verify", &t, "--issuer", &iss.url, "--cacert", &ca(), "--at", &at(), "--json"], None);
    let j = out.json();
    assert_eq!((j["verified"].clone(), j["key"]["kid"].clone(), j["key"]["alg"].clone()), (json!(true), json!(kid()), json!("RS256")));
    assert_eq!(j["payload"]["iss"], iss.url.as_str());
}

#[test]
fn verify_refusals_give_the_code_and_message() {
    let iss = Issuer::oidc(rsa_jwks(), None);
    let liar = Issuer::oidc(rsa_jwks(), Some("https://kubernetes.default.svc".into()));
    let good = token(&iss.url, |_| {});
    let later = (NOW + 7200).to_string();
    let jwks = file("jwks.json", &rsa_jwks());
    let jwks = jwks.to_str().unwrap();
    let ca = ca();
    let ca = ca.as_str();
    // (name, token, extra arguments, issuer, code, phrase)
    let rows: Vec<(&str, String, Vec<&str>, &str, &str, &str)> = vec![
        ("tampered", tampered(&good), vec!["--cacert", ca], &iss.url, "ERR_JWS_SIGNATURE_VERIFICATION_FAILED", "signature verification failed"),
        ("expired", good.clone(), vec!["--cacert", ca, "--at", &later], &iss.url, "ERR_JWT_EXPIRED", "\"exp\" claim timestamp check failed"),
        ("audience", good.clone(), vec!["--cacert", ca, "--audience", "vault"], &iss.url, "ERR_JWT_CLAIM_VALIDATION_FAILED", "aud"),
        ("algorithm", good.clone(), vec!["--cacert", ca, "--algorithms", "PS256"], &iss.url, "ERR_JOSE_ALG_NOT_ALLOWED", "not allowed"),
        ("tls without the CA", good.clone(), vec![], &iss.url, "ERR_TLS", "TLS failure"),
        ("issuer mismatch in discovery", good.clone(), vec!["--cacert", ca], &liar.url, "ERR_DISCOVERY_INVALID", "names issuer"),
        ("another issuer's token", good.clone(), vec!["--jwks", jwks], "https://elsewhere.example", "ERR_JWT_CLAIM_VALIDATION_FAILED", "iss"),
    ];
    for (name, t, extra, issuer, code, phrase) in rows {
        let mut args = vec!["verify", t.as_str(), "--issuer", issuer];
        args.extend(extra.iter().copied());
        if !args.contains(&"--at") {
            args.extend(["--at", "1514764800"]);
        }
        let out = jwksgate(&args, None);
        assert_eq!(out.code, 1, "{name}: {}", out.all());
        assert!(out.stderr.contains(code) && out.stderr.contains(phrase), "{name}: {code} {phrase:?} in {}", out.stderr);
        args.push("--json");
        let j = jwksgate(&args, None);
        assert_eq!((j.code, j.json()["verified"].clone(), j.json()["error"]["code"].clone()), (1, json!(false), json!(code)), "{name} --json");
    }
}

#[test]
fn verify_with_a_jwks_file_a_jwks_url_and_pem_keys() {
    let iss = Issuer::oidc(rsa_jwks(), None);
    let t = token("https://kubernetes.default.svc", |_| {});
    let jwks = file("jwks-ok.json", &rsa_jwks());
    let pem = file("sa.pub", &rsa_public().1);
    let url = format!("{}/openid/v1/jwks", iss.url);
    for keys in [vec!["--jwks", jwks.to_str().unwrap()], vec!["--jwks", &url, "--cacert", &ca()], vec!["--pem", pem.to_str().unwrap()]] {
        let mut args = vec!["verify", &t, "--at", "1514764800"];
        args.extend(keys.iter().copied());
        let out = jwksgate(&args, None);
        assert_eq!(out.code, 0, "{keys:?}: {}", out.all());
        assert_eq!(out.json()["iss"], "https://kubernetes.default.svc");
    }
    let none = jwksgate(&["verify", &t], None);
    assert_eq!(none.code, 1);
    assert!(none.stderr.contains("no keys"), "{}", none.stderr);
}

#[test]
fn redirects_are_not_followed_and_bodies_are_capped() {
    let iss = Issuer::start(|path, base| match path {
        "/.well-known/openid-configuration" => Some(Reply { status: 302, body: String::new(), headers: vec![("Location".into(), format!("{base}/elsewhere"))] }),
        // A "key set" over the core's 512 KiB bound.
        "/huge" => Some(Reply::json(format!("{{\"keys\":[],\"pad\":\"{}\"}}", "x".repeat(600 * 1024)))),
        _ => None,
    });
    let huge = format!("{}/huge", iss.url);
    let out = jwksgate(&["verify", &token(&iss.url, |_| {}), "--jwks", &huge, "--cacert", &ca(), "--at", &at()], None);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("ERR_HTTP") && out.stderr.contains("over 524288 bytes"), "{}", out.stderr);
    let t = token(&iss.url, |_| {});
    let out = jwksgate(&["verify", &t, "--issuer", &iss.url, "--cacert", &ca(), "--at", &at()], None);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("redirect") && out.stderr.contains("not followed"), "{}", out.stderr);
}

// ---- discover ----

#[test]
fn discover_a_well_kept_issuer() {
    let iss = Issuer::oidc(rsa_jwks(), None);
    let out = jwksgate(&["discover", &iss.url, "--cacert", &ca()], None);
    assert_eq!(out.code, 0, "{}", out.all());
    for phrase in ["OK: Vault and the gate can use this issuer (0 warnings)", "its issuer is exactly", "verifies RS256, RS384, RS512, PS256, PS384, PS512", "is its Kubernetes key id", "Cache-Control: max-age=3600"] {
        assert!(out.stdout.contains(phrase), "{phrase:?} in\n{}", out.stdout);
    }
    let j = jwksgate(&["discover", &iss.url, "--cacert", &ca(), "--json"], None).json();
    assert_eq!(j["ok"], true);
    assert_eq!(j["jwks_uri"], format!("{}/openid/v1/jwks", iss.url));
    assert_eq!(j["keys"][0]["kid"], kid());
    assert_eq!(j["keys"][0]["kid_is_kubernetes_key_id"], true);
    assert_eq!(j["keys"][0]["algorithms"][0], "RS256");
    assert_eq!((j["discovery"]["cors"].clone(), j["jwks"]["cache_control"].clone()), (json!(true), json!("max-age=3600")));
}

#[test]
fn discover_names_each_problem() {
    let liar = Issuer::oidc(rsa_jwks(), Some("https://kubernetes.default.svc".into()));
    let out = jwksgate(&["discover", &liar.url, "--cacert", &ca()], None);
    assert_eq!(out.code, 1, "{}", out.all());
    // Both strings, whole and quoted.
    let both = format!("names issuer \"https://kubernetes.default.svc\", but it was fetched for \"{}\"", liar.url);
    assert!(out.stdout.contains("issuer mismatch") && out.stdout.contains(&both), "{}", out.stdout);
    let j = jwksgate(&["discover", &liar.url, "--cacert", &ca(), "--json"], None);
    assert_eq!((j.code, j.json()["ok"].clone()), (1, json!(false)));

    let tls = jwksgate(&["discover", &liar.url], None);
    assert_eq!(tls.code, 1);
    assert!(tls.stdout.contains("TLS failure") && tls.stdout.contains("--cacert"), "{}", tls.stdout);

    // No caching or CORS headers, a key whose kid is not its Kubernetes key id, and a key that
    // is not usable: warnings, not problems.
    let mut odd = rsa_public().0;
    odd["kid"] = "my-key".into();
    let bare_jwks = json!({ "keys": [odd, { "kty": "oct", "k": "c2VjcmV0" }] }).to_string();
    let bare = Issuer::start(move |path, base| match path {
        "/.well-known/openid-configuration" => Some(Reply::bare(json!({ "issuer": base, "jwks_uri": format!("{base}/keys") }).to_string())),
        "/keys" => Some(Reply::bare(bare_jwks.clone())),
        _ => None,
    });
    let out = jwksgate(&["discover", &bare.url, "--cacert", &ca(), "--json"], None);
    assert_eq!(out.code, 0, "{}", out.all());
    let warnings = out.json()["warnings"].to_string();
    for phrase in ["no Cache-Control", "Access-Control-Allow-Origin", "the Kubernetes key id of this key is", "is not usable"] {
        assert!(warnings.contains(phrase), "{phrase:?} in {warnings}");
    }

    let http = jwksgate(&["discover", "http://example.invalid"], None);
    assert_eq!(http.code, 1);
    assert!(http.stdout.contains("is not https"), "{}", http.stdout);
}

// ---- explain ----

/// A role that logs the test token in, as `vault read -format=json auth/jwt/role/builder` prints it.
fn vault_read_role(edit: impl FnOnce(&mut Value)) -> Value {
    let mut data = json!({
        "role_type": "jwt", "bound_audiences": ["https://kubernetes.default.svc"], "user_claim": "sub",
        "bound_subject": "", "bound_claims": { "/kubernetes.io/namespace": "default" }, "bound_claims_type": "string",
        "claim_mappings": null, "groups_claim": "", "token_policies": ["builder"], "token_ttl": 3600, "token_bound_cidrs": [],
        "clock_skew_leeway": 0, "expiration_leeway": 0, "not_before_leeway": 0, "user_claim_json_pointer": false,
        "token_type": "default", "token_max_ttl": 0, "token_explicit_max_ttl": 0, "token_no_default_policy": false,
        "token_num_uses": 0, "token_period": 0, "verbose_oidc_logging": false, "allowed_redirect_uris": [], "oidc_scopes": [],
    });
    edit(&mut data);
    json!({ "request_id": "0d5b6e53-1c53-7b2a-8f0e-000000000000", "lease_id": "", "lease_duration": 0, "renewable": false, "data": data, "warnings": null })
}

fn explain(role: &Value, config: Option<&Value>, t: &str, extra: &[&str]) -> Out {
    let role = file("role.json", &role.to_string());
    let mut args = vec!["explain".to_owned(), "--role".into(), role.display().to_string(), "--at".into(), at()];
    if let Some(c) = config {
        args.extend(["--config".into(), file("config.json", &c.to_string()).display().to_string()]);
    }
    args.extend(extra.iter().map(|s| s.to_string()));
    args.push(t.to_owned());
    jwksgate(&args.iter().map(String::as_str).collect::<Vec<_>>(), None)
}

#[test]
fn explain_a_role_that_logs_in() {
    let iss = Issuer::oidc(rsa_jwks(), None);
    let t = token(&iss.url, |_| {});
    let out = explain(&vault_read_role(|_| {}), None, &t, &["--issuer", &iss.url, "--cacert", &ca()]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(out.stdout.contains("Vault would log this token in: alias \"system:serviceaccount:default:builder\", policies [builder, default], ttl 3600 s"), "{}", out.stdout);
    let j = explain(&vault_read_role(|_| {}), None, &t, &["--issuer", &iss.url, "--cacert", &ca(), "--json"]).json();
    let names: Vec<&str> = j["checks"].as_array().unwrap().iter().map(|c| c["check"].as_str().unwrap()).collect();
    assert_eq!(names.len(), 23);
    assert_eq!(names[..6], ["role", "role_type", "token", "bound_cidrs", "signature", "claim_names"]);
    assert_eq!((j["allowed"].clone(), j["login"]["alias"].clone()), (json!(true), json!("system:serviceaccount:default:builder")));
    // Keys named by the config, as Vault reads them: the discovery URL with its CA inline.
    let config = json!({ "request_id": "x", "data": { "oidc_discovery_url": iss.url, "oidc_discovery_ca_pem": std::fs::read_to_string(pki().ca.clone()).unwrap(), "bound_issuer": iss.url, "jwt_supported_algs": ["RS256"], "default_role": "", "oidc_client_id": "", "provider_config": {} } });
    let out = explain(&vault_read_role(|_| {}), Some(&config), &t, &[]);
    assert_eq!(out.code, 0, "config's keys: {}", out.all());
}

#[test]
fn explain_a_role_refused_at_each_rule() {
    let iss = Issuer::oidc(rsa_jwks(), None);
    let good = token(&iss.url, |_| {});
    let pem = file("pubkeys.pem", &rsa_public().1);
    let keys = ["--pem", pem.to_str().unwrap()];
    let role = |edit: fn(&mut Value)| vault_read_role(edit);
    let config = |c: Value| Some(c);
    // (check that fails, role, config, token, extra arguments, Vault's words); the Vault functions
    // are those `CheckId::source` names, and tests/role.rs holds their own table.
    let rows: Vec<(&str, Value, Option<Value>, String, Vec<&str>, &str)> = vec![
        ("role_type", role(|r| { r["role_type"] = "oidc".into(); r["allowed_redirect_uris"] = json!(["https://vault.example/ui/vault/auth/jwt/oidc/callback"]); }), None, good.clone(), vec![], "role with oidc role_type is not allowed"),
        ("bound_cidrs", role(|r| r["token_bound_cidrs"] = json!(["10.0.0.0/8"])), None, good.clone(), vec!["--remote", "192.0.2.1"], "permission denied"),
        ("signature", role(|_| {}), None, tampered(&good), vec![], "error validating token: "),
        ("algorithm", role(|_| {}), config(json!({ "jwt_supported_algs": ["RS512"] })), good.clone(), vec![], "error validating token: "),
        ("issuer", role(|_| {}), config(json!({ "bound_issuer": "https://kubernetes.default.svc" })), good.clone(), vec![], "error validating token: invalid issuer (iss) claim"),
        ("subject", role(|r| r["bound_subject"] = "system:serviceaccount:default:other".into()), None, good.clone(), vec![], "error validating token: invalid subject (sub) claim"),
        ("audience", role(|r| r["bound_audiences"] = json!(["vault"])), None, good.clone(), vec![], "error validating token: invalid audience (aud) claim: audience claim does not match any expected audience"),
        ("expiration", role(|_| {}), None, token(&iss.url, |c| c["exp"] = (NOW - 120).into()), vec![], "error validating token: invalid expiration time (exp) claim: token is expired"),
        ("not_before", role(|_| {}), None, token(&iss.url, |c| c["nbf"] = (NOW + 120).into()), vec![], "error validating token: invalid not before (nbf) claim: token not yet valid"),
        ("audience_unbound", role(|r| r["bound_audiences"] = json!([])), None, good.clone(), vec![], "audience claim found in JWT but no audiences bound to the role"),
        ("user_claim", role(|r| r["user_claim"] = "email".into()), None, good.clone(), vec![], "claim \"email\" not found in token"),
        ("groups_claim", role(|r| r["groups_claim"] = "groups".into()), None, good.clone(), vec![], "groups"),
        ("bound_claims", role(|r| r["bound_claims"] = json!({ "/kubernetes.io/namespace": "prod" })), None, good.clone(), vec![], "error validating claims: "),
        ("policies", role(|r| r["token_policies"] = json!(["root"])), None, good.clone(), vec![], "auth methods cannot create root tokens"),
    ];
    for (check, role, config, t, extra, words) in rows {
        let mut args = keys.to_vec();
        args.extend(extra.iter().copied());
        let out = explain(&role, config.as_ref(), &t, &args);
        assert_eq!(out.code, 1, "{check}: {}", out.all());
        let answer = format!("Vault would refuse this login at check {check}, answering: ");
        assert!(out.stdout.contains(&answer) && out.stdout.contains(words), "{check}: {answer} {words:?} in\n{}", out.stdout);
        args.push("--json");
        let j = explain(&role, config.as_ref(), &t, &args).json();
        assert_eq!((j["allowed"].clone(), j["failure"]["check"].clone()), (json!(false), json!(check)), "{check} --json");
        let failed = j["checks"].as_array().unwrap().iter().find(|c| c["outcome"] == "failed").unwrap();
        assert_eq!(failed["check"], check);
        assert!(failed["error"]["message"].as_str().unwrap().contains(words), "{check}: {failed}");
    }
}

#[test]
fn explain_reads_the_gates_roles_and_says_what_is_wrong_with_a_role() {
    let t = token("https://kubernetes.default.svc", |_| {});
    let pem = file("pubkeys2.pem", &rsa_public().1);
    let data = vault_read_role(|_| {})["data"].clone();
    let roles = json!({ "builder": data, "other": { "user_claim": "sub", "bound_audiences": ["x"] } });
    let many = explain(&roles, None, &t, &["--pem", pem.to_str().unwrap()]);
    assert_eq!(many.code, 1);
    assert!(many.stderr.contains("pick one by name with --name NAME"), "{}", many.stderr);
    let one = explain(&roles, None, &t, &["--pem", pem.to_str().unwrap(), "--name", "Builder"]);
    assert_eq!(one.code, 0, "{}", one.all());
    assert!(one.stdout.contains("Role \"builder\""), "{}", one.stdout);
    let bad = explain(&json!({ "user_claim": "sub", "bound_audiences": ["x"], "no_such_parameter": true }), None, &t, &["--pem", pem.to_str().unwrap()]);
    assert_eq!(bad.code, 1);
    assert!(bad.stderr.contains("ERR_CONFIG_INVALID") && bad.stderr.contains("unknown parameter \"no_such_parameter\""), "{}", bad.stderr);
    let none = explain(&vault_read_role(|_| {}), None, &t, &[]);
    assert_eq!(none.code, 1);
    assert!(none.stdout.contains("signature") && none.stdout.contains("no keys are loaded"), "{}", none.stdout);
}

#[test]
fn every_command_has_help() {
    for cmd in [vec!["--help"], vec!["inspect", "--help"], vec!["verify", "--help"], vec!["discover", "--help"], vec!["explain", "--help"]] {
        let out = jwksgate(&cmd, None);
        assert_eq!(out.code, 0, "{cmd:?}");
        assert!(out.stdout.contains("Usage: jwksgate"), "{cmd:?}: {}", out.stdout);
    }
    assert_eq!(jwksgate(&["verify", "--no-such-flag"], None).code, 2);
}

// ---- an ES256 issuer: the same commands, the core's key type over every family ----

/// Kubernetes' P-256 test key as its JWK, whose kid is its Kubernetes key id.
fn ec_public() -> (common::ec::EcSigner, Value) {
    let signer = common::ec::EcSigner::k8s_p256();
    let mut jwk = signer.jwk(json!({}));
    let parsed = jwksgate::Jwk::parse(jwk.to_string().as_bytes()).unwrap();
    jwk["kid"] = parsed.key().unwrap().kubernetes_key_id().into();
    (signer, jwk)
}

#[test]
fn an_es256_issuer_verifies_discovers_and_explains() {
    let (signer, jwk) = ec_public();
    let iss = Issuer::oidc(json!({ "keys": [jwk.clone()] }).to_string(), None);
    let mut claims = k8s_claims();
    claims["iss"] = iss.url.as_str().into();
    let t = signer.token(json!({ "alg": "ES256", "kid": jwk["kid"], "typ": "JWT" }), claims);

    let out = jwksgate(&["verify", &t, "--issuer", &iss.url, "--cacert", &ca(), "--at", &at(), "--json"], None);
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!((out.json()["key"]["alg"].clone(), out.json()["key"]["kid"].clone()), (json!("ES256"), jwk["kid"].clone()));
    // The allowlist is the caller's: RSA only refuses the ES256 token.
    let rsa_only = jwksgate(&["verify", &t, "--issuer", &iss.url, "--cacert", &ca(), "--at", &at(), "--algorithms", "RS256,PS256"], None);
    assert_eq!(rsa_only.code, 1);
    assert!(rsa_only.stderr.contains("ERR_JOSE_ALG_NOT_ALLOWED"), "{}", rsa_only.stderr);
    let forged = jwksgate(&["verify", &tampered(&t), "--issuer", &iss.url, "--cacert", &ca(), "--at", &at()], None);
    assert!(forged.code == 1 && forged.stderr.contains("ERR_JWS_SIGNATURE_VERIFICATION_FAILED"), "{}", forged.all());

    let d = jwksgate(&["discover", &iss.url, "--cacert", &ca(), "--json"], None);
    assert_eq!(d.code, 0, "{}", d.all());
    let key = &d.json()["keys"][0];
    assert_eq!((key["kty"].clone(), key["algorithms"].clone(), key["kid_is_kubernetes_key_id"].clone()), (json!("EC"), json!(["ES256"]), json!(true)));

    let ok = explain(&vault_read_role(|_| {}), None, &t, &["--issuer", &iss.url, "--cacert", &ca()]);
    assert_eq!(ok.code, 0, "{}", ok.all());
    // Vault's jwt_validation_pubkeys takes certificates too: tests/vectors/certs/p256.pem certifies
    // Kubernetes' P-256 test key, so its subject key verifies the token.
    let cert = file("p256-cert.pem", include_str!("../vectors/certs/p256.pem"));
    let by_cert = jwksgate(&["verify", &t, "--pem", cert.to_str().unwrap(), "--at", &at()], None);
    assert_eq!(by_cert.code, 0, "{}", by_cert.all());
    // Vault's jwt_supported_algs narrows what the gate accepts (cap validateSigningAlgorithm).
    let narrowed = explain(&vault_read_role(|_| {}), Some(&json!({ "jwt_supported_algs": ["RS256"] })), &t, &["--issuer", &iss.url, "--cacert", &ca()]);
    assert_eq!(narrowed.code, 1);
    assert!(narrowed.stdout.contains("Vault would refuse this login at check algorithm"), "{}", narrowed.stdout);
}
