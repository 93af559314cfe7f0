// The identity assertion the origin verifies (issue 26): the gate's signing keys, its documents at
// /.well-known/ (an origin verifies with createIssuerJWKSet(GATE_URL) or jose), and the fields an
// authenticated request carries to the origin. Claims, keys and encodings are decided in Rust
// (src/gate/assertion.rs); this file reads settings, draws the jti's randomness and answers HTTP.
import { GateAssertions, originHeaders } from '../pkg/workerd.mjs';

const text = (v) => (typeof v === 'string' ? v.trim() : '');

/**
 * The assertion issuer for `env`, or null when ASSERTION_KEY is unset (no assertion, no
 * documents). ASSERTION_KEY: a P-256 private key, PKCS#8 or SEC1 PEM or a private JWK (a
 * secret); ASSERTION_KEY_PREVIOUS: the key before a rotation, published, never used; GATE_URL:
 * the gate's https origin, the assertion's `iss`; ASSERTION_AUDIENCE: its `aud` (default ORIGIN).
 * A bad setting throws (the gate answers 500 and logs why, as for any bad configuration).
 */
export function assertionsFrom(env) {
  if (!text(env.ASSERTION_KEY)) {
    for (const name of ['ASSERTION_KEY_PREVIOUS', 'ASSERTION_AUDIENCE']) {
      if (text(env[name])) throw new Error(`${name} is set but ASSERTION_KEY is not`);
    }
    return null;
  }
  return new GateAssertions(text(env.ASSERTION_KEY), text(env.ASSERTION_KEY_PREVIOUS) || null, text(env.GATE_URL) || null, text(env.ASSERTION_AUDIENCE) || null, text(env.ORIGIN) || null);
}

/** `/.well-known/jwks.json` or `/.well-known/openid-configuration`, or null for any other path. */
export function documentResponse(assertions, request) {
  const which = assertions && GateAssertions.document(request.url);
  if (!which) return null;
  const headers = {
    'content-type': 'application/json',
    'cache-control': `public, max-age=${GateAssertions.maxAge()}`,
    // Public keys: any page may read them (the inspector's fetch button among them).
    'access-control-allow-origin': '*',
  };
  if (!['GET', 'HEAD'].includes(request.method)) {
    return new Response(JSON.stringify({ errors: [] }), { status: 405, headers: { ...headers, 'cache-control': 'no-store', allow: 'GET, HEAD' } });
  }
  const body = which === 'jwks' ? assertions.jwks() : assertions.discovery();
  return new Response(request.method === 'HEAD' ? null : body, { status: 200, headers });
}

/** 128 bits from crypto.getRandomValues, base64url (22 characters): the assertion's jti. */
function jti() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * The gate's fields for the origin for a checked `identity`: its identity headers, the role's
 * metadata and a ServiceAccount's Kubernetes identity, and the signed assertion when configured.
 */
export function originIdentity(assertions, identity, now) {
  const fields = { ...identity.headers, ...originHeaders(identity) };
  if (assertions) fields['x-jwksgate-assertion'] = assertions.sign(identity, now, jti());
  return fields;
}
