//! Session tokens the gate mints after a login: a JSON claims set MACed with HMAC-SHA256
//! (RFC 2104, FIPS 180-4) under the deployment's secret, compared in constant time, and checked
//! again on every use. What changes after login (revocation, uses left, renewals) lives in the
//! session store (`store`, a Durable Object's state); what never changes is here, under the MAC,
//! so a forged session is refused before any storage round trip.

use crate::b64;
use crate::gate::cidr::{self, Cidr};
use crate::error::{Code, Error, Result};
use crate::json;
use crate::gate::role::Login;
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::collections::BTreeMap;
use std::net::IpAddr;

type HmacSha256 = Hmac<Sha256>;

/// Every session token starts with this, so a session is never mistaken for a JWT.
pub const PREFIX: &str = "jgs.";
/// Largest session token accepted, in bytes; a bound before any MAC or JSON work.
pub const MAX_SESSION_BYTES: usize = 16 * 1024;
/// Shortest deployment secret accepted, in bytes (256 bits).
pub const MIN_SECRET_BYTES: usize = 32;
/// The session format made and accepted (sessions of an older format are refused: log in again).
pub const VERSION: u8 = 3;

/// What a mount trusts, which binds the sessions made at it ([`MountTrust::binding`]): whoever
/// vouches for a login there. A mount removed, or configured again at the same path with
/// another of these, refuses every session made before: Vault revokes a disabled mount's tokens
/// and a new mount never honours them. What does not vouch for anyone is left out, so changing
/// it ends no session: the gate's own credentials toward the issuer or the API server
/// (`oidc_discovery_bearer_token`, `token_reviewer_jwt`, which kubelet rotates), how long a
/// published set is trusted, and login policy (roles, `jwt_supported_algs`, `default_role`),
/// which Vault applies at login and its tokens outlive. The gate keeps no record of mounts, so
/// a mount put back exactly as it was honours its sessions again: changing `session_epoch` is
/// how an operator ends them all (as disabling does).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MountTrust<'a> {
    /// The mount path.
    pub path: &'a str,
    /// Where its keys, or its answers, come from: the key source's kind and URL or the keys
    /// themselves (`mounts::KeySource::binding_text`), or the API server a Kubernetes mount asks.
    pub key_source: &'a str,
    /// The PEM bundle pinned as the only roots of that source's TLS (`oidc_discovery_ca_pem`,
    /// `jwks_ca_pem`, `kubernetes_ca_cert`); none: the platform's public roots. Read as the set
    /// of its certificates ([`pinned_roots`]), so the same certificates written otherwise (line
    /// ends, order, text between blocks) are the same pin.
    pub ca_pem: Option<&'a str>,
    /// The issuer every token must name (`bound_issuer`; a Kubernetes mount's checked `issuer`).
    pub bound_issuer: Option<&'a str>,
    /// The operator's `session_epoch`.
    pub epoch: &'a str,
}

impl MountTrust<'_> {
    /// SHA-256 over the path, the key source, `bound_issuer` and `session_epoch`, each
    /// length-prefixed, then the pinned roots when there is a pin; the first 16 bytes,
    /// base64url. Without a pin the digest is the one of the format before pins were bound, so
    /// the sessions of unpinned mounts outlive the upgrade.
    pub fn binding(&self) -> String {
        use sha2::Digest;
        let mut h = Sha256::new();
        h.update(b"jwksgate mount binding v1");
        let part = |h: &mut Sha256, bytes: &[u8]| {
            h.update((bytes.len() as u64).to_be_bytes());
            h.update(bytes);
        };
        for p in [self.path, self.key_source, self.bound_issuer.unwrap_or(""), self.epoch] {
            part(&mut h, p.as_bytes());
        }
        h.update([u8::from(self.bound_issuer.is_some())]);
        if let Some(pem) = self.ca_pem {
            h.update(b"pinned roots");
            let roots = pinned_roots(pem);
            h.update((roots.len() as u64).to_be_bytes());
            for r in &roots {
                part(&mut h, r);
            }
        }
        let digest = h.finalize();
        b64::encode(digest.get(..16).unwrap_or(&digest))
    }
}

/// A pinned bundle as the TLS client trusts it: the DER of each `CERTIFICATE` block, sorted and
/// without repeats (a bundle is a set of roots; other blocks and text are ignored, as
/// `net::tls::root_store` ignores them). A bundle the PEM reader refuses, or without a
/// certificate, is bound by its text, marked so it cannot equal a certificate's DER.
pub fn pinned_roots(pem: &str) -> Vec<Vec<u8>> {
    let mut roots: Vec<Vec<u8>> = crate::pem::blocks(pem).map(|b| b.into_iter().filter(|b| b.is_certificate()).map(|b| b.der).collect()).unwrap_or_default();
    if roots.is_empty() {
        return vec![[b"text:".as_slice(), pem.trim().as_bytes()].concat()];
    }
    roots.sort();
    roots.dedup();
    roots
}

/// What a session carries. Field names are short: the token travels in every request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Session {
    /// Format version, 3 (1 had no mount and no store, 2 no mount binding).
    pub v: u8,
    /// Random id chosen by the host: the key of its record in the session store.
    pub id: String,
    /// The mount logged in at (`auth/<m>/login`).
    pub m: String,
    /// The mount's binding when the session was made ([`MountTrust::binding`]): a session is
    /// honoured only by a mount that trusts what its own did (path, key source, pinned CA,
    /// `bound_issuer`, `session_epoch`).
    #[serde(default)]
    pub f: String,
    /// The role logged in to.
    pub role: String,
    /// The entity alias (the user claim's value).
    pub alias: String,
    /// Policies.
    pub policies: Vec<String>,
    /// Metadata: `role` and the claim mappings.
    pub meta: BTreeMap<String, String>,
    /// Groups from the groups claim.
    #[serde(default)]
    pub groups: Vec<String>,
    /// The role's `token_bound_cidrs`, checked on every use.
    #[serde(default)]
    pub cidrs: Vec<String>,
    /// The role's `token_explicit_max_ttl` in seconds, for lookup (0, and left out, when none).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub xmax: u64,
    /// The role's `token_period` in seconds, for lookup (0, and left out, when none).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub period: u64,
    /// The role's `token_num_uses` when the session was made (0, and left out, when none): the
    /// store counts them down.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub n: u64,
    /// The last second the session may live, renewals included (CalculateTTL's
    /// `maxValidTime`); left out for a periodic session without an explicit maximum.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mx: Option<i64>,
    /// The display name after the mount's, when it is not the alias: a Kubernetes login's
    /// `<namespace>-<name>` (vault-plugin-auth-kubernetes `pathLogin` sets `DisplayName`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dn: Option<String>,
    /// Issued at, seconds since the epoch.
    pub iat: i64,
    /// Expires at unless renewed, seconds since the epoch (the store keeps the current expiry).
    pub exp: i64,
}

impl Session {
    /// The session for a login at `mount` (whose [`MountTrust::binding`] is `binding`), issued at
    /// `now`, with the host's random `id`.
    pub fn from_login(login: &Login, mount: &str, binding: &str, id: &str, now: i64) -> Self {
        Session {
            v: VERSION,
            id: id.to_owned(),
            m: mount.to_owned(),
            f: binding.to_owned(),
            role: login.role.clone(),
            alias: login.alias.clone(),
            policies: login.policies.clone(),
            meta: login.metadata.clone(),
            groups: login.groups.clone(),
            cidrs: login.bound_cidrs.clone(),
            xmax: login.explicit_max_ttl,
            period: login.period,
            n: login.num_uses,
            mx: login.max_lifetime.map(|t| now.saturating_add(i64::try_from(t).unwrap_or(i64::MAX))),
            dn: None,
            iat: now,
            exp: now.saturating_add(i64::try_from(login.ttl).unwrap_or(i64::MAX)),
        }
    }

    /// Seconds left at `now`, never negative.
    pub fn ttl(&self, now: i64) -> i64 {
        self.exp.saturating_sub(now).max(0)
    }
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

fn invalid(message: &str) -> Error {
    Error::new(Code::SessionInvalid, message)
}

/// Mints and checks sessions with one deployment secret.
#[derive(Clone)]
pub struct SessionKey {
    mac: HmacSha256,
    accessor: HmacSha256,
}

impl core::fmt::Debug for SessionKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("SessionKey(..)")
    }
}

fn derive(secret: &[u8], label: &[u8]) -> Result<HmacSha256> {
    // One secret, separate keys per purpose, so an accessor can never serve as a MAC.
    let bad = |_| Error::new(Code::ConfigInvalid, "SESSION_SECRET cannot key HMAC-SHA256");
    let mut m = <HmacSha256 as KeyInit>::new_from_slice(secret).map_err(bad)?;
    m.update(label);
    let key = m.finalize().into_bytes();
    <HmacSha256 as KeyInit>::new_from_slice(&key).map_err(bad)
}

impl SessionKey {
    /// A key from the deployment secret (at least 32 bytes).
    pub fn new(secret: &[u8]) -> Result<Self> {
        if secret.len() < MIN_SECRET_BYTES {
            return Err(Error::new(Code::ConfigInvalid, format!("SESSION_SECRET must be at least {MIN_SECRET_BYTES} bytes")));
        }
        Ok(SessionKey { mac: derive(secret, b"jwksgate session mac v1")?, accessor: derive(secret, b"jwksgate session accessor v1")? })
    }

    /// The session token: `jgs.` + base64url(JSON) + `.` + base64url(HMAC-SHA256).
    pub fn mint(&self, session: &Session) -> Result<String> {
        let body = serde_json::to_vec(session).map_err(|_| invalid("session cannot be encoded"))?;
        let mut token = format!("{PREFIX}{}", b64::encode(&body));
        let mut mac = self.mac.clone();
        mac.update(token.as_bytes());
        token.push('.');
        token.push_str(&b64::encode(&mac.finalize().into_bytes()));
        if token.len() > MAX_SESSION_BYTES {
            return Err(invalid("session too large (too much metadata)"));
        }
        Ok(token)
    }

    /// Checks a session token at `now` from address `remote`: size, shape, MAC (constant time),
    /// then contents, maximum lifetime and bound CIDRs. Every failure is `ERR_SESSION_INVALID`.
    /// The current expiry, the uses left and revocation are the store's to check (`store`).
    pub fn verify(&self, token: &str, remote: Option<IpAddr>, now: i64) -> Result<Session> {
        if token.len() > MAX_SESSION_BYTES || !token.starts_with(PREFIX) {
            return Err(invalid("not a session token"));
        }
        let (signed, mac_b64) = token.rsplit_once('.').ok_or_else(|| invalid("not a session token"))?;
        let tag = b64::decode(mac_b64.as_bytes()).filter(|t| t.len() == 32).ok_or_else(|| invalid("not a session token"))?;
        let mut mac = self.mac.clone();
        mac.update(signed.as_bytes());
        // `verify_slice` compares in constant time (subtle's ConstantTimeEq).
        mac.verify_slice(&tag).map_err(|_| invalid("session signature does not verify"))?;
        // `signed` may be shorter than the prefix ("jgs.x" splits at the prefix's own dot).
        let body = signed.strip_prefix(PREFIX).and_then(|b| b64::decode(b.as_bytes())).ok_or_else(|| invalid("session is malformed"))?;
        let value = json::parse(&body).map_err(|_| invalid("session is malformed"))?;
        let session: Session = serde_json::from_value(value).map_err(|_| invalid("session is malformed"))?;
        if session.v != VERSION {
            return Err(invalid("session version is not supported"));
        }
        // The expiry a renewal may move is the store's; the maximum no renewal passes is here.
        if session.mx.is_some_and(|mx| mx <= now) {
            return Err(invalid("session expired"));
        }
        let blocks = session.cidrs.iter().map(|c| Cidr::parse(c)).collect::<Result<Vec<_>>>().map_err(|_| invalid("session is malformed"))?;
        if !cidr::remote_addr_is_ok(remote, &blocks) {
            return Err(invalid(crate::gate::role::PERMISSION_DENIED));
        }
        Ok(session)
    }

    /// [`SessionKey::verify`], then the mount: a session is honoured only at the mount it was
    /// made at (`mount`), trusting what it did then (`binding`, [`MountTrust::binding`]). A mount
    /// reconfigured (key source, pinned CA, `bound_issuer`, `session_epoch`) refuses its earlier sessions,
    /// as Vault revokes a disabled mount's tokens and a new mount never honours them.
    pub fn verify_at(&self, token: &str, mount: &str, binding: &str, remote: Option<IpAddr>, now: i64) -> Result<Session> {
        let s = self.verify(token, remote, now)?;
        if s.m != mount {
            return Err(invalid("the session belongs to another mount"));
        }
        if s.f != binding {
            return Err(invalid("the session was made by another configuration of its mount (key source, pinned CA, bound_issuer or session_epoch changed)"));
        }
        Ok(s)
    }

    /// The session's accessor: a handle that names it (for logs and revocation lists) but
    /// cannot be used as it. Stable for a given id and secret.
    pub fn accessor(&self, id: &str) -> String {
        let mut mac = self.accessor.clone();
        mac.update(b"accessor:");
        mac.update(id.as_bytes());
        let tag = mac.finalize().into_bytes();
        b64::encode(tag.get(..18).unwrap_or(&tag))
    }

    /// A stable entity id for an alias of a mount, shaped like a UUID as Vault's are. Vault keys
    /// an entity on the mount's accessor and the alias name (`CreateOrFetchEntity`), so one
    /// ServiceAccount logging in through two roles of a mount is one entity.
    pub fn entity_id(&self, mount: &str, alias: &str) -> String {
        let mut mac = self.accessor.clone();
        mac.update(b"entity:");
        mac.update(mount.as_bytes());
        mac.update(&[0]);
        mac.update(alias.as_bytes());
        let mut id = String::with_capacity(36);
        for (i, b) in mac.finalize().into_bytes().iter().take(16).enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                id.push('-');
            }
            id.push_str(&format!("{b:02x}"));
        }
        id
    }
}
