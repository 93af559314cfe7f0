//! The JavaScript bindings: every `#[wasm_bindgen]` of the crate lives in this folder, one file
//! per JS face. Each function converts arguments, calls the pure core, and turns core errors into
//! JS `Error`s with `code` (and `claim` and `reason` for claim failures). Nothing here makes a
//! security decision.

#[cfg(feature = "gate")]
mod assertion;
mod convert;
mod discovery;
#[cfg(feature = "gate")]
mod gate;
#[cfg(feature = "gate")]
mod gate_kubernetes;
mod keys;
mod kubernetes;
#[cfg(feature = "gate")]
mod net;
mod options;
mod verify;

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** A JSON Web Key Set: `{ keys: [...] }`. */
export interface JWKS { keys: JWK[] }
/**
 * A JSON Web Key (RFC 7517). RSA (`n`, `e`), EC (`crv` P-256, P-384 or P-521, `x`, `y`) and OKP
 * (`crv` Ed25519, `x`) keys are used for verification; `x5c`, when present, must hold a
 * certificate for the same key.
 */
export interface JWK {
  kty: string; kid?: string; alg?: string; use?: string; key_ops?: string[];
  n?: string; e?: string; crv?: string; x?: string; y?: string; x5c?: string[];
  [member: string]: unknown;
}
/**
 * Algorithms that may be allowed. `none` and HMAC never are. `EdDSA` and `Ed25519` (RFC 9864)
 * both verify Ed25519 signatures, each under its own name.
 */
export type Algorithm =
  | "RS256" | "RS384" | "RS512" | "PS256" | "PS384" | "PS512"
  | "ES256" | "ES384" | "ES512" | "EdDSA" | "Ed25519";
/**
 * Options of `verify`, `verifyJws` and `Verifier`. `null`, a value of the wrong type, an empty
 * `issuer` or `audience`, an unknown name or a getter that throws is an ERR_INVALID_ARGUMENT
 * naming the option. A Verifier's per-call options may narrow its constructor's, never widen
 * them: a subset of its `algorithms`, `issuer`, `audience`; the same `subject`, `typ`; at most
 * its `clockTolerance`, `maxTokenAge`, `maxTokenBytes`; `requiredClaims` are added to its own.
 */
export interface VerifyOptions {
  /** Accepted algorithms. Default `["RS256"]`; never taken from the token. */
  algorithms?: Algorithm[];
  /** Accepted `iss` value(s); when set, `iss` is required. */
  issuer?: string | string[];
  /** Accepted audience(s), any one matching `aud`; when set, `aud` is required. */
  audience?: string | string[];
  /** Required `sub`. */
  subject?: string;
  /** Required header `typ` (case-insensitive, `application/` prefix ignored). */
  typ?: string;
  /** Leeway in seconds for `exp`, `nbf`, `iat`. Default 0. */
  clockTolerance?: number;
  /** Evaluation time: a Date, or seconds since the epoch. Default the wall clock. */
  currentDate?: Date | number;
  /** Maximum age in seconds since `iat`; makes `iat` required. */
  maxTokenAge?: number;
  /** Claims that must be present. Default `["exp"]`; pass `[]` to accept tokens without `exp`. */
  requiredClaims?: string[];
  /** Largest token accepted, in bytes. Default 65536. */
  maxTokenBytes?: number;
}
/** The key that verified a token. */
export interface KeyInfo { kid?: string; alg: Algorithm; thumbprint: string }
/** A JWT header. */
export interface JWTHeader { alg: string; kid?: string; typ?: string; [param: string]: unknown }
/** JWT claims. */
export interface JWTPayload {
  iss?: string; sub?: string; aud?: string | string[]; exp?: number; nbf?: number; iat?: number; jti?: string;
  [claim: string]: unknown;
}
/** A verified JWT. */
export interface VerifyResult { header: JWTHeader; payload: JWTPayload; key: KeyInfo }
/** A verified compact JWS with an opaque payload. */
export interface VerifyJwsResult { header: JWTHeader; payload: Uint8Array; key: KeyInfo }
/** A token decoded without any verification. */
export interface DecodedToken { header: JWTHeader; payload: JWTPayload; signature: string }
/** A Kubernetes object reference. */
export interface KubernetesRef { name: string; uid?: string }
/** The identity in a Kubernetes ServiceAccount token. */
export interface KubernetesIdentity {
  namespace: string; serviceAccount: KubernetesRef; pod?: KubernetesRef; node?: KubernetesRef;
  secret?: KubernetesRef; warnAfter?: number; subject: string; subjectMatches: boolean; legacy: boolean;
}
/** Every `code` an error thrown by this package can carry. */
export type ErrorCode =
  | "ERR_JWT_INVALID" | "ERR_JWS_INVALID" | "ERR_JOSE_ALG_NOT_ALLOWED" | "ERR_JOSE_NOT_SUPPORTED"
  | "ERR_JWK_INVALID" | "ERR_JWKS_INVALID" | "ERR_JWKS_NO_MATCHING_KEY"
  | "ERR_JWS_SIGNATURE_VERIFICATION_FAILED" | "ERR_JWT_EXPIRED" | "ERR_JWT_CLAIM_VALIDATION_FAILED"
  | "ERR_INVALID_ARGUMENT" | "ERR_CONFIG_INVALID" | "ERR_LOGIN_REFUSED" | "ERR_PERMISSION_DENIED" | "ERR_SESSION_INVALID"
  | "ERR_DISCOVERY_INVALID";
/** Why a claim check failed. */
export type ClaimFailureReason = "missing" | "check_failed" | "invalid" | "mismatch";
/** The shape of every error thrown by this package. */
export interface JwksgateError extends Error {
  code: ErrorCode;
  /** For ERR_JWT_CLAIM_VALIDATION_FAILED and ERR_JWT_EXPIRED: the claim. */
  claim?: string;
  /** For ERR_JWT_CLAIM_VALIDATION_FAILED and ERR_JWT_EXPIRED: why. */
  reason?: ClaimFailureReason;
}
"#;

/// Whether this build multiplies with wasm SIMD128: true for the package's `jwksgate_bg.wasm`,
/// false for `jwksgate_scalar_bg.wasm`, which the web glue loads on hosts without SIMD.
#[wasm_bindgen(js_name = wasmSimd)]
pub fn wasm_simd() -> bool {
    cfg!(target_feature = "simd128")
}

/// The package version.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
