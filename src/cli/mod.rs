//! The `jwksgate` command for the terminal (native only, feature `cli`): `inspect` decodes,
//! `verify` checks a token against keys, `discover` checks an issuer as Vault and the gate will
//! fetch it, `explain` shows every rule of a Vault role against a token, `publish` pushes a
//! cluster's keys to the gate. Every decision is the core's or the gate's (`src/gate/`, the same
//! code as the worker's wasm); this layer reads input, fetches over HTTPS (`http`) and prints
//! through one edge (`out`) that shows every hidden character. Exit codes: 0 yes, 1 no, 2 a usage
//! error.

mod discover;
mod explain;
mod explain_kubernetes;
mod http;
mod input;
mod inspect;
mod keys;
pub mod out;
mod publish;
mod time;
mod verify;

use crate::error::Error;
use clap::{Parser, Subcommand};
use serde_json::{json, Value};
use out::{Body, Stream};
pub(crate) use out::{plain, quoted, shown};

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
    Publish(publish::Args),
}

/// Why a command could not say yes: a code (the core's, or one of the command's own:
/// `ERR_TLS`, `ERR_HTTP`, `ERR_JWKS_TIMEOUT`, `ERR_INPUT`, `ERR_PUBLISH_REFUSED`), a message and
/// the exit code (1, or 2 for a usage or I/O error).
#[derive(Debug, Clone)]
pub struct Failure {
    code: String,
    message: String,
    claim: Option<String>,
    reason: Option<&'static str>,
    exit: i32,
}

impl Failure {
    fn new(code: &str, message: impl Into<String>) -> Self {
        Failure { code: code.to_owned(), message: message.into(), claim: None, reason: None, exit: 1 }
    }
    /// The same failure with another exit code (2: a usage or I/O error).
    fn exit(mut self, code: i32) -> Self {
        self.exit = code;
        self
    }
    fn input(message: impl Into<String>) -> Self {
        Failure::new("ERR_INPUT", message)
    }
    /// A TLS failure; `ca_option` is the option that gives the agent's CA (`--cacert`, ...).
    fn tls(url: &str, why: String, ca_option: &str) -> Self {
        Failure::new("ERR_TLS", format!("TLS failure for {url}: {why} (for a private CA, such as a cluster's, pass it with {ca_option} FILE)"))
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
        Failure { code: e.code().as_str().to_owned(), message: e.message().to_owned(), claim: e.claim_name().map(str::to_owned), reason: e.reason().map(|r| r.as_str()), exit: 1 }
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

/// What a command prints to stdout (through [`out::emit`], the one edge), and its exit code.
pub struct Report {
    body: Body,
    code: i32,
}

impl Report {
    fn yes(text: out::Text) -> Self {
        Report { body: Body::Lines(text.into_lines()), code: 0 }
    }
    fn no(text: out::Text) -> Self {
        Report { body: Body::Lines(text.into_lines()), code: 1 }
    }
    fn json(value: Value, ok: bool) -> Self {
        Report { body: Body::Json(value), code: if ok { 0 } else { 1 } }
    }
}

/// A value that is not empty or blanks: `--audience "$AUD"` with `AUD` unset, or `--audience ,`,
/// would otherwise drop the check it names, where the package refuses an empty list. A usage
/// error (exit 2), as clap's own.
fn non_blank(value: &str) -> Result<String, String> {
    if value.trim().is_empty() {
        Err("an empty value: give one, or leave the option out".into())
    } else {
        Ok(value.to_owned())
    }
}

/// Runs the command line and returns the process's exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap's words quote the arguments given, which may hold a token: the same edge.
            let args: Vec<String> = std::env::args_os().map(|a| a.to_string_lossy().into_owned()).collect();
            let lines = out::clap_lines(&e.render().to_string(), &args);
            out::emit(if e.use_stderr() { Stream::Err } else { Stream::Out }, &Body::Lines(lines));
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    let result = match cli.command {
        Command::Inspect(a) => inspect::run(&a),
        Command::Verify(a) => verify::run(&a),
        Command::Discover(a) => discover::run(&a),
        Command::Explain(a) => explain::run(&a),
        Command::Publish(a) => publish::run(&a),
    };
    match result {
        Ok(report) => {
            out::emit(Stream::Out, &report.body);
            report.code
        }
        Err(failure) => {
            out::emit(Stream::Err, &Body::Lines(vec![format!("jwksgate: {failure}")]));
            failure.exit
        }
    }
}
