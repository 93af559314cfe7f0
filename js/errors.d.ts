// jose's error classes (panva/jose src/util/errors.ts) and the codes jose lacks.
import type { ErrorCode, ClaimFailureReason, JWTPayload } from './jwksgate.js';

/** The base of every error this package throws, except TypeError for malformed arguments. */
export declare class JOSEError extends Error {
  static code: string;
  code: ErrorCode | 'ERR_JOSE_GENERIC' | 'ERR_JWKS_TIMEOUT' | 'ERR_JWKS_MULTIPLE_MATCHING_KEYS';
  constructor(message?: string, options?: { cause?: unknown });
}
/** A claim check failed: `claim`, `reason` and the verified `payload` say which and why. */
export declare class JWTClaimValidationFailed extends JOSEError {
  code: 'ERR_JWT_CLAIM_VALIDATION_FAILED';
  claim: string;
  reason: ClaimFailureReason | 'unspecified';
  payload: JWTPayload;
  constructor(message: string, payload: JWTPayload, claim?: string, reason?: string);
}
/** `exp` is past, or `iat` is older than `maxTokenAge`. */
export declare class JWTExpired extends JOSEError {
  code: 'ERR_JWT_EXPIRED';
  claim: string;
  reason: ClaimFailureReason | 'unspecified';
  payload: JWTPayload;
  constructor(message: string, payload: JWTPayload, claim?: string, reason?: string);
}
export declare class JOSEAlgNotAllowed extends JOSEError { code: 'ERR_JOSE_ALG_NOT_ALLOWED' }
export declare class JOSENotSupported extends JOSEError { code: 'ERR_JOSE_NOT_SUPPORTED' }
export declare class JWSInvalid extends JOSEError { code: 'ERR_JWS_INVALID' }
export declare class JWTInvalid extends JOSEError { code: 'ERR_JWT_INVALID' }
export declare class JWKInvalid extends JOSEError { code: 'ERR_JWK_INVALID' }
export declare class JWKSInvalid extends JOSEError { code: 'ERR_JWKS_INVALID' }
export declare class JWKSNoMatchingKey extends JOSEError { code: 'ERR_JWKS_NO_MATCHING_KEY' }
/** Exported for code written against jose; never thrown: a token without `kid` is tried against each usable key. */
export declare class JWKSMultipleMatchingKeys extends JOSEError { code: 'ERR_JWKS_MULTIPLE_MATCHING_KEYS' }
/** A key set or discovery fetch took longer than `timeoutDuration`. */
export declare class JWKSTimeout extends JOSEError { code: 'ERR_JWKS_TIMEOUT' }
export declare class JWSSignatureVerificationFailed extends JOSEError { code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' }
/** An OpenID Connect discovery document is malformed, names another issuer, or a bad jwks_uri. */
export declare class DiscoveryInvalid extends JOSEError { code: 'ERR_DISCOVERY_INVALID' }
/** The login gate's (the worker's build only). */
export declare class ConfigInvalid extends JOSEError { code: 'ERR_CONFIG_INVALID' }
export declare class LoginRefused extends JOSEError { code: 'ERR_LOGIN_REFUSED' }
export declare class PermissionDenied extends JOSEError { code: 'ERR_PERMISSION_DENIED' }
export declare class SessionInvalid extends JOSEError { code: 'ERR_SESSION_INVALID' }
