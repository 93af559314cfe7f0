// Vault JWT-auth role rules (vault-plugin-auth-jwt path_role.go, path_login.go, claims.go) as
// tables: configuration checks at load, then logins against signed Kubernetes-shaped tokens.

// Native only: keys are generated with `rand`, which has no entropy source on wasm32 here.
#![cfg(not(target_arch = "wasm32"))]

#[path = "common/sign.rs"]
mod common_sign;

use common_sign::{jwks, sign, sign_with};
use jwksgate::gate::role::{glob, http_status, AuthConfig, Gate};
use jwksgate::{Code, Verifier};
use serde_json::{json, Value};

const NOW: i64 = 1_700_000_000;
const ISS: &str = "https://kubernetes.default.svc.cluster.local";

fn sa_claims() -> Value {
    json!({
        "aud": ["https://gate.example"],
        "exp": NOW + 3600, "iat": NOW - 10, "nbf": NOW - 10,
        "iss": ISS,
        "jti": "2f3c0c5e-9a0e-4d8c-8f1e-3b7f1e0b9a11",
        "kubernetes.io": {
            "namespace": "shop",
            "node": {"name": "node-1", "uid": "6f1e"},
            "pod": {"name": "cart-7d9f", "uid": "0a1b"},
            "serviceaccount": {"name": "cart", "uid": "5c2d"}
        },
        "sub": "system:serviceaccount:shop:cart",
        "groups": ["dev", "", "ops"]
    })
}

fn with(mut base: Value, patch: Value) -> Value {
    for (k, v) in patch.as_object().unwrap() {
        if v.is_null() {
            base.as_object_mut().unwrap().remove(k);
        } else {
            base[k] = v.clone();
        }
    }
    base
}

fn base_role() -> Value {
    json!({"role_type": "jwt", "user_claim": "sub", "bound_audiences": ["https://gate.example"], "token_policies": ["shop-read"]})
}

#[test]
fn configuration_checks_at_load() {
    // (case, role parameters, expected error substring or None)
    let table: Vec<(&str, Value, Option<&str>)> = vec![
        ("minimal jwt role", base_role(), None),
        ("no binding at all", json!({"user_claim": "sub"}), Some("at least one bound constraint")),
        ("cidrs alone are a binding", json!({"user_claim": "sub", "token_bound_cidrs": ["10.0.0.0/8"]}), None),
        ("subject alone is a binding", json!({"user_claim": "sub", "bound_subject": "x"}), None),
        ("claims alone are a binding", json!({"user_claim": "sub", "bound_claims": {"/kubernetes.io/namespace": "shop"}}), None),
        ("oidc role needs no binding", json!({"role_type": "oidc", "user_claim": "sub"}), None),
        ("user claim required", json!({"bound_subject": "x"}), Some("a user claim must be defined")),
        ("bad role_type", with(base_role(), json!({"role_type": "saml"})), Some("role_type")),
        ("bad bound_claims_type", with(base_role(), json!({"bound_claims_type": "regex"})), Some("bound_claims_type")),
        ("glob with a number", with(base_role(), json!({"bound_claims_type": "glob", "bound_claims": {"n": 1}})), Some("glob")),
        ("bound claim object", with(base_role(), json!({"bound_claims": {"n": {"a": 1}}})), Some("not a string or list")),
        ("role is reserved", with(base_role(), json!({"claim_mappings": {"sub": "role"}})), Some("reserved")),
        ("duplicate mapping target", with(base_role(), json!({"claim_mappings": {"sub": "a", "iss": "a"}})), Some("multiple keys")),
        ("ttl above max", with(base_role(), json!({"token_ttl": "2h", "token_max_ttl": "1h"})), Some("token_ttl should not be greater")),
        ("leeway -1 accepted", with(base_role(), json!({"expiration_leeway": -1, "not_before_leeway": "-1", "clock_skew_leeway": -1})), None),
        ("leeway -2 refused", with(base_role(), json!({"expiration_leeway": -2})), Some("must not be negative")),
        ("duration string", with(base_role(), json!({"token_ttl": "1h30m", "token_max_ttl": 7200})), None),
        ("bad duration", with(base_role(), json!({"token_ttl": "soon"})), Some("duration")),
        ("bad cidr", with(base_role(), json!({"token_bound_cidrs": ["10.0.0.0/33"]})), Some("invalid CIDR")),
        ("comma strings", with(base_role(), json!({"bound_audiences": "a, b", "token_policies": "p1,p2"})), None),
        ("unknown parameter", with(base_role(), json!({"bound_audience": ["x"]})), Some("unknown parameter")),
    ];
    for (case, role, want) in table {
        let roles = json!({ "r": role }).to_string();
        let got = Gate::new(AuthConfig::default(), roles.as_bytes());
        match (want, got) {
            (None, Ok(_)) => {}
            (Some(w), Err(e)) => {
                assert_eq!(e.code(), Code::ConfigInvalid, "{case}");
                assert!(e.message().contains(w), "{case}: {}", e.message());
            }
            (w, g) => panic!("{case}: want {w:?}, got {:?}", g.map(|_| ())),
        }
    }
    assert!(Gate::new(AuthConfig::default(), b"{}").is_err(), "no roles");
    assert!(Gate::new(AuthConfig::default(), b"[]").is_err(), "not an object");
    assert!(AuthConfig::parse(br#"{"jwt_supported_algs":["HS256"]}"#).is_err(), "HMAC never allowed");
    assert!(AuthConfig::parse(br#"{"jwt_supported_algs":["RS256","PS256"],"bound_issuer":"x"}"#).is_ok());
}

struct Case {
    name: &'static str,
    role: Value,
    claims: Value,
    remote: Option<&'static str>,
    now: i64,
    /// Ok(alias) or Err((status, message substring)).
    want: Result<&'static str, (u16, &'static str)>,
}

fn case(name: &'static str, role_patch: Value, claims_patch: Value, want: Result<&'static str, (u16, &'static str)>) -> Case {
    Case { name, role: with(base_role(), role_patch), claims: with(sa_claims(), claims_patch), remote: None, now: NOW, want }
}

#[test]
fn login_behaviours() {
    let sub = "system:serviceaccount:shop:cart";
    let mut table = vec![
        case("accepted", json!({}), json!({}), Ok(sub)),
        // bound_audiences: any one of them in aud (a string or a list).
        case("aud string", json!({}), json!({"aud": "https://gate.example"}), Ok(sub)),
        case("aud list, second matches", json!({"bound_audiences": ["nope", "https://gate.example"]}), json!({}), Ok(sub)),
        case("aud mismatch", json!({"bound_audiences": ["other"]}), json!({}), Err((400, "aud claim does not match any bound audience"))),
        case("aud missing with bound", json!({}), json!({"aud": null}), Err((400, "aud claim does not match"))),
        case("aud present, none bound", json!({"bound_audiences": [], "bound_subject": sub}), json!({}), Err((400, "audience claim found in JWT but no audiences bound"))),
        case("no aud, none bound", json!({"bound_audiences": [], "bound_subject": sub}), json!({"aud": null}), Ok(sub)),
        // bound_subject.
        case("subject ok", json!({"bound_subject": sub}), json!({}), Ok(sub)),
        case("subject mismatch", json!({"bound_subject": "system:serviceaccount:shop:other"}), json!({}), Err((400, "sub claim does not match bound subject"))),
        // bound_claims: string, JSON pointer, list, glob.
        case("pointer string", json!({"bound_claims": {"/kubernetes.io/namespace": "shop"}}), json!({}), Ok(sub)),
        case("pointer mismatch", json!({"bound_claims": {"/kubernetes.io/namespace": "bank"}}), json!({}), Err((400, "does not match any associated bound claim values"))),
        case("list any of", json!({"bound_claims": {"/kubernetes.io/namespace": ["bank", "shop"]}}), json!({}), Ok(sub)),
        case("claim missing", json!({"bound_claims": {"/kubernetes.io/pod/nope": "x"}}), json!({}), Err((400, "is missing"))),
        case("actual list", json!({"bound_claims": {"groups": "ops"}}), json!({}), Ok(sub)),
        case("string type is exact", json!({"bound_claims": {"/kubernetes.io/serviceaccount/name": "ca*"}}), json!({}), Err((400, "does not match"))),
        case("glob prefix", json!({"bound_claims_type": "glob", "bound_claims": {"/kubernetes.io/serviceaccount/name": "ca*"}}), json!({}), Ok(sub)),
        case("glob list", json!({"bound_claims_type": "glob", "bound_claims": {"sub": ["*:bank:*", "system:serviceaccount:shop:*"]}}), json!({}), Ok(sub)),
        case("glob mismatch", json!({"bound_claims_type": "glob", "bound_claims": {"sub": "*:bank:*"}}), json!({}), Err((400, "does not match"))),
        case("bool claim", json!({"bound_claims": {"admin": true}}), json!({"admin": true}), Ok(sub)),
        case("bool vs string", json!({"bound_claims": {"admin": "true"}}), json!({"admin": true}), Err((400, "does not match"))),
        case("all claims must hold", json!({"bound_claims": {"/kubernetes.io/namespace": "shop", "/kubernetes.io/pod/name": "x"}}), json!({}), Err((400, "does not match"))),
        // user_claim.
        case("user claim pointer", json!({"user_claim": "/kubernetes.io/serviceaccount/name", "user_claim_json_pointer": true}), json!({}), Ok("cart")),
        case("pointer without flag is a name", json!({"user_claim": "/kubernetes.io/serviceaccount/name"}), json!({}), Err((400, "not found in token"))),
        case("user claim missing", json!({"user_claim": "email"}), json!({}), Err((400, "claim \"email\" not found in token"))),
        case("user claim not a string", json!({"user_claim": "exp"}), json!({}), Err((400, "could not be converted to string"))),
        // groups_claim.
        case("groups not a list", json!({"groups_claim": "/kubernetes.io/pod"}), json!({}), Err((400, "could not be converted to string list"))),
        case("groups missing", json!({"groups_claim": "teams"}), json!({}), Err((400, "claim not found in token"))),
        // claim_mappings.
        case("mapping not a string", json!({"claim_mappings": {"/kubernetes.io/pod": "pod"}}), json!({}), Err((400, "error converting claim"))),
        // role_type.
        case("oidc refused", json!({"role_type": "oidc"}), json!({}), Err((400, "role with oidc role_type is not allowed"))),
        // Leeways: exp window is skew (60) + expiration_leeway (150) by default.
        case("expired within leeway", json!({}), json!({"exp": NOW - 200}), Ok(sub)),
        case("expired beyond leeway", json!({}), json!({"exp": NOW - 211}), Err((400, "token is expired"))),
        case("exp leeway -1, skew 60", json!({"expiration_leeway": -1}), json!({"exp": NOW - 59}), Ok(sub)),
        case("exp leeway -1, beyond skew", json!({"expiration_leeway": -1}), json!({"exp": NOW - 61}), Err((400, "token is expired"))),
        case("all leeways -1", json!({"expiration_leeway": -1, "clock_skew_leeway": -1}), json!({"exp": NOW - 1}), Err((400, "token is expired"))),
        case("exp leeway 0 is the default", json!({"expiration_leeway": 0}), json!({"exp": NOW - 200}), Ok(sub)),
        case("nbf within leeway", json!({}), json!({"nbf": NOW + 200, "iat": NOW}), Ok(sub)),
        case("nbf beyond leeway", json!({}), json!({"nbf": NOW + 211, "iat": NOW}), Err((400, "not valid yet"))),
        case("nbf leeway -1", json!({"not_before_leeway": -1}), json!({"nbf": NOW + 61, "iat": NOW}), Err((400, "not valid yet"))),
        // Leeways as large as i64 holds add up without overflow: a huge window, not a panic.
        case("largest leeways, expired long ago", json!({"clock_skew_leeway": i64::MAX, "expiration_leeway": i64::MAX, "not_before_leeway": i64::MAX}), json!({"exp": NOW - 86_400 * 365}), Ok(sub)),
        case("iat in the future", json!({}), json!({"iat": NOW + 61, "nbf": null}), Err((400, "issued in the future"))),
        case("no exp accepted (legacy tokens)", json!({}), json!({"exp": null}), Ok(sub)),
        case("exp not a number", json!({}), json!({"exp": "soon"}), Err((400, "error validating claims"))),
    ];
    // token_bound_cidrs against the caller's address.
    let mut c = case("cidr inside", json!({"token_bound_cidrs": ["10.1.0.0/16", "192.0.2.7"]}), json!({}), Ok(sub));
    c.remote = Some("10.1.2.3");
    table.push(c);
    let mut c = case("cidr bare address", json!({"token_bound_cidrs": "10.1.0.0/16, 192.0.2.7"}), json!({}), Ok(sub));
    c.remote = Some("192.0.2.7");
    table.push(c);
    let mut c = case("cidr outside", json!({"token_bound_cidrs": ["10.1.0.0/16"]}), json!({}), Err((403, "permission denied")));
    c.remote = Some("10.2.0.1");
    table.push(c);
    table.push(case("cidr, address unknown", json!({"token_bound_cidrs": ["10.1.0.0/16"]}), json!({}), Err((403, "permission denied"))));
    let mut c = case("cidr v6", json!({"token_bound_cidrs": ["2001:db8::/32"]}), json!({}), Ok(sub));
    c.remote = Some("2001:db8::1");
    table.push(c);
    let mut c = case("v4-mapped v6 caller", json!({"token_bound_cidrs": ["127.0.0.0/8"]}), json!({}), Ok(sub));
    c.remote = Some("::ffff:127.0.0.1");
    table.push(c);

    let verifier = Verifier::new(jwks().as_bytes()).unwrap();
    for c in table {
        let roles = json!({ "r": c.role }).to_string();
        let gate = Gate::new(AuthConfig::default(), roles.as_bytes()).unwrap_or_else(|e| panic!("{}: {e}", c.name));
        let token = sign(&c.claims);
        let remote = c.remote.map(|r| r.parse().unwrap());
        match (c.want, gate.login("r", &token, &verifier, remote, c.now)) {
            (Ok(alias), Ok(login)) => assert_eq!(login.alias, alias, "{}", c.name),
            (Err((status, msg)), Err(e)) => {
                assert!(e.message().contains(msg), "{}: {}", c.name, e.message());
                assert_eq!(http_status(&e), status, "{}: {}", c.name, e.message());
            }
            (want, got) => panic!("{}: want {want:?}, got {:?}", c.name, got.map(|l| l.alias)),
        }
    }
}

#[test]
fn login_outcome_carries_mappings_groups_policies_ttl() {
    let role = with(
        base_role(),
        json!({"groups_claim": "groups", "claim_mappings": {"/kubernetes.io/namespace": "namespace", "/kubernetes.io/pod/name": "pod", "absent": "x"},
               "token_ttl": "15m", "token_max_ttl": "1h", "token_policies": ["b", "a", "a"]}),
    );
    let gate = Gate::new(AuthConfig::default(), json!({ "r": role }).to_string().as_bytes()).unwrap();
    let verifier = Verifier::new(jwks().as_bytes()).unwrap();
    let login = gate.login("r", &sign(&sa_claims()), &verifier, None, NOW).unwrap();
    assert_eq!(login.groups, vec!["dev", "ops"]);
    assert_eq!(login.policies, vec!["a", "b", "default"]);
    assert_eq!(login.ttl, 900);
    let meta: Vec<(&str, &str)> = login.metadata.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(meta, vec![("namespace", "shop"), ("pod", "cart-7d9f"), ("role", "r")]);
}

#[test]
fn config_level_rules() {
    let verifier = Verifier::new(jwks().as_bytes()).unwrap();
    let roles = json!({ "r": base_role() }).to_string();
    let token = sign(&sa_claims());
    // (case, config, token, expected: None = ok, Some((code, substring)))
    let ps = sign_with(&json!({"alg": "PS256", "kid": "k1"}), &sa_claims());
    type Row<'a> = (&'a str, &'a str, &'a str, Option<(Code, &'a str)>);
    let table: Vec<Row> = vec![
        ("issuer bound, matches", r#"{"bound_issuer":"https://kubernetes.default.svc.cluster.local"}"#, &token, None),
        ("issuer bound, differs", r#"{"bound_issuer":"https://other"}"#, &token, Some((Code::ClaimValidationFailed, "invalid issuer claim"))),
        ("RS256 not in supported algs", r#"{"jwt_supported_algs":["PS256"]}"#, &token, Some((Code::AlgNotAllowed, "error validating token"))),
        ("PS256 header, default algs", "{}", &ps, Some((Code::AlgNotAllowed, "error validating token"))),
        ("garbage token", "{}", "not.a.jwt", Some((Code::JwsInvalid, "error validating token"))),
    ];
    for (case, config, token, want) in table {
        let gate = Gate::new(AuthConfig::parse(config.as_bytes()).unwrap(), roles.as_bytes()).unwrap();
        match (want, gate.login("r", token, &verifier, None, NOW)) {
            (None, Ok(_)) => {}
            (Some((code, msg)), Err(e)) => {
                assert_eq!(e.code(), code, "{case}: {}", e.message());
                assert!(e.message().contains(msg), "{case}: {}", e.message());
            }
            (w, g) => panic!("{case}: want {w:?}, got {:?}", g.map(|l| l.alias)),
        }
    }
    let gate = Gate::new(AuthConfig::default(), roles.as_bytes()).unwrap();
    let e = gate.login("nope", &token, &verifier, None, NOW).unwrap_err();
    assert_eq!(e.message(), "role \"nope\" could not be found");
    assert_eq!(http_status(&e), 400);
    assert_eq!(gate.login("", &token, &verifier, None, NOW).unwrap_err().message(), "missing role");
    assert_eq!(gate.login("r", "", &verifier, None, NOW).unwrap_err().message(), "missing token");
    // An unknown kid keeps the core's code, so the host knows to refetch keys.
    let other_kid = sign_with(&json!({"alg": "RS256", "kid": "k9"}), &sa_claims());
    assert_eq!(gate.login("r", &other_kid, &verifier, None, NOW).unwrap_err().code(), Code::JwksNoMatchingKey);
}

#[test]
fn glob_matches_like_go_glob() {
    let table = [
        ("*", "", true), ("*", "abc", true), ("abc", "abc", true), ("abc", "abd", false),
        ("a*", "abc", true), ("*c", "abc", true), ("a*c", "abc", true), ("a*c", "ac", true),
        ("a*a", "a", false), ("a*b*c", "axxbyyc", true), ("a*b*c", "acb", false), ("*b*", "abc", true),
        ("", "", true), ("", "a", false), ("a**", "a", true),
    ];
    for (pattern, subject, want) in table {
        assert_eq!(glob(pattern, subject), want, "{pattern:?} ~ {subject:?}");
    }
}
