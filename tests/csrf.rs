// Login CSRF (src/gate/csrf.rs) as a table: a login with set_cookie is refused unless it is JSON
// from the gate's own origin; each row is a way a page elsewhere could try to plant a session.

use jwksgate::gate::csrf::{check_cookie_login, check_cookie_request};
use jwksgate::Code;

const GATE: &str = "https://gate.example";

#[test]
fn a_cookie_login_must_be_same_origin_json() {
    // (attack, headers, the gate's origin, Ok or the error's code)
    let table: [(&str, &[(&str, &str)], Option<&str>, Result<(), Code>); 17] = [
        ("control: JSON from the gate's page", &[("content-type", "application/json"), ("origin", GATE), ("sec-fetch-site", "same-origin")], Some(GATE), Ok(())),
        ("control: JSON with a charset", &[("content-type", "Application/JSON; charset=utf-8")], Some(GATE), Ok(())),
        ("control: no Origin (curl, a Vault client)", &[("content-type", "application/json")], Some(GATE), Ok(())),
        ("control: Origin in another case", &[("content-type", "application/json"), ("origin", "HTTPS://GATE.EXAMPLE")], Some(GATE), Ok(())),
        ("control: same-site Fetch Metadata from the gate's origin", &[("content-type", "application/json"), ("origin", GATE), ("sec-fetch-site", "same-site")], Some(GATE), Ok(())),
        ("a cross-site form: text/plain", &[("content-type", "text/plain")], Some(GATE), Err(Code::InvalidArgument)),
        ("a form: urlencoded", &[("content-type", "application/x-www-form-urlencoded")], Some(GATE), Err(Code::InvalidArgument)),
        ("a form: multipart", &[("content-type", "multipart/form-data; boundary=x")], Some(GATE), Err(Code::InvalidArgument)),
        ("no Content-Type", &[], Some(GATE), Err(Code::InvalidArgument)),
        ("two Content-Types", &[("content-type", "application/json"), ("content-type", "text/plain")], Some(GATE), Err(Code::InvalidArgument)),
        ("application/json as a parameter of text/plain", &[("content-type", "text/plain; application/json")], Some(GATE), Err(Code::InvalidArgument)),
        ("a foreign Origin", &[("content-type", "application/json"), ("origin", "https://attacker.example")], Some(GATE), Err(Code::PermissionDenied)),
        ("Origin: null", &[("content-type", "application/json"), ("origin", "null")], Some(GATE), Err(Code::PermissionDenied)),
        ("another port of the gate's host", &[("content-type", "application/json"), ("origin", "https://gate.example:8443")], Some(GATE), Err(Code::PermissionDenied)),
        ("a sibling that shares the prefix", &[("content-type", "application/json"), ("origin", "https://gate.example.attacker.example")], Some(GATE), Err(Code::PermissionDenied)),
        ("Sec-Fetch-Site: cross-site without Origin", &[("content-type", "application/json"), ("sec-fetch-site", "Cross-Site")], Some(GATE), Err(Code::PermissionDenied)),
        ("an Origin when the gate's own is unknown", &[("content-type", "application/json"), ("origin", GATE)], None, Err(Code::PermissionDenied)),
    ];
    for (attack, headers, gate, want) in table {
        let headers: Vec<(String, String)> = headers.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect();
        assert_eq!(check_cookie_login(&headers, gate).map_err(|e| e.code()), want, "{attack}");
    }
}

// Issue 22 item 4: a request the session cookie authenticates, on a method that may change state
// (a proxied POST, revoke-self), is refused from another origin; a sibling subdomain is the same
// site, so SameSite=Strict sends the cookie and Sec-Fetch-Site says `same-site`. Old code: no
// check at all (a sibling's form POST was proxied as the victim; logout CSRF on revoke-self).
#[test]
fn a_cookie_request_that_changes_state_must_be_same_origin() {
    const SIBLING: &str = "https://blog.example";
    // (attack, method, headers, Ok or the error's code)
    let table: [(&str, &str, &[(&str, &str)], Result<(), Code>); 17] = [
        ("control: the gate's own page posts", "POST", &[("origin", GATE), ("sec-fetch-site", "same-origin")], Ok(())),
        ("control: a client that is no browser (no Origin, no Fetch Metadata)", "POST", &[], Ok(())),
        ("control: a link from a sibling (GET navigation)", "GET", &[("sec-fetch-site", "same-site"), ("sec-fetch-mode", "navigate")], Ok(())),
        ("control: a sibling's image (HEAD/GET, no-cors: no Origin)", "HEAD", &[("sec-fetch-site", "same-site"), ("sec-fetch-mode", "no-cors")], Ok(())),
        ("a sibling's CORS read with credentials (GET with its Origin)", "GET", &[("origin", SIBLING), ("sec-fetch-site", "same-site"), ("sec-fetch-mode", "cors")], Err(Code::PermissionDenied)),
        ("control: a user-typed request (Sec-Fetch-Site: none)", "POST", &[("sec-fetch-site", "none")], Ok(())),
        ("a sibling subdomain's form POST", "POST", &[("origin", SIBLING), ("sec-fetch-site", "same-site")], Err(Code::PermissionDenied)),
        ("same-site Fetch Metadata alone", "POST", &[("sec-fetch-site", "Same-Site")], Err(Code::PermissionDenied)),
        ("a cross-site form POST", "POST", &[("origin", "https://attacker.example"), ("sec-fetch-site", "cross-site")], Err(Code::PermissionDenied)),
        ("Origin: null (a sandboxed frame)", "POST", &[("origin", "null")], Err(Code::PermissionDenied)),
        ("PUT from a sibling", "PUT", &[("origin", SIBLING)], Err(Code::PermissionDenied)),
        ("DELETE from a sibling", "DELETE", &[("origin", SIBLING)], Err(Code::PermissionDenied)),
        ("PATCH in lower case", "patch", &[("origin", SIBLING)], Err(Code::PermissionDenied)),
        ("a method of the attacker's naming", "PROPFIND", &[("sec-fetch-site", "cross-site")], Err(Code::PermissionDenied)),
        ("another port of the gate's host", "POST", &[("origin", "https://gate.example:8443")], Err(Code::PermissionDenied)),
        ("the gate's origin over http", "POST", &[("origin", "http://gate.example")], Err(Code::PermissionDenied)),
        ("two Origins, the first the gate's", "POST", &[("origin", GATE), ("origin", SIBLING)], Err(Code::PermissionDenied)),
    ];
    for (attack, method, headers, want) in table {
        let headers: Vec<(String, String)> = headers.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect();
        assert_eq!(check_cookie_request(method, &headers, Some(GATE)).map_err(|e| e.code()), want, "{attack}");
    }
}
