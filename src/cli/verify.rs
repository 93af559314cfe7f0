//! `jwksgate verify`: the core's `Verifier::verify` (jose's order and codes) against keys from
//! a file, a URL or the issuer's discovery; the verified claims as JSON, or the error.

use super::http::Http;
use super::keys::{self, KeyArgs};
use super::{input, time, Failure, Report};
use crate::jwa::alg::{self, Alg};
use crate::VerifyOptions;
use serde_json::json;

/// Verify a token's signature and claims. Exit 0 with the verified claims as JSON; exit 1 with
/// the error's code and message (a TLS failure says it is one).
#[derive(clap::Args, Debug)]
#[command(after_help = "Keys come from --jwks, else --pem, else the discovery document of --issuer \
(<issuer>/.well-known/openid-configuration, whose \"issuer\" must equal it exactly, then its jwks_uri).\n\
--issuer is also the required \"iss\". Algorithms default to every one this build verifies (never \
\"none\" or HMAC); a key verifies only the algorithms of its type.")]
pub struct Args {
    /// The token, a file holding it, or `-` (the default) for standard input.
    pub token: Option<String>,
    /// The issuer: the exact `iss` required, and where keys are discovered when no --jwks or --pem.
    #[arg(long, value_name = "URL", value_parser = super::non_blank)]
    pub issuer: Option<String>,
    #[command(flatten)]
    pub keys: KeyArgs,
    /// Accepted audience; repeat or separate with commas for several (any one in `aud`).
    #[arg(long, value_name = "AUD", value_delimiter = ',', value_parser = super::non_blank)]
    pub audience: Vec<String>,
    /// Required `sub`.
    #[arg(long, value_parser = super::non_blank)]
    pub subject: Option<String>,
    /// Accepted algorithms, separated by commas (default: all this build verifies).
    #[arg(long, value_name = "ALGS", value_delimiter = ',', value_parser = super::non_blank)]
    pub algorithms: Vec<String>,
    /// Seconds of leeway for exp, nbf and iat.
    #[arg(long, value_name = "SECONDS", default_value_t = 0.0)]
    pub clock_tolerance: f64,
    /// Evaluate at TIME (seconds since the epoch or RFC 3339) instead of now.
    #[arg(long, value_name = "TIME", value_parser = super::non_blank)]
    pub at: Option<String>,
    /// Print `{"verified": ..., "header", "payload", "key"}` or `{"verified": false, "error"}`.
    #[arg(long)]
    pub json: bool,
}

/// `--algorithms`: names the core knows, or every one when none is given.
pub fn algorithms(names: &[String]) -> Result<Vec<Alg>, Failure> {
    if names.is_empty() {
        return Ok(alg::ALL.to_vec());
    }
    names
        .iter()
        .map(|n| Alg::from_name(n.trim()).ok_or_else(|| Failure::input(format!("--algorithms: {} is not an algorithm this build verifies ({})", super::quoted(n), alg::ALL.map(Alg::name).join(", ")))))
        .collect()
}

fn verify(args: &Args) -> Result<serde_json::Value, Failure> {
    let now = args.at.as_deref().map(time::parse_at).transpose()?.unwrap_or_else(time::now);
    if !args.clock_tolerance.is_finite() || args.clock_tolerance < 0.0 {
        return Err(Failure::input("--clock-tolerance must be a number of seconds, 0 or more"));
    }
    let mut options = VerifyOptions::at(now.floor() as i64);
    options.algorithms = algorithms(&args.algorithms)?;
    options.issuer = args.issuer.iter().cloned().collect();
    options.audience = args.audience.iter().map(|a| a.trim().to_owned()).collect();
    options.subject = args.subject.clone();
    options.clock_tolerance = args.clock_tolerance;
    let token = input::token(args.token.as_deref(), options.max_token_bytes)?;
    let http = Http::new(args.keys.cacert.as_deref())?;
    let set = keys::load(&http, &args.keys, args.issuer.as_deref())?
        .ok_or_else(|| Failure::input("no keys: give --issuer URL, --jwks FILE|URL or --pem FILE"))?;
    let v = set.verifier.verify(&token, &options)?;
    Ok(json!({ "header": v.header, "payload": v.payload, "key": { "kid": v.key.kid, "alg": v.key.alg, "thumbprint": v.key.thumbprint }, "keys": set.source }))
}

pub fn run(args: &Args) -> Result<Report, Failure> {
    match verify(args) {
        Ok(mut v) if args.json => {
            if let Some(m) = v.as_object_mut() {
                m.insert("verified".into(), true.into());
            }
            Ok(Report::json(v, true))
        }
        Ok(mut v) => Ok(Report::json(v.get_mut("payload").map(serde_json::Value::take).unwrap_or_default(), true)),
        Err(f) if args.json => Ok(Report::json(json!({ "verified": false, "error": f.to_json() }), false)),
        Err(f) => Err(f),
    }
}
