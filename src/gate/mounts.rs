//! Mounts from configuration as code: `AUTH_CONFIG` holds a Bank-Vaults `externalConfig`
//! (YAML or JSON; the whole `Vault` custom resource also works), and each `auth:` entry of
//! `type: jwt` becomes a mount at `/v1/auth/<path>/login` with Vault's config fields
//! (vault-plugin-auth-jwt `path_config.go` `pathConfigWrite`) and its roles (`path_role.go`,
//! read by [`crate::gate::role::Role`] with Vault's aliases and value forms). Bank-Vaults'
//! configurer (`internal/configurer` `configureAuthMethods`) mounts an entry at its `path`, or at
//! its `type` when none is given, writes `config` to `auth/<path>/config` and each role to
//! `auth/<path>/role/<name>`: the same mapping here.

use crate::error::{Code, Error, Result};
use crate::gate::fields::{self, quote};
use crate::gate::templates::{self, Sources};
use serde_json::{Map, Number, Value};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};
use yaml_rust2::Yaml;

/// Largest `AUTH_CONFIG` accepted, in bytes.
pub const MAX_CONFIG_BYTES: usize = 256 * 1024;
/// Deepest nesting accepted.
const MAX_DEPTH: usize = 32;

fn config_err(message: impl Into<String>) -> Error {
    Error::new(Code::ConfigInvalid, message)
}

/// Where a mount's keys come from: exactly one, as `pathConfigWrite` requires.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeySource {
    /// `oidc_discovery_url`.
    Discovery(String),
    /// `jwks_url`.
    JwksUrl(String),
    /// `jwt_validation_pubkeys`: PEM public keys, every one tried whatever a token's `kid`.
    PublicKeys(Vec<String>),
    /// `jwks_published: true` (the gate's own, issue 25): the keys `jwksgate publish` pushed
    /// for this mount, and nothing else.
    Published(Freshness),
}

/// How long a published mount trusts its last push, and what it does after.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Freshness {
    /// `jwks_published_max_age` in seconds (default a day; `0` is no bound).
    pub max_age: i64,
    /// `jwks_published_when_stale`: `refuse` (the default: fail closed) or `serve`.
    pub refuse_when_stale: bool,
}

/// `jwks_published_max_age`'s default: a day, many times `jwksgate publish --every`'s heartbeat.
pub const DEFAULT_PUBLISHED_MAX_AGE: i64 = 86_400;

impl KeySource {
    /// The key source as [`crate::gate::session::MountTrust`] binds it: its kind, then the
    /// URL, or the PEM blocks one a line.
    pub fn binding_text(&self) -> String {
        match self {
            KeySource::Discovery(u) => format!("oidc_discovery_url\n{u}"),
            KeySource::JwksUrl(u) => format!("jwks_url\n{u}"),
            KeySource::PublicKeys(p) => format!("jwt_validation_pubkeys\n{}", p.iter().map(|k| k.trim()).collect::<Vec<_>>().join("\n")),
            // The keys are whatever is pushed for the mount's bound_issuer (in the binding too);
            // how long a push is trusted is not who the sessions are.
            KeySource::Published(_) => "jwks_published".to_owned(),
        }
    }
}

/// A secret from the configuration: compared, never printed (`{:?}` shows `<redacted>`).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub String);

impl core::fmt::Debug for Secret {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("<redacted>")
    }
}

/// One JWT mount.
#[derive(Clone, Debug, PartialEq)]
pub struct Mount {
    /// The mount path, without slashes at its ends (`auth/<path>/login`).
    pub path: String,
    /// The key source.
    pub keys: KeySource,
    /// The PEM bundle whose certificates are the only roots for the key source's HTTPS:
    /// `oidc_discovery_ca_pem` for discovery (and its `jwks_uri`), `jwks_ca_pem` for `jwks_url`
    /// (cap `NewOIDCDiscoveryKeySet`, `NewJSONWebKeySet`). None: the platform's public roots.
    pub ca_pem: Option<String>,
    /// `oidc_discovery_bearer_token` (the gate's departure from Vault, for clusters that answer
    /// discovery to authenticated callers only): sent as `Authorization: Bearer` to the
    /// discovery URL's origin, never elsewhere, never logged.
    pub bearer_token: Option<Secret>,
    /// The fields [`crate::gate::role::AuthConfig::parse`] reads (`bound_issuer`,
    /// `jwt_supported_algs`, `default_role`), as a JSON object.
    pub config: Value,
    /// The roles by name, as [`crate::gate::role::parse_roles`] reads them.
    pub roles: Value,
}

impl Mount {
    /// What binds this mount's sessions ([`crate::gate::session::MountTrust`]): its path, its key
    /// source, the CA that source's TLS is pinned to, `bound_issuer` and `session_epoch`.
    pub fn binding(&self) -> Result<String> {
        let config = crate::gate::role::AuthConfig::parse(self.config.to_string().as_bytes())?;
        Ok(jwt_binding(&self.path, &self.keys.binding_text(), self.ca_pem.as_deref(), &config))
    }
}

/// The binding of the JWT mount at `path` whose key source reads `key_source`
/// ([`KeySource::binding_text`]) over TLS pinned to `ca_pem`, configured by `config`.
pub fn jwt_binding(path: &str, key_source: &str, ca_pem: Option<&str>, config: &crate::gate::role::AuthConfig) -> String {
    crate::gate::session::MountTrust { path, key_source, ca_pem, bound_issuer: config.bound_issuer.as_deref(), epoch: &config.session_epoch }.binding()
}

/// What `AUTH_CONFIG` configures, and what it holds that the gate skips (one log line each).
#[derive(Clone, Debug, PartialEq)]
pub struct AuthMounts {
    /// The JWT mounts, in the document's order.
    pub mounts: Vec<Mount>,
    /// One line for each skipped section or entry.
    pub skipped: Vec<String>,
    /// The `type: kubernetes` entries (`gate::kubernetes`), in the document's order.
    pub kubernetes: Vec<crate::gate::kubernetes::KubeEntry>,
}

/// Builds JSON values straight from the parser's events: aliases refused (a loader copies an
/// anchor at every alias, so a few lines of aliases to aliases would build gigabytes), duplicate
/// keys refused, nesting bounded, and no YAML tree in between (one instantiation of the parser,
/// which keeps the gate's wasm smaller).
#[derive(Default)]
struct JsonBuilder {
    stack: Vec<Frame>,
    root: Option<Value>,
    docs: Vec<Value>,
    error: Option<String>,
}

enum Frame {
    Seq(Vec<Value>),
    /// A mapping and, between a key and its value, the key.
    Map(Map<String, Value>, Option<String>),
}

impl JsonBuilder {
    fn fail(&mut self, message: String) {
        self.error.get_or_insert(message);
    }

    /// A finished value: the document's root, a list item, a mapping's key or its value.
    /// `key_text` is a scalar's text as written, which is what a key is.
    fn value(&mut self, v: Value, key_text: Option<&str>) {
        let failure = match self.stack.last_mut() {
            None => {
                self.root = Some(v);
                None
            }
            Some(Frame::Seq(items)) => {
                items.push(v);
                None
            }
            Some(Frame::Map(_, key @ None)) => match key_text {
                Some(k) => {
                    *key = Some(k.to_owned());
                    None
                }
                None => Some("AUTH_CONFIG: a key must be a plain name, not a list or a mapping".to_owned()),
            },
            Some(Frame::Map(map, key)) => {
                let k = key.take().unwrap_or_default();
                if map.contains_key(&k) {
                    Some(format!("AUTH_CONFIG: {}: duplicated key in mapping", quote(&k)))
                } else {
                    map.insert(k, v);
                    None
                }
            }
        };
        if let Some(message) = failure {
            self.fail(message);
        }
    }

    fn scalar(text: &str, style: TScalarStyle, tag: Option<&Tag>) -> Result<Value> {
        if style != TScalarStyle::Plain {
            return Ok(Value::String(text.to_owned()));
        }
        if let Some(t) = tag {
            return match (t.handle.as_str(), t.suffix.as_str()) {
                ("tag:yaml.org,2002:", "str") => Ok(Value::String(text.to_owned())),
                _ => Err(config_err(format!("AUTH_CONFIG: the YAML tag {}{} is not supported", t.handle, t.suffix))),
            };
        }
        // YAML 1.2's core schema, as the loader resolves plain scalars.
        let value = JsonBuilder::yaml12(text)?;
        // kubectl and Bank-Vaults read YAML 1.1 (go-yaml v2): where the two differ, refuse.
        let old = yaml11(text);
        if !old.same_as(&value) {
            return Err(config_err(format!(
                "AUTH_CONFIG: {} is {} in YAML 1.1, as kubectl and Bank-Vaults read it, and {} in YAML 1.2: quote it for a string, or write the value so both read it alike",
                quote(text),
                old.describe(),
                describe(&value)
            )));
        }
        Ok(value)
    }

    fn yaml12(text: &str) -> Result<Value> {
        Ok(match Yaml::from_str(text) {
            Yaml::Null => Value::Null,
            Yaml::Boolean(b) => Value::Bool(b),
            Yaml::Integer(i) => Value::Number(i.into()),
            Yaml::Real(r) => {
                let f: f64 = r.parse().map_err(|_| config_err(format!("AUTH_CONFIG: {} is not a number", quote(&r))))?;
                Value::Number(Number::from_f64(f).ok_or_else(|| config_err(format!("AUTH_CONFIG: {} is not a finite number", quote(&r))))?)
            }
            _ => Value::String(text.to_owned()),
        })
    }
}

impl MarkedEventReceiver for JsonBuilder {
    fn on_event(&mut self, ev: Event, _mark: Marker) {
        if self.error.is_some() {
            return;
        }
        match ev {
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentStart => {}
            Event::DocumentEnd => {
                let root = self.root.take().unwrap_or(Value::Null);
                self.docs.push(root);
            }
            Event::Alias(_) => self.fail("AUTH_CONFIG uses a YAML alias (*name): write the value out".into()),
            Event::SequenceStart(..) | Event::MappingStart(..) if self.stack.len() >= MAX_DEPTH => {
                self.fail(format!("AUTH_CONFIG is nested deeper than {MAX_DEPTH} levels"));
            }
            Event::SequenceStart(..) => self.stack.push(Frame::Seq(Vec::new())),
            Event::MappingStart(..) => self.stack.push(Frame::Map(Map::new(), None)),
            Event::SequenceEnd | Event::MappingEnd => match self.stack.pop() {
                Some(Frame::Seq(items)) => self.value(Value::Array(items), None),
                Some(Frame::Map(map, _)) => self.value(Value::Object(map), None),
                None => self.fail("AUTH_CONFIG is not valid YAML".into()),
            },
            Event::Scalar(text, style, _, tag) => match JsonBuilder::scalar(&text, style, tag.as_ref()) {
                Ok(v) => self.value(v, Some(&text)),
                Err(e) => self.fail(e.message().to_owned()),
            },
        }
    }
}

/// A plain scalar as go-yaml v2 resolves it (`resolve.go` `resolve`, the YAML 1.1 reading that
/// `kubectl` (sigs.k8s.io/yaml) and Bank-Vaults hand to Vault): its table of booleans (`y`,
/// `yes`, `on`, `off`, `n`, `no` in three cases each) and nulls (`~`, `null`, `Null`, `NULL`),
/// underscores dropped from numbers, Go's `strconv.ParseInt(s, 0, 64)` (`010` is octal 8, `0b`
/// binary), then ParseUint, then a float, and timestamps (four digits and a `-`).
#[derive(Debug, PartialEq)]
enum Yaml11 {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Timestamp,
    Str,
}

fn yaml11(s: &str) -> Yaml11 {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Yaml11::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => return Yaml11::Bool(true),
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => return Yaml11::Bool(false),
        ".nan" | ".NaN" | ".NAN" => return Yaml11::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Yaml11::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Yaml11::Float(f64::NEG_INFINITY),
        _ => {}
    }
    if !s.starts_with(|c: char| c.is_ascii_digit() || matches!(c, '+' | '-' | '.')) {
        return Yaml11::Str;
    }
    let b = s.as_bytes();
    if b.len() > 5 && b.iter().take(4).all(u8::is_ascii_digit) && b.get(4) == Some(&b'-') && b.get(5).is_some_and(u8::is_ascii_digit) {
        return Yaml11::Timestamp;
    }
    let plain = s.replace('_', "");
    if let Some(i) = go_parse_int(&plain) {
        return Yaml11::Int(i);
    }
    let float = {
        let t = plain.strip_prefix(['+', '-']).unwrap_or(&plain);
        let (mantissa, exp) = match t.split_once(['e', 'E']) {
            Some((m, e)) => (m, Some(e)),
            None => (t, None),
        };
        let exp_ok = exp.is_none_or(|e| {
            let d = e.strip_prefix(['+', '-']).unwrap_or(e);
            !d.is_empty() && d.bytes().all(|c| c.is_ascii_digit())
        });
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let digits = |x: &str| x.bytes().all(|c| c.is_ascii_digit());
        let mantissa_ok = if mantissa.starts_with('.') { !frac.is_empty() && digits(frac) } else { !int.is_empty() && digits(int) && digits(frac) };
        exp_ok && mantissa_ok
    };
    match plain.parse::<f64>() {
        Ok(f) if float => Yaml11::Float(f),
        _ => Yaml11::Str,
    }
}

/// Go's `strconv.ParseInt(s, 0, 64)`, then `ParseUint(s, 0, 64)` (no sign): a sign, then `0x`,
/// `0o`, `0b` or a bare leading `0` (octal) picks the base.
fn go_parse_int(s: &str) -> Option<i128> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, s.get(1..)?),
        Some(b'+') => (false, s.get(1..)?),
        _ => (false, s),
    };
    let lower = body.to_ascii_lowercase();
    let (radix, digits) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, lower.get(1..)?)
    } else {
        (10, lower.as_str())
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let n = i128::from_str_radix(digits, radix).ok()?;
    let n = if neg { -n } else { n };
    let fits = i64::try_from(n).is_ok() || (!neg && s.as_bytes().first() != Some(&b'+') && u64::try_from(n).is_ok());
    fits.then_some(n)
}

impl Yaml11 {
    fn same_as(&self, v: &Value) -> bool {
        match (self, v) {
            (Yaml11::Null, Value::Null) | (Yaml11::Str, Value::String(_)) => true,
            (Yaml11::Bool(a), Value::Bool(b)) => a == b,
            (Yaml11::Int(i), Value::Number(n)) => n.as_i64().map(i128::from) == Some(*i) || n.as_u64().map(i128::from) == Some(*i) || n.as_f64() == Some(*i as f64),
            (Yaml11::Float(f), Value::Number(n)) => n.as_f64() == Some(*f),
            _ => false,
        }
    }

    fn describe(&self) -> String {
        match self {
            Yaml11::Null => "null".into(),
            Yaml11::Bool(b) => format!("the boolean {b}"),
            // Through serde_json's number writers (itoa, ryu): core's f64 and i128 Display would
            // add their own formatting code to the gate's wasm.
            Yaml11::Int(i) => format!("the number {}", i64::try_from(*i).map(Number::from).or_else(|_| u64::try_from(*i).map(Number::from)).map_or_else(|_| "out of range".to_owned(), |n| n.to_string())),
            Yaml11::Float(f) => format!("the number {}", Number::from_f64(*f).map_or_else(|| if f.is_nan() { ".nan".to_owned() } else if *f > 0.0 { ".inf".to_owned() } else { "-.inf".to_owned() }, |n| n.to_string())),
            Yaml11::Timestamp => "a timestamp".into(),
            Yaml11::Str => "a string".into(),
        }
    }
}

fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        _ => "a string".into(),
    }
}

fn parse_yaml(text: &str) -> Result<Vec<Value>> {
    let mut builder = JsonBuilder::default();
    Parser::new_from_str(text).load(&mut builder, true).map_err(|e| config_err(format!("AUTH_CONFIG is not valid YAML: {e}")))?;
    match builder.error {
        Some(e) => Err(config_err(e)),
        None => Ok(builder.docs),
    }
}

/// Reads `AUTH_CONFIG`: JSON (strictly, as every JSON the gate reads) when it starts with `{`,
/// YAML otherwise (duplicate keys and aliases refused), where a plain scalar that YAML 1.1
/// (kubectl, Bank-Vaults) and YAML 1.2 read differently (`010`, `no`, `on`, `NULL`, `1_000`,
/// `2024-01-01`) is refused with both readings: the gate cannot know which one Vault got. A document whose `kind` is `Vault`
/// (the Bank-Vaults custom resource) is read for its `spec.externalConfig`; of several YAML
/// documents, the one that is a `Vault` resource or the only one.
pub fn parse_document(text: &str) -> Result<Value> {
    if text.len() > MAX_CONFIG_BYTES {
        return Err(config_err(format!("AUTH_CONFIG is larger than {MAX_CONFIG_BYTES} bytes")));
    }
    let docs = if text.trim_start().starts_with('{') {
        vec![crate::json::parse(text.as_bytes()).map_err(|e| config_err(format!("AUTH_CONFIG is not valid JSON: {e}")))?]
    } else {
        parse_yaml(text)?
    };
    let is_vault = |d: &Value| d.get("kind").and_then(Value::as_str) == Some("Vault");
    let doc = match docs.iter().find(|d| is_vault(d)) {
        Some(vault) => vault.get("spec").and_then(|s| s.get("externalConfig")).cloned().ok_or_else(|| config_err("the Vault resource has no spec.externalConfig"))?,
        None if docs.is_empty() => return Err(config_err("AUTH_CONFIG holds no document")),
        None if docs.len() == 1 => docs.into_iter().next().unwrap_or(Value::Null),
        None => return Err(config_err("AUTH_CONFIG holds several YAML documents and none is a Vault resource")),
    };
    if !doc.is_object() {
        return Err(config_err("AUTH_CONFIG must be a mapping with an `auth` list (a Bank-Vaults externalConfig)"));
    }
    Ok(doc)
}

/// The browser (OIDC flow) settings of `auth/<path>/config`: refused, as the gate serves JWT login only.
const BROWSER_OIDC: [&str; 6] = ["oidc_client_id", "oidc_client_secret", "oidc_response_mode", "oidc_response_types", "provider_config", "namespace_in_state"];

/// Reads the mounts from `AUTH_CONFIG` (see [`parse_document`]) with no files and no
/// environment for its templates.
pub fn parse(text: &str) -> Result<AuthMounts> {
    parse_with(text, &Sources::default())
}

/// Reads the mounts from `AUTH_CONFIG`, its Bank-Vaults templates evaluated with `sources`.
pub fn parse_with(text: &str, sources: &Sources) -> Result<AuthMounts> {
    let doc = templated(parse_document(text)?, sources)?;
    let mut skipped = Vec::new();
    let mut mounts: Vec<Mount> = Vec::new();
    let mut kubernetes = Vec::new();
    let obj = doc.as_object().ok_or_else(|| config_err("AUTH_CONFIG must be a mapping"))?;
    for k in obj.keys().filter(|k| k.as_str() != "auth") {
        skipped.push(format!("AUTH_CONFIG: section {} skipped (the gate configures JWT auth mounts only)", quote(k)));
    }
    let entries = match obj.get("auth") {
        Some(Value::Array(a)) => a,
        Some(_) => return Err(config_err("AUTH_CONFIG: `auth` must be a list")),
        None => return Err(config_err("AUTH_CONFIG has no `auth` list")),
    };
    for (i, entry) in entries.iter().enumerate() {
        let e = entry.as_object().ok_or_else(|| config_err(format!("AUTH_CONFIG: auth entry {i} must be a mapping")))?;
        let kind = fields::string(e.get("type").unwrap_or(&Value::Null), "type")?.unwrap_or_default();
        if kind.is_empty() {
            return Err(config_err(format!("AUTH_CONFIG: auth entry {i} has no type")));
        }
        // Vault's Kubernetes method: gate::kubernetes.
        if kind == "kubernetes" {
            let entry = crate::gate::kubernetes::entry(i, e)?;
            if mounts.iter().any(|m| m.path == entry.path) || kubernetes.iter().any(|k: &crate::gate::kubernetes::KubeEntry| k.path == entry.path) {
                return Err(config_err(format!("AUTH_CONFIG: two auth entries are mounted at {}", quote(&entry.path))));
            }
            kubernetes.push(entry);
            continue;
        }
        if kind != "jwt" {
            let at = e.get("path").and_then(Value::as_str).unwrap_or(&kind);
            skipped.push(format!("AUTH_CONFIG: auth entry {i} (type {}, path {}) skipped: the gate serves `type: jwt` and `type: kubernetes` only", quote(&kind), quote(at)));
            continue;
        }
        let (mount, notes) = parse_mount(i, e)?;
        skipped.extend(notes);
        if mounts.iter().any(|m| m.path == mount.path) || kubernetes.iter().any(|k| k.path == mount.path) {
            return Err(config_err(format!("AUTH_CONFIG: two auth entries are mounted at {}", quote(&mount.path))));
        }
        mounts.push(mount);
    }
    if mounts.is_empty() && kubernetes.is_empty() {
        return Err(config_err("AUTH_CONFIG has no auth entry of type jwt or kubernetes"));
    }
    Ok(AuthMounts { mounts, skipped, kubernetes })
}

/// A mount path as Vault takes it: slashes at its ends trimmed, then letters, digits, `-`, `_`,
/// `.` and inner `/`; `token` is the token store's.
pub fn mount_path(raw: &str) -> Result<String> {
    let path = raw.trim_matches('/');
    let ok = !path.is_empty()
        && path.split('/').all(|seg| !seg.is_empty() && seg != "." && seg != ".." && seg.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')));
    if !ok {
        return Err(config_err(format!("mount path {}: letters, digits, '-', '_', '.' and '/' between segments only", quote(raw))));
    }
    if path == "token" || path.starts_with("token/") {
        return Err(config_err("mount path \"token\" is the token store's"));
    }
    Ok(path.to_owned())
}

/// The externalConfig after its templates: as the operator hands it to the configurer (JSON,
/// keys sorted as Go's encoder writes a map), evaluated as text (vault-sdk `EnvTemplate`), then
/// parsed as the configurer parses it (`multiparser.New(parser.JSON, parser.YAML)`: JSON, else
/// YAML). So `${ file `ca.crt` }` in a YAML scalar comes out as the PEM, its newlines escaped for
/// the JSON string and decoded by the JSON parser, as in the cluster.
fn templated(doc: Value, sources: &Sources) -> Result<Value> {
    let json = doc.to_string();
    if !json.contains("${") {
        return Ok(doc);
    }
    let out = templates::evaluate(&json, sources)?;
    let value = match crate::json::parse(out.as_bytes()) {
        Ok(v) => v,
        Err(je) => {
            let docs = parse_yaml(&out).map_err(|ye| config_err(format!("AUTH_CONFIG once its templates are evaluated is neither JSON ({}) nor YAML ({})", je, ye.message())))?;
            let mut docs = docs.into_iter();
            match (docs.next(), docs.next()) {
                (Some(v), None) => v,
                _ => return Err(config_err("AUTH_CONFIG once its templates are evaluated is not one document")),
            }
        }
    };
    if !value.is_object() {
        return Err(config_err("AUTH_CONFIG once its templates are evaluated is not a mapping"));
    }
    Ok(value)
}

/// A CA bundle as cap's `createCAContext` takes it: at least one certificate that parses.
#[cfg(feature = "gate")]
fn check_ca(pem: &str) -> core::result::Result<(), String> {
    crate::net::tls::root_store(pem).map(|_| ()).map_err(|e| e.message().to_owned())
}

#[cfg(not(feature = "gate"))]
fn check_ca(pem: &str) -> core::result::Result<(), String> {
    if pem.contains("-----BEGIN CERTIFICATE-----") {
        Ok(())
    } else {
        Err("could not parse CA PEM value successfully: no CERTIFICATE block".into())
    }
}

fn parse_mount(i: usize, e: &Map<String, Value>) -> Result<(Mount, Vec<String>)> {
    if let Some(k) = e.keys().find(|k| !matches!(k.as_str(), "type" | "path" | "description" | "config" | "roles")) {
        // A tune option (`options`, `max_lease_ttl`, ...) would change lifetimes: never drop one.
        return Err(config_err(format!("AUTH_CONFIG: auth entry {i}: {} is not supported by the gate", quote(k))));
    }
    let path = mount_path(&fields::string(e.get("path").unwrap_or(&Value::Null), "path")?.unwrap_or_else(|| "jwt".into()))?;
    let at = |m: String| config_err(format!("AUTH_CONFIG: mount {}: {m}", quote(&path)));
    let config = match e.get("config") {
        Some(Value::Object(c)) => c.clone(),
        None | Some(Value::Null) => Map::new(),
        Some(_) => return Err(at("config must be a mapping".into())),
    };
    let mut out = Map::new();
    let mut sources = Vec::new();
    let mut published = false;
    let mut freshness = Freshness { max_age: DEFAULT_PUBLISHED_MAX_AGE, refuse_when_stale: true };
    let mut freshness_set = None;
    let (mut discovery_ca, mut jwks_ca, mut bearer) = (String::new(), String::new(), String::new());
    for (k, v) in &config {
        let text = |v: &Value| fields::string(v, k).map(|s| s.unwrap_or_default().trim().to_owned());
        match k.as_str() {
            "oidc_discovery_url" => sources.push(KeySource::Discovery(text(v)?)),
            "jwks_url" => sources.push(KeySource::JwksUrl(text(v)?)),
            "jwt_validation_pubkeys" => sources.push(KeySource::PublicKeys(fields::comma_string_slice(v, k)?)),
            "bound_issuer" | "jwt_supported_algs" | "default_role" | "session_epoch" => {
                out.insert(k.clone(), v.clone());
            }
            // Vault stores the PEM as given; an empty one is no pin (createCAContext).
            "oidc_discovery_ca_pem" => discovery_ca = fields::string(v, k)?.unwrap_or_default(),
            "jwks_ca_pem" => jwks_ca = fields::string(v, k)?.unwrap_or_default(),
            "oidc_discovery_bearer_token" => bearer = fields::string(v, k)?.unwrap_or_default().trim().to_owned(),
            "jwks_pairs" => return Err(at("jwks_pairs is not supported: give each issuer a mount of its own".into())),
            k if BROWSER_OIDC.contains(&k) => {
                return Err(at(format!("{k} configures the browser OIDC flow (auth/<path>/oidc/...), which the gate does not serve: it answers JWT login only")));
            }
            "unsupported_critical_cert_extensions" => {}
            "jwks_published" => published = fields::boolean(v, k)?.unwrap_or(false),
            "jwks_published_max_age" => {
                freshness.max_age = fields::duration_second(v, k, false)?.unwrap_or(DEFAULT_PUBLISHED_MAX_AGE);
                freshness_set = Some(k.clone());
            }
            "jwks_published_when_stale" => {
                freshness.refuse_when_stale = match text(v)?.as_str() {
                    "" | "refuse" => true,
                    "serve" => false,
                    other => return Err(at(format!("jwks_published_when_stale must be \"refuse\" or \"serve\", not {}", quote(other)))),
                };
                freshness_set = Some(k.clone());
            }
            other => return Err(at(format!("unknown config parameter {}", quote(other)))),
        }
    }
    sources.retain(|s| !matches!(s, KeySource::Discovery(u) | KeySource::JwksUrl(u) if u.is_empty()) && !matches!(s, KeySource::PublicKeys(p) if p.is_empty()));
    if published {
        if !sources.is_empty() {
            return Err(at("jwks_published takes its keys only from what `jwksgate publish` pushes: remove oidc_discovery_url, jwks_url and jwt_validation_pubkeys".into()));
        }
        if out.get("bound_issuer").and_then(Value::as_str).is_none_or(|s| s.trim().is_empty()) {
            return Err(at("jwks_published requires bound_issuer: a push is taken only for that issuer".into()));
        }
        sources.push(KeySource::Published(freshness));
    } else if let Some(k) = freshness_set {
        return Err(at(format!("{k} applies to jwks_published mounts only")));
    }
    if sources.len() != 1 {
        return Err(at("exactly one of 'jwt_validation_pubkeys', 'jwks_url' or 'oidc_discovery_url' must be set (or jwks_published: true)".into()));
    }
    let keys = sources.remove(0);
    let mut notes = Vec::new();
    // Each pin serves its own source, as in cap; the other is stored by Vault and never used.
    let (ca, unused) = match &keys {
        KeySource::Discovery(_) => (discovery_ca, [("jwks_ca_pem", jwks_ca)]),
        KeySource::JwksUrl(_) => (jwks_ca, [("oidc_discovery_ca_pem", discovery_ca)]),
        KeySource::PublicKeys(_) | KeySource::Published(_) => (String::new(), [("oidc_discovery_ca_pem / jwks_ca_pem", if discovery_ca.is_empty() { jwks_ca } else { discovery_ca })]),
    };
    for (name, pem) in unused {
        if !pem.is_empty() {
            notes.push(format!("AUTH_CONFIG: mount {}: {name} is not used: this mount's keys do not come from its URL (Vault stores it and ignores it too)", quote(&path)));
        }
    }
    let ca_pem = if ca.is_empty() {
        None
    } else {
        let which = if matches!(keys, KeySource::Discovery(_)) { "oidc_discovery_ca_pem" } else { "jwks_ca_pem" };
        check_ca(&ca).map_err(|m| at(format!("error checking {which}: {m}")))?;
        Some(ca)
    };
    let bearer_token = if bearer.is_empty() {
        None
    } else {
        match &keys {
            KeySource::Discovery(u) if u.get(..8).is_some_and(|p| p.eq_ignore_ascii_case("https://")) => Some(Secret(bearer)),
            KeySource::Discovery(_) => return Err(at("oidc_discovery_bearer_token is sent over https only: the oidc_discovery_url must be https".into())),
            _ => return Err(at("oidc_discovery_bearer_token goes with oidc_discovery_url (it is sent to the discovery URL's origin only)".into())),
        }
    };
    // The gate's one departure, as for OIDC_DISCOVERY_URL: the issuer defaults to the discovery URL.
    if let (KeySource::Discovery(url), false) = (&keys, out.get("bound_issuer").and_then(Value::as_str).is_some_and(|s| !s.trim().is_empty())) {
        out.insert("bound_issuer".into(), Value::String(url.clone()));
    }
    let roles = roles_by_name(e.get("roles"), &path)?;
    Ok((Mount { path, keys, ca_pem, bearer_token, config: Value::Object(out), roles }, notes))
}

/// An entry's `roles`: Bank-Vaults' list of roles, each with its `name`, or a map of name to
/// role (as ROLES holds them).
pub fn roles_by_name(roles: Option<&Value>, path: &str) -> Result<Value> {
    let at = |m: String| config_err(format!("AUTH_CONFIG: mount {}: {m}", quote(path)));
    Ok(match roles {
        Some(Value::Array(list)) => {
            let mut roles = Map::new();
            for (j, r) in list.iter().enumerate() {
                let mut r = r.as_object().cloned().ok_or_else(|| at(format!("role {j} must be a mapping")))?;
                let name = match r.remove("name") {
                    Some(Value::String(n)) if !n.is_empty() => n,
                    _ => return Err(at(format!("role {j} has no name"))),
                };
                if roles.insert(name.clone(), Value::Object(r)).is_some() {
                    return Err(at(format!("two roles are named {}", quote(&name))));
                }
            }
            Value::Object(roles)
        }
        // A map of name to role, as ROLES holds them.
        Some(Value::Object(m)) => Value::Object(m.clone()),
        _ => return Err(at("roles must be a list of roles, each with a name".into())),
    })
}

/// The mount a Bearer token on a proxied path goes to: the first whose issuer (`bound_issuer`,
/// which defaults to the discovery URL) equals the token's `iss` exactly. `iss` is read
/// unverified to choose a mount and nothing more: that mount then checks the token whole, its
/// signature against its own keys and `iss` against its `bound_issuer`, so a token naming
/// mount A's issuer and signed by mount B's keys is refused at A.
pub fn route_by_issuer(token: &str, issuers: &[Option<String>]) -> Option<usize> {
    let unverified = crate::verifier::decode_unverified(token, crate::claims::DEFAULT_MAX_TOKEN_BYTES).ok()?;
    let iss = unverified.payload.get("iss")?.as_str()?;
    issuers.iter().position(|i| i.as_deref() == Some(iss))
}
