//! Errors as values, each with a stable code string shared with the `jose` npm package
//! (`src/util/errors.ts` there), so callers can switch libraries without rewriting handlers.

use std::string::{String, ToString};
use core::fmt;

/// What went wrong, as a stable code. The string forms are `jose`'s where they overlap.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Code {
    /// The token is not a well-formed JWT (bad segments, base64url or JSON, or a payload that is not an object).
    JwtInvalid,
    /// The JWS is not well formed (bad header, `crit`, or signature encoding).
    JwsInvalid,
    /// The token's `alg` is not in the caller's allowlist (`none` and HMAC never are).
    AlgNotAllowed,
    /// An algorithm, key type or header extension this library does not implement.
    NotSupported,
    /// A JWK is malformed, of the wrong size, or unusable.
    JwkInvalid,
    /// The JWKS is malformed or has no usable key.
    JwksInvalid,
    /// No key in the set fits the token's header.
    JwksNoMatchingKey,
    /// The signature does not verify. Deliberately says nothing about why.
    SignatureVerificationFailed,
    /// The token has expired (`exp`), or is older than `maxTokenAge`.
    JwtExpired,
    /// A claim is missing, malformed, or not what the caller expects.
    ClaimValidationFailed,
    /// A caller-supplied option or input is malformed (not from the token).
    InvalidArgument,
    /// A role or policy configuration is invalid.
    ConfigInvalid,
    /// A login was refused by a role's rules.
    LoginRefused,
    /// The caller may not use this role or session from where it is (`token_bound_cidrs`).
    PermissionDenied,
    /// A session token is malformed, forged, or expired.
    SessionInvalid,
    /// An OpenID Connect discovery document is malformed or names another issuer.
    DiscoveryInvalid,
}

impl Code {
    /// The stable string form, e.g. `ERR_JWT_EXPIRED`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Code::JwtInvalid => "ERR_JWT_INVALID",
            Code::JwsInvalid => "ERR_JWS_INVALID",
            Code::AlgNotAllowed => "ERR_JOSE_ALG_NOT_ALLOWED",
            Code::NotSupported => "ERR_JOSE_NOT_SUPPORTED",
            Code::JwkInvalid => "ERR_JWK_INVALID",
            Code::JwksInvalid => "ERR_JWKS_INVALID",
            Code::JwksNoMatchingKey => "ERR_JWKS_NO_MATCHING_KEY",
            Code::SignatureVerificationFailed => "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
            Code::JwtExpired => "ERR_JWT_EXPIRED",
            Code::ClaimValidationFailed => "ERR_JWT_CLAIM_VALIDATION_FAILED",
            Code::InvalidArgument => "ERR_INVALID_ARGUMENT",
            Code::ConfigInvalid => "ERR_CONFIG_INVALID",
            Code::LoginRefused => "ERR_LOGIN_REFUSED",
            Code::PermissionDenied => "ERR_PERMISSION_DENIED",
            Code::SessionInvalid => "ERR_SESSION_INVALID",
            Code::DiscoveryInvalid => "ERR_DISCOVERY_INVALID",
        }
    }

    /// The name of the matching `jose` error class, used as the JS `Error.name`.
    pub const fn name(self) -> &'static str {
        match self {
            Code::JwtInvalid => "JWTInvalid",
            Code::JwsInvalid => "JWSInvalid",
            Code::AlgNotAllowed => "JOSEAlgNotAllowed",
            Code::NotSupported => "JOSENotSupported",
            Code::JwkInvalid => "JWKInvalid",
            Code::JwksInvalid => "JWKSInvalid",
            Code::JwksNoMatchingKey => "JWKSNoMatchingKey",
            Code::SignatureVerificationFailed => "JWSSignatureVerificationFailed",
            Code::JwtExpired => "JWTExpired",
            Code::ClaimValidationFailed => "JWTClaimValidationFailed",
            Code::InvalidArgument => "TypeError",
            Code::ConfigInvalid => "ConfigInvalid",
            Code::LoginRefused => "LoginRefused",
            Code::PermissionDenied => "PermissionDenied",
            Code::SessionInvalid => "SessionInvalid",
            Code::DiscoveryInvalid => "DiscoveryInvalid",
        }
    }
}

/// Why a claim check failed (`jose`'s `reason`).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Reason {
    /// A required claim is absent.
    Missing,
    /// The claim is present but its value fails the check (time window, expected value).
    CheckFailed,
    /// The claim has the wrong JSON type (a string where a number belongs, ...).
    Invalid,
    /// A header value does not match what the caller expects (`typ`).
    Mismatch,
}

impl Reason {
    /// The stable string form, e.g. `check_failed`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Reason::Missing => "missing",
            Reason::CheckFailed => "check_failed",
            Reason::Invalid => "invalid",
            Reason::Mismatch => "mismatch",
        }
    }
}

/// An error with a stable [`Code`], a message for humans and, for claim failures, the claim's
/// name and the [`Reason`]. Messages never contain token, key or secret material.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    code: Code,
    message: String,
    claim: Option<String>,
    reason: Option<Reason>,
}

impl Error {
    /// An error with a code and a message.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Error { code, message: message.into(), claim: None, reason: None }
    }

    /// A claim failure: `ERR_JWT_CLAIM_VALIDATION_FAILED` or `ERR_JWT_EXPIRED` with claim and reason.
    pub fn claim(code: Code, message: impl Into<String>, claim: &str, reason: Reason) -> Self {
        Error { code, message: message.into(), claim: Some(claim.to_string()), reason: Some(reason) }
    }

    /// The stable code.
    pub fn code(&self) -> Code {
        self.code
    }

    /// The human-readable message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// For claim failures, the claim's name (`exp`, `aud`, ...).
    pub fn claim_name(&self) -> Option<&str> {
        self.claim.as_deref()
    }

    /// For claim failures, why the check failed.
    pub fn reason(&self) -> Option<Reason> {
        self.reason
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}

impl std::error::Error for Error {}

/// Shorthand for results in this crate.
pub type Result<T, E = Error> = core::result::Result<T, E>;

/// At most the first 32 characters of untrusted text quoted in an error message, so messages
/// stay bounded and never echo a whole token or key.
pub(crate) fn short(s: &str) -> &str {
    s.char_indices().nth(32).map_or(s, |(i, _)| s.get(..i).unwrap_or(s))
}

pub(crate) fn err<T>(code: Code, message: impl Into<String>) -> Result<T> {
    Err(Error::new(code, message))
}
