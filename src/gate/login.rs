//! Vault's JWT login as a fixed sequence of named checks, in the order and the words of
//! vault-plugin-auth-jwt's `pathLogin` (with cap's `validateAll` inside it, `createIdentity`,
//! `validateBoundClaims`) and of Vault core's `handleLoginRequest` and `LoginCreateToken`. The
//! same trace serves `login` (its first failure is the verdict) and `explain` (every check shown),
//! so the two cannot disagree.

use crate::error::{Code, Error, Reason, Result};
use crate::gate::cidr;
use crate::gate::claims::{self, bound_claims_failure, extract_metadata, get_claim};
use crate::gate::fields::{go_lower, quote};
use crate::gate::role::{parse_roles, AuthConfig, Role, RoleType, PERMISSION_DENIED};
use crate::gate::validator::{self, Registered};
use crate::verifier::Verifier;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::net::IpAddr;

/// The current time for a login, in seconds since the epoch, with its fraction: Vault compares
/// claims against a clock with nanoseconds, so a whole second would move every boundary.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
pub struct Now(pub f64);

impl From<i64> for Now {
    fn from(secs: i64) -> Self {
        Now(secs as f64)
    }
}

impl From<f64> for Now {
    fn from(secs: f64) -> Self {
        Now(secs)
    }
}

impl Now {
    /// Whole seconds (for the session's `iat`).
    pub fn secs(self) -> i64 {
        self.0.floor() as i64
    }
}

/// The checks of a login, in Vault's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CheckId {
    /// The role named, or `default_role`, exists.
    Role,
    /// The role is not an `oidc` role.
    RoleType,
    /// A token was sent.
    Token,
    /// The caller is inside `token_bound_cidrs`.
    BoundCidrs,
    /// A key of the set verifies the signature.
    Signature,
    /// No claim is named like a registered one under case folding.
    ClaimNames,
    /// The token's `alg` is in `jwt_supported_algs`.
    Algorithm,
    /// The registered claims have their types.
    RegisteredClaims,
    /// `iss` equals `bound_issuer`.
    Issuer,
    /// `sub` equals `bound_subject`.
    Subject,
    /// `aud` holds one of `bound_audiences`.
    Audience,
    /// The token has at least one of `iat`, `nbf`, `exp`.
    TimeClaims,
    /// `nbf` (or the one made up) is not in the future, with `clock_skew_leeway`.
    NotBefore,
    /// `exp` (or the one made up) is not in the past, with `clock_skew_leeway`.
    Expiration,
    /// `iat` is not in the future, with `clock_skew_leeway`.
    IssuedAt,
    /// A role that binds no audience takes no token with one.
    AudienceUnbound,
    /// `user_claim` is present and a string.
    UserClaim,
    /// Each mapped claim present is a string.
    ClaimMappings,
    /// `groups_claim` is present and a list of strings.
    GroupsClaim,
    /// Every `bound_claims` entry matches.
    BoundClaims,
    /// The entity alias has a name.
    AliasName,
    /// The session's lifetime (never fails; Vault's warnings when capped).
    TokenTtl,
    /// No `root` (or other internal) policy.
    Policies,
}

/// Every check, in order.
pub const CHECKS: [CheckId; 23] = [
    CheckId::Role,
    CheckId::RoleType,
    CheckId::Token,
    CheckId::BoundCidrs,
    CheckId::Signature,
    CheckId::ClaimNames,
    CheckId::Algorithm,
    CheckId::RegisteredClaims,
    CheckId::Issuer,
    CheckId::Subject,
    CheckId::Audience,
    CheckId::TimeClaims,
    CheckId::NotBefore,
    CheckId::Expiration,
    CheckId::IssuedAt,
    CheckId::AudienceUnbound,
    CheckId::UserClaim,
    CheckId::ClaimMappings,
    CheckId::GroupsClaim,
    CheckId::BoundClaims,
    CheckId::AliasName,
    CheckId::TokenTtl,
    CheckId::Policies,
];

impl CheckId {
    /// A stable name, for logs and scripts.
    pub const fn name(self) -> &'static str {
        match self {
            CheckId::Role => "role",
            CheckId::RoleType => "role_type",
            CheckId::Token => "token",
            CheckId::BoundCidrs => "bound_cidrs",
            CheckId::Signature => "signature",
            CheckId::ClaimNames => "claim_names",
            CheckId::Algorithm => "algorithm",
            CheckId::RegisteredClaims => "registered_claims",
            CheckId::Issuer => "issuer",
            CheckId::Subject => "subject",
            CheckId::Audience => "audience",
            CheckId::TimeClaims => "time_claims",
            CheckId::NotBefore => "not_before",
            CheckId::Expiration => "expiration",
            CheckId::IssuedAt => "issued_at",
            CheckId::AudienceUnbound => "audience_unbound",
            CheckId::UserClaim => "user_claim",
            CheckId::ClaimMappings => "claim_mappings",
            CheckId::GroupsClaim => "groups_claim",
            CheckId::BoundClaims => "bound_claims",
            CheckId::AliasName => "alias_name",
            CheckId::TokenTtl => "token_ttl",
            CheckId::Policies => "policies",
        }
    }

    /// The Vault or cap function whose rule this is.
    pub const fn source(self) -> &'static str {
        match self {
            CheckId::Role => "vault-plugin-auth-jwt path_login.go getRoleNameAndRoleFromLoginRequest",
            CheckId::RoleType | CheckId::Token | CheckId::BoundCidrs | CheckId::AudienceUnbound => "vault-plugin-auth-jwt path_login.go pathLogin",
            CheckId::Signature => "cap jwt/jwt.go Validator.validateAll (KeySet.VerifySignature)",
            CheckId::ClaimNames => "cap jwt/jwt.go checkRegisteredClaimCollisions",
            CheckId::Algorithm => "cap jwt/jwt.go validateSigningAlgorithm",
            CheckId::RegisteredClaims => "cap jwt/jwt.go Validator.validateAll (json.Unmarshal into jwt.Claims)",
            CheckId::Issuer | CheckId::Subject | CheckId::TimeClaims | CheckId::NotBefore | CheckId::Expiration | CheckId::IssuedAt => {
                "cap jwt/jwt.go Validator.validateAll"
            }
            CheckId::Audience => "cap jwt/jwt.go validateAudience",
            CheckId::UserClaim | CheckId::GroupsClaim => "vault-plugin-auth-jwt path_login.go createIdentity",
            CheckId::ClaimMappings => "vault-plugin-auth-jwt claims.go extractMetadata",
            CheckId::BoundClaims => "vault-plugin-auth-jwt claims.go validateBoundClaims",
            CheckId::AliasName => "vault/request_handling.go handleLoginRequest",
            CheckId::TokenTtl => "sdk/framework/lease.go CalculateTTL",
            CheckId::Policies => "vault/request_handling.go LoginCreateToken",
        }
    }
}

/// How a check came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// It passed.
    Passed,
    /// It failed; the first failure is the login's answer.
    Failed,
    /// The role does not ask for it (no CIDRs, no groups claim, ...).
    Skipped,
    /// An earlier failure left nothing to check it on.
    NotReached,
}

impl Outcome {
    /// A stable name, for scripts: `passed`, `failed`, `skipped`, `not_reached`.
    pub const fn name(self) -> &'static str {
        match self {
            Outcome::Passed => "passed",
            Outcome::Failed => "failed",
            Outcome::Skipped => "skipped",
            Outcome::NotReached => "not_reached",
        }
    }
}

/// One check of a login.
#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    /// Which check.
    pub id: CheckId,
    /// How it came out.
    pub outcome: Outcome,
    /// When it failed: Vault's answer, word for word, with a stable code.
    pub error: Option<Error>,
    /// The claim it reads (a name or a JSON pointer), never its value.
    pub claim: Option<String>,
    /// What was compared, with the effective windows and the values seen: for `explain`, not
    /// for logs (it can hold claim values).
    pub detail: String,
    /// The only values a log may carry: the configured and the token's issuer on a mismatch.
    pub log_note: Option<String>,
    /// Evaluated on claims whose signature did not verify (after a failed signature check).
    pub unverified: bool,
}

impl Check {
    /// The log line for a login refused here: the check and the claim, never a claim's value.
    pub fn log_line(&self, role: &str) -> String {
        let mut line = format!("login refused: role {}: check {} failed", quote(role), quote(self.id.name()));
        if let Some(c) = &self.claim {
            line.push_str(&format!(" on claim {}", quote(c)));
        }
        if let Some(n) = &self.log_note {
            line.push_str(": ");
            line.push_str(n);
        }
        line
    }
}

/// A successful login: who logged in, under which role, with what.
#[derive(Clone, Debug, PartialEq)]
pub struct Login {
    /// The role's name (lower-cased).
    pub role: String,
    /// The user claim's value: the entity alias name.
    pub alias: String,
    /// Group names from `groups_claim`, empty strings dropped.
    pub groups: Vec<String>,
    /// Policies for the session (see [`Role::policies`]).
    pub policies: Vec<String>,
    /// `role` plus the claim mappings.
    pub metadata: BTreeMap<String, String>,
    /// Session lifetime in seconds (see [`Role::lease`]).
    pub ttl: u64,
    /// The role's `token_bound_cidrs`, as Vault prints them, for the session to carry.
    pub bound_cidrs: Vec<String>,
    /// The role's `token_explicit_max_ttl`, shown by lookup.
    pub explicit_max_ttl: u64,
    /// The role's `token_period`, shown by lookup.
    pub period: u64,
    /// The role's `token_num_uses` (0: no limit).
    pub num_uses: u64,
    /// How long the session may live, renewals included (CalculateTTL's `maxValidTime` less the
    /// issue time); none for a periodic token without `token_explicit_max_ttl`.
    pub max_lifetime: Option<u64>,
    /// What Vault puts in the response's `warnings` (a capped TTL).
    pub warnings: Vec<String>,
    /// The verified claims.
    pub claims: Map<String, Value>,
}

/// Every check of one login, and the login when none failed.
#[derive(Clone, Debug)]
pub struct Explanation {
    /// The role as looked up (lower-cased, or `default_role`).
    pub role: String,
    /// Every check in [`CHECKS`] order.
    pub checks: Vec<Check>,
    /// The login, when no check failed.
    pub login: Option<Login>,
}

impl Explanation {
    /// The first failed check: the one Vault answers with.
    pub fn failure(&self) -> Option<&Check> {
        self.checks.iter().find(|c| c.outcome == Outcome::Failed)
    }

    /// The explanation as JSON, one shape for the command's `--json` and the inspector's panel:
    /// `{"allowed", "role", "checks": [{"check", "outcome", "claim", "detail", "error", "unverified",
    /// "source"}], "failure": {"check", "message"}, "login"}`. It carries claim values (the details):
    /// for the person asking, never for a log.
    pub fn to_json(&self) -> Value {
        Value::Object(explanation_json(&self.role, &self.checks, self.login.as_ref().map(login_json)))
    }

    /// The login, or the first failure's error.
    pub fn into_result(self) -> Result<Login> {
        if let Some(e) = self.failure().and_then(|c| c.error.clone()) {
            return Err(e);
        }
        self.login.ok_or_else(|| Error::new(Code::LoginRefused, "login refused"))
    }
}

/// A check as `explain --json` writes it, for either method ([`Check`], the Kubernetes
/// method's `KubeCheck`): what each has of `{"check", "outcome", "claim", "detail", "error",
/// "unverified", "source"}`.
pub(crate) trait ExplainedCheck {
    /// Its name.
    fn name(&self) -> &'static str;
    /// How it came out.
    fn outcome(&self) -> Outcome;
    /// The claim it reads, if one.
    fn claim(&self) -> Option<&str> {
        None
    }
    /// What was compared.
    fn detail(&self) -> &str;
    /// Vault's answer when it failed.
    fn error(&self) -> Option<&Error>;
    /// The HTTP status of that answer, where the method tells it (the Kubernetes method's 400,
    /// 403 or 500).
    fn status(&self) -> Option<u16> {
        None
    }
    /// Evaluated on claims whose signature did not verify.
    fn unverified(&self) -> bool {
        false
    }
    /// The upstream function it follows.
    fn source(&self) -> &'static str;
}

impl ExplainedCheck for Check {
    fn name(&self) -> &'static str {
        self.id.name()
    }
    fn outcome(&self) -> Outcome {
        self.outcome
    }
    fn claim(&self) -> Option<&str> {
        self.claim.as_deref()
    }
    fn detail(&self) -> &str {
        &self.detail
    }
    fn error(&self) -> Option<&Error> {
        self.error.as_ref()
    }
    fn unverified(&self) -> bool {
        self.unverified
    }
    fn source(&self) -> &'static str {
        self.id.source()
    }
}

/// The explanation both methods print: `{"allowed", "role", "checks", "failure", "login"}`,
/// `allowed` when there is a login; the first failed check is the `failure`, as Vault answers
/// with it.
pub(crate) fn explanation_json<C: ExplainedCheck>(role: &str, checks: &[C], login: Option<Map<String, Value>>) -> Map<String, Value> {
    let check = |c: &C| {
        let mut error = c.error().map(|e| serde_json::json!({ "code": e.code().as_str(), "message": e.message() }));
        if let (Some(Value::Object(o)), Some(status)) = (error.as_mut(), c.status()) {
            o.insert("status".into(), status.into());
        }
        serde_json::json!({
            "check": c.name(), "outcome": c.outcome().name(), "claim": c.claim(), "detail": c.detail(),
            "error": error, "unverified": c.unverified(), "source": c.source(),
        })
    };
    let failure = checks.iter().find(|c| c.outcome() == Outcome::Failed).map(|c| serde_json::json!({ "check": c.name(), "message": c.error().map(Error::message) }));
    let mut out = Map::new();
    out.insert("allowed".into(), login.is_some().into());
    out.insert("role".into(), role.into());
    out.insert("checks".into(), checks.iter().map(check).collect());
    out.insert("failure".into(), failure.unwrap_or(Value::Null));
    out.insert("login".into(), login.map_or(Value::Null, Value::Object));
    out
}

/// A login as `explain --json` writes it, for either method (the Kubernetes method adds its
/// alias metadata and display name).
pub(crate) fn login_json(l: &Login) -> Map<String, Value> {
    use serde_json::json;
    [
        ("role", json!(l.role)), ("alias", json!(l.alias)), ("groups", json!(l.groups)), ("policies", json!(l.policies)),
        ("metadata", json!(l.metadata)), ("ttl", json!(l.ttl)), ("warnings", json!(l.warnings)), ("bound_cidrs", json!(l.bound_cidrs)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// The checks of one login as they run. Details (what was compared, with the values seen) are
/// written only when `detailed`: an explanation shows them, a login's verdict never reads them
/// (its refusal is the check's error, name, claim and log note), and writing them on every
/// login cost a tenth of the gate's own work (bench/RESULTS.md).
#[derive(Default)]
struct Trace {
    checks: Vec<Check>,
    unverified: bool,
    detailed: bool,
}

/// The mount's key set, or why the signature check fails without one.
fn loaded(verifier: Option<&Verifier>) -> Result<&Verifier> {
    verifier.ok_or_else(|| Error::new(Code::JwksInvalid, "no keys are loaded"))
}

fn refused(message: impl Into<String>) -> Error {
    Error::new(Code::LoginRefused, message)
}

fn token_err(code: Code, message: &str, claim: &str, reason: Reason) -> Error {
    Error::claim(code, format!("error validating token: {message}"), claim, reason)
}

impl Trace {
    fn detailed() -> Self {
        Trace { detailed: true, ..Trace::default() }
    }
    fn push(&mut self, id: CheckId, outcome: Outcome, error: Option<Error>, claim: Option<&str>, detail: impl FnOnce() -> String) {
        let unverified = self.unverified;
        let detail = if self.detailed { detail() } else { String::new() };
        self.checks.push(Check { id, outcome, error, claim: claim.map(str::to_owned), detail, log_note: None, unverified });
    }
    fn pass(&mut self, id: CheckId, claim: Option<&str>, detail: impl FnOnce() -> String) {
        self.push(id, Outcome::Passed, None, claim, detail);
    }
    fn skip(&mut self, id: CheckId, detail: &str) {
        self.push(id, Outcome::Skipped, None, None, || detail.to_owned());
    }
    fn fail(&mut self, id: CheckId, error: Error, claim: Option<&str>, detail: impl FnOnce() -> String) {
        self.push(id, Outcome::Failed, Some(error), claim, detail);
    }
    fn not_reached(&mut self, id: CheckId) {
        self.push(id, Outcome::NotReached, None, None, String::new);
    }
    fn failed(&self) -> bool {
        self.checks.iter().any(|c| c.outcome == Outcome::Failed)
    }
    /// Marks every check not yet recorded as not reached.
    fn finish(mut self) -> Vec<Check> {
        let done = self.checks.len();
        for id in CHECKS.iter().skip(done) {
            self.checks.push(Check { id: *id, outcome: Outcome::NotReached, error: None, claim: None, detail: String::new(), log_note: None, unverified: false });
        }
        self.checks
    }
}

/// Every role of a deployment, with the shared configuration.
#[derive(Clone, Debug)]
pub struct Gate {
    /// Shared configuration.
    pub config: AuthConfig,
    /// Roles by (lower-cased) name.
    pub roles: BTreeMap<String, Role>,
    /// What Vault would have warned about when these roles were written.
    pub warnings: Vec<String>,
}

impl Gate {
    /// Parses the roles (`{"name": {role parameters}, ...}`); every role is checked now, so a bad
    /// one stops the deployment instead of failing later at a login. A `default_role` must be
    /// one of them.
    pub fn new(config: AuthConfig, roles_json: &[u8]) -> Result<Self> {
        let (roles, warnings) = parse_roles(roles_json)?;
        if let Some(d) = &config.default_role {
            if !roles.contains_key(d) {
                return Err(Error::new(Code::ConfigInvalid, format!("default_role {} is not a role", quote(d))));
            }
        }
        Ok(Gate { config, roles, warnings })
    }

    /// The role a login asks for: the request's `role` lower-cased, else `default_role`.
    pub fn role_name(&self, requested: &str) -> String {
        let name = go_lower(requested);
        if name.is_empty() {
            self.config.default_role.clone().unwrap_or_default()
        } else {
            name
        }
    }

    fn prelude<'g>(&'g self, t: &mut Trace, role_name: &str, token: &str, remote: Option<IpAddr>) -> Option<&'g Role> {
        let Some(role) = (!role_name.is_empty()).then(|| self.roles.get(role_name)).flatten() else {
            let message = if role_name.is_empty() { "missing role".to_owned() } else { format!("role {} could not be found", quote(role_name)) };
            t.fail(CheckId::Role, refused(message), None, || format!("roles: {}", self.roles.keys().map(|r| quote(r)).collect::<Vec<_>>().join(", ")));
            return None;
        };
        t.pass(CheckId::Role, None, || format!("role {}", quote(&role.name)));
        if role.role_type == RoleType::Oidc {
            t.fail(CheckId::RoleType, refused("role with oidc role_type is not allowed"), None, || "role_type is oidc".into());
        } else {
            t.pass(CheckId::RoleType, None, || "role_type is jwt".into());
        }
        if token.is_empty() {
            t.fail(CheckId::Token, refused("missing token"), None, || "the request has no jwt".into());
            return None;
        }
        t.pass(CheckId::Token, None, || format!("a token of {} bytes", token.len()));
        if role.token_bound_cidrs.is_empty() {
            t.skip(CheckId::BoundCidrs, "the role binds no CIDR");
        } else {
            let blocks = || role.token_bound_cidrs.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
            let from = || remote.map_or_else(|| "an unknown address".to_owned(), |ip| ip.to_string());
            if cidr::remote_addr_is_ok(remote, &role.token_bound_cidrs) {
                t.pass(CheckId::BoundCidrs, None, || format!("{} is inside {}", from(), blocks()));
            } else {
                t.fail(CheckId::BoundCidrs, Error::new(Code::PermissionDenied, PERMISSION_DENIED), None, || format!("{} is outside {}", from(), blocks()));
            }
        }
        Some(role)
    }

    /// The checks that need no keys (role, `role_type`, token, CIDRs), so a host can answer
    /// them, in Vault's order, before it fetches keys: the failed one, if any.
    pub fn precheck(&self, requested_role: &str, token: &str, remote: Option<IpAddr>) -> Option<Check> {
        let mut t = Trace::default();
        self.prelude(&mut t, &self.role_name(requested_role), token, remote);
        t.checks.into_iter().find(|c| c.outcome == Outcome::Failed)
    }

    /// Every check of a login of `token` against `requested_role` (empty for `default_role`)
    /// from `remote` at `now`, with the login when all pass. Checks after a failure still run
    /// where they can (on unverified claims after a failed signature, marked so), so an
    /// explanation shows every problem; the verdict is the first failure, as in Vault.
    pub fn explain(&self, requested_role: &str, token: &str, verifier: Option<&Verifier>, remote: Option<IpAddr>, now: impl Into<Now>) -> Explanation {
        let keys = loaded(verifier);
        self.explain_with(requested_role, token, keys, remote, now)
    }

    /// [`Gate::explain`] with the keys, or why there are none to use: that error fails the
    /// signature check (the inspector's panel: keys fetched for another issuer than the one the
    /// config or the token names, `documents::explain_keys`).
    pub fn explain_with(&self, requested_role: &str, token: &str, keys: Result<&Verifier>, remote: Option<IpAddr>, now: impl Into<Now>) -> Explanation {
        self.run(requested_role, token, keys, remote, now.into(), Trace::detailed())
    }

    /// [`Gate::explain`] without the checks' details (each `detail` empty): the same checks in
    /// the same order, the same verdict, errors, claims and log notes. What a login needs.
    pub fn verdict(&self, requested_role: &str, token: &str, verifier: Option<&Verifier>, remote: Option<IpAddr>, now: impl Into<Now>) -> Explanation {
        let keys = loaded(verifier);
        self.run(requested_role, token, keys, remote, now.into(), Trace::default())
    }

    fn run(&self, requested_role: &str, token: &str, keys: Result<&Verifier>, remote: Option<IpAddr>, now: Now, mut t: Trace) -> Explanation {
        let now = now.0;
        let role_name = self.role_name(requested_role);
        let done = |t: Trace, login: Option<Login>, role: &str| Explanation { role: role.to_owned(), checks: t.finish(), login };
        let Some(role) = self.prelude(&mut t, &role_name, token, remote) else { return done(t, None, &role_name) };
        let verifier = match keys {
            Ok(v) => v,
            Err(e) => {
                t.fail(CheckId::Signature, e, None, || "no key set".into());
                return done(t, None, &role_name);
            }
        };

        // cap's validateAll.
        let signed = validator::verify_signature(token, verifier);
        let kind = if verifier.ignores_kid() { "static keys (every key tried)" } else { "a JWKS (keys by kid)" };
        match signed.error {
            None => t.pass(CheckId::Signature, None, || format!("verified by {kind}")),
            Some(e) => {
                let message = format!("error validating token: {}", e.message());
                t.fail(CheckId::Signature, Error::new(e.code(), message), None, || format!("no key of {kind} verified the token"));
                t.unverified = true;
            }
        }
        let Some(claims) = signed.claims else { return done(t, None, &role_name) };
        match validator::claim_collision(&claims) {
            Some((key, name)) => {
                let msg = validator::collision_message(&key, name);
                t.fail(CheckId::ClaimNames, token_err(Code::ClaimValidationFailed, &msg, name, Reason::Invalid), Some(name), || msg.clone());
            }
            None => t.pass(CheckId::ClaimNames, None, || "no claim name folds onto a registered one".into()),
        }
        let alg = signed.alg.unwrap_or_default();
        let allowed = || self.config.jwt_supported_algs.iter().map(|a| a.name()).collect::<Vec<_>>().join(", ");
        match validator::check_algorithm(&alg, &self.config.jwt_supported_algs) {
            Ok(()) => t.pass(CheckId::Algorithm, None, || format!("{} is in jwt_supported_algs ({})", quote(&alg), allowed())),
            Err(msg) => t.fail(CheckId::Algorithm, Error::new(Code::AlgNotAllowed, format!("error validating token: {msg}")), None, || format!("{} is not in jwt_supported_algs ({})", quote(&alg), allowed())),
        }
        let (reg, decode_error) = validator::decode_registered(&claims);
        match decode_error {
            Some((claim, msg)) => t.fail(CheckId::RegisteredClaims, token_err(Code::ClaimValidationFailed, &msg, claim, Reason::Invalid), Some(claim), || msg.clone()),
            None => t.pass(CheckId::RegisteredClaims, None, || "iss, sub, jti are strings; aud a string or list of strings; exp, nbf, iat numbers".into()),
        }
        self.registered_checks(&mut t, role, &reg, &claims, now);

        let identity = identity_checks(&mut t, role, &claims);
        if t.failed() {
            return done(t, None, &role_name);
        }
        let login = identity.map(|id| make_login(role, id, claims));
        done(t, login, &role_name)
    }

    /// `iss`, `sub`, `aud`, the time claims, then `pathLogin`'s audience rule.
    fn registered_checks(&self, t: &mut Trace, role: &Role, reg: &Registered, claims: &Map<String, Value>, now: f64) {
        match &self.config.bound_issuer {
            None => t.skip(CheckId::Issuer, "no bound_issuer"),
            Some(want) if *want == reg.iss => t.pass(CheckId::Issuer, Some("iss"), || format!("iss is {}", quote(want))),
            Some(want) => {
                let note = format!("bound_issuer is {}, the token's iss is {}", quote(want), quote(&reg.iss));
                t.fail(CheckId::Issuer, token_err(Code::ClaimValidationFailed, "invalid issuer (iss) claim", "iss", Reason::CheckFailed), Some("iss"), || note.clone());
                if let Some(c) = t.checks.last_mut() {
                    c.log_note = Some(note);
                }
            }
        }
        match &role.bound_subject {
            None => t.skip(CheckId::Subject, "no bound_subject"),
            Some(want) if *want == reg.sub => t.pass(CheckId::Subject, Some("sub"), || format!("sub is {}", quote(want))),
            Some(want) => t.fail(
                CheckId::Subject,
                token_err(Code::ClaimValidationFailed, "invalid subject (sub) claim", "sub", Reason::CheckFailed),
                Some("sub"),
                || format!("bound_subject is {}, sub is {}", quote(want), quote(&reg.sub)),
            ),
        }
        let shown = |l: &[String]| l.iter().map(|a| quote(a)).collect::<Vec<_>>().join(", ");
        if role.bound_audiences.is_empty() {
            t.skip(CheckId::Audience, "no bound_audiences");
        } else if role.bound_audiences.iter().any(|b| reg.aud.contains(b)) {
            t.pass(CheckId::Audience, Some("aud"), || format!("aud [{}] holds one of bound_audiences [{}]", shown(&reg.aud), shown(&role.bound_audiences)));
        } else {
            t.fail(
                CheckId::Audience,
                token_err(Code::ClaimValidationFailed, "invalid audience (aud) claim: audience claim does not match any expected audience", "aud", Reason::CheckFailed),
                Some("aud"),
                || format!("aud [{}] holds none of bound_audiences [{}]", shown(&reg.aud), shown(&role.bound_audiences)),
            );
        }

        let (skew, exp_leeway, nbf_leeway) = role.leeways();
        match validator::effective_times(reg, exp_leeway, nbf_leeway) {
            None => {
                t.fail(CheckId::TimeClaims, token_err(Code::ClaimValidationFailed, validator::NO_TIME_CLAIMS, "exp", Reason::Missing), None, || "the token has none of iat, nbf, exp".into());
                for id in [CheckId::NotBefore, CheckId::Expiration, CheckId::IssuedAt] {
                    t.not_reached(id);
                }
            }
            Some(times) => {
                t.pass(CheckId::TimeClaims, None, || format!("iat {}, nbf {}, exp {}", reg.iat, reg.nbf, reg.exp));
                let made = |derived: bool, how: String| if derived { format!(" (made up: {how})") } else { String::new() };
                let nbf_how = || if reg.iat != 0 { "iat".to_owned() } else { format!("exp - not_before_leeway {nbf_leeway} s") };
                let nbf_detail = || format!("nbf {}{}; refused while now + clock_skew_leeway {skew} s < nbf; now {now}", times.nbf, made(times.nbf_derived, nbf_how()));
                if validator::not_yet_valid(now, skew, times.nbf) {
                    t.fail(CheckId::NotBefore, token_err(Code::ClaimValidationFailed, validator::NOT_YET_VALID, "nbf", Reason::CheckFailed), Some("nbf"), nbf_detail);
                } else {
                    t.pass(CheckId::NotBefore, Some("nbf"), nbf_detail);
                }
                let exp_detail = || format!(
                    "exp {}{}; refused once now - clock_skew_leeway {skew} s > exp; now {now}",
                    times.exp,
                    made(times.exp_derived, format!("max(iat, nbf) + expiration_leeway {exp_leeway} s"))
                );
                if validator::expired(now, skew, times.exp) {
                    t.fail(CheckId::Expiration, token_err(Code::JwtExpired, validator::EXPIRED, "exp", Reason::CheckFailed), Some("exp"), exp_detail);
                } else {
                    t.pass(CheckId::Expiration, Some("exp"), exp_detail);
                }
                let iat_detail = || format!("iat {}; refused while now + clock_skew_leeway {skew} s < iat; now {now}", times.iat);
                if validator::issued_in_future(now, skew, times.iat) {
                    t.fail(CheckId::IssuedAt, token_err(Code::ClaimValidationFailed, validator::ISSUED_IN_FUTURE, "iat", Reason::CheckFailed), Some("iat"), iat_detail);
                } else {
                    t.pass(CheckId::IssuedAt, Some("iat"), iat_detail);
                }
            }
        }
        if !role.bound_audiences.is_empty() {
            t.skip(CheckId::AudienceUnbound, "the role binds audiences");
        } else {
            // pathLogin reads the raw claim: a non-empty list or a non-empty string is refused.
            let carries = match claims.get("aud") {
                Some(Value::Array(a)) => !a.is_empty(),
                Some(Value::String(s)) => !s.is_empty(),
                _ => false,
            };
            if carries {
                t.fail(
                    CheckId::AudienceUnbound,
                    Error::claim(Code::ClaimValidationFailed, "audience claim found in JWT but no audiences bound to the role", "aud", Reason::Invalid),
                    Some("aud"),
                    || "the token carries aud and the role binds no audience".into(),
                );
            } else {
                t.pass(CheckId::AudienceUnbound, Some("aud"), || "no aud, and none bound".into());
            }
        }
    }

    /// Vault's login of `token` against `requested_role` (empty for `default_role`): the first
    /// failed check of [`Gate::explain`] is the answer. `remote` is the caller's address; `now`
    /// is seconds since the epoch (whole, or with a fraction).
    pub fn login(&self, requested_role: &str, token: &str, verifier: &Verifier, remote: Option<IpAddr>, now: impl Into<Now>) -> Result<Login> {
        self.verdict(requested_role, token, Some(verifier), remote, now).into_result()
    }

    /// Whether a token that named a key the set lacks may make the host refetch the set (and so
    /// maybe write its cache): only one that could verify once the key is there. It must parse,
    /// name a `kid` and an algorithm of `jwt_supported_algs`, carry a signature of that
    /// algorithm's size (RSA 2048 to 8192 bits, P-256 64 bytes, P-384 96, P-521 132, Ed25519
    /// 64), and name this mount's `bound_issuer` when it has one. An unsigned or malformed token,
    /// or one of another issuer, is refused with the keys at hand.
    pub fn may_refetch_for(&self, token: &str) -> bool {
        use crate::jwa::alg::Alg;
        let Ok(u) = crate::verifier::decode_unverified(token, crate::claims::DEFAULT_MAX_TOKEN_BYTES) else { return false };
        let Some(alg) = u.header.get("alg").and_then(Value::as_str).and_then(Alg::from_name) else { return false };
        if !self.config.jwt_supported_algs.contains(&alg) || !u.header.get("kid").is_some_and(Value::is_string) {
            return false;
        }
        let Some(sig) = crate::b64::decode(u.signature.as_bytes()) else { return false };
        let sized = match alg.kty() {
            "RSA" => (crate::jwa::rsa::MIN_BITS / 8..=crate::jwa::rsa::MAX_BITS / 8).contains(&sig.len()),
            _ => match alg.crv() {
                Some("P-256") | Some("Ed25519") => sig.len() == 64,
                Some("P-384") => sig.len() == 96,
                Some("P-521") => sig.len() == 132,
                _ => false,
            },
        };
        let issuer = match &self.config.bound_issuer {
            Some(b) => u.payload.get("iss").and_then(Value::as_str) == Some(b.as_str()),
            None => true,
        };
        sized && issuer
    }

    /// A token presented as `Authorization: Bearer` on a proxied path: a login to `role` (Vault's
    /// every check), then the role's token limits as if that login had made a Vault token at the
    /// token's `iat` and it were never renewed ([`bearer_lease`]). Errors are
    /// `ERR_PERMISSION_DENIED` for the limits, the login's otherwise.
    pub fn authorize_bearer(&self, requested_role: &str, token: &str, verifier: &Verifier, remote: Option<IpAddr>, now: impl Into<Now>) -> Result<Login> {
        let now = now.into();
        let login = self.login(requested_role, token, verifier, remote, now)?;
        let role = self.roles.get(&login.role).ok_or_else(|| Error::new(Code::PermissionDenied, PERMISSION_DENIED))?;
        bearer_lease(role, login.claims.get("iat"), now)?;
        Ok(login)
    }
}

/// The role's token limits for a Bearer token, which the gate sees on every request and never
/// stores: the token's `iat` starts a lease of `CalculateTTL(0, token_ttl, token_period,
/// token_max_ttl, token_explicit_max_ttl)` seconds (the TTL a Vault token made at `iat` gets, as
/// [`Role::calculate_ttl`] computes it, capped by the maximums), and the token is refused from
/// `iat + ttl` on, as an unrenewed Vault token expires then. A role with `token_num_uses` refuses
/// Bearer whole: uses are counted per token, and a token sent on every request has no store
/// to count in; log in for a session instead. A token without `iat` starts no lease: refused.
pub fn bearer_lease(role: &Role, iat: Option<&Value>, now: Now) -> Result<()> {
    let refuse = |why: String| Err(Error::new(Code::PermissionDenied, format!("a Bearer token is refused for role {}: {why}", quote(&role.name))));
    if role.token_num_uses > 0 {
        return refuse("it sets token_num_uses, which only a session can count (log in and use its token)".into());
    }
    let Some(iat) = iat.and_then(Value::as_f64).filter(|t| t.is_finite()) else {
        return refuse("the token has no iat to start its lease from".into());
    };
    let start = iat.floor() as i64;
    let (ttl, _) = role.calculate_ttl(0, start, start)?;
    let end = start.saturating_add(i64::try_from(ttl).unwrap_or(i64::MAX));
    if now.0 >= end as f64 {
        return refuse(format!("its lease from iat ended after {ttl}s (the role's token_ttl, capped by token_max_ttl and token_explicit_max_ttl)"));
    }
    Ok(())
}

type Identity = (String, Vec<String>, BTreeMap<String, String>, Vec<String>);

/// `createIdentity` (user claim, claim mappings, groups), `validateBoundClaims`, then core's
/// alias name and `LoginCreateToken` (TTL, policies).
fn identity_checks(t: &mut Trace, role: &Role, claims: &Map<String, Value>) -> Option<Identity> {
    let uc = role.user_claim.as_str();
    let user = if role.user_claim_json_pointer { get_claim(claims, uc) } else { claims.get(uc).filter(|v| !v.is_null()) };
    let alias = match user {
        None => {
            t.fail(CheckId::UserClaim, Error::claim(Code::LoginRefused, format!("claim {} not found in token", quote(uc)), uc, Reason::Missing), Some(uc), || "absent".into());
            None
        }
        Some(Value::String(s)) => {
            t.pass(CheckId::UserClaim, Some(uc), || format!("alias {}", quote(s)));
            Some(s.clone())
        }
        Some(_) => {
            t.fail(CheckId::UserClaim, Error::claim(Code::LoginRefused, format!("claim {} could not be converted to string", quote(uc)), uc, Reason::Invalid), Some(uc), || "not a string".into());
            None
        }
    };
    let mut metadata = match extract_metadata(&role.claim_mappings, claims) {
        Ok(m) => {
            if role.claim_mappings.is_empty() {
                t.skip(CheckId::ClaimMappings, "no claim_mappings");
            } else {
                t.pass(CheckId::ClaimMappings, None, || format!("{} mapped", m.len()));
            }
            m
        }
        Err((claim, e)) => {
            t.fail(CheckId::ClaimMappings, e, Some(&claim), || "a mapped claim is not a string".into());
            BTreeMap::new()
        }
    };
    metadata.insert("role".into(), role.name.clone());
    let groups = match &role.groups_claim {
        None => {
            t.skip(CheckId::GroupsClaim, "no groups_claim");
            Vec::new()
        }
        Some(gc) => match claims::groups(gc, claims) {
            Ok(g) => {
                t.pass(CheckId::GroupsClaim, Some(gc), || format!("{} groups", g.len()));
                g
            }
            Err(e) => {
                t.fail(CheckId::GroupsClaim, e, Some(gc), || "not a list of strings".into());
                Vec::new()
            }
        },
    };
    if role.bound_claims.is_empty() {
        t.skip(CheckId::BoundClaims, "no bound_claims");
    } else {
        match bound_claims_failure(role.bound_claims_type, &role.bound_claims, claims) {
            None => t.pass(CheckId::BoundClaims, None, || format!("{} bound claims match", role.bound_claims.len())),
            Some((claim, message)) => t.fail(
                CheckId::BoundClaims,
                Error::claim(Code::LoginRefused, format!("error validating claims: {message}"), &claim, Reason::CheckFailed),
                Some(&claim),
                || message.clone(),
            ),
        }
    }
    match &alias {
        // Vault's core answers 500 here (vault#31808); the gate answers 400 with its words.
        Some(a) if a.is_empty() => t.fail(CheckId::AliasName, refused("missing name in alias"), Some(uc), || "the user claim is an empty string".into()),
        Some(_) => t.pass(CheckId::AliasName, Some(uc), || "the alias has a name".into()),
        None => t.skip(CheckId::AliasName, "no alias"),
    }
    let (ttl, warnings) = role.lease();
    t.pass(CheckId::TokenTtl, None, || format!("{ttl} s{}", if warnings.is_empty() { String::new() } else { format!(" ({})", warnings.join("; ")) }));
    let policies = role.policies();
    let internal = policies.iter().find(|p| matches!(p.as_str(), "root" | "response-wrapping" | "control-group"));
    match internal {
        Some(p) if p == "root" => t.fail(CheckId::Policies, refused("auth methods cannot create root tokens"), None, || "the role grants root".into()),
        Some(p) => t.fail(CheckId::Policies, refused(format!("cannot assign policy {}", quote(p))), None, || format!("the role grants {}", quote(p))),
        None => t.pass(CheckId::Policies, None, || policies.join(", ")),
    }
    alias.map(|a| (a, groups, metadata, policies))
}

/// The identity checks alone, on claims already verified: user claim, claim mappings, groups,
/// bound claims, alias name, TTL and policies. For tests and fuzzing of the claim rules.
pub fn evaluate(role: &Role, claims: Map<String, Value>) -> Result<Login> {
    let mut t = Trace::default();
    let identity = identity_checks(&mut t, role, &claims);
    if let Some(e) = t.checks.iter().find(|c| c.outcome == Outcome::Failed).and_then(|c| c.error.clone()) {
        return Err(e);
    }
    identity.map(|id| make_login(role, id, claims)).ok_or_else(|| refused("login refused"))
}

/// The login of a role whose checks all passed.
fn make_login(role: &Role, (alias, groups, metadata, policies): Identity, claims: Map<String, Value>) -> Login {
    let (ttl, warnings) = role.lease();
    Login {
        role: role.name.clone(),
        alias,
        groups,
        policies,
        metadata,
        ttl,
        bound_cidrs: role.token_bound_cidrs.iter().map(ToString::to_string).collect(),
        explicit_max_ttl: role.token_explicit_max_ttl,
        period: role.token_period,
        num_uses: role.token_num_uses,
        max_lifetime: role.max_valid_time(0).map(|t| t.max(0) as u64),
        warnings,
        claims,
    }
}
