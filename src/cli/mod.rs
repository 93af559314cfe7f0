//! The `jwksgate` command for the terminal (native only, feature `cli`): `inspect` decodes,
//! `verify` checks a token against keys, `discover` checks an issuer as Vault and the gate will
//! fetch it, `explain` shows every rule of a Vault role against a token. Every decision is the
//! core's or the gate's (`src/gate/`, the same code as the worker's wasm); this layer reads
//! input, fetches over HTTPS (`http`) and prints. Exit codes: 0 yes, 1 no, 2 a usage error.

mod discover;
mod explain;
mod explain_kubernetes;
mod http;
mod input;
mod inspect;
mod keys;
mod time;
mod verify;

use crate::error::Error;
use clap::{Parser, Subcommand};
use serde_json::{json, Value};
use std::io::Write;

/// Check JWTs (Kubernetes ServiceAccount tokens and others) from the terminal: decode them,
/// verify them against an issuer's keys, check an issuer's discovery, and explain why Vault's
/// JWT auth would or would not log a token in.
#[derive(Parser, Debug)]
#[command(name = "jwksgate", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    Inspect(inspect::Args),
    Verify(verify::Args),
    Discover(discover::Args),
    Explain(explain::Args),
}

/// Why a command could not say yes: a code (the core's, or one of the command's own:
/// `ERR_TLS`, `ERR_HTTP`, `ERR_JWKS_TIMEOUT`, `ERR_INPUT`) and a message.
#[derive(Debug, Clone)]
pub struct Failure {
    code: String,
    message: String,
    claim: Option<String>,
    reason: Option<&'static str>,
}

impl Failure {
    fn new(code: &str, message: impl Into<String>) -> Self {
        Failure { code: code.to_owned(), message: message.into(), claim: None, reason: None }
    }
    fn input(message: impl Into<String>) -> Self {
        Failure::new("ERR_INPUT", message)
    }
    fn tls(url: &str, why: String) -> Self {
        Failure::new("ERR_TLS", format!("TLS failure for {url}: {why} (for a private CA, such as a cluster's, pass it with --cacert FILE)"))
    }
    fn to_json(&self) -> Value {
        let mut e = json!({ "code": self.code, "message": self.message });
        if let (Some(claim), Some(map)) = (&self.claim, e.as_object_mut()) {
            map.insert("claim".into(), claim.as_str().into());
            map.insert("reason".into(), self.reason.unwrap_or_default().into());
        }
        e
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure { code: e.code().as_str().to_owned(), message: e.message().to_owned(), claim: e.claim_name().map(str::to_owned), reason: e.reason().map(|r| r.as_str()) }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)?;
        if let (Some(c), Some(r)) = (&self.claim, self.reason) {
            write!(f, " (claim {c}, {r})")?;
        }
        Ok(())
    }
}

/// What a command prints: text to stdout, and its exit code.
pub struct Report {
    text: String,
    code: i32,
}

impl Report {
    fn yes(text: String) -> Self {
        Report { text, code: 0 }
    }
    fn no(text: String) -> Self {
        Report { text, code: 1 }
    }
    fn json(value: &Value, ok: bool) -> Self {
        let text = serde_json::to_string_pretty(value).unwrap_or_default() + "\n";
        Report { text, code: if ok { 0 } else { 1 } }
    }
}

/// Runs the command line and returns the process's exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    let result = match cli.command {
        Command::Inspect(a) => inspect::run(&a),
        Command::Verify(a) => verify::run(&a),
        Command::Discover(a) => discover::run(&a),
        Command::Explain(a) => explain::run(&a),
    };
    match result {
        Ok(report) => {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(report.text.as_bytes());
            let _ = out.flush();
            report.code
        }
        Err(failure) => {
            eprintln!("jwksgate: {failure}");
            1
        }
    }
}

/// Text quoted as Go's %q and JSON quote it, so hidden and control characters show.
fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if is_hidden(c) => out.push_str(&format!("\\u{{{:04X}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Characters that do not show, or change the direction of what follows: controls, zero-width
/// spaces and joiners, bidi overrides and isolates, tags, and spaces other than U+0020 (the
/// inspector's list, www/lib/format.js).
fn is_hidden(c: char) -> bool {
    let u = c as u32;
    c.is_control()
        || matches!(
            u,
            0x00A0 | 0x00AD | 0x034F | 0x061C | 0x115F | 0x1160 | 0x1680 | 0x17B4 | 0x17B5 | 0x180B..=0x180F | 0x2000..=0x200F | 0x2028..=0x202F
                | 0x205F..=0x206F | 0x2800 | 0x3000 | 0x3164 | 0xFE00..=0xFE0F | 0xFEFF | 0xFFA0 | 0xFFF9..=0xFFFB | 0xE0000..=0xE007F | 0xE0100..=0xE01EF
        )
}

/// A JSON value on one line, strings shown with [`quoted`].
fn shown(v: &Value) -> String {
    match v {
        Value::String(s) => quoted(s),
        Value::Array(a) => format!("[{}]", a.iter().map(shown).collect::<Vec<_>>().join(", ")),
        Value::Object(o) => format!("{{{}}}", o.iter().map(|(k, v)| format!("{}: {}", quoted(k), shown(v))).collect::<Vec<_>>().join(", ")),
        other => other.to_string(),
    }
}
