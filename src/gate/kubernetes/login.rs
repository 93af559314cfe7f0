//! A Kubernetes login as a fixed sequence of named checks, in the order and words of
//! vault-plugin-auth-kubernetes path_login.go `pathLogin` (with `parseAndValidateJWT`, cap
//! v0.12.0's `validateAll` inside it, `getAliasName`, then the TokenReview of `lookup` and
//! `Review`) and Vault core's `LoginCreateToken`. One trace serves the login (its first failure
//! is the answer), the TokenReview request the host sends, and `explain`.

use crate::error::{Code, Error, Result};
use crate::gate::cidr;
use crate::gate::fields::quote;
use crate::gate::kubernetes::config::{Environment, KubeConfig, LocalKeys};
use crate::gate::kubernetes::review::{self, ReviewRequest};
use crate::gate::kubernetes::role::{list_contains_glob, parse_roles, AliasNameSource, KubeRole};
use crate::gate::login::{explanation_json, login_json, ExplainedCheck, Login, Now, Outcome};
use crate::gate::role::PERMISSION_DENIED;
use crate::gate::tokens::internal_policy;
use crate::gate::validator;
use crate::jwa::alg::Alg;
use crate::verifier::Verifier;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::net::IpAddr;

/// `allowedSigningAlgs` (path_login.go): the algorithms Kubernetes signs with; EdDSA and
/// `none` are refused.
pub const ALLOWED_ALGS: [&str; 9] = ["RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512"];

/// The checks of a Kubernetes login, in Vault's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KubeCheckId {
    /// `role` was sent.
    Role,
    /// `jwt` was sent.
    Jwt,
    /// The role exists.
    RoleExists,
    /// The caller is inside `token_bound_cidrs`.
    BoundCidrs,
    /// The token parses (and, with `pem_keys` or in local mode, a key verifies it).
    Signature,
    /// `alg` is one Kubernetes signs with.
    Algorithm,
    /// The registered claims have their types.
    RegisteredClaims,
    /// `iss` equals `issuer`, when checked.
    Issuer,
    /// `aud` holds the role's `audience`.
    Audience,
    /// `nbf`, `exp`, `iat` against the clock (skipped when none is present).
    TimeClaims,
    /// The claims decode into a ServiceAccount.
    ServiceAccount,
    /// The ServiceAccount's name is bound.
    Name,
    /// Its namespace is bound.
    Namespace,
    /// The alias name can be made.
    AliasName,
    /// The API server's TokenReview confirms the token.
    TokenReview,
    /// No internal policy.
    Policies,
}

/// Every check, in order.
pub const KUBE_CHECKS: [KubeCheckId; 16] = [
    KubeCheckId::Role,
    KubeCheckId::Jwt,
    KubeCheckId::RoleExists,
    KubeCheckId::BoundCidrs,
    KubeCheckId::Signature,
    KubeCheckId::Algorithm,
    KubeCheckId::RegisteredClaims,
    KubeCheckId::Issuer,
    KubeCheckId::Audience,
    KubeCheckId::TimeClaims,
    KubeCheckId::ServiceAccount,
    KubeCheckId::Name,
    KubeCheckId::Namespace,
    KubeCheckId::AliasName,
    KubeCheckId::TokenReview,
    KubeCheckId::Policies,
];

impl KubeCheckId {
    /// A stable name, for logs and scripts.
    pub const fn name(self) -> &'static str {
        match self {
            KubeCheckId::Role => "role",
            KubeCheckId::Jwt => "jwt",
            KubeCheckId::RoleExists => "role_exists",
            KubeCheckId::BoundCidrs => "bound_cidrs",
            KubeCheckId::Signature => "signature",
            KubeCheckId::Algorithm => "algorithm",
            KubeCheckId::RegisteredClaims => "registered_claims",
            KubeCheckId::Issuer => "issuer",
            KubeCheckId::Audience => "audience",
            KubeCheckId::TimeClaims => "time_claims",
            KubeCheckId::ServiceAccount => "service_account",
            KubeCheckId::Name => "service_account_name",
            KubeCheckId::Namespace => "service_account_namespace",
            KubeCheckId::AliasName => "alias_name",
            KubeCheckId::TokenReview => "token_review",
            KubeCheckId::Policies => "policies",
        }
    }

    /// The function whose rule this is.
    pub const fn source(self) -> &'static str {
        match self {
            KubeCheckId::Role | KubeCheckId::Jwt => "vault-plugin-auth-kubernetes path_login.go getFieldValueStr",
            KubeCheckId::RoleExists | KubeCheckId::BoundCidrs => "vault-plugin-auth-kubernetes path_login.go pathLogin",
            KubeCheckId::Signature => "vault-plugin-auth-kubernetes path_login.go parseAndValidateJWT (DontVerifySignature, or cap NewStaticKeySet for pem_keys)",
            KubeCheckId::Algorithm => "cap jwt/jwt.go validateSigningAlgorithm",
            KubeCheckId::RegisteredClaims | KubeCheckId::Issuer | KubeCheckId::TimeClaims => "cap jwt/jwt.go Validator.validateAll (ValidateAllowMissingIatNbfExp)",
            KubeCheckId::Audience => "cap jwt/jwt.go validateAudience",
            KubeCheckId::ServiceAccount => "vault-plugin-auth-kubernetes path_login.go parseAndValidateJWT (mapstructure.Decode)",
            KubeCheckId::Name | KubeCheckId::Namespace => "vault-plugin-auth-kubernetes path_login.go parseAndValidateJWT (strutil.StrListContainsGlob)",
            KubeCheckId::AliasName => "vault-plugin-auth-kubernetes path_login.go getAliasName",
            KubeCheckId::TokenReview => "vault-plugin-auth-kubernetes token_review.go Review, path_login.go serviceAccount.lookup",
            KubeCheckId::Policies => "vault/request_handling.go LoginCreateToken",
        }
    }
}

/// One check of a Kubernetes login.
#[derive(Clone, Debug, PartialEq)]
pub struct KubeCheck {
    /// Which check.
    pub id: KubeCheckId,
    /// How it came out.
    pub outcome: Outcome,
    /// When it failed: Vault's answer, word for word.
    pub error: Option<Error>,
    /// The HTTP status Vault answers the failure with (400, 403 or 500).
    pub status: u16,
    /// What was compared (claim values included: for `explain`, not for logs).
    pub detail: String,
    /// Why, for the log, where Vault's answer hides it (`permission denied`): never a claim value
    /// other than the ServiceAccount's namespace and name.
    pub log: Option<String>,
}

impl KubeCheck {
    /// The log line for a login refused here.
    pub fn log_line(&self, mount: &str, role: &str) -> String {
        let mut line = format!("login refused: mount {}: role {}: check {} failed", quote(mount), quote(role), quote(self.id.name()));
        if let Some(l) = &self.log {
            line.push_str(": ");
            line.push_str(l);
        }
        line
    }
}

/// The claims as `mapstructure.Decode` fills `serviceAccount`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServiceAccount {
    /// `kubernetes.io/serviceaccount/service-account.name` (legacy tokens).
    pub legacy_name: String,
    /// `kubernetes.io/serviceaccount/service-account.uid`.
    pub legacy_uid: String,
    /// `kubernetes.io/serviceaccount/secret.name`.
    pub secret_name: String,
    /// `kubernetes.io/serviceaccount/namespace`.
    pub legacy_namespace: String,
    /// `aud`.
    pub audience: Vec<String>,
    /// `kubernetes.io` (projected tokens): namespace, ServiceAccount name and UID.
    pub projected: Option<(String, Option<(String, String)>)>,
}

impl ServiceAccount {
    /// `name()`: the projected ServiceAccount's, else the legacy claim.
    pub fn name(&self) -> &str {
        match &self.projected {
            Some((_, Some((name, _)))) => name,
            _ => &self.legacy_name,
        }
    }

    /// `namespace()`: the projected one whenever `kubernetes.io` is present.
    pub fn namespace(&self) -> &str {
        match &self.projected {
            Some((ns, _)) => ns,
            None => &self.legacy_namespace,
        }
    }

    /// `uid()`, or its error.
    pub fn uid(&self) -> std::result::Result<&str, &'static str> {
        let uid = match &self.projected {
            Some((_, Some((_, uid)))) => uid.as_str(),
            _ => self.legacy_uid.as_str(),
        };
        if uid.is_empty() {
            Err("could not parse UID from claims")
        } else {
            Ok(uid)
        }
    }

    /// `mapstructure.Decode(claims, sa)` without weak typing: a field present with another type
    /// is an error (a string `aud` included: Kubernetes writes a list).
    pub fn decode(claims: &Map<String, Value>) -> std::result::Result<Self, String> {
        fn text(v: Option<&Value>, key: &str) -> std::result::Result<String, String> {
            match v {
                None | Some(Value::Null) => Ok(String::new()),
                Some(Value::String(s)) => Ok(s.clone()),
                Some(other) => Err(format!("'{key}' expected type 'string', got unconvertible type '{}'", go_kind(other))),
            }
        }
        fn map<'a>(v: Option<&'a Value>, key: &str) -> std::result::Result<Option<&'a Map<String, Value>>, String> {
            match v {
                None | Some(Value::Null) => Ok(None),
                Some(Value::Object(m)) => Ok(Some(m)),
                Some(other) => Err(format!("'{key}' expected a map, got '{}'", go_kind(other))),
            }
        }
        let mut sa = ServiceAccount {
            legacy_name: text(claims.get("kubernetes.io/serviceaccount/service-account.name"), "kubernetes.io/serviceaccount/service-account.name")?,
            legacy_uid: text(claims.get("kubernetes.io/serviceaccount/service-account.uid"), "kubernetes.io/serviceaccount/service-account.uid")?,
            secret_name: text(claims.get("kubernetes.io/serviceaccount/secret.name"), "kubernetes.io/serviceaccount/secret.name")?,
            legacy_namespace: text(claims.get("kubernetes.io/serviceaccount/namespace"), "kubernetes.io/serviceaccount/namespace")?,
            ..ServiceAccount::default()
        };
        sa.audience = match claims.get("aud") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(a)) => a.iter().enumerate().map(|(i, v)| text(Some(v), &format!("aud[{i}]"))).collect::<std::result::Result<_, _>>()?,
            Some(other) => return Err(format!("'aud': source data must be an array or slice, got {}", go_kind(other))),
        };
        if let Some(k) = map(claims.get("kubernetes.io"), "kubernetes.io")? {
            let namespace = text(k.get("namespace"), "kubernetes.io.namespace")?;
            map(k.get("pod"), "kubernetes.io.pod")?.map(|p| text(p.get("name"), "kubernetes.io.pod.name").and(text(p.get("uid"), "kubernetes.io.pod.uid"))).transpose()?;
            let account = match map(k.get("serviceaccount"), "kubernetes.io.serviceaccount")? {
                Some(s) => Some((text(s.get("name"), "kubernetes.io.serviceaccount.name")?, text(s.get("uid"), "kubernetes.io.serviceaccount.uid")?)),
                None => None,
            };
            sa.projected = Some((namespace, account));
        }
        Ok(sa)
    }
}

/// A list as the details show it: `["a", "b"]`, each quoted as Go's `%q` (no Debug formatting,
/// which would bring its Unicode tables into the gate's wasm).
fn shown(l: &[String]) -> String {
    format!("[{}]", l.iter().map(|s| quote(s)).collect::<Vec<_>>().join(", "))
}

fn go_kind(v: &Value) -> &'static str {
    match v {
        Value::Bool(_) => "bool",
        Value::Number(_) => "float64",
        Value::String(_) => "string",
        Value::Array(_) => "slice",
        Value::Object(_) => "map",
        Value::Null => "nil",
    }
}

/// What the API server's answer to the review is, for [`KubeMount::explain`].
#[derive(Clone, Copy, Debug)]
pub enum Answer<'a> {
    /// Not asked (the host asks it next, or `explain` without the cluster).
    NotAsked,
    /// The HTTP status and body of the API server's answer.
    Given(u16, &'a [u8]),
}

/// A successful Kubernetes login.
#[derive(Clone, Debug, PartialEq)]
pub struct KubeLogin {
    /// The login as sessions take it (alias, policies, metadata, lifetimes).
    pub login: Login,
    /// The alias's metadata (`Auth.Alias.Metadata`): the metadata without `role`.
    pub alias_metadata: BTreeMap<String, String>,
    /// `DisplayName` as the plugin sets it, `<namespace>-<name>` (core puts the mount first).
    pub display_name: String,
}

impl KubeLogin {
    /// The session for this login at `mount` (whose `binding` it carries), issued at `now` with the host's random `id`; its
    /// display name is `<mount>-<namespace>-<name>`, as core prefixes the plugin's.
    pub fn session(&self, mount: &str, binding: &str, id: &str, now: i64) -> crate::gate::session::Session {
        let mut s = crate::gate::session::Session::from_login(&self.login, mount, binding, id, now);
        s.dn = Some(self.display_name.clone());
        s
    }
}

/// Every check of one login, the review to ask for, and the login when none failed.
#[derive(Clone, Debug)]
pub struct KubeExplanation {
    /// The role as looked up (lower-cased).
    pub role: String,
    /// Every check in [`KUBE_CHECKS`] order.
    pub checks: Vec<KubeCheck>,
    /// The TokenReview to send, once every check before it passed.
    pub review: Option<ReviewRequest>,
    /// The login, when every check passed (TokenReview answered, or local verification).
    pub login: Option<KubeLogin>,
}

impl KubeExplanation {
    /// The first failed check: the one Vault answers with.
    pub fn failure(&self) -> Option<&KubeCheck> {
        self.checks.iter().find(|c| c.outcome == Outcome::Failed)
    }

    /// The explanation as JSON, in the shape of the JWT method's (`Explanation::to_json`), with
    /// `"method": "kubernetes"`, the review's state and, once allowed, the alias metadata.
    pub fn to_json(&self) -> Value {
        let review = self.checks.iter().find(|c| c.id == KubeCheckId::TokenReview).map(|c| c.outcome);
        let token_review = match (review, &self.review) {
            (Some(Outcome::Passed), _) => "confirmed",
            (Some(Outcome::Failed), _) => "refused",
            (Some(Outcome::Skipped), None) => "not used (local_verification)",
            (_, Some(_)) => "not asked",
            _ => "not reached",
        };
        let login = self.login.as_ref().map(|k| {
            let mut l = login_json(&k.login);
            l.insert("alias_metadata".into(), serde_json::json!(k.alias_metadata));
            l.insert("display_name".into(), k.display_name.clone().into());
            l
        });
        let mut out = explanation_json(&self.role, &self.checks, login);
        out.insert("method".into(), "kubernetes".into());
        out.insert("token_review".into(), token_review.into());
        Value::Object(out)
    }
}

impl ExplainedCheck for KubeCheck {
    fn name(&self) -> &'static str {
        self.id.name()
    }
    fn outcome(&self) -> Outcome {
        self.outcome
    }
    fn detail(&self) -> &str {
        &self.detail
    }
    fn error(&self) -> Option<&Error> {
        self.error.as_ref()
    }
    fn status(&self) -> Option<u16> {
        Some(self.status)
    }
    fn source(&self) -> &'static str {
        self.id.source()
    }
}

#[derive(Default)]
struct Trace {
    checks: Vec<KubeCheck>,
}

impl Trace {
    fn push(&mut self, id: KubeCheckId, outcome: Outcome, error: Option<(Error, u16)>, detail: String, log: Option<String>) {
        let (error, status) = error.map_or((None, 0), |(e, s)| (Some(e), s));
        self.checks.push(KubeCheck { id, outcome, error, status, detail, log });
    }
    fn pass(&mut self, id: KubeCheckId, detail: String) {
        self.push(id, Outcome::Passed, None, detail, None);
    }
    fn skip(&mut self, id: KubeCheckId, detail: &str) {
        self.push(id, Outcome::Skipped, None, detail.to_owned(), None);
    }
    /// A failure answered with `message` and `status`; `log` says why when the answer does not.
    fn fail(&mut self, id: KubeCheckId, code: Code, status: u16, message: &str, detail: String, log: Option<String>) {
        self.push(id, Outcome::Failed, Some((Error::new(code, message), status)), detail, log);
    }
    fn finish(mut self) -> Vec<KubeCheck> {
        for id in KUBE_CHECKS.iter().skip(self.checks.len()) {
            self.checks.push(KubeCheck { id: *id, outcome: Outcome::NotReached, error: None, status: 0, detail: String::new(), log: None });
        }
        self.checks
    }
}

/// One Kubernetes mount: its path, configuration and roles, and the keys that verify
/// signatures locally (`pem_keys`, or the issuer's in local mode).
#[derive(Clone, Debug)]
pub struct KubeMount {
    /// The mount path.
    pub path: String,
    /// Its configuration, defaults applied.
    pub config: KubeConfig,
    /// Its roles by (lower-cased) name.
    pub roles: BTreeMap<String, KubeRole>,
    /// What Vault would have warned about when the roles were written.
    pub warnings: Vec<String>,
    verifier: Option<Verifier>,
}

fn static_verifier(pems: &[String]) -> Result<Option<Verifier>> {
    if pems.is_empty() {
        return Ok(None);
    }
    let keys = pems
        .iter()
        .map(|p| crate::import_public_key_pem(p).and_then(|m| crate::Jwk::from_object(&m)))
        .collect::<Result<Vec<_>>>()?;
    Ok(Some(Verifier::any_kid(crate::Jwks::from_keys(keys)?)))
}

impl KubeMount {
    /// The mount at `path` from its `config` and `roles` (`{"name": {...}}`), read with `env`.
    pub fn new(path: &str, config: &Map<String, Value>, roles: &Value, env: &Environment) -> Result<Self> {
        let config = KubeConfig::from_value(path, config, env)?;
        let (roles, warnings) = parse_roles(roles, config.local.is_some()).map_err(|e| Error::new(Code::ConfigInvalid, format!("AUTH_CONFIG: mount {}: {}", quote(path), e.message())))?;
        if let Some(d) = config.default_role.as_ref().filter(|d| !roles.contains_key(*d)) {
            return Err(Error::new(Code::ConfigInvalid, format!("AUTH_CONFIG: mount {}: default_role {} is not a role", quote(path), quote(d))));
        }
        let verifier = static_verifier(&config.pem_keys)?;
        Ok(KubeMount { path: path.to_owned(), config, roles, warnings, verifier })
    }

    /// Installs the issuer's key set (local mode with `oidc_discovery_url` or `jwks_url`).
    pub fn set_keys(&mut self, verifier: Verifier) -> Result<()> {
        match self.config.local {
            Some(LocalKeys::Discovery(_) | LocalKeys::JwksUrl(_)) => {
                self.verifier = Some(verifier);
                Ok(())
            }
            _ => Err(Error::new(Code::ConfigInvalid, "this mount's keys are its pem_keys")),
        }
    }

    /// What binds this mount's sessions (`session::MountTrust`): its path; the API server it
    /// asks (TokenReview), or in local mode its keys' source; the `pem_keys` a signature must
    /// also verify by; the CA its TLS is pinned to (`kubernetes_ca_cert` or the pod's, which also
    /// pins local mode's key URL at the API server); its checked `issuer`; and `session_epoch`.
    /// The reviewer's token is left out: it is the gate's credential, not whose answer is trusted.
    pub fn binding(&self) -> String {
        let c = &self.config;
        let mut source = match &c.local {
            None => format!("kubernetes tokenreview {}", c.kubernetes_host),
            Some(LocalKeys::Pem) => "kubernetes local".to_owned(),
            Some(LocalKeys::Discovery(u)) => format!("kubernetes oidc_discovery_url {u}"),
            Some(LocalKeys::JwksUrl(u)) => format!("kubernetes jwks_url {u}"),
        };
        if !c.pem_keys.is_empty() {
            source = format!("{source} pem_keys {}", c.pem_keys.join("\n"));
        }
        crate::gate::session::MountTrust { path: &self.path, key_source: &source, ca_pem: c.kubernetes_ca_cert.as_deref(), bound_issuer: c.checked_issuer(), epoch: &c.session_epoch }.binding()
    }

    /// Whether the keys a login needs are in place.
    pub fn has_keys(&self) -> bool {
        self.verifier.is_some() || (self.config.local.is_none() && self.config.pem_keys.is_empty())
    }

    /// Every check of a login of `jwt` at `role` from `remote` at `now`, with the API server's
    /// `answer` to the review. Without an answer (and outside local mode) the trace stops at the
    /// review and carries the request to send.
    pub fn explain(&self, role: &str, jwt: &str, remote: Option<IpAddr>, now: impl Into<Now>, answer: Answer<'_>) -> KubeExplanation {
        let now = now.into().0;
        let mut t = Trace::default();
        let role_name = crate::gate::fields::go_lower(role);
        let done = |t: Trace, review: Option<ReviewRequest>, login: Option<KubeLogin>| KubeExplanation { role: role_name.clone(), checks: t.finish(), review, login };
        // pathLogin: getFieldValueStr("role"), getFieldValueStr("jwt"), b.role().
        if role.is_empty() {
            t.fail(KubeCheckId::Role, Code::LoginRefused, 400, "missing role", "the request names no role".into(), None);
            return done(t, None, None);
        }
        t.pass(KubeCheckId::Role, format!("role {}", quote(role)));
        if jwt.is_empty() {
            t.fail(KubeCheckId::Jwt, Code::LoginRefused, 400, "missing jwt", "the request has no jwt".into(), None);
            return done(t, None, None);
        }
        t.pass(KubeCheckId::Jwt, format!("a token of {} bytes", jwt.len()));
        let Some(r) = self.roles.get(&role_name) else {
            let roles = self.roles.keys().map(|r| quote(r)).collect::<Vec<_>>().join(", ");
            t.fail(KubeCheckId::RoleExists, Code::LoginRefused, 400, &format!("invalid role name {}", quote(role)), format!("roles: {roles}"), None);
            return done(t, None, None);
        };
        t.pass(KubeCheckId::RoleExists, format!("role {}", quote(&r.name)));
        if r.token.bound_cidrs.is_empty() {
            t.skip(KubeCheckId::BoundCidrs, "the role binds no CIDR");
        } else {
            let blocks = r.token.bound_cidrs.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
            let from = remote.map_or_else(|| "an unknown address".to_owned(), |ip| ip.to_string());
            if cidr::remote_addr_is_ok(remote, &r.token.bound_cidrs) {
                t.pass(KubeCheckId::BoundCidrs, format!("{from} is inside {blocks}"));
            } else {
                t.fail(KubeCheckId::BoundCidrs, Code::PermissionDenied, 403, PERMISSION_DENIED, format!("{from} is outside {blocks}"), Some("the caller is outside token_bound_cidrs".into()));
                return done(t, None, None);
            }
        }
        let Some((sa, claims)) = self.validate(&mut t, r, jwt, now) else { return done(t, None, None) };

        // getAliasName runs before the review.
        let alias = match (r.alias_name_source, sa.uid()) {
            (AliasNameSource::Uid, Ok(uid)) => Ok(uid.to_owned()),
            (AliasNameSource::Uid, Err(e)) => Err(e),
            (AliasNameSource::Name, _) if sa.namespace().is_empty() || sa.name().is_empty() => Err("service account namespace and name must be set"),
            (AliasNameSource::Name, _) => Ok(format!("{}/{}", sa.namespace(), sa.name())),
        };
        let alias = match alias {
            Ok(a) => {
                t.pass(KubeCheckId::AliasName, format!("alias {} ({})", quote(&a), r.alias_name_source.as_str()));
                a
            }
            Err(e) => {
                t.fail(KubeCheckId::AliasName, Code::ConfigInvalid, 500, e, format!("alias_name_source {}", r.alias_name_source.as_str()), Some(e.to_owned()));
                return done(t, None, None);
            }
        };

        // lookup: the review asks for the role's audience, else the token's own.
        let wanted: Vec<String> = match &r.audience {
            Some(a) => vec![a.clone()],
            None => sa.audience.clone(),
        };
        let mut request = None;
        if self.config.local.is_some() {
            t.skip(KubeCheckId::TokenReview, "local_verification: the API server is not asked; a deleted pod or secret, or a recreated ServiceAccount, goes unseen until the token expires");
        } else {
            let bearer = self.config.token_reviewer_jwt.as_deref().unwrap_or(jwt);
            let req = review::request(&self.config.review_url(), jwt, &wanted, bearer);
            match answer {
                Answer::NotAsked => {
                    let whose = if self.config.token_reviewer_jwt.is_some() { "the reviewer's token" } else { "the client's own token" };
                    let detail = format!("TokenReview was not asked: POST {} for audiences {}, with {whose} as bearer", req.url, shown(&wanted));
                    t.skip(KubeCheckId::TokenReview, &detail);
                    return done(t, Some(req), None);
                }
                Answer::Given(status, body) => {
                    let checked = review::check_answer(status, body, &wanted).and_then(|rv| {
                        let uid = sa.uid().map_err(str::to_owned)?;
                        review::compare(&rv, sa.name(), uid, sa.namespace())
                    });
                    match checked {
                        Ok(()) => t.pass(KubeCheckId::TokenReview, format!("the API server confirmed system:serviceaccount:{}:{}", sa.namespace(), sa.name())),
                        Err(why) => {
                            t.fail(KubeCheckId::TokenReview, Code::PermissionDenied, 403, PERMISSION_DENIED, why.clone(), Some(why));
                            return done(t, Some(req), None);
                        }
                    }
                    request = Some(req);
                }
            }
        }

        let policies = r.token.token_policies();
        if let Some(e) = internal_policy(&policies) {
            let message = e.message().to_owned();
            t.fail(KubeCheckId::Policies, Code::LoginRefused, 400, &message, "the role grants an internal policy".into(), None);
            return done(t, request, None);
        }
        t.pass(KubeCheckId::Policies, policies.join(", "));
        let login = self.make_login(r, &sa, alias, policies, claims);
        done(t, request, Some(login))
    }

    /// `parseAndValidateJWT`: cap's `validateAll` (signature or parse, algorithm, registered
    /// claims, issuer, audience, times), the claims decoded, then the name and namespace.
    fn validate(&self, t: &mut Trace, r: &KubeRole, jwt: &str, now: f64) -> Option<(ServiceAccount, Map<String, Value>)> {
        let forbidden = |t: &mut Trace, id: KubeCheckId, code: Code, message: &str, detail: String| {
            t.fail(id, code, 403, message, detail, Some(message.to_owned()));
        };
        let local = self.config.local.is_some();
        let (alg, claims) = match &self.verifier {
            Some(v) => {
                let signed = validator::verify_signature(jwt, v);
                match (signed.error, signed.claims) {
                    (None, Some(c)) => {
                        t.pass(KubeCheckId::Signature, format!("verified by {}", if v.ignores_kid() { "pem_keys" } else { "the issuer's JWKS" }));
                        (signed.alg.unwrap_or_default(), c)
                    }
                    (e, _) => {
                        let why = e.map_or_else(|| "error verifying token signature".to_owned(), |e| e.message().to_owned());
                        t.fail(KubeCheckId::Signature, Code::PermissionDenied, 403, PERMISSION_DENIED, why.clone(), Some(why));
                        return None;
                    }
                }
            }
            None if local => {
                t.fail(KubeCheckId::Signature, Code::JwksInvalid, 503, "no keys are loaded", "local_verification has no keys yet".into(), None);
                return None;
            }
            None => match parse_unverified(jwt) {
                Ok((alg, c)) => {
                    t.pass(KubeCheckId::Signature, "not verified here (no pem_keys): the API server's TokenReview is the authority".into());
                    (alg, c)
                }
                Err(why) => {
                    t.fail(KubeCheckId::Signature, Code::PermissionDenied, 403, PERMISSION_DENIED, why.clone(), Some(why));
                    return None;
                }
            },
        };
        let allowed: Vec<Alg> = ALLOWED_ALGS.iter().filter_map(|n| Alg::from_name(n)).collect();
        match validator::check_algorithm(&alg, &allowed) {
            Ok(()) => t.pass(KubeCheckId::Algorithm, format!("{} is one Kubernetes signs with", quote(&alg))),
            Err(msg) => {
                forbidden(t, KubeCheckId::Algorithm, Code::AlgNotAllowed, &format!("invalid algorithm (alg) header parameter: {}", msg.trim_start_matches("invalid algorithm (alg) header parameter: ")), format!("alg {}", quote(&alg)));
                return None;
            }
        }
        // Go's encoding/json reads a key like "Exp" into `exp`: the gate refuses such a token.
        if let Some((key, name)) = validator::claim_collision(&claims) {
            let msg = validator::collision_message(&key, name);
            forbidden(t, KubeCheckId::RegisteredClaims, Code::ClaimValidationFailed, &msg, msg.clone());
            return None;
        }
        let (reg, decode_error) = validator::decode_registered(&claims);
        if let Some((_, msg)) = decode_error {
            forbidden(t, KubeCheckId::RegisteredClaims, Code::ClaimValidationFailed, &msg, msg.clone());
            return None;
        }
        t.pass(KubeCheckId::RegisteredClaims, "iss, sub, jti are strings; aud a string or list of strings; exp, nbf, iat numbers".into());
        match self.config.checked_issuer() {
            None => t.skip(KubeCheckId::Issuer, "disable_iss_validation is true, or no issuer is set (the plugin then checks none)"),
            Some(want) if want == reg.iss => t.pass(KubeCheckId::Issuer, format!("iss is {}", quote(want))),
            Some(want) => {
                forbidden(t, KubeCheckId::Issuer, Code::ClaimValidationFailed, "invalid issuer (iss) claim", format!("issuer is {}, iss is {}", quote(want), quote(&reg.iss)));
                return None;
            }
        }
        match &r.audience {
            None => t.skip(KubeCheckId::Audience, "the role has no audience (TokenReview is asked for the token's own)"),
            Some(a) if reg.aud.contains(a) => t.pass(KubeCheckId::Audience, format!("aud holds {}", quote(a))),
            Some(a) => {
                let msg = "invalid audience (aud) claim: audience claim does not match any expected audience";
                forbidden(t, KubeCheckId::Audience, Code::ClaimValidationFailed, msg, format!("aud {} does not hold {}", shown(&reg.aud), quote(a)));
                return None;
            }
        }
        if !time_checks(t, &reg, now, local) {
            return None;
        }
        let sa = match ServiceAccount::decode(&claims) {
            Ok(sa) => {
                t.pass(KubeCheckId::ServiceAccount, format!("namespace {}, name {}", quote(sa.namespace()), quote(sa.name())));
                sa
            }
            Err(e) => {
                let msg = format!("1 error(s) decoding:\n\n* {e}");
                t.fail(KubeCheckId::ServiceAccount, Code::ClaimValidationFailed, 500, &msg, e.clone(), Some(e));
                return None;
            }
        };
        if r.names.len() > 1 || r.names.first().map(String::as_str) != Some("*") {
            if list_contains_glob(&r.names, sa.name()) {
                t.pass(KubeCheckId::Name, format!("{} matches {}", quote(sa.name()), shown(&r.names)));
            } else {
                forbidden(t, KubeCheckId::Name, Code::LoginRefused, "service account name not authorized", format!("{} matches none of {}", quote(sa.name()), shown(&r.names)));
                return None;
            }
        } else {
            t.pass(KubeCheckId::Name, "any name (\"*\")".into());
        }
        if r.namespaces.first().map(String::as_str) == Some("*") || list_contains_glob(&r.namespaces, sa.namespace()) {
            t.pass(KubeCheckId::Namespace, format!("{} matches {}", quote(sa.namespace()), shown(&r.namespaces)));
        } else {
            forbidden(t, KubeCheckId::Namespace, Code::LoginRefused, "namespace not authorized", format!("{} matches none of {}", quote(sa.namespace()), shown(&r.namespaces)));
            return None;
        }
        Some((sa, claims))
    }

    fn make_login(&self, r: &KubeRole, sa: &ServiceAccount, alias: String, policies: Vec<String>, claims: Map<String, Value>) -> KubeLogin {
        let uid = sa.uid().unwrap_or_default().to_owned();
        let mut alias_metadata = BTreeMap::new();
        alias_metadata.insert("service_account_uid".to_owned(), uid);
        alias_metadata.insert("service_account_name".to_owned(), sa.name().to_owned());
        alias_metadata.insert("service_account_namespace".to_owned(), sa.namespace().to_owned());
        alias_metadata.insert("service_account_secret_name".to_owned(), sa.secret_name.clone());
        let mut metadata = alias_metadata.clone();
        metadata.insert("role".to_owned(), r.name.clone());
        let lease = r.token.lease();
        let (ttl, warnings) = lease.calculate_ttl(0, 0, 0).unwrap_or((0, Vec::new()));
        let login = Login {
            role: r.name.clone(),
            alias,
            groups: Vec::new(),
            policies,
            metadata,
            ttl,
            bound_cidrs: r.token.bound_cidrs.iter().map(ToString::to_string).collect(),
            explicit_max_ttl: r.token.explicit_max_ttl,
            period: r.token.period,
            num_uses: r.token.num_uses,
            max_lifetime: lease.max_valid_time(0).map(|t| t.max(0) as u64),
            warnings,
            claims,
        };
        KubeLogin { login, alias_metadata, display_name: format!("{}-{}", sa.namespace(), sa.name()) }
    }

    /// The login, or the first failure (its check, for the status and the log line).
    pub fn login(&self, role: &str, jwt: &str, remote: Option<IpAddr>, now: impl Into<Now>, answer: Answer<'_>) -> std::result::Result<KubeLogin, KubeCheck> {
        let e = self.explain(role, jwt, remote, now, answer);
        if let Some(c) = e.failure() {
            return Err(c.clone());
        }
        e.login.ok_or_else(|| KubeCheck {
            id: KubeCheckId::TokenReview,
            outcome: Outcome::Failed,
            error: Some(Error::new(Code::PermissionDenied, PERMISSION_DENIED)),
            status: 403,
            detail: "TokenReview was not asked".into(),
            log: Some("TokenReview was not asked".into()),
        })
    }
}

/// cap's time checks under `ValidateAllowMissingIatNbfExp`: none when the token has no time
/// claim at all (a legacy Secret token), except in local mode, where nothing else would ever
/// end such a token.
fn time_checks(t: &mut Trace, reg: &validator::Registered, now: f64, local: bool) -> bool {
    let fail = |t: &mut Trace, code: Code, msg: &str, detail: String| t.fail(KubeCheckId::TimeClaims, code, 403, msg, detail, Some(msg.to_owned()));
    let skew = crate::gate::role::DEFAULT_CLOCK_SKEW_LEEWAY;
    let leeway = crate::gate::role::DEFAULT_CLAIM_LEEWAY;
    if local && reg.exp == 0 {
        fail(t, Code::ClaimValidationFailed, "the token has no expiration time (exp): local_verification takes none", "no exp".into());
        return false;
    }
    let Some(times) = validator::effective_times(reg, leeway, leeway) else {
        t.skip(KubeCheckId::TimeClaims, "no iat, nbf or exp (a legacy Secret token): the plugin checks no time");
        return true;
    };
    let detail = format!("nbf {}, exp {}, iat {}, clock skew {skew} s; now {now}", times.nbf, times.exp, times.iat);
    if validator::not_yet_valid(now, skew, times.nbf) {
        fail(t, Code::ClaimValidationFailed, validator::NOT_YET_VALID, detail);
        false
    } else if validator::expired(now, skew, times.exp) {
        fail(t, Code::JwtExpired, validator::EXPIRED, detail);
        false
    } else if validator::issued_in_future(now, skew, times.iat) {
        fail(t, Code::ClaimValidationFailed, validator::ISSUED_IN_FUTURE, detail);
        false
    } else {
        t.pass(KubeCheckId::TimeClaims, detail);
        true
    }
}

/// `DontVerifySignature.VerifySignature`: go-jose's `ParseSigned` with the nine algorithms, then
/// the claims without verification. The error in cap's words.
fn parse_unverified(jwt: &str) -> std::result::Result<(String, Map<String, Value>), String> {
    let fail = |d: &str| format!("error verifying token signature: {d}");
    let max = crate::claims::DEFAULT_MAX_TOKEN_BYTES;
    let compact = crate::jws::Compact::parse(jwt, max).map_err(|e| fail(if jwt.matches('.').count() != 2 { "go-jose/go-jose: compact JWS format must have three parts" } else { e.message() }))?;
    let alg = compact.header.get("alg").and_then(Value::as_str).unwrap_or_default().to_owned();
    if !ALLOWED_ALGS.contains(&alg.as_str()) {
        let expected: Vec<String> = ALLOWED_ALGS.iter().map(|a| quote(a)).collect();
        return Err(fail(&format!("go-jose/go-jose: unexpected signature algorithm {}; expected [{}]", quote(&alg), expected.join(" "))));
    }
    let unverified = crate::verifier::decode_unverified(jwt, max).map_err(|e| fail(e.message()))?;
    Ok((alg, unverified.payload))
}
