// jose's verification API over the Rust Verifier, so that moving from jose is one import line:
// jwtVerify (panva/jose src/jwt/verify.ts), createLocalJWKSet (src/jwks/local.ts) and the
// `errors` namespace. Only adapting is done here: the token, the keys, the signature and the
// claims are all checked in Rust; this file picks the Verifier and converts jose's duration
// strings.
import { Verifier, decodeUnverified, verify as verifyOnce } from './jwksgate.js';
import {
  JOSEError, JWTClaimValidationFailed, JWTExpired, JOSEAlgNotAllowed, JOSENotSupported, JWSInvalid, JWTInvalid,
  JWKInvalid, JWKSInvalid, JWKSNoMatchingKey, JWKSMultipleMatchingKeys, JWKSTimeout, JWSSignatureVerificationFailed,
  DiscoveryInvalid, ConfigInvalid, LoginRefused, PermissionDenied, SessionInvalid, fromCode,
} from './errors.mjs';

/** jose's error classes by name (`errors.JWTExpired`, ...), and the codes jose lacks. */
export const errors = Object.freeze({
  JOSEError, JWTClaimValidationFailed, JWTExpired, JOSEAlgNotAllowed, JOSENotSupported, JWSInvalid, JWTInvalid,
  JWKInvalid, JWKSInvalid, JWKSNoMatchingKey, JWKSMultipleMatchingKeys, JWKSTimeout, JWSSignatureVerificationFailed,
  DiscoveryInvalid, ConfigInvalid, LoginRefused, PermissionDenied, SessionInvalid,
});

/** The TypeError jose throws for a bad argument, with this package's code. */
export function invalidArgument(message) {
  return fromCode('ERR_INVALID_ARGUMENT', message);
}

// jose's duration strings (src/lib/secs.ts): "30s", "2 hours", "1.5d", "-5m", "3h ago".
const UNIT = { s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31557600 };
const DURATION = /^(\+|-)? ?(\d+|\d+\.\d+) ?(seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|w|years?|yrs?|y)(?: (ago|from now))?$/i;

/**
 * Seconds in a duration string, as jose's `secs` reads it; a TypeError otherwise, with jose's
 * words ('Invalid time period format') after the option's name, which jose's leaves out.
 */
export function secs(text, option) {
  const invalid = () => invalidArgument(`option ${option}: Invalid time period format (${JSON.stringify(String(text).slice(0, 40))}; durations such as "30s", "2 hours", "1.5d", "5m ago")`);
  const m = typeof text === 'string' ? DURATION.exec(text) : null;
  if (!m || (m[4] && m[1])) throw invalid();
  const value = Math.round(parseFloat(m[2]) * UNIT[m[3][0].toLowerCase()]);
  if (!Number.isFinite(value)) throw invalid();
  return m[1] === '-' || m[4]?.toLowerCase() === 'ago' ? -value : value;
}

/** The options as the Verifier reads them: jose's duration strings become seconds. */
function verifierOptions(options) {
  if (options === null || typeof options !== 'object') return options;
  const strings = typeof options.clockTolerance === 'string' || typeof options.maxTokenAge === 'string';
  if (!strings) return options;
  const out = { ...options };
  if (typeof out.clockTolerance === 'string') out.clockTolerance = secs(out.clockTolerance, 'clockTolerance');
  if (typeof out.maxTokenAge === 'string') out.maxTokenAge = secs(out.maxTokenAge, 'maxTokenAge');
  return out;
}

/**
 * What jwtVerify asks of a key set made here: `verifier(token)` resolves to the Verifier to use
 * (after any fetch the set needs), `unknownKid()` to a newer one after a refetch, or null.
 */
export const KEY_SET = Symbol('jwksgate key set');

/**
 * A key set in jose's shape: a function of (protectedHeader, token) resolving to the Verifier
 * that holds the current keys, with `jwks()` and whatever else `extra` defines.
 */
export function keySetFunction(source, extra = {}) {
  const fn = async () => source.verifier();
  Object.defineProperty(fn, KEY_SET, { value: source });
  return Object.defineProperties(fn, extra);
}

/**
 * A key set from a JWKS (object or JSON text), parsed and imported once, as jose's
 * createLocalJWKSet. A set with no usable key is refused here (ERR_JWKS_INVALID), where jose
 * would fail every verify with ERR_JWKS_NO_MATCHING_KEY.
 */
export function createLocalJWKSet(jwks) {
  const verifier = new Verifier(jwks);
  const text = typeof jwks === 'string' ? jwks : JSON.stringify(jwks);
  const ready = Promise.resolve(verifier);
  return keySetFunction({ verifier: () => ready }, {
    jwks: { value: () => JSON.parse(text), enumerable: true },
  });
}

const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The key source for what jwtVerify was given: a key set made here, a Verifier, a JWKS, a JWK or a resolver. */
async function sourceOf(key, jwt, resolved = false) {
  if (typeof key === 'function' && key[KEY_SET]) return key[KEY_SET];
  if (key instanceof Verifier) return { verifier: () => key };
  if (typeof key === 'function' && !resolved) {
    // A resolver (jose's getKey): called with the unverified header and segments, as jose calls
    // it, once: what it resolves to is a key or a key set, never another resolver to call (a
    // resolver returning itself would otherwise be called without end).
    const { header } = decodeUnverified(jwt);
    const [protectedSegment, payload, signature] = jwt.split('.');
    return sourceOf(await key(header, { payload, signature, protected: protectedSegment }), jwt, true);
  }
  if (typeof key === 'function') throw invalidArgument('a key resolver must resolve to a key or a key set, not to another function');
  if (isObject(key) && Array.isArray(key.keys)) return { verifier: () => new Verifier(key) };
  if (isObject(key) && typeof key.kty === 'string') return { verifier: () => new Verifier({ keys: [key] }) };
  throw invalidArgument('argument key must be a key set (createLocalJWKSet, createRemoteJWKSet, createIssuerJWKSet), a Verifier, a JWKS, a public JWK, or a function resolving to one of those');
}

/** jose's claim errors carry the (verified) payload; claims are checked only after the signature. */
function withPayload(e, jwt) {
  if ((e instanceof JWTClaimValidationFailed || e instanceof JWTExpired) && e.payload === undefined) {
    try {
      e.payload = decodeUnverified(jwt).payload;
      if (e.cause && typeof e.cause === 'object') e.cause.payload = e.payload;
    } catch {
      // The token verified; it decodes. Should it not, the error stays as it is.
    }
  }
  return e;
}

// The synchronous API's claim errors carry the payload too: `verify` is exported from here in
// place of the glue's, and Verifier's `verify` is wrapped once, when the package loads.
/** Verifies a JWT against a JWKS: the bindings' `verify`, claim errors with their payload. */
export function verify(token, jwks, options) {
  try {
    return verifyOnce(token, jwks, options);
  } catch (e) {
    throw withPayload(e, token);
  }
}
const verifierVerify = Verifier.prototype.verify;
Object.defineProperty(Verifier.prototype, 'verify', {
  value: function verify(token, options) {
    try {
      return verifierVerify.call(this, token, options);
    } catch (e) {
      throw withPayload(e, token);
    }
  },
  writable: true,
  configurable: true,
});

/**
 * Verifies a JWT as jose's jwtVerify does, resolving to `{ payload, protectedHeader, key }`
 * (`key`: the kid, alg and RFC 7638 thumbprint of the key that verified it). Rejects with jose's
 * error classes. On ERR_JWKS_NO_MATCHING_KEY a remote set refetches once, outside its cooldown.
 */
export async function jwtVerify(jwt, key, options) {
  const opts = verifierOptions(options);
  if (jwt instanceof Uint8Array) jwt = new TextDecoder().decode(jwt);
  if (typeof jwt !== 'string') throw fromCode('ERR_JWS_INVALID', 'Compact JWS must be a string or Uint8Array');
  const source = await sourceOf(key, jwt);
  let result;
  try {
    result = (await source.verifier(jwt)).verify(jwt, opts);
  } catch (e) {
    if (e instanceof JWKSNoMatchingKey && source.unknownKid) {
      const next = await source.unknownKid();
      if (!next) throw e;
      try {
        result = next.verify(jwt, opts);
      } catch (again) {
        throw withPayload(again, jwt);
      }
    } else {
      throw withPayload(e, jwt);
    }
  }
  return { payload: result.payload, protectedHeader: result.header, key: result.key };
}
