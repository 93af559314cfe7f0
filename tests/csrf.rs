// Login CSRF (src/gate/csrf.rs) as a table: a login with set_cookie is refused unless it is JSON
// from the gate's own origin; each row is a way a page elsewhere could try to plant a session.

use jwksgate::gate::csrf::check_cookie_login;
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
