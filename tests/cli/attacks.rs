//! The command read as an attacker reads it (issue 22, items 7 to 10): strings from tokens,
//! discovery documents, key sets and servers never reach the terminal raw (kubectl and step
//! print them as Go's `strconv.Quote` does); a server's `jwks_uri` is never read as a local
//! file; an empty `--audience` or `--issuer` is a usage error, not a dropped check; a config
//! Vault would refuse to store (vault-plugin-auth-jwt `path_config.go` `pathConfigWrite`) is
//! refused; and no proxy is taken from the environment.

use super::*;
use std::net::TcpListener;

/// An OSC 52 clipboard write, a cursor move up and a line erased (to rewrite "NOT VERIFIED"), a
/// carriage return and a fake "ok", a C1 CSI, a bidi override and isolate, a backspace, DEL, a
/// zero-width space, a line separator and a plain newline.
const ATTACK: &str = "x\u{1b}]52;c;ZXZpbA==\u{7}\u{1b}[1A\u{1b}[2K\rok      \u{9b}2J\u{202e}gnp.exe\u{2066}\u{8}\u{7f}\u{200b}\u{2028}\nok fake line";

/// What may not reach a terminal raw: every control but the line break the command writes
/// itself, C1, bidi embeddings, overrides, isolates and marks, zero-width characters, the line
/// and paragraph separators, and the byte order mark.
fn raw(text: &str) -> Vec<char> {
    text.chars()
        .filter(|&c| {
            let u = c as u32;
            (c.is_control() && c != '\n') || matches!(u, 0x061C | 0x200B..=0x200F | 0x2028..=0x202E | 0x2060..=0x2069 | 0xFEFF)
        })
        .collect()
}

/// Why the command's output is not clean: a character of [`raw`], or a line the attacker's
/// line break started.
fn dirty(out: &Out) -> Option<String> {
    [("stdout", &out.stdout), ("stderr", &out.stderr)].into_iter().find_map(|(stream, text)| {
        let found = raw(text);
        if !found.is_empty() {
            Some(format!("{stream} holds {found:?} raw:\n{text}"))
        } else if text.lines().any(|l| l.starts_with("ok fake line")) {
            Some(format!("{stream} has a line of the attacker's:\n{text}"))
        } else {
            None
        }
    })
}

/// Each row's failure, all reported at the end (so a run on older code counts them).
#[derive(Default)]
struct Misses {
    rows: usize,
    misses: Vec<String>,
}

impl Misses {
    fn row(&mut self, name: &str, miss: Option<String>) {
        self.rows += 1;
        if let Some(m) = miss {
            self.misses.push(format!("{name}: {m}"));
        }
    }
    #[track_caller]
    fn check(self) {
        assert!(self.rows > 0);
        assert!(self.misses.is_empty(), "{} of {} rows failed:\n\n{}", self.misses.len(), self.rows, self.misses.join("\n\n"));
    }
}

fn signed(header: Value, claims: Value) -> String {
    common::sign(&common::key(K8S_KEY), Alg::RS256, header, claims)
}

#[test]
fn no_string_from_a_token_or_a_server_reaches_the_terminal_raw() {
    let jwks = file("attack-jwks.json", &rsa_jwks());
    let jwks = jwks.to_str().unwrap();
    let k8s = |c: &mut Value| {
        c["kubernetes.io"]["namespace"] = ATTACK.into();
        c["kubernetes.io"]["serviceaccount"]["name"] = ATTACK.into();
        c["kubernetes.io"]["pod"]["name"] = ATTACK.into();
        c["kubernetes.io"]["pod"]["uid"] = ATTACK.into();
    };
    let k8s_token = token("https://kubernetes.default.svc", k8s);
    let claim_token = token("https://kubernetes.default.svc", |c| c["note"] = ATTACK.into());
    let crit = signed(json!({ "alg": "RS256", "kid": kid(), "crit": [ATTACK] }), k8s_claims());
    let hs = signed(json!({ "alg": format!("HS256{ATTACK}"), "kid": kid() }), k8s_claims());
    let at = at();
    // (what, the command line); each row fails on the code before issue 22.
    let rows: Vec<(&str, Vec<&str>)> = vec![
        // inspect's Kubernetes section (namespace, ServiceAccount, pod and uid, subject) and its
        // "sub is not" warning.
        ("inspect: the Kubernetes section", vec!["inspect", &k8s_token, "--at", &at]),
        // The HMAC warning names the token's alg.
        ("inspect: the alg warning", vec!["inspect", &hs, "--at", &at]),
        // serde_json escapes C0 but writes DEL, C1 and bidi raw.
        ("inspect --json", vec!["inspect", &claim_token, "--json"]),
        // The crit error, before any signature is checked (jose's order).
        ("verify: the crit error on stderr", vec!["verify", &crit, "--jwks", jwks, "--at", &at]),
        ("verify --json: the crit error", vec!["verify", &crit, "--jwks", jwks, "--at", &at, "--json"]),
        ("verify --json: a verified claim", vec!["verify", &claim_token, "--jwks", jwks, "--at", &at, "--json"]),
        ("verify: a verified claim", vec!["verify", &claim_token, "--jwks", jwks, "--at", &at]),
        // clap's own error quotes the argument it did not expect.
        ("clap's error", vec!["inspect", &claim_token, ATTACK]),
        ("verify --algorithms", vec!["verify", &claim_token, "--jwks", jwks, "--algorithms", ATTACK]),
    ];
    let mut m = Misses::default();
    for (name, args) in rows {
        let out = jwksgate(&args, None);
        let all = out.all().to_lowercase();
        let shown = all.contains("\\u{001b}]52") || all.contains("\\u{1b}]52") || all.contains("\\u001b]52");
        m.row(name, dirty(&out).or_else(|| (!shown).then(|| format!("the attack is not shown escaped:\n{}", out.all()))));
    }
    m.check();
    // JSON reads back to the same strings.
    let j = jwksgate(&["inspect", &claim_token, "--json"], None).json();
    assert_eq!(j["payload"]["note"], ATTACK);
    let j = jwksgate(&["verify", &crit, "--jwks", jwks, "--at", &at, "--json"], None).json();
    assert!(j["error"]["message"].as_str().unwrap().contains("\u{1b}]52"), "{j}");
}

#[test]
fn explain_shows_the_tokens_strings_escaped() {
    let pem = file("attack-pubkeys.pem", &rsa_public().1);
    let keys = ["--pem", pem.to_str().unwrap()];
    let t = token("https://kubernetes.default.svc", |c| {
        c["kubernetes.io"]["namespace"] = ATTACK.into();
        c["groups"] = json!([ATTACK, "dev"]);
        c["email"] = ATTACK.into();
    });
    let rows: Vec<(&str, Value)> = vec![
        // The bound-claims failure names the value received.
        ("the bound-claims failure", vault_read_role(|_| {})),
        // The "would log in" line: groups from the token, the alias from its user claim.
        ("the would-log-in line", vault_read_role(|r| {
            r["bound_claims"] = json!({});
            r["bound_subject"] = "system:serviceaccount:default:builder".into();
            r["groups_claim"] = "groups".into();
            r["claim_mappings"] = json!({ "email": "email" });
        })),
        ("the alias", vault_read_role(|r| {
            r["bound_claims"] = json!({});
            r["bound_subject"] = "system:serviceaccount:default:builder".into();
            r["user_claim"] = "email".into();
        })),
    ];
    let mut m = Misses::default();
    for (name, role) in rows {
        for json in [false, true] {
            let mut args = keys.to_vec();
            if json {
                args.push("--json");
            }
            let out = explain(&role, None, &t, &args);
            m.row(&format!("{name}{}", if json { " --json" } else { "" }), dirty(&out));
        }
    }
    m.check();
}

#[test]
fn discover_shows_the_servers_strings_escaped() {
    // A kid and a kty with the attack in them, then a jwks_uri: discover names each.
    let mut named = rsa_public().0;
    named["kid"] = ATTACK.into();
    let bad_set = json!({ "keys": [named, { "kty": ATTACK, "kid": ATTACK }, { "kty": "RSA", "kid": ATTACK, "n": "AQAB", "e": "AQAB" }] }).to_string();
    let odd_keys = Issuer::start(move |path, base| match path {
        "/.well-known/openid-configuration" => Some(Reply::json(json!({ "issuer": base, "jwks_uri": format!("{base}/keys") }).to_string())),
        "/keys" => Some(Reply::json(bad_set.clone())),
        _ => None,
    });
    let odd_uri = Issuer::start(move |path, base| match path {
        "/.well-known/openid-configuration" => Some(Reply::json(json!({ "issuer": base, "jwks_uri": format!("{base}/keys?{ATTACK}") }).to_string())),
        _ => None,
    });
    let mut m = Misses::default();
    for url in [&odd_keys.url, &odd_uri.url] {
        for json in [false, true] {
            let mut args = vec!["discover", url.as_str(), "--cacert", pki().ca.to_str().unwrap()];
            if json {
                args.push("--json");
            }
            let out = jwksgate(&args, None);
            let shown = out.stdout.to_lowercase();
            let shown = json || shown.contains("\\u{001b}]52") || shown.contains("\\u{1b}]52");
            m.row(&format!("{args:?}"), dirty(&out).or_else(|| (!shown).then(|| format!("not shown escaped:\n{}", out.stdout))));
        }
    }
    // An issuer whose document names another issuer, with the attack in it.
    let liar = Issuer::oidc(rsa_jwks(), Some(format!("https://kubernetes.default.svc/{ATTACK}")));
    for args in [vec!["discover", &liar.url, "--cacert", &ca()], vec!["verify", "a.b.c", "--issuer", &liar.url, "--cacert", &ca()]] {
        m.row(&format!("{args:?}"), dirty(&jwksgate(&args, None)));
    }
    m.check();
}

/// An issuer whose discovery document names `jwks_uri` as it is given, not a URL.
fn issuer_naming(jwks_uri: String) -> Issuer {
    Issuer::start(move |path, base| match path {
        "/.well-known/openid-configuration" => Some(Reply::json(json!({ "issuer": base, "jwks_uri": jwks_uri }).to_string())),
        _ => None,
    })
}

#[test]
fn a_servers_jwks_uri_is_never_read_as_a_local_file() {
    // A key set on this machine that verifies the token: read, it would say yes (exit 0).
    let local = file("local-jwks.json", &rsa_jwks());
    let local = local.to_str().unwrap().to_owned();
    let refused = |out: &Out| (!(out.code == 1 && out.all().contains("never read from a file"))).then(|| format!("exit {}: {}", out.code, out.all()));
    let mut m = Misses::default();
    for uri in [local.clone(), format!("file://{local}"), "relative-jwks.json".to_owned()] {
        let iss = issuer_naming(uri.clone());
        let t = token(&iss.url, |_| {});
        let verify = jwksgate(&["verify", &t, "--issuer", &iss.url, "--cacert", &ca(), "--at", &at()], None);
        m.row(&format!("verify --issuer, jwks_uri {uri:?}"), refused(&verify));
        let by_issuer = explain(&vault_read_role(|_| {}), None, &t, &["--issuer", &iss.url, "--cacert", &ca()]);
        m.row(&format!("explain --issuer, jwks_uri {uri:?}"), refused(&by_issuer));
        let ca_pem = std::fs::read_to_string(&pki().ca).unwrap();
        let by_config = explain(&vault_read_role(|_| {}), Some(&json!({ "oidc_discovery_url": iss.url, "oidc_discovery_ca_pem": ca_pem })), &t, &[]);
        m.row(&format!("explain --config oidc_discovery_url, jwks_uri {uri:?}"), refused(&by_config));
    }
    // A config's jwks_url is a URL as well: Vault fetches it (cap's NewJSONWebKeySet).
    let t = token("https://kubernetes.default.svc", |_| {});
    let out = explain(&vault_read_role(|_| {}), Some(&json!({ "jwks_url": local })), &t, &[]);
    m.row("explain --config jwks_url FILE", refused(&out));
    m.check();
    // The user's own --jwks FILE still reads a file.
    let own = jwksgate(&["verify", &t, "--jwks", &local, "--at", &at()], None);
    assert_eq!(own.code, 0, "{}", own.all());
}

#[test]
fn empty_values_are_usage_errors_not_dropped_checks() {
    let jwks = file("empty-jwks.json", &rsa_jwks());
    let jwks = jwks.to_str().unwrap();
    let pem = file("empty-pubkeys.pem", &rsa_public().1);
    // A token for an audience no one asked for: with the check dropped it verifies (exit 0).
    let t = token("https://kubernetes.default.svc", |c| c["aud"] = json!(["https://someone-else.example"]));
    let role = file("empty-role.json", &vault_read_role(|_| {}).to_string());
    // (the option, its value); the package refuses an empty list (`audience: []`).
    let rows: Vec<(Vec<&str>, &str)> = vec![
        (vec!["verify", &t, "--jwks", jwks], "--audience="),
        (vec!["verify", &t, "--jwks", jwks], "--audience= "),
        (vec!["verify", &t, "--jwks", jwks], "--audience=,"),
        (vec!["verify", &t, "--jwks", jwks], "--audience=vault,"),
        (vec!["verify", &t, "--jwks", jwks], "--audience=, "),
        (vec!["verify", &t, "--jwks", jwks], "--issuer="),
        (vec!["verify", &t, "--jwks", jwks], "--issuer= "),
        (vec!["verify", &t, "--jwks", jwks], "--subject="),
        (vec!["verify", &t, "--jwks", jwks], "--algorithms="),
        (vec!["verify", &t], "--jwks="),
        (vec!["explain", &t, "--role", role.to_str().unwrap(), "--pem", pem.to_str().unwrap()], "--name="),
        (vec!["explain", &t, "--role", role.to_str().unwrap()], "--issuer="),
        (vec!["discover"], ""),
    ];
    let mut m = Misses::default();
    for (mut args, option) in rows {
        if args[0] != "discover" {
            args.extend(["--at", "1514764800"]);
        }
        args.push(option);
        let out = jwksgate(&args, None);
        m.row(&format!("{} {option:?}", args[0]), (out.code != 2 || !out.stderr.contains("empty value")).then(|| format!("exit {}: {}", out.code, out.all())));
    }
    m.check();
}

#[test]
fn explain_refuses_configs_vault_refuses_to_store() {
    let pem = rsa_public().1;
    let t = token("https://kubernetes.default.svc", |_| {});
    // (config, Vault's words); pathConfigWrite at 2e68bba.
    let exactly_one = "exactly one of 'jwt_validation_pubkeys', 'jwks_url', 'jwks_pairs' or 'oidc_discovery_url' must be set";
    let rows: Vec<(Value, &str)> = vec![
        (json!({ "jwt_validation_pubkeys": [pem], "oidc_discovery_url": "https://kubernetes.default.svc" }), exactly_one),
        (json!({ "jwt_validation_pubkeys": [pem], "jwks_url": "https://kubernetes.default.svc/openid/v1/jwks" }), exactly_one),
        (json!({ "jwks_url": "https://a.example/keys", "oidc_discovery_url": "https://a.example" }), exactly_one),
        (json!({ "jwt_validation_pubkeys": pem, "jwks_pairs": [{ "jwks_url": "https://a.example/keys" }] }), exactly_one),
        // vault read's output of a config with no key source is one Vault never stored.
        (json!({ "request_id": "x", "data": { "bound_issuer": "https://kubernetes.default.svc", "jwt_validation_pubkeys": [], "jwks_url": "", "oidc_discovery_url": "" } }), exactly_one),
        (json!({ "jwt_validation_pubkeys": [pem], "oidc_client_id": "vault" }), "'oidc_discovery_url' must be set for OIDC"),
        (json!({ "jwks_pairs": [{ "jwks_url": "https://a.example/keys" }], "jwks_ca_pem": "x" }), "CA PEMs must be provided as part of the 'jwks_pairs' when using multiple JWKS URLs"),
        (json!({ "jwks_pairs": [{ "jwks_url": "https://a.example/keys" }], "bound_issuer": "https://a.example" }), "Bound issuer is not supported for use with 'jwks_pairs'"),
        (json!({ "jwt_validation_pubkeys": ["-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"] }), "error parsing public key: "),
        (json!({ "jwt_validation_pubkeys": [pem], "oidc_response_types": ["token"] }), "invalid response_types [token]. 'code' and 'id_token' are allowed"),
        (json!({ "jwt_validation_pubkeys": [pem], "oidc_response_types": ["id_token"] }), "query response_mode may not be used with an id_token response_type"),
        (json!({ "jwt_validation_pubkeys": [pem], "oidc_response_mode": "fragment" }), "invalid response_mode: \"fragment\""),
    ];
    let mut m = Misses::default();
    for (config, words) in rows {
        let out = explain(&vault_read_role(|_| {}), Some(&config), &t, &[]);
        let ok = out.code == 1 && out.stderr.contains("ERR_CONFIG_INVALID") && out.stderr.contains(words);
        m.row(&config.to_string(), (!ok).then(|| format!("{words:?}: exit {}: {}", out.code, out.all())));
    }
    m.check();
    // One source is fine, and keys on the command line stand in for a config that names none.
    let one = explain(&vault_read_role(|_| {}), Some(&json!({ "jwt_validation_pubkeys": [pem.clone()], "oidc_response_types": [], "oidc_response_mode": "" })), &t, &[]);
    assert_eq!(one.code, 0, "{}", one.all());
    let pem_file = file("config-pubkeys.pem", &pem);
    let cli_keys = explain(&vault_read_role(|_| {}), Some(&json!({ "bound_issuer": "https://kubernetes.default.svc" })), &t, &["--pem", pem_file.to_str().unwrap()]);
    assert_eq!(cli_keys.code, 0, "{}", cli_keys.all());
}

#[test]
fn no_proxy_is_taken_from_the_environment() {
    // A listener standing in for a proxy: the command must never connect to it. Its backlog
    // takes a connection whether or not it is accepted, so a connection shows as one to accept.
    let proxy = TcpListener::bind("127.0.0.1:0").unwrap();
    proxy.set_nonblocking(true).unwrap();
    let proxy_url = format!("http://{}", proxy.local_addr().unwrap());
    let iss = Issuer::oidc(rsa_jwks(), None);
    let t = token(&iss.url, |_| {});
    let vars = ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"];
    let mut child = Command::new(env!("CARGO_BIN_EXE_jwksgate"));
    child.args(["verify", &t, "--issuer", &iss.url, "--cacert", &ca(), "--at", &at()]).env_remove("NO_PROXY").env_remove("no_proxy");
    for v in vars {
        child.env(v, &proxy_url);
    }
    let out = child.stdin(Stdio::null()).output().unwrap();
    let hit = proxy.accept().is_ok();
    assert!(!hit, "the command connected to the proxy from the environment");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}
