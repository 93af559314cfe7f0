// OpenID Connect Discovery 1.0 documents as kube-apiserver serves them (openidmetadata.go), and
// the ways one can fail: another issuer, no jwks_uri, duplicate members, not JSON.

use jwksgate::discovery::{jwks_uri, MAX_DISCOVERY_BYTES};
use jwksgate::Code;

const ISS: &str = "https://kubernetes.default.svc.cluster.local";

#[test]
fn discovery_documents() {
    let k8s = format!(
        r#"{{"issuer":"{ISS}","jwks_uri":"https://10.0.0.1:6443/openid/v1/jwks","response_types_supported":["id_token"],"subject_types_supported":["public"],"id_token_signing_alg_values_supported":["RS256"]}}"#
    );
    let big = format!(r#"{{"issuer":"{ISS}","jwks_uri":"https://x/jwks","pad":"{}"}}"#, "a".repeat(MAX_DISCOVERY_BYTES));
    // (case, document, expected: Ok(jwks_uri) or Err(message substring))
    let table: Vec<(&str, String, Result<&str, &str>)> = vec![
        ("kube-apiserver's document", k8s, Ok("https://10.0.0.1:6443/openid/v1/jwks")),
        ("another issuer", r#"{"issuer":"https://elsewhere.test","jwks_uri":"https://x/jwks"}"#.into(), Err(r#"names issuer "https://elsewhere.test""#)),
        ("a trailing slash is another issuer", format!(r#"{{"issuer":"{ISS}/","jwks_uri":"https://x/jwks"}}"#), Err("names issuer")),
        ("issuer twice, the second ours", format!(r#"{{"issuer":"https://evil.test","issuer":"{ISS}","jwks_uri":"https://x/jwks"}}"#), Err("duplicate member")),
        ("jwks_uri twice", format!(r#"{{"issuer":"{ISS}","jwks_uri":"https://x/jwks","jwks_uri":"https://evil.test/jwks"}}"#), Err("duplicate member")),
        ("no issuer", r#"{"jwks_uri":"https://x/jwks"}"#.into(), Err("has no issuer")),
        ("issuer not a string", r#"{"issuer":["a"],"jwks_uri":"https://x/jwks"}"#.into(), Err("has no issuer")),
        ("no jwks_uri", format!(r#"{{"issuer":"{ISS}"}}"#), Err("has no jwks_uri")),
        ("empty jwks_uri", format!(r#"{{"issuer":"{ISS}","jwks_uri":""}}"#), Err("has no jwks_uri")),
        ("not JSON", "<html>login</html>".into(), Err("not valid JSON")),
        ("an array", "[]".into(), Err("not a JSON object")),
        ("over the size bound", big, Err("is over")),
    ];
    for (case, doc, want) in table {
        match (want, jwks_uri(doc.as_bytes(), ISS)) {
            (Ok(w), Ok(g)) => assert_eq!(g, w, "{case}"),
            (Err(w), Err(e)) => {
                assert_eq!(e.code(), Code::DiscoveryInvalid, "{case}");
                assert!(e.message().contains(w), "{case}: {}", e.message());
            }
            (w, g) => panic!("{case}: want {w:?}, got {g:?}"),
        }
    }
}
