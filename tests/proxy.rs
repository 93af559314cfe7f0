// The proxy's rules as tables (src/gate/proxy.rs): where a request goes (each row an attack on
// the upstream URL, or the control it must not break), which route it takes, ORIGIN's checks, and
// what of the headers crosses to the origin and back. The same rows run under workerd in
// worker/test/attacks.test.mjs, sent byte for byte.

use jwksgate::gate::proxy::{
    credential, location, normalise_path, request_headers, request_origin, response_headers, target, upstream, within, Forwarding, Origin, Route,
    Source, MAX_URL_BYTES, SESSION_COOKIE,
};
use jwksgate::Code;

const MOUNT: &str = "jwt";

fn origin(text: &str) -> Origin {
    Origin::parse(text).unwrap()
}

/// The URL fetched for a request to the gate at `path`, or the error's code.
fn fetched(origin: &Origin, path: &str) -> Result<String, Code> {
    let t = target(&format!("http://gate.example{path}"), MOUNT).map_err(|e| e.code())?;
    assert_eq!(t.route, Route::Proxy, "{path} is proxied");
    upstream(origin, &t).map_err(|e| e.code())
}

#[test]
fn the_upstream_url_is_origin_and_the_normalised_path() {
    let plain = origin("http://127.0.0.1:8791");
    let app = origin("https://Backend.Example:443/app/");
    // (attack, ORIGIN, request path-and-query, the URL fetched or the error)
    type Row<'a> = (&'a str, &'a Origin, &'a str, Result<&'a str, Code>);
    let bad = Err(Code::InvalidArgument);
    let table: Vec<Row> = vec![
        ("control: a plain path", &plain, "/app/orders?id=7", Ok("http://127.0.0.1:8791/app/orders?id=7")),
        ("control: the root", &plain, "/", Ok("http://127.0.0.1:8791/")),
        ("control: a bare ? is kept", &plain, "/a?", Ok("http://127.0.0.1:8791/a?")),
        ("//host names another host (new URL(path, origin) took it as the authority)", &plain, "//127.0.0.1:18999/internal/admin?q=1", Ok("http://127.0.0.1:8791/127.0.0.1:18999/internal/admin?q=1")),
        ("/\\host: WHATWG URL reads \\ as /", &plain, "/\\127.0.0.1:18999/x", Ok("http://127.0.0.1:8791/127.0.0.1:18999/x")),
        ("\\\\host", &plain, "\\\\127.0.0.1:18999/x", Ok("http://127.0.0.1:8791/127.0.0.1:18999/x")),
        ("///host", &plain, "///127.0.0.1:18999/x", Ok("http://127.0.0.1:8791/127.0.0.1:18999/x")),
        ("/..//host", &plain, "/..//127.0.0.1:18999/x", Ok("http://127.0.0.1:8791/127.0.0.1:18999/x")),
        ("/./\\host", &plain, "/./\\127.0.0.1:18999/x", Ok("http://127.0.0.1:8791/127.0.0.1:18999/x")),
        ("//user:pw@host", &plain, "//user:pw@127.0.0.1:18999/", Ok("http://127.0.0.1:8791/user:pw@127.0.0.1:18999/")),
        ("//host%3aport (a TypeError and a 500 before)", &plain, "//127.0.0.1%3a18999/", Ok("http://127.0.0.1:8791/127.0.0.1%3A18999/")),
        ("//v1 (a host named v1)", &plain, "//v1/x", Ok("http://127.0.0.1:8791/v1/x")),
        ("%2e%2e walking up to //host", &plain, "/a/%2e%2e/%2E%2e//127.0.0.1:18999/x", Ok("http://127.0.0.1:8791/127.0.0.1:18999/x")),
        ("%5chost: an encoded backslash", &plain, "/%5c127.0.0.1:18999/x", bad),
        ("%2f%2fhost: encoded slashes", &plain, "/%2F%2f127.0.0.1:18999/x", bad),
        ("an encoded slash inside a segment", &plain, "/app%2fadmin", bad),
        ("an encoded NUL", &plain, "/secret%00.txt", bad),
        ("encoded CR LF", &plain, "/a%0d%0aSet-Cookie:%20x=1", bad),
        ("an encoded DEL", &plain, "/a%7f", bad),
        ("a raw tab", &plain, "/a\tb", bad),
        ("bad %-encoding", &plain, "/a%zz", bad),
        ("truncated %-encoding", &plain, "/a%2", bad),
        ("a lone %", &plain, "/100%", bad),
        ("overlong UTF-8 dots (%c0%ae)", &plain, "/%c0%ae%c0%ae/admin", bad),
        ("a lone UTF-8 continuation byte", &plain, "/a%80", bad),
        ("..; (Tomcat and Jetty read a dot segment with parameters as ..)", &plain, "/app/..;/admin", bad),
        (".;x", &plain, "/app/.;x/admin", bad),
        ("%2e%2e;x", &plain, "/app/%2e%2e;x=1/admin", bad),
        ("... (Windows drops trailing dots)", &plain, "/app/.../admin", bad),
        (".. followed by an encoded space (Windows drops it)", &plain, "/app/..%20/admin", bad),
        ("control: a dot inside a name", &plain, "/a.b/..c/c..", Ok("http://127.0.0.1:8791/a.b/..c/c..")),
        ("control: ; parameters elsewhere pass", &plain, "/a;jsessionid=1/b", Ok("http://127.0.0.1:8791/a;jsessionid=1/b")),
        ("control: dot segments resolved", &plain, "/a/./b/../c", Ok("http://127.0.0.1:8791/a/c")),
        ("control: a trailing dot segment leaves the slash", &plain, "/a/b/..", Ok("http://127.0.0.1:8791/a/")),
        ("control: .. at the root stays at the root", &plain, "/../../etc/passwd", Ok("http://127.0.0.1:8791/etc/passwd")),
        ("control: repeated slashes inside and at the end", &plain, "/a//b//", Ok("http://127.0.0.1:8791/a/b/")),
        ("%-encoded unreserved characters are decoded", &plain, "/%61pp/%7Eorders%2D1", Ok("http://127.0.0.1:8791/app/~orders-1")),
        ("other escapes are upper-cased", &plain, "/caf%c3%a9%3b", Ok("http://127.0.0.1:8791/caf%C3%A9%3B")),
        ("raw bytes a URL serialiser encodes are encoded", &plain, "/a b\"<>^`{}é", Ok("http://127.0.0.1:8791/a%20b%22%3C%3E%5E%60%7B%7D%C3%A9")),
        ("control: other printable ASCII passes as it is", &plain, "/!$&'()*+,;=:@[]|", Ok("http://127.0.0.1:8791/!$&'()*+,;=:@[]|")),
        ("the query is the origin's, its escapes untouched", &plain, "/a?x=%2F..%2f&y=%zz", Ok("http://127.0.0.1:8791/a?x=%2F..%2f&y=%zz")),
        ("a query's raw bytes are encoded", &plain, "/a?q=a b'\"<>", Ok("http://127.0.0.1:8791/a?q=a%20b%27%22%3C%3E")),
        ("? inside the query stays", &plain, "/a?x=?//host", Ok("http://127.0.0.1:8791/a?x=?//host")),
        ("a fragment is dropped", &plain, "/a#//127.0.0.1:18999", Ok("http://127.0.0.1:8791/a")),
        ("pathed ORIGIN: a path outside it is appended (the path was dropped)", &app, "/admin/secret", Ok("https://backend.example/app/admin/secret")),
        ("pathed ORIGIN: the root is ORIGIN's path", &app, "/?q=1", Ok("https://backend.example/app/?q=1")),
        ("pathed ORIGIN: /.. cannot climb out", &app, "/../admin", Ok("https://backend.example/app/admin")),
        ("pathed ORIGIN: %2e%2e cannot climb out", &app, "/%2e%2e/%2E%2E/admin", Ok("https://backend.example/app/admin")),
        ("pathed ORIGIN: ..%2f (an origin decoding %2f climbs out)", &app, "/..%2fadmin", bad),
        ("pathed ORIGIN: ..%5c", &app, "/..%5cadmin", bad),
        ("pathed ORIGIN: ..; (Tomcat climbs out)", &app, "/..;/admin", bad),
        ("pathed ORIGIN: //host", &app, "//127.0.0.1:18999/x", Ok("https://backend.example/app/127.0.0.1:18999/x")),
    ];
    for (attack, origin, path, want) in &table {
        assert_eq!(fetched(origin, path).as_deref().map_err(|c| *c), *want, "{attack}");
    }
    assert!(table.len() >= 50);
}

#[test]
fn the_authority_of_the_request_url_is_never_used() {
    let plain = origin("http://127.0.0.1:8791");
    for url in ["http://127.0.0.1:18999/x", "http://user:pw@127.0.0.1:18999/x", "https://internal.example:443/x", "http://[::1]:18999/x"] {
        let t = target(url, MOUNT).unwrap();
        assert_eq!(upstream(&plain, &t).unwrap(), "http://127.0.0.1:8791/x", "{url}");
    }
    let long = format!("http://gate.example/{}", "a".repeat(MAX_URL_BYTES));
    assert_eq!(target(&long, MOUNT).unwrap_err().code(), Code::InvalidArgument, "a URL past the bound");
    assert_eq!(target("/no-scheme", MOUNT).unwrap_err().code(), Code::InvalidArgument);
}

#[test]
fn routes_are_decided_on_the_normalised_path() {
    // (case, path, route)
    let table = [
        ("login", "/v1/auth/jwt/login", Route::Login),
        ("//v1/auth/jwt/login: the login, not a host named v1", "//v1/auth/jwt/login", Route::Login),
        ("/v1//auth/token/lookup-self", "/v1//auth/token/lookup-self", Route::LookupSelf),
        ("%74oken: Vault routes on the decoded path", "/v1/auth/%74oken/lookup-self", Route::LookupSelf),
        ("a dot segment", "/v1/auth/x/../token/revoke-self", Route::RevokeSelf),
        ("a backslash", "/v1\\auth\\token\\renew-self", Route::RenewSelf),
        ("another mount's login", "/v1/auth/k8s/login", Route::NotFound),
        ("/V1/AUTH/ in upper case: the gate's, never the origin's", "/V1/AUTH/token/lookup-self", Route::NotFound),
        ("/v1/Auth", "/v1/Auth/jwt/login", Route::NotFound),
        ("/v1/auth itself", "/v1/auth", Route::NotFound),
        ("a trailing slash", "/v1/auth/jwt/login/", Route::NotFound),
        ("; parameters", "/v1/auth/token/lookup-self;x", Route::NotFound),
        ("control: /v1/other", "/v1/sys/health", Route::Proxy),
        ("control: /v1auth", "/v1auth/jwt/login", Route::Proxy),
        ("control: the root", "/", Route::Proxy),
    ];
    for (case, path, want) in table {
        assert_eq!(target(&format!("http://gate.example{path}"), MOUNT).unwrap().route, want, "{case}");
    }
    assert_eq!(target("http://g/v1/auth/k8s/prod/login", "k8s/prod").unwrap().route, Route::Login, "a mount with a slash");
}

#[test]
fn origin_is_checked_once_at_startup() {
    // (case, ORIGIN, its origin and path, or a part of the reason it is refused)
    let table: [(&str, &str, Result<(&str, &str), &str>); 22] = [
        ("plain", "http://127.0.0.1:8791", Ok(("http://127.0.0.1:8791", ""))),
        ("trailing slash", "http://127.0.0.1:8791/", Ok(("http://127.0.0.1:8791", ""))),
        ("a path", "https://backend.example/app/", Ok(("https://backend.example", "/app"))),
        ("a path without its slash", "https://backend.example/app/v2", Ok(("https://backend.example", "/app/v2"))),
        ("case and default port", "HTTPS://Backend.EXAMPLE:443/app", Ok(("https://backend.example", "/app"))),
        ("IPv6", "http://[0:0:0:0:0:0:0:1]:8080", Ok(("http://[::1]:8080", ""))),
        ("ftp", "ftp://backend.example", Err("http(s)")),
        ("no scheme", "backend.example", Err("absolute")),
        ("credentials", "http://user:pw@backend.example", Err("credentials")),
        ("a query", "http://backend.example/?x=1", Err("query")),
        ("a fragment", "http://backend.example/#x", Err("fragment")),
        ("a path with a dot segment", "http://backend.example/a/../b", Err("normal form: write /b/")),
        ("a path with repeated slashes", "http://backend.example//app", Err("normal form: write /app/")),
        ("a path with an encoded slash", "http://backend.example/a%2fb", Err("cannot use")),
        ("a backslash before the path", "http://backend.example\\app", Err("normal form")),
        ("no host", "http://:8080", Err("host")),
        ("a port out of range", "http://backend.example:65536", Err("host")),
        ("port 0", "http://backend.example:0", Err("host")),
        ("a numeric host a URL parser reads as IPv4 (2130706433 is 127.0.0.1)", "http://2130706433", Err("host")),
        ("a hexadecimal IPv4 label", "http://0x7f.1", Err("host")),
        ("a %-escape in the host", "http://127.0.0.1%2e", Err("host")),
        ("a non-ASCII host (write it in punycode)", "http://bäckend.example", Err("host")),
    ];
    for (case, text, want) in table {
        match (Origin::parse(text), want) {
            (Ok(o), Ok((origin, base))) => assert_eq!((o.origin().as_str(), o.base()), (origin, base), "{case}"),
            (Err(e), Err(part)) => {
                assert_eq!(e.code(), Code::ConfigInvalid, "{case}");
                assert!(e.message().contains(part), "{case}: {}", e.message());
            }
            (got, _) => panic!("{case}: {got:?}"),
        }
    }
}

#[test]
fn within_reads_a_url_as_a_url_parser_does() {
    let app = origin("http://o.example/app");
    let table = [
        ("control", "http://o.example/app/x", true),
        ("another host", "http://evil.example/app/x", false),
        ("another port", "http://o.example:81/app/x", false),
        ("another scheme", "https://o.example/app/x", false),
        ("userinfo naming ORIGIN", "http://o.example@evil.example/app/x", false),
        ("outside ORIGIN's path", "http://o.example/admin", false),
        ("a prefix of ORIGIN's path", "http://o.example/application", false),
        ("a dot segment", "http://o.example/app/../admin", false),
        ("an encoded dot segment", "http://o.example/app/%2e%2e/admin", false),
        ("a backslash", "http://o.example/app\\..\\admin", false),
        ("an encoded slash", "http://o.example/app/..%2Fadmin", false),
    ];
    for (case, url, want) in table {
        assert_eq!(within(url, &app), want, "{case}");
    }
}

#[test]
fn normalised_paths_are_fixed_points() {
    for path in ["/", "/a/", "/a/b", "/caf%C3%A9", "/a;b=1/c", "/~x-y_z.w", "/a%20b"] {
        assert_eq!(normalise_path(path).unwrap(), path);
        assert_eq!(normalise_path(&normalise_path(path).unwrap()).unwrap(), path);
    }
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect()
}

fn get<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

const SESSION: &str = "jgs.eyJ2IjoxfQ.bWFj";
const JWT: &str = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln";

#[test]
fn the_credential_is_found_where_the_gate_reads_it() {
    let cookie = |v: &str| ("cookie", v.to_owned());
    // (case, headers, cookies read, the token and where it was)
    let table: Vec<(&str, Vec<(&str, String)>, bool, Option<(&str, Source)>)> = vec![
        ("X-Vault-Token", vec![("x-vault-token", format!(" {SESSION} "))], true, Some((SESSION, Source::VaultToken))),
        ("Bearer", vec![("authorization", format!("Bearer {JWT}"))], true, Some((JWT, Source::Authorization))),
        ("bearer in lower case", vec![("authorization", format!("bearer  {JWT} "))], true, Some((JWT, Source::Authorization))),
        ("X-Vault-Token before Bearer", vec![("authorization", format!("Bearer {JWT}")), ("x-vault-token", SESSION.into())], true, Some((SESSION, Source::VaultToken))),
        ("a Bearer beside another scheme is not taken", vec![("authorization", format!("Basic Zm9v, Bearer {JWT}"))], true, None),
        ("two Bearers are not taken", vec![("authorization", format!("Bearer {JWT}, Bearer {JWT}"))], true, None),
        ("Bearer without a token", vec![("authorization", "Bearer ".into())], true, None),
        ("Bearer glued to its token", vec![("authorization", format!("Bearer{JWT}"))], true, None),
        ("the cookie", vec![cookie(&format!("a=1; {SESSION_COOKIE}={SESSION}"))], true, Some((SESSION, Source::Cookie))),
        ("the cookie after a comma (two Cookie fields joined)", vec![cookie(&format!("a=1, {SESSION_COOKIE}={SESSION}"))], true, Some((SESSION, Source::Cookie))),
        ("the cookie in a second field", vec![cookie("a=1"), cookie(&format!("{SESSION_COOKIE}={SESSION}"))], true, Some((SESSION, Source::Cookie))),
        ("the first session cookie wins", vec![cookie(&format!("{SESSION_COOKIE}=first; {SESSION_COOKIE}={SESSION}"))], true, Some(("first", Source::Cookie))),
        ("the cookie where cookies are not read (lookup-self)", vec![cookie(&format!("{SESSION_COOKIE}={SESSION}"))], false, None),
        ("the cookie's name in another case is not the cookie", vec![cookie(&format!("__host-jwksgate-session={SESSION}"))], true, None),
        ("X_Vault_Token is not X-Vault-Token", vec![("x_vault_token", SESSION.into())], true, None),
        ("an empty X-Vault-Token", vec![("x-vault-token", String::new())], true, None),
    ];
    for (case, headers, cookies, want) in table {
        let headers: Vec<(String, String)> = headers.into_iter().map(|(n, v)| (n.to_owned(), v)).collect();
        let got = credential(&headers, cookies);
        assert_eq!(got.as_ref().map(|c| (c.token.as_str(), c.source)), want, "{case}");
    }
}

#[test]
fn credentials_identity_and_routing_headers_never_reach_the_origin() {
    let identity = pairs(&[("x-auth-request-user", "system:serviceaccount:shop:cart"), ("x-auth-request-groups", "dev"), ("x-auth-request-role", "shop")]);
    let forwarding = Forwarding { client: Some("203.0.113.9"), gate: Some("https://gate.example") };
    // (attack, the caller's headers, what the origin may see of them beyond the gate's own)
    let table: Vec<(&str, Vec<(&str, String)>, Vec<(&str, &str)>)> = vec![
        ("control: ordinary headers pass", vec![("accept", "text/html".into()), ("user-agent", "curl".into())], vec![("accept", "text/html"), ("user-agent", "curl")]),
        ("control: a non-Bearer Authorization is the origin's", vec![("authorization", "Basic Zm9vOmJhcg==".into())], vec![("authorization", "Basic Zm9vOmJhcg==")]),
        ("X-Vault-Token", vec![("x-vault-token", SESSION.into())], vec![]),
        ("X_Vault_Token", vec![("X_Vault_Token", SESSION.into())], vec![]),
        ("Authorization: Bearer", vec![("authorization", format!("Bearer {JWT}"))], vec![]),
        ("Authorization: Basic ..., Bearer (two fields joined)", vec![("authorization", format!("Basic Zm9vOmJhcg==, Bearer {JWT}"))], vec![]),
        ("Authorization: Basic ...,bearer", vec![("authorization", format!("Basic Zm9v,bearer {JWT}"))], vec![]),
        ("Authorization in two fields", vec![("authorization", "Basic Zm9v".into()), ("authorization", format!("Bearer {JWT}"))], vec![("authorization", "Basic Zm9v")]),
        ("a session under another scheme", vec![("authorization", format!("Token {SESSION}"))], vec![]),
        ("Proxy-Authorization", vec![("proxy-authorization", format!("Bearer {JWT}"))], vec![]),
        ("the session cookie", vec![("cookie", format!("a=1; {SESSION_COOKIE}={SESSION}; b=2"))], vec![("cookie", "a=1; b=2")]),
        ("the session cookie after a comma", vec![("cookie", format!("a=1, {SESSION_COOKIE}={SESSION}"))], vec![("cookie", "a=1")]),
        ("commas and semicolons mixed", vec![("cookie", format!("t=d; a=1,{SESSION_COOKIE}={SESSION}; l=e"))], vec![("cookie", "t=d; a=1; l=e")]),
        ("two Cookie fields become one", vec![("cookie", "a=1".into()), ("cookie", format!("{SESSION_COOKIE}={SESSION}; b=2"))], vec![("cookie", "a=1; b=2")]),
        ("the cookie's name in another case, a space before =", vec![("cookie", format!("__HOST-jwksgate-session ={SESSION}; a=1"))], vec![("cookie", "a=1")]),
        ("a session under another name, quoted", vec![("cookie", format!("old=\"{SESSION}\"; a=1"))], vec![("cookie", "a=1")]),
        ("only the session cookie: no Cookie at all", vec![("cookie", format!("{SESSION_COOKIE}={SESSION}"))], vec![]),
        ("control: a value with a comma is kept whole", vec![("cookie", "prefs=a,b; l=e".into())], vec![("cookie", "prefs=a,b; l=e")]),
        ("identity by prefix, any case, _ for -", vec![
            ("X-Auth-Request-User", "admin".into()), ("x_auth_request_groups", "root".into()), ("X-Auth-Request-Namespace", "kube-system".into()),
            ("x-remote-user", "admin".into()), ("X-Remote-Groups", "system:masters".into()), ("x-remote-extra-scopes", "all".into()),
            ("X-Forwarded-User", "admin".into()), ("x-forwarded-email", "a@b".into()), ("X-Forwarded-Groups", "root".into()),
            ("x-forwarded-access-token", JWT.into()), ("x-forwarded-preferred-username", "admin".into()), ("REMOTE_USER", "admin".into()),
        ], vec![]),
        ("other gateways' identity", vec![
            ("cf-access-authenticated-user-email", "a@b".into()), ("Cf-Access-Jwt-Assertion", JWT.into()), ("x-ms-client-principal-name", "admin".into()),
            ("x-goog-authenticated-user-email", "a@b".into()), ("x-amzn-oidc-identity", "admin".into()), ("x-consumer-username", "admin".into()),
            ("x-authenticated-userid", "admin".into()), ("x-user", "admin".into()), ("x-email", "a@b".into()), ("x-jwt-payload", "e30".into()),
            ("x-webauth-user", "admin".into()), ("x-userinfo", "e30".into()), ("x-envoy-original-path", "/admin".into()),
        ], vec![]),
        ("forwarding and routing headers", vec![
            ("x-forwarded-for", "10.0.0.1".into()), ("x-forwarded-host", "internal".into()), ("x-forwarded-proto", "http".into()),
            ("forwarded", "for=10.0.0.1;host=internal".into()), ("x-real-ip", "10.0.0.1".into()), ("true-client-ip", "10.0.0.1".into()),
            ("cf-connecting-ip", "10.0.0.1".into()), ("x-original-url", "/admin".into()), ("x-rewrite-url", "/admin".into()), ("host", "internal".into()),
        ], vec![]),
        ("hop-by-hop, and what Connection names", vec![
            ("connection", "keep-alive, X-Hop".into()), ("x-hop", "secret".into()), ("keep-alive", "timeout=5".into()), ("proxy-connection", "keep-alive".into()),
            ("te", "trailers".into()), ("upgrade", "h2c".into()), ("transfer-encoding", "chunked".into()), ("content-length", "5".into()),
        ], vec![]),
        ("Connection naming the gate's own headers changes nothing", vec![("connection", "x-auth-request-user, x-forwarded-for".into())], vec![]),
    ];
    for (attack, headers, kept) in table {
        let headers: Vec<(String, String)> = headers.into_iter().map(|(n, v)| (n.to_owned(), v)).collect();
        let out = request_headers(&headers, &identity, forwarding);
        let mut want = pairs(&kept);
        want.extend(identity.iter().cloned());
        want.extend(pairs(&[("x-forwarded-for", "203.0.113.9"), ("x-forwarded-proto", "https"), ("x-forwarded-host", "gate.example")]));
        assert_eq!(out, want, "{attack}");
    }
    let bare = request_headers(&[], &[], Forwarding { client: Some("not an address"), gate: None });
    assert_eq!(bare, vec![], "no address, no origin: no forwarding headers");
}

#[test]
fn answers_from_the_origin_are_private_and_its_redirects_the_gates() {
    let plain = origin("http://127.0.0.1:8791");
    let app = origin("https://backend.example/app");
    // (case, ORIGIN, the origin's headers, what the caller gets of cache-control, vary, location and x-hop)
    type Want<'a> = (&'a str, &'a str, Option<&'a str>, Option<&'a str>);
    let table: Vec<(&str, &Origin, Vec<(&str, &str)>, Want)> = vec![
        ("no Cache-Control", &plain, vec![], ("private", "Authorization, Cookie, X-Vault-Token", None, None)),
        ("public becomes private", &plain, vec![("cache-control", "public, max-age=600")], ("private, max-age=600", "Authorization, Cookie, X-Vault-Token", None, None)),
        ("s-maxage is dropped", &plain, vec![("Cache-Control", "s-maxage=600, max-age=60, must-revalidate")], ("private, max-age=60, must-revalidate", "Authorization, Cookie, X-Vault-Token", None, None)),
        ("two Cache-Control fields", &plain, vec![("cache-control", "public"), ("cache-control", "max-age=5")], ("private, max-age=5", "Authorization, Cookie, X-Vault-Token", None, None)),
        ("a qualified private= becomes private", &plain, vec![("cache-control", "private=\"set-cookie, x\", max-age=5")], ("private, max-age=5", "Authorization, Cookie, X-Vault-Token", None, None)),
        ("no-store stays, less what speaks to shared caches", &plain, vec![("cache-control", "no-store, public, private")], ("no-store, private", "Authorization, Cookie, X-Vault-Token", None, None)),
        ("Vary is kept and completed", &plain, vec![("vary", "Accept-Encoding, cookie")], ("private", "Accept-Encoding, cookie, Authorization, X-Vault-Token", None, None)),
        ("Vary: *", &plain, vec![("vary", "*")], ("private", "*", None, None)),
        ("hop-by-hop named in Connection", &plain, vec![("connection", "x-hop"), ("x-hop", "secret")], ("private", "Authorization, Cookie, X-Vault-Token", None, None)),
        ("a redirect naming ORIGIN", &plain, vec![("location", "http://127.0.0.1:8791/next?x=1")], ("private", "Authorization, Cookie, X-Vault-Token", Some("/next?x=1"), None)),
        ("a redirect naming ORIGIN's root", &plain, vec![("location", "HTTP://127.0.0.1:8791")], ("private", "Authorization, Cookie, X-Vault-Token", Some("/"), None)),
        ("a redirect to another port is not ORIGIN", &plain, vec![("location", "http://127.0.0.1:18999/internal")], ("private", "Authorization, Cookie, X-Vault-Token", Some("http://127.0.0.1:18999/internal"), None)),
        ("a redirect to an identity provider", &plain, vec![("location", "https://idp.example/authorize?redirect_uri=http://127.0.0.1:8791/cb")], ("private", "Authorization, Cookie, X-Vault-Token", Some("https://idp.example/authorize?redirect_uri=http://127.0.0.1:8791/cb"), None)),
        ("a path with :// in its query is a path", &plain, vec![("location", "/login?next=http://x/")], ("private", "Authorization, Cookie, X-Vault-Token", Some("/login?next=http://x/"), None)),
        ("pathed: under ORIGIN's path, absolute", &app, vec![("location", "https://backend.example:443/app/next#f")], ("private", "Authorization, Cookie, X-Vault-Token", Some("/next#f"), None)),
        ("pathed: ORIGIN's path itself", &app, vec![("location", "https://backend.example/app?x=1")], ("private", "Authorization, Cookie, X-Vault-Token", Some("/?x=1"), None)),
        ("pathed: under ORIGIN's path, as a path", &app, vec![("location", "/app/next")], ("private", "Authorization, Cookie, X-Vault-Token", Some("/next"), None)),
        ("pathed: network-path reference", &app, vec![("location", "//backend.example/app/next")], ("private", "Authorization, Cookie, X-Vault-Token", Some("/next"), None)),
        ("pathed: a prefix of ORIGIN's path is not under it", &app, vec![("location", "/application")], ("private", "Authorization, Cookie, X-Vault-Token", Some("/application"), None)),
        ("pathed: a relative reference is the caller's to resolve", &app, vec![("location", "next")], ("private", "Authorization, Cookie, X-Vault-Token", Some("next"), None)),
    ];
    for (case, origin, headers, (cache, vary, loc, hop)) in table {
        let out = response_headers(&pairs(&headers), origin);
        assert_eq!(get(&out, "cache-control"), Some(cache), "{case}");
        assert_eq!(get(&out, "vary"), Some(vary), "{case}");
        assert_eq!(get(&out, "location"), loc, "{case}");
        assert_eq!(get(&out, "x-hop"), hop, "{case}");
        assert_eq!(get(&out, "connection"), None, "{case}");
    }
    let cdn = response_headers(&pairs(&[("cdn-cache-control", "max-age=600"), ("Cloudflare-CDN-Cache-Control", "max-age=600"), ("surrogate-control", "max-age=600"), ("set-cookie", "a=1"), ("set-cookie", "b=2")]), &plain);
    assert_eq!(cdn, pairs(&[("set-cookie", "a=1"), ("set-cookie", "b=2"), ("cache-control", "private"), ("vary", "Authorization, Cookie, X-Vault-Token")]), "CDN directives dropped, Set-Cookie fields kept apart");
    assert_eq!(location("http://127.0.0.1:8791/x", &plain), "/x");
}

#[test]
fn the_gates_own_origin_as_a_request_names_it() {
    let table = [
        ("http://gate.test/x", Some("http://gate.test")),
        ("HTTPS://Gate.Example:443/x?y", Some("https://gate.example")),
        ("http://127.0.0.1:8787/", Some("http://127.0.0.1:8787")),
        ("http://[::1]:8787", Some("http://[::1]:8787")),
        ("http://user@gate.test/", None),
        ("file:///etc/passwd", None),
    ];
    for (url, want) in table {
        assert_eq!(request_origin(url).as_deref(), want, "{url}");
    }
}

#[test]
fn no_sequence_of_hostile_pieces_leaves_origin() {
    // Every path of up to five of these pieces: refused, or fetched under ORIGIN's path, in normal form.
    let pieces = ["/", "\\", ".", "..", "%2e", "%2E%2e", "%2f", "%5C", ";", "@", ":", "%3a", "?", "#", "127.0.0.1", "%", "%c0%ae", " "];
    let app = origin("http://o.example/app");
    let mut paths = vec![String::new()];
    let (mut fetched_count, mut refused) = (0, 0);
    for _ in 0..5 {
        paths = paths.iter().flat_map(|p| pieces.iter().map(move |piece| format!("{p}{piece}"))).collect();
        for p in &paths {
            let Ok(t) = target(&format!("http://gate.example/{p}"), MOUNT) else {
                refused += 1;
                continue;
            };
            let url = upstream(&app, &t).unwrap();
            assert!(within(&url, &app), "/{p} -> {url}");
            assert!(url.starts_with("http://o.example/app/"), "/{p} -> {url}");
            assert_eq!(normalise_path(&t.path).unwrap(), t.path, "/{p}: the path is a fixed point");
            fetched_count += 1;
        }
    }
    assert!(fetched_count > 100_000 && refused > 100_000, "{fetched_count} fetched, {refused} refused");
}
