// Session tokens (HMAC-SHA256, RFC 2104) and Vault's request and response shapes, as tables:
// minted sessions verify; expired, tampered, forged, or out-of-CIDR ones do not; hostile login
// bodies are refused; identity headers cannot be split or broken by claim values.

use jwksgate::b64;
use jwksgate::gate::role::Login;
use jwksgate::gate::session::{Session, SessionKey, MIN_SECRET_BYTES};
use jwksgate::gate::store::Record;
use jwksgate::gate::vault::{display_name, header_value, identity_headers, login_response, login_response_text, lookup_response, parse_login_request, rfc3339, LoginRequest};
use jwksgate::Code;
use serde_json::Map;
use std::collections::BTreeMap;

const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef-test-secret";
const NOW: i64 = 1_700_000_000;
/// `MountTrust { path: "ab", key_source: "c", .. }`'s binding as the code before pins were bound
/// computed it (src/gate/session.rs `mount_binding` at 7415a45).
const OLD_BINDING_AB_C: &str = "PC12te3zccJfhiOUbJIS-w";

fn login(cidrs: &[&str]) -> Login {
    Login {
        role: "shop".into(),
        alias: "system:serviceaccount:shop:cart".into(),
        groups: vec!["dev".into()],
        policies: vec!["default".into(), "shop-read".into()],
        metadata: BTreeMap::from([("role".into(), "shop".into()), ("namespace".into(), "shop".into())]),
        ttl: 600,
        bound_cidrs: cidrs.iter().map(|s| s.to_string()).collect(),
        explicit_max_ttl: 0,
        period: 0,
        num_uses: 0,
        max_lifetime: Some(600),
        warnings: Vec::new(),
        claims: Map::new(),
    }
}

fn flip_char(s: &str, at: usize) -> String {
    let mut b = s.as_bytes().to_vec();
    b[at] = if b[at] == b'A' { b'B' } else { b'A' };
    String::from_utf8(b).unwrap()
}

#[test]
fn sessions_verify_only_when_untouched_and_current() {
    let key = SessionKey::new(SECRET).unwrap();
    let session = Session::from_login(&login(&[]), "jwt", "b", "id-1", NOW);
    let token = key.mint(&session).unwrap();
    assert!(token.starts_with("jgs."));
    let bound = key.mint(&Session::from_login(&login(&["10.0.0.0/8"]), "jwt", "b", "id-2", NOW)).unwrap();
    let other = SessionKey::new(b"another-secret-another-secret-another").unwrap();
    let forged = other.mint(&session).unwrap();
    // Forge the payload (role swapped) and keep the genuine MAC.
    let (_, mac) = token.rsplit_once('.').unwrap();
    let mut evil = session.clone();
    evil.role = "admin".into();
    let evil_body = format!("jgs.{}.{}", b64::encode(serde_json::to_string(&evil).unwrap().as_bytes()), mac);
    let body_flip = flip_char(&token, 10);
    let mac_flip = flip_char(&token, token.len() - 5);
    let huge = format!("jgs.{}", "A".repeat(20_000));

    // (case, token, remote, now, expected: Ok(id) or Err(substring))
    type Row<'a> = (&'a str, &'a str, Option<&'a str>, i64, Result<&'a str, &'a str>);
    let table: Vec<Row> = vec![
        ("fresh", &token, None, NOW, Ok("id-1")),
        ("one second before the maximum", &token, None, NOW + 599, Ok("id-1")),
        ("at the maximum (mx; the store keeps the current expiry)", &token, None, NOW + 600, Err("expired")),
        ("after exp", &token, None, NOW + 10_000, Err("expired")),
        ("forged with another secret", &forged, None, NOW, Err("does not verify")),
        ("payload swapped", &evil_body, None, NOW, Err("does not verify")),
        ("payload byte flipped", &body_flip, None, NOW, Err("does not verify")),
        ("mac byte flipped", &mac_flip, None, NOW, Err("")),
        ("truncated mac", &token[..token.len() - 2], None, NOW, Err("")),
        ("no prefix", &token[4..], None, NOW, Err("not a session token")),
        ("a JWT", "eyJhbGciOiJSUzI1NiJ9.e30.c2ln", None, NOW, Err("not a session token")),
        ("empty", "", None, NOW, Err("not a session token")),
        ("oversized", &huge, None, NOW, Err("not a session token")),
        ("cidr inside", &bound, Some("10.9.8.7"), NOW, Ok("id-2")),
        ("cidr outside", &bound, Some("192.0.2.1"), NOW, Err("permission denied")),
        ("cidr, no address", &bound, None, NOW, Err("permission denied")),
    ];
    for (case, t, remote, now, want) in table {
        let got = key.verify(t, remote.map(|r| r.parse().unwrap()), now);
        match (want, got) {
            (Ok(id), Ok(s)) => assert_eq!(s.id, id, "{case}"),
            (Err(msg), Err(e)) => {
                assert_eq!(e.code(), Code::SessionInvalid, "{case}");
                assert!(e.message().contains(msg), "{case}: {}", e.message());
            }
            (w, g) => panic!("{case}: want {w:?}, got {g:?}"),
        }
    }
    assert_eq!(key.verify(&token, None, NOW).unwrap(), session);
}

#[test]
fn secrets_shorter_than_256_bits_are_refused() {
    assert_eq!(SessionKey::new(&[7u8; MIN_SECRET_BYTES - 1]).unwrap_err().code(), Code::ConfigInvalid);
    assert!(SessionKey::new(&[7u8; MIN_SECRET_BYTES]).is_ok());
}

#[test]
fn accessor_and_entity_are_stable_and_distinct() {
    let key = SessionKey::new(SECRET).unwrap();
    assert_eq!(key.accessor("a"), key.accessor("a"));
    assert_ne!(key.accessor("a"), key.accessor("b"));
    assert_ne!(key.accessor("a"), SessionKey::new(b"another-secret-another-secret-another").unwrap().accessor("a"));
    let e = key.entity_id("jwt", "x");
    assert_eq!(e.len(), 36);
    assert_ne!(e, key.entity_id("jwt", "y"));
    // Keyed on mount and alias (Vault's CreateOrFetchEntity): another mount is another entity.
    assert_ne!(e, key.entity_id("k8s-prod", "x"));
}

#[test]
fn display_names_as_login_create_token_makes_them() {
    // vault/request_handling.go LoginCreateToken: the mount with '/' as '-', '-', the alias.
    let table = [
        ("jwt", "system:serviceaccount:shop:cart", "jwt-system:serviceaccount:shop:cart"),
        ("k8s/prod", "cart", "k8s-prod-cart"),
        ("k8s/prod/", "cart", "k8s-prod-cart"),
        ("jwt", "", "jwt"),
    ];
    for (mount, alias, want) in table {
        assert_eq!(display_name(mount, alias), want, "{mount} {alias}");
    }
}

#[test]
fn vault_shapes() {
    let key = SessionKey::new(SECRET).unwrap();
    let session = Session::from_login(&login(&[]), "jwt", "b", "id-1", NOW);
    let token = key.mint(&session).unwrap();
    let l = login_response(&key, &session, &token, "req-1", &[]);
    assert_eq!(l["warnings"], serde_json::Value::Null);
    let warned = login_response(&key, &session, &token, "req-1", &["capped".into()]);
    assert_eq!(warned["warnings"], serde_json::json!(["capped"]));
    for field in ["request_id", "lease_id", "renewable", "lease_duration", "data", "wrap_info", "warnings", "auth"] {
        assert!(l.get(field).is_some(), "login: {field}");
    }
    let auth = &l["auth"];
    for field in ["client_token", "accessor", "policies", "token_policies", "metadata", "lease_duration", "renewable", "entity_id", "token_type", "orphan"] {
        assert!(auth.get(field).is_some(), "auth: {field}");
    }
    assert_eq!(auth["client_token"], token.as_str());
    assert_eq!(auth["lease_duration"], 600);
    assert_eq!(auth["metadata"]["role"], "shop");
    let k = lookup_response(&key, &session, &Record::new(&session), 0, &token, "req-2", NOW + 100);
    assert_eq!(k["data"]["display_name"], "jwt-system:serviceaccount:shop:cart");
    assert_eq!(k["data"]["ttl"], 500);
    assert_eq!(k["data"]["path"], "auth/jwt/login");
    assert_eq!(k["data"]["expire_time"], "2023-11-14T22:23:20Z");
    assert_eq!(k["data"]["meta"]["namespace"], "shop");
    assert_eq!(k["data"]["entity_id"], auth["entity_id"]);
    // handleLookup: bound_cidrs and period only when set; explicit_max_ttl always.
    assert!(k["data"].get("bound_cidrs").is_none() && k["data"].get("period").is_none());
    assert_eq!(k["data"]["explicit_max_ttl"], 0);
    let mut limited = login(&["10.0.0.0/8", "192.0.2.7"]);
    limited.explicit_max_ttl = 600;
    limited.period = 300;
    let s2 = Session::from_login(&limited, "k8s/prod", "b", "id-3", NOW);
    let t2 = key.mint(&s2).unwrap();
    let k2 = lookup_response(&key, &s2, &Record::new(&s2), 0, &t2, "req-3", NOW);
    assert_eq!(k2["data"]["bound_cidrs"], serde_json::json!(["10.0.0.0/8", "192.0.2.7"]));
    assert_eq!((k2["data"]["explicit_max_ttl"].as_u64(), k2["data"]["period"].as_u64()), (Some(600), Some(300)));
    assert_eq!(k2["data"]["display_name"], "k8s-prod-system:serviceaccount:shop:cart");
    assert_eq!(k2["data"]["path"], "auth/k8s/prod/login");
    // (seconds, RFC 3339)
    for (secs, text) in [(0, "1970-01-01T00:00:00Z"), (951_782_400, "2000-02-29T00:00:00Z"), (1_700_000_000, "2023-11-14T22:13:20Z"), (4_102_444_799, "2099-12-31T23:59:59Z")] {
        assert_eq!(rfc3339(secs), text);
    }
}

#[test]
fn login_bodies() {
    let ok = |role: Option<&str>, jwt: Option<&str>, set_cookie: bool| Ok(LoginRequest { role: role.map(str::to_owned), jwt: jwt.map(str::to_owned), set_cookie });
    let deep = format!("{{\"role\":\"r\",\"jwt\":{}{}}}", "[".repeat(10_000), "]".repeat(10_000));
    let deep_unknown = format!("{{\"x\":{}1{},\"jwt\":\"t\"}}", "{\"a\":".repeat(10_000), "}".repeat(10_000));
    // (case, body, expected: Ok(request) or Err(message substring))
    let table: Vec<(&str, Vec<u8>, std::result::Result<LoginRequest, &str>)> = vec![
        ("role and jwt", br#"{"role":"shop","jwt":"a.b.c"}"#.to_vec(), ok(Some("shop"), Some("a.b.c"), false)),
        ("set_cookie", br#"{"jwt":"a.b.c","set_cookie":true}"#.to_vec(), ok(None, Some("a.b.c"), true)),
        ("empty body is an empty object", b"".to_vec(), ok(None, None, false)),
        ("null and empty strings are absent", br#"{"role":null,"jwt":"","set_cookie":null}"#.to_vec(), ok(None, None, false)),
        ("unknown members are ignored, as Vault does", br#"{"jwt":"t","policies":["root"],"__proto__":{"role":"admin"}}"#.to_vec(), ok(None, Some("t"), false)),
        ("not JSON", b"{nope".to_vec(), Err("failed to parse JSON input")),
        ("whitespace only", b"  ".to_vec(), Err("failed to parse JSON input")),
        ("an array", br#"[{"jwt":"t"}]"#.to_vec(), Err("must be a JSON object")),
        ("a string", br#""t""#.to_vec(), Err("must be a JSON object")),
        ("null", b"null".to_vec(), Err("must be a JSON object")),
        ("role a number", br#"{"role":5,"jwt":"t"}"#.to_vec(), Err("field \"role\" must be a string")),
        ("role a list", br#"{"role":["shop"],"jwt":"t"}"#.to_vec(), Err("field \"role\" must be a string")),
        ("role true", br#"{"role":true,"jwt":"t"}"#.to_vec(), Err("field \"role\" must be a string")),
        ("jwt an object", br#"{"jwt":{"t":1}}"#.to_vec(), Err("field \"jwt\" must be a string")),
        ("jwt a list", br#"{"jwt":["t"]}"#.to_vec(), Err("field \"jwt\" must be a string")),
        ("set_cookie a string", br#"{"jwt":"t","set_cookie":"true"}"#.to_vec(), Err("field \"set_cookie\" must be a boolean")),
        ("duplicate jwt", br#"{"jwt":"x.y.z","jwt":"t"}"#.to_vec(), Err("duplicate member \"jwt\"")),
        ("duplicate role", br#"{"role":"bank","role":"shop","jwt":"t"}"#.to_vec(), Err("duplicate member \"role\"")),
        ("byte order mark", b"\xef\xbb\xbf{\"jwt\":\"t\"}".to_vec(), Err("failed to parse JSON input")),
        ("invalid UTF-8 in a string", b"{\"role\":\"sh\xc3\x28op\",\"jwt\":\"t\"}".to_vec(), Err("failed to parse JSON input")),
        ("invalid UTF-8 outside strings", b"\xff{\"jwt\":\"t\"}".to_vec(), Err("failed to parse JSON input")),
        ("lone surrogate escape", br#"{"role":"\ud800","jwt":"t"}"#.to_vec(), Err("failed to parse JSON input")),
        ("10,000-deep jwt", deep.into_bytes(), Err("nested deeper than 64")),
        ("10,000-deep unknown member", deep_unknown.into_bytes(), Err("nested deeper than 64")),
        ("number beyond double range", br#"{"jwt":1e999}"#.to_vec(), Err("failed to parse JSON input")),
        ("trailing data", br#"{"jwt":"t"} {"jwt":"u"}"#.to_vec(), Err("failed to parse JSON input")),
    ];
    for (case, body, want) in table {
        match (want, parse_login_request(&body)) {
            (Ok(w), Ok(g)) => assert_eq!(g, w, "{case}"),
            (Err(msg), Err(e)) => {
                assert_eq!(e.code(), Code::InvalidArgument, "{case}");
                assert_eq!(jwksgate::gate::role::http_status(&e), 400, "{case}");
                assert!(e.message().contains(msg), "{case}: {}", e.message());
                assert!(e.message().len() < 200, "{case}: the message is bounded");
            }
            (w, g) => panic!("{case}: want {w:?}, got {g:?}"),
        }
    }
}

#[test]
fn identity_header_values_cannot_split_or_break() {
    // (case, claim value, header value)
    let table = [
        ("a ServiceAccount sub stays readable", "system:serviceaccount:shop:cart", "system:serviceaccount:shop:cart"),
        ("an email", "dev@example.com", "dev@example.com"),
        ("a comma would split the groups list", "dev,root", "dev%2Croot"),
        ("a percent sign is encoded, so decoding is exact", "100%", "100%25"),
        ("spaces", "ops team", "ops%20team"),
        ("CR LF cannot start another header", "x\r\nx-auth-request-role: admin", "x%0D%0Ax-auth-request-role:%20admin"),
        ("non-ASCII as UTF-8 octets", "cärt", "c%C3%A4rt"),
        ("empty", "", ""),
    ];
    for (case, value, want) in table {
        assert_eq!(header_value(value), want, "{case}");
    }
    let h = identity_headers("jwt", "shop", "system:serviceaccount:shop:cart", &["dev,root".into(), "ops".into()], &["default".into()]);
    assert_eq!(h["x-auth-request-groups"], "dev%2Croot,ops");
    assert_eq!(h["x-auth-request-role"], "shop");
}

// Issue 22 item 1: the origin must tell the mount (cluster) and the policies, and one alias in
// two mounts must be two users, as Vault keeps one entity per mount accessor
// (vault/identity_store_util.go CreateOrFetchEntity keys aliases on the mount accessor) and names
// tokens `<mount>-<alias>` (LoginCreateToken's display_name). Old code: `-User` was the bare
// alias and neither `-Mount` nor `-Policies` was sent.
#[test]
fn identity_headers_name_the_mount_and_the_policies() {
    let shop = "system:serviceaccount:shop:cart";
    // (case, mount, alias, policies, user, mount header, policies header)
    let table = [
        ("prod's workload", "k8s-prod", shop, vec!["default", "shop"], "k8s-prod/system:serviceaccount:shop:cart", "k8s-prod", "default,shop"),
        ("the same name in staging is another user", "k8s-staging", shop, vec!["default", "staging"], "k8s-staging/system:serviceaccount:shop:cart", "k8s-staging", "default,staging"),
        ("a mount path with a slash", "k8s/prod", "c", vec![], "k8s/prod/c", "k8s/prod", ""),
        ("a slash in the alias is encoded: the last '/' ends the mount", "k8s", "prod/c", vec![], "k8s/prod%2Fc", "k8s", ""),
        ("a comma in a policy cannot split the list", "jwt", "x", vec!["a,b", "c"], "jwt/x", "jwt", "a%2Cb,c"),
        ("CR LF in an alias", "jwt", "x\r\nx-auth-request-mount: root", vec![], "jwt/x%0D%0Ax-auth-request-mount:%20root", "jwt", ""),
    ];
    for (case, mount, alias, policies, user, mount_header, policies_header) in table {
        let policies: Vec<String> = policies.into_iter().map(str::to_owned).collect();
        let h = identity_headers(mount, "role", alias, &[], &policies);
        assert_eq!(h["x-auth-request-user"], user, "{case}");
        assert_eq!(h["x-auth-request-mount"], mount_header, "{case}");
        assert_eq!(h["x-auth-request-policies"], policies_header, "{case}");
    }
    assert_ne!(identity_headers("k8s/prod", "r", "c", &[], &[])["x-auth-request-user"], identity_headers("k8s", "r", "prod/c", &[], &[])["x-auth-request-user"]);
}

// Issue 22 item 2: a session carries its mount's binding under the MAC and is refused where the
// mount is gone or configured otherwise (Vault: a disabled mount's tokens are revoked, a new
// mount never honours them; vault/router.go and the expiration manager's RevokePrefix on
// disable). Old code: sessions carried the mount's name only.
#[test]
fn sessions_are_bound_to_their_mount_configuration() {
    use jwksgate::gate::session::MountTrust;
    let key = SessionKey::new(SECRET).unwrap();
    let prod = MountTrust { path: "k8s", key_source: "oidc_discovery_url\nhttps://prod.example", ca_pem: None, bound_issuer: Some("https://prod.example"), epoch: "" };
    let token = key.mint(&Session::from_login(&login(&[]), "k8s", &prod.binding(), "id-b", NOW)).unwrap();
    // (case, mount, binding, Ok or the refusal)
    let table: [(&str, &str, MountTrust, Result<(), &str>); 7] = [
        ("control: the mount as it was", "k8s", prod, Ok(())),
        ("the mount gone, another one asked", "jwt", prod, Err("another mount")),
        ("same path, pointed at another cluster", "k8s", MountTrust { key_source: "oidc_discovery_url\nhttps://staging.example", bound_issuer: Some("https://staging.example"), ..prod }, Err("another configuration")),
        ("same keys, another bound_issuer", "k8s", MountTrust { bound_issuer: Some("https://other.example"), ..prod }, Err("another configuration")),
        ("bound_issuer unset", "k8s", MountTrust { bound_issuer: None, ..prod }, Err("another configuration")),
        ("the operator's session_epoch moved", "k8s", MountTrust { epoch: "2", ..prod }, Err("another configuration")),
        ("PEM keys in place of discovery", "k8s", MountTrust { key_source: "jwt_validation_pubkeys\n-----BEGIN PUBLIC KEY-----", ..prod }, Err("another configuration")),
    ];
    for (case, mount, trust, want) in table {
        let got = key.verify_at(&token, mount, &trust.binding(), None, NOW + 1).map(|_| ()).map_err(|e| e.message().to_owned());
        match want {
            Ok(()) => assert!(got.is_ok(), "{case}: {got:?}"),
            Err(s) => assert!(got.as_ref().is_err_and(|m| m.contains(s)), "{case}: {got:?}"),
        }
    }
    // Fields cannot slide into each other (length-prefixed).
    assert_ne!(MountTrust { path: "ab", key_source: "c", ..prod }.binding(), MountTrust { path: "a", key_source: "bc", ..prod }.binding());
    // An unpinned mount's binding is the one sessions carried before pins were bound (format 3,
    // issue 22): they outlive the upgrade. Computed by that code at 7415a45.
    assert_eq!(MountTrust { path: "ab", key_source: "c", ca_pem: None, bound_issuer: None, epoch: "" }.binding(), OLD_BINDING_AB_C);
    // A session of the previous format (no binding) is refused whatever the mount.
    let mut old = Session::from_login(&login(&[]), "k8s", "", "id-old", NOW);
    old.v = 2;
    let t = key.mint(&old).unwrap();
    assert_eq!(key.verify_at(&t, "k8s", "", None, NOW + 1).unwrap_err().code(), Code::SessionInvalid);
}

// Issue 23's leftover: the CA a mount pins is part of what it trusts. A mount pinned to one
// cluster's CA and then to another's (or to none: the public roots) reaches another issuer at
// the same URL, so its earlier sessions are refused, as when its key source changes (Vault: a
// disabled mount's tokens are revoked, a new mount never honours them). The pin is read as
// rustls reads it (rustls-pki-types `CertificateDer::pem_slice_iter`, then
// `RootCertStore::add_parsable_certificates`): the set of certificates, whatever the text around
// them. Old code: the pin was not in the binding, every row below but the controls held.
#[test]
fn sessions_are_bound_to_their_mount_pinned_ca() {
    use jwksgate::gate::session::MountTrust;
    let cert = |body: &str| format!("-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----\n");
    let (a, b) = (cert("MIIBY2EtYQ=="), cert("MIIBY2EtYg=="));
    let key = SessionKey::new(SECRET).unwrap();
    let pinned = MountTrust { path: "k8s", key_source: "oidc_discovery_url\nhttps://10.0.0.1:6443", ca_pem: Some(&a), bound_issuer: Some("https://kubernetes.default.svc"), epoch: "" };
    let token = key.mint(&Session::from_login(&login(&[]), "k8s", &pinned.binding(), "id-p", NOW)).unwrap();
    let (crlf, text_around, both, both_reversed, twice) = (a.replace('\n', "\r\n"), format!("Subject: CN=kubernetes\n{a}# end\n"), format!("{a}{b}"), format!("{b}{a}"), format!("{a}{a}"));
    let public_key = "-----BEGIN PUBLIC KEY-----\nMIIBcGs=\n-----END PUBLIC KEY-----\n";
    let with_key = format!("{a}{public_key}");
    // (case, the pin the mount has now, whether the session holds)
    let table: [(&str, Option<&str>, bool); 9] = [
        ("control: the same pin", Some(&a), true),
        ("control: the same certificate, CRLF line ends", Some(&crlf), true),
        ("control: the same certificate, text around it (RFC 7468 section 5.2)", Some(&text_around), true),
        ("control: the same certificate twice", Some(&twice), true),
        ("control: another block beside it, which no TLS client takes as a root", Some(&with_key), true),
        ("another cluster's CA", Some(&b), false),
        ("the pin removed: the platform's public roots", None, false),
        ("a CA added to the bundle: another server trusted too", Some(&both), false),
        ("a CA added, in the other order", Some(&both_reversed), false),
    ];
    for (case, pin, holds) in table {
        let got = key.verify_at(&token, "k8s", &MountTrust { ca_pem: pin, ..pinned }.binding(), None, NOW + 1);
        assert_eq!(got.is_ok(), holds, "{case}: {got:?}");
        if !holds {
            assert!(got.unwrap_err().message().contains("pinned CA"), "{case}");
        }
    }
    assert_eq!(MountTrust { ca_pem: Some(&both), ..pinned }.binding(), MountTrust { ca_pem: Some(&both_reversed), ..pinned }.binding(), "a bundle is a set");
    // A bundle the PEM reader refuses, or that holds no certificate, is bound by its text:
    // any change to it ends the sessions (the safe way), and it never equals a real pin.
    let broken = "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n";
    let bound = |pin: &str| MountTrust { ca_pem: Some(pin), ..pinned }.binding();
    assert_ne!(bound(broken), bound(&broken.replace("not", "nor")));
    assert_ne!(bound(public_key), bound(&a));
    assert_ne!(bound(broken), pinned.binding());
}

/// The login answer written as text (`login_response_text`, what the worker sends) is byte for
/// byte the serialization of the value (`login_response`, Vault's `logical.Response` shape as
/// Vault's HTTP layer writes it): members in serde_json's sorted order, strings escaped alike.
#[test]
fn login_answer_text_is_the_value_serialized() {
    let key = SessionKey::new(SECRET).unwrap();
    // (case, mount, alias, policies, metadata, num_uses, ttl, request id, warnings)
    type Row = (&'static str, &'static str, &'static str, &'static [&'static str], &'static [(&'static str, &'static str)], u64, u64, &'static str, &'static [&'static str]);
    let rows: &[Row] = &[
        ("plain", "jwt", "system:serviceaccount:shop:cart", &["default", "shop-read"], &[("role", "shop")], 0, 600, "5f0c6e2a-1b7d-4c55-9d3e-0a1b2c3d4e5f", &[]),
        ("capped TTL (CalculateTTL's warning)", "jwt", "bob", &["read"], &[("role", "r")], 0, 60, "req", &["TTL of \"768h\" exceeded the effective max_ttl of \"1m\"; TTL value is capped accordingly"]),
        ("two warnings, control characters", "k8s/prod", "a\"b\\c\u{1}\n\t\u{7f}", &[], &[("role", "r"), ("x", "\u{2028}\u{2029}")], 5, 3600, "r\"q", &["one", "two\r\n"]),
        ("integer-like and odd metadata keys (sorted as strings)", "a/b/c", "ü/ß/€/😀", &["p1", "p,2"], &[("role", "r"), ("10", "ten"), ("9", "nine"), ("__proto__", "p"), ("", "empty")], 1, 0, "", &[]),
        ("no policies, long lease, many uses", "jwt", "", &[], &[("role", "")], u64::from(u32::MAX), 768 * 3600, "id", &[]),
    ];
    for (case, mount, alias, policies, meta, uses, ttl, request_id, warnings) in rows {
        let mut l = login(&[]);
        l.alias = (*alias).into();
        l.policies = policies.iter().map(|p| p.to_string()).collect();
        l.metadata = meta.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        l.num_uses = *uses;
        l.ttl = *ttl;
        let session = Session::from_login(&l, mount, "b", "id-1", NOW);
        let token = key.mint(&session).unwrap();
        let warnings: Vec<String> = warnings.iter().map(|w| w.to_string()).collect();
        let want = serde_json::to_string(&login_response(&key, &session, &token, request_id, &warnings)).unwrap();
        assert_eq!(login_response_text(&key, &session, &token, request_id, &warnings), want, "{case}");
    }
}
