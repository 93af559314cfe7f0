// Vault's JWT login, as a table of its behaviour read from its code: each row names the function
// of hashicorp/vault-plugin-auth-jwt (path_login.go, path_role.go, claims.go), hashicorp/cap
// (jwt/jwt.go Validator.validateAll, keyset.go) or hashicorp/vault (sdk/helper/tokenutil,
// sdk/framework CalculateTTL, vault/request_handling.go LoginCreateToken) whose rule it checks.
// Messages are compared whole: they are Vault's, word for word.

// Native only: keys are generated with `rand`, which has no entropy source on wasm32 here.
#![cfg(not(target_arch = "wasm32"))]

#[path = "common/mod.rs"]
mod common;
#[path = "common/sign.rs"]
mod common_sign;

use common_sign::{jwks, sign, sign_with};
use jwksgate::gate::login::{Outcome, CHECKS};
use jwksgate::gate::role::{default_algs, glob, http_status, AuthConfig, Gate, Login, Role, VAULT_DEFAULT_ALGS};
use jwksgate::{Alg, Code, Jwks, Verifier};
use serde_json::{json, Value};

const NOW: i64 = 1_700_000_000;
const T: i64 = NOW;
const ISS: &str = "https://kubernetes.default.svc.cluster.local";
const SUB: &str = "system:serviceaccount:shop:cart";
const AUD: &str = "https://gate.example";

/// The message of an error `error validating token: <cap's message>` (pathLogin).
fn tok(m: &str) -> String {
    format!("error validating token: {m}")
}

fn sa_claims() -> Value {
    json!({
        "aud": [AUD],
        "exp": NOW + 3600, "iat": NOW - 10, "nbf": NOW - 10,
        "iss": ISS,
        "jti": "2f3c0c5e-9a0e-4d8c-8f1e-3b7f1e0b9a11",
        "kubernetes.io": {
            "namespace": "shop",
            "node": {"name": "node-1", "uid": "6f1e"},
            "pod": {"name": "cart-7d9f", "uid": "0a1b"},
            "serviceaccount": {"name": "cart", "uid": "5c2d"}
        },
        "sub": SUB,
        "groups": ["dev", "", "ops"]
    })
}

/// `base` with `patch` applied: `null` removes a member.
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
    json!({"role_type": "jwt", "user_claim": "sub", "bound_audiences": [AUD], "token_policies": ["shop-read"]})
}

fn verifier() -> Verifier {
    Verifier::new(jwks().as_bytes()).unwrap()
}

fn gate_with(config: AuthConfig, role: Value) -> Gate {
    Gate::new(config, json!({ "r": role }).to_string().as_bytes()).unwrap_or_else(|e| panic!("{e}"))
}

fn login_at(role: Value, claims: Value, now: f64) -> jwksgate::Result<Login> {
    gate_with(AuthConfig::default(), role).login("r", &sign(&claims), &verifier(), None, now)
}

/// Ok(()) or Err(the whole message).
fn outcome(r: &jwksgate::Result<Login>) -> Result<(), String> {
    r.as_ref().map(|_| ()).map_err(|e| e.message().to_owned())
}

// --- Time claims: cap Validator.validateAll ------------------------------------------------

/// (row, leeways patch, iat, nbf, exp, seconds after T, expected)
type TimeRow = (&'static str, Value, Option<i64>, Option<i64>, Option<i64>, f64, Result<(), &'static str>);

const NBF: &str = "invalid not before (nbf) claim: token not yet valid";
const EXP: &str = "invalid expiration time (exp) claim: token is expired";
const IAT: &str = "invalid issued at (iat) claim: token issued in the future";
const NONE: &str = "no issued at (iat), not before (nbf), or expiration time (exp) claims in token";

#[test]
fn time_claim_windows() {
    let d = json!({});
    let zero = json!({"clock_skew_leeway": 0, "expiration_leeway": 0, "not_before_leeway": 0});
    let off = json!({"clock_skew_leeway": -1, "expiration_leeway": -1, "not_before_leeway": -1});
    let neg = json!({"clock_skew_leeway": -5, "expiration_leeway": "-30s", "not_before_leeway": -1});
    let custom = json!({"clock_skew_leeway": 10, "expiration_leeway": "30s", "not_before_leeway": 40});
    let big_exp = json!({"expiration_leeway": "1h"});
    let (t, p1) = (Some(T), Some(T + 3600));
    let rows: Vec<TimeRow> = vec![
        // A present exp gets clock_skew_leeway (60 s) only; expiration_leeway is not added (the old
        // reading allowed 210 s).
        ("default: exp, 59 s past", d.clone(), Some(T - 100), Some(T - 100), t, 59.0, Ok(())),
        ("default: exp, 60 s past (now - skew is not after exp)", d.clone(), Some(T - 100), Some(T - 100), t, 60.0, Ok(())),
        ("default: exp, 60.25 s past", d.clone(), Some(T - 100), Some(T - 100), t, 60.25, Err(EXP)),
        ("default: exp, 61 s past", d.clone(), Some(T - 100), Some(T - 100), t, 61.0, Err(EXP)),
        ("default: exp, 200 s past (the old reading let it in)", d.clone(), Some(T - 300), Some(T - 300), t, 200.0, Err(EXP)),
        ("default: nbf, 60 s ahead", d.clone(), None, t, p1, -60.0, Ok(())),
        ("default: nbf, 60.5 s ahead", d.clone(), None, t, p1, -60.5, Err(NBF)),
        ("default: nbf, 61 s ahead", d.clone(), None, t, p1, -61.0, Err(NBF)),
        ("default: nbf, 200 s ahead (the old reading let it in)", d.clone(), None, t, p1, -200.0, Err(NBF)),
        ("default: iat 60 s ahead, nbf past", d.clone(), t, Some(T - 100), p1, -60.0, Ok(())),
        ("default: iat 61 s ahead, nbf past", d.clone(), t, Some(T - 100), p1, -61.0, Err(IAT)),
        // exp missing: the later of iat and nbf plus expiration_leeway (150), then the skew.
        ("default: no exp, iat: good until iat+150+60", d.clone(), t, None, None, 210.0, Ok(())),
        ("default: no exp, iat: 210.5 s", d.clone(), t, None, None, 210.5, Err(EXP)),
        ("default: no exp, iat: 211 s", d.clone(), t, None, None, 211.0, Err(EXP)),
        ("default: no exp, nbf after iat counts", d.clone(), t, Some(T + 10), None, 220.0, Ok(())),
        ("default: no exp, nbf after iat: 221 s", d.clone(), t, Some(T + 10), None, 221.0, Err(EXP)),
        ("default: no exp, nbf only", d.clone(), None, t, None, 210.0, Ok(())),
        ("default: no exp, nbf only: 211 s", d.clone(), None, t, None, 211.0, Err(EXP)),
        // nbf missing: iat when present (so a future iat fails as nbf), else exp - not_before_leeway.
        ("default: no nbf, iat 60 s ahead", d.clone(), t, None, p1, -60.0, Ok(())),
        ("default: no nbf, iat 61 s ahead fails as nbf", d.clone(), t, None, p1, -61.0, Err(NBF)),
        ("default: exp only: nbf = exp-150, 210 s early", d.clone(), None, None, t, -210.0, Ok(())),
        ("default: exp only: 211 s early", d.clone(), None, None, t, -211.0, Err(NBF)),
        // 0 means the default.
        ("0: exp, 60 s past", zero.clone(), Some(T - 100), Some(T - 100), t, 60.0, Ok(())),
        ("0: exp, 61 s past", zero.clone(), Some(T - 100), Some(T - 100), t, 61.0, Err(EXP)),
        ("0: no exp, 210 s", zero.clone(), t, None, None, 210.0, Ok(())),
        ("0: no exp, 211 s", zero.clone(), t, None, None, 211.0, Err(EXP)),
        ("0: exp only, 211 s early", zero.clone(), None, None, t, -211.0, Err(NBF)),
        // -1 (and any negative value) means none.
        ("-1: exp, at exp", off.clone(), Some(T - 100), Some(T - 100), t, 0.0, Ok(())),
        ("-1: exp, 0.5 s past", off.clone(), Some(T - 100), Some(T - 100), t, 0.5, Err(EXP)),
        ("-1: nbf, at nbf", off.clone(), None, t, p1, 0.0, Ok(())),
        ("-1: nbf, 1 s early", off.clone(), None, t, p1, -1.0, Err(NBF)),
        ("-1: no exp, iat: exp = iat", off.clone(), t, None, None, 0.0, Ok(())),
        ("-1: no exp, iat: 1 s later", off.clone(), t, None, None, 1.0, Err(EXP)),
        ("-1: exp only: nbf = exp", off.clone(), None, None, t, -1.0, Err(NBF)),
        ("-5 and \"-30s\" are none too", neg.clone(), t, None, None, 1.0, Err(EXP)),
        ("-5: exp, at exp", neg.clone(), Some(T - 100), Some(T - 100), t, 0.0, Ok(())),
        // Custom leeways.
        ("custom: exp + 10 s", custom.clone(), Some(T - 100), Some(T - 100), t, 10.0, Ok(())),
        ("custom: exp + 11 s", custom.clone(), Some(T - 100), Some(T - 100), t, 11.0, Err(EXP)),
        ("custom: no exp: iat + 30 + 10", custom.clone(), t, None, None, 40.0, Ok(())),
        ("custom: no exp: 41 s", custom.clone(), t, None, None, 41.0, Err(EXP)),
        ("custom: exp only: nbf = exp - 40, skew 10", custom.clone(), None, None, t, -50.0, Ok(())),
        ("custom: exp only: 51 s early", custom.clone(), None, None, t, -51.0, Err(NBF)),
        ("custom: iat 10 s ahead", custom.clone(), t, Some(T - 100), p1, -10.0, Ok(())),
        ("custom: iat 11 s ahead", custom.clone(), t, Some(T - 100), p1, -11.0, Err(IAT)),
        ("expiration_leeway only makes up a missing exp", big_exp.clone(), Some(T - 100), Some(T - 100), t, 61.0, Err(EXP)),
        ("expiration_leeway 1h: no exp", big_exp, t, None, None, 3660.0, Ok(())),
        // Check order nbf, exp, iat: a token both early and expired fails as nbf.
        ("order: nbf before exp", off.clone(), None, Some(T + 10), Some(T - 10), 0.0, Err(NBF)),
    ];
    for (name, leeways, iat, nbf, exp, at, want) in rows {
        let claims = with(sa_claims(), json!({"iat": iat, "nbf": nbf, "exp": exp}));
        let got = login_at(with(base_role(), leeways), claims, T as f64 + at);
        assert_eq!(outcome(&got), want.map_err(tok), "{name} (cap validateAll)");
    }
}

#[test]
fn missing_time_claims_in_every_combination() {
    // (iat, nbf, exp) present or not; a time inside the window and one after it (cap validateAll).
    let rows: Vec<(&str, bool, bool, bool, f64, f64)> = vec![
        // name, iat, nbf, exp, an accepted offset, a refused offset
        ("iat, nbf, exp", true, true, true, 3660.0, 3661.0),
        ("iat, nbf", true, true, false, 210.0, 211.0),
        ("iat, exp", true, false, true, 3660.0, 3661.0),
        ("nbf, exp", false, true, true, 3660.0, 3661.0),
        ("iat", true, false, false, 210.0, 211.0),
        ("nbf", false, true, false, 210.0, 211.0),
        ("exp", false, false, true, 3660.0, 3661.0),
    ];
    for (name, iat, nbf, exp, ok_at, late_at) in rows {
        let pick = |present: bool, v: i64| if present { json!(v) } else { Value::Null };
        let claims = with(sa_claims(), json!({"iat": pick(iat, T), "nbf": pick(nbf, T), "exp": pick(exp, T + 3600)}));
        assert_eq!(outcome(&login_at(base_role(), claims.clone(), (T as f64) + ok_at)), Ok(()), "{name}: inside");
        assert_eq!(outcome(&login_at(base_role(), claims, (T as f64) + late_at)), Err(tok(EXP)), "{name}: after");
    }
    // None of the three: refused at any time (the old gate let it in forever).
    let none = with(sa_claims(), json!({"iat": null, "nbf": null, "exp": null}));
    assert_eq!(outcome(&login_at(base_role(), none, T as f64)), Err(tok(NONE)), "none (cap validateAll)");
    // A claim of 0 (or one that truncates to 0) counts as missing; null is missing.
    for (name, patch) in [
        ("all zero", json!({"iat": 0, "nbf": 0, "exp": 0})),
        ("0.5 truncates to 0", json!({"iat": 0.5, "nbf": null, "exp": null})),
        ("nulls", json!({"iat": Value::Null, "nbf": Value::Null, "exp": Value::Null})),
    ] {
        let mut claims = with(sa_claims(), patch.clone());
        for k in ["iat", "nbf", "exp"] {
            if patch.get(k).is_some_and(Value::is_null) {
                claims[k] = Value::Null;
            }
        }
        assert_eq!(outcome(&login_at(base_role(), claims, T as f64)), Err(tok(NONE)), "{name} (NumericDate 0 is unset)");
    }
}

#[test]
fn numeric_dates_as_go_reads_them() {
    // go-jose NumericDate: int64(f) truncates; values past int64 are Go's indefinite integer on amd64.
    let rows: Vec<(&str, Value, f64, Result<(), String>)> = vec![
        ("exp T+0.9 is T: 60.5 s later is expired", json!({"exp": T as f64 + 0.9}), 60.5, Err(tok(EXP))),
        ("exp T+0.9: 60 s later passes", json!({"exp": T as f64 + 0.9}), 60.0, Ok(())),
        ("exp 1e300 is the smallest int64: expired", json!({"exp": 1e300}), 0.0, Err(tok(EXP))),
        ("exp -1 is present, and past", json!({"exp": -1}), 0.0, Err(tok(EXP))),
    ];
    for (name, patch, at, want) in rows {
        assert_eq!(outcome(&login_at(base_role(), with(sa_claims(), patch), T as f64 + at)), want, "{name} (go-jose NumericDate.UnmarshalJSON)");
    }
}

#[test]
fn registered_claims_decode_as_encoding_json() {
    // cap re-marshals the claims and decodes them into go-jose's jwt.Claims: the first
    // UnmarshalJSON error (Audience, NumericDate) in key order wins, else the first type error.
    let date = "go-jose/go-jose/jwt: expected number value to unmarshal NumericDate";
    let aud = "go-jose/go-jose/jwt: expected string or array value to unmarshal to Audience";
    let rows: Vec<(&str, Value, String)> = vec![
        ("exp a string", json!({"exp": "soon"}), tok(date)),
        ("nbf a bool", json!({"nbf": true}), tok(date)),
        ("iat a list", json!({"iat": [1]}), tok(date)),
        ("aud a number", json!({"aud": 5}), tok(aud)),
        ("aud a list with a number", json!({"aud": [AUD, 5]}), tok(aud)),
        ("aud null", json!({"aud": Value::Null}), tok(aud)),
        ("iss a number", json!({"iss": 5}), tok("json: cannot unmarshal number into Go struct field Claims.iss of type string")),
        ("sub an object", json!({"sub": {}}), tok("json: cannot unmarshal object into Go struct field Claims.sub of type string")),
        ("jti a bool", json!({"jti": false}), tok("json: cannot unmarshal bool into Go struct field Claims.jti of type string")),
        ("an UnmarshalJSON error beats a type error met first", json!({"iss": 5, "nbf": "x"}), tok(date)),
        ("the first type error in key order", json!({"sub": 1, "iss": [1]}), tok("json: cannot unmarshal array into Go struct field Claims.iss of type string")),
        ("aud before exp", json!({"aud": {}, "exp": "x"}), tok(aud)),
        // cap checkRegisteredClaimCollisions, before the algorithm.
        ("a claim folding onto sub", json!({"Sub": "x"}), tok("ambiguous claim: key \"Sub\" collides with registered claim \"sub\" under case folding")),
        ("long s folds onto s", json!({"\u{17f}ub": "x"}), tok("ambiguous claim: key \"\u{17f}ub\" collides with registered claim \"sub\" under case folding")),
    ];
    for (name, patch, want) in rows {
        let mut claims = with(sa_claims(), patch.clone());
        if patch.get("aud").is_some_and(Value::is_null) {
            claims["aud"] = Value::Null;
        }
        assert_eq!(outcome(&login_at(base_role(), claims, T as f64)), Err(want), "{name} (cap validateAll)");
    }
}

// --- Wording and order: pathLogin, validateAll, createIdentity, LoginCreateToken ---------------

#[test]
fn refusals_word_for_word() {
    let pod = json!({"name": "cart-7d9f", "uid": "0a1b"});
    // (row, role patch, claims patch, status, whole message)
    let rows: Vec<(&str, Value, Value, u16, String)> = vec![
        ("bound subject (validateAll)", json!({"bound_subject": "system:serviceaccount:shop:other"}), json!({}), 400, tok("invalid subject (sub) claim")),
        ("bound audience (validateAudience)", json!({"bound_audiences": ["other"]}), json!({}), 400, tok("invalid audience (aud) claim: audience claim does not match any expected audience")),
        ("no aud with one bound (validateAudience)", json!({}), json!({"aud": null}), 400, tok("invalid audience (aud) claim: audience claim does not match any expected audience")),
        ("aud but none bound: no prefix (pathLogin)", json!({"bound_audiences": [], "bound_subject": SUB}), json!({}), 400, "audience claim found in JWT but no audiences bound to the role".into()),
        ("aud \"\" with none bound passes (pathLogin)", json!({"bound_audiences": [], "bound_subject": SUB}), json!({"aud": ""}), 0, String::new()),
        ("aud [] with none bound passes (pathLogin)", json!({"bound_audiences": [], "bound_subject": SUB}), json!({"aud": []}), 0, String::new()),
        ("user claim missing (createIdentity)", json!({"user_claim": "email"}), json!({}), 400, "claim \"email\" not found in token".into()),
        ("user claim null (createIdentity)", json!({"user_claim": "email"}), json!({"email": Value::Null}), 400, "claim \"email\" not found in token".into()),
        ("user claim a number (createIdentity)", json!({"user_claim": "exp"}), json!({}), 400, "claim \"exp\" could not be converted to string".into()),
        ("pointer without the flag is a name (createIdentity)", json!({"user_claim": "/kubernetes.io/serviceaccount/name"}), json!({}), 400, "claim \"/kubernetes.io/serviceaccount/name\" not found in token".into()),
        ("user claim empty (handleLoginRequest; Vault answers 500)", json!({}), json!({"sub": ""}), 400, "missing name in alias".into()),
        ("mapping not a string (extractMetadata)", json!({"claim_mappings": {"/kubernetes.io/pod": "pod"}}), json!({}), 400, "error converting claim '/kubernetes.io/pod' to string".into()),
        ("mapping of a number (getClaim makes it json.Number)", json!({"claim_mappings": {"exp": "e"}}), json!({}), 400, "error converting claim 'exp' to string".into()),
        ("groups missing (fetchGroups)", json!({"groups_claim": "teams"}), json!({}), 400, "failed to fetch groups: \"teams\" claim not found in token".into()),
        ("groups a map (createIdentity)", json!({"groups_claim": "/kubernetes.io/pod"}), json!({}), 400, "\"/kubernetes.io/pod\" claim could not be converted to string list".into()),
        ("group a number (createIdentity %v)", json!({"groups_claim": "groups"}), json!({"groups": ["a", 5]}), 400, "value 5 in groups claim could not be parsed as string".into()),
        ("group 1e6 prints as Go's %v", json!({"groups_claim": "groups"}), json!({"groups": [1_000_000]}), 400, "value 1e+06 in groups claim could not be parsed as string".into()),
        ("group a map", json!({"groups_claim": "groups"}), json!({"groups": [{"a": 1.5, "b": true}]}), 400, "value map[a:1.5 b:true] in groups claim could not be parsed as string".into()),
        ("groups a bool", json!({"groups_claim": "groups"}), json!({"groups": true}), 400, "value true in groups claim could not be parsed as string".into()),
        ("groups one string is a list of one", json!({"groups_claim": "groups"}), json!({"groups": "dev"}), 0, String::new()),
        ("bound claim missing (validateBoundClaims)", json!({"bound_claims": {"/kubernetes.io/pod/nope": "x"}}), json!({}), 400, "error validating claims: claim \"/kubernetes.io/pod/nope\" is missing".into()),
        ("bound claim mismatch", json!({"bound_claims": {"/kubernetes.io/namespace": "bank"}}), json!({}), 400, "error validating claims: claim \"/kubernetes.io/namespace\" does not match any associated bound claim values".into()),
        ("bound claim a map (normalizeList)", json!({"bound_claims": {"/kubernetes.io/pod": "x"}}), json!({"kubernetes.io": {"pod": pod}}), 400, "error validating claims: received claim is not a string, bool, int or list: map[name:cart-7d9f uid:0a1b]".into()),
        ("root policy (LoginCreateToken)", json!({"token_policies": ["shop", "ROOT"]}), json!({}), 400, "auth methods cannot create root tokens".into()),
        ("an internal policy (LoginCreateToken)", json!({"token_policies": ["response-wrapping"]}), json!({}), 400, "cannot assign policy \"response-wrapping\"".into()),
        ("oidc role (pathLogin)", json!({"role_type": "oidc", "allowed_redirect_uris": ["https://x/cb"]}), json!({}), 400, "role with oidc role_type is not allowed".into()),
        // Order: createIdentity (user claim, mappings, groups) before validateBoundClaims; cap's
        // aud before its time claims.
        ("user claim before bound claims", json!({"user_claim": "email", "bound_claims": {"/kubernetes.io/namespace": "bank"}}), json!({}), 400, "claim \"email\" not found in token".into()),
        ("groups before bound claims", json!({"groups_claim": "teams", "bound_claims": {"/kubernetes.io/namespace": "bank"}}), json!({}), 400, "failed to fetch groups: \"teams\" claim not found in token".into()),
        ("mappings before groups", json!({"groups_claim": "teams", "claim_mappings": {"/kubernetes.io/pod": "pod"}}), json!({}), 400, "error converting claim '/kubernetes.io/pod' to string".into()),
        ("aud before exp", json!({"bound_audiences": ["other"]}), json!({"exp": T - 1000}), 400, tok("invalid audience (aud) claim: audience claim does not match any expected audience")),
        ("exp before the unbound-aud rule", json!({"bound_audiences": [], "bound_subject": SUB}), json!({"exp": T - 1000}), 400, tok(EXP)),
        ("sub before aud", json!({"bound_subject": "x", "bound_audiences": ["other"]}), json!({}), 400, tok("invalid subject (sub) claim")),
    ];
    for (name, role, claims, status, want) in rows {
        let got = login_at(with(base_role(), role), with(sa_claims(), claims), T as f64);
        match got {
            Ok(_) => assert_eq!(status, 0, "{name}: logged in, wanted {want}"),
            Err(e) => {
                assert_eq!(e.message(), want, "{name}");
                assert_eq!(http_status(&e), status, "{name}");
            }
        }
    }
}

#[test]
fn role_lookup_comes_first_and_names_are_lower_cased() {
    // path_login.go getRoleNameAndRoleFromLoginRequest (TypeLowerCaseString), then oidc, then
    // "missing token", then the CIDRs.
    let roles = json!({"Cart": base_role(), "web": with(base_role(), json!({"token_bound_cidrs": ["10.0.0.0/8"]}))});
    let mut config = AuthConfig::default();
    config.default_role = Some("cart".into());
    let gate = Gate::new(config, roles.to_string().as_bytes()).unwrap();
    let v = verifier();
    let token = sign(&sa_claims());
    let rows: Vec<(&str, &str, &str, Option<&str>, Result<&str, &str>)> = vec![
        ("the role as configured", "Cart", &token, None, Ok("cart")),
        ("lower-cased at login", "CART", &token, None, Ok("cart")),
        ("no role: default_role", "", &token, None, Ok("cart")),
        ("unknown role, lower-cased in the message", "NoPe", &token, None, Err("role \"nope\" could not be found")),
        ("unknown role before missing token", "nope", "", None, Err("role \"nope\" could not be found")),
        ("missing token", "cart", "", None, Err("missing token")),
        ("missing token before the CIDRs", "web", "", Some("192.0.2.1"), Err("missing token")),
        ("CIDRs before the token is read", "web", "not.a.jwt", Some("192.0.2.1"), Err("permission denied")),
        ("CIDRs, address unknown", "web", &token, None, Err("permission denied")),
    ];
    for (name, role, token, remote, want) in rows {
        let got = gate.login(role, token, &v, remote.map(|r| r.parse().unwrap()), T);
        match (want, got) {
            (Ok(r), Ok(l)) => {
                assert_eq!(l.role, r, "{name}");
                assert_eq!(l.metadata["role"], r, "{name}: metadata.role is the stored name");
            }
            (Err(m), Err(e)) => assert_eq!(e.message(), m, "{name}"),
            (w, g) => panic!("{name}: want {w:?}, got {:?}", g.map(|l| l.role)),
        }
    }
    let no_default = Gate::new(AuthConfig::default(), roles.to_string().as_bytes()).unwrap();
    assert_eq!(no_default.login("", &token, &v, None, T).unwrap_err().message(), "missing role");
    // Configuration: names Vault would store, once lower-cased; default_role lower-cased too.
    let clash = json!({"cart": base_role(), "CART": base_role()});
    assert!(Gate::new(AuthConfig::default(), clash.to_string().as_bytes()).unwrap_err().message().contains("lower-cases role names"));
    assert!(Gate::new(AuthConfig::default(), json!({"my role": base_role()}).to_string().as_bytes()).unwrap_err().message().contains("GenericNameRegex"));
    let upper = AuthConfig::parse(br#"{"default_role":"CART"}"#).unwrap();
    assert_eq!(upper.default_role.as_deref(), Some("cart"));
    assert!(Gate::new(AuthConfig::parse(br#"{"default_role":"nope"}"#).unwrap(), roles.to_string().as_bytes()).is_err());
}

// --- Signatures and algorithms: pathLogin's default list, cap keyset.go, go-oidc ---------------

#[test]
fn algorithms_and_signatures() {
    // pathLogin: an empty jwt_supported_algs is Vault's ten names; this build verifies the ones
    // Alg::from_name knows, and grows with it.
    let want: Vec<Alg> = VAULT_DEFAULT_ALGS.iter().filter_map(|n| Alg::from_name(n)).collect();
    assert_eq!(default_algs(), want);
    assert_eq!(AuthConfig::default().jwt_supported_algs, want);
    // Every algorithm the core verifies is one of Vault's, but RFC 9864's Ed25519, which cap's
    // SupportedSigningAlgorithm does not know: path_config.go refuses it, and so does the gate.
    for alg in jwksgate::jwa::alg::ALL {
        assert_eq!(VAULT_DEFAULT_ALGS.contains(&alg.name()), alg != Alg::Ed25519, "{}", alg.name());
    }
    let ed25519 = AuthConfig::parse(br#"{"jwt_supported_algs":["EdDSA","Ed25519"]}"#).unwrap_err();
    assert_eq!(ed25519.message(), "invalid jwt_supported_algs: unsupported signing algorithm \"Ed25519\"");

    let key = common::key(common::K8S_KEY);
    let jwk = common::public_jwk(&key, json!({"kid": "k8s"}));
    let jwks = json!({"keys": [jwk]}).to_string();
    let remote = Verifier::new(jwks.as_bytes()).unwrap();
    let pem = Verifier::any_kid(Jwks::parse(jwks.as_bytes()).unwrap());
    let signed = |alg: Alg, kid: &str| common::sign(&key, alg, json!({"alg": alg.name(), "kid": kid}), sa_claims());
    let sig = "error verifying token signature: ";
    let all = "[\"RS256\" \"RS384\" \"RS512\" \"ES256\" \"ES384\" \"ES512\" \"PS256\" \"PS384\" \"PS512\" \"EdDSA\"]";
    let hs = format!("{}.{}.c2ln", jwksgate::b64::encode(br#"{"alg":"HS256","kid":"k8s"}"#), jwksgate::b64::encode(sa_claims().to_string().as_bytes()));
    let stranger = sign(&sa_claims()); // signed by another key, kid k1
    // (row, config, verifier, token, expected)
    let rows: Vec<(&str, &str, &Verifier, String, Result<(), String>)> = vec![
        ("PS256 under the default list (the old default was RS256 only)", "{}", &remote, signed(Alg::PS256, "k8s"), Ok(())),
        ("RS512 under the default list", "{}", &remote, signed(Alg::RS512, "k8s"), Ok(())),
        ("PS384 under the default list", "{}", &remote, signed(Alg::PS384, "k8s"), Ok(())),
        ("a good signature, an algorithm not configured (validateSigningAlgorithm)", r#"{"jwt_supported_algs":["RS256"]}"#, &remote, signed(Alg::RS384, "k8s"), Err(tok("invalid algorithm (alg) header parameter: token signed with unexpected algorithm"))),
        ("the signature is checked before the algorithm", r#"{"jwt_supported_algs":["RS256"]}"#, &remote, stranger.clone(), Err(tok(&format!("{sig}failed to verify id token signature")))),
        ("JWKS: unknown kid (go-oidc RemoteKeySet.verify)", "{}", &remote, signed(Alg::RS256, "other"), Err(tok(&format!("{sig}failed to verify id token signature")))),
        ("JWKS: HS256 (go-jose ParseSigned with go-oidc's allAlgs)", "{}", &remote, hs.clone(), Err(tok(&format!("{sig}oidc: malformed jwt: unexpected signature algorithm \"HS256\"; expected {all}")))),
        ("JWKS: two segments", "{}", &remote, "a.b".into(), Err(tok(&format!("{sig}oidc: malformed jwt: go-jose/go-jose: compact JWS format must have three parts")))),
        ("static keys: any kid (cap staticKeySet tries every key)", "{}", &pem, signed(Alg::RS256, "other"), Ok(())),
        ("static keys: no kid", "{}", &pem, common::sign(&key, Alg::RS256, json!({"alg": "RS256"}), sa_claims()), Ok(())),
        ("static keys: a stranger's signature", "{}", &pem, stranger, Err(tok(&format!("{sig}no known key successfully validated the token signature")))),
        ("static keys: HS256", "{}", &pem, hs, Err(tok(&format!("{sig}no known key successfully validated the token signature")))),
        ("static keys: two segments", "{}", &pem, "a.b".into(), Err(tok(&format!("{sig}go-jose/go-jose: compact JWS format must have three parts")))),
    ];
    for (name, config, v, token, want) in rows {
        let gate = gate_with(AuthConfig::parse(config.as_bytes()).unwrap(), base_role());
        assert_eq!(outcome(&gate.login("r", &token, v, None, T)), want, "{name}");
    }
    // An unknown kid keeps the core's code, so the host refetches keys.
    let gate = gate_with(AuthConfig::default(), base_role());
    assert_eq!(gate.login("r", &signed(Alg::RS256, "other"), &remote, None, T).unwrap_err().code(), Code::JwksNoMatchingKey);
    // path_config.go: jwt.SupportedSigningAlgorithm.
    assert_eq!(AuthConfig::parse(br#"{"jwt_supported_algs":["HS256"]}"#).unwrap_err().message(), "invalid jwt_supported_algs: unsupported signing algorithm \"HS256\"");
    assert_eq!(AuthConfig::parse(br#"{"jwt_supported_algs":"RS256, PS256"}"#).unwrap().jwt_supported_algs, vec![Alg::RS256, Alg::PS256]);
    for name in ["ES256", "ES384", "ES512", "EdDSA"] {
        let parsed = AuthConfig::parse(format!("{{\"jwt_supported_algs\":[\"{name}\"]}}").as_bytes());
        match Alg::from_name(name) {
            Some(alg) => assert_eq!(parsed.unwrap().jwt_supported_algs, vec![alg], "{name}"),
            None => assert!(parsed.unwrap_err().message().contains("does not verify it yet"), "{name}"),
        }
    }
}

// --- Bound claims: claims.go validateBoundClaims with Go's equality --------------------------

#[test]
fn bound_claims_compare_as_go_does() {
    let rows: Vec<(&str, Value, Value, bool)> = vec![
        // (row, bound_claims (+ type), claims patch, logs in)
        ("string", json!({"bound_claims": {"/kubernetes.io/namespace": "shop"}}), json!({}), true),
        ("list: any of", json!({"bound_claims": {"/kubernetes.io/namespace": ["bank", "shop"]}}), json!({}), true),
        ("actual list", json!({"bound_claims": {"groups": "ops"}}), json!({}), true),
        ("string type has no wildcard", json!({"bound_claims": {"/kubernetes.io/serviceaccount/name": "ca*"}}), json!({}), false),
        ("glob prefix", json!({"bound_claims_type": "glob", "bound_claims": {"/kubernetes.io/serviceaccount/name": "ca*"}}), json!({}), true),
        ("glob list", json!({"bound_claims_type": "glob", "bound_claims": {"sub": ["*:bank:*", "system:serviceaccount:shop:*"]}}), json!({}), true),
        ("glob skips a number", json!({"bound_claims_type": "glob", "bound_claims": {"n": "*"}}), json!({"n": 5}), false),
        ("bool", json!({"bound_claims": {"admin": true}}), json!({"admin": true}), true),
        ("bool vs string", json!({"bound_claims": {"admin": "true"}}), json!({"admin": true}), false),
        ("number", json!({"bound_claims": {"n": 5}}), json!({"n": 5}), true),
        ("a claim's number is truncated (getClaim: Itoa(int(v)))", json!({"bound_claims": {"n": 5}}), json!({"n": 5.7}), true),
        ("negative numbers truncate toward zero", json!({"bound_claims": {"n": -5}}), json!({"n": -5.9}), true),
        ("a role's 5.0 is json.Number \"5.0\", never an Itoa", json!({"bound_claims": {"n": 5.0}}), json!({"n": 5}), false),
        ("numbers inside a claim list stay float64", json!({"bound_claims": {"n": 5}}), json!({"n": [5]}), false),
        ("number vs string", json!({"bound_claims": {"n": "5"}}), json!({"n": 5}), false),
        ("every bound claim must hold", json!({"bound_claims": {"/kubernetes.io/namespace": "shop", "/kubernetes.io/pod/name": "x"}}), json!({}), false),
        ("JSON pointer escapes (RFC 6901)", json!({"bound_claims": {"/a~1b/~0c": "x"}}), json!({"a/b": {"~c": "x"}}), true),
        ("JSON pointer into a list", json!({"bound_claims": {"/groups/2": "ops"}}), json!({}), true),
    ];
    for (name, role, claims, ok) in rows {
        let got = login_at(with(base_role(), role), with(sa_claims(), claims), T as f64);
        assert_eq!(got.is_ok(), ok, "{name} (validateBoundClaims): {:?}", got.err());
    }
}

// --- Role configuration: path_role.go pathRoleCreateUpdate, tokenutil ---------------------------

#[test]
fn configuration_checks_at_load() {
    // (row, role parameters, expected error, whole message after `role "r": `, or None)
    let rows: Vec<(&str, Value, Option<&str>)> = vec![
        ("minimal jwt role", base_role(), None),
        ("no binding at all", json!({"user_claim": "sub"}), Some("must have at least one bound constraint when creating/updating a role")),
        ("cidrs alone are a binding", json!({"user_claim": "sub", "token_bound_cidrs": ["10.0.0.0/8"]}), None),
        ("subject alone is a binding", json!({"user_claim": "sub", "bound_subject": "x"}), None),
        ("claims alone are a binding", json!({"user_claim": "sub", "bound_claims": {"/kubernetes.io/namespace": "shop"}}), None),
        ("an oidc role needs redirect URIs", json!({"role_type": "oidc", "user_claim": "sub"}), Some("'allowed_redirect_uris' must be set if 'role_type' is 'oidc' or unspecified.")),
        ("an oidc role needs no binding", json!({"role_type": "oidc", "user_claim": "sub", "allowed_redirect_uris": "https://x/cb"}), None),
        ("user claim required", json!({"bound_subject": "x"}), Some("a user claim must be defined on the role")),
        ("bad role_type", with(base_role(), json!({"role_type": "saml"})), Some("invalid 'role_type': saml")),
        ("bad bound_claims_type", with(base_role(), json!({"bound_claims_type": "regex"})), Some("invalid 'bound_claims_type': regex")),
        ("glob with a number", with(base_role(), json!({"bound_claims_type": "glob", "bound_claims": {"n": 1}})), Some("claim is not a string: 1")),
        ("glob with a map", with(base_role(), json!({"bound_claims_type": "glob", "bound_claims": {"n": {"a": "b"}}})), Some("claim is not a string or list: map[a:b]")),
        ("bound claim a map (Vault fails every login)", with(base_role(), json!({"bound_claims": {"n": {"a": 1}}})), Some("bound claim \"n\" must be a string, boolean, number or a list of them")),
        ("role is reserved", with(base_role(), json!({"claim_mappings": {"sub": "role"}})), Some("metadata key \"role\" is reserved and may not be a mapping destination")),
        ("duplicate mapping target", with(base_role(), json!({"claim_mappings": {"sub": "a", "iss": "a"}})), Some("multiple keys are mapped to metadata key \"a\"")),
        ("mappings as key=value strings (TypeKVPairs)", with(base_role(), json!({"claim_mappings": ["sub=user", "iss=issuer"]})), None),
        ("ttl above max (ParseTokenFields)", with(base_role(), json!({"token_ttl": "2h", "token_max_ttl": "1h"})), Some("'token_ttl' cannot be greater than 'token_max_ttl'")),
        ("legacy ttl above max (pathRoleCreateUpdate)", with(base_role(), json!({"ttl": "2h", "max_ttl": "1h"})), Some("ttl should not be greater than max ttl")),
        ("leeway -1 accepted", with(base_role(), json!({"expiration_leeway": -1, "not_before_leeway": "-1", "clock_skew_leeway": -1})), None),
        ("any negative leeway accepted (TypeSignedDurationSecond)", with(base_role(), json!({"expiration_leeway": -2, "clock_skew_leeway": "-1m"})), None),
        ("negative token_ttl (TypeDurationSecond)", with(base_role(), json!({"token_ttl": -5})), Some("token_ttl: cannot provide negative value '-5'")),
        ("Go durations (parseutil.ParseDurationSecond)", with(base_role(), json!({"token_ttl": "1h30m", "token_max_ttl": 7200, "clock_skew_leeway": "1.5m", "expiration_leeway": "2d"})), None),
        ("bad duration", with(base_role(), json!({"token_ttl": "soon"})), Some("token_ttl: invalid duration \"soon\"")),
        ("a fractional number is not a duration", with(base_role(), json!({"token_ttl": 1.5})), Some("token_ttl: a number of seconds must be an integer")),
        ("past Go's time.Duration", with(base_role(), json!({"expiration_leeway": i64::MAX})), Some("expiration_leeway: duration is beyond Go's time.Duration (about 292 years)")),
        ("bad cidr", with(base_role(), json!({"token_bound_cidrs": ["10.0.0.0/33"]})), Some("invalid CIDR block \"10.0.0.0/33\"")),
        ("comma strings", with(base_role(), json!({"bound_audiences": "a, b", "token_policies": "p1,p2"})), None),
        ("token_num_uses: counted by the session store (a Durable Object)", with(base_role(), json!({"token_num_uses": 5})), None),
        ("num_uses is token_num_uses (UpgradeValue)", with(base_role(), json!({"num_uses": "3"})), None),
        ("batch tokens have no use count (ParseTokenFields)", with(base_role(), json!({"num_uses": 3, "token_type": "batch"})), Some("'token_type' cannot be 'batch' or 'default_batch' when set to generate tokens with limited use count")),
        ("token_num_uses 0", with(base_role(), json!({"token_num_uses": 0})), None),
        ("negative token_num_uses", with(base_role(), json!({"token_num_uses": -1})), Some("'token_num_uses' cannot be negative")),
        ("token_period above the system max", with(base_role(), json!({"token_period": "800h"})), Some("'period' of '\"800h0m0s\"' is greater than the backend's maximum lease TTL of '\"768h0m0s\"'")),
        ("batch and period", with(base_role(), json!({"token_type": "batch", "token_period": 60})), Some("'token_type' cannot be 'batch' or 'default_batch' when set to generate periodic tokens")),
        ("bad token_type", with(base_role(), json!({"token_type": "root"})), Some("invalid 'token_type' value \"root\"")),
        ("unknown parameter (a typo)", with(base_role(), json!({"bound_audience": ["x"]})), Some("unknown parameter \"bound_audience\"")),
    ];
    for (name, role, want) in rows {
        let roles = json!({ "r": role }).to_string();
        match (want, Gate::new(AuthConfig::default(), roles.as_bytes())) {
            (None, Ok(_)) => {}
            (Some(w), Err(e)) => {
                assert_eq!(e.code(), Code::ConfigInvalid, "{name}");
                assert!(e.message().starts_with("role \"r\": "), "{name}: {}", e.message());
                assert!(e.message().contains(w), "{name}: {}", e.message());
            }
            (w, g) => panic!("{name}: want {w:?}, got {:?}", g.map(|_| ())),
        }
    }
    assert!(Gate::new(AuthConfig::default(), b"{}").is_err(), "no roles");
    assert!(Gate::new(AuthConfig::default(), b"[]").is_err(), "not an object");
    // pathRoleCreateUpdate warns when token_max_ttl passes the mount's maximum.
    let g = gate_with(AuthConfig::default(), with(base_role(), json!({"token_max_ttl": "900h"})));
    assert_eq!(g.warnings, vec!["role \"r\": token max ttl is greater than the system or backend mount's maximum TTL value; issued tokens' max TTL value will be truncated"]);
}

#[test]
fn deprecated_names_upgrade_as_tokenutil_does() {
    // tokenutil.UpgradeValue: the old name alone is used; with the new one, the new one wins.
    // (row, role patch, policies, ttl, cidrs)
    let rows: Vec<(&str, Value, Vec<&str>, u64, Vec<&str>)> = vec![
        ("policies (ParsePolicies: lower-cased, sorted)", json!({"token_policies": null, "policies": "B, a"}), vec!["a", "b", "default"], 2_764_800, vec![]),
        ("token_policies wins over policies", json!({"token_policies": ["x"], "policies": ["y"]}), vec!["default", "x"], 2_764_800, vec![]),
        ("ttl", json!({"ttl": "10m"}), vec!["default", "shop-read"], 600, vec![]),
        ("token_ttl wins over ttl", json!({"ttl": "10m", "token_ttl": "5m"}), vec!["default", "shop-read"], 300, vec![]),
        ("max_ttl", json!({"max_ttl": "1h"}), vec!["default", "shop-read"], 3600, vec![]),
        ("period", json!({"period": "20m"}), vec!["default", "shop-read"], 1200, vec![]),
        ("bound_cidrs", json!({"bound_cidrs": "10.0.0.0/8, 192.0.2.7"}), vec!["default", "shop-read"], 2_764_800, vec!["10.0.0.0/8", "192.0.2.7"]),
        ("token_policies trimmed and lower-cased (SanitizePolicies)", json!({"token_policies": [" Shop ", "shop", ""]}), vec!["default", "shop"], 2_764_800, vec![]),
        ("token_no_default_policy", json!({"token_no_default_policy": true}), vec!["shop-read"], 2_764_800, vec![]),
    ];
    for (name, patch, policies, ttl, cidrs) in rows {
        let role = Role::from_value("r", &with(base_role(), patch)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(role.policies(), policies, "{name}");
        assert_eq!(role.ttl(), ttl, "{name}");
        assert_eq!(role.token_bound_cidrs.iter().map(ToString::to_string).collect::<Vec<_>>(), cidrs, "{name}");
    }
}

#[test]
fn token_lifetime_as_calculate_ttl() {
    // sdk/framework/lease.go CalculateTTL(sysView, 0, token_ttl, token_period, token_max_ttl,
    // token_explicit_max_ttl) on a mount of the system's 768h; warnings word for word.
    let rows: Vec<(&str, Value, u64, Vec<&str>)> = vec![
        ("nothing set: 768h", json!({}), 2_764_800, vec![]),
        ("token_ttl", json!({"token_ttl": "1h"}), 3600, vec![]),
        ("token_ttl past 768h is capped", json!({"token_ttl": "800h"}), 2_764_800, vec!["TTL of \"800h\" exceeded the effective max_ttl of \"768h\"; TTL value is capped accordingly"]),
        ("token_explicit_max_ttl caps the default (the old gate gave 32 days)", json!({"token_explicit_max_ttl": 60}), 60, vec!["TTL of \"768h\" exceeded the effective max_ttl of \"1m\"; TTL value is capped accordingly"]),
        ("token_explicit_max_ttl above token_ttl", json!({"token_ttl": 30, "token_explicit_max_ttl": 60}), 30, vec![]),
        ("token_max_ttl caps the default", json!({"token_max_ttl": "1h"}), 3600, vec!["TTL of \"768h\" exceeded the effective max_ttl of \"1h\"; TTL value is capped accordingly"]),
        ("token_max_ttl past 768h is the system's", json!({"token_max_ttl": "900h", "token_ttl": "800h"}), 2_764_800, vec!["TTL of \"800h\" exceeded the effective max_ttl of \"768h\"; TTL value is capped accordingly"]),
        ("token_period", json!({"token_period": "10m"}), 600, vec![]),
        ("token_period over the explicit max", json!({"token_period": "2h", "token_explicit_max_ttl": "1h"}), 3600, vec!["period of \"2h\" exceeded the effective max_ttl of \"1h\"; period value is capped accordingly"]),
        ("token_period over token_max_ttl", json!({"token_period": "1h", "token_max_ttl": "30m"}), 1800, vec!["period of \"1h\" exceeded the effective max_ttl of \"30m\"; period value is capped accordingly"]),
        ("token_period ignores token_ttl", json!({"token_period": "5m", "token_ttl": "1h"}), 300, vec![]),
        ("1h30m prints as Go does", json!({"token_ttl": "2h", "token_explicit_max_ttl": "1h30m"}), 5400, vec!["TTL of \"2h\" exceeded the effective max_ttl of \"1h30m\"; TTL value is capped accordingly"]),
    ];
    for (name, patch, ttl, warnings) in rows {
        let role = with(base_role(), patch);
        assert_eq!(Role::from_value("r", &role).unwrap().lease(), (ttl, warnings.iter().map(|w| w.to_string()).collect()), "{name}");
        let login = login_at(role, sa_claims(), T as f64).unwrap();
        assert_eq!((login.ttl, login.warnings.len()), (ttl, warnings.len()), "{name}: the login carries them");
    }
}

#[test]
fn a_vault_role_export_pastes_in() {
    // What `vault read -format=json auth/jwt/role/cart` prints (pathRoleRead, PopulateTokenData):
    // the response envelope, nulls for unset lists and maps, the legacy fields when set.
    let export = json!({
        "request_id": "7c1d7c4e-1a47-8f43-2f7a-5d1b8c7e9f00", "lease_id": "", "lease_duration": 0, "renewable": false,
        "data": {
            "allowed_redirect_uris": null, "bound_audiences": [AUD], "bound_claims": {"/kubernetes.io/namespace": "shop"},
            "bound_claims_type": "string", "bound_subject": "", "claim_mappings": null, "clock_skew_leeway": 0,
            "expiration_leeway": 0, "groups_claim": "", "max_age": 0, "not_before_leeway": 0, "oidc_scopes": null,
            "role_type": "jwt", "token_bound_cidrs": [], "token_explicit_max_ttl": 0, "token_max_ttl": 0,
            "token_no_default_policy": false, "token_num_uses": 0, "token_period": 0, "token_policies": ["shop-read"],
            "policies": ["shop-read"], "token_ttl": 3600, "ttl": 3600, "token_type": "default", "user_claim": "sub",
            "user_claim_json_pointer": false, "verbose_oidc_logging": false
        },
        "warnings": null, "mount_type": "jwt"
    });
    let got = login_at(export.clone(), sa_claims(), T as f64).unwrap();
    assert_eq!((got.alias.as_str(), got.ttl, got.policies.clone()), (SUB, 3600, vec!["default".to_owned(), "shop-read".to_owned()]));
    let data_only = export["data"].clone();
    assert!(login_at(data_only.clone(), sa_claims(), T as f64).is_ok(), "the data object alone");
    let root = with(data_only, json!({"token_policies": ["root"], "policies": ["root"]}));
    assert_eq!(login_at(root, sa_claims(), T as f64).unwrap_err().message(), "auth methods cannot create root tokens", "root refused as LoginCreateToken does");
}

// --- The trace: one sequence for login and explain ---------------------------------------------

#[test]
fn explain_shows_every_check_in_vaults_order() {
    let gate = gate_with(AuthConfig::parse(format!("{{\"bound_issuer\":\"{ISS}\"}}").as_bytes()).unwrap(), with(base_role(), json!({"groups_claim": "groups"})));
    let v = verifier();
    let ok = gate.explain("r", &sign(&sa_claims()), Some(&v), None, T);
    assert_eq!(ok.checks.iter().map(|c| c.id).collect::<Vec<_>>(), CHECKS.to_vec());
    assert!(ok.checks.iter().all(|c| matches!(c.outcome, Outcome::Passed | Outcome::Skipped)), "{:?}", ok.checks);
    assert!(ok.login.is_some());

    // A failed bound claim: the verdict is that check, the log line names it and the claim only.
    let bad = gate_with(AuthConfig::default(), with(base_role(), json!({"bound_claims": {"/kubernetes.io/namespace": "bank"}})));
    let e = bad.explain("r", &sign(&sa_claims()), Some(&v), None, T);
    let f = e.failure().unwrap();
    assert_eq!(f.id.name(), "bound_claims");
    assert_eq!(f.log_line("r"), "login refused: role \"r\": check \"bound_claims\" failed on claim \"/kubernetes.io/namespace\"");
    assert!(!f.log_line("r").contains("shop"), "never the claim's value");
    assert_eq!(e.clone().into_result().unwrap_err().message(), bad.login("r", &sign(&sa_claims()), &v, None, T).unwrap_err().message());

    // An issuer mismatch names both strings.
    let iss = gate_with(AuthConfig::parse(br#"{"bound_issuer":"https://other"}"#).unwrap(), base_role());
    let e = iss.explain("r", &sign(&sa_claims()), Some(&v), None, T);
    let f = e.failure().unwrap();
    assert_eq!(f.error.as_ref().unwrap().message(), tok("invalid issuer (iss) claim"));
    assert_eq!(f.log_line("r"), format!("login refused: role \"r\": check \"issuer\" failed on claim \"iss\": bound_issuer is \"https://other\", the token's iss is \"{ISS}\""));

    // After a failed signature the claim checks still run, marked unverified; the verdict is the signature.
    let e = gate.explain("r", &sign_with(&json!({"alg": "RS256", "kid": "nope"}), &with(sa_claims(), json!({"exp": T - 1000}))), Some(&v), None, T);
    assert_eq!(e.failure().unwrap().id.name(), "signature");
    let exp = e.checks.iter().find(|c| c.id.name() == "expiration").unwrap();
    assert_eq!((exp.outcome, exp.unverified), (Outcome::Failed, true));
    // An unknown role: nothing else is reached.
    let e = gate.explain("nope", "x", Some(&v), None, T);
    assert!(e.checks.iter().skip(1).all(|c| c.outcome == Outcome::NotReached));
}

/// A login runs `Gate::verdict`, which skips writing the checks' details; the checks, their
/// outcomes, errors, claims, log notes and the login must be `explain`'s, details aside.
#[test]
fn a_logins_verdict_is_explain_without_details() {
    let v = verifier();
    let iss = format!("{{\"bound_issuer\":\"{ISS}\"}}");
    // (case, config, role patch, requested role, claims patch or a token, caller, time offset)
    let rows: Vec<(&str, &str, Value, &str, Result<Value, &str>, Option<&str>, i64)> = vec![
        ("passes, every check", &iss, json!({"groups_claim": "groups", "claim_mappings": {"/kubernetes.io/namespace": "ns"}, "bound_claims": {"/kubernetes.io/namespace": "shop"}, "token_bound_cidrs": ["10.0.0.0/8"]}), "r", Ok(json!({})), Some("10.1.2.3"), 0),
        ("default role, no role named", &iss, json!({}), "", Ok(json!({})), None, 0),
        ("unknown role", &iss, json!({}), "nope", Ok(json!({})), None, 0),
        ("oidc role", &iss, json!({"role_type": "oidc", "allowed_redirect_uris": ["https://x.example/cb"]}), "r", Ok(json!({})), None, 0),
        ("no token", &iss, json!({}), "r", Err(""), None, 0),
        ("outside the CIDRs", &iss, json!({"token_bound_cidrs": ["10.0.0.0/8"]}), "r", Ok(json!({})), Some("192.0.2.1"), 0),
        ("no caller address, CIDRs bound", &iss, json!({"token_bound_cidrs": ["10.0.0.0/8"]}), "r", Ok(json!({})), None, 0),
        ("not a JWT", &iss, json!({}), "r", Err("x.y.z"), None, 0),
        ("unknown kid (unverified claims checked on)", &iss, json!({}), "r", Err("kid"), None, 0),
        ("another issuer", r#"{"bound_issuer":"https://other"}"#, json!({}), "r", Ok(json!({})), None, 0),
        ("algorithm not allowed", r#"{"jwt_supported_algs":["ES256"]}"#, json!({}), "r", Ok(json!({})), None, 0),
        ("bound subject", &iss, json!({"bound_subject": "someone"}), "r", Ok(json!({})), None, 0),
        ("audience", &iss, json!({"bound_audiences": ["https://else"]}), "r", Ok(json!({})), None, 0),
        ("audience with none bound", &iss, json!({"bound_audiences": [], "bound_claims": {"/kubernetes.io/namespace": "shop"}}), "r", Ok(json!({})), None, 0),
        ("expired", &iss, json!({}), "r", Ok(json!({})), None, 7200),
        ("not yet valid", &iss, json!({}), "r", Ok(json!({})), None, -3600),
        ("no time claims", &iss, json!({}), "r", Ok(json!({"exp": null, "iat": null, "nbf": null})), None, 0),
        ("exp made up from iat", &iss, json!({"expiration_leeway": 30}), "r", Ok(json!({"exp": null})), None, 0),
        ("a claim named like a registered one", &iss, json!({}), "r", Ok(json!({"EXP": 1})), None, 0),
        ("registered claim of the wrong type", &iss, json!({}), "r", Ok(json!({"sub": 5})), None, 0),
        ("user claim missing", &iss, json!({"user_claim": "email"}), "r", Ok(json!({})), None, 0),
        ("user claim empty", &iss, json!({}), "r", Ok(json!({"sub": ""})), None, 0),
        ("groups not a list", &iss, json!({"groups_claim": "groups"}), "r", Ok(json!({"groups": 5})), None, 0),
        ("claim mapping not a string", &iss, json!({"claim_mappings": {"groups": "g"}}), "r", Ok(json!({})), None, 0),
        ("bound claims", &iss, json!({"bound_claims": {"/kubernetes.io/namespace": "bank"}}), "r", Ok(json!({})), None, 0),
        ("root policy", &iss, json!({"token_policies": ["root"]}), "r", Ok(json!({})), None, 0),
        ("capped TTL", &iss, json!({"token_ttl": 3600, "token_explicit_max_ttl": 60}), "r", Ok(json!({})), None, 0),
    ];
    for (case, config, patch, requested, claims, remote, later) in rows {
        let g = with(base_role(), patch);
        let config = AuthConfig::parse(if requested.is_empty() { r#"{"default_role":"r"}"#.as_bytes() } else { config.as_bytes() }).unwrap();
        let gate = gate_with(config, g);
        let token = match claims {
            Ok(patch) => sign(&with(sa_claims(), patch)),
            Err("kid") => sign_with(&json!({"alg": "RS256", "kid": "nope"}), &with(sa_claims(), json!({"exp": T - 1000}))),
            Err(t) => t.to_owned(),
        };
        let remote = remote.map(|r| r.parse().unwrap());
        let now = (T + later) as f64 + 0.25;
        let explained = gate.explain(requested, &token, Some(&v), remote, now);
        let verdict = gate.verdict(requested, &token, Some(&v), remote, now);
        assert!(verdict.checks.iter().all(|c| c.detail.is_empty()), "{case}: no details written");
        let without = |e: &jwksgate::gate::login::Explanation| e.checks.iter().map(|c| jwksgate::gate::login::Check { detail: String::new(), ..c.clone() }).collect::<Vec<_>>();
        assert_eq!(without(&verdict), without(&explained), "{case}");
        assert_eq!(verdict.role, explained.role, "{case}");
        assert_eq!(verdict.login, explained.login, "{case}");
        assert!(explained.checks.iter().any(|c| !c.detail.is_empty()), "{case}: explain still writes its details");
        assert_eq!(gate.login(requested, &token, &v, remote, now).map_err(|e| e.message().to_owned()), explained.into_result().map_err(|e| e.message().to_owned()), "{case}");
    }
}

#[test]
fn cidrs_against_the_caller() {
    // path_login.go pathLogin: cidrutil.RemoteAddrIsOk; no address is permission denied.
    let rows: Vec<(&str, Value, Option<&str>, bool)> = vec![
        ("inside", json!(["10.1.0.0/16", "192.0.2.7"]), Some("10.1.2.3"), true),
        ("a bare address", json!("10.1.0.0/16, 192.0.2.7"), Some("192.0.2.7"), true),
        ("outside", json!(["10.1.0.0/16"]), Some("10.2.0.1"), false),
        ("address unknown", json!(["10.1.0.0/16"]), None, false),
        ("v6", json!(["2001:db8::/32"]), Some("2001:db8::1"), true),
        ("v4-mapped v6 caller", json!(["127.0.0.0/8"]), Some("::ffff:127.0.0.1"), true),
    ];
    for (name, cidrs, remote, ok) in rows {
        let gate = gate_with(AuthConfig::default(), with(base_role(), json!({"token_bound_cidrs": cidrs})));
        let got = gate.login("r", &sign(&sa_claims()), &verifier(), remote.map(|r| r.parse().unwrap()), T);
        match got {
            Ok(l) => assert!(ok, "{name}: {:?}", l.bound_cidrs),
            Err(e) => {
                assert!(!ok, "{name}");
                assert_eq!((e.message(), http_status(&e)), ("permission denied", 403), "{name}");
            }
        }
    }
}

#[test]
fn login_outcome_carries_mappings_groups_policies_ttl() {
    let role = with(
        base_role(),
        json!({"groups_claim": "groups", "claim_mappings": {"/kubernetes.io/namespace": "namespace", "/kubernetes.io/pod/name": "pod", "absent": "x"},
               "token_ttl": "15m", "token_max_ttl": "1h", "token_policies": ["b", "a", "a"], "token_explicit_max_ttl": "2h",
               "token_bound_cidrs": ["10.0.0.0/8", "10.1.2.3"]}),
    );
    let login = gate_with(AuthConfig::default(), role).login("r", &sign(&sa_claims()), &verifier(), Some("10.1.2.3".parse().unwrap()), T).unwrap();
    assert_eq!(login.groups, vec!["dev", "ops"]);
    assert_eq!(login.policies, vec!["a", "b", "default"]);
    assert_eq!((login.ttl, login.explicit_max_ttl, login.period, login.num_uses), (900, 7200, 0, 0));
    assert_eq!(login.bound_cidrs, vec!["10.0.0.0/8", "10.1.2.3"], "as go-sockaddr prints them");
    let meta: Vec<(&str, &str)> = login.metadata.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(meta, vec![("namespace", "shop"), ("pod", "cart-7d9f"), ("role", "r")]);
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

// --- Issue 22 item 3: Bearer tokens within the default role's limits -------------------------

// A ServiceAccount token sent as Bearer on a proxied path is a login that is never renewed: its
// `iat` starts a lease of CalculateTTL(0, token_ttl, token_period, token_max_ttl,
// token_explicit_max_ttl) (sdk/framework/lease.go), and a role with token_num_uses refuses
// Bearer whole (vault/token_store.go UseToken counts per token; a Bearer has no store). Old
// code: `authorize` was `login`, so a one-year token passed a 5 s, one-use role any number of
// times (Gate::login has no such check: rows marked "old" pass through it).
#[test]
fn bearer_tokens_are_bounded_by_the_role() {
    let year = 365 * 86400;
    let one_year = |iat: i64| with(sa_claims(), json!({"iat": iat, "nbf": iat, "exp": iat + year}));
    let five_s = json!({"token_ttl": 5});
    let one_use = json!({"token_ttl": 5, "token_num_uses": 1});
    // (case, role patch, claims, seconds after T, Ok or a part of the refusal)
    let rows: Vec<(&str, Value, Value, f64, Result<(), &str>)> = vec![
        ("control: a fresh token, a 5 s role", five_s.clone(), one_year(T), 1.0, Ok(())),
        ("a 5 s role, the token issued 6 s ago (old: passed)", five_s.clone(), one_year(T), 6.0, Err("lease from iat ended after 5s")),
        ("a 5 s role, at exactly iat + 5", five_s.clone(), one_year(T), 5.0, Err("lease from iat ended")),
        ("a 5 s role, 4.9 s after iat", five_s.clone(), one_year(T), 4.9, Ok(())),
        ("one use for 5 s: Bearer refused outright (old: passed 10 times)", one_use, one_year(T), 0.0, Err("token_num_uses")),
        ("token_max_ttl caps the default TTL", json!({"token_max_ttl": 10}), one_year(T), 11.0, Err("ended after 10s")),
        ("control: token_max_ttl, within it", json!({"token_max_ttl": 10}), one_year(T), 9.0, Ok(())),
        ("token_explicit_max_ttl caps token_ttl", json!({"token_ttl": 3600, "token_explicit_max_ttl": 20}), one_year(T), 21.0, Err("ended after 20s")),
        ("token_period is the TTL of a periodic token", json!({"token_period": 30}), one_year(T), 31.0, Err("ended after 30s")),
        ("control: token_period, within it", json!({"token_period": 30}), one_year(T), 29.0, Ok(())),
        ("no lifetime set: the system's 768 h", json!({}), one_year(T - 768 * 3600), 0.0, Err("ended after 2764800s")),
        ("control: no lifetime set, a day old", json!({}), one_year(T - 86400), 0.0, Ok(())),
        ("no iat: no lease to start", five_s.clone(), with(sa_claims(), json!({"iat": null})), 0.0, Err("no iat")),
    ];
    for (case, patch, claims, after, want) in rows {
        let gate = gate_with(AuthConfig::default(), with(base_role(), patch));
        let got = gate.authorize_bearer("r", &sign(&claims), &verifier(), None, T as f64 + after).map(|_| ()).map_err(|e| (e.code(), e.message().to_owned()));
        match want {
            Ok(()) => assert!(got.is_ok(), "{case}: {got:?}"),
            Err(part) => {
                let (code, message) = got.expect_err(case);
                assert!(message.contains(part), "{case}: {message}");
                assert_eq!((code, http_status(&jwksgate::Error::new(code, ""))), (Code::PermissionDenied, 403), "{case}");
            }
        }
    }
}

// --- Issue 22 item 5: which tokens may make the gate refetch its keys ------------------------

// Only a token that could verify once its key is there makes the host refetch (and maybe write
// its KV cache): jose's RemoteJWKSet and go-oidc's RemoteKeySet refetch on any unknown kid, which
// let unsigned and garbage tokens spend KV writes. Old code: every ERR_JWKS_NO_MATCHING_KEY
// refetched.
#[test]
fn only_a_plausible_token_may_refetch_keys() {
    let b64 = |b: &[u8]| jwksgate::b64::encode(b);
    let claims = sa_claims();
    let body = |c: &Value| b64(c.to_string().as_bytes());
    let head = |h: Value| b64(h.to_string().as_bytes());
    let unknown = json!({"alg": "RS256", "kid": "rotated", "typ": "JWT"});
    let signed = sign_with(&unknown, &claims);
    let sig_of = |n: usize| b64(&vec![7u8; n]);
    let config = AuthConfig { bound_issuer: Some(ISS.into()), ..AuthConfig::default() };
    // (case, token, may refetch)
    let rows: Vec<(&str, String, bool)> = vec![
        ("control: RS256, a new kid, a 2048-bit signature, the mount's issuer", signed.clone(), true),
        ("alg none, no signature", format!("{}.{}.", head(json!({"alg": "none", "kid": "rotated"})), body(&claims)), false),
        ("RS256 with an empty signature", format!("{}.{}.", head(unknown.clone()), body(&claims)), false),
        ("RS256 with a 16-byte signature", format!("{}.{}.{}", head(unknown.clone()), body(&claims), sig_of(16)), false),
        ("RS256 with a 8192-bit signature", format!("{}.{}.{}", head(unknown.clone()), body(&claims), sig_of(1024)), true),
        ("RS256 with a signature past 8192 bits", format!("{}.{}.{}", head(unknown.clone()), body(&claims), sig_of(1025)), false),
        ("ES256 with 64 bytes", format!("{}.{}.{}", head(json!({"alg": "ES256", "kid": "n"})), body(&claims), sig_of(64)), true),
        ("ES256 with 65 bytes", format!("{}.{}.{}", head(json!({"alg": "ES256", "kid": "n"})), body(&claims), sig_of(65)), false),
        ("ES384 with 64 bytes", format!("{}.{}.{}", head(json!({"alg": "ES384", "kid": "n"})), body(&claims), sig_of(64)), false),
        ("no kid", format!("{}.{}.{}", head(json!({"alg": "RS256"})), body(&claims), sig_of(256)), false),
        ("garbage", "not.a.jwt".into(), false),
        ("an empty token", String::new(), false),
        ("another issuer", sign_with(&unknown, &with(claims.clone(), json!({"iss": "https://attacker.example"}))), false),
        ("no iss", sign_with(&unknown, &with(claims.clone(), json!({"iss": null}))), false),
        ("an alg outside jwt_supported_algs (HS256)", format!("{}.{}.{}", head(json!({"alg": "HS256", "kid": "n"})), body(&claims), sig_of(32)), false),
    ];
    let gate = gate_with(config, base_role());
    for (case, token, want) in rows {
        assert_eq!(gate.may_refetch_for(&token), want, "{case}");
    }
    // A mount with no bound_issuer takes any issuer's well-formed token.
    let open = gate_with(AuthConfig::default(), base_role());
    assert!(open.may_refetch_for(&sign_with(&unknown, &with(claims, json!({"iss": "https://other.example"})))));
}
