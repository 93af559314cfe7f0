// AUTH_CONFIG (src/gate/mounts.rs) as tables: the seed's Bank-Vaults custom resource, two JWT
// mounts in YAML and in JSON, Vault's value forms read by the role parser, and every refusal.
// Bank-Vaults' configurer (internal/configurer configureAuthMethods) mounts an entry at `path`,
// else at its `type`; vault-plugin-auth-jwt path_config.go pathConfigWrite wants exactly one key source.

#[path = "common/patch.rs"]
mod common_patch;

use jwksgate::gate::mounts::{parse, route_by_issuer, KeySource};
use jwksgate::gate::role::{parse_roles, AuthConfig};
use jwksgate::Code;

const TWO_MOUNTS: &str = r#"
policies:
  - name: shop
    rules: path "secret/*" { capabilities = ["read"] }
auth:
  - type: kubernetes
    roles: [{name: default}]
  - type: jwt
    path: k8s-prod
    config:
      oidc_discovery_url: https://prod.example
      default_role: Cart
    roles:
      - name: cart
        role_type: jwt
        bound_audiences: vault
        user_claim: sub
        policies: shop,default
        ttl: 30m
        max_ttl: 1h
        num_uses: 3
  - type: jwt
    path: /k8s/staging/
    config:
      jwks_url: https://staging.example/jwks
      bound_issuer: https://staging.example
      jwt_supported_algs: RS256,ES256
    roles:
      - name: cart
        bound_subject: system:serviceaccount:shop:cart
        user_claim: sub
        period: 1h
secrets:
  - path: secret
    type: kv
"#;

#[test]
fn two_mounts_in_yaml_and_the_same_in_json() {
    let m = parse(TWO_MOUNTS).unwrap();
    assert_eq!(m.mounts.iter().map(|m| m.path.as_str()).collect::<Vec<_>>(), ["k8s-prod", "k8s/staging"]);
    assert_eq!(m.mounts[0].keys, KeySource::Discovery("https://prod.example".into()));
    assert_eq!(m.mounts[1].keys, KeySource::JwksUrl("https://staging.example/jwks".into()));
    // The discovery URL is the issuer unless bound_issuer says otherwise (the gate's departure).
    assert_eq!(m.mounts[0].config["bound_issuer"], "https://prod.example");
    assert_eq!(m.skipped.len(), 2, "{:?}", m.skipped);
    assert!(m.skipped.iter().any(|s| s.contains("\"policies\"")));
    // The kubernetes entry is Vault's Kubernetes method's (tests/kubernetes.rs).
    assert_eq!(m.kubernetes.iter().map(|k| k.path.as_str()).collect::<Vec<_>>(), ["kubernetes"]);
    // Vault's value forms, read by the role parser: a string as a one-element list, "30m", aliases.
    let config = AuthConfig::parse(m.mounts[0].config.to_string().as_bytes()).unwrap();
    assert_eq!(config.default_role.as_deref(), Some("cart"), "default_role is lower-cased (TypeLowerCaseString)");
    let (roles, _) = parse_roles(m.mounts[0].roles.to_string().as_bytes()).unwrap();
    let cart = &roles["cart"];
    assert_eq!(cart.bound_audiences, ["vault"], "bound_audiences: vault (TypeCommaStringSlice)");
    assert_eq!((cart.token_ttl, cart.token_max_ttl, cart.token_num_uses), (1800, 3600, 3), "ttl/max_ttl/num_uses (tokenutil UpgradeValue)");
    assert_eq!(cart.token_policies, ["default", "shop"], "policies through ParsePolicies");
    let (staging, _) = parse_roles(m.mounts[1].roles.to_string().as_bytes()).unwrap();
    assert_eq!(staging["cart"].token_period, 3600);
    let json = serde_json::to_string(&two_mounts_json()).unwrap();
    assert_eq!(parse(&json).unwrap().mounts, m.mounts, "JSON reads as the YAML does");
}

// The same document as JSON, built by hand (no YAML library on the test's side).
fn two_mounts_json() -> serde_json::Value {
    serde_json::json!({
        "policies": [{"name": "shop", "rules": "path \"secret/*\" { capabilities = [\"read\"] }"}],
        "auth": [
            {"type": "kubernetes", "roles": [{"name": "default"}]},
            {"type": "jwt", "path": "k8s-prod", "config": {"oidc_discovery_url": "https://prod.example", "default_role": "Cart"},
             "roles": [{"name": "cart", "role_type": "jwt", "bound_audiences": "vault", "user_claim": "sub", "policies": "shop,default", "ttl": "30m", "max_ttl": "1h", "num_uses": 3}]},
            {"type": "jwt", "path": "/k8s/staging/", "config": {"jwks_url": "https://staging.example/jwks", "bound_issuer": "https://staging.example", "jwt_supported_algs": "RS256,ES256"},
             "roles": [{"name": "cart", "bound_subject": "system:serviceaccount:shop:cart", "user_claim": "sub", "period": "1h"}]}
        ],
        "secrets": [{"path": "secret", "type": "kv"}]
    })
}

#[test]
fn the_seeds_custom_resource() {
    // tests/vectors/bank-vaults/cr-oidc.yaml: the Vault resource (with a PVC and a binding in
    // the same file). Its JWT mount pins the cluster's CA read by `${ file ... }`, which needs
    // FILES (tests/templates.rs loads it with them); without, the template's reason.
    let cr = include_str!("vectors/bank-vaults/cr-oidc.yaml");
    let e = parse(cr).unwrap_err();
    assert_eq!(e.code(), Code::ConfigInvalid);
    assert!(e.message().contains("no such file or directory"), "{}", e.message());
    // Without the CA (a public issuer), it loads: mounted at its type, its role as Vault reads it.
    let public = cr.replace("          oidc_discovery_ca_pem: ${ file `/var/run/secrets/kubernetes.io/serviceaccount/ca.crt` }\n", "");
    let m = parse(&public).unwrap();
    assert_eq!(m.mounts.len(), 1);
    assert_eq!(m.mounts[0].path, "jwt");
    assert_eq!(m.mounts[0].config["default_role"], "default");
    let (roles, _) = parse_roles(m.mounts[0].roles.to_string().as_bytes()).unwrap();
    assert_eq!((roles["default"].bound_audiences.clone(), roles["default"].token_ttl), (vec!["vault".to_string()], 3600));
    assert_eq!(m.kubernetes[0].path, "kubernetes", "its kubernetes entry is a mount (tests/kubernetes.rs)");
}

#[test]
fn refusals() {
    let jwt = |config: &str| format!("auth:\n  - type: jwt\n    config: {config}\n    roles: [{{name: r, user_claim: sub, bound_audiences: v}}]\n");
    let bomb = "a: &a [x, x]\nb: &b [*a, *a]\nauth: [*b]\n";
    // (case, document, message substring)
    let table: Vec<(&str, String, &str)> = vec![
        ("browser OIDC config", jwt("{oidc_discovery_url: https://i.example, oidc_client_id: gate}"), "oidc_client_id configures the browser OIDC flow"),
        ("provider_config", jwt("{oidc_discovery_url: https://i.example, provider_config: {provider: azure}}"), "browser OIDC flow"),
        ("no key source", jwt("{bound_issuer: https://i.example}"), "exactly one of 'jwt_validation_pubkeys', 'jwks_url' or 'oidc_discovery_url' must be set"),
        ("two key sources", jwt("{oidc_discovery_url: https://i.example, jwks_url: https://i.example/k}"), "exactly one of"),
        ("a jwks_ca_pem with no certificate (cap createCAContext)", jwt("{jwks_url: https://i.example/k, jwks_ca_pem: x}"), "error checking jwks_ca_pem: could not parse CA PEM value successfully"),
        ("jwks_pairs", jwt("{jwks_pairs: []}"), "jwks_pairs is not supported"),
        // jwks_published (issue 25): the pushed keys and nothing else, for bound_issuer only.
        ("jwks_published without bound_issuer", jwt("{jwks_published: true}"), "jwks_published requires bound_issuer"),
        ("jwks_published with a discovery URL", jwt("{jwks_published: true, bound_issuer: https://i.example, oidc_discovery_url: https://i.example}"), "jwks_published takes its keys only from"),
        ("jwks_published with PEM keys", jwt("{jwks_published: true, bound_issuer: https://i.example, jwt_validation_pubkeys: [x]}"), "jwks_published takes its keys only from"),
        ("jwks_published_max_age without jwks_published", jwt("{jwks_url: https://i.example/k, jwks_published_max_age: 1h}"), "applies to jwks_published mounts only"),
        ("jwks_published_when_stale, a third value", jwt("{jwks_published: true, bound_issuer: https://i.example, jwks_published_when_stale: maybe}"), "must be \"refuse\" or \"serve\""),
        ("jwks_published_max_age negative", jwt("{jwks_published: true, bound_issuer: https://i.example, jwks_published_max_age: -5}"), "negative"),
        ("unknown config", jwt("{jwks_url: https://i.example/k, nope: 1}"), "unknown config parameter \"nope\""),
        ("a tune option is never dropped", "auth:\n  - type: jwt\n    options: {max_lease_ttl: 1h}\n    config: {jwks_url: https://i.example/k}\n    roles: []\n".into(), "\"options\" is not supported"),
        ("two mounts at one path", format!("{}{}", jwt("{jwks_url: https://a.example/k}"), jwt("{jwks_url: https://b.example/k}").replace("auth:\n", "")), "two auth entries are mounted at \"jwt\""),
        ("the token store's path", "auth:\n  - {type: jwt, path: token, config: {jwks_url: https://i.example/k}, roles: []}\n".into(), "token store"),
        ("a dot segment path", "auth:\n  - {type: jwt, path: a/../b, config: {jwks_url: https://i.example/k}, roles: []}\n".into(), "mount path"),
        ("a role without a name", "auth:\n  - {type: jwt, config: {jwks_url: https://i.example/k}, roles: [{user_claim: sub}]}\n".into(), "role 0 has no name"),
        ("two roles of one name", "auth:\n  - {type: jwt, config: {jwks_url: https://i.example/k}, roles: [{name: a}, {name: a}]}\n".into(), "two roles are named \"a\""),
        ("no jwt or kubernetes entry", "auth:\n  - {type: ldap}\n".into(), "no auth entry of type jwt or kubernetes"),
        ("no auth list", "policies: []\n".into(), "has no `auth` list"),
        ("duplicate keys (YAML)", "auth: []\nauth: []\n".into(), "duplicated key"),
        ("duplicate keys (JSON)", r#"{"auth": [], "auth": []}"#.into(), "duplicate member"),
        ("an alias bomb", bomb.into(), "YAML alias"),
        ("not YAML", "auth: [\n".into(), "not valid YAML"),
        ("a scalar", "jwt\n".into(), "must be a mapping"),
        ("too large", format!("auth: []\n#{}\n", "x".repeat(300 * 1024)), "larger than"),
    ];
    for (case, doc, want) in table {
        match parse(&doc) {
            Err(e) => {
                assert_eq!(e.code(), Code::ConfigInvalid, "{case}");
                assert!(e.message().contains(want), "{case}: {}", e.message());
            }
            Ok(m) => panic!("{case}: accepted {m:?}"),
        }
    }
}

#[test]
fn bearer_tokens_go_to_the_mount_their_issuer_names() {
    use base64::Engine;
    let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    let token = |payload: &str| format!("{}.{}.{}", b64(r#"{"alg":"RS256"}"#), b64(payload), b64("sig"));
    let issuers = vec![Some("https://prod.example".to_string()), None, Some("https://staging.example".to_string())];
    // (case, token, mount index)
    let table = [
        ("prod", token(r#"{"iss":"https://prod.example"}"#), Some(0)),
        ("staging", token(r#"{"iss":"https://staging.example"}"#), Some(2)),
        ("an issuer no mount names", token(r#"{"iss":"https://evil.example"}"#), None),
        ("a trailing slash is another issuer", token(r#"{"iss":"https://prod.example/"}"#), None),
        ("no iss", token(r#"{"sub":"x"}"#), None),
        ("iss not a string", token(r#"{"iss":["https://prod.example"]}"#), None),
        ("not a JWT", "jgs.abc.def".to_string(), None),
    ];
    for (case, t, want) in table {
        assert_eq!(route_by_issuer(&t, &issuers), want, "{case}");
    }
}

#[test]
fn published_mounts() {
    use jwksgate::gate::mounts::{Freshness, KeySource, DEFAULT_PUBLISHED_MAX_AGE};
    let jwt = |config: &str| format!("auth:\n  - type: jwt\n    path: home\n    config: {config}\n    roles: [{{name: r, user_claim: sub, bound_audiences: v}}]\n");
    // (case, config, the key source read)
    let rows = [
        ("the defaults: a day, fail closed", "{jwks_published: true, bound_issuer: https://k.example}", Freshness { max_age: DEFAULT_PUBLISHED_MAX_AGE, refuse_when_stale: true }),
        ("a bound and serve", "{jwks_published: true, bound_issuer: https://k.example, jwks_published_max_age: 2h, jwks_published_when_stale: serve}", Freshness { max_age: 7200, refuse_when_stale: false }),
        ("no bound", "{jwks_published: \"true\", bound_issuer: https://k.example, jwks_published_max_age: 0}", Freshness { max_age: 0, refuse_when_stale: true }),
    ];
    for (case, config, want) in rows {
        let m = parse(&jwt(config)).unwrap_or_else(|e| panic!("{case}: {}", e.message()));
        assert_eq!(m.mounts[0].keys, KeySource::Published(want), "{case}");
        assert_eq!(m.mounts[0].config["bound_issuer"], "https://k.example", "{case}");
    }
    // jwks_published: false is no key source at all.
    assert!(parse(&jwt("{jwks_published: false, bound_issuer: https://k.example}")).unwrap_err().message().contains("exactly one of"));
}

// Issue 22 item 6: kubectl (sigs.k8s.io/yaml) and Bank-Vaults hand AUTH_CONFIG to Vault read as
// YAML 1.1 (go-yaml v2 resolve.go: its boolean and null tables, strconv.ParseInt(s, 0, 64) with
// underscores dropped, timestamps); the gate reads YAML 1.2. A plain scalar the two read
// differently is refused with both readings; one they read alike, or a quoted one, is taken.
// Old code: `num_uses: 010` was 10 uses (Vault: 8) and a namespace bound as `no` or `on`
// matched the string (Vault: a boolean that matches nothing).
#[test]
fn scalars_yaml_1_1_and_1_2_read_differently_are_refused() {
    let doc = |role: &str| format!("auth:\n  - type: jwt\n    config: {{jwks_url: https://i.example/k}}\n    roles:\n      - {{name: r, user_claim: sub, bound_audiences: v, {role}}}\n");
    // (case, role fields, Ok(a role field and its value as read) or the refusal)
    let table: Vec<(&str, &str, Result<(&str, serde_json::Value), &str>)> = vec![
        ("num_uses: 010 (8 in YAML 1.1, 10 in 1.2)", "num_uses: 010", Err("\"010\" is the number 8 in YAML 1.1, as kubectl and Bank-Vaults read it, and the number 10 in YAML 1.2")),
        ("a namespace bound as no", "bound_claims: {ns: no}", Err("\"no\" is the boolean false in YAML 1.1")),
        ("a namespace bound as on", "bound_claims: {ns: on}", Err("\"on\" is the boolean true in YAML 1.1")),
        ("a list item y", "bound_claims: {ns: [shop, y]}", Err("\"y\" is the boolean true")),
        ("OFF", "bound_claims: {ns: OFF}", Err("\"OFF\" is the boolean false")),
        ("Null is null in 1.1, a string in yaml-rust2's 1.2", "bound_subject: Null", Err("\"Null\" is null in YAML 1.1")),
        ("underscores: 1_000", "num_uses: 1_000", Err("\"1_000\" is the number 1000 in YAML 1.1")),
        ("binary: 0b11", "num_uses: 0b11", Err("\"0b11\" is the number 3 in YAML 1.1")),
        ("a negative octal", "clock_skew_leeway: -010", Err("the number -8 in YAML 1.1")),
        ("a date is a timestamp in 1.1", "bound_claims: {since: 2024-01-01}", Err("a timestamp in YAML 1.1")),
        ("a key: on", "bound_claims: {on: x}", Err("\"on\" is the boolean true")),
        ("control: quoted '010'", "bound_claims: {ns: '010'}", Ok(("bound_claims", serde_json::json!({"ns": "010"})))),
        ("control: quoted \"no\"", "bound_claims: {ns: \"no\"}", Ok(("bound_claims", serde_json::json!({"ns": "no"})))),
        ("control: !!str no", "bound_claims: {ns: !!str no}", Ok(("bound_claims", serde_json::json!({"ns": "no"})))),
        ("control: 10", "num_uses: 10", Ok(("num_uses", serde_json::json!(10)))),
        ("control: 0", "num_uses: 0", Ok(("num_uses", serde_json::json!(0)))),
        ("control: 0x1F is 31 in both", "num_uses: 0x1F", Ok(("num_uses", serde_json::json!(31)))),
        ("control: 0o17 is 15 in both", "num_uses: 0o17", Ok(("num_uses", serde_json::json!(15)))),
        ("control: true", "bound_claims: {ok: true}", Ok(("bound_claims", serde_json::json!({"ok": true})))),
        ("control: a duration", "ttl: 30m", Ok(("ttl", serde_json::json!("30m")))),
        ("control: 1.5", "clock_skew_leeway: 1.5", Ok(("clock_skew_leeway", serde_json::json!(1.5)))),
        ("control: a claim path", "bound_claims: {/kubernetes.io/namespace: shop}", Ok(("bound_claims", serde_json::json!({"/kubernetes.io/namespace": "shop"})))),
        ("control: a ServiceAccount name", "bound_subject: system:serviceaccount:shop:cart", Ok(("bound_subject", serde_json::json!("system:serviceaccount:shop:cart")))),
    ];
    for (case, role, want) in table {
        let got = parse(&doc(role));
        match want {
            Ok((field, value)) => {
                let m = got.unwrap_or_else(|e| panic!("{case}: {}", e.message()));
                assert_eq!(m.mounts[0].roles["r"][field], value, "{case}");
            }
            Err(part) => {
                let e = got.expect_err(case);
                assert_eq!(e.code(), Code::ConfigInvalid, "{case}");
                assert!(e.message().contains(part), "{case}: {}", e.message());
            }
        }
    }
}

// session_epoch (the gate's own config field) is read with the mount's config and binds its
// sessions (src/gate/session.rs MountTrust).
#[test]
fn session_epoch_is_a_mount_config_field() {
    let m = parse("auth:\n  - {type: jwt, config: {jwks_url: https://i.example/k, session_epoch: 2}, roles: [{name: r}]}\n").unwrap();
    let config = jwksgate::gate::role::AuthConfig::parse(m.mounts[0].config.to_string().as_bytes()).unwrap();
    assert_eq!(config.session_epoch, "2");
    assert!(jwksgate::gate::role::AuthConfig::parse(br#"{"session_epoch": [1]}"#).is_err());
}

// Which settings of a JWT mount bind its sessions (Mount::binding, src/gate/session.rs
// MountTrust), one changed at a time from a mount pinned to a cluster's CA. What vouches for a
// login is bound: the key source, the CA its TLS is pinned to (issue 23's oidc_discovery_ca_pem,
// jwks_ca_pem; before this change the pin was not, rows marked †), bound_issuer and the
// operator's session_epoch. What vouches for no one is not, as Vault's tokens outlive a change
// of it: the gate's credential toward the issuer (oidc_discovery_bearer_token), login policy
// (roles, jwt_supported_algs, default_role, read at each login by pathLogin), a pin the mount
// does not use (Vault stores jwks_ca_pem beside a discovery URL and ignores it, cap
// NewOIDCDiscoveryKeySet), and how long a published set is trusted.
#[test]
fn what_binds_a_jwt_mounts_sessions() {
    use serde_json::{json, Value};
    let (a, b) = (include_str!("vectors/certs/rsa.pem"), include_str!("vectors/certs/p256.pem"));
    let roles = json!([{"name": "r", "user_claim": "sub", "bound_audiences": "vault"}, {"name": "s", "user_claim": "sub", "bound_audiences": "vault"}]);
    let binding = |base: &Value, patch: &Value, roles: &Value| {
        let config = common_patch::merged(base, patch);
        let doc = json!({"auth": [{"type": "jwt", "path": "k8s", "config": config, "roles": roles}]});
        parse(&doc.to_string()).unwrap().mounts[0].binding().unwrap()
    };
    let discovery = json!({"oidc_discovery_url": "https://10.0.0.1:6443", "oidc_discovery_ca_pem": a, "oidc_discovery_bearer_token": "t1",
        "bound_issuer": "https://kubernetes.default.svc", "jwt_supported_algs": ["RS256"], "default_role": "r"});
    let jwks = json!({"jwks_url": "https://10.0.0.1:6443/openid/v1/jwks", "jwks_ca_pem": a, "bound_issuer": "https://kubernetes.default.svc"});
    let published = json!({"jwks_published": true, "bound_issuer": "https://kubernetes.default.svc"});
    // (case, the mount as deployed, the change, whether its sessions end)
    let rows: Vec<(&str, &Value, Value, bool)> = vec![
        ("control: nothing changed", &discovery, json!({}), false),
        ("† oidc_discovery_ca_pem: another cluster's CA", &discovery, json!({"oidc_discovery_ca_pem": b}), true),
        ("† oidc_discovery_ca_pem removed: the public roots", &discovery, json!({"oidc_discovery_ca_pem": null}), true),
        ("† oidc_discovery_ca_pem: a CA added to the bundle", &discovery, json!({"oidc_discovery_ca_pem": format!("{a}{b}")}), true),
        ("control: oidc_discovery_ca_pem, the same certificate with CRLF line ends", &discovery, json!({"oidc_discovery_ca_pem": a.replace('\n', "\r\n")}), false),
        ("oidc_discovery_url: another address", &discovery, json!({"oidc_discovery_url": "https://10.0.0.2:6443"}), true),
        ("bound_issuer: another issuer", &discovery, json!({"bound_issuer": "https://other.example"}), true),
        ("session_epoch: moved by the operator", &discovery, json!({"session_epoch": 2}), true),
        ("left out: oidc_discovery_bearer_token rotated (the gate's credential)", &discovery, json!({"oidc_discovery_bearer_token": "t2"}), false),
        ("left out: jwt_supported_algs (login policy)", &discovery, json!({"jwt_supported_algs": ["ES256"]}), false),
        ("left out: default_role (Bearer only; no session)", &discovery, json!({"default_role": "s"}), false),
        ("left out: jwks_ca_pem beside a discovery URL (stored, never used)", &discovery, json!({"jwks_ca_pem": b}), false),
        ("† jwks_ca_pem: another cluster's CA", &jwks, json!({"jwks_ca_pem": b}), true),
        ("jwks_url: another address", &jwks, json!({"jwks_url": "https://10.0.0.2:6443/openid/v1/jwks"}), true),
        ("left out: jwks_published_max_age (how long a push is trusted)", &published, json!({"jwks_published_max_age": "1h"}), false),
        ("jwks_published: bound_issuer (the issuer a push is taken for)", &published, json!({"bound_issuer": "https://other.example"}), true),
    ];
    for (case, base, patch, ends) in &rows {
        let (before, after) = (binding(base, &json!({}), &roles), binding(base, patch, &roles));
        assert_eq!(before != after, *ends, "{case}");
    }
    // A role changed, added or removed: read at login (pathLogin's b.role), sessions untouched.
    assert_eq!(binding(&discovery, &json!({}), &roles), binding(&discovery, &json!({}), &json!([{"name": "r", "user_claim": "sub", "bound_audiences": "other", "token_policies": "admin"}, {"name": "s", "user_claim": "sub", "bound_audiences": "vault"}])));
    // The single-mount variables and AUTH_CONFIG agree on an unpinned mount's binding (the worker
    // builds both through mounts::jwt_binding).
    let unpinned = json!({"oidc_discovery_url": "https://issuer.example"});
    let config = AuthConfig::parse(br#"{"bound_issuer": "https://issuer.example"}"#).unwrap();
    assert_eq!(binding(&unpinned, &json!({}), &roles), jwksgate::gate::mounts::jwt_binding("k8s", &KeySource::Discovery("https://issuer.example".into()).binding_text(), None, &config));
}
