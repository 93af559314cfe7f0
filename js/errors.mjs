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

/** A claim check failed; `claim`, `reason` and the verified `payload` say which and why. */
export class JWTClaimValidationFailed extends JOSEError {
  static code = 'ERR_JWT_CLAIM_VALIDATION_FAILED';
  code = 'ERR_JWT_CLAIM_VALIDATION_FAILED';
  claim;
  reason;
  payload;
  constructor(message, payload, claim = 'unspecified', reason = 'unspecified') {
    super(message, { cause: { claim, reason, payload } });
    this.claim = claim;
    this.reason = reason;
    this.payload = payload;
  }
}

/** `exp` is past, or `iat` older than `maxTokenAge`. */
export class JWTExpired extends JOSEError {
  static code = 'ERR_JWT_EXPIRED';
  code = 'ERR_JWT_EXPIRED';
  claim;
  reason;
  payload;
  constructor(message, payload, claim = 'unspecified', reason = 'unspecified') {
    super(message, { cause: { claim, reason, payload } });
    this.claim = claim;
    this.reason = reason;
    this.payload = payload;
  }
}

export class JOSEAlgNotAllowed extends JOSEError {
  static code = 'ERR_JOSE_ALG_NOT_ALLOWED';
  code = 'ERR_JOSE_ALG_NOT_ALLOWED';
}

export class JOSENotSupported extends JOSEError {
  static code = 'ERR_JOSE_NOT_SUPPORTED';
  code = 'ERR_JOSE_NOT_SUPPORTED';
}

export class JWSInvalid extends JOSEError {
  static code = 'ERR_JWS_INVALID';
  code = 'ERR_JWS_INVALID';
}

export class JWTInvalid extends JOSEError {
  static code = 'ERR_JWT_INVALID';
  code = 'ERR_JWT_INVALID';
}

export class JWKInvalid extends JOSEError {
  static code = 'ERR_JWK_INVALID';
  code = 'ERR_JWK_INVALID';
}

export class JWKSInvalid extends JOSEError {
  static code = 'ERR_JWKS_INVALID';
  code = 'ERR_JWKS_INVALID';
}

export class JWKSNoMatchingKey extends JOSEError {
  static code = 'ERR_JWKS_NO_MATCHING_KEY';
  code = 'ERR_JWKS_NO_MATCHING_KEY';
  constructor(message = 'no applicable key found in the JSON Web Key Set', options) {
    super(message, options);
  }
}

/**
 * Exported for code written against jose; never thrown here: a token without `kid` is tried
 * against each usable key, which is what jose's documentation has callers do with this error.
 */
export class JWKSMultipleMatchingKeys extends JOSEError {
  static code = 'ERR_JWKS_MULTIPLE_MATCHING_KEYS';
  code = 'ERR_JWKS_MULTIPLE_MATCHING_KEYS';
  constructor(message = 'multiple matching keys found in the JSON Web Key Set', options) {
    super(message, options);
  }
}

export class JWKSTimeout extends JOSEError {
  static code = 'ERR_JWKS_TIMEOUT';
  code = 'ERR_JWKS_TIMEOUT';
  constructor(message = 'request timed out', options) {
    super(message, options);
  }
}

export class JWSSignatureVerificationFailed extends JOSEError {
  static code = 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED';
  code = 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED';
  constructor(message = 'signature verification failed', options) {
    super(message, options);
  }
}

// Codes jose has no class for.

/** An OpenID Connect discovery document is malformed or names another issuer. */
export class DiscoveryInvalid extends JOSEError {
  static code = 'ERR_DISCOVERY_INVALID';
  code = 'ERR_DISCOVERY_INVALID';
}

// The login gate's (the crate's `gate` feature, built into the worker only).
export class ConfigInvalid extends JOSEError {
  static code = 'ERR_CONFIG_INVALID';
  code = 'ERR_CONFIG_INVALID';
}

export class LoginRefused extends JOSEError {
  static code = 'ERR_LOGIN_REFUSED';
  code = 'ERR_LOGIN_REFUSED';
}

export class PermissionDenied extends JOSEError {
  static code = 'ERR_PERMISSION_DENIED';
  code = 'ERR_PERMISSION_DENIED';
}

export class SessionInvalid extends JOSEError {
  static code = 'ERR_SESSION_INVALID';
  code = 'ERR_SESSION_INVALID';
}

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
