// jose's error classes (panva/jose src/util/errors.ts), same names, codes and fields, so that
// `e instanceof errors.JWTExpired` and `e.code` work as they do with jose; plus the codes jose
// lacks. The Rust bindings build every error through `fromCode` (imported by wasm-bindgen in
// src/wasm/convert.rs), so errors thrown by the wasm and by the JS around it are of one family.

export class JOSEError extends Error {
  static code = 'ERR_JOSE_GENERIC';
  code = 'ERR_JOSE_GENERIC';
  constructor(message, options) {
    super(message, options);
    this.name = this.constructor.name;
    Error.captureStackTrace?.(this, this.constructor);
  }
}

/** A class of jose's family for `code`, named `name`, with `message` as its default message. */
function define(name, code, message) {
  // The computed key names the class, as `class Name` would: `name` and stack traces say it.
  return {
    [name]: class extends JOSEError {
      static code = code;
      code = code;
      constructor(text = message, options) {
        super(text, options);
      }
    },
  }[name];
}

/** A claim error: `claim`, `reason` and the verified `payload` say which claim and why. */
function defineClaim(name, code) {
  return {
    [name]: class extends JOSEError {
      static code = code;
      code = code;
      claim;
      reason;
      payload;
      constructor(message, payload, claim = 'unspecified', reason = 'unspecified') {
        super(message, { cause: { claim, reason, payload } });
        this.claim = claim;
        this.reason = reason;
        this.payload = payload;
      }
    },
  }[name];
}

/** A claim check failed. */
export const JWTClaimValidationFailed = defineClaim('JWTClaimValidationFailed', 'ERR_JWT_CLAIM_VALIDATION_FAILED');
/** `exp` is past, or `iat` older than `maxTokenAge`. */
export const JWTExpired = defineClaim('JWTExpired', 'ERR_JWT_EXPIRED');
export const JOSEAlgNotAllowed = define('JOSEAlgNotAllowed', 'ERR_JOSE_ALG_NOT_ALLOWED');
export const JOSENotSupported = define('JOSENotSupported', 'ERR_JOSE_NOT_SUPPORTED');
export const JWSInvalid = define('JWSInvalid', 'ERR_JWS_INVALID');
export const JWTInvalid = define('JWTInvalid', 'ERR_JWT_INVALID');
export const JWKInvalid = define('JWKInvalid', 'ERR_JWK_INVALID');
export const JWKSInvalid = define('JWKSInvalid', 'ERR_JWKS_INVALID');
export const JWKSNoMatchingKey = define('JWKSNoMatchingKey', 'ERR_JWKS_NO_MATCHING_KEY', 'no applicable key found in the JSON Web Key Set');
/**
 * Exported for code written against jose; never thrown here: a token without `kid` is tried
 * against each usable key, which is what jose's documentation has callers do with this error.
 */
export const JWKSMultipleMatchingKeys = define('JWKSMultipleMatchingKeys', 'ERR_JWKS_MULTIPLE_MATCHING_KEYS', 'multiple matching keys found in the JSON Web Key Set');
export const JWKSTimeout = define('JWKSTimeout', 'ERR_JWKS_TIMEOUT', 'request timed out');
export const JWSSignatureVerificationFailed = define('JWSSignatureVerificationFailed', 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED', 'signature verification failed');

// Codes jose has no class for.
/** An OpenID Connect discovery document is malformed or names another issuer. */
export const DiscoveryInvalid = define('DiscoveryInvalid', 'ERR_DISCOVERY_INVALID');
// The login gate's (the crate's `gate` feature, built into the worker only).
export const ConfigInvalid = define('ConfigInvalid', 'ERR_CONFIG_INVALID');
export const LoginRefused = define('LoginRefused', 'ERR_LOGIN_REFUSED');
export const PermissionDenied = define('PermissionDenied', 'ERR_PERMISSION_DENIED');
export const SessionInvalid = define('SessionInvalid', 'ERR_SESSION_INVALID');

const CLASSES = [
  JWTClaimValidationFailed, JWTExpired, JOSEAlgNotAllowed, JOSENotSupported, JWSInvalid, JWTInvalid, JWKInvalid,
  JWKSInvalid, JWKSNoMatchingKey, JWKSMultipleMatchingKeys, JWKSTimeout, JWSSignatureVerificationFailed,
  DiscoveryInvalid, ConfigInvalid, LoginRefused, PermissionDenied, SessionInvalid,
];
const BY_CODE = new Map(CLASSES.map((c) => [c.code, c]));

/**
 * The error for a code from the Rust core. Malformed options and arguments are a TypeError, as
 * jose throws them, with `code` ERR_INVALID_ARGUMENT. Not part of the public `errors` namespace.
 */
export function fromCode(code, message, claim, reason) {
  if (code === 'ERR_INVALID_ARGUMENT') {
    const e = new TypeError(message);
    e.code = code;
    return e;
  }
  const Class = BY_CODE.get(code);
  if (Class === JWTClaimValidationFailed || Class === JWTExpired) return new Class(message, undefined, claim, reason);
  if (Class) return new Class(message);
  const e = new JOSEError(message);
  e.code = code;
  return e;
}
