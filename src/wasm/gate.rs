//! The edge login gate (worker/): Vault-style roles and session tokens. The worker does HTTP and
//! key fetching only; every decision here is made by the pure core (`src/gate/`). Built only
//! with the `gate` feature (the worker's own wasm), so the npm package stays small.

use super::convert::{invalid, json_text, parse_jwks, to_js, to_plain};
use crate::error::{Code, Error};
use js_sys::{Reflect, Uint8Array};
use wasm_bindgen::prelude::*;

use crate::gate::role::{self as gate_role, AuthConfig, Gate as CoreGate};
use crate::gate::session::{Session, SessionKey};
use crate::gate::store::{self, Answer, Record};

#[wasm_bindgen(typescript_custom_section)]
const TS_GATE_TYPES: &'static str = r#"
/** Shared auth configuration (Vault's `auth/jwt/config`). */
export interface GateConfig { bound_issuer?: string; jwt_supported_algs?: Algorithm[]; default_role?: string }
/** Who a request is, once a session or token has been checked. */
export interface GateIdentity {
  id?: string; mount?: string; role: string; alias: string; groups: string[]; policies: string[];
  meta: Record<string, string>; iat?: number; exp?: number;
  /** The identity headers for the origin, values percent-encoded where not plain ASCII. */
  headers: Record<string, string>;
}
/** A login request body, parsed strictly (`Gate.parseLogin`): `role`, `jwt` (null when absent or empty) and `set_cookie`. */
export type GateLoginRequest = [role: string | null, jwt: string | null, set_cookie: boolean];
/** What a request asks of the session store (src/gate/store.rs `Op`, as serde writes it: `{"use": {...}}`, `{"expire": {}}`), for `sessionApply`. */
export type StoreOp = { expire: Record<string, never> } | { create: unknown } | { use: unknown } | { renew: unknown } | { revoke: unknown } | { check: unknown };
/** The store's answer (src/gate/store.rs `Answer`). */
export interface StoreAnswer { ok: boolean; reason?: string; record?: unknown; num_uses: number; ttl?: number; warnings: string[] }
/** A session checked (MAC, maximum lifetime, CIDRs) and the op to send its store. */
export interface GateSessionUse { identity: GateIdentity; op: StoreOp }
/** Errors from the gate also carry the HTTP status Vault would answer with; a refused login
 * also names its failed check and a log line naming the check and claim (never a value). */
export interface GateError extends JwksgateError { status: number; check?: string; log?: string }
"#;

pub(super) fn gate_js(e: Error) -> JsValue {
    let status = gate_role::http_status(&e);
    let js = to_js(e);
    let _ = Reflect::set(&js, &"status".into(), &JsValue::from(status));
    js
}

/// A refused login as a JS error: Vault's answer, the failed check's name, and the log line
/// (the check and the claim, never a claim's value).
fn refusal(check: &crate::gate::login::Check, role: &str) -> JsValue {
    let e = check.error.clone().unwrap_or_else(|| Error::new(Code::LoginRefused, "login refused"));
    let js = gate_js(e);
    let _ = Reflect::set(&js, &"check".into(), &JsValue::from(check.id.name()));
    let _ = Reflect::set(&js, &"log".into(), &JsValue::from(check.log_line(role)));
    js
}

pub(super) fn remote_ip(remote: Option<String>) -> Option<std::net::IpAddr> {
    remote.and_then(|r| r.trim().trim_start_matches('[').trim_end_matches(']').parse().ok())
}

fn session_identity_json(s: &Session) -> serde_json::Value {
    serde_json::json!({
        "id": s.id, "mount": s.m, "role": s.role, "alias": s.alias, "groups": s.groups, "policies": s.policies,
        "meta": s.meta, "iat": s.iat, "exp": s.exp,
        "headers": crate::gate::vault::identity_headers(&s.m, &s.role, &s.alias, &s.groups, &s.policies),
    })
}

fn store_answer(value: JsValue) -> Result<Answer, JsValue> {
    #[derive(serde::Deserialize)]
    struct Stored {
        ok: bool,
        record: Option<Record>,
        #[serde(default)]
        num_uses: i64,
        ttl: Option<u64>,
        #[serde(default)]
        warnings: Vec<String>,
    }
    let text = json_text(&value, "answer").map_err(gate_js)?;
    let a: Stored = serde_json::from_str(&text).map_err(|_| gate_js(invalid("answer is not a session store answer")))?;
    Ok(Answer { ok: a.ok, reason: None, record: a.record, num_uses: a.num_uses, ttl: a.ttl, warnings: a.warnings })
}

fn session_refused(message: &str) -> JsValue {
    gate_js(Error::new(Code::SessionInvalid, message))
}

/// The session store's rules (`store::apply`), run inside the Durable Object: the stored record
/// (or null), an op from the gate, the time. Returns `{keep, answer}`: the record to store
/// (null: delete it) and the answer for the request.
#[wasm_bindgen(js_name = sessionApply, unchecked_return_type = "{ keep: unknown | null; answer: StoreAnswer }")]
pub fn session_apply(current: JsValue, #[wasm_bindgen(unchecked_param_type = "StoreOp")] op: JsValue, now: f64) -> Result<JsValue, JsValue> {
    let current = if current.is_null() || current.is_undefined() { None } else { Some(store::parse_record(&json_text(&current, "record").map_err(gate_js)?).map_err(gate_js)?) };
    let op = store::parse_op(&json_text(&op, "op").map_err(gate_js)?).map_err(gate_js)?;
    let out = store::apply(current, op, now.floor() as i64);
    to_plain(&serde_json::json!({ "keep": out.keep, "answer": out.answer }))
}

/// Reads `AUTH_CONFIG` (a Bank-Vaults externalConfig, YAML or JSON; `mounts::parse`): each
/// JWT mount's path, key source, config and roles, and a line for each part skipped.
#[wasm_bindgen(js_name = parseAuthConfig)]
pub fn parse_auth_config(
    text: &str,
    #[wasm_bindgen(unchecked_param_type = "string | Record<string, string> | null | undefined")] files: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Record<string, string> | null | undefined")] env: JsValue,
) -> Result<JsValue, JsValue> {
    use crate::gate::mounts::KeySource;
    let map = |v: &JsValue, what: &str| -> Result<std::collections::BTreeMap<String, String>, JsValue> {
        if v.is_undefined() || v.is_null() || v.as_string().is_some_and(|s| s.trim().is_empty()) {
            return Ok(Default::default());
        }
        let text = json_text(v, what).map_err(gate_js)?;
        serde_json::from_str(&text).map_err(|_| gate_js(Error::new(Code::ConfigInvalid, format!("{what} must be a JSON object of strings"))))
    };
    let files = if files.is_undefined() || files.is_null() { String::new() } else { json_text(&files, "FILES").map_err(gate_js)? };
    let sources = crate::gate::templates::Sources { files: crate::gate::templates::Sources::read_files(&files).map_err(gate_js)?, env: map(&env, "the environment")? };
    let parsed = crate::gate::mounts::parse_with(text, &sources).map_err(gate_js)?;
    let mounts: Vec<serde_json::Value> = parsed
        .mounts
        .iter()
        .map(|m| {
            let mut source = match &m.keys {
                KeySource::Discovery(u) => serde_json::json!({ "kind": "oidc_discovery_url", "url": u }),
                KeySource::JwksUrl(u) => serde_json::json!({ "kind": "jwks_url", "url": u }),
                KeySource::PublicKeys(p) => serde_json::json!({ "kind": "jwt_validation_pubkeys", "pems": p }),
                KeySource::Published(f) => serde_json::json!({ "kind": "jwks_published", "max_age": f.max_age, "refuse_when_stale": f.refuse_when_stale }),
            };
            if let Some(obj) = source.as_object_mut() {
                obj.insert("ca_pem".into(), m.ca_pem.clone().into());
                obj.insert("bearer_token".into(), m.bearer_token.as_ref().map(|s| s.0.clone()).into());
            }
            serde_json::json!({ "path": m.path, "source": source, "config": m.config, "roles": m.roles })
        })
        .collect();
    let kubernetes: Vec<serde_json::Value> = parsed.kubernetes.iter().map(|k| serde_json::json!({ "path": k.path, "config": k.config, "roles": k.roles })).collect();
    to_plain(&serde_json::json!({ "mounts": mounts, "skipped": parsed.skipped, "kubernetes": kubernetes }))
}

/// The index of the mount a Bearer token goes to by its `iss` (`mounts::route_by_issuer`),
/// given each mount's issuer (null for none), or -1.
#[wasm_bindgen(js_name = routeBearer)]
pub fn route_bearer(token: &str, #[wasm_bindgen(unchecked_param_type = "(string | null)[]")] issuers: JsValue) -> Result<i32, JsValue> {
    let issuers: Vec<Option<String>> = serde_json::from_str(&json_text(&issuers, "issuers").map_err(gate_js)?).map_err(|_| gate_js(invalid("issuers must be a list")))?;
    Ok(crate::gate::mounts::route_by_issuer(token, &issuers).and_then(|i| i32::try_from(i).ok()).unwrap_or(-1))
}

/// The gate's policy: roles, shared configuration, the session key and the current key set.
#[wasm_bindgen(js_name = Gate)]
pub struct JsGate {
    gate: CoreGate,
    key: SessionKey,
    mount: String,
    /// The mount's binding (`session::MountTrust`), which its sessions carry.
    binding: String,
    verifier: Option<crate::Verifier>,
    /// The timestamp of the published record installed (`setPublished`), so an unchanged one
    /// is not parsed again.
    published_at: Option<i64>,
}

/// A key source as the worker describes it (`parseAuthConfig`'s `source`, or the single-mount
/// variables': `jwks` and `pem` hold the keys themselves) as `MountTrust` binds it, and the CA
/// its TLS is pinned to (`ca_pem`).
fn source_text(source: &JsValue) -> Result<(String, Option<String>), JsValue> {
    use crate::gate::mounts::KeySource;
    if source.is_undefined() || source.is_null() {
        return Ok((String::new(), None));
    }
    #[derive(serde::Deserialize)]
    struct Source {
        kind: String,
        url: Option<String>,
        pems: Option<Vec<String>>,
        pem: Option<String>,
        jwks: Option<String>,
        ca_pem: Option<String>,
    }
    let text = json_text(source, "source").map_err(gate_js)?;
    let s: Source = serde_json::from_str(&text).map_err(|_| gate_js(invalid("source must be a key source ({kind, ...})")))?;
    let url = || s.url.clone().unwrap_or_default();
    let text = match s.kind.as_str() {
        "oidc_discovery_url" => KeySource::Discovery(url()).binding_text(),
        "jwks_url" => KeySource::JwksUrl(url()).binding_text(),
        "jwt_validation_pubkeys" => KeySource::PublicKeys(s.pems.clone().unwrap_or_default()).binding_text(),
        "pem" => KeySource::PublicKeys(vec![s.pem.clone().unwrap_or_default()]).binding_text(),
        "jwks" => format!("jwks\n{}", s.jwks.clone().unwrap_or_default()),
        "jwks_published" => KeySource::Published(crate::gate::mounts::Freshness { max_age: 0, refuse_when_stale: true }).binding_text(),
        other => return Err(gate_js(invalid(format!("unknown key source kind {other:?}")))),
    };
    Ok((text, s.ca_pem.filter(|c| !c.is_empty())))
}

#[wasm_bindgen(js_class = Gate)]
impl JsGate {
    /// Checks every role now (a bad one throws `ERR_CONFIG_INVALID`), and the secret's length.
    /// `source` is the mount's key source (`parseAuthConfig`'s, with its pinned `ca_pem`); with
    /// the path, `bound_issuer` and `session_epoch` it binds the mount's sessions
    /// (`session::MountTrust`).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "GateConfig | string")] config: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Record<string, unknown> | string")] roles: JsValue,
        session_secret: &str,
        mount: Option<String>,
        #[wasm_bindgen(unchecked_param_type = "unknown")] source: JsValue,
    ) -> Result<JsGate, JsValue> {
        let config = if config.is_undefined() || config.is_null() {
            AuthConfig::default()
        } else {
            AuthConfig::parse(json_text(&config, "config").map_err(gate_js)?.as_bytes()).map_err(gate_js)?
        };
        let roles = json_text(&roles, "roles").map_err(|e| gate_js(Error::new(Code::ConfigInvalid, e.message())))?;
        let gate = CoreGate::new(config, roles.as_bytes()).map_err(gate_js)?;
        let key = SessionKey::new(session_secret.as_bytes()).map_err(gate_js)?;
        let mount = crate::gate::mounts::mount_path(mount.as_deref().filter(|m| !m.is_empty()).unwrap_or("jwt")).map_err(gate_js)?;
        let (source, ca_pem) = source_text(&source)?;
        let binding = crate::gate::mounts::jwt_binding(&mount, &source, ca_pem.as_deref(), &gate.config);
        Ok(JsGate { gate, key, mount, binding, verifier: None, published_at: None })
    }

    /// Replaces the key set (after a fetch or a rotation). Throws on a bad set and keeps the old one.
    #[wasm_bindgen(js_name = setKeys)]
    pub fn set_keys(&mut self, #[wasm_bindgen(unchecked_param_type = "JWKS | string")] jwks: JsValue) -> Result<Vec<String>, JsValue> {
        Ok(self.install(crate::Verifier::from_jwks(parse_jwks(&jwks).map_err(gate_js)?)))
    }

    /// Replaces the key set with one its issuer published (a remote set's fetch, JSON text): a
    /// well-formed set with no usable key is the issuer's revocation and verifies nothing from
    /// now on (`Verifier.fromPublished`); a body that is not a JWKS throws and keeps the old set.
    #[wasm_bindgen(js_name = setFetchedKeys)]
    pub fn set_fetched_keys(&mut self, #[wasm_bindgen(unchecked_param_type = "string")] jwks: JsValue) -> Result<Vec<String>, JsValue> {
        Ok(self.install(published_verifier(&jwks)?))
    }

    fn install(&mut self, verifier: crate::Verifier) -> Vec<String> {
        let ids = verifier.key_ids().into_iter().map(str::to_owned).collect();
        self.verifier = Some(verifier);
        ids
    }

    /// Installs a static key set (Vault's `jwt_validation_pubkeys`): every key is tried,
    /// whatever `kid` a token names, and Vault's static-key wording is used.
    #[wasm_bindgen(js_name = setStaticKeys)]
    pub fn set_static_keys(&mut self, #[wasm_bindgen(unchecked_param_type = "JWKS | string")] jwks: JsValue) -> Result<Vec<String>, JsValue> {
        Ok(self.install(crate::Verifier::any_kid(parse_jwks(&jwks).map_err(gate_js)?)))
    }

    /// A `jwks_published` mount's keys: the record its store holds (as `publishAccept` made it;
    /// null when nothing was pushed), checked again here (this mount, its `bound_issuer`) and
    /// installed as the whole truth (an empty set: no key, every token refused), then the last
    /// push's age against `maxAge` (`0`: no bound). Returns `{ kids, stale, refuse }`: `stale`
    /// the log line when over the bound, `refuse` true when nothing may verify (nothing
    /// pushed, or stale and `refuseWhenStale`), in which case no key is left installed.
    #[wasm_bindgen(js_name = setPublished, unchecked_return_type = "{ kids: string[]; stale: string | null; refuse: boolean; timestamp: number | null }")]
    pub fn set_published(&mut self, record: JsValue, now: f64, max_age: f64, refuse_when_stale: bool) -> Result<JsValue, JsValue> {
        use crate::gate::publish::{self, Published};
        if record.is_null() || record.is_undefined() {
            self.verifier = None;
            self.published_at = None;
            return to_plain(&serde_json::json!({ "kids": [], "stale": format!("mount {}: nothing has been published yet (jwksgate publish --mount {})", self.mount, self.mount), "refuse": true, "timestamp": null }));
        }
        let text = json_text(&record, "record").map_err(gate_js)?;
        let p = Published::from_json(&crate::json::parse(text.as_bytes()).map_err(|_| gate_js(Error::new(Code::ConfigInvalid, "the stored published keys are not JSON")))?).map_err(gate_js)?;
        if p.mount != self.mount || Some(&p.issuer) != self.gate.config.bound_issuer.as_ref() {
            self.verifier = None;
            self.published_at = None;
            return Err(gate_js(Error::new(Code::ConfigInvalid, format!("mount {}: the stored published keys are for another mount or issuer", self.mount))));
        }
        let stale = publish::staleness(&self.mount, p.timestamp, now.floor() as i64, max_age as i64);
        if stale.is_some() && refuse_when_stale {
            self.verifier = None;
            self.published_at = None;
            return to_plain(&serde_json::json!({ "kids": p.kids, "stale": stale, "refuse": true, "timestamp": p.timestamp }));
        }
        if self.published_at != Some(p.timestamp) {
            self.verifier = p.key_set().map_err(gate_js)?.map(crate::Verifier::from_jwks);
            self.published_at = Some(p.timestamp);
        }
        to_plain(&serde_json::json!({ "kids": p.kids, "stale": stale, "refuse": false, "timestamp": p.timestamp }))
    }

    /// `default_role`, lower-cased, or `undefined`.
    #[wasm_bindgen(getter, js_name = defaultRole)]
    pub fn default_role(&self) -> Option<String> {
        self.gate.config.default_role.clone()
    }

    /// What Vault would have warned about when these roles were written (a `token_max_ttl`
    /// above the system's 768h), for the host's log.
    #[wasm_bindgen(getter)]
    pub fn warnings(&self) -> Vec<String> {
        self.gate.warnings.clone()
    }

    /// Whether a key set is loaded.
    #[wasm_bindgen(getter, js_name = hasKeys)]
    pub fn has_keys(&self) -> bool {
        self.verifier.is_some()
    }

    /// The mount's issuer (`bound_issuer`), which Bearer tokens are routed by; null for none.
    #[wasm_bindgen(getter)]
    pub fn issuer(&self) -> Option<String> {
        self.gate.config.bound_issuer.clone()
    }

    /// The mount name (`jwt` by default).
    #[wasm_bindgen(getter)]
    pub fn mount(&self) -> String {
        self.mount.clone()
    }

    /// The role names.
    #[wasm_bindgen(getter)]
    pub fn roles(&self) -> Vec<String> {
        self.gate.roles.keys().cloned().collect()
    }

    fn verifier(&self) -> Result<&crate::Verifier, JsValue> {
        self.verifier.as_ref().ok_or_else(|| gate_js(Error::new(Code::JwksInvalid, "no keys are loaded")))
    }

    /// Parses the raw body of a login request (strict JSON: no duplicate members, no byte
    /// order mark, valid UTF-8, bounded nesting): `[role, jwt, set_cookie]`. Throws
    /// `ERR_INVALID_ARGUMENT` with status 400.
    #[wasm_bindgen(js_name = parseLogin, unchecked_return_type = "GateLoginRequest")]
    pub fn parse_login(&self, #[wasm_bindgen(unchecked_param_type = "Uint8Array")] body: JsValue) -> Result<JsValue, JsValue> {
        login_request(&body)
    }

    /// The login checks that need no keys (role, `role_type`, token, CIDRs), in Vault's order:
    /// throws Vault's answer, so a host answers them before it fetches keys.
    pub fn precheck(&self, role: &str, jwt: &str, remote: Option<String>) -> Result<(), JsValue> {
        match self.gate.precheck(role, jwt, remote_ip(remote)) {
            Some(check) => Err(refusal(&check, &self.gate.role_name(role))),
            None => Ok(()),
        }
    }

    /// Vault's login: checks `jwt` against role `role` (empty: `default_role`) for a caller at
    /// `remote` at `now` (seconds, with their fraction), and mints a session with the host's
    /// random `session_id`. Returns Vault's answer as JSON text, to send as it is (its
    /// `auth.client_token` is the session, `auth.lease_duration` its lifetime). A refusal
    /// carries `check` and `log` (see `GateError`).
    pub fn login(&self, role: &str, jwt: &str, remote: Option<String>, now: f64, session_id: &str, request_id: &str) -> Result<String, JsValue> {
        check_session_id(session_id)?;
        let explanation = self.gate.verdict(role, jwt, self.verifier.as_ref(), remote_ip(remote), now);
        if let Some(check) = explanation.failure() {
            return Err(refusal(check, &explanation.role));
        }
        let login = explanation.into_result().map_err(gate_js)?;
        let session = Session::from_login(&login, &self.mount, &self.binding, session_id, now.floor() as i64);
        self.sessions().answer(&session, request_id, &login.warnings)
    }

    /// A whole login from its raw body, for a mount whose keys are at hand (a static set: no
    /// fetch to answer the key-free checks before, no refetch after): the body parsed as
    /// `parseLogin` does, then `login`. `undefined` when the body asks for the cookie
    /// (`set_cookie`), whose CSRF check comes before the login's: the host then goes the long
    /// way. One crossing, and the token never leaves wasm.
    #[wasm_bindgen(js_name = loginBody)]
    pub fn login_body(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] body: JsValue,
        remote: Option<String>,
        now: f64,
        session_id: &str,
        request_id: &str,
    ) -> Result<Option<String>, JsValue> {
        let request = parse_login_body(&body)?;
        if request.set_cookie {
            return Ok(None);
        }
        let text = |s: Option<String>| s.unwrap_or_default();
        self.login(&text(request.role), &text(request.jwt), remote, now, session_id, request_id).map(Some)
    }

    /// Checks `jwt` against `role` as a login would, without minting a session: for requests
    /// that carry a ServiceAccount token directly (`Authorization: Bearer`), within the role's
    /// token limits from the token's `iat` (`login::bearer_lease`).
    #[wasm_bindgen(unchecked_return_type = "GateIdentity")]
    pub fn authorize(&self, role: &str, jwt: &str, remote: Option<String>, now: f64) -> Result<JsValue, JsValue> {
        let login = self.gate.authorize_bearer(role, jwt, self.verifier()?, remote_ip(remote), now).map_err(gate_js)?;
        let mut identity = serde_json::json!({
            "mount": self.mount, "role": login.role, "alias": login.alias, "groups": login.groups, "policies": login.policies, "meta": login.metadata,
            "headers": crate::gate::vault::identity_headers(&self.mount, &login.role, &login.alias, &login.groups, &login.policies),
        });
        super::assertion::add_token_identity(&mut identity, &self.mount, &login.claims);
        to_plain(&identity)
    }

    /// Whether a token that named a key the set lacks may make the host refetch the set
    /// (`Gate::may_refetch_for`): never an unsigned or malformed one, nor another issuer's.
    #[wasm_bindgen(js_name = mayRefetch)]
    pub fn may_refetch(&self, token: &str) -> bool {
        self.gate.may_refetch_for(token)
    }

    fn sessions(&self) -> Sessions<'_> {
        Sessions { key: &self.key, mount: &self.mount, binding: &self.binding }
    }

    /// A role's lifetimes as they are now, for a renewal.
    fn lease(&self, role: &str) -> Option<gate_role::Lease> {
        self.gate.roles.get(role).map(gate_role::Role::lease_params)
    }
}

/// The session requests every mount's gate answers, whatever its method (the JWT mounts' `Gate`,
/// the Kubernetes mounts' `KubernetesGate`): one body for both, over [`Sessions`]; each type has
/// `sessions()` and `lease(role)` (a role's lifetimes now, for a renewal).
macro_rules! session_methods {
    ($ty:ty, $class:ident) => {
        #[wasm_bindgen(js_class = $class)]
        impl $ty {
            /// The mount a session token names, once its MAC verifies (so the host can pick that
            /// mount's gate); every mount shares SESSION_SECRET.
            #[wasm_bindgen(js_name = sessionMount)]
            pub fn session_mount(&self, token: &str, remote: Option<String>, now: f64) -> Result<String, JsValue> {
                self.sessions().mount_of(token, remote, now)
            }

            /// A session token checked here, and the store op for this request: one use (`use`), or
            /// the end of the session (`revoke`), or whether it still stands without using it (`check`,
            /// an open WebSocket's). Throws `ERR_SESSION_INVALID` (403).
            #[wasm_bindgen(unchecked_return_type = "GateSessionUse")]
            pub fn session(&self, token: &str, remote: Option<String>, now: f64, purpose: Option<String>) -> Result<JsValue, JsValue> {
                self.sessions().session(token, remote, now, purpose)
            }

            /// `renew-self`: the session checked here, and the store op that renews it with its role's
            /// lifetimes as they are now (`pathLoginRenew` reads the role again; a role gone ends the
            /// renewal; no TokenReview) and the body's `increment` (a duration, Vault's TypeDurationSecond).
            #[wasm_bindgen(unchecked_return_type = "GateSessionUse")]
            pub fn renewal(&self, token: &str, #[wasm_bindgen(unchecked_param_type = "Uint8Array")] body: JsValue, remote: Option<String>, now: f64) -> Result<JsValue, JsValue> {
                self.sessions().renewal(token, body, remote, now, |role| self.lease(role))
            }

            /// Vault's `lookup-self` body for a session token (verified again here) and the store's
            /// answer to this request's use.
            #[wasm_bindgen(js_name = lookupSelf)]
            pub fn lookup_self(&self, token: &str, remote: Option<String>, now: f64, request_id: &str, #[wasm_bindgen(unchecked_param_type = "StoreAnswer")] answer: JsValue) -> Result<JsValue, JsValue> {
                self.sessions().lookup_self(token, remote, now, request_id, answer)
            }

            /// Vault's `renew-self` body for a session token and the store's answer to its renewal.
            #[wasm_bindgen(js_name = renewResponse)]
            pub fn renew_response(&self, token: &str, remote: Option<String>, now: f64, request_id: &str, #[wasm_bindgen(unchecked_param_type = "StoreAnswer")] answer: JsValue) -> Result<JsValue, JsValue> {
                self.sessions().renew_response(token, remote, now, request_id, answer)
            }
        }
    };
}
pub(super) use session_methods;

session_methods!(JsGate, Gate);

/// A key set as its issuer published it (a fetch's JSON text): a well-formed set with no usable
/// key verifies nothing (`Jwks::parse_published`), a body that is not a JWKS is an error.
pub(super) fn published_verifier(jwks: &JsValue) -> Result<crate::Verifier, JsValue> {
    let text = super::convert::string_arg(jwks, "JWKS", crate::jwk::MAX_JWKS_BYTES, Code::JwksInvalid).map_err(gate_js)?;
    Ok(crate::Verifier::from_jwks(crate::Jwks::parse_published(text.as_bytes()).map_err(gate_js)?))
}

/// A mount's sessions, whatever its method: the JWT mounts' `Gate` and the Kubernetes mounts'
/// `KubernetesGate` (gate_kubernetes.rs) answer session requests through this one code.
pub(super) struct Sessions<'a> {
    pub(super) key: &'a SessionKey,
    pub(super) mount: &'a str,
    /// The mount's binding (`session::MountTrust`), which its sessions carry.
    pub(super) binding: &'a str,
}

/// A login body parsed strictly (`vault::parse_login_request`), for either method's gate, as
/// `[role, jwt, set_cookie]`: three values built here, where JSON text would be written, then
/// parsed again by the host (the token twice), on every login.
pub(super) fn login_request(body: &JsValue) -> Result<JsValue, JsValue> {
    let request = parse_login_body(body)?;
    let text = |s: Option<String>| s.map_or(JsValue::NULL, |s| JsValue::from_str(&s));
    Ok(js_sys::Array::of3(&text(request.role), &text(request.jwt), &JsValue::from_bool(request.set_cookie)).into())
}

/// A login body (a `Uint8Array`) parsed strictly, once, for `parseLogin` and `loginBody`.
fn parse_login_body(body: &JsValue) -> Result<crate::gate::vault::LoginRequest, JsValue> {
    let body = body.dyn_ref::<Uint8Array>().map(Uint8Array::to_vec).ok_or_else(|| gate_js(invalid("the login body must be a Uint8Array")))?;
    crate::gate::vault::parse_login_request(&body).map_err(gate_js)
}

/// The host's random session id: at least 16 characters.
pub(super) fn check_session_id(session_id: &str) -> Result<(), JsValue> {
    if session_id.len() < 16 {
        return Err(gate_js(Error::new(Code::InvalidArgument, "session id must be at least 16 random characters")));
    }
    Ok(())
}

impl Sessions<'_> {
    /// A login's answer for a new session: the session minted and Vault's body as JSON text.
    /// Nothing to store: the session's first use starts its store from the token itself.
    pub(super) fn answer(&self, session: &Session, request_id: &str, warnings: &[String]) -> Result<String, JsValue> {
        let token = self.key.mint(session).map_err(gate_js)?;
        Ok(crate::gate::vault::login_response_text(self.key, session, &token, request_id, warnings))
    }

    /// Verifies a session token of this mount (MAC, maximum lifetime, bound CIDRs) without
    /// storage: a forged, expired or foreign one is refused here.
    fn verify_here(&self, token: &str, remote: Option<String>, now: f64) -> Result<Session, JsValue> {
        self.key.verify_at(token, self.mount, self.binding, remote_ip(remote), now.floor() as i64).map_err(gate_js)
    }

    pub(super) fn mount_of(&self, token: &str, remote: Option<String>, now: f64) -> Result<String, JsValue> {
        Ok(self.key.verify(token, remote_ip(remote), now.floor() as i64).map_err(gate_js)?.m)
    }

    pub(super) fn session(&self, token: &str, remote: Option<String>, now: f64, purpose: Option<String>) -> Result<JsValue, JsValue> {
        let s = self.verify_here(token, remote, now)?;
        let (id, mount, init) = (s.id.clone(), s.m.clone(), Some(Record::new(&s)));
        let op = match purpose.as_deref() {
            None | Some("use") => store::Op::Use { id, mount, init },
            Some("revoke") => store::Op::Revoke { id, mount, init },
            Some("check") => store::Op::Check { id, mount, init },
            Some(_) => return Err(gate_js(invalid("purpose must be \"use\", \"revoke\" or \"check\""))),
        };
        to_plain(&serde_json::json!({ "identity": session_identity_json(&s), "op": op }))
    }

    pub(super) fn renewal(&self, token: &str, body: JsValue, remote: Option<String>, now: f64, lease: impl Fn(&str) -> Option<gate_role::Lease>) -> Result<JsValue, JsValue> {
        let s = self.verify_here(token, remote, now)?;
        let body = body.dyn_ref::<Uint8Array>().map(Uint8Array::to_vec).ok_or_else(|| gate_js(invalid("the body must be a Uint8Array")))?;
        let increment = crate::gate::vault::parse_increment(&body).map_err(gate_js)?;
        let lease = lease(&s.role).ok_or_else(|| gate_js(Error::new(Code::ConfigInvalid, format!("role {} does not exist during renewal", s.role))))?;
        let op = store::Op::Renew { id: s.id.clone(), mount: s.m.clone(), lease, increment, init: Some(Record::new(&s)) };
        to_plain(&serde_json::json!({ "identity": session_identity_json(&s), "op": op }))
    }

    pub(super) fn lookup_self(&self, token: &str, remote: Option<String>, now: f64, request_id: &str, answer: JsValue) -> Result<JsValue, JsValue> {
        let s = self.verify_here(token, remote, now)?;
        let answer = store_answer(answer)?;
        let record = answer.record.filter(|_| answer.ok).ok_or_else(|| session_refused("the store refused the session"))?;
        to_plain(&crate::gate::vault::lookup_response(self.key, &s, &record, answer.num_uses, token, request_id, now.floor() as i64))
    }

    pub(super) fn renew_response(&self, token: &str, remote: Option<String>, now: f64, request_id: &str, answer: JsValue) -> Result<JsValue, JsValue> {
        let s = self.verify_here(token, remote, now)?;
        let answer = store_answer(answer)?;
        let ttl = answer.ttl.filter(|_| answer.ok).ok_or_else(|| session_refused("the store refused the renewal"))?;
        to_plain(&crate::gate::vault::renew_response(self.key, &s, token, ttl, request_id, &answer.warnings))
    }
}

#[wasm_bindgen(typescript_custom_section)]
const TS_EXPLAIN_TYPES: &'static str = r#"
/** One check of a login, in Vault's order (`Gate::explain`). */
export interface GateCheck {
  check: string; outcome: "passed" | "failed" | "skipped" | "not_reached"; claim: string | null; detail: string;
  error: { code: ErrorCode; message: string } | null; unverified: boolean; source: string;
}
/** Every check of a login and its verdict: what `jwksgate explain --json` prints. */
export interface GateExplanation {
  /** "kubernetes" for a role of Vault's Kubernetes method, whose `token_review` says whether TokenReview was asked. */
  method?: "kubernetes"; token_review?: string;
  allowed: boolean; role: string; checks: GateCheck[]; failure: { check: string; message: string } | null;
  login: { role: string; alias: string; groups: string[]; policies: string[]; metadata: Record<string, string>; ttl: number; warnings: string[]; bound_cidrs: string[] } | null;
  /** Where the keys the login was explained with came from, in words (absent when none were). */
  keys?: string;
}
"#;

/// The inspector's "Vault role" panel, as `jwksgate explain`: `role` is the text of a role (as
/// `vault read -format=json auth/jwt/role/NAME` prints it, its parameters, or the gate's ROLES
/// with `name` picking one), `config` the mount's config (`vault read ... auth/jwt/config`) or
/// null, `keys` the page's key box as it stands (a JWKS, one JWK, or PEM keys and certificates,
/// which are tried whatever the kid as Vault's `jwt_validation_pubkeys`; null for none) and
/// `keysIssuer` the issuer they were fetched for (null when pasted). Which keys Vault would use
/// is the gate's rule (`documents::explain_keys`): the config's key sources first, and fetched
/// keys bound to their issuer. Every check in Vault's order; a bad role or config throws
/// `ERR_CONFIG_INVALID`.
#[wasm_bindgen(js_name = explainLogin, unchecked_return_type = "GateExplanation")]
#[allow(clippy::too_many_arguments)]
pub fn explain_login(
    role: &str,
    config: Option<String>,
    name: Option<String>,
    token: &str,
    keys: Option<String>,
    keys_issuer: Option<String>,
    remote: Option<String>,
    now: f64,
) -> Result<JsValue, JsValue> {
    use crate::gate::documents;
    // A role of Vault's Kubernetes method (gate_kubernetes.rs): TokenReview is not asked.
    if let Some(j) = super::gate_kubernetes::explain(role, config.as_deref(), name.as_deref(), token, remote.clone(), now)? {
        return to_plain(&j);
    }
    let parse = |text: &str, what: &str| crate::json::parse(text.as_bytes()).map_err(|e| gate_js(Error::new(Code::ConfigInvalid, format!("the {what} is not valid JSON: {e}"))));
    let (roles, name) = documents::roles(parse(role, "role")?, name.as_deref()).map_err(gate_js)?;
    let (config, sources) = match config.filter(|c| !c.trim().is_empty()) {
        Some(c) => documents::config(parse(&c, "config")?).map_err(gate_js)?,
        None => (AuthConfig::default(), documents::KeySources::default()),
    };
    let gate = CoreGate::new(config, roles.to_string().as_bytes()).map_err(gate_js)?;
    let page = keys.as_deref().map(|text| documents::PageKeys { text, fetched_for: keys_issuer.as_deref() });
    let chosen = documents::explain_keys(&sources, page, token);
    let mut out = gate.explain_with(&name, token, chosen.as_ref().map(|(v, _)| v).map_err(Clone::clone), remote_ip(remote), now).to_json();
    if let (Some(o), Ok((_, source))) = (out.as_object_mut(), &chosen) {
        o.insert("keys".into(), source.clone().into());
    }
    to_plain(&out)
}

// The proxy's rules (src/gate/proxy.rs, src/gate/csrf.rs) for the worker: one call per decision,
// header lists crossing as `[name, value]` pairs (as `[...headers]` gives them).

#[wasm_bindgen(typescript_custom_section)]
const TS_PROXY_TYPES: &'static str = r#"
/** A request's route, for a proxied one with ORIGIN set the URL to fetch, and a login's mount. */
export type GateRoute = [route: "login" | "lookup-self" | "revoke-self" | "renew-self" | "not-found" | "proxy", upstream: string | null, mount: string | null];
/** A request's credential and the header it came in. */
export interface GateCredential { token: string; from: "x-vault-token" | "authorization" | "cookie" }
/** Header fields as `[...headers]` lists them. */
export type HeaderList = [string, string][];
"#;

pub(super) fn header_list(value: &JsValue, what: &str) -> Result<Vec<(String, String)>, JsValue> {
    let text = json_text(value, what).map_err(gate_js)?;
    serde_json::from_str(&text).map_err(|_| gate_js(invalid(format!("{what} must be a list of [name, value] pairs"))))
}

/// The request's credential (`proxy::credential`), or null; the session cookie is read only
/// when `cookie` is true.
#[wasm_bindgen(js_name = requestCredential, unchecked_return_type = "GateCredential | null")]
pub fn request_credential(#[wasm_bindgen(unchecked_param_type = "HeaderList")] headers: JsValue, cookie: bool) -> Result<JsValue, JsValue> {
    let found = crate::gate::proxy::credential(&header_list(&headers, "headers")?, cookie);
    to_plain(&found.map(|c| serde_json::json!({ "token": c.token, "from": c.source.as_str() })))
}

/// The proxy: ORIGIN (checked once), the routes, and what crosses to the origin and back.
#[wasm_bindgen(js_name = GateProxy)]
pub struct JsGateProxy {
    origin: Option<crate::gate::proxy::Origin>,
    mounts: Vec<String>,
}

#[wasm_bindgen(js_class = GateProxy)]
impl JsGateProxy {
    /// `origin` is ORIGIN (or null: only the gate's own routes answer); a bad one throws
    /// `ERR_CONFIG_INVALID` with the reason. `mounts` are the gate's (each `Gate.mount`).
    #[wasm_bindgen(constructor)]
    pub fn new(origin: Option<String>, mounts: Vec<String>) -> Result<JsGateProxy, JsValue> {
        let origin = origin.filter(|o| !o.trim().is_empty()).map(|o| crate::gate::proxy::Origin::parse(&o)).transpose().map_err(gate_js)?;
        Ok(JsGateProxy { origin, mounts })
    }

    /// ORIGIN's `scheme://host[:port]`, or null.
    #[wasm_bindgen(getter)]
    pub fn origin(&self) -> Option<String> {
        self.origin.as_ref().map(crate::gate::proxy::Origin::origin)
    }

    /// The route of a request by its `request.url`, and the upstream URL for a proxied one:
    /// `[route, upstream, mount]` (three values: no JSON to write and parse on every request).
    /// A path the gate will not send anywhere throws `ERR_INVALID_ARGUMENT` with status 400.
    #[wasm_bindgen(unchecked_return_type = "GateRoute")]
    pub fn route(&self, url: &str) -> Result<JsValue, JsValue> {
        let target = crate::gate::proxy::target_in(url, &self.mounts).map_err(gate_js)?;
        let upstream = match (&self.origin, target.route) {
            (Some(origin), crate::gate::proxy::Route::Proxy) => Some(crate::gate::proxy::upstream(origin, &target).map_err(gate_js)?),
            _ => None,
        };
        let text = |s: Option<&str>| s.map_or(JsValue::NULL, JsValue::from_str);
        Ok(js_sys::Array::of3(&JsValue::from_str(target.route.as_str()), &text(upstream.as_deref()), &text(target.mount.as_deref())).into())
    }

    /// The header fields for the origin: the caller's, stripped, then `identity` (the
    /// `headers` of a `GateIdentity`) and the forwarding fields for a caller at `client`.
    #[wasm_bindgen(js_name = forwardHeaders, unchecked_return_type = "HeaderList")]
    pub fn forward_headers(
        &self,
        #[wasm_bindgen(unchecked_param_type = "HeaderList")] headers: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Record<string, string>")] identity: JsValue,
        url: &str,
        client: Option<String>,
    ) -> Result<JsValue, JsValue> {
        let identity: std::collections::BTreeMap<String, String> =
            serde_json::from_str(&json_text(&identity, "identity").map_err(gate_js)?).map_err(|_| gate_js(invalid("identity must map names to strings")))?;
        let identity: Vec<(String, String)> = identity.into_iter().collect();
        let gate = crate::gate::proxy::request_origin(url);
        let forwarding = crate::gate::proxy::Forwarding { client: client.as_deref(), gate: gate.as_deref() };
        to_plain(&crate::gate::proxy::request_headers(&header_list(&headers, "headers")?, &identity, forwarding))
    }

    /// The origin's response fields for the caller (private caching, `Location` rewritten).
    #[wasm_bindgen(js_name = responseHeaders, unchecked_return_type = "HeaderList")]
    pub fn response_headers(&self, #[wasm_bindgen(unchecked_param_type = "HeaderList")] headers: JsValue) -> Result<JsValue, JsValue> {
        let origin = self.origin.as_ref().ok_or_else(|| gate_js(invalid("no ORIGIN is set")))?;
        to_plain(&crate::gate::proxy::response_headers(&header_list(&headers, "headers")?, origin))
    }

    /// Throws unless a request that the session cookie authenticates is safe or same-origin
    /// (`csrf::check_cookie_request`): 403 `ERR_PERMISSION_DENIED`.
    #[wasm_bindgen(js_name = checkCookieRequest)]
    pub fn check_cookie_request(&self, method: &str, #[wasm_bindgen(unchecked_param_type = "HeaderList")] headers: JsValue, url: &str) -> Result<(), JsValue> {
        let gate = crate::gate::proxy::request_origin(url);
        crate::gate::csrf::check_cookie_request(method, &header_list(&headers, "headers")?, gate.as_deref()).map_err(gate_js)
    }

    /// Throws unless a login asking for the cookie is same-origin JSON (`csrf::check_cookie_login`).
    #[wasm_bindgen(js_name = checkCookieLogin)]
    pub fn check_cookie_login(&self, #[wasm_bindgen(unchecked_param_type = "HeaderList")] headers: JsValue, url: &str) -> Result<(), JsValue> {
        let gate = crate::gate::proxy::request_origin(url);
        crate::gate::csrf::check_cookie_login(&header_list(&headers, "headers")?, gate.as_deref()).map_err(gate_js)
    }
}

// Published keys (src/gate/publish.rs): the push endpoint's checks, run in the mount's Durable
// Object so the compare with the stored push and the write are one step.

/// The mount a `/.jwksgate/keys/<mount>` path names; throws `ERR_INVALID_ARGUMENT` (400).
#[wasm_bindgen(js_name = publishMount)]
pub fn publish_mount(path: &str) -> Result<String, JsValue> {
    crate::gate::publish::mount_of(path).map(str::to_owned).map_err(gate_js)
}

/// The largest push body the gate reads.
#[wasm_bindgen(js_name = publishMaxBody)]
pub fn publish_max_body() -> usize {
    crate::gate::publish::MAX_BODY_BYTES
}

/// A push checked (`publish::verify`: MAC, clock window, no rollback against `storedTimestamp`,
/// the body, the issuer equal to `boundIssuer`): the record to store. Throws with `status`.
#[wasm_bindgen(js_name = publishAccept)]
#[allow(clippy::too_many_arguments)]
pub fn publish_accept(
    secret: &str,
    method: &str,
    path: &str,
    timestamp: Option<String>,
    signature: Option<String>,
    #[wasm_bindgen(unchecked_param_type = "Uint8Array")] body: JsValue,
    now: f64,
    mount: &str,
    bound_issuer: &str,
    stored_timestamp: Option<f64>,
) -> Result<JsValue, JsValue> {
    use crate::gate::publish::{verify, Push};
    let body = body.dyn_ref::<Uint8Array>().map(Uint8Array::to_vec).ok_or_else(|| gate_js(invalid("the body must be a Uint8Array")))?;
    let push = Push { method, path, timestamp: timestamp.as_deref(), signature: signature.as_deref(), body: &body };
    let p = verify(secret.as_bytes(), &push, now.floor() as i64, mount, bound_issuer, stored_timestamp.map(|t| t as i64)).map_err(gate_js)?;
    to_plain(&p.to_json())
}

/// The operator's read of a mount's publish state (`publish::verify_read`), then what it may see
/// of `record` (null: nothing published): the last push's time, its issuer and key ids.
#[wasm_bindgen(js_name = publishState)]
#[allow(clippy::too_many_arguments)]
pub fn publish_state(secret: &str, method: &str, path: &str, timestamp: Option<String>, signature: Option<String>, now: f64, mount: &str, record: JsValue) -> Result<JsValue, JsValue> {
    use crate::gate::publish::{state, verify_read, Published, Push};
    let request = Push { method, path, timestamp: timestamp.as_deref(), signature: signature.as_deref(), body: &[] };
    verify_read(secret.as_bytes(), &request, now.floor() as i64, mount).map_err(gate_js)?;
    if record.is_null() || record.is_undefined() {
        return to_plain(&state(mount, None, now.floor() as i64));
    }
    let text = json_text(&record, "record").map_err(gate_js)?;
    let p = Published::from_json(&crate::json::parse(text.as_bytes()).map_err(|_| gate_js(Error::new(Code::ConfigInvalid, "the stored published keys are not JSON")))?).map_err(gate_js)?;
    to_plain(&state(mount, Some(&p), now.floor() as i64))
}
