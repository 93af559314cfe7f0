//! The attack catalogue (RFC 8725, JWT Best Current Practices, as the checklist): each case names
//! an attack and the code it must be refused with. The table is also written to tests/attacks.json,
//! which pkg-tests/attacks.test.mjs runs through the npm package, so both layers see the same bytes.
//! Native only: it reads and writes that file, and the package test is its wasm run.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::ec::EcSigner;
use common::{k8s_claims, key, public_jwk, K8S_KEY, NOW, OIDC_KEY_1};
use hmac::{Hmac, KeyInit, Mac};
use jwksgate::jwa::alg::Hash;
use jwksgate::{b64, der, Alg, Verifier, VerifyOptions};
use rand::rngs::StdRng;
use rand::SeedableRng;
use rsa::traits::{PrivateKeyParts, PublicKeyParts};
use rsa::{BigUint, Pkcs1v15Sign, Pss, RsaPrivateKey};
use serde::Serialize;
use serde_json::{json, Value};
use rsa::sha2::{Digest, Sha256, Sha384, Sha512};

/// Text given literally, as `before + unit * times + after`, or as a list of literal and
/// repeated parts, so that a 10 MB token or a 10,000-deep document costs a few bytes in
/// tests/attacks.json.
#[derive(Clone, Debug, Serialize)]
#[serde(untagged)]
enum Text {
    Lit(String),
    Rep { before: String, unit: String, times: usize, after: String },
    Parts(Vec<Part>),
}

#[derive(Clone, Debug, Serialize)]
#[serde(untagged)]
enum Part {
    Lit(String),
    Rep { repeat: String, times: usize },
}

impl Text {
    fn expand(&self) -> String {
        match self {
            Text::Lit(s) => s.clone(),
            Text::Rep { before, unit, times, after } => format!("{before}{}{after}", unit.repeat(*times)),
            Text::Parts(parts) => parts
                .iter()
                .map(|p| match p {
                    Part::Lit(s) => s.clone(),
                    Part::Rep { repeat, times } => repeat.repeat(*times),
                })
                .collect(),
        }
    }
}

/// base64url of the concatenation of `chunks` (text, repetitions) as parts: every chunk but the
/// last is a whole number of 3-octet groups, so each one encodes on its own.
fn b64_parts(chunks: &[(&str, usize)]) -> Vec<Part> {
    chunks
        .iter()
        .enumerate()
        .map(|(i, &(text, times))| {
            assert!(i + 1 == chunks.len() || text.len() % 3 == 0, "chunk {text:?} is not 3-octet aligned");
            match times {
                1 => Part::Lit(b64::encode(text.as_bytes())),
                _ => Part::Rep { repeat: b64::encode(text.as_bytes()), times },
            }
        })
        .collect()
}

/// Pads a JSON prefix that opens with `{` to a multiple of 3 octets with insignificant spaces.
fn pad3(prefix: &str) -> String {
    let mut s = prefix.to_owned();
    while s.len() % 3 != 0 {
        s.insert(1, ' ');
    }
    s
}

impl From<String> for Text {
    fn from(s: String) -> Self {
        Text::Lit(s)
    }
}

/// One row: the attack, the RFC 8725 section it falls under, the inputs, and the expected
/// error code (`"ok"` for rows that show an input is deliberately accepted).
#[derive(Clone, Debug, Serialize)]
struct Case {
    name: String,
    rfc8725: &'static str,
    token: Text,
    /// The JWKS text; `None` is the file's `defaultJwks`.
    #[serde(skip_serializing_if = "Option::is_none")]
    jwks: Option<Text>,
    /// Options in the npm package's naming; `currentDate` is always set.
    options: Value,
    expect: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Table {
    comment: &'static str,
    default_jwks: String,
    cases: Vec<Case>,
}

/// How a row's signature segment is made.
enum Sig {
    /// The issuer's key (the Kubernetes test key) with this algorithm.
    Victim(Alg),
    /// A key the attacker holds (an OIDC test key that is not in the set).
    Attacker(Alg),
    /// HMAC with this hash and secret.
    Hmac(Hash, Vec<u8>),
}

struct Ctx {
    victim: RsaPrivateKey,
    attacker: RsaPrivateKey,
    kid: String,
    jwks: String,
    rng: StdRng,
    cases: Vec<Case>,
}

const JWKS_FILE: &str = include_str!("vectors/k8s/pkg_serviceaccount/openidmetadata_wantKeyset.json");
const PUBLIC_PEM: &str = include_str!("vectors/k8s/pkg_serviceaccount/rsaPublicKey.pem");

impl Ctx {
    fn new() -> Self {
        let victim = key(K8S_KEY);
        let kid = "JHJehTTTZlsspKHT-GaJxK7Kd1NQgZJu3fyK6K_QDYU".to_owned();
        Ctx { victim, attacker: key(OIDC_KEY_1), kid, jwks: JWKS_FILE.trim().to_owned(), rng: StdRng::seed_from_u64(8725), cases: Vec::new() }
    }

    fn header(&self) -> String {
        format!(r#"{{"alg":"RS256","kid":"{}","typ":"JWT"}}"#, self.kid)
    }

    fn claims(&self) -> String {
        k8s_claims().to_string()
    }

    fn claims_with(&self, extra: Value) -> String {
        let mut c = k8s_claims();
        for (k, v) in extra.as_object().unwrap() {
            if v.is_null() {
                c.as_object_mut().unwrap().remove(k);
            } else {
                c[k] = v.clone();
            }
        }
        c.to_string()
    }

    fn sign(&mut self, sig: &Sig, input: &[u8]) -> Vec<u8> {
        fn rsa(key: &RsaPrivateKey, rng: &mut StdRng, alg: Alg, data: &[u8]) -> Vec<u8> {
            match alg {
                Alg::RS256 => key.sign(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(data)),
                Alg::RS384 => key.sign(Pkcs1v15Sign::new::<Sha384>(), &Sha384::digest(data)),
                Alg::RS512 => key.sign(Pkcs1v15Sign::new::<Sha512>(), &Sha512::digest(data)),
                Alg::PS256 => key.sign_with_rng(rng, Pss::new::<Sha256>(), &Sha256::digest(data)),
                Alg::PS384 => key.sign_with_rng(rng, Pss::new::<Sha384>(), &Sha384::digest(data)),
                Alg::PS512 => key.sign_with_rng(rng, Pss::new::<Sha512>(), &Sha512::digest(data)),
                _ => unreachable!("{} is not an RSA algorithm", alg.name()),
            }
            .unwrap()
        }
        match sig {
            Sig::Victim(alg) => rsa(&self.victim, &mut self.rng, *alg, input),
            Sig::Attacker(alg) => rsa(&self.attacker, &mut self.rng, *alg, input),
            Sig::Hmac(hash, secret) => match hash {
                Hash::Sha256 => <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(secret).unwrap().chain_update(input).finalize().into_bytes().to_vec(),
                Hash::Sha384 => <Hmac<sha2::Sha384> as KeyInit>::new_from_slice(secret).unwrap().chain_update(input).finalize().into_bytes().to_vec(),
                Hash::Sha512 => <Hmac<sha2::Sha512> as KeyInit>::new_from_slice(secret).unwrap().chain_update(input).finalize().into_bytes().to_vec(),
            },
        }
    }

    /// A compact token over raw header and payload bytes.
    fn token_bytes(&mut self, header: &[u8], payload: &[u8], sig: Sig) -> String {
        let input = format!("{}.{}", b64::encode(header), b64::encode(payload));
        let s = self.sign(&sig, input.as_bytes());
        format!("{input}.{}", b64::encode(&s))
    }

    /// A compact token whose header and payload are given as 3-octet-aligned chunks, signed over
    /// the expanded signing input but stored compactly.
    fn token_parts(&mut self, header: &[(&str, usize)], payload: &[(&str, usize)], sig: Sig) -> Text {
        let mut parts = b64_parts(header);
        parts.push(Part::Lit(".".into()));
        parts.extend(b64_parts(payload));
        let input = Text::Parts(parts.clone()).expand();
        let s = self.sign(&sig, input.as_bytes());
        parts.push(Part::Lit(format!(".{}", b64::encode(&s))));
        Text::Parts(parts)
    }

    fn token(&mut self, header: &str, payload: &str, sig: Sig) -> String {
        self.token_bytes(header.as_bytes(), payload.as_bytes(), sig)
    }

    /// The ordinary, valid token every row starts from.
    fn good(&mut self) -> String {
        let (h, p) = (self.header(), self.claims());
        self.token(&h, &p, Sig::Victim(Alg::RS256))
    }

    fn modulus(&self) -> Vec<u8> {
        self.victim.n().to_bytes_be()
    }

    fn victim_jwk(&self, extra: Value) -> Value {
        public_jwk(&self.victim, extra)
    }

    fn add(&mut self, rfc8725: &'static str, name: impl Into<String>, token: impl Into<Text>, expect: &'static str) {
        self.add_with(rfc8725, name, token, None, json!({}), expect);
    }

    fn add_with(&mut self, rfc8725: &'static str, name: impl Into<String>, token: impl Into<Text>, jwks: Option<Text>, options: Value, expect: &'static str) {
        let mut options = options;
        options["currentDate"] = json!(NOW);
        self.cases.push(Case { name: name.into(), rfc8725, token: token.into(), jwks, options, expect });
    }
}

const OK: &str = "ok";
const JWT_INVALID: &str = "ERR_JWT_INVALID";
const JWS_INVALID: &str = "ERR_JWS_INVALID";
const ALG: &str = "ERR_JOSE_ALG_NOT_ALLOWED";
const UNSUPPORTED: &str = "ERR_JOSE_NOT_SUPPORTED";
const JWK_INVALID: &str = "ERR_JWK_INVALID";
const JWKS_INVALID: &str = "ERR_JWKS_INVALID";
const NO_KEY: &str = "ERR_JWKS_NO_MATCHING_KEY";
const BAD_SIG: &str = "ERR_JWS_SIGNATURE_VERIFICATION_FAILED";
const EXPIRED: &str = "ERR_JWT_EXPIRED";
const CLAIM: &str = "ERR_JWT_CLAIM_VALIDATION_FAILED";

fn jwks_of(keys: &[Value]) -> Option<Text> {
    Some(Text::Lit(json!({ "keys": keys }).to_string()))
}

/// Every casing of "none": 16 spellings.
fn none_casings() -> Vec<String> {
    (0..16u8)
        .map(|mask| "none".chars().enumerate().map(|(i, c)| if mask & (1 << i) != 0 { c.to_ascii_uppercase() } else { c }).collect())
        .collect()
}

/// Flips the lowest of the unused trailing bits of a base64url segment whose length is 2 or 3
/// mod 4, making it non-canonical (RFC 4648 section 3.5).
fn non_canonical(segment: &str) -> String {
    assert!(matches!(segment.len() % 4, 2 | 3), "segment has no unused bits");
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let last = *segment.as_bytes().last().unwrap();
    let value = ALPHABET.iter().position(|&c| c == last).unwrap();
    format!("{}{}", &segment[..segment.len() - 1], ALPHABET[value ^ 1] as char)
}

fn catalogue() -> Ctx {
    let mut c = Ctx::new();
    let good = c.good();
    let parts: Vec<String> = good.split('.').map(str::to_owned).collect();
    let (h64, p64, s64) = (parts[0].clone(), parts[1].clone(), parts[2].clone());
    let kid = c.kid.clone();
    let n = c.modulus();
    let k = n.len();

    // Controls: the same inputs the attacks start from are accepted.
    c.add("3.1", "control: RS256 token from the Kubernetes test key", good.clone(), OK);
    let no_alg_jwks = jwks_of(&[c.victim_jwk(json!({ "kid": kid, "use": "sig" }))]);
    let h = format!(r#"{{"alg":"PS256","kid":"{kid}"}}"#);
    let p = c.claims();
    let t = c.token(&h, &p, Sig::Victim(Alg::PS256));
    c.add_with("3.1", "control: PS256 allowed by the caller, key without alg", t.clone(), no_alg_jwks.clone(), json!({ "algorithms": ["PS256"] }), OK);
    c.add_with("3.1", "key whose alg (RS256) disagrees with the header (PS256)", t, None, json!({ "algorithms": ["PS256"] }), NO_KEY);

    // 2.1 / 3.1: "none", case games, and algorithms the caller did not allow.
    for none in none_casings() {
        let t = format!("{}.{p64}.", b64::encode(format!(r#"{{"alg":"{none}","kid":"{kid}"}}"#).as_bytes()));
        c.add("2.1", format!("alg {none:?} with an empty signature"), t, ALG);
    }
    let t = format!("{}.{p64}.{s64}", b64::encode(br#"{"alg":"none"}"#));
    c.add("2.1", "alg none with a signature left on", t, ALG);
    c.add_with("2.1", "caller asks to allow none", good.clone(), None, json!({ "algorithms": ["none"] }), UNSUPPORTED);
    for (alg_json, want) in [(r#""""#, ALG), (r#""rs256""#, ALG), (r#""RS256 ""#, ALG), (r#""RS256\u0000""#, ALG), ("256", JWS_INVALID), ("null", JWS_INVALID), (r#"["RS256"]"#, JWS_INVALID)] {
        let h = format!(r#"{{"alg":{alg_json},"kid":"{kid}"}}"#);
        let p = c.claims();
        let t = c.token(&h, &p, Sig::Victim(Alg::RS256));
        c.add("3.1", format!("alg {alg_json}"), t, want);
    }
    let h = format!(r#"{{"kid":"{kid}"}}"#);
    let p = c.claims();
    let t = c.token(&h, &p, Sig::Victim(Alg::RS256));
    c.add("3.1", "alg missing", t, JWS_INVALID);
    let p = c.claims();
    let t = c.token(&format!(r#"{{"alg":"RS384","kid":"{kid}"}}"#), &p, Sig::Victim(Alg::RS384));
    c.add("3.1", "RS384 from the right key but the caller allows RS256 only", t, ALG);

    // 3.1: HMAC keyed with the public key, the classic algorithm confusion.
    let e = c.victim.e().to_bytes_be();
    let spki = der::rsa_spki_der(&n, &e);
    let pkcs1_der = {
        // The RSAPublicKey inside the SPKI BIT STRING: skip the AlgorithmIdentifier and bit-string header.
        let at = spki.windows(2).position(|w| w == [0x03, 0x82]).unwrap();
        spki[at + 5..].to_vec()
    };
    let published_jwk = serde_json::from_str::<Value>(JWKS_FILE).unwrap()["keys"][0].to_string();
    let thumbprint_form = format!(r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#, b64::encode(&e), b64::encode(&n));
    let secrets: [(&str, Vec<u8>); 6] = [
        ("PEM (SPKI text as published)", PUBLIC_PEM.as_bytes().to_vec()),
        ("PEM without the trailing newline", PUBLIC_PEM.trim_end().as_bytes().to_vec()),
        ("DER SPKI", spki.clone()),
        ("DER PKCS#1", pkcs1_der),
        ("JWK JSON as published", published_jwk.into_bytes()),
        ("JWK JSON in RFC 7638 form", thumbprint_form.into_bytes()),
    ];
    for (alg, hash) in [("HS256", Hash::Sha256), ("HS384", Hash::Sha384), ("HS512", Hash::Sha512)] {
        for (what, secret) in &secrets {
            let h = format!(r#"{{"alg":"{alg}","kid":"{kid}","typ":"JWT"}}"#);
            let p = c.claims();
            let t = c.token(&h, &p, Sig::Hmac(hash, secret.clone()));
            c.add("3.1", format!("{alg} keyed with the public key, {what}"), t, ALG);
        }
    }
    let h = format!(r#"{{"alg":"HS256","kid":"{kid}"}}"#);
    let p = c.claims();
    let t = c.token(&h, &p, Sig::Hmac(Hash::Sha256, PUBLIC_PEM.as_bytes().to_vec()));
    c.add_with("3.1", "HS256 keyed with the PEM, caller lists HS256 too", t.clone(), None, json!({ "algorithms": ["RS256", "HS256"] }), UNSUPPORTED);
    let oct = json!({ "kty": "oct", "kid": "hmac", "k": b64::encode(PUBLIC_PEM.as_bytes()) });
    let t2 = c.token(r#"{"alg":"HS256","kid":"hmac"}"#, &p, Sig::Hmac(Hash::Sha256, PUBLIC_PEM.as_bytes().to_vec()));
    c.add_with("3.1", "HS256 against an oct key placed in the set", t2, jwks_of(&[oct, c.victim_jwk(json!({ "kid": kid }))]), json!({}), ALG);

    // 3.10: kid is attacker-controlled text, compared and never used as a path or query.
    for (what, bad_kid, want) in [
        ("path traversal", "../../../../../../dev/null".to_owned(), NO_KEY),
        ("absolute path", "/etc/passwd".to_owned(), NO_KEY),
        ("SQL injection", "' OR '1'='1".to_owned(), NO_KEY),
        ("SQL UNION", "x' UNION SELECT 'secret' --".to_owned(), NO_KEY),
        ("NUL", "\0".to_owned(), NO_KEY),
        ("real kid followed by NUL", format!("{kid}\0"), NO_KEY),
        ("NUL followed by the real kid", format!("\0{kid}"), NO_KEY),
        ("real kid in another case", kid.to_ascii_lowercase(), NO_KEY),
        ("real kid with a trailing space", format!("{kid} "), NO_KEY),
    ] {
        let h = json!({ "alg": "RS256", "kid": bad_kid }).to_string();
        let p = c.claims();
        let t = c.token(&h, &p, Sig::Victim(Alg::RS256));
        c.add("3.10", format!("kid: {what}"), t, want);
    }
    let kid_prefix = pad3(r#"{"alg":"RS256","kid":""#);
    for (what, thirds, want) in [("40,002 characters", 13_334, NO_KEY), ("100,002 characters (token over the size limit)", 33_334, JWS_INVALID)] {
        let p = c.claims();
        let t = c.token_parts(&[(&kid_prefix, 1), ("AAA", thirds), ("\"}", 1)], &[(&p, 1)], Sig::Victim(Alg::RS256));
        c.add("3.10", format!("kid: {what}"), t, want);
    }
    for kid_json in ["1", "null", "[]", "{}"] {
        let p = c.claims();
        let t = c.token(&format!(r#"{{"alg":"RS256","kid":{kid_json}}}"#), &p, Sig::Victim(Alg::RS256));
        c.add("3.10", format!("kid {kid_json}"), t, JWS_INVALID);
    }

    // 2.9 / 3.10: key-bearing headers name the attacker's key; the set alone decides.
    let attacker_jwk = public_jwk(&c.attacker, json!({}));
    let attacker_kid = b64::encode(&Sha256::digest(der::rsa_spki_der(&c.attacker.n().to_bytes_be(), &c.attacker.e().to_bytes_be())));
    let attacker_spki = base64_std(&der::rsa_spki_der(&c.attacker.n().to_bytes_be(), &c.attacker.e().to_bytes_be()));
    let key_headers: Vec<(&str, Value)> = vec![
        ("jku", json!({ "alg": "RS256", "jku": "https://attacker.example/jwks.json" })),
        ("jku with the attacker's kid", json!({ "alg": "RS256", "jku": "https://attacker.example/jwks.json", "kid": attacker_kid })),
        ("jku with the issuer's kid", json!({ "alg": "RS256", "jku": "https://attacker.example/jwks.json", "kid": kid })),
        ("x5u", json!({ "alg": "RS256", "x5u": "https://attacker.example/cert.pem" })),
        ("jwk (embedded attacker key)", json!({ "alg": "RS256", "jwk": attacker_jwk })),
        ("jwk with the issuer's kid", json!({ "alg": "RS256", "jwk": attacker_jwk, "kid": kid })),
        ("x5c (attacker key)", json!({ "alg": "RS256", "x5c": [attacker_spki] })),
        ("jku to a local file", json!({ "alg": "RS256", "jku": "file:///etc/passwd" })),
    ];
    for (what, header) in key_headers {
        let want = if header.get("kid").is_some_and(|k| k != &json!(kid)) { NO_KEY } else { BAD_SIG };
        let p = c.claims();
        let t = c.token(&header.to_string(), &p, Sig::Attacker(Alg::RS256));
        c.add("2.9", format!("{what}, signed by the attacker"), t, want);
    }
    let h = json!({ "alg": "RS256", "kid": kid, "jku": "https://attacker.example/jwks.json" }).to_string();
    let p = c.claims();
    let t = c.token(&h, &p, Sig::Victim(Alg::RS256));
    c.add("2.9", "jku on a token the issuer did sign: ignored, not fetched", t, OK);

    // RFC 7515 section 4.1.11 and RFC 7797: extensions are refused, not ignored.
    for (what, header, want) in [
        ("crit naming an unknown extension", json!({ "alg": "RS256", "kid": kid, "crit": ["exp"], "exp": 1 }), UNSUPPORTED),
        ("crit naming b64", json!({ "alg": "RS256", "kid": kid, "crit": ["b64"], "b64": false }), UNSUPPORTED),
        ("crit empty", json!({ "alg": "RS256", "kid": kid, "crit": [] }), JWS_INVALID),
        ("crit not an array", json!({ "alg": "RS256", "kid": kid, "crit": "exp" }), JWS_INVALID),
        ("crit holding a number", json!({ "alg": "RS256", "kid": kid, "crit": [1] }), JWS_INVALID),
        ("b64 false without crit", json!({ "alg": "RS256", "kid": kid, "b64": false }), UNSUPPORTED),
        ("b64 \"false\" as a string", json!({ "alg": "RS256", "kid": kid, "b64": "false" }), UNSUPPORTED),
        ("b64 true (the default)", json!({ "alg": "RS256", "kid": kid, "b64": true }), OK),
    ] {
        let p = c.claims();
        let t = c.token(&header.to_string(), &p, Sig::Victim(Alg::RS256));
        c.add("3.1", what, t, want);
    }
    // b64 false with the payload really unencoded (RFC 7797 section 3): "$." is not base64url.
    let h = json!({ "alg": "RS256", "kid": kid, "b64": false, "crit": ["b64"] }).to_string();
    let input = format!("{}.{}", b64::encode(h.as_bytes()), "$.02");
    let s = c.sign(&Sig::Victim(Alg::RS256), input.as_bytes());
    c.add("3.1", "b64 false with an unencoded payload", format!("{input}.{}", b64::encode(&s)), JWS_INVALID);

    // 2.6: one JSON text, one meaning. Duplicate members are refused everywhere.
    for (what, header, payload, want) in [
        ("header: alg twice (RS256 then none)", format!(r#"{{"alg":"RS256","kid":"{kid}","alg":"none"}}"#), c.claims(), JWS_INVALID),
        ("header: alg twice, the second spelled with an escape", format!(r#"{{"alg":"RS256","kid":"{kid}","\u0061lg":"none"}}"#), c.claims(), JWS_INVALID),
        ("header: kid twice", format!(r#"{{"alg":"RS256","kid":"x","kid":"{kid}"}}"#), c.claims(), JWS_INVALID),
        ("payload: sub twice", c.header(), c.claims().replacen('{', r#"{"sub":"system:serviceaccount:kube-system:admin","#, 1), JWT_INVALID),
        ("payload: exp twice", c.header(), c.claims().replacen('{', r#"{"exp":99999999999,"#, 1), JWT_INVALID),
        ("payload: nested namespace twice", c.header(), c.claims().replacen(r#""namespace":"default""#, r#""namespace":"default","namespace":"kube-system""#, 1), JWT_INVALID),
    ] {
        let t = c.token(&header, &payload, Sig::Victim(Alg::RS256));
        c.add("2.6", format!("duplicate member, {what}"), t, want);
    }
    let dup_keys = format!(r#"{{"keys":[],"keys":{}}}"#, serde_json::from_str::<Value>(JWKS_FILE).unwrap()["keys"]);
    c.add_with("2.6", "duplicate member, JWKS: keys twice", good.clone(), Some(dup_keys.into()), json!({}), JWKS_INVALID);
    let jwk = c.victim_jwk(json!({ "kid": kid })).to_string();
    let dup_n = jwk.replacen('{', r#"{"n":"AQAB","#, 1);
    c.add_with("2.6", "duplicate member, JWK: n twice", good.clone(), Some(format!(r#"{{"keys":[{dup_n}]}}"#).into()), json!({}), JWKS_INVALID);

    // 3.7: UTF-8 only, no byte-order mark, no other encodings.
    let header = c.header();
    let claims = c.claims();
    let utf16le = |s: &str| s.encode_utf16().flat_map(u16::to_le_bytes).collect::<Vec<u8>>();
    let utf16be = |s: &str| s.encode_utf16().flat_map(u16::to_be_bytes).collect::<Vec<u8>>();
    let bom = |s: &str| [b"\xef\xbb\xbf".as_slice(), s.as_bytes()].concat();
    for (what, h, p, want) in [
        ("header with a UTF-8 byte-order mark", bom(&header), claims.clone().into_bytes(), JWS_INVALID),
        ("payload with a UTF-8 byte-order mark", header.clone().into_bytes(), bom(&claims), JWT_INVALID),
        ("header in UTF-16LE with BOM", [&[0xff, 0xfe][..], &utf16le(&header)].concat(), claims.clone().into_bytes(), JWS_INVALID),
        ("header in UTF-16BE", utf16be(&header), claims.clone().into_bytes(), JWS_INVALID),
        ("payload in UTF-16LE", header.clone().into_bytes(), utf16le(&claims), JWT_INVALID),
        ("header with an invalid UTF-8 byte in a string", header.replacen("JWT", "JW\u{1}", 1).into_bytes().into_iter().map(|b| if b == 1 { 0xff } else { b }).collect(), claims.clone().into_bytes(), JWS_INVALID),
        ("payload with an overlong UTF-8 '/' (C0 AF)", header.clone().into_bytes(), claims.replacen("default", "def\u{1}ault", 1).into_bytes().into_iter().flat_map(|b| if b == 1 { vec![0xc0, 0xaf] } else { vec![b] }).collect(), JWT_INVALID),
        ("payload with a lone surrogate escape", header.clone().into_bytes(), claims.replacen("builder\"", "builder\\ud800\"", 1).into_bytes(), JWT_INVALID),
        ("header with an encoded NUL before the JSON", [&[0u8][..], header.as_bytes()].concat(), claims.clone().into_bytes(), JWS_INVALID),
    ] {
        let t = c.token_bytes(&h, &p, Sig::Victim(Alg::RS256));
        c.add("3.7", what, t, want);
    }
    c.add_with("3.7", "JWKS with a byte-order mark", good.clone(), Some(format!("\u{feff}{}", c.jwks).into()), json!({}), JWKS_INVALID);

    // RFC 7515 section 7.1: exactly three segments of unpadded canonical base64url, nothing else.
    for (what, t, want) in [
        ("leading space", format!(" {good}"), JWS_INVALID),
        ("trailing newline", format!("{good}\n"), JWS_INVALID),
        ("trailing CRLF", format!("{good}\r\n"), JWS_INVALID),
        ("Bearer prefix left on", format!("Bearer {good}"), JWS_INVALID),
        ("tab inside the signature", format!("{h64}.{p64}.{}\t{}", &s64[..10], &s64[10..]), JWS_INVALID),
        ("trailing dot (empty fourth segment)", format!("{good}."), JWS_INVALID),
        ("fourth segment", format!("{good}.{s64}"), JWS_INVALID),
        ("five segments (JWE shape)", format!("{h64}..{p64}.{s64}.AAAA"), JWS_INVALID),
        ("two segments", format!("{h64}.{p64}"), JWS_INVALID),
        ("one segment", h64.clone(), JWS_INVALID),
        ("empty string", String::new(), JWS_INVALID),
        ("only dots", "..".to_owned(), JWS_INVALID),
        ("empty header", format!(".{p64}.{s64}"), JWS_INVALID),
        ("empty signature", format!("{h64}.{p64}."), BAD_SIG),
        ("padded signature", format!("{good}="), JWS_INVALID),
        ("padded signature (==)", format!("{good}=="), JWS_INVALID),
        ("non-canonical signature (unused bits set)", format!("{h64}.{p64}.{}", non_canonical(&s64)), JWS_INVALID),
        ("signature in the standard base64 alphabet", format!("{h64}.{p64}.{}", s64.replace('-', "+").replace('_', "/")), JWS_INVALID),
        ("percent-encoded dot", format!("{h64}%2E{p64}.{s64}"), JWS_INVALID),
    ] {
        c.add("3.4", what, t, want);
    }
    assert!(s64.contains(['-', '_']), "the standard-alphabet row must change the signature");
    // Segments that pass only if the signature covers them: signed, then refused on decoding.
    for (what, h, p, want) in [
        ("empty payload, signed", h64.clone(), String::new(), JWT_INVALID),
        ("padded payload, signed", h64.clone(), format!("{p64}="), JWS_INVALID),
        ("whitespace inside the payload segment, signed", h64.clone(), format!("{} {}", &p64[..8], &p64[8..]), JWS_INVALID),
    ] {
        let input = format!("{h}.{p}");
        let s = c.sign(&Sig::Victim(Alg::RS256), input.as_bytes());
        c.add("3.4", what, format!("{input}.{}", b64::encode(&s)), want);
    }
    // A header whose encoding has unused bits, made non-canonical and then signed.
    let mut padded_header = c.header();
    while padded_header.len() % 3 == 0 {
        padded_header.insert(padded_header.len() - 1, ' ');
    }
    let hb = non_canonical(&b64::encode(padded_header.as_bytes()));
    let input = format!("{hb}.{p64}");
    let s = c.sign(&Sig::Victim(Alg::RS256), input.as_bytes());
    c.add("3.4", "non-canonical header encoding, signed", format!("{input}.{}", b64::encode(&s)), JWS_INVALID);
    let pretty = format!("{{\n  \"alg\": \"RS256\",\n  \"kid\": \"{kid}\"\n}}");
    let p = c.claims();
    let t = c.token(&pretty, &p, Sig::Victim(Alg::RS256));
    c.add("3.4", "control: JSON whitespace inside the header is legal", t, OK);

    // RFC 7519 section 4.1.4 and 2 (NumericDate): numbers only, any JSON number.
    let later = NOW + 3600;
    for (what, exp_json, want) in [
        ("exp as a string", format!("\"{later}\""), CLAIM),
        ("exp as a float in the future", format!("{later}.5"), OK),
        ("exp as a float half a second ago", format!("{}.5", NOW - 1), EXPIRED),
        ("exp negative", "-1".to_owned(), EXPIRED),
        ("exp very negative", "-9.9e307".to_owned(), EXPIRED),
        ("exp 2^53 + 1", "9007199254740993".to_owned(), OK),
        ("exp 2^64", "18446744073709551616".to_owned(), OK),
        ("exp 1e400 (beyond f64)", "1e400".to_owned(), JWT_INVALID),
        ("exp null", "null".to_owned(), CLAIM),
        ("exp true", "true".to_owned(), CLAIM),
        ("exp in an array", format!("[{later}]"), CLAIM),
        ("exp as an object", format!(r#"{{"$numberLong":"{later}"}}"#), CLAIM),
    ] {
        let p = c.claims().replacen(&format!(r#""exp":{later}"#), &format!(r#""exp":{exp_json}"#), 1);
        assert!(p.contains(&format!(r#""exp":{exp_json}"#)));
        let h = c.header();
        let t = c.token(&h, &p, Sig::Victim(Alg::RS256));
        c.add("3.10", what, t, want);
    }
    let h = c.header();
    let p = c.claims_with(json!({ "exp": null }));
    let t = c.token(&h, &p, Sig::Victim(Alg::RS256));
    c.add("3.10", "exp missing (required by default)", t, CLAIM);
    let p = c.claims_with(json!({ "nbf": format!("{NOW}") }));
    let t = c.token(&h, &p, Sig::Victim(Alg::RS256));
    c.add("3.10", "nbf as a string", t, CLAIM);
    let p = c.claims_with(json!({ "nbf": NOW + 600 }));
    let t = c.token(&h, &p, Sig::Victim(Alg::RS256));
    c.add("3.10", "nbf in the future", t, CLAIM);
    let future_iat = c.claims_with(json!({ "iat": NOW + 10 * 365 * 86400, "exp": NOW + 11 * 365 * 86400 }));
    let t = c.token(&h, &future_iat, Sig::Victim(Alg::RS256));
    c.add_with("3.10", "iat ten years in the future, with maxTokenAge", t.clone(), None, json!({ "maxTokenAge": 3600 }), CLAIM);
    c.add("3.10", "iat ten years in the future, no maxTokenAge (iat unchecked, as in jose)", t, OK);
    let p = c.claims_with(json!({ "iat": NOW - 86400 }));
    let t = c.token(&h, &p, Sig::Victim(Alg::RS256));
    c.add_with("3.10", "iat a day old, maxTokenAge one hour", t, None, json!({ "maxTokenAge": 3600 }), EXPIRED);
    let p = c.claims_with(json!({ "iat": format!("{NOW}") }));
    let t = c.token(&h, &p, Sig::Victim(Alg::RS256));
    c.add_with("3.10", "iat as a string, with maxTokenAge", t, None, json!({ "maxTokenAge": 3600 }), CLAIM);

    // 3.9: audience.
    let aud = json!({ "audience": "https://kubernetes.default.svc" });
    for (what, aud_value, options, want) in [
        ("aud empty array, audience required", json!([]), aud.clone(), CLAIM),
        ("aud empty array, no audience option", json!([]), json!({}), OK),
        ("aud an object", json!({}), json!({}), CLAIM),
        ("aud an object holding the audience", json!({ "aud": "https://kubernetes.default.svc" }), aud.clone(), CLAIM),
        ("aud an array holding a number", json!([1]), json!({}), CLAIM),
        ("aud the expected value with different case", json!(["HTTPS://kubernetes.default.svc"]), aud.clone(), CLAIM),
        ("aud missing, audience required", Value::Null, aud.clone(), CLAIM),
    ] {
        let p = c.claims_with(json!({ "aud": aud_value }));
        let t = c.token(&h, &p, Sig::Victim(Alg::RS256));
        c.add_with("3.9", what, t, None, options, want);
    }
    let p = c.claims();
    for (what, p, want) in [
        ("payload a JSON array", "[]".to_owned(), JWT_INVALID),
        ("payload a JSON string", "\"claims\"".to_owned(), JWT_INVALID),
        ("payload null", "null".to_owned(), JWT_INVALID),
        ("payload with trailing data", format!("{p} {{}}"), JWT_INVALID),
    ] {
        let t = c.token(&h, &p, Sig::Victim(Alg::RS256));
        c.add("2.6", what, t, want);
    }

    // Resource bounds: nesting and size are refused before work grows with them.
    // 10,002 levels: 3,334 groups of three brackets, so the encoding repeats.
    let rest_of_claims = format!(",{}", &p[1..]);
    let h_prefix = pad3(&format!(r#"{{"alg":"RS256","kid":"{kid}","x":"#));
    let t = c.token_parts(&[(&h_prefix, 1), ("[[[", 3_334), ("]]]", 3_334), ("}", 1)], &[(&p, 1)], Sig::Victim(Alg::RS256));
    c.add("3.4", "header JSON nested 10,002 deep", t, JWS_INVALID);
    let x_prefix = pad3(r#"{"x":"#);
    let t = c.token_parts(&[(&h, 1)], &[(&x_prefix, 1), ("[[[", 3_334), ("]]]", 3_334), (&rest_of_claims, 1)], Sig::Victim(Alg::RS256));
    c.add("3.4", "payload JSON arrays nested 10,002 deep, signed", t, JWT_INVALID);
    let t = c.token_parts(&[(&h, 1)], &[(&x_prefix, 1), (r#"{"a":{"a":{"a":"#, 3_334), ("1  ", 1), ("}}}", 3_334), (&rest_of_claims, 1)], Sig::Victim(Alg::RS256));
    c.add_with("3.4", "payload JSON objects nested 10,002 deep, signed, maxTokenBytes raised", t, None, json!({ "maxTokenBytes": 1 << 20 }), JWT_INVALID);
    c.add_with("3.4", "JWKS nested 10,000 deep", good.clone(), Some(Text::Rep { before: r#"{"keys":"#.into(), unit: "[".into(), times: 10_000, after: format!("{}}}", "]".repeat(10_000)) }), json!({}), JWKS_INVALID);
    let ten_mb = 10 * 1024 * 1024;
    c.add("3.4", "10 MB token", Text::Rep { before: format!("{h64}."), unit: "A".into(), times: ten_mb, after: format!(".{s64}") }, JWS_INVALID);
    c.add_with(
        "3.4",
        "10 MB token, caller raised maxTokenBytes: signature checked before the payload is decoded",
        Text::Rep { before: format!("{h64}."), unit: "A".into(), times: ten_mb, after: format!(".{s64}") },
        None,
        json!({ "maxTokenBytes": 16 * 1024 * 1024 }),
        BAD_SIG,
    );
    c.add("3.4", "10 MB header segment", Text::Rep { before: String::new(), unit: "A".into(), times: ten_mb, after: format!(".{p64}.{s64}") }, JWS_INVALID);

    // 3.3 / 3.4: signatures of the wrong size or out of range (RFC 8017 section 8.2.2 step 1
    // and section 5.2.2: s must be exactly k octets and below n).
    let valid = b64::decode(s64.as_bytes()).unwrap();
    let n_big = BigUint::from_bytes_be(&n);
    let pad = |v: BigUint| {
        let b = v.to_bytes_be();
        [vec![0u8; k.saturating_sub(b.len())], b].concat()
    };
    let other_input = format!("{h64}.{}", b64::encode(c.claims_with(json!({ "sub": "system:serviceaccount:kube-system:admin" })).as_bytes()));
    let spliced = c.sign(&Sig::Victim(Alg::RS256), other_input.as_bytes());
    let rs384 = c.sign(&Sig::Victim(Alg::RS384), format!("{h64}.{p64}").as_bytes());
    for (what, sig) in [
        ("one octet shorter than the modulus (leading octet dropped)", valid[1..].to_vec()),
        ("one octet longer (a leading zero: same integer, wrong length)", [&[0u8][..], &valid].concat()),
        ("one octet longer (trailing zero)", [&valid[..], &[0u8]].concat()),
        ("equal to the modulus", n.clone()),
        ("modulus + 1", pad(&n_big + 1u32)),
        ("modulus + the valid signature (same residue)", (&n_big + BigUint::from_bytes_be(&valid)).to_bytes_be()),
        ("all 0xff octets", vec![0xff; k]),
        ("all zeros", vec![0; k]),
        ("the integer 1", pad(BigUint::from(1u32))),
        ("modulus - 1", pad(&n_big - 1u32)),
        ("a single octet", vec![1]),
        ("twice the modulus length", [valid.clone(), valid.clone()].concat()),
        ("the issuer's signature over another payload", spliced),
        ("the issuer's RS384 signature under an RS256 header", rs384),
    ] {
        c.add("3.3", format!("signature {what}"), format!("{h64}.{p64}.{}", b64::encode(&sig)), BAD_SIG);
    }

    // 3.4 / 3.5: weak or malformed keys in the set are refused by kid, never used.
    let n64 = b64::encode(&n);
    let e64 = b64::encode(&e);
    let mut even = n.clone();
    *even.last_mut().unwrap() &= 0xfe;
    let mut short = n[..128].to_vec();
    *short.last_mut().unwrap() |= 1;
    let mut tiny = n[..64].to_vec();
    *tiny.last_mut().unwrap() |= 1;
    let mut huge = vec![0xc5u8; 1025];
    *huge.last_mut().unwrap() |= 1;
    let d64 = b64::encode(&c.victim.d().to_bytes_be());
    // With e = 1, s^e mod n is s: the forger writes the encoded message itself.
    let forged = {
        let input = format!("{}.{p64}", b64::encode(br#"{"alg":"RS256","kid":"weak"}"#));
        let prefix = Hash::Sha256.digest_info_prefix();
        let digest = Sha256::digest(input.as_bytes());
        let mut em = vec![0x00, 0x01];
        em.resize(k - prefix.len() - digest.len() - 1, 0xff);
        em.push(0);
        em.extend_from_slice(prefix);
        em.extend_from_slice(&digest);
        format!("{input}.{}", b64::encode(&em))
    };
    let weak_token = {
        let p = c.claims();
        c.token(r#"{"alg":"RS256","kid":"weak"}"#, &p, Sig::Victim(Alg::RS256))
    };
    let good_key = c.victim_jwk(json!({ "kid": kid }));
    for (what, weak, token, want) in [
        ("e = 1, with a signature forged as the encoded message", json!({ "kty": "RSA", "kid": "weak", "n": n64, "e": "AQ" }), forged.clone(), JWK_INVALID),
        ("e = 2 (even)", json!({ "kty": "RSA", "kid": "weak", "n": n64, "e": "Ag" }), weak_token.clone(), JWK_INVALID),
        ("e = 65536 (even)", json!({ "kty": "RSA", "kid": "weak", "n": n64, "e": "AQAA" }), weak_token.clone(), JWK_INVALID),
        ("e = 0", json!({ "kty": "RSA", "kid": "weak", "n": n64, "e": "AA" }), weak_token.clone(), JWK_INVALID),
        ("e empty", json!({ "kty": "RSA", "kid": "weak", "n": n64, "e": "" }), weak_token.clone(), JWK_INVALID),
        ("e = 2^64 + 1", json!({ "kty": "RSA", "kid": "weak", "n": n64, "e": "AQAAAAAAAAAB" }), weak_token.clone(), JWK_INVALID),
        ("even modulus", json!({ "kty": "RSA", "kid": "weak", "n": b64::encode(&even), "e": e64 }), weak_token.clone(), JWK_INVALID),
        ("1024-bit modulus", json!({ "kty": "RSA", "kid": "weak", "n": b64::encode(&short), "e": e64 }), weak_token.clone(), JWK_INVALID),
        ("512-bit modulus", json!({ "kty": "RSA", "kid": "weak", "n": b64::encode(&tiny), "e": e64 }), weak_token.clone(), JWK_INVALID),
        ("modulus 15", json!({ "kty": "RSA", "kid": "weak", "n": "Dw", "e": e64 }), weak_token.clone(), JWK_INVALID),
        ("modulus 0", json!({ "kty": "RSA", "kid": "weak", "n": "AA", "e": e64 }), weak_token.clone(), JWK_INVALID),
        ("modulus empty", json!({ "kty": "RSA", "kid": "weak", "n": "", "e": e64 }), weak_token.clone(), JWK_INVALID),
        ("8200-bit modulus (over 8192)", json!({ "kty": "RSA", "kid": "weak", "n": b64::encode(&huge), "e": e64 }), weak_token.clone(), JWK_INVALID),
        ("modulus padded with '='", json!({ "kty": "RSA", "kid": "weak", "n": format!("{n64}=="), "e": e64 }), weak_token.clone(), JWK_INVALID),
        ("modulus a number", json!({ "kty": "RSA", "kid": "weak", "n": 12345, "e": e64 }), weak_token.clone(), JWK_INVALID),
        ("private member d", json!({ "kty": "RSA", "kid": "weak", "n": n64, "e": e64, "d": d64 }), weak_token.clone(), JWK_INVALID),
        ("private member p only", json!({ "kty": "RSA", "kid": "weak", "n": n64, "e": e64, "p": "AQAB" }), weak_token.clone(), JWK_INVALID),
        ("modulus with a leading zero octet (tolerated, as node:crypto does)", json!({ "kty": "RSA", "kid": "weak", "n": b64::encode(&[&[0u8][..], &n].concat()), "e": e64 }), weak_token.clone(), OK),
        ("exponent with leading zero octets (tolerated)", json!({ "kty": "RSA", "kid": "weak", "n": n64, "e": "AAEAAQ" }), weak_token.clone(), OK),
    ] {
        c.add_with("3.4", format!("key with {what}"), token, jwks_of(&[weak, good_key.clone()]), json!({}), want);
    }
    let private_only = jwks_of(&[c.victim_jwk(json!({ "kid": kid, "d": d64 }))]);
    c.add_with("3.4", "set holding only a private key", good.clone(), private_only, json!({}), JWKS_INVALID);
    let e1_only = jwks_of(&[json!({ "kty": "RSA", "kid": "weak", "n": n64, "e": "AQ" })]);
    c.add_with("3.4", "set holding only an e = 1 key, forged token", forged, e1_only, json!({}), JWKS_INVALID);
    let attacker_pub = public_jwk(&c.attacker, json!({ "kid": "other" }));
    for (what, victim_extra) in [
        ("alg HS256 on the issuer's RSA key", json!({ "kid": kid, "alg": "HS256" })),
        ("alg none on the issuer's RSA key", json!({ "kid": kid, "alg": "none" })),
        ("use enc on the issuer's key", json!({ "kid": kid, "use": "enc" })),
        ("key_ops without verify", json!({ "kid": kid, "key_ops": ["sign", "encrypt"] })),
        ("kty oct on the issuer's key", json!({ "kid": kid, "kty": "oct" })),
    ] {
        c.add_with("3.1", format!("key with {what}"), good.clone(), jwks_of(&[c.victim_jwk(victim_extra), attacker_pub.clone()]), json!({}), NO_KEY);
    }

    // Set-level bounds and shape.
    let one = good_key.to_string();
    c.add_with("3.4", "JWKS of 10,000 keys", good.clone(), Some(Text::Rep { before: format!(r#"{{"keys":[{one}"#), unit: format!(",{one}"), times: 9_999, after: "]}".into() }), json!({}), JWKS_INVALID);
    c.add_with("3.4", "JWKS of 101 keys (under the byte limit)", good.clone(), Some(Text::Rep { before: format!(r#"{{"keys":[{one}"#), unit: format!(",{one}"), times: 100, after: "]}".into() }), json!({}), JWKS_INVALID);
    c.add_with("3.4", "JWKS padded to 600 KB with whitespace", good.clone(), Some(Text::Rep { before: String::new(), unit: " ".into(), times: 600 * 1024, after: c.jwks.clone() }), json!({}), JWKS_INVALID);
    for (what, text) in [
        ("JWKS a JSON array", "[]".to_owned()),
        ("JWKS with keys an object", r#"{"keys":{}}"#.to_owned()),
        ("JWKS with no keys", r#"{"keys":[]}"#.to_owned()),
        ("JWKS with a key that is a number", r#"{"keys":[1]}"#.to_owned()),
        ("JWKS empty text", String::new()),
    ] {
        c.add_with("3.4", what, good.clone(), Some(text.into()), json!({}), JWKS_INVALID);
    }
    curve_attacks(&mut c);

    // An EC key is usable now: the RS256 token finds no key of its family in such a set.
    let ec_only = format!(r#"{{"keys":[{}]}}"#, serde_json::from_str::<Value>(JWKS_FILE).unwrap()["keys"][1]);
    c.add_with("3.1", "RS256 token against a JWKS of only an EC key", good.clone(), Some(ec_only.into()), json!({}), NO_KEY);
    c
}

/// ECDSA (RFC 7518 section 3.4) and EdDSA (RFC 8037) rows: signature encodings and ranges,
/// points off the curve, curve and family confusion, Ed25519's malleable S and small-order keys.
/// The set holds Kubernetes' P-256 key (its own kid), a Kubernetes P-521 key and an Ed25519 key;
/// tokens are signed deterministically (RFC 6979 nonces, Ed25519), so the rows are stable.
fn curve_attacks(c: &mut Ctx) {
    let p256 = EcSigner::k8s_p256();
    let p521 = EcSigner::k8s_p521(0);
    let ed = EcSigner::test_ed25519();
    let attacker = EcSigner::from_seed(Alg::ES256, 66);
    let (k256, k521) = ("SoABiieYuNx4UdqYvZRVeuC6SihxgLrhLy9peHMHpTc", "892oXS8SSgNldETvo92mBIZWLBmYJP4dJ3ILGpO-UcM");
    let p256_jwk = p256.jwk(json!({ "kid": k256, "alg": "ES256", "use": "sig" }));
    let keys = vec![p256_jwk.clone(), p521.jwk(json!({ "kid": k521 })), ed.jwk(json!({ "kid": "ed" })), c.victim_jwk(json!({ "kid": c.kid }))];
    let jwks = jwks_of(&keys);
    let all = json!({ "algorithms": ["RS256", "ES256", "ES384", "ES512", "EdDSA", "Ed25519"] });
    let claims = c.claims();
    let es256_header = json!({ "alg": "ES256", "kid": k256, "typ": "JWT" }).to_string();
    let good = p256.sign_raw(&es256_header, &claims);
    let (input, sig64) = good.rsplit_once('.').unwrap();
    let input = input.to_owned();
    let sig = b64::decode(sig64.as_bytes()).unwrap();
    let with_sig = |s: &[u8]| format!("{input}.{}", b64::encode(s));
    let row = |c: &mut Ctx, name: &str, token: String, jwks: &Option<Text>, options: &Value, want: &'static str| {
        c.add_with("3.3", name, token, jwks.clone(), options.clone(), want);
    };

    // Controls: each curve algorithm, allowed by the caller, from the right key.
    row(c, "control: ES256 token from Kubernetes' P-256 key", good.clone(), &jwks, &all, OK);
    row(c, "control: ES512 token from a Kubernetes P-521 key", p521.token(json!({ "alg": "ES512", "kid": k521 }), k8s_claims()), &jwks, &all, OK);
    row(c, "control: EdDSA token", ed.token(json!({ "alg": "EdDSA", "kid": "ed" }), k8s_claims()), &jwks, &all, OK);
    row(c, "control: Ed25519 (RFC 9864) token", ed.token(json!({ "alg": "Ed25519", "kid": "ed" }), k8s_claims()), &jwks, &all, OK);
    row(c, "ES256 token, the caller allows RS256 only (the default)", good.clone(), &jwks, &json!({}), ALG);
    row(c, "EdDSA token, the caller allows Ed25519 only", ed.token(json!({ "alg": "EdDSA", "kid": "ed" }), k8s_claims()), &jwks, &json!({ "algorithms": ["Ed25519"] }), ALG);

    // ECDSA signature encodings and ranges (RFC 7518 section 3.4: r || s, each 32 octets for
    // P-256; r and s in 1..n-1).
    let n = hex_bytes("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
    let (r, s_) = sig.split_at(32);
    let n_big = BigUint::from_bytes_be(&n);
    let high_s = left_pad(&(&n_big - BigUint::from_bytes_be(s_)).to_bytes_be(), 32);
    let n_minus_1 = left_pad(&(&n_big - 1u32).to_bytes_be(), 32);
    for (what, sig, want) in [
        ("in DER (ASN.1 SEQUENCE of two INTEGERs), as OpenSSL writes it", der_signature(r, s_), BAD_SIG),
        ("r = s = 0 (CVE-2022-21449, psychic signatures)", vec![0; 64], BAD_SIG),
        ("r = 0", [&[0u8; 32][..], s_].concat(), BAD_SIG),
        ("s = 0", [r, &[0u8; 32][..]].concat(), BAD_SIG),
        ("r = n", [&n[..], s_].concat(), BAD_SIG),
        ("s = n", [r, &n[..]].concat(), BAD_SIG),
        ("r = s = n", [n.clone(), n.clone()].concat(), BAD_SIG),
        ("r = n - 1, s = n - 1", [n_minus_1.clone(), n_minus_1].concat(), BAD_SIG),
        ("r and s all 0xff (above n)", vec![0xff; 64], BAD_SIG),
        ("one octet short (leading octet of r dropped)", sig[1..].to_vec(), BAD_SIG),
        ("one octet long (a zero in front)", [&[0u8][..], &sig].concat(), BAD_SIG),
        ("r and s swapped", [s_, r].concat(), BAD_SIG),
        ("empty", vec![], BAD_SIG),
        // Not a forgery: (r, n - s) is the same signature's other half; ECDSA in JWS does not
        // fix s's half (jose, WebCrypto and Go accept it too).
        ("with s replaced by n - s (high S)", [r, &high_s[..]].concat(), OK),
    ] {
        row(c, &format!("ES256 signature {what}"), with_sig(&sig), &jwks, &all, want);
    }
    let p521_token = p521.token(json!({ "alg": "ES512", "kid": k521 }), k8s_claims());
    let (p521_input, p521_sig) = p521_token.rsplit_once('.').unwrap();
    let p521_sig = b64::decode(p521_sig.as_bytes()).unwrap();
    let unpadded: Vec<u8> = [strip(&p521_sig[..66]), strip(&p521_sig[66..])].concat();
    row(c, "ES512 signature with r and s stripped of leading zeros (not 66 octets each)", format!("{p521_input}.{}", b64::encode(&unpadded)), &jwks, &all, BAD_SIG);
    row(c, "ES512 signature under an ES384 header (alg changed)", {
        let h = json!({ "alg": "ES384", "kid": k521 }).to_string();
        let i = format!("{}.{}", b64::encode(h.as_bytes()), p521_input.split_once('.').unwrap().1);
        format!("{i}.{}", b64::encode(&p521_sig))
    }, &jwks, &all, NO_KEY);

    // Curve and family confusion: the JWK's kty and crv decide, as jose's isUsableJWK has it.
    let es384 = attacker.sign_raw(&json!({ "alg": "ES384", "kid": k256 }).to_string(), &claims);
    row(c, "ES384 header naming the P-256 key (curve confusion)", es384, &jwks, &all, NO_KEY);
    let rs_key_es = p256.sign_raw(&json!({ "alg": "ES256", "kid": c.kid }).to_string(), &claims);
    row(c, "ES256 header naming the issuer's RSA key", rs_key_es, &jwks, &all, NO_KEY);
    let p = c.claims();
    let rs_under_ec_kid = c.token(&json!({ "alg": "RS256", "kid": k256 }).to_string(), &p, Sig::Victim(Alg::RS256));
    row(c, "RS256 header naming the P-256 key", rs_under_ec_kid, &jwks, &all, NO_KEY);
    let ed_under_ec = ed.sign_raw(&json!({ "alg": "EdDSA", "kid": k256 }).to_string(), &claims);
    row(c, "EdDSA header naming the P-256 key", ed_under_ec, &jwks, &all, NO_KEY);
    let es_under_ed = p256.sign_raw(&json!({ "alg": "ES256", "kid": "ed" }).to_string(), &claims);
    row(c, "ES256 header naming the Ed25519 key", es_under_ed, &jwks, &all, NO_KEY);
    let p384_named = {
        let mut j = p256_jwk.clone();
        j["crv"] = json!("P-384");
        j["kid"] = json!("named-p384");
        j.as_object_mut().unwrap().remove("alg");
        j
    };
    let t = attacker.sign_raw(&json!({ "alg": "ES384", "kid": "named-p384" }).to_string(), &claims);
    row(c, "P-256 coordinates in a JWK that says crv P-384, ES384 token", t, &jwks_of(&[p384_named, keys[0].clone()]), &all, JWK_INVALID);
    let okp_as_ec = json!({ "kty": "EC", "crv": "Ed25519", "kid": "ed-as-ec", "x": ed.jwk(json!({}))["x"] });
    let t = ed.sign_raw(&json!({ "alg": "EdDSA", "kid": "ed-as-ec" }).to_string(), &claims);
    row(c, "Ed25519 key written as kty EC, EdDSA token", t, &jwks_of(&[okp_as_ec, keys[0].clone()]), &all, NO_KEY);
    let mut ed_marked = ed.jwk(json!({ "kid": "ed", "alg": "EdDSA" }));
    let t = ed.token(json!({ "alg": "Ed25519", "kid": "ed" }), k8s_claims());
    row(c, "Ed25519 header, the key says alg EdDSA", t, &jwks_of(&[ed_marked.clone(), keys[0].clone()]), &all, NO_KEY);
    ed_marked["alg"] = json!("Ed25519");
    let t = ed.token(json!({ "alg": "EdDSA", "kid": "ed" }), k8s_claims());
    row(c, "EdDSA header, the key says alg Ed25519", t, &jwks_of(&[ed_marked, keys[0].clone()]), &all, NO_KEY);
    // HMAC keyed with the EC public key, the classic confusion for these families too.
    let point = p256.public_bytes();
    let t = c.token(&json!({ "alg": "HS256", "kid": k256 }).to_string(), &claims, Sig::Hmac(Hash::Sha256, point.clone()));
    row(c, "HS256 keyed with the P-256 point, caller lists HS256", t, &jwks, &json!({ "algorithms": ["ES256", "HS256"] }), UNSUPPORTED);
    let t = c.token(&json!({ "alg": "HS256", "kid": k256 }).to_string(), &claims, Sig::Hmac(Hash::Sha256, point));
    row(c, "HS256 keyed with the P-256 point", t, &jwks, &all, ALG);
    // A key embedded in the header is never used.
    let t = attacker.sign_raw(&json!({ "alg": "ES256", "kid": k256, "jwk": attacker.jwk(json!({})) }).to_string(), &claims);
    row(c, "jwk header with the attacker's P-256 key and the issuer's kid", t, &jwks, &all, BAD_SIG);

    // Points: off the curve, the identity, the wrong length. Named by kid, the key says why.
    let y = b64::decode(p256_jwk["y"].as_str().unwrap().as_bytes()).unwrap();
    let mut y1 = y.clone();
    y1[31] ^= 1;
    let attacker_token = |kid: &str| attacker.sign_raw(&json!({ "alg": "ES256", "kid": kid }).to_string(), &claims);
    let x = b64::decode(p256_jwk["x"].as_str().unwrap().as_bytes()).unwrap();
    for (what, bad) in [
        ("a point off the curve (y + 1)", json!({ "kty": "EC", "crv": "P-256", "kid": "bad", "x": p256_jwk["x"], "y": b64::encode(&y1) })),
        ("(0, 0), the identity as some libraries write it", json!({ "kty": "EC", "crv": "P-256", "kid": "bad", "x": b64::encode(&[0; 32]), "y": b64::encode(&[0; 32]) })),
        ("x and y of 48 octets under crv P-256", json!({ "kty": "EC", "crv": "P-256", "kid": "bad", "x": b64::encode(&[1; 48]), "y": b64::encode(&[1; 48]) })),
        ("x stripped of a leading octet", json!({ "kty": "EC", "crv": "P-256", "kid": "bad", "x": b64::encode(&x[1..]), "y": p256_jwk["y"] })),
        ("the private scalar d", json!({ "kty": "EC", "crv": "P-256", "kid": "bad", "x": p256_jwk["x"], "y": p256_jwk["y"], "d": b64::encode(&[7; 32]) })),
        ("x5c holding the issuer's RSA certificate", json!({ "kty": "EC", "crv": "P-256", "kid": "bad", "x": p256_jwk["x"], "y": p256_jwk["y"], "x5c": [base64_std(&pem_der(include_str!("vectors/certs/rsa.pem")))] })),
    ] {
        row(c, &format!("EC key with {what}"), attacker_token("bad"), &jwks_of(&[bad, keys[0].clone()]), &all, JWK_INVALID);
    }
    row(c, "crv secp256k1 (ES256K is not offered)", attacker_token("bad"), &jwks_of(&[json!({ "kty": "EC", "crv": "secp256k1", "kid": "bad", "x": p256_jwk["x"], "y": p256_jwk["y"] }), keys[0].clone()]), &all, NO_KEY);

    // Ed25519: S must be below L (RFC 8032 section 5.1.7), R and the key not of small order.
    let ed_token = ed.token(json!({ "alg": "EdDSA", "kid": "ed" }), k8s_claims());
    let (ed_input, ed_sig) = ed_token.rsplit_once('.').unwrap();
    let ed_sig = b64::decode(ed_sig.as_bytes()).unwrap();
    let l = BigUint::parse_bytes(b"1000000000000000000000000000000014def9dea2f79cd65812631a5cf5d3ed", 16).unwrap();
    let le = |v: &BigUint| {
        let mut b = v.to_bytes_le();
        b.resize(32, 0);
        b
    };
    let s_plus_l = le(&(BigUint::from_bytes_le(&ed_sig[32..]) + &l));
    let identity = hex_bytes("0100000000000000000000000000000000000000000000000000000000000000");
    let order8 = hex_bytes("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a");
    for (what, sig) in [
        ("S + L (non-canonical S, the same signature malleated)", [&ed_sig[..32], &s_plus_l[..]].concat()),
        ("S = L", [&ed_sig[..32], &le(&l)[..]].concat()),
        ("S with its top bits set", [&ed_sig[..32], &[0xff; 32][..]].concat()),
        ("R the identity, S = 0", [identity.clone(), vec![0; 32]].concat()),
        ("R a point of order 8", [&order8[..], &ed_sig[32..]].concat()),
        ("of 63 octets", ed_sig[..63].to_vec()),
        ("of 65 octets", [&ed_sig[..], &[0u8][..]].concat()),
        ("all zeros", vec![0; 64]),
    ] {
        row(c, &format!("Ed25519 signature {what}"), format!("{ed_input}.{}", b64::encode(&sig)), &jwks, &all, BAD_SIG);
    }
    // A small-order key verifies forged signatures in a lax verifier ([S]B = R + [k]A holds for
    // A and R the identity and S = 0, whatever the message): refused at import.
    let forged = {
        let h = json!({ "alg": "EdDSA", "kid": "weak" }).to_string();
        let i = format!("{}.{}", b64::encode(h.as_bytes()), b64::encode(claims.as_bytes()));
        format!("{i}.{}", b64::encode(&[identity.clone(), vec![0; 32]].concat()))
    };
    let mut non_canonical = hex_bytes("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
    non_canonical[0] += 1; // p + 1: y = 1 again, written out of range
    for (what, key) in [
        ("the identity (small order), with a forged signature", identity),
        ("a point of order 8, with a forged signature", order8),
        ("y = p + 1 (non-canonical)", non_canonical),
    ] {
        let weak = json!({ "kty": "OKP", "crv": "Ed25519", "kid": "weak", "x": b64::encode(&key) });
        row(c, &format!("Ed25519 key {what}"), forged.clone(), &jwks_of(&[weak, keys[0].clone()]), &all, JWK_INVALID);
    }
    let x448 = json!({ "kty": "OKP", "crv": "Ed448", "kid": "ed", "x": b64::encode(&[1; 57]) });
    row(c, "Ed448 key named by an EdDSA token (only Ed25519 is offered)", ed_token.clone(), &jwks_of(&[x448, keys[0].clone()]), &all, NO_KEY);
}

fn hex_bytes(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

fn left_pad(b: &[u8], len: usize) -> Vec<u8> {
    [vec![0; len.saturating_sub(b.len())], b.to_vec()].concat()
}

fn strip(b: &[u8]) -> &[u8] {
    let at = b.iter().position(|&x| x != 0).unwrap_or(b.len());
    &b[at..]
}

/// ECDSA-Sig-Value (RFC 3279 section 2.2.3): SEQUENCE { r INTEGER, s INTEGER }.
fn der_signature(r: &[u8], s: &[u8]) -> Vec<u8> {
    let int = |v: &[u8]| {
        let v = strip(v);
        let body = if v.first().is_some_and(|b| b & 0x80 != 0) { [&[0u8][..], v].concat() } else { v.to_vec() };
        [vec![0x02, body.len() as u8], body].concat()
    };
    let body = [int(r), int(s)].concat();
    [vec![0x30, body.len() as u8], body].concat()
}

fn pem_der(pem: &str) -> Vec<u8> {
    use base64::Engine;
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD.decode(body).unwrap()
}

fn base64_std(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn options(v: &Value) -> Result<VerifyOptions, &'static str> {
    let mut o = VerifyOptions::at(v["currentDate"].as_i64().unwrap());
    if let Some(algs) = v.get("algorithms") {
        // As the npm binding does: a name the library does not implement is ERR_JOSE_NOT_SUPPORTED.
        o.algorithms = algs.as_array().unwrap().iter().map(|a| Alg::from_name(a.as_str().unwrap())).collect::<Option<_>>().ok_or(UNSUPPORTED)?;
    }
    if let Some(a) = v.get("audience") {
        o.audience = vec![a.as_str().unwrap().to_owned()];
    }
    if let Some(age) = v.get("maxTokenAge") {
        o.max_token_age = Some(age.as_f64().unwrap());
    }
    if let Some(max) = v.get("maxTokenBytes") {
        o.max_token_bytes = max.as_u64().unwrap() as usize;
    }
    Ok(o)
}

fn run(default_jwks: &str, case: &Case) -> Result<(), String> {
    let jwks = case.jwks.as_ref().map_or_else(|| default_jwks.to_owned(), Text::expand);
    let token = case.token.expand();
    let got = match options(&case.options) {
        Err(code) => Err(code.to_owned()),
        Ok(o) => Verifier::new(jwks.as_bytes()).and_then(|v| v.verify(&token, &o)).map(|_| ()).map_err(|e| {
            // Messages never echo token or key material (issue: no secrets in errors).
            let segments = token.split('.').filter(|s| s.len() >= 16).take(3);
            for s in segments {
                assert!(!e.message().contains(&s[..16]), "{}: message quotes the token: {}", case.name, e.message());
            }
            e.code().as_str().to_owned()
        }),
    };
    let got = match got {
        Ok(()) => OK.to_owned(),
        Err(code) => code,
    };
    if got == case.expect {
        Ok(())
    } else {
        Err(format!("{} (RFC 8725 {}): expected {}, got {got}", case.name, case.rfc8725, case.expect))
    }
}

#[test]
fn attack_catalogue() {
    let c = catalogue();
    assert!(c.cases.len() > 150, "the catalogue lost rows: {}", c.cases.len());
    let failures: Vec<String> = c.cases.iter().filter_map(|case| run(&c.jwks, case).err()).collect();
    assert!(failures.is_empty(), "{} of {} attacks not refused as expected:\n{}", failures.len(), c.cases.len(), failures.join("\n"));

    // The same table feeds pkg-tests/attacks.test.mjs. Rows are deterministic (PKCS#1 v1.5,
    // HMAC, and PSS from a seeded generator), so the file must match byte for byte.
    let table = Table {
        comment: "Generated by tests/attacks.rs (JWKSGATE_UPDATE_ATTACKS=1 cargo test --release --test attacks); run by pkg-tests/attacks.test.mjs",
        default_jwks: c.jwks.clone(),
        cases: c.cases,
    };
    let rows: Vec<String> = table.cases.iter().map(|r| serde_json::to_string(r).unwrap()).collect();
    let text = format!(
        "{{\"comment\":{},\n\"defaultJwks\":{},\n\"cases\":[\n{}\n]}}\n",
        serde_json::to_string(table.comment).unwrap(),
        serde_json::to_string(&table.default_jwks).unwrap(),
        rows.join(",\n")
    );
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/attacks.json");
    if std::env::var_os("JWKSGATE_UPDATE_ATTACKS").is_some() {
        std::fs::write(path, &text).unwrap();
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(committed == text, "tests/attacks.json is stale: run JWKSGATE_UPDATE_ATTACKS=1 cargo test --release --test attacks");
}
