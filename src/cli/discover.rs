//! `jwksgate discover`: an issuer's discovery document and key set checked as Vault's JWT auth
//! (go-oidc's `NewProvider`: the document's `issuer` exactly the URL) and the gate will fetch
//! them, and as the inspector's fetch button needs them (CORS). Parsing is the core's.

use super::http::{Fetched, Http};
use super::keys::{discovery_url, fetch};
use super::out::Text;
use super::{plain, quoted, Failure, Report};
use crate::discovery::{self, MAX_DISCOVERY_BYTES};
use crate::jwa::alg;
use crate::jwk::{Jwk, Jwks, MAX_JWKS_BYTES};
use serde_json::{json, Value};
use std::path::PathBuf;

/// Check an issuer: its discovery document (`issuer` exactly the URL, https, a `jwks_uri`), its
/// key set (every key parsed, which algorithms each verifies, `kid`s against Kubernetes' key
/// ids) and the caching and CORS headers of both. Exit 1 on any problem; warnings do not fail.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The issuer URL, exactly as tokens carry it in `iss`.
    #[arg(value_parser = super::non_blank)]
    pub url: String,
    /// CA certificates (PEM) trusted for https instead of the built-in roots, as curl's --cacert.
    #[arg(long, value_name = "FILE")]
    pub cacert: Option<PathBuf>,
    /// A report for scripts: `{"ok", "problems", "warnings", "discovery", "jwks", "keys"}`.
    #[arg(long)]
    pub json: bool,
}

#[derive(Default)]
struct Findings {
    problems: Vec<String>,
    warnings: Vec<String>,
    lines: Vec<String>,
}

impl Findings {
    fn ok(&mut self, line: String) {
        self.lines.push(format!("  ok       {line}"));
    }
    fn problem(&mut self, line: String) {
        self.lines.push(format!("  PROBLEM  {line}"));
        self.problems.push(line);
    }
    fn warn(&mut self, line: String) {
        self.lines.push(format!("  warning  {line}"));
        self.warnings.push(line);
    }
}

/// The headers both responses are judged on.
fn headers(f: &mut Findings, what: &str, got: &Fetched) -> Value {
    match &got.cache_control {
        Some(cc) => f.ok(format!("{what} Cache-Control: {}", plain(cc))),
        None => f.warn(format!("{what} has no Cache-Control: clients cannot tell how long to keep it")),
    }
    if got.cors_allows_pages() {
        f.ok(format!("{what} allows pages on other origins (Access-Control-Allow-Origin: {})", plain(got.allow_origin.as_deref().unwrap_or_default())));
    } else {
        f.warn(format!("{what} sends no Access-Control-Allow-Origin that admits other origins: the inspector's fetch button cannot read it (paste it instead)"));
    }
    json!({ "url": got.url, "status": got.status, "cache_control": got.cache_control, "access_control_allow_origin": got.allow_origin, "cors": got.cors_allows_pages() })
}

fn https(f: &mut Findings, what: &str, url: &str) {
    if url.starts_with("https://") {
        f.ok(format!("{what} is https"));
    } else if super::http::is_loopback_http(url) {
        f.warn(format!("{what} {} is http to this machine: fine for a local stand-in, but a real issuer needs https", quoted(url)));
    } else {
        f.problem(format!("{what} {} is not https: Vault and the gate fetch keys over https only", quoted(url)));
    }
}

/// One key's row: which algorithms it verifies and its identifiers.
fn key_row(f: &mut Findings, jwk: &Jwk, index: usize) -> Value {
    let kid = jwk.kid().map(str::to_owned);
    let name = kid.as_deref().map_or_else(|| format!("key {index} (no kid)"), |k| format!("key {}", quoted(k)));
    let algs: Vec<&str> = if jwk.is_usable() { alg::ALL.into_iter().filter(|a| jwk.is_candidate(*a, None)).map(|a| a.name()).collect() } else { Vec::new() };
    let mut row = json!({ "kid": kid, "kty": jwk.kty(), "alg": jwk.alg(), "usable": !algs.is_empty(), "algorithms": algs });
    match jwk.key() {
        Err(e) => {
            f.warn(format!("{name} ({}) is not usable: {}", jwk.kty().map_or_else(|| "no kty".to_owned(), plain), e.message()));
            if let Some(m) = row.as_object_mut() {
                m.insert("error".into(), json!({ "code": e.code().as_str(), "message": e.message() }));
            }
        }
        Ok(_) if algs.is_empty() => f.warn(format!("{name} is not a signing key (use or key_ops): it verifies nothing")),
        Ok(key) => {
            let k8s = key.kubernetes_key_id();
            f.ok(format!("{name} ({}) verifies {}; thumbprint {}", plain(jwk.kty().unwrap_or_default()), algs.join(", "), key.thumbprint()));
            match &kid {
                Some(k) if k == k8s => f.ok(format!("{name} is its Kubernetes key id")),
                _ => f.warn(format!("{name}: the Kubernetes key id of this key is {}; a Kubernetes issuer names its keys so", quoted(k8s))),
            }
            if let Some(m) = row.as_object_mut() {
                m.insert("thumbprint".into(), key.thumbprint().into());
                m.insert("kubernetes_key_id".into(), k8s.into());
                m.insert("kid_is_kubernetes_key_id".into(), (kid.as_deref() == Some(k8s)).into());
            }
        }
    }
    row
}

/// `url` fetched, said as a finding either way: what came back, or (`None`) why nothing did.
fn fetched(f: &mut Findings, http: &Http, what: &str, url: &str, max: usize) -> Option<Fetched> {
    match fetch(http, url, max) {
        Ok(got) => {
            f.ok(format!("fetched {} (HTTP {}, {} bytes)", plain(url), got.status, got.body.len()));
            Some(got)
        }
        Err(e) => {
            f.problem(format!("{what} {}: {e}", plain(url)));
            None
        }
    }
}

fn check(url: &str, http: &Http, f: &mut Findings) -> Value {
    let mut report = json!({ "issuer": url });
    let put = |report: &mut Value, k: &str, v: Value| {
        if let Some(m) = report.as_object_mut() {
            m.insert(k.into(), v);
        }
    };
    https(f, "the issuer", url);
    let doc_url = discovery_url(url);
    let Some(doc) = fetched(f, http, "the discovery document", &doc_url, MAX_DISCOVERY_BYTES) else {
        return report;
    };
    put(&mut report, "discovery", headers(f, "the discovery document", &doc));
    // The verdict on issuer and jwks_uri is the core's; the strings shown whole are read here.
    let named = crate::json::parse(&doc.body).ok().and_then(|v| v.get("issuer").cloned());
    let jwks_uri = match discovery::jwks_uri(&doc.body, url) {
        Ok(uri) => {
            f.ok(format!("its issuer is exactly {}", quoted(url)));
            uri
        }
        Err(e) => {
            match named {
                Some(Value::String(named)) if named != url => f.problem(format!(
                    "issuer mismatch: the document names issuer {}, but it was fetched for {}; Vault (go-oidc) and the gate refuse it, tokens must carry exactly the document's issuer",
                    quoted(&named),
                    quoted(url)
                )),
                _ => f.problem(format!("the discovery document: {}", e.message())),
            }
            return report;
        }
    };
    put(&mut report, "jwks_uri", jwks_uri.clone().into());
    https(f, "the jwks_uri", &jwks_uri);
    let Some(set) = fetched(f, http, "the JWKS", &jwks_uri, MAX_JWKS_BYTES) else {
        return report;
    };
    put(&mut report, "jwks", headers(f, "the JWKS", &set));
    match Jwks::parse(&set.body) {
        Ok(jwks) => {
            let rows: Vec<Value> = jwks.keys().iter().enumerate().map(|(i, k)| key_row(f, k, i)).collect();
            put(&mut report, "keys", rows.into());
        }
        Err(e) => f.problem(format!("the JWKS: {}: {}", e.code().as_str(), e.message())),
    }
    report
}

pub fn run(args: &Args) -> Result<Report, Failure> {
    let http = Http::new(args.cacert.as_deref())?;
    let mut f = Findings::default();
    let mut report = check(&args.url, &http, &mut f);
    let ok = f.problems.is_empty();
    if args.json {
        if let Some(m) = report.as_object_mut() {
            m.insert("ok".into(), ok.into());
            m.insert("problems".into(), f.problems.clone().into());
            m.insert("warnings".into(), f.warnings.clone().into());
        }
        return Ok(Report::json(report, ok));
    }
    let verdict = if ok {
        format!("OK: Vault and the gate can use this issuer ({} warning{}).", f.warnings.len(), if f.warnings.len() == 1 { "" } else { "s" })
    } else {
        format!("NOT OK: {} problem{}, {} warning{}.", f.problems.len(), if f.problems.len() == 1 { "" } else { "s" }, f.warnings.len(), if f.warnings.len() == 1 { "" } else { "s" })
    };
    let mut text = Text::default();
    text.line(format!("Issuer {}", quoted(&args.url)));
    f.lines.into_iter().for_each(|l| text.line(l));
    text.blank();
    text.line(verdict);
    Ok(if ok { Report::yes(text) } else { Report::no(text) })
}
