// The crate's one rule for what may be fetched (src/fetch.rs) and its one PEM reader
// (src/pem.rs), as tables (issue 22): each used to be written out by the package
// (js/remote.mjs), the gate (worker/src/keys.mjs), the page (www/lib/discovery.js,
// www/lib/keys.js) and the command (src/cli/http.rs, src/cli/keys.rs), each a little differently.

use jwksgate::fetch::{check, Fetchable, Refusal};
use jwksgate::{import_public_keys_pem, pem, Code};

#[test]
fn what_may_be_fetched() {
    let https = Ok(Fetchable { https: true, loopback: false });
    let https_local = Ok(Fetchable { https: true, loopback: true });
    let http_local = Ok(Fetchable { https: false, loopback: true });
    // (url, expected). The JS hosts pass WHATWG's href (host lowercased, IPv4 in dotted decimal,
    // IPv6 compressed); the command passes what the user typed or a server sent.
    let table: &[(&str, Result<Fetchable, Refusal>)] = &[
        ("https://oidc.eks.eu-west-1.amazonaws.com/id/ABC/keys", https),
        ("HTTPS://Issuer.Example:8443/keys?x=1#f", https),
        ("https://127.0.0.1:6443/openid/v1/jwks", https_local),
        ("http://127.0.0.1:8001/openid/v1/jwks", http_local),
        ("http://127.255.0.9/", http_local),
        ("http://localhost:8001/keys", http_local),
        ("http://LOCALHOST/keys", http_local),
        ("http://[::1]:8080/keys", http_local),
        // [::1] as WHATWG serializes it; other spellings of it (raw input only) are refused.
        ("http://[0:0:0:0:0:0:0:1]/keys", Err(Refusal::PlainHttp)),
        ("http://[::01]/keys", Err(Refusal::PlainHttp)),
        ("http://127.000.0.1/keys", Err(Refusal::PlainHttp)),
        ("http://127.0.0.256/keys", Err(Refusal::PlainHttp)),
        ("http://127.0.0/keys", Err(Refusal::PlainHttp)),
        ("http://127.0.0.1.1/keys", Err(Refusal::PlainHttp)),
        // Plain http anywhere else: the keys would cross the network unauthenticated.
        ("http://issuer.example/keys", Err(Refusal::PlainHttp)),
        ("http://10.0.0.1/keys", Err(Refusal::PlainHttp)),
        ("http://128.0.0.1/keys", Err(Refusal::PlainHttp)),
        ("http://localhost.evil.test/keys", Err(Refusal::PlainHttp)),
        ("http://localhost./keys", Err(Refusal::PlainHttp)),
        ("http://foo.localhost/keys", Err(Refusal::PlainHttp)),
        ("http://127.0.0.1.nip.io/keys", Err(Refusal::PlainHttp)),
        // Forms WHATWG would rewrite to 127.0.0.1 are not taken on trust in raw input.
        ("http://127.1/keys", Err(Refusal::PlainHttp)),
        ("http://0x7f.0.0.1/keys", Err(Refusal::PlainHttp)),
        ("http://2130706433/keys", Err(Refusal::PlainHttp)),
        ("http://[::ffff:127.0.0.1]/keys", Err(Refusal::PlainHttp)),
        ("http://[::2]/keys", Err(Refusal::PlainHttp)),
        // Credentials, wherever the authority ends.
        ("https://user:pw@issuer.example/keys", Err(Refusal::Credentials)),
        ("http://user@127.0.0.1/keys", Err(Refusal::Credentials)),
        ("http://127.0.0.1@evil.test/keys", Err(Refusal::Credentials)),
        ("https://:@issuer.example/", Err(Refusal::Credentials)),
        // Schemes.
        ("ftp://127.0.0.1/keys", Err(Refusal::Scheme)),
        ("file://localhost/etc/passwd", Err(Refusal::Scheme)),
        ("javascript://x", Err(Refusal::Scheme)),
        // What a parser might read two ways, or not a URL at all.
        ("http://127.0.0.1\\@evil.test/keys", Err(Refusal::Invalid)),
        ("https://issuer.example/a b", Err(Refusal::Invalid)),
        ("https://issuer.example/\u{202e}", Err(Refusal::Invalid)),
        ("https://issüer.example/", Err(Refusal::Invalid)),
        ("https://issuer.example\t/", Err(Refusal::Invalid)),
        ("https:issuer.example/keys", Err(Refusal::Invalid)),
        ("data:application/json,{}", Err(Refusal::Invalid)),
        ("not a url", Err(Refusal::Invalid)),
        ("", Err(Refusal::Invalid)),
        ("https:///keys", Err(Refusal::Invalid)),
        ("https://:443/keys", Err(Refusal::Invalid)),
        ("https://issuer.example:99999/", Err(Refusal::Invalid)),
        ("https://issuer.example:44a/", Err(Refusal::Invalid)),
        ("http://[::1/keys", Err(Refusal::Invalid)),
        ("http://[::1]x/keys", Err(Refusal::Invalid)),
        ("http://[not-v6]/keys", Err(Refusal::Invalid)),
        ("http://[127.0.0.1]/keys", Err(Refusal::Invalid)),
        ("http://[]/keys", Err(Refusal::Invalid)),
        ("http://a:1:2/keys", Err(Refusal::Invalid)),
        ("https://iss<uer.example/", Err(Refusal::Invalid)),
    ];
    for (url, want) in table {
        assert_eq!(&check(url), want, "{url:?}");
    }
    assert_eq!(Refusal::PlainHttp.code(), "ERR_URL_PLAIN_HTTP");
    assert_eq!(Refusal::Credentials.message("jwks_uri"), "jwks_uri must not carry credentials (a user name or password)");
    assert!(Refusal::PlainHttp.message("jwks_uri").starts_with("jwks_uri must use https"));
}

const RSA_PUB: &str = include_str!("vectors/k8s/pkg_serviceaccount/rsaPublicKey.pem");
const EC_PUB: &str = include_str!("vectors/k8s/pkg_serviceaccount/ecdsaPublicKey.pem");
const RSA_CERT: &str = include_str!("vectors/certs/rsa.pem");
const EC_CERT: &str = include_str!("vectors/certs/p256.pem");
const PRIVATE: &str = include_str!("vectors/k8s/pkg_serviceaccount/rsaPrivateKey.pem");

#[test]
fn pem_blocks() {
    let body = |pem: &str| pem.lines().filter(|l| !l.starts_with("-----")).collect::<Vec<_>>().join("\n");
    let rsa_body = body(RSA_PUB);
    let ec_body = body(EC_PUB);
    assert!(ec_body.ends_with('='), "the row below needs a padded body");
    let explained = format!("subject=CN = test\nissuer=CN = test\n{EC_CERT}\nsome text between\n{RSA_PUB}");
    // (case, text, Ok([(label, certificate)]) or Err(message substring))
    let table: Vec<(&str, String, Result<Vec<(&str, bool)>, &str>)> = vec![
        ("one public key", RSA_PUB.into(), Ok(vec![("PUBLIC KEY", false)])),
        ("keys and certificates, in order", format!("{RSA_PUB}{EC_CERT}{EC_PUB}{RSA_CERT}"), Ok(vec![("PUBLIC KEY", false), ("CERTIFICATE", true), ("PUBLIC KEY", false), ("CERTIFICATE", true)])),
        ("explanatory text around blocks (RFC 7468 section 5.2)", explained, Ok(vec![("CERTIFICATE", true), ("PUBLIC KEY", false)])),
        ("CRLF line ends", RSA_PUB.replace('\n', "\r\n"), Ok(vec![("PUBLIC KEY", false)])),
        ("a hyphenated label", format!("-----BEGIN X-Y KEY-----\n{rsa_body}\n-----END X-Y KEY-----\n"), Ok(vec![("X-Y KEY", false)])),
        ("no block", "MIIBIjANBgkq".into(), Err("no PEM block")),
        ("BEGIN without END", format!("-----BEGIN PUBLIC KEY-----\n{rsa_body}\n"), Err("PEM block 1: no -----END line")),
        ("END of another label", format!("-----BEGIN PUBLIC KEY-----\n{rsa_body}\n-----END CERTIFICATE-----\n"), Err("PEM block 1: its -----END line names another label")),
        ("a block inside a block", format!("-----BEGIN PUBLIC KEY-----\n{RSA_CERT}\n-----END PUBLIC KEY-----\n"), Err("another boundary comes before its -----END line")),
        ("the second block broken", format!("{RSA_PUB}-----BEGIN PUBLIC KEY-----\n{rsa_body}"), Err("PEM block 2: no -----END line")),
        ("a body that is not base64", "-----BEGIN PUBLIC KEY-----\nnot*base64!\n-----END PUBLIC KEY-----\n".into(), Err("PEM block 1: the body is not valid base64")),
        ("RFC 1421 headers", format!("-----BEGIN PUBLIC KEY-----\nProc-Type: 4,ENCRYPTED\n\n{rsa_body}\n-----END PUBLIC KEY-----\n"), Err("not valid base64")),
        ("base64 without its padding", format!("-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n", ec_body.trim_end_matches('=')), Err("not valid base64")),
        ("an empty body", "-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n".into(), Err("the body is empty")),
        ("a label with two spaces", format!("-----BEGIN PUBLIC  KEY-----\n{rsa_body}\n-----END PUBLIC  KEY-----\n"), Err("its label is not a PEM label")),
        ("an empty label", format!("-----BEGIN -----\n{rsa_body}\n-----END -----\n"), Err("its label is not a PEM label")),
        ("a BEGIN line never closed", "-----BEGIN PUBLIC KEY\nMIIB\n".into(), Err("does not end in -----")),
        ("too many blocks", RSA_PUB.repeat(pem::MAX_BLOCKS + 1), Err("PEM block 101: more than 100 blocks")),
    ];
    for (case, text, want) in table {
        let got = pem::blocks(&text);
        match (want, got) {
            (Ok(labels), Ok(blocks)) => assert_eq!(blocks.iter().map(|b| (b.label.as_str(), b.is_certificate())).collect::<Vec<_>>(), labels, "{case}"),
            (Err(msg), Err(e)) => {
                assert_eq!(e.code(), Code::JwkInvalid, "{case}");
                assert!(e.message().contains(msg), "{case}: {}", e.message());
            }
            (want, got) => panic!("{case}: want {want:?}, got {got:?}"),
        }
    }
    assert!(pem::block(&format!("{RSA_PUB}{EC_PUB}")).unwrap_err().message().contains("more than one block"));
}

/// The keys of PEM text, as the package, the page, the worker and the command read them.
#[test]
fn pem_keys() {
    let keys = import_public_keys_pem(&format!("{RSA_PUB}\n{EC_CERT}")).unwrap();
    assert_eq!(keys.iter().map(|k| (k.certificate, k.jwk["kty"].as_str().unwrap())).collect::<Vec<_>>(), [(false, "RSA"), (true, "EC")]);
    // Each key's kid is its Kubernetes key id, whether it came alone or in a bundle.
    assert_eq!(keys[0].jwk, jwksgate::import_public_key_pem(RSA_PUB).unwrap());
    assert_eq!(keys[1].jwk, jwksgate::import_x509(EC_CERT).unwrap());
    let e = import_public_keys_pem(&format!("{RSA_PUB}{PRIVATE}")).unwrap_err();
    assert_eq!(e.code(), Code::JwkInvalid);
    assert!(e.message().starts_with("PEM block 2: PEM holds a private key"), "{}", e.message());
    let e = import_public_keys_pem(&format!("{RSA_PUB}-----BEGIN X509 CRL-----\nMAA=\n-----END X509 CRL-----\n")).unwrap_err();
    assert_eq!(e.code(), Code::NotSupported);
    assert_eq!(jwksgate::jwks_from_pem(&format!("{RSA_PUB}{EC_PUB}")).unwrap().keys().len(), 2);
}
