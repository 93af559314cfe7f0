//! Fuzzes the gate's role rules: `AuthConfig::parse` and `Gate::new` on arbitrary role JSON
//! (durations, bound claims, CIDRs, policies), and `role::evaluate` (bound claims as strings and
//! globs, JSON pointers, the user and groups claims, claim mappings) on arbitrary claims against a
//! fixed catalogue of roles; and `vault::parse_login_request` on login bodies. Byte 0 picks the
//! mode; the rest is the JSON text.
#![no_main]

use jwksgate::gate::role::{evaluate, get_claim, glob, validate_bound_claims, AuthConfig, Gate};
use jwksgate::gate::vault::parse_login_request;
use jwksgate::{Code, Verifier};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};
use std::sync::OnceLock;

/// Roles that reach every branch of `evaluate`: plain and pointer user claims, globs, lists,
/// groups, mappings.
const ROLES: &str = r#"{
  "plain": {"user_claim": "sub", "bound_audiences": ["a"]},
  "pointer": {"user_claim": "/kubernetes.io/serviceaccount/name", "user_claim_json_pointer": true,
              "bound_claims": {"/kubernetes.io/namespace": ["shop", "web"]}, "groups_claim": "/groups",
              "claim_mappings": {"/kubernetes.io/pod/name": "pod", "iss": "issuer"}},
  "glob": {"user_claim": "sub", "bound_claims_type": "glob",
           "bound_claims": {"sub": ["system:serviceaccount:*:cart", "*-admin*x"], "/a~1b/~0c": "*"}},
  "groups": {"user_claim": "email", "bound_subject": "s", "groups_claim": "groups",
             "claim_mappings": {"name": "n", "/x/0": "first"}}
}"#;

/// A real key set (EKS), so a login from a fuzzed role reaches the verifier and the time windows.
fn verifier() -> &'static Verifier {
    static V: OnceLock<Verifier> = OnceLock::new();
    V.get_or_init(|| Verifier::new(include_bytes!("../../tests/vectors/k8s/eks_projected_token/jwks.json")).expect("EKS JWKS"))
}

/// The EKS token of the vectors, and a time inside its lifetime.
const TOKEN: &str = include_str!("../../tests/vectors/k8s/eks_projected_token/token.jwt");
const NOW: i64 = 1_764_000_000;

fn gate() -> &'static Gate {
    static G: OnceLock<Gate> = OnceLock::new();
    G.get_or_init(|| Gate::new(AuthConfig::default(), ROLES.as_bytes()).expect("fixed roles"))
}

/// A Kubernetes-shaped claims set for roles parsed from fuzz input.
fn sample_claims() -> Map<String, Value> {
    let v = serde_json::json!({
        "aud": ["a"], "sub": "system:serviceaccount:shop:cart", "iss": "https://k8s",
        "kubernetes.io": {"namespace": "shop", "serviceaccount": {"name": "cart", "uid": "u"}},
        "groups": ["dev", ""], "email": "x@y", "name": "n", "x": ["a", 1]
    });
    match v {
        Value::Object(m) => m,
        _ => unreachable!(),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, text)) = data.split_first() else { return };
    match mode % 4 {
        0 => {
            // Role configuration: whatever loads must evaluate without panicking.
            let _ = AuthConfig::parse(text);
            let Ok(g) = Gate::new(AuthConfig::default(), text) else { return };
            for (name, role) in &g.roles {
                let _ = role.ttl();
                let _ = role.policies();
                // Leeways, CIDRs and bindings from the fuzzed role meet a genuinely signed token.
                let _ = g.login(name, TOKEN.trim(), verifier(), Some(std::net::IpAddr::from([10, 0, 0, 1])), NOW);
                if let Ok(login) = evaluate(role, sample_claims()) {
                    assert!(!login.alias.is_empty());
                }
            }
        }
        1 => {
            // Claims against the fixed roles: an accepted login satisfies the role's bound claims
            // and names a non-empty user.
            let Ok(Value::Object(claims)) = jwksgate::json::parse(text) else { return };
            for role in gate().roles.values() {
                match evaluate(role, claims.clone()) {
                    Ok(login) => {
                        assert!(!login.alias.is_empty());
                        assert!(validate_bound_claims(role.bound_claims_type, &role.bound_claims, &claims).is_ok());
                        assert!(login.groups.iter().all(|g| !g.is_empty()));
                    }
                    Err(e) => assert!(matches!(e.code(), Code::LoginRefused | Code::ConfigInvalid), "{:?}", e.code()),
                }
            }
        }
        3 => {
            // Login request bodies: what parses was valid strict JSON, and names no empty role or token.
            if let Ok(request) = parse_login_request(text) {
                assert!(text.is_empty() || jwksgate::json::parse(text).is_ok());
                assert!(request.role.as_deref() != Some("") && request.jwt.as_deref() != Some(""));
            }
        }
        _ => {
            // Glob and pointer primitives on raw text: the pattern and subject split at the first NUL.
            let Ok(s) = std::str::from_utf8(text) else { return };
            let (pattern, subject) = s.split_once('\0').unwrap_or((s, ""));
            if glob(pattern, subject) && !pattern.contains('*') {
                assert_eq!(pattern, subject);
            }
            let _ = get_claim(&sample_claims(), pattern);
        }
    }
});
