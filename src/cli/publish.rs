//! `jwksgate publish` (issue 25): run inside a cluster the edge cannot reach, it reads the API
//! server's discovery document and key set with the pod's own credentials (client-go's
//! in-cluster config: `https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT`, the
//! ServiceAccount's `ca.crt` and `token`), checks them as `discover` does, and pushes them to
//! the gate (`PUT /.jwksgate/keys/<mount>`, signed as `src/gate/publish.rs` says); `--status`
//! reads back what the gate holds (the operator's signed `GET` of the same path). Every
//! ServiceAccount may read discovery: Kubernetes binds `system:service-account-issuer-discovery`
//! to `system:serviceaccounts` by default.

use super::http::{allowed_scheme, Fetched, Http};
use super::out::{emit, Body, Stream};
use super::{plain, quoted, time, Failure, Report};
use crate::discovery::MAX_DISCOVERY_BYTES;
use crate::gate::publish::{self, SECRET_ENV, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use crate::jwk::{Jwks, MAX_JWKS_BYTES};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Where a pod finds its ServiceAccount's credentials (client-go `rest.InClusterConfig`).
const SA_DIR: &str = "/var/run/secrets/kubernetes.io/serviceaccount";
/// How often `--every` looks at the cluster's keys, at most: a changed set is pushed at once.
const POLL: Duration = Duration::from_secs(30);
/// The shortest `--every`.
const MIN_EVERY: Duration = Duration::from_secs(10);

/// Push a cluster's issuer and key set to the gate, for a mount whose config says
/// `jwks_published: true` (--once, --every), or read what the gate holds for it (--status).
/// Exit 0 pushed, 1 refused (by the gate, or a set that fails the checks), 2 a usage or I/O
/// error (no secret: nothing is contacted).
#[derive(clap::Args, Debug)]
#[command(group(clap::ArgGroup::new("mode").required(true).args(["every", "once", "status"])))]
#[command(after_help = "The secret comes from the environment only: JWKSGATE_PUBLISH_SECRET, the \
gate's PUBLISH_SECRET (at least 32 bytes: openssl rand -hex 32). Inside a pod the API server, its \
CA and the token are found as client-go finds them; --server, --cacert and --token-file override \
each. The set is read from <server>/openid/v1/jwks, the API server's own path (KEP-1393). --status reads what the gate holds for the mount instead (a GET signed with the same secret; the cluster is not contacted): exit 0 keys published (and no older than --max-age), 1 the gate refused, nothing is published or it is older, 2 a usage or I/O error; --json prints the gate's fields with max_age (--max-age in seconds, or null) and stale (true: older than --max-age).")]
pub struct Args {
    /// The gate's base URL (https): the push goes to <URL>/.jwksgate/keys/<mount>.
    #[arg(long, value_name = "URL", value_parser = super::non_blank)]
    pub gate: String,
    /// The gate's mount (its path) that takes these keys.
    #[arg(long, value_name = "NAME", value_parser = super::non_blank)]
    pub mount: String,
    /// The API server (default: https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT).
    #[arg(long, value_name = "URL", value_parser = super::non_blank)]
    pub server: Option<String>,
    /// The API server's CA (default: the ServiceAccount's ca.crt).
    #[arg(long, value_name = "FILE")]
    pub cacert: Option<PathBuf>,
    /// The bearer token for the API server (default: the ServiceAccount's token), read again
    /// at every round, as the kubelet rotates it.
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// CA certificates trusted for the gate instead of the built-in roots.
    #[arg(long, value_name = "FILE")]
    pub gate_cacert: Option<PathBuf>,
    /// Keep running: a changed set is pushed at once, an unchanged one every DURATION (`90s`,
    /// `15m`, `1h`, or seconds).
    #[arg(long, value_name = "DURATION", value_parser = parse_every)]
    pub every: Option<Duration>,
    /// Push once and exit (a CronJob).
    #[arg(long)]
    pub once: bool,
    /// Read the mount's published state from the gate (signed GET of
    /// <URL>/.jwksgate/keys/<mount>): mount, published, timestamp, age, issuer, key ids.
    #[arg(long, conflicts_with_all = ["server", "cacert", "token_file"])]
    pub status: bool,
    /// With --status: exit 1 when the last push is older than DURATION by the gate's clock.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, conflicts_with_all = ["every", "once"])]
    pub max_age: Option<Duration>,
    /// With --status: the state as JSON: the gate's fields (mount, published, timestamp, age,
    /// issuer, kids), `max_age` (--max-age in seconds, or null) and, once published, `stale`
    /// (true when age > max_age: exit 1).
    #[arg(long, conflicts_with_all = ["every", "once"])]
    pub json: bool,
}

/// `--every`: a duration ([`parse_duration`]), at least [`MIN_EVERY`].
fn parse_every(text: &str) -> Result<Duration, String> {
    let every = parse_duration(text)?;
    if every < MIN_EVERY {
        return Err(format!("{:?}: at least {} s", text.trim(), MIN_EVERY.as_secs()));
    }
    Ok(every)
}

/// `90s`, `15m`, `1h` or plain seconds.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let (digits, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len()));
    let n: u64 = digits.parse().map_err(|_| format!("{t:?}: give a duration such as 90s, 15m or 1h"))?;
    let secs = match unit {
        "" | "s" => n,
        "m" => n.saturating_mul(60),
        "h" => n.saturating_mul(3600),
        _ => return Err(format!("{t:?}: the unit is s, m or h")),
    };
    Ok(Duration::from_secs(secs))
}

/// A usage or I/O failure: exit 2.
fn io(message: impl Into<String>) -> Failure {
    Failure::input(message).exit(2)
}

/// The secret, from the environment only.
fn secret() -> Result<Vec<u8>, Failure> {
    let s = std::env::var(SECRET_ENV).unwrap_or_default();
    if s.is_empty() {
        return Err(io(format!("{SECRET_ENV} is not set: give the gate's PUBLISH_SECRET in the environment (a Secret's key); nothing was contacted")));
    }
    if s.len() < publish::MIN_SECRET_BYTES {
        return Err(io(format!("{SECRET_ENV} is {} bytes; at least {} are required (openssl rand -hex 32); nothing was contacted", s.len(), publish::MIN_SECRET_BYTES)));
    }
    Ok(s.into_bytes())
}

/// The API server: `--server`, else the in-cluster address.
fn server(args: &Args) -> Result<String, Failure> {
    if let Some(s) = &args.server {
        return Ok(s.trim_end_matches('/').to_owned());
    }
    match (std::env::var("KUBERNETES_SERVICE_HOST"), std::env::var("KUBERNETES_SERVICE_PORT")) {
        (Ok(host), Ok(port)) if !host.is_empty() && !port.is_empty() => {
            // An IPv6 service address is bracketed, as client-go's net.JoinHostPort does.
            let host = if host.contains(':') { format!("[{host}]") } else { host };
            Ok(format!("https://{host}:{port}"))
        }
        _ => Err(io("not in a pod (KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are unset): give --server URL, --cacert FILE and --token-file FILE")),
    }
}

/// What one round read from the cluster.
struct ClusterKeys {
    issuer: String,
    jwks: Value,
    warnings: Vec<String>,
}

fn ok_200(got: Fetched) -> Result<Fetched, Failure> {
    match got.status {
        200 => Ok(got),
        401 | 403 => Err(io(format!("{}: HTTP {}: the API server refused the ServiceAccount's token (is system:service-account-issuer-discovery bound?)", plain(&got.url), got.status))),
        s => Err(io(format!("{}: HTTP {s}", plain(&got.url)))),
    }
}

/// Reads and checks the cluster's discovery document and key set.
fn read_cluster(http: &Http, server: &str, token_file: &Path) -> Result<ClusterKeys, Failure> {
    let token = super::input::read_file(token_file, 64 * 1024)?;
    let token = String::from_utf8(token).map_err(|_| io(format!("{}: not a token", token_file.display())))?;
    let token = token.trim();
    if token.is_empty() || token.contains(|c: char| c.is_ascii_control() || c == ' ') {
        return Err(io(format!("{}: not a token", token_file.display())));
    }
    let doc = ok_200(http.get_bearer(&super::keys::discovery_url(server), token, MAX_DISCOVERY_BYTES as u64).map_err(|f| f.exit(2))?)?;
    let doc = crate::json::parse(&doc.body).map_err(|e| Failure::new("ERR_DISCOVERY_INVALID", format!("the discovery document is not JSON: {e}")))?;
    let issuer = doc.get("issuer").and_then(Value::as_str).filter(|s| !s.is_empty()).ok_or_else(|| Failure::new("ERR_DISCOVERY_INVALID", "the discovery document has no issuer"))?.to_owned();
    let set = ok_200(http.get_bearer(&format!("{server}/openid/v1/jwks"), token, MAX_JWKS_BYTES as u64).map_err(|f| f.exit(2))?)?;
    let jwks = Jwks::parse(&set.body)?;
    let mut warnings = Vec::new();
    if !issuer.starts_with("https://") {
        warnings.push(format!("the issuer {} is not an https URL: nothing can discover it, which is why it is published", quoted(&issuer)));
    }
    for (i, jwk) in jwks.keys().iter().enumerate() {
        let name = jwk.kid().map_or_else(|| format!("key {i} (no kid)"), |k| format!("key {}", quoted(k)));
        match jwk.key() {
            Err(e) => warnings.push(format!("{name} is not usable: {}", e.message())),
            Ok(key) if jwk.kid() != Some(key.kubernetes_key_id()) => warnings.push(format!("{name}: its Kubernetes key id is {}", quoted(key.kubernetes_key_id()))),
            Ok(_) => {}
        }
    }
    Ok(ClusterKeys { issuer, jwks: crate::json::parse(&set.body).unwrap_or_default(), warnings })
}

/// Pushes the keys; the gate's answer decides the exit code.
fn push(http: &Http, gate: &str, mount: &str, secret: &[u8], keys: &ClusterKeys) -> Result<String, Failure> {
    let path = mount_path(mount)?;
    let body = publish::body(&keys.issuer, &keys.jwks);
    let now = time::now().floor() as i64;
    let signature = publish::sign(secret, "PUT", &path, now, &body)?;
    let url = format!("{}{path}", gate.trim_end_matches('/'));
    let got = http.put(&url, &[(TIMESTAMP_HEADER, now.to_string()), (SIGNATURE_HEADER, signature)], &body, 64 * 1024).map_err(|f| f.exit(2))?;
    let kids: Vec<String> = keys.jwks.get("keys").and_then(Value::as_array).map(|a| a.iter().filter_map(|k| k.get("kid").and_then(Value::as_str)).map(plain).collect()).unwrap_or_default();
    match got.status {
        200..=299 => Ok(format!("pushed the keys of issuer {} to mount {} at {}: {} key{} ({})", quoted(&keys.issuer), quoted(mount), plain(&url), kids.len(), if kids.len() == 1 { "" } else { "s" }, kids.join(", "))),
        _ => Err(refusal("the push", &got)),
    }
}

/// The agent for the gate: its CA is --gate-cacert's (--cacert is the API server's), and its
/// errors say so.
fn gate_agent(args: &Args) -> Result<Http, Failure> {
    Http::with_ca(args.gate_cacert.as_deref(), "--gate-cacert").map_err(|f| f.exit(2))
}

/// The gate's refusal (exit 1), in its words: it answers as Vault does, `{"errors": ["..."]}`.
fn refusal(what: &str, got: &Fetched) -> Failure {
    let why = crate::json::parse(&got.body).ok().and_then(|v| v.get("errors").and_then(Value::as_array).and_then(|e| e.first()).and_then(Value::as_str).map(str::to_owned));
    Failure::new("ERR_PUBLISH_REFUSED", format!("the gate refused {what} (HTTP {}): {}", got.status, why.unwrap_or_else(|| String::from_utf8_lossy(&got.body).chars().take(300).collect())))
}

/// The mount's path on the gate, `/.jwksgate/keys/<mount>`, when `--mount` is a mount path.
fn mount_path(mount: &str) -> Result<String, Failure> {
    let path = format!("{}{mount}", publish::PATH_PREFIX);
    publish::mount_of(&path).map_err(|e| io(format!("--mount: {}", e.message())))?;
    Ok(path)
}

/// `--status`: the gate's state for the mount (`publish::state`'s shape, under `data`), read
/// with a GET signed as a push is, over `GET` and an empty body (`publish::verify_read`). Every
/// string in it is the gate's, and goes out through the edge (`out::emit`) as any other.
fn status(args: &Args, secret: &[u8]) -> Result<Report, Failure> {
    let path = mount_path(&args.mount)?;
    let gate = gate_agent(args)?;
    let now = time::now().floor() as i64;
    let signature = publish::sign(secret, "GET", &path, now, b"")?;
    let url = format!("{}{path}", args.gate.trim_end_matches('/'));
    let got = gate.get_with(&url, &[(TIMESTAMP_HEADER, now.to_string()), (SIGNATURE_HEADER, signature)], 64 * 1024).map_err(|f| f.exit(2))?;
    if !(200..=299).contains(&got.status) {
        return Err(refusal("the read of the state", &got));
    }
    let not_state = || io(format!("{}: the gate's answer is not a publish state ({{\"data\": {{\"mount\", \"published\", ...}}}})", plain(&url)));
    let data = crate::json::parse(&got.body).ok().and_then(|v| v.get("data").cloned()).ok_or_else(not_state)?;
    let mount = data.get("mount").and_then(Value::as_str).filter(|m| *m == args.mount).ok_or_else(not_state)?;
    let published = data.get("published").and_then(Value::as_bool).ok_or_else(not_state)?;
    // --max-age in seconds (null in --json without it); `stale`: the last push is older than it.
    let max_age = args.max_age.map(|max| max.as_secs());
    let mut text = super::out::Text::default();
    text.line(format!("mount: {}", plain(mount)));
    text.line(format!("published: {published}"));
    if !published {
        text.line("nothing has been published for this mount yet: is `jwksgate publish` running in the cluster?");
        return Ok(if args.json { Report::json(serde_json::json!({ "mount": mount, "published": false, "max_age": max_age }), false) } else { Report::no(text) });
    }
    let timestamp = data.get("timestamp").and_then(Value::as_i64).ok_or_else(not_state)?;
    let age = data.get("age").and_then(Value::as_i64).ok_or_else(not_state)?;
    let issuer = data.get("issuer").and_then(Value::as_str).ok_or_else(not_state)?;
    let kids: Vec<&str> = data.get("kids").and_then(Value::as_array).and_then(|a| a.iter().map(Value::as_str).collect()).ok_or_else(not_state)?;
    text.line(format!("timestamp: {timestamp}"));
    text.line(format!("age: {age} s"));
    text.line(format!("issuer: {}", quoted(issuer)));
    text.line(format!("kids: {}", if kids.is_empty() { "none (the gate refuses every token)".to_owned() } else { kids.iter().map(|k| plain(k)).collect::<Vec<_>>().join(", ") }));
    let stale = max_age.is_some_and(|max| u64::try_from(age).is_ok_and(|a| a > max));
    if let (true, Some(max)) = (stale, max_age) {
        text.line(format!("older than --max-age ({max} s): is `jwksgate publish` running in the cluster?"));
    }
    if args.json {
        let state = serde_json::json!({ "mount": mount, "published": true, "timestamp": timestamp, "age": age, "issuer": issuer, "kids": kids, "max_age": max_age, "stale": stale });
        return Ok(Report::json(state, !stale));
    }
    Ok(if stale { Report::no(text) } else { Report::yes(text) })
}

fn log(line: String) {
    emit(Stream::Err, &Body::Lines(vec![format!("jwksgate publish: {line}")]));
}

pub fn run(args: &Args) -> Result<Report, Failure> {
    let secret = secret()?;
    if !allowed_scheme(&args.gate) {
        return Err(io(format!("--gate {}: https only (http only to this machine)", quoted(&args.gate))));
    }
    if args.status {
        return status(args, &secret);
    }
    let server = server(args)?;
    if !allowed_scheme(&server) {
        return Err(io(format!("--server {}: https only (http only to this machine)", quoted(&server))));
    }
    let cacert = args.cacert.clone().unwrap_or_else(|| Path::new(SA_DIR).join("ca.crt"));
    let token_file = args.token_file.clone().unwrap_or_else(|| Path::new(SA_DIR).join("token"));
    let cluster = Http::new(Some(&cacert)).map_err(|f| f.exit(2))?;
    let gate = gate_agent(args)?;
    let Some(every) = args.every else {
        let keys = read_cluster(&cluster, &server, &token_file)?;
        let mut text = super::out::Text::default();
        keys.warnings.iter().for_each(|w| text.line(format!("warning: {w}")));
        text.line(push(&gate, &args.gate, &args.mount, &secret, &keys)?);
        return Ok(Report::yes(text));
    };
    // Runs until stopped: each failure is logged and tried again at the next round.
    let mut last: Option<(Value, std::time::Instant)> = None;
    loop {
        match read_cluster(&cluster, &server, &token_file) {
            Ok(keys) => {
                let due = last.as_ref().is_none_or(|(set, at)| *set != keys.jwks || at.elapsed() >= every);
                if due {
                    keys.warnings.iter().for_each(|w| log(format!("warning: {w}")));
                    match push(&gate, &args.gate, &args.mount, &secret, &keys) {
                        Ok(line) => {
                            log(line);
                            last = Some((keys.jwks, std::time::Instant::now()));
                        }
                        Err(f) => log(f.to_string()),
                    }
                }
            }
            Err(f) => log(f.to_string()),
        }
        std::thread::sleep(POLL.min(every));
    }
}
