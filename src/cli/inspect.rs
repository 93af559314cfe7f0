//! `jwksgate inspect`: a token decoded WITHOUT verifying it, as `step crypto jwt inspect
//! --insecure` does, with what the inspector page adds: each member's meaning, times in words,
//! its warnings (www/lib/claims.js) and the Kubernetes identity.

use super::time::{self, relative, utc};
use super::out::Text;
use super::{input, plain, quoted, shown, Failure, Report};
use crate::claims::DEFAULT_MAX_TOKEN_BYTES;
use crate::kubernetes::{self, Identity, Ref, LEGACY_ISSUER};
use crate::{decode_unverified, Unverified};
use serde_json::{json, Map, Value};

/// Decode a token without verifying it: header and claims explained, times in words, warnings,
/// and the Kubernetes identity. Exits non-zero only for input that is not a JWT.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The token, a file holding it, or `-` (the default) for standard input.
    pub token: Option<String>,
    /// Print `{"header": ..., "payload": ..., "signature": "..."}`, as `step crypto jwt inspect`.
    #[arg(long)]
    pub json: bool,
    /// Judge the times at TIME (seconds since the epoch or RFC 3339) instead of now.
    #[arg(long, value_name = "TIME", value_parser = super::non_blank)]
    pub at: Option<String>,
}

/// What registered claims mean (RFC 7519 section 4.1), as the inspector says it.
const CLAIMS: [(&str, &str); 12] = [
    ("iss", "Issuer: who made and signed the token (RFC 7519 4.1.1)"),
    ("sub", "Subject: whom the token speaks for (4.1.2)"),
    ("aud", "Audience: who the token is for (4.1.3)"),
    ("exp", "Expiration time: not accepted at or after it (4.1.4)"),
    ("nbf", "Not before: not accepted before it (4.1.5)"),
    ("iat", "Issued at (4.1.6)"),
    ("jti", "JWT ID: lets a verifier refuse a replay (4.1.7)"),
    ("kubernetes.io", "Kubernetes: namespace, ServiceAccount, and the pod, node or secret it is bound to (KEP-1205)"),
    ("azp", "Authorized party (OpenID Connect Core 2)"),
    ("nonce", "Nonce: ties an ID token to one login (OpenID Connect Core 2)"),
    ("auth_time", "When the user authenticated (OpenID Connect Core 2)"),
    ("email", "Email address (OpenID Connect Core 5.1)"),
];

/// What header parameters mean (RFC 7515 section 4.1).
const HEADER_PARAMS: [(&str, &str); 11] = [
    ("alg", "Algorithm (RFC 7515 4.1.1); the verifier's allowlist decides, never this value"),
    ("kid", "Key ID: which key of the issuer's set signed it (4.1.4)"),
    ("typ", "Type of the whole token (4.1.9)"),
    ("cty", "Content type of the payload (4.1.10)"),
    ("crit", "Extensions the verifier must understand (4.1.11)"),
    ("jku", "A key URL chosen by the token's maker (4.1.2); never used"),
    ("jwk", "A key embedded by the token's maker (4.1.3); never used"),
    ("x5u", "A certificate URL chosen by the token's maker (4.1.5); never used"),
    ("x5c", "A certificate chain in the token (4.1.6); never used"),
    ("x5t", "SHA-1 thumbprint of a certificate (4.1.7)"),
    ("x5t#S256", "SHA-256 thumbprint of a certificate (4.1.8)"),
];

const TIME_CLAIMS: [&str; 4] = ["exp", "nbf", "iat", "auth_time"];
const DAY: f64 = 86400.0;

fn meaning(table: &[(&str, &'static str)], name: &str) -> &'static str {
    table.iter().find(|(n, _)| *n == name).map_or("", |(_, m)| m)
}

/// A number of seconds that is a usable time.
fn numeric_date(v: Option<&Value>) -> Option<f64> {
    v.and_then(Value::as_f64).filter(|t| utc(*t).is_some())
}

/// The inspector's warnings (www/lib/claims.js `warnings`), in its order, for a token at `now`.
pub fn warnings(header: &Map<String, Value>, payload: &Map<String, Value>, identity: Option<&Identity>, now: f64) -> Vec<String> {
    let mut out = Vec::new();
    let alg = header.get("alg").and_then(Value::as_str).unwrap_or_default();
    if alg.eq_ignore_ascii_case("none") {
        out.push("alg is \"none\": the token is not signed at all. It is never accepted.".to_owned());
    } else if alg.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("HS")) {
        out.push(format!("alg is {}, an HMAC with a shared secret: anyone who can check it can also forge it. Tokens from a key set are never accepted with HMAC.", plain(alg)));
    }
    for p in ["jku", "x5u", "jwk", "x5c"] {
        if header.contains_key(p) {
            out.push(format!("The header carries \"{p}\", a key or key location chosen by whoever made the token. It is ignored: keys come only from the issuer's set you provide."));
        }
    }
    for (what, obj) in [("header", header), ("payload", payload)] {
        let mut found = Vec::new();
        hidden_paths(&Value::Object(obj.clone()), "", &mut found, 0);
        if !found.is_empty() {
            found.truncate(5);
            out.push(format!("The {what} has names or values with invisible or direction-changing characters: {}. They can make one claim look like another (su\\u200Bb beside sub).", found.join(", ")));
        }
    }
    if header.contains_key("crit") {
        out.push("The header has \"crit\": extensions the verifier must understand. jwksgate understands none and rejects the token.".to_owned());
    }
    let legacy = payload.get("iss").and_then(Value::as_str) == Some(LEGACY_ISSUER) || identity.is_some_and(|i| i.legacy);
    if legacy {
        out.push("A legacy Kubernetes secret-based ServiceAccount token: it never expires and stays valid until its Secret is deleted. Use a projected token (kubectl create token) instead.".to_owned());
    }
    let time = |name: &str| (payload.get(name), numeric_date(payload.get(name)));
    let (exp_v, exp) = time("exp");
    match (exp_v, exp) {
        (None, _) if !legacy => out.push("No \"exp\": the token never expires. jwksgate requires \"exp\" by default.".to_owned()),
        (None, _) => {}
        (Some(_), None) => out.push("\"exp\" is not a number of seconds.".to_owned()),
        (Some(_), Some(exp)) if exp <= now => out.push(format!("Expired {} ago.", time::duration(now - exp))),
        _ => {}
    }
    let (nbf_v, nbf) = time("nbf");
    match (nbf_v, nbf) {
        (Some(_), None) => out.push("\"nbf\" is not a number of seconds.".to_owned()),
        (_, Some(nbf)) if nbf > now => out.push(format!("Not valid yet: it becomes valid in {}.", time::duration(nbf - now))),
        _ => {}
    }
    let (iat_v, iat) = time("iat");
    match (iat_v, iat) {
        (Some(_), None) => out.push("\"iat\" is not a number of seconds.".to_owned()),
        (_, Some(iat)) if iat > now => out.push(format!("Issued in the future (in {}): the issuer's clock or yours is wrong.", time::duration(iat - now))),
        _ => {}
    }
    if let (Some(exp), Some(start)) = (exp, iat.or(nbf)) {
        if exp - start > DAY {
            out.push(format!("Lifetime of {}, over a day: a stolen copy stays useful that long.", time::duration(exp - start)));
        }
    }
    let warnafter = payload.get("kubernetes.io").and_then(Value::as_object).and_then(|k| k.get("warnafter"));
    if warnafter.is_some() && numeric_date(warnafter).is_none() {
        out.push("\"kubernetes.io\" \"warnafter\" is not a usable time (a number of seconds within the range of dates).".to_owned());
    }
    if let Some(id) = identity.filter(|i| !i.subject_matches) {
        out.push(format!("\"sub\" is not {}, the subject Kubernetes gives this ServiceAccount.", plain(&id.subject)));
    }
    out
}

/// Where names or string values hold hidden characters, as `"path"`.
fn hidden_paths(v: &Value, path: &str, out: &mut Vec<String>, depth: usize) {
    let hides = |s: &str| s.chars().any(super::out::is_hidden);
    match v {
        Value::String(s) if hides(s) => out.push(quoted(path)),
        Value::Object(o) if depth < 16 => {
            for (k, v) in o {
                let p = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                if hides(k) {
                    out.push(quoted(&p));
                }
                hidden_paths(v, &p, out, depth + 1);
            }
        }
        Value::Array(a) if depth < 16 => a.iter().enumerate().for_each(|(i, v)| hidden_paths(v, &format!("{path}[{i}]"), out, depth + 1)),
        _ => {}
    }
}

/// A claim's value with, for a time, its date and how far it is from `now`.
fn value_line(name: &str, v: &Value, now: f64) -> String {
    let text = shown(v);
    if !TIME_CLAIMS.contains(&name) {
        return text;
    }
    match numeric_date(Some(v)) {
        Some(t) => format!("{text}  {} ({})", utc(t).unwrap_or_default(), relative(t, now)),
        None => format!("{text}  (not a usable time)"),
    }
}

fn section(out: &mut Text, title: &str, rows: &[(String, String, &str)]) {
    out.line(title);
    let width = rows.iter().map(|(n, _, _)| n.chars().count()).max().unwrap_or(0).min(24);
    for (name, value, note) in rows {
        out.line(format!("  {name:<width$}  {value}"));
        if !note.is_empty() {
            out.line(format!("  {:<width$}  ({note})", ""));
        }
    }
}

fn reference(r: &Ref) -> String {
    match &r.uid {
        Some(uid) => format!("{} (uid {})", plain(&r.name), plain(uid)),
        None => plain(&r.name),
    }
}

/// The report for people.
fn text(t: &Unverified, now: f64) -> Text {
    let identity = kubernetes::identity(&t.payload);
    let mut out = Text::default();
    out.line("NOT VERIFIED: decoded only; neither the signature nor any claim was checked (`jwksgate verify` checks them).");
    out.blank();
    let rows = |m: &Map<String, Value>, table: &[(&str, &'static str)]| -> Vec<(String, String, &'static str)> {
        m.iter().map(|(k, v)| (quoted(k).trim_matches('"').to_owned(), value_line(k, v, now), meaning(table, k))).collect()
    };
    section(&mut out, "Header", &rows(&t.header, &HEADER_PARAMS));
    out.blank();
    section(&mut out, "Claims", &rows(&t.payload, &CLAIMS));
    if let Some(id) = &identity {
        let mut k = vec![("namespace".to_owned(), plain(&id.namespace), ""), ("service account".to_owned(), reference(&id.service_account), "")];
        for (what, r) in [("pod", &id.pod), ("node", &id.node), ("secret", &id.secret)] {
            if let Some(r) = r {
                k.push((what.to_owned(), reference(r), ""));
            }
        }
        if let Some(w) = id.warn_after {
            let when = utc(w as f64).map_or_else(|| w.to_string(), |d| format!("{d} ({})", relative(w as f64, now)));
            k.push(("warnafter".to_owned(), when, "after this the kubelet should have refreshed the token"));
        }
        let matches = if id.subject_matches { "matches sub" } else { "sub differs" };
        k.push(("subject".to_owned(), format!("{} ({matches})", plain(&id.subject)), ""));
        if id.legacy {
            k.push(("kind".to_owned(), "legacy secret-based token".to_owned(), ""));
        }
        out.blank();
        section(&mut out, "Kubernetes", &k);
    }
    let found = warnings(&t.header, &t.payload, identity.as_ref(), now);
    out.blank();
    out.line(format!("Warnings ({})", found.len()));
    for w in &found {
        out.line(format!("  - {w}"));
    }
    out.blank();
    out.line(format!("Signature  {} bytes, not checked", t.signature.len() * 3 / 4));
    out
}

pub fn run(args: &Args) -> Result<Report, Failure> {
    let now = args.at.as_deref().map(time::parse_at).transpose()?.unwrap_or_else(time::now);
    let token = input::token(args.token.as_deref(), DEFAULT_MAX_TOKEN_BYTES)?;
    let decoded = decode_unverified(&token, DEFAULT_MAX_TOKEN_BYTES)?;
    if args.json {
        return Ok(Report::json(json!({ "header": decoded.header, "payload": decoded.payload, "signature": decoded.signature }), true));
    }
    Ok(Report::yes(text(&decoded, now)))
}
