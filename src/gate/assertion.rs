//! What the gate tells the origin about the caller, so that the origin can prove it: a short-lived
//! JWT (RFC 7519) in `X-Jwksgate-Assertion`, signed ES256 (RFC 7518 section 3.4) with the key in
//! `ASSERTION_KEY`, whose public half the gate publishes at `/.well-known/jwks.json` under an
//! OpenID Connect Discovery 1.0 document (`issuer` = `GATE_URL`), as Cloudflare Access does with
//! `Cf-Access-Jwt-Assertion` and Pomerium with `X-Pomerium-Jwt-Assertion`; and the claims an
//! origin reads without a JOSE library, as headers: the role's metadata
//! (`X-Auth-Request-Metadata-<key>`) and a ServiceAccount token's Kubernetes identity
//! (`X-Auth-Request-Kubernetes-*`). The claims are the gate's policy (here); the signature is an
//! algorithm (`jwa::sign`). Nothing here does I/O: the host passes `now` and the `jti`'s randomness.

use crate::b64;
use crate::error::{Code, Error, Result};
use crate::gate::proxy::Origin;
use crate::gate::vault::header_value;
use crate::jwa::sign::Es256Signer;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The request field that carries the assertion (lower case, as the proxy writes names).
pub const HEADER: &str = "x-jwksgate-assertion";
/// How long an assertion is valid, in seconds: one request's way from the gate to the origin,
/// with room for clock skew between them. Short, so a copied assertion is soon worthless.
pub const TTL_SECONDS: i64 = 60;
/// The path of the gate's public keys.
pub const JWKS_PATH: &str = "/.well-known/jwks.json";
/// The path of the gate's discovery document (OpenID Connect Discovery 1.0 section 4).
pub const DISCOVERY_PATH: &str = "/.well-known/openid-configuration";
/// How long an origin may cache the discovery document and the key set, in seconds
/// (`Cache-Control: max-age`). A rotation keeps `ASSERTION_KEY_PREVIOUS` published at least
/// this long; an origin that meets an unknown `kid` refetches sooner (jose, this package).
pub const KEYS_MAX_AGE: u32 = 300;
/// Prefix of the metadata fields (oauth2-proxy's `X-Auth-Request-*` family).
pub const METADATA_PREFIX: &str = "x-auth-request-metadata-";
/// Longest metadata key sent as a field name, in bytes.
pub const MAX_METADATA_KEY: usize = 64;
/// Shortest `jti` accepted: 128 bits of randomness as base64url (22 characters) or more.
pub const MIN_JTI_CHARS: usize = 22;

fn bad_config(message: impl Into<String>) -> Error {
    Error::new(Code::ConfigInvalid, message)
}

/// A ServiceAccount's name and uid, or a pod's, as the `kubernetes.io` claim writes them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectRef {
    /// The object's name.
    pub name: String,
    /// Its uid, when the token names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
}

/// The Kubernetes identity of a ServiceAccount token, in the shape of its own `kubernetes.io`
/// claim (KEP-1205).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kubernetes {
    /// The namespace.
    pub namespace: String,
    /// The ServiceAccount.
    pub serviceaccount: ObjectRef,
    /// The pod a pod-bound token names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod: Option<ObjectRef>,
}

impl Kubernetes {
    /// From verified claims (`crate::kubernetes::identity`), or None for a token that is not a
    /// ServiceAccount's.
    pub fn from_claims(claims: &serde_json::Map<String, Value>) -> Option<Self> {
        let id = crate::kubernetes::identity(claims)?;
        let object = |r: crate::kubernetes::Ref| ObjectRef { name: r.name, uid: r.uid };
        Some(Kubernetes { namespace: id.namespace, serviceaccount: object(id.service_account), pod: id.pod.map(object) })
    }
}

/// Who the caller is, as a session or a Bearer token established it (the `GateIdentity` the
/// worker holds, read back). Unknown members are ignored: the identity carries more.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct Caller {
    /// The mount the credential belongs to.
    pub mount: String,
    /// The role.
    pub role: String,
    /// The entity alias (the user claim's value).
    pub alias: String,
    /// The policies.
    #[serde(default)]
    pub policies: Vec<String>,
    /// The groups.
    #[serde(default)]
    pub groups: Vec<String>,
    /// The role's metadata: `role` and the claim mappings.
    #[serde(default)]
    pub meta: BTreeMap<String, String>,
    /// A ServiceAccount token's Kubernetes identity (Bearer tokens only: a session keeps none).
    #[serde(default)]
    pub kubernetes: Option<Kubernetes>,
}

/// Reads `GATE_URL`, the assertion's `iss` and the discovery document's `issuer`: an https
/// origin (`http` only to this machine: 127.0.0.0/8, `localhost`, `[::1]`, for tests), no path,
/// written as a URL parser writes an origin (`https://gate.example.com`, no trailing `/`).
/// Configuration, never the request's `Host`, which the caller chooses.
pub fn gate_url(text: &str) -> Result<String> {
    let origin = Origin::parse(text).map_err(|e| bad_config(e.message().replacen("ORIGIN", "GATE_URL", 1)))?;
    if !origin.base().is_empty() {
        return Err(bad_config("GATE_URL must be the gate's origin, without a path: its documents are served at /.well-known/"));
    }
    let url = origin.origin();
    let loopback = url.strip_prefix("http://").is_some_and(|authority| {
        let host = authority.rsplit_once(':').map_or(authority, |(h, p)| if p.bytes().all(|b| b.is_ascii_digit()) && !h.is_empty() { h } else { authority });
        host == "localhost" || host == "[::1]" || host.parse::<std::net::Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
    });
    if !url.starts_with("https://") && !loopback {
        return Err(bad_config("GATE_URL must be https (plain http only to this machine, for tests)"));
    }
    Ok(url)
}

/// The assertion's `aud`: `ASSERTION_AUDIENCE` when set, else ORIGIN as the gate reads it
/// (`scheme://host[:port]` and its path, if any). Neither: `ERR_CONFIG_INVALID`.
pub fn audience(explicit: Option<&str>, origin: Option<&Origin>) -> Result<String> {
    match (explicit.map(str::trim).filter(|a| !a.is_empty()), origin) {
        (Some(a), _) => Ok(a.to_owned()),
        (None, Some(o)) => Ok(format!("{}{}", o.origin(), o.base())),
        (None, None) => Err(bad_config("ASSERTION_KEY needs ORIGIN or ASSERTION_AUDIENCE (the assertion's audience)")),
    }
}

/// One key of the gate's: the signer and its public JWK.
#[derive(Clone, Debug)]
struct Published {
    signer: Es256Signer,
    kid: String,
}

impl Published {
    fn read(text: &str, name: &str) -> Result<Self> {
        let signer = Es256Signer::parse(text).map_err(|e| bad_config(format!("{name}: {}", e.message())))?;
        let kid = match signer.kid() {
            Some(k) => k.to_owned(),
            None => thumbprint(&signer),
        };
        Ok(Published { signer, kid })
    }

    fn jwk(&self) -> Value {
        json!({ "kty": "EC", "crv": "P-256", "x": b64::encode(self.signer.x()), "y": b64::encode(self.signer.y()), "kid": self.kid, "alg": "ES256", "use": "sig" })
    }
}

/// RFC 7638 section 3.2: the required members in lexicographic order, no whitespace.
fn thumbprint(signer: &Es256Signer) -> String {
    use sha2::{Digest, Sha256};
    let canonical = format!(r#"{{"crv":"P-256","kty":"EC","x":"{}","y":"{}"}}"#, b64::encode(signer.x()), b64::encode(signer.y()));
    b64::encode(&Sha256::digest(canonical.as_bytes()))
}

/// The gate's assertion issuer: the signing key, the previous key still published during a
/// rotation, the issuer and the audience. Built once, from configuration.
#[derive(Clone, Debug)]
pub struct Assertions {
    current: Published,
    previous: Option<Published>,
    issuer: String,
    audience: String,
}

impl Assertions {
    /// `key` is `ASSERTION_KEY`, `previous` `ASSERTION_KEY_PREVIOUS` (published, never used to
    /// sign), `issuer` from [`gate_url`], `audience` from [`audience`]. A bad key, or two keys of
    /// one `kid`, is `ERR_CONFIG_INVALID`; no message quotes a key.
    pub fn new(key: &str, previous: Option<&str>, issuer: String, audience: String) -> Result<Self> {
        let current = Published::read(key, "ASSERTION_KEY")?;
        let previous = previous.filter(|p| !p.trim().is_empty()).map(|p| Published::read(p, "ASSERTION_KEY_PREVIOUS")).transpose()?;
        if previous.as_ref().is_some_and(|p| p.kid == current.kid) {
            return Err(bad_config("ASSERTION_KEY_PREVIOUS has the kid of ASSERTION_KEY: a rotation needs a new key"));
        }
        Ok(Assertions { current, previous, issuer, audience })
    }

    /// The issuer (`GATE_URL`).
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The audience.
    pub fn audience(&self) -> &str {
        &self.audience
    }

    /// The signing key's `kid`.
    pub fn kid(&self) -> &str {
        &self.current.kid
    }

    /// The claims of an assertion for `caller` at `now`, with `jti`.
    pub fn claims(&self, caller: &Caller, now: i64, jti: &str) -> Value {
        let mut claims = json!({
            "iss": self.issuer,
            "aud": self.audience,
            "sub": format!("{}/{}", caller.mount, caller.alias),
            "iat": now,
            "nbf": now,
            "exp": now.saturating_add(TTL_SECONDS),
            "jti": jti,
            "mount": caller.mount,
            "role": caller.role,
            "alias": caller.alias,
            "policies": caller.policies,
            "groups": caller.groups,
            "metadata": caller.meta,
        });
        if let (Some(k), Some(obj)) = (&caller.kubernetes, claims.as_object_mut()) {
            obj.insert("kubernetes.io".into(), json!(k));
        }
        claims
    }

    /// The assertion: a compact JWS (`{"alg":"ES256","typ":"JWT","kid":...}`) of [`Self::claims`].
    /// `jti` must be at least [`MIN_JTI_CHARS`] base64url characters of the host's randomness
    /// (`crypto.getRandomValues`); less is `ERR_INVALID_ARGUMENT`.
    pub fn sign(&self, caller: &Caller, now: i64, jti: &str) -> Result<String> {
        if jti.len() < MIN_JTI_CHARS || !jti.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
            return Err(Error::new(Code::InvalidArgument, format!("jti must be at least {MIN_JTI_CHARS} base64url characters of randomness")));
        }
        if caller.mount.is_empty() || caller.alias.is_empty() {
            return Err(Error::new(Code::InvalidArgument, "an assertion needs the caller's mount and alias"));
        }
        let header = json!({ "alg": "ES256", "typ": "JWT", "kid": self.current.kid });
        let input = format!("{}.{}", b64::encode(header.to_string().as_bytes()), b64::encode(self.claims(caller, now, jti).to_string().as_bytes()));
        let signature = self.current.signer.sign(input.as_bytes());
        Ok(format!("{input}.{}", b64::encode(&signature)))
    }

    /// `/.well-known/jwks.json`: the signing key, then the previous one during a rotation.
    pub fn jwks(&self) -> Value {
        let keys: Vec<Value> = std::iter::once(&self.current).chain(self.previous.as_ref()).map(Published::jwk).collect();
        json!({ "keys": keys })
    }

    /// `/.well-known/openid-configuration`: enough of OpenID Connect Discovery 1.0 section 3 for
    /// a verifier (`issuer`, `jwks_uri`, the algorithm); the gate is not an OpenID provider.
    pub fn discovery(&self) -> Value {
        json!({
            "issuer": self.issuer,
            "jwks_uri": format!("{}{JWKS_PATH}", self.issuer),
            "id_token_signing_alg_values_supported": ["ES256"],
            "subject_types_supported": ["public"],
            "response_types_supported": ["id_token"],
            "claims_supported": ["iss", "aud", "sub", "iat", "nbf", "exp", "jti", "mount", "role", "alias", "policies", "groups", "metadata", "kubernetes.io"],
        })
    }
}

/// A metadata key as a field name: ASCII letters (lower-cased), digits, `-`, and `_` written
/// `-` (CGI and most frameworks read both as `_`), at most [`MAX_METADATA_KEY`] bytes. Any
/// other key has no field (it is in the assertion's `metadata` claim).
fn metadata_field(key: &str) -> Option<String> {
    let plain = !key.is_empty() && key.len() <= MAX_METADATA_KEY && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    plain.then(|| format!("{METADATA_PREFIX}{}", key.to_ascii_lowercase().replace('_', "-")))
}

/// The fields the origin gets besides the assertion: each metadata entry as
/// `X-Auth-Request-Metadata-<key>` (the key by [`metadata_field`]; two keys that fold to one
/// name, `Team` and `team` or `a_b` and `a-b`, give neither: an origin cannot be told which;
/// the value percent-encoded by [`header_value`]), and for a ServiceAccount token
/// `X-Auth-Request-Kubernetes-Namespace`, `-Service-Account`, `-Service-Account-Uid`, `-Pod` and
/// `-Pod-Uid` (each when the token names it). Names lower case, values visible ASCII.
pub fn origin_headers(caller: &Caller) -> Vec<(String, String)> {
    let mut named: BTreeMap<String, Option<&str>> = BTreeMap::new();
    for (key, value) in &caller.meta {
        if let Some(name) = metadata_field(key) {
            named.entry(name).and_modify(|v| *v = None).or_insert(Some(value.as_str()));
        }
    }
    let mut out: Vec<(String, String)> = named.into_iter().filter_map(|(n, v)| Some((n, header_value(v?)))).collect();
    if let Some(k) = &caller.kubernetes {
        let mut put = |name: &str, value: Option<&str>| {
            if let Some(v) = value {
                out.push((format!("x-auth-request-kubernetes-{name}"), header_value(v)));
            }
        };
        put("namespace", Some(&k.namespace));
        put("service-account", Some(&k.serviceaccount.name));
        put("service-account-uid", k.serviceaccount.uid.as_deref());
        put("pod", k.pod.as_ref().map(|p| p.name.as_str()));
        put("pod-uid", k.pod.as_ref().and_then(|p| p.uid.as_deref()));
    }
    out
}
