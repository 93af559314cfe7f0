//! `jwksgate explain`: a Vault role (and the mount's config) against a token, every check of
//! the gate's `Gate::explain` (the code the worker runs) in Vault's order, each passed, failed
//! in Vault's words, skipped or not reached. Exit 0 when Vault would log the token in.

use super::http::Http;
use super::keys::{self, KeyArgs, KeySet};
use super::out::Text;
use super::{input, plain, quoted, time, Failure, Report};
use crate::claims::DEFAULT_MAX_TOKEN_BYTES;
use crate::gate::documents::{self, KeySources};
use crate::gate::login::{Explanation, Outcome};
use crate::gate::role::{AuthConfig, Gate};
use crate::json;
use crate::Verifier;
use serde_json::Value;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

/// Largest role or config file read.
const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// Explain why Vault's JWT auth would or would not log a token in with a role: every rule in
/// Vault's order, the first failure in Vault's exact words. Exit 0 when it would log in.
#[derive(clap::Args, Debug)]
#[command(after_help = "--role takes `vault read -format=json auth/jwt/role/NAME` output, a role's \
parameters as JSON, or the gate's ROLES (an object of name to role; pick one with --name).\n\
--config takes `vault read -format=json auth/jwt/config` output or its data: bound_issuer, \
jwt_supported_algs, default_role, and the keys (oidc_discovery_url, jwks_url, \
jwt_validation_pubkeys, with oidc_discovery_ca_pem / jwks_ca_pem) unless --issuer, --jwks or --pem \
is given.")]
pub struct Args {
    /// The token, a file holding it, or `-` (the default) for standard input.
    pub token: Option<String>,
    /// The role (a JSON file).
    #[arg(long, value_name = "FILE")]
    pub role: PathBuf,
    /// Which role of a ROLES file (default: its only one).
    #[arg(long, value_name = "NAME", value_parser = super::non_blank)]
    pub name: Option<String>,
    /// The mount's config (a JSON file).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Discover keys from this issuer (Vault's oidc_discovery_url). It is not the bound
    /// issuer: that is the config's bound_issuer.
    #[arg(long, value_name = "URL", value_parser = super::non_blank)]
    pub issuer: Option<String>,
    #[command(flatten)]
    pub keys: KeyArgs,
    /// The caller's address, for the role's token_bound_cidrs.
    #[arg(long, value_name = "IP")]
    pub remote: Option<IpAddr>,
    /// Evaluate at TIME (seconds since the epoch or RFC 3339) instead of now.
    #[arg(long, value_name = "TIME", value_parser = super::non_blank)]
    pub at: Option<String>,
    /// Print `{"allowed", "role", "checks": [...], "login"}`.
    #[arg(long)]
    pub json: bool,
}

fn read_json(path: &Path, what: &str) -> Result<Value, Failure> {
    let bytes = input::read_file(path, MAX_CONFIG_BYTES)?;
    json::parse(&bytes).map_err(|e| Failure::new("ERR_CONFIG_INVALID", format!("{what} {}: not JSON: {e}", path.display())))
}

fn roles(args: &Args) -> Result<(Value, String), Failure> {
    documents::roles(read_json(&args.role, "--role")?, args.name.as_deref()).map_err(|e| match e.code() {
        crate::Code::InvalidArgument => Failure::input(format!("--role: {} with --name NAME", e.message())),
        _ => e.into(),
    })
}

fn config(path: Option<&Path>) -> Result<(AuthConfig, KeySources), Failure> {
    match path {
        Some(path) => Ok(documents::config(read_json(path, "--config")?)?),
        None => Ok((AuthConfig::default(), KeySources::default())),
    }
}

/// An agent trusting a CA given inline in the config, else `--cacert`'s.
fn http_with_ca(pem: Option<&str>, what: &str, fallback: Option<&Path>) -> Result<Http, Failure> {
    match pem {
        Some(pem) => Http::trusting(Some((pem.as_bytes(), what))),
        None => Http::new(fallback),
    }
}

/// The keys: the command line's, else the config's.
fn key_set(args: &Args, ck: &KeySources) -> Result<Option<KeySet>, Failure> {
    if args.issuer.is_some() || args.keys.jwks.is_some() || args.keys.pem.is_some() {
        return keys::load(&Http::new(args.keys.cacert.as_deref())?, &args.keys, args.issuer.as_deref());
    }
    if args.config.is_some() && ck.count() == 0 {
        // A config Vault would not have stored, and no keys on the command line either.
        return Err(Failure::new("ERR_CONFIG_INVALID", format!("--config: {}", documents::EXACTLY_ONE_KEY_SOURCE)));
    }
    if ck.jwks_pairs {
        return Err(Failure::input("--config: jwks_pairs is not read here: give one pair's jwks_url with --jwks URL, and its CA with --cacert FILE"));
    }
    if !ck.jwt_validation_pubkeys.is_empty() {
        // Vault parses each key when it stores the config, and says so in these words.
        let set = keys::jwks_from_pem(&ck.jwt_validation_pubkeys.join("\n")).map_err(|f| Failure::new("ERR_CONFIG_INVALID", format!("--config: error parsing public key: {}", f.message)))?;
        return Ok(Some(KeySet { verifier: Verifier::any_kid(set), source: "the config's jwt_validation_pubkeys".into() }));
    }
    if let Some(url) = &ck.jwks_url {
        let set = keys::jwks_from_url(&http_with_ca(ck.jwks_ca_pem.as_deref(), "the config's jwks_ca_pem", args.keys.cacert.as_deref())?, url)?;
        return Ok(Some(KeySet { verifier: Verifier::from_jwks(set), source: format!("the config's jwks_url {}", plain(url)) }));
    }
    if let Some(url) = &ck.oidc_discovery_url {
        let no_keys = KeyArgs::default();
        return keys::load(&http_with_ca(ck.oidc_discovery_ca_pem.as_deref(), "the config's oidc_discovery_ca_pem", args.keys.cacert.as_deref())?, &no_keys, Some(url));
    }
    Ok(None)
}

fn outcome_word(o: Outcome) -> &'static str {
    match o {
        Outcome::Passed => "pass",
        Outcome::Failed => "FAIL",
        Outcome::Skipped => "skip",
        Outcome::NotReached => "-",
    }
}

/// The explanation for people: one line per check, Vault's words under a failure.
fn text(e: &Explanation, keys: Option<&str>, now: f64) -> Text {
    let at = time::utc(now).unwrap_or_else(|| now.to_string());
    let mut out = Text::default();
    let from = keys.map(|k| format!(", keys from {k}")).unwrap_or_default();
    out.line(format!("Role {} against the token at {at}{from}:", quoted(&e.role)));
    out.blank();
    for c in &e.checks {
        let claim = c.claim.as_deref().map(|c| format!(" ({})", plain(c))).unwrap_or_default();
        let name = format!("{}{claim}", c.id.name());
        let unverified = if c.unverified && c.outcome != Outcome::NotReached { " [on unverified claims]" } else { "" };
        out.line(format!("  {:<4}  {name:<28} {}{unverified}", outcome_word(c.outcome), c.detail));
        if let Some(err) = &c.error {
            // Vault's words as it prints them: the gate already quotes what came from the token.
            out.line(format!("        {:<28} Vault: {}", "", err.message()));
        }
    }
    out.blank();
    match (&e.login, e.failure()) {
        (Some(l), _) => {
            let list = |items: &[String]| items.iter().map(|p| plain(p)).collect::<Vec<_>>().join(", ");
            let groups = if l.groups.is_empty() { String::new() } else { format!(", groups [{}]", list(&l.groups)) };
            out.line(format!("Vault would log this token in: alias {}, policies [{}], ttl {} s{groups}.", quoted(&l.alias), list(&l.policies), l.ttl));
            for w in &l.warnings {
                out.line(format!("Vault's warning: {w}"));
            }
        }
        (None, Some(c)) => {
            let words = c.error.as_ref().map(|e| e.message().to_owned()).unwrap_or_default();
            out.line(format!("Vault would refuse this login at check {}, answering: {words}", c.id.name()));
        }
        (None, None) => out.line("Vault would refuse this login."),
    }
    out
}

pub fn run(args: &Args) -> Result<Report, Failure> {
    let now = args.at.as_deref().map(time::parse_at).transpose()?.unwrap_or_else(time::now);
    let (roles, name) = roles(args)?;
    let (config, config_keys) = config(args.config.as_deref())?;
    let gate = Gate::new(config, roles.to_string().as_bytes())?;
    let token = input::token(args.token.as_deref(), DEFAULT_MAX_TOKEN_BYTES)?;
    let set = key_set(args, &config_keys)?;
    let source = set.as_ref().map(|s| s.source.clone());
    let explanation = gate.explain(&name, &token, set.as_ref().map(|s| &s.verifier), args.remote, now);
    let allowed = explanation.login.is_some();
    if args.json {
        let mut j = explanation.to_json();
        if let Some(m) = j.as_object_mut() {
            m.insert("at".into(), now.into());
            m.insert("keys".into(), source.into());
        }
        return Ok(Report::json(j, allowed));
    }
    let out = text(&explanation, source.as_deref(), now);
    Ok(if allowed { Report::yes(out) } else { Report::no(out) })
}
