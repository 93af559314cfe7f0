//! Bank-Vaults' templates in AUTH_CONFIG (src/gate/templates.rs), row by row against what
//! bank-vaults/vault-sdk `utils/templater/template.go` (Go's text/template with `${`/`}`, sprig,
//! its `file`) gives, and the seed's custom resource loaded as written, its CA from FILES.

use jwksgate::gate::mounts::{parse, parse_with, KeySource};
use jwksgate::gate::templates::{evaluate, Sources};
use jwksgate::Code;

fn sources() -> Sources {
    let mut s = Sources::default();
    s.files.insert("/var/run/secrets/kubernetes.io/serviceaccount/ca.crt".into(), "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n".into());
    s.files.insert("/etc/one-line".into(), "value".into());
    s.env.insert("VAULT_ADDR".into(), "https://vault:8200".into());
    s.env.insert("EMPTY".into(), String::new());
    s
}

#[test]
fn evaluation() {
    let s = sources();
    // (case, the vault-sdk or text/template rule, template, expected output or error part)
    let rows: Vec<(&str, &str, &str, Result<&str, &str>)> = vec![
        ("text without actions is copied", "text/template", r#"{"a":"b $ { } {"}"#, Ok(r#"{"a":"b $ { } {"}"#)),
        ("file escapes newlines for JSON", "vault-sdk fileContent: ReplaceAll(\\n, \\\\n)", r#"{"ca":"${ file `/var/run/secrets/kubernetes.io/serviceaccount/ca.crt` }"}"#, Ok(r#"{"ca":"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"}"#)),
        ("file with a quoted path", "text/template string literals", r#"${ file "/etc/one-line" }"#, Ok("value")),
        ("file by pipeline", "text/template pipelines", "${ `/etc/one-line` | file }", Ok("value")),
        ("env", "sprig env: os.Getenv", "${ env `VAULT_ADDR` }", Ok("https://vault:8200")),
        ("env of an unset name is empty", "sprig env", "[${ env `NOPE` }]", Ok("[]")),
        (".Env.NAME", "vault-sdk EnvTemplate data", "${ .Env.VAULT_ADDR }", Ok("https://vault:8200")),
        (".Env of an unset name is <no value>", "text/template missingkey=default", "${ .Env.NOPE }", Ok("<no value>")),
        ("parentheses", "text/template", "${ env (`VAULT_ADDR`) }", Ok("https://vault:8200")),
        ("trim markers", "text/template {{- -}}", "a  ${- `b` -}  c", Ok("abc")),
        ("a minus without a space is no trim marker", "text/template", "a ${`b`}", Ok("a b")),
        ("comments", "text/template {{/* */}}", "a${/* note */}b", Ok("ab")),
        ("a } inside a string", "text/template lexer", "${ `}` }", Ok("}")),
        ("interpreted escapes", "Go string literals", r#"${ "a\tb\x41\u00e9" }"#, Ok("a\tbAé")),
        ("a missing file", "os.ReadFile error: the configurer exits", "${ file `/nope` }", Err("open /nope: no such file or directory")),
        ("file with two arguments", "text/template: wrong number of args", "${ file `a` `b` }", Err("wrong number of args for file: want 1 got 2")),
        ("an unclosed action", "text/template: unclosed action", "${ file `a` ", Err("unclosed action")),
        ("an unterminated raw string", "text/template", "${ file `a }", Err("unterminated raw quoted string")),
        ("an empty action", "text/template: missing value for command", "${ }", Err("missing value for command")),
        ("a function the gate cannot run", "vault-sdk awskms", "${ awskms `AQ==` }", Err("function \"awskms\" is not supported")),
        ("accessor (a placeholder only Bank-Vaults fills in)", "vault-sdk accessorPlaceholder", "${ accessor `auth/jwt` }", Err("\"accessor\" is not supported")),
        ("a sprig function", "sprig", "${ upper `a` }", Err("function \"upper\" not defined or not supported")),
        ("control structures", "text/template if", "${ if true }x${ end }", Err("if is not supported")),
        ("variables", "text/template $x", "${ $x := `a` }", Err("variables")),
        ("the whole data", "text/template .", "${ . }", Err("`.` (the whole data)")),
        ("a value given an argument", "text/template: can't give argument to non-function", "${ `a` `b` }", Err("can't give argument to non-function")),
        ("an unclosed comment", "text/template: unclosed comment", "${/* x }", Err("unclosed comment")),
    ];
    for (case, rule, template, want) in rows {
        match (evaluate(template, &s), want) {
            (Ok(got), Ok(w)) => assert_eq!(got, w, "{case} ({rule})"),
            (Err(e), Err(part)) => {
                assert_eq!(e.code(), Code::ConfigInvalid, "{case}");
                assert!(e.message().contains(part), "{case} ({rule}): {}", e.message());
            }
            (got, want) => panic!("{case} ({rule}): {got:?} against {want:?}"),
        }
    }
}

/// A CA made by openssl now, as `kubectl get cm kube-root-ca.crt` would print it.
fn ca_pem() -> String {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("jwksgate-templates-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = std::process::Command::new("openssl")
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=kubernetes"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let pem = std::fs::read_to_string(dir.join("ca.pem")).unwrap();
    std::fs::remove_dir_all(&dir).ok();
    pem
}

#[test]
fn the_seeds_custom_resource_as_written() {
    let cr = include_str!("vectors/bank-vaults/cr-oidc.yaml");
    // Without FILES, the configurer's `file` fails: refused with the reason, as it exits.
    let e = parse(cr).unwrap_err();
    assert_eq!(e.code(), Code::ConfigInvalid);
    assert!(e.message().contains("open /var/run/secrets/kubernetes.io/serviceaccount/ca.crt: no such file or directory"), "{}", e.message());
    // With the CA in FILES: the plain YAML scalar `${ file ... }` comes out as the PEM, whole.
    let pem = ca_pem();
    let mut s = Sources::default();
    s.files.insert("/var/run/secrets/kubernetes.io/serviceaccount/ca.crt".into(), pem.clone());
    let m = parse_with(cr, &s).unwrap();
    assert_eq!(m.mounts.len(), 1);
    let jwt = &m.mounts[0];
    assert_eq!((jwt.path.as_str(), &jwt.keys), ("jwt", &KeySource::Discovery("https://kubernetes".into())));
    assert_eq!(jwt.ca_pem.as_deref(), Some(pem.as_str()), "the PEM as the file holds it (vault-sdk fileContent, then the JSON string)");
    // Its `type: kubernetes` entry is served too (gate::kubernetes, issue 24), not skipped.
    assert_eq!(m.kubernetes.iter().map(|k| k.path.as_str()).collect::<Vec<_>>(), ["kubernetes"], "{:?}", m.skipped);
    assert!(!m.skipped.iter().any(|l| l.contains("\"kubernetes\"")), "{:?}", m.skipped);
    // Only the cluster's address changed, as the README's walkthrough does.
    let moved = parse_with(&cr.replace("https://kubernetes", "https://127.0.0.1:6443"), &s).unwrap();
    assert_eq!(moved.mounts[0].keys, KeySource::Discovery("https://127.0.0.1:6443".into()));
    assert_eq!(moved.mounts[0].config["bound_issuer"], "https://127.0.0.1:6443");
    // A PEM with CRLF line ends: the raw CRs break the JSON string, and the configurer's
    // multiparser reads the text as YAML, which folds each line break; Go's PEM decoder (and
    // this one) still read the certificate.
    s.files.insert("/var/run/secrets/kubernetes.io/serviceaccount/ca.crt".into(), pem.replace('\n', "\r\n"));
    let crlf = parse_with(cr, &s).unwrap();
    assert!(crlf.mounts[0].ca_pem.as_deref().is_some_and(|p| p.contains("-----BEGIN CERTIFICATE-----")), "{:?}", crlf.mounts[0].ca_pem);
}

#[test]
fn pins_and_bearer_tokens() {
    let pem = ca_pem();
    let mut s = Sources::default();
    s.files.insert("ca".into(), pem.clone());
    s.env.insert("ISSUER_TOKEN".into(), "s3cr3t-token".into());
    let doc = |config: &str| format!("auth:\n  - type: jwt\n    config: {config}\n    roles: [{{name: r, user_claim: sub, bound_audiences: v}}]\n");
    // jwks_ca_pem with jwks_url (cap NewJSONWebKeySet)
    let m = parse_with(&doc("{jwks_url: https://i.example/k, jwks_ca_pem: '${ file `ca` }'}"), &s).unwrap();
    assert_eq!(m.mounts[0].ca_pem.as_deref(), Some(pem.as_str()));
    // An empty pin is none (createCAContext returns the plain context).
    let m = parse_with(&doc("{oidc_discovery_url: https://i.example, oidc_discovery_ca_pem: ''}"), &s).unwrap();
    assert_eq!(m.mounts[0].ca_pem, None);
    // The other source's pin is stored by Vault and never used: logged, not applied.
    let m = parse_with(&doc("{oidc_discovery_url: https://i.example, jwks_ca_pem: '${ file `ca` }'}"), &s).unwrap();
    assert_eq!(m.mounts[0].ca_pem, None);
    assert!(m.skipped.iter().any(|l| l.contains("jwks_ca_pem is not used")), "{:?}", m.skipped);
    // The bearer token, from a secret, never printed.
    let m = parse_with(&doc("{oidc_discovery_url: https://i.example, oidc_discovery_ca_pem: '${ file `ca` }', oidc_discovery_bearer_token: '${ env `ISSUER_TOKEN` }'}"), &s).unwrap();
    assert_eq!(m.mounts[0].bearer_token.as_ref().map(|t| t.0.as_str()), Some("s3cr3t-token"));
    assert!(!format!("{m:?}").contains("s3cr3t"), "the token in Debug output");
    // (case, config, message part)
    let refusals = [
        ("a pin that holds no certificate (cap: could not parse CA PEM value successfully)", "{oidc_discovery_url: https://i.example, oidc_discovery_ca_pem: nope}", "error checking oidc_discovery_ca_pem: could not parse CA PEM value successfully"),
        ("a jwks_ca_pem that holds no certificate", "{jwks_url: https://i.example/k, jwks_ca_pem: nope}", "error checking jwks_ca_pem"),
        ("a bearer token over http", "{oidc_discovery_url: 'http://127.0.0.1:1', oidc_discovery_bearer_token: t}", "https only"),
        ("a bearer token without discovery", "{jwks_url: https://i.example/k, oidc_discovery_bearer_token: t}", "goes with oidc_discovery_url"),
    ];
    for (case, config, part) in refusals {
        let e = parse_with(&doc(config), &s).unwrap_err();
        assert_eq!(e.code(), Code::ConfigInvalid, "{case}");
        assert!(e.message().contains(part), "{case}: {}", e.message());
        assert!(!e.message().contains("s3cr3t"), "{case}");
    }
}

// Found by the `templates` fuzz target (fuzz/RESULTS.md run 6; crash-a7d48ec8 in its artifacts,
// `${ `ca` | file | file }` in a Kubernetes entry): `file` named its path in its error, and a path
// computed from a file or a variable is that file's content or that variable's value, so the
// startup error the worker logs carried a secret (the reviewer token, a bearer token). vault-sdk
// `fileContent` returns os.ReadFile's error, path and all; the gate names a path only when the
// template wrote it.
#[test]
fn a_file_error_never_shows_a_computed_path() {
    let mut s = sources();
    s.files.insert("/var/run/secrets/kubernetes.io/serviceaccount/token".into(), "eyJSECRET-SA-TOKEN".into());
    s.env.insert("ISSUER_TOKEN".into(), "SECRET-BEARER".into());
    // (case, template, what the error must say)
    let rows = [
        ("a file's content as a path", "${ `/var/run/secrets/kubernetes.io/serviceaccount/token` | file | file }", "open <the value of an expression>"),
        ("a file's content as a path, by parentheses", "${ file (file `/var/run/secrets/kubernetes.io/serviceaccount/token`) }", "open <the value of an expression>"),
        ("a variable's value as a path", "${ env `ISSUER_TOKEN` | file }", "open <the value of an expression>"),
        ("a .Env field as a path", "${ .Env.ISSUER_TOKEN | file }", "open <the value of an expression>"),
        ("control: a path the template wrote is named", "${ `/nope` | file }", "open /nope: no such file or directory"),
    ];
    for (case, template, part) in rows {
        let e = evaluate(template, &s).unwrap_err();
        assert_eq!(e.code(), Code::ConfigInvalid, "{case}");
        assert!(e.message().contains(part), "{case}: {}", e.message());
        assert!(!e.message().contains("SECRET"), "{case}: {}", e.message());
    }
    // The fuzz target's crash input, whole (an AUTH_CONFIG with the file `ca` holding SECRETFILE).
    let crash = ["{\"", &"\0".repeat(33), "\"kubernetes\",\"config\":{\"kubernetes_ca_cert\":\"${ `ca` | file | file }\",\"token_reviewer_jwt\":\"${ .Env.TOKEN }\"},\"roles\":[{\"name\":\"r\",\"bound_serviunt_names\":\"*\",\"bound_service_account_namespaces\":\"*\"}]}]}"].concat();
    let mut fuzz = Sources::default();
    fuzz.files.insert("ca".into(), "-----BEGIN CERTIFICATE-----\nSECRETFILE\n-----END CERTIFICATE-----\n".into());
    fuzz.env.insert("TOKEN".into(), "SECRETENV".into());
    let e = evaluate(&crash, &fuzz).unwrap_err();
    assert!(!e.message().contains("SECRETFILE") && !e.message().contains("SECRETENV"), "{}", e.message());
}
