// Vault's Kubernetes auth method (src/gate/kubernetes/) as tables: the config and its pod
// defaults, the roles' write-time refusals, a login's checks in pathLogin's order and words, the
// TokenReview request and every way its answer is refused, the auth a login gets, and the
// gate's local-verification mode. Each row cites the vault-plugin-auth-kubernetes (v0.24.1),
// cap (v0.12.0) or kube-apiserver function it follows.

#[path = "common/patch.rs"]
mod common_patch;
#[path = "common/sign.rs"]
mod common_sign;

use common_sign::{key, sign, sign_with};
use jwksgate::gate::kubernetes::review::{check_answer, request_body};
use jwksgate::gate::kubernetes::{entry, Answer, Environment, KubeCheckId, KubeMount};
use jwksgate::gate::mounts::parse;
use jwksgate::gate::session::SessionKey;
use jwksgate::gate::store::Record;
use jwksgate::gate::vault::lookup_response;
use rsa::pkcs8::EncodePublicKey;
use serde_json::{json, Map, Value};

const NOW: i64 = 1_700_000_000;
const UID: &str = "d2b1e7a4-5c3f-4b8e-9a61-0f7c2e9d4b13";
const CA: &str = "-----BEGIN CERTIFICATE-----\nMIIBdGVzdA==\n-----END CERTIFICATE-----\n";
const HOST: &str = "https://10.96.0.1:6443";

fn env(files: Value) -> Environment {
    Environment::with_files(Some("10.96.0.1".into()), Some("443".into()), &files.to_string()).unwrap()
}

fn pod_files() -> Value {
    json!({"/var/run/secrets/kubernetes.io/serviceaccount/ca.crt": CA, "/var/run/secrets/kubernetes.io/serviceaccount/token": "vault-pod-token\n"})
}

fn roles() -> Value {
    json!({
        // The seed's custom resource's role, as Bank-Vaults writes it.
        "default": {"bound_service_account_names": ["default", "vault-secrets-webhook"], "bound_service_account_namespaces": ["default", "vswh"], "policies": "allow_secrets", "ttl": "1h"},
        "glob": {"bound_service_account_names": "app-*,*-sa", "bound_service_account_namespaces": "team-*"},
        "aud": {"bound_service_account_names": "*", "bound_service_account_namespaces": "*", "audience": "vault"},
        "byname": {"bound_service_account_names": "*", "bound_service_account_namespaces": "*", "alias_name_source": "serviceaccount_name"},
        "cidr": {"bound_service_account_names": "*", "bound_service_account_namespaces": "*", "token_bound_cidrs": "10.0.0.0/8"},
        "root": {"bound_service_account_names": "*", "bound_service_account_namespaces": "*", "token_policies": "root"},
    })
}

fn mount_with(config: Value, roles: Value) -> KubeMount {
    KubeMount::new("kubernetes", config.as_object().unwrap(), &roles, &env(pod_files())).unwrap()
}

fn mount() -> KubeMount {
    mount_with(json!({"kubernetes_host": HOST}), roles())
}

/// A projected token (pod-bound), as kubelet mounts it.
fn projected(ns: &str, name: &str, aud: &[&str], exp: i64) -> Value {
    json!({
        "aud": aud, "exp": exp, "iat": NOW - 60, "nbf": NOW - 60, "iss": "https://kubernetes.default.svc.cluster.local",
        "sub": format!("system:serviceaccount:{ns}:{name}"),
        "kubernetes.io": {"namespace": ns, "serviceaccount": {"name": name, "uid": UID}, "pod": {"name": "p-1", "uid": "pod-uid-1"}}
    })
}

fn token(ns: &str, name: &str) -> String {
    sign(&projected(ns, name, &["https://kubernetes.default.svc.cluster.local"], NOW + 3600))
}

/// A legacy Secret token: flat claims, no time claims.
fn legacy(ns: &str, name: &str) -> String {
    sign(&json!({
        "iss": "kubernetes/serviceaccount", "sub": format!("system:serviceaccount:{ns}:{name}"),
        "kubernetes.io/serviceaccount/namespace": ns, "kubernetes.io/serviceaccount/secret.name": format!("{name}-token-x1"),
        "kubernetes.io/serviceaccount/service-account.name": name, "kubernetes.io/serviceaccount/service-account.uid": UID
    }))
}

/// The TokenReview answer kube-apiserver writes (pkg/registry/authentication/tokenreview
/// storage.go Create, with UserInfo from serviceaccount util.go).
fn review(ns: &str, name: &str, uid: &str, audiences: &[&str]) -> Vec<u8> {
    json!({
        "kind": "TokenReview", "apiVersion": "authentication.k8s.io/v1", "metadata": {"creationTimestamp": null},
        "spec": {"token": "x", "audiences": audiences},
        "status": {"authenticated": true, "audiences": audiences, "user": {
            "username": format!("system:serviceaccount:{ns}:{name}"), "uid": uid,
            "groups": ["system:serviceaccounts", format!("system:serviceaccounts:{ns}"), "system:authenticated"],
            "extra": {"authentication.kubernetes.io/pod-name": ["p-1"], "authentication.kubernetes.io/pod-uid": ["pod-uid-1"], "authentication.kubernetes.io/credential-id": ["JTI=7"]}
        }}
    })
    .to_string()
    .into_bytes()
}

fn status_body(st: Value) -> Vec<u8> {
    json!({"kind": "TokenReview", "apiVersion": "authentication.k8s.io/v1", "metadata": {"creationTimestamp": null}, "spec": {"token": "x"}, "status": st}).to_string().into_bytes()
}

enum Want {
    Ok(fn(&jwksgate::gate::kubernetes::KubeLogin)),
    /// The status, Vault's message, the failed check.
    Refused(u16, &'static str, KubeCheckId),
}

#[test]
fn logins_in_path_login_order_and_words() {
    let m = mount();
    let k8s_aud = ["https://kubernetes.default.svc.cluster.local"];
    let ok = review("default", "default", UID, &k8s_aud);
    let denied = "permission denied";
    let hs256 = sign_with(&json!({"alg": "HS256"}), &projected("default", "default", &[], NOW + 3600));
    // (row: the function it follows, role, jwt, API server status and body, expected)
    let rows: Vec<(&str, &str, String, (u16, Vec<u8>), Want)> = vec![
        ("accepted: projected token, TokenReview confirms (pathLogin)", "default", token("default", "default"), (201, ok.clone()), Want::Ok(|l| {
            assert_eq!(l.login.alias, UID, "alias name is the UID by default (getAliasName)");
            assert_eq!(l.login.policies, ["allow_secrets", "default"]);
            assert_eq!(l.login.ttl, 3600, "ttl: 1h upgraded to token_ttl (tokenutil.UpgradeValue)");
            assert_eq!(l.display_name, "default-default");
            let keys: Vec<&str> = l.login.metadata.keys().map(String::as_str).collect();
            assert_eq!(keys, ["role", "service_account_name", "service_account_namespace", "service_account_secret_name", "service_account_uid"]);
            assert!(!l.alias_metadata.contains_key("role"), "no role key in alias metadata (pathLogin)");
            assert_eq!(l.login.metadata["service_account_secret_name"], "");
        })),
        ("role names are lower-cased (b.role: strings.ToLower)", "DEFAULT", token("default", "default"), (201, ok.clone()), Want::Ok(|l| assert_eq!(l.login.role, "default"))),
        ("legacy Secret token: no time claims, flat claims (ValidateAllowMissingIatNbfExp, serviceAccount)", "default", legacy("vswh", "vault-secrets-webhook"), (201, review("vswh", "vault-secrets-webhook", UID, &[])), Want::Ok(|l| {
            assert_eq!(l.login.metadata["service_account_secret_name"], "vault-secrets-webhook-token-x1");
        })),
        ("globs: app-* and *-sa in team-* (strutil.StrListContainsGlob, go-glob)", "glob", token("team-a", "app-web"), (201, review("team-a", "app-web", UID, &k8s_aud)), Want::Ok(|_| {})),
        ("alias name ns/name (getAliasName serviceaccount_name)", "byname", token("shop", "cart"), (201, review("shop", "cart", UID, &k8s_aud)), Want::Ok(|l| assert_eq!(l.login.alias, "shop/cart"))),
        ("missing role (getFieldValueStr)", "", token("default", "default"), (201, ok.clone()), Want::Refused(400, "missing role", KubeCheckId::Role)),
        ("missing jwt (getFieldValueStr)", "default", String::new(), (201, ok.clone()), Want::Refused(400, "missing jwt", KubeCheckId::Jwt)),
        ("unknown role (pathLogin)", "nope", token("default", "default"), (201, ok.clone()), Want::Refused(400, "invalid role name \"nope\"", KubeCheckId::RoleExists)),
        ("outside token_bound_cidrs (cidrutil.RemoteAddrIsOk)", "cidr", token("default", "default"), (201, ok.clone()), Want::Refused(403, denied, KubeCheckId::BoundCidrs)),
        ("malformed token (DontVerifySignature, ErrPermissionDenied)", "default", "not.a-jwt".into(), (201, ok.clone()), Want::Refused(403, denied, KubeCheckId::Signature)),
        ("HS256 refused (allowedSigningAlgs)", "default", hs256, (201, ok.clone()), Want::Refused(403, denied, KubeCheckId::Signature)),
        ("expired (cap validateAll)", "default", sign(&projected("default", "default", &k8s_aud, NOW - 61)), (201, ok.clone()), Want::Refused(403, "invalid expiration time (exp) claim: token is expired", KubeCheckId::TimeClaims)),
        ("60 s of clock skew (cap validateAll, jwt.DefaultLeeway)", "default", sign(&projected("default", "default", &k8s_aud, NOW - 59)), (201, ok.clone()), Want::Ok(|_| {})),
        ("role audience not in aud (cap validateAudience)", "aud", token("default", "default"), (201, ok.clone()), Want::Refused(403, "invalid audience (aud) claim: audience claim does not match any expected audience", KubeCheckId::Audience)),
        ("a string aud fails mapstructure.Decode: 500 (parseAndValidateJWT)", "default", sign(&json!({"aud": "x", "exp": NOW + 60, "kubernetes.io": {"namespace": "default", "serviceaccount": {"name": "default", "uid": UID}}})), (201, ok.clone()), Want::Refused(500, "1 error(s) decoding:\n\n* 'aud': source data must be an array or slice, got string", KubeCheckId::ServiceAccount)),
        ("name not bound (parseAndValidateJWT)", "default", token("default", "builder"), (201, ok.clone()), Want::Refused(403, "service account name not authorized", KubeCheckId::Name)),
        ("namespace not bound (parseAndValidateJWT)", "default", token("kube-system", "default"), (201, ok.clone()), Want::Refused(403, "namespace not authorized", KubeCheckId::Namespace)),
        ("glob is not a prefix match (go-glob)", "glob", token("xteam-a", "app-web"), (201, ok.clone()), Want::Refused(403, "namespace not authorized", KubeCheckId::Namespace)),
        ("no UID: 500 before the review (getAliasName)", "default", sign(&json!({"exp": NOW + 60, "kubernetes.io": {"namespace": "default", "serviceaccount": {"name": "default"}}})), (201, ok.clone()), Want::Refused(500, "could not parse UID from claims", KubeCheckId::AliasName)),
        ("the pod was deleted: authenticated false with the validator's error (Review)", "default", token("default", "default"), (201, status_body(json!({"authenticated": false, "user": {}, "error": "service account token has been invalidated"}))), Want::Refused(403, denied, KubeCheckId::TokenReview)),
        ("authenticated false, no error (Review: service account jwt not valid)", "default", token("default", "default"), (201, status_body(json!({"authenticated": false, "user": {}}))), Want::Refused(403, denied, KubeCheckId::TokenReview)),
        ("a bad reviewer bearer: 401 (Review: IsUnauthorized)", "default", token("default", "default"), (401, br#"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}"#.to_vec()), Want::Refused(403, denied, KubeCheckId::TokenReview)),
        ("forbidden to review: 403 Status (parseResponse)", "default", token("default", "default"), (403, br#"{"kind":"Status","status":"Failure","code":403}"#.to_vec()), Want::Refused(403, denied, KubeCheckId::TokenReview)),
        ("a Failure Status with 200 (parseResponse)", "default", token("default", "default"), (200, br#"{"kind":"Status","status":"Failure","message":"x"}"#.to_vec()), Want::Refused(403, denied, KubeCheckId::TokenReview)),
        ("audiences do not intersect (Review)", "default", token("default", "default"), (201, review("default", "default", UID, &["other"])), Want::Refused(403, denied, KubeCheckId::TokenReview)),
        ("a user, not a ServiceAccount (Review)", "default", token("default", "default"), (201, status_body(json!({"authenticated": true, "audiences": k8s_aud, "user": {"username": "system:node:default:default", "uid": UID}}))), Want::Refused(403, denied, KubeCheckId::TokenReview)),
        ("username in 3 parts (Review: unexpected username format)", "default", token("default", "default"), (201, status_body(json!({"authenticated": true, "audiences": k8s_aud, "user": {"username": "system:serviceaccount:default", "uid": UID}}))), Want::Refused(403, denied, KubeCheckId::TokenReview)),
        ("another name (lookup: JWT names did not match)", "default", token("default", "default"), (201, review("default", "other", UID, &k8s_aud)), Want::Refused(403, denied, KubeCheckId::TokenReview)),
        ("a recreated ServiceAccount: another UID (lookup: JWT UIDs did not match)", "default", token("default", "default"), (201, review("default", "default", "new-uid", &k8s_aud)), Want::Refused(403, denied, KubeCheckId::TokenReview)),
        ("another namespace (lookup: JWT namepaces did not match)", "default", token("default", "default"), (201, review("vswh", "default", UID, &k8s_aud)), Want::Refused(403, denied, KubeCheckId::TokenReview)),
        ("not JSON (parseResponse)", "default", token("default", "default"), (201, b"<html>".to_vec()), Want::Refused(403, denied, KubeCheckId::TokenReview)),
        ("authenticated as a string (encoding/json into TokenReviewStatus)", "default", token("default", "default"), (201, status_body(json!({"authenticated": "true", "audiences": k8s_aud, "user": {"username": "system:serviceaccount:default:default", "uid": UID}}))), Want::Refused(403, denied, KubeCheckId::TokenReview)),
        ("root after the review (LoginCreateToken)", "root", token("default", "default"), (201, ok.clone()), Want::Refused(400, "auth methods cannot create root tokens", KubeCheckId::Policies)),
    ];
    let mut passed = 0;
    for (row, role, jwt, (status, body), want) in rows {
        let remote = Some("192.0.2.7".parse().unwrap());
        match (m.login(role, &jwt, remote, NOW, Answer::Given(status, &body)), want) {
            (Ok(l), Want::Ok(check)) => check(&l),
            (Err(c), Want::Refused(st, msg, id)) => {
                assert_eq!((c.status, c.error.as_ref().map(|e| e.message().to_owned()).unwrap_or_default().as_str(), c.id), (st, msg, id), "{row}: {:?}", c.log);
            }
            (Ok(_), Want::Refused(..)) => panic!("{row}: accepted"),
            (Err(c), Want::Ok(_)) => panic!("{row}: refused: {c:?}"),
        }
        passed += 1;
    }
    assert!(passed >= 30);
}

#[test]
fn the_review_request_as_review_writes_it() {
    // token_review.go Review: json.Marshal(authv1.TokenReview{Spec}) and setRequestHeader.
    assert_eq!(request_body("t.k.n", &["vault".into()]), r#"{"metadata":{"creationTimestamp":null},"spec":{"token":"t.k.n","audiences":["vault"]},"status":{"user":{}}}"#);
    assert_eq!(request_body("t<&>", &[]), r#"{"metadata":{"creationTimestamp":null},"spec":{"token":"t\u003c\u0026\u003e"},"status":{"user":{}}}"#, "Go's HTML escapes; no audiences: omitted");
    let m = mount();
    let jwt = token("default", "default");
    let e = m.explain("default", &jwt, None, NOW, Answer::NotAsked);
    let r = e.review.clone().expect("a review to send");
    assert_eq!(r.url, "https://10.96.0.1:6443/apis/authentication.k8s.io/v1/tokenreviews");
    assert_eq!(r.headers[0], ("Authorization".to_string(), "Bearer vault-pod-token".to_string()), "the pod's token from FILES, trimmed (loadConfig)");
    assert!(r.body.contains(r#""audiences":["https://kubernetes.default.svc.cluster.local"]"#), "no role audience: the token's own (lookup)");
    assert!(e.login.is_none() && e.failure().is_none());
    assert_eq!(e.to_json()["token_review"], "not asked", "explain says TokenReview was not asked");
    // The role's audience is asked for instead (lookup), and the client's own token is the
    // bearer when no reviewer token is set (disable_local_ca_jwt).
    let m2 = mount_with(json!({"kubernetes_host": HOST, "kubernetes_ca_cert": CA, "disable_local_ca_jwt": true}), roles());
    let jwt = sign(&projected("default", "default", &["vault", "x"], NOW + 60));
    let r = m2.explain("aud", &jwt, None, NOW, Answer::NotAsked).review.unwrap();
    assert_eq!(r.headers[0].1, format!("Bearer {jwt}"));
    assert!(r.body.contains(r#""audiences":["vault"]"#));
}

#[test]
fn answers_are_checked_as_review_checks_them() {
    // check_answer's messages are Review's (for the log; the client sees permission denied).
    let want = vec!["vault".to_string()];
    let rows: Vec<(&str, u16, Vec<u8>, &str)> = vec![
        ("401", 401, b"{}".to_vec(), "lookup failed: service account unauthorized; this could mean it has been deleted or recreated with a new token"),
        ("status.error", 201, status_body(json!({"error": "service account token has been invalidated"})), "lookup failed: service account token has been invalidated"),
        ("not authenticated", 201, status_body(json!({"authenticated": false})), "lookup failed: service account jwt not valid"),
        ("audiences", 201, review("a", "b", "u", &["x", "y"]), "lookup failed: service account jwt valid for audience(s) [x y], but wanted [vault]"),
        ("username format", 201, status_body(json!({"authenticated": true, "audiences": ["vault"], "user": {"username": "a:b:c:d:e"}})), "lookup failed: unexpected username format"),
        ("not a service account", 201, status_body(json!({"authenticated": true, "audiences": ["vault"], "user": {"username": "system:node:a:b"}})), "lookup failed: username returned is not a service account"),
    ];
    for (row, status, body, msg) in rows {
        assert_eq!(check_answer(status, &body, &want).unwrap_err(), msg, "{row}");
    }
    let ok = check_answer(201, &review("ns", "sa", "u-1", &["vault"]), &want).unwrap();
    assert_eq!((ok.namespace.as_str(), ok.name.as_str(), ok.uid.as_str()), ("ns", "sa", "u-1"));
    // A legacy answer with no audiences is accepted when none were asked for (Review).
    assert!(check_answer(201, &review("ns", "sa", "u", &[]), &[]).is_ok());
    assert!(check_answer(201, &vec![b' '; 70_000], &[]).is_err(), "bounded");
}

#[test]
fn the_pod_deleted_token_is_refused_where_a_signature_check_would_take_it() {
    // A token correctly signed by the cluster's key, whose pod is gone: kube-apiserver's
    // validator (pkg/serviceaccount/claims.go Validate) answers "service account token has been
    // invalidated". With pem_keys the plugin checks the signature AND asks TokenReview.
    let pem = key().to_public_key().to_public_key_pem(rsa::pkcs8::LineEnding::LF).unwrap();
    let jwt = sign(&projected("default", "default", &["vault"], NOW + 3600));
    let gone = status_body(json!({"authenticated": false, "user": {}, "error": "service account token has been invalidated"}));
    let vault_like = mount_with(json!({"kubernetes_host": HOST, "pem_keys": [pem.clone()]}), roles());
    let c = vault_like.login("aud", &jwt, None, NOW, Answer::Given(201, &gone)).unwrap_err();
    assert_eq!((c.id, c.status), (KubeCheckId::TokenReview, 403));
    assert_eq!(vault_like.explain("aud", &jwt, None, NOW, Answer::NotAsked).checks[4].outcome.name(), "passed", "the signature verified");
    // The local mode, with the same key, takes it: it cannot see the pod (README).
    let local = mount_with(json!({"kubernetes_host": HOST, "pem_keys": [pem], "local_verification": true}), json!({"aud": roles()["aud"]}));
    let l = local.login("aud", &jwt, None, NOW, Answer::NotAsked).unwrap();
    assert_eq!(l.login.alias, UID);
    assert_eq!(local.explain("aud", &jwt, None, NOW, Answer::NotAsked).to_json()["token_review"], "not used (local_verification)");
    // A forged signature never reaches the review in either.
    let forged = format!("{}x", &jwt[..jwt.len() - 1]);
    assert_eq!(vault_like.login("aud", &forged, None, NOW, Answer::Given(201, &review("default", "default", UID, &["vault"]))).unwrap_err().id, KubeCheckId::Signature);
}

#[test]
fn local_mode_refusals() {
    let pem = key().to_public_key().to_public_key_pem(rsa::pkcs8::LineEnding::LF).unwrap();
    let files = env(pod_files());
    let build = |config: Value, roles: Value| KubeMount::new("kubernetes", config.as_object().unwrap(), &roles, &files).map(|_| ()).unwrap_err().message().to_owned();
    let any = json!({"r": {"bound_service_account_names": "*", "bound_service_account_namespaces": "*"}});
    let with_aud = json!({"r": {"bound_service_account_names": "*", "bound_service_account_namespaces": "*", "audience": "vault"}});
    assert!(build(json!({"kubernetes_host": HOST, "pem_keys": [pem], "local_verification": true}), any).contains("audience is required with local_verification"));
    assert!(build(json!({"kubernetes_host": HOST, "local_verification": true}), with_aud.clone()).contains("needs exactly one of pem_keys, oidc_discovery_url or jwks_url"));
    assert!(build(json!({"kubernetes_host": HOST, "local_verification": true, "jwks_url": "https://k/jwks", "oidc_discovery_url": "https://k"}), with_aud.clone()).contains("exactly one"));
    assert!(build(json!({"kubernetes_host": HOST, "jwks_url": "https://k/jwks"}), with_aud.clone()).contains("serve local_verification only"));
    // A token without exp (a legacy Secret token never expires) is refused in local mode.
    let local = mount_with(json!({"kubernetes_host": HOST, "pem_keys": [key().to_public_key().to_public_key_pem(rsa::pkcs8::LineEnding::LF).unwrap()], "local_verification": true}), with_aud);
    let no_exp = sign(&json!({"aud": ["vault"], "kubernetes.io": {"namespace": "a", "serviceaccount": {"name": "b", "uid": UID}}}));
    let c = local.login("r", &no_exp, None, NOW, Answer::NotAsked).unwrap_err();
    assert_eq!((c.id, c.status), (KubeCheckId::TimeClaims, 403));
    // A token for the API server (the year-long default) is refused: the role's audience.
    let api = sign(&projected("a", "b", &["https://kubernetes.default.svc.cluster.local"], NOW + 365 * 86400));
    assert_eq!(local.login("r", &api, None, NOW, Answer::NotAsked).unwrap_err().id, KubeCheckId::Audience);
}

#[test]
fn config_as_path_config_and_load_config_read_it() {
    let cfg = |config: Value, files: Value| KubeMount::new("kubernetes", config.as_object().unwrap(), &roles(), &env(files)).map(|m| m.config);
    let err = |config: Value, files: Value| cfg(config, files).unwrap_err().message().to_owned();
    // Bank-Vaults' addAdditionalAuthConfig: kubernetes_host from KUBERNETES_SERVICE_HOST.
    let c = cfg(json!({}), pod_files()).unwrap();
    assert_eq!(c.kubernetes_host, "https://10.96.0.1");
    assert_eq!((c.kubernetes_ca_cert.as_deref(), c.token_reviewer_jwt.as_deref()), (Some(CA), Some("vault-pod-token")), "loadConfig: the pod's ca.crt and token");
    assert!(c.disable_iss_validation, "disable_iss_validation defaults to true (pathConfig)");
    let v6 = KubeMount::new("k", &Map::new(), &roles(), &Environment::with_files(Some("fd00::1".into()), Some("6443".into()), &pod_files().to_string()).unwrap()).unwrap();
    assert_eq!(v6.config.kubernetes_host, "https://[fd00::1]:6443");
    let none = Environment::with_files(None, None, &pod_files().to_string()).unwrap();
    assert!(KubeMount::new("k", &Map::new(), &roles(), &none).unwrap_err().message().contains("no host provided"));
    // loadConfig: a missing token file is ignored; a missing CA file fails.
    let c = cfg(json!({"kubernetes_ca_cert": CA}), json!({})).unwrap();
    assert_eq!(c.token_reviewer_jwt, None);
    assert!(err(json!({}), json!({})).contains("open /var/run/secrets/kubernetes.io/serviceaccount/ca.crt: no such file or directory"));
    // disable_local_ca_jwt: neither file is read; the platform's roots, the client's token.
    let c = cfg(json!({"disable_local_ca_jwt": true}), pod_files()).unwrap();
    assert_eq!((c.kubernetes_ca_cert, c.token_reviewer_jwt), (None, None));
    assert!(err(json!({"kubernetes_ca_cert": "not a pem"}), pod_files()).contains("The provided CA PEM data contains no valid certificates"));
    assert!(err(json!({"pem_keys": ["nope"]}), pod_files()).contains("data does not contain any valid RSA or ECDSA public keys"));
    assert!(err(json!({"kubernetes_host": "http://10.0.0.1"}), pod_files()).contains("must be an https:// URL"));
    assert!(err(json!({"kubernetes_host": "http://127.0.0.1.evil.example"}), pod_files()).contains("must be an https:// URL"));
    assert!(err(json!({"kubernetes_host": "http://localhost@evil.example"}), pod_files()).contains("must be an https:// URL"));
    assert_eq!(cfg(json!({"kubernetes_host": "http://127.0.0.1:8080/"}), pod_files()).unwrap().kubernetes_host, "http://127.0.0.1:8080", "plain http on loopback, for tests");
    assert!(err(json!({"kubernetes_host": "https://u@h"}), pod_files()).contains("is not a URL"));
    assert!(err(json!({"nope": 1}), pod_files()).contains("unknown config parameter \"nope\""));
    assert!(err(json!({"use_annotations_as_alias_metadata": true}), pod_files()).contains("not supported"));
    // The gate's default_role (Bearer tokens on proxied paths) must name a role, lower-cased.
    assert!(err(json!({"default_role": "nope"}), pod_files()).contains("default_role \"nope\" is not a role"));
    assert_eq!(cfg(json!({"default_role": "Default"}), pod_files()).unwrap().default_role.as_deref(), Some("default"));
    // The issuer is checked only when set and disable_iss_validation is false (parseAndValidateJWT).
    let m = mount_with(json!({"kubernetes_host": HOST, "issuer": "https://k", "disable_iss_validation": false}), roles());
    let c = m.login("default", &token("default", "default"), None, NOW, Answer::NotAsked).unwrap_err();
    assert_eq!((c.id, c.error.unwrap().message()), (KubeCheckId::Issuer, "invalid issuer (iss) claim"));
    let m = mount_with(json!({"kubernetes_host": HOST, "disable_iss_validation": false}), roles());
    assert!(m.explain("default", &token("default", "default"), None, NOW, Answer::NotAsked).failure().is_none(), "an empty issuer is never checked");
}

#[test]
fn roles_as_path_role_refuses_them() {
    let files = env(pod_files());
    let role = |r: Value| KubeMount::new("kubernetes", json!({"kubernetes_host": HOST}).as_object().unwrap(), &json!({"r": r}), &files);
    let err = |r: Value| role(r).unwrap_err().message().to_owned();
    // (row: pathRoleCreateUpdate's check, role, message)
    let rows = vec![
        ("names empty", json!({"bound_service_account_namespaces": "*"}), "\"bound_service_account_names\" can not be empty"),
        ("names mix *", json!({"bound_service_account_names": ["*", "a"], "bound_service_account_namespaces": "*"}), "can not mix \"*\" with values"),
        ("namespaces empty", json!({"bound_service_account_names": "a"}), "\"bound_service_account_namespaces\" can not be empty if \"bound_service_account_namespace_selector\" is not set"),
        ("namespaces mix *", json!({"bound_service_account_names": "a", "bound_service_account_namespaces": "a,*"}), "can not mix \"*\" with values"),
        ("selector (the gate reads no namespace)", json!({"bound_service_account_names": "a", "bound_service_account_namespace_selector": "{}"}), "bound_service_account_namespace_selector is not supported"),
        ("alias_name_source", json!({"bound_service_account_names": "a", "bound_service_account_namespaces": "*", "alias_name_source": "x"}), "invalid alias_name_source, must be one of: serviceaccount_uid, serviceaccount_name"),
        ("token period", json!({"bound_service_account_names": "a", "bound_service_account_namespaces": "*", "token_period": "800h"}), "token period of '\"800h0m0s\"' is greater than the backend's maximum lease TTL of '\"768h0m0s\"'"),
        ("ttl over max ttl (deprecated names)", json!({"bound_service_account_names": "a", "bound_service_account_namespaces": "*", "ttl": "2h", "max_ttl": "1h"}), "token ttl should not be greater than token max ttl"),
        ("ParseTokenFields", json!({"bound_service_account_names": "a", "bound_service_account_namespaces": "*", "token_ttl": "2h", "token_max_ttl": "1h"}), "'token_ttl' cannot be greater than 'token_max_ttl'"),
        ("unknown", json!({"bound_service_account_names": "a", "bound_service_account_namespaces": "*", "user_claim": "sub"}), "unknown parameter \"user_claim\""),
    ];
    for (row, r, msg) in rows {
        assert!(err(r).contains(msg), "{row}: {}", err(json!({})));
    }
    // No audience: stored, with Vault's warning.
    let m = role(json!({"bound_service_account_names": "a", "bound_service_account_namespaces": "*"})).unwrap();
    assert_eq!(m.warnings, ["Role r does not have an audience configured. While audiences are not required, consider specifying one if your use case would benefit from additional JWT claim verification."]);
    // The new name wins over the deprecated one (tokenutil.UpgradeValue).
    let m = role(json!({"bound_service_account_names": "a", "bound_service_account_namespaces": "*", "policies": "old", "token_policies": "new", "num_uses": 3, "period": "1h"})).unwrap();
    let r = &m.roles["r"];
    assert_eq!((r.token.policies.clone(), r.token.num_uses, r.token.period), (vec!["new".to_string()], 3, 3600));
}

#[test]
fn the_seeds_custom_resource_mounts_its_kubernetes_entry() {
    // tests/vectors/bank-vaults/cr-oidc.yaml: `type: kubernetes` first, mounted at its type.
    let cr = include_str!("vectors/bank-vaults/cr-oidc.yaml");
    let doc = jwksgate::gate::mounts::parse_document(cr).unwrap();
    let e = doc["auth"][0].as_object().unwrap();
    let k = entry(0, e).unwrap();
    assert_eq!(k.path, "kubernetes");
    let m = k.mount(&env(pod_files())).unwrap();
    assert_eq!(m.config.kubernetes_host, "https://10.96.0.1", "Bank-Vaults' default, from KUBERNETES_SERVICE_HOST");
    let l = m.login("default", &token("default", "default"), None, NOW, Answer::Given(201, &review("default", "default", UID, &["https://kubernetes.default.svc.cluster.local"]))).unwrap();
    assert_eq!((l.login.policies.clone(), l.login.ttl), (vec!["allow_secrets".to_string(), "default".to_string()], 3600));
    // Sessions as for JWT mounts; lookup-self's display name is <mount>-<namespace>-<name>.
    let key = SessionKey::new(b"0123456789abcdef0123456789abcdef-test-secret").unwrap();
    let s = l.session("kubernetes", &m.binding(), "id-0123456789abcdef", NOW);
    let t = key.mint(&s).unwrap();
    let back = key.verify_at(&t, "kubernetes", &m.binding(), None, NOW).unwrap();
    let body = lookup_response(&key, &back, &Record::new(&back), 0, &t, "r", NOW);
    assert_eq!(body["data"]["display_name"], "kubernetes-default-default");
    assert_eq!(body["data"]["meta"]["service_account_uid"], UID);
    // Through AUTH_CONFIG's reader: the kubernetes entry is a mount (with the pinned-CA jwt
    // entry once issue 23 lands; without it, the jwt entry's CA refuses the document).
    let public = cr.replace("          oidc_discovery_ca_pem: ${ file `/var/run/secrets/kubernetes.io/serviceaccount/ca.crt` }\n", "");
    assert_eq!(parse(&public).unwrap().kubernetes[0].path, "kubernetes");
}

#[test]
fn explain_reads_kubernetes_roles_without_the_cluster() {
    use jwksgate::gate::kubernetes::explain_mount;
    let role = json!({"bound_service_account_names": ["default"], "bound_service_account_namespaces": ["default"], "audience": "vault"});
    let jwt = sign(&projected("default", "default", &["vault"], NOW + 60));
    // Its parameters, `vault read -format=json auth/kubernetes/role/NAME`, a ROLES object.
    let read = json!({"request_id": "r", "data": role.clone()});
    let roles = json!({"a": role.clone(), "b": {"user_claim": "sub", "bound_audiences": "x"}});
    for (row, doc, name) in [("parameters", role.clone(), None), ("vault read", read, Some("ci")), ("ROLES by name", roles.clone(), Some("a"))] {
        let (m, n) = explain_mount(&doc, name, None).unwrap().unwrap_or_else(|| panic!("{row}"));
        let e = m.explain(&n, &jwt, None, NOW, Answer::NotAsked);
        assert!(e.failure().is_none(), "{row}");
        let j = e.to_json();
        assert_eq!((j["method"].as_str(), j["token_review"].as_str(), j["allowed"].as_bool()), (Some("kubernetes"), Some("not asked"), Some(false)), "{row}");
    }
    // A JWT role is the JWT method's; a ROLES object naming its JWT role too.
    assert!(explain_mount(&json!({"user_claim": "sub", "bound_audiences": "x"}), None, None).unwrap().is_none());
    assert!(explain_mount(&roles, Some("b"), None).unwrap().is_none());
    // `vault read auth/kubernetes/config` as printed: token_reviewer_jwt_set, null pem_keys.
    let config = json!({"request_id": "c", "data": {"kubernetes_host": "https://10.0.0.1:6443", "kubernetes_ca_cert": CA, "pem_keys": null, "issuer": "", "disable_iss_validation": true, "disable_local_ca_jwt": false, "token_reviewer_jwt_set": true, "use_annotations_as_alias_metadata": false}});
    let (m, n) = explain_mount(&role, None, Some(config)).unwrap().unwrap();
    let e = m.explain(&n, &jwt, None, NOW, Answer::NotAsked);
    assert_eq!(e.review.unwrap().url, "https://10.0.0.1:6443/apis/authentication.k8s.io/v1/tokenreviews");
    let refused = m.explain(&n, &token("default", "default"), None, NOW, Answer::NotAsked);
    assert_eq!(refused.to_json()["failure"]["check"], "audience");
}

// Which settings of a Kubernetes mount bind its sessions (KubeMount::binding, src/gate/session.rs
// MountTrust), one changed at a time. What vouches for a login is bound: the API server asked
// (kubernetes_host) and the CA its TLS is pinned to (kubernetes_ca_cert, else the pod's ca.crt;
// before this change it was not, rows marked †), the pem_keys a signature must also verify by
// (pathLogin's parseAndValidateJWT with PublicKeys), local mode's key source, the checked issuer
// and the gate's own session_epoch (refused before this change: a Kubernetes mount had no way to
// end its sessions). What vouches for no one is not: the reviewer's token (the gate's credential
// toward the API server; kubelet rotates a projected one hourly), default_role (Bearer only) and
// the roles (read at each login, pathLogin's b.role), as Vault's tokens outlive a change of them.
#[test]
fn what_binds_a_kubernetes_mounts_sessions() {
    const CA_B: &str = "-----BEGIN CERTIFICATE-----\nMIIBdGVzdEI=\n-----END CERTIFICATE-----\n";
    let pem = key().to_public_key().to_public_key_pem(rsa::pkcs8::LineEnding::LF).unwrap();
    let binding = |config: Value, roles: Value| mount_with(config, roles).binding();
    let base = json!({"kubernetes_host": HOST, "kubernetes_ca_cert": CA, "token_reviewer_jwt": "reviewer-1", "default_role": "default"});
    let with = |patch: Value| common_patch::merged(&base, &patch);
    let local = json!({"kubernetes_host": HOST, "pem_keys": [pem.clone()], "local_verification": true});
    let aud = json!({"aud": roles()["aud"]});
    // (case, the config changed, whether the sessions end)
    let rows: Vec<(&str, Value, bool)> = vec![
        ("control: nothing changed", with(json!({})), false),
        ("† kubernetes_ca_cert: another cluster's CA", with(json!({"kubernetes_ca_cert": CA_B})), true),
        ("† kubernetes_ca_cert: a CA added to the bundle", with(json!({"kubernetes_ca_cert": format!("{CA}{CA_B}")})), true),
        ("† kubernetes_ca_cert removed, disable_local_ca_jwt: the public roots", with(json!({"kubernetes_ca_cert": null, "disable_local_ca_jwt": true})), true),
        ("control: kubernetes_ca_cert removed, the pod's ca.crt is the same CA", with(json!({"kubernetes_ca_cert": null})), false),
        ("control: kubernetes_ca_cert, the same certificate with CRLF line ends", with(json!({"kubernetes_ca_cert": CA.replace('\n', "\r\n")})), false),
        ("kubernetes_host: another API server", with(json!({"kubernetes_host": "https://10.96.0.2:6443"})), true),
        ("† pem_keys: a signature must also verify by them", with(json!({"pem_keys": [pem.clone()]})), true),
        ("issuer checked (disable_iss_validation: false)", with(json!({"issuer": "https://kubernetes.default.svc", "disable_iss_validation": false})), true),
        ("control: issuer set but not checked (disable_iss_validation defaults to true)", with(json!({"issuer": "https://kubernetes.default.svc"})), false),
        ("† session_epoch: moved by the operator", with(json!({"session_epoch": "2"})), true),
        ("left out: token_reviewer_jwt rotated (the gate's credential)", with(json!({"token_reviewer_jwt": "reviewer-2"})), false),
        ("left out: token_reviewer_jwt removed (the client's own token asks)", with(json!({"token_reviewer_jwt": null, "disable_local_ca_jwt": true})), false),
        ("left out: default_role (Bearer only; no session)", with(json!({"default_role": "glob"})), false),
    ];
    let before = binding(base.clone(), roles());
    for (case, config, ends) in rows {
        assert_eq!(binding(config, roles()) != before, ends, "{case}");
    }
    // A role changed: read at login, sessions untouched.
    let mut changed = roles();
    changed["default"]["policies"] = json!("admin");
    assert_eq!(binding(base.clone(), changed), before);
    // Local mode: its keys are its source, the API server is not asked.
    let local_before = binding(local.clone(), aud.clone());
    assert_ne!(local_before, before);
    let other_key = include_str!("vectors/certs/p256.pem");
    assert_ne!(binding(json!({"kubernetes_host": HOST, "pem_keys": [other_key], "local_verification": true}), aud.clone()), local_before, "local mode: other pem_keys");
    assert_ne!(binding(json!({"kubernetes_host": HOST, "jwks_url": "https://10.96.0.1/openid/v1/jwks", "local_verification": true}), aud.clone()), local_before, "local mode: keys from a URL");
    // A session made before is refused once the CA changes (403 at the host: the MAC holds, the binding does not).
    let m = mount_with(base.clone(), roles());
    let l = m.login("default", &token("default", "default"), None, NOW, Answer::Given(201, &review("default", "default", UID, &["https://kubernetes.default.svc.cluster.local"]))).unwrap();
    let key = SessionKey::new(b"0123456789abcdef0123456789abcdef-test-secret").unwrap();
    let t = key.mint(&l.session("kubernetes", &m.binding(), "id-0123456789abcdef", NOW)).unwrap();
    assert!(key.verify_at(&t, "kubernetes", &m.binding(), None, NOW).is_ok());
    let moved = mount_with(with(json!({"kubernetes_ca_cert": CA_B})), roles());
    assert!(key.verify_at(&t, "kubernetes", &moved.binding(), None, NOW).unwrap_err().message().contains("pinned CA"));
}
