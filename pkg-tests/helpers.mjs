// Fresh keys and tokens for the package tests, made by independent implementations: node:crypto
// (OpenSSL) for keys and raw signatures, jose for JWTs (RFC 7519).
import { generateKeyPairSync, createHash, sign as nodeSign, constants } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import assert from 'node:assert/strict';

const cache = new Map();

/** An RSA key pair of `bits`, generated once per run; `kid` is the Kubernetes key id. */
export function rsaKey(bits = 2048) {
  if (!cache.has(bits)) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
    const spki = publicKey.export({ format: 'der', type: 'spki' });
    const kid = createHash('sha256').update(spki).digest('base64url');
    const jwk = { ...publicKey.export({ format: 'jwk' }), kid, use: 'sig' };
    cache.set(bits, { privateKey, publicKey, jwk, kid });
  }
  return cache.get(bits);
}

export const NOW = 1_700_000_000;

/** Claims shaped like a Kubernetes projected ServiceAccount token, valid at NOW. */
export function k8sClaims(extra = {}) {
  return {
    aud: ['https://kubernetes.default.svc'],
    exp: NOW + 3600,
    iat: NOW - 60,
    nbf: NOW - 60,
    iss: 'https://kubernetes.default.svc',
    sub: 'system:serviceaccount:default:builder',
    'kubernetes.io': {
      namespace: 'default',
      serviceaccount: { name: 'builder', uid: '9e4f5b8c-7e56-4f39-9b3c-1d2b3f4a5c6d' },
      pod: { name: 'builder-7d9f', uid: '0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b' },
      warnafter: NOW + 3000,
    },
    ...extra,
  };
}

/** A JWT signed by jose. */
export async function joseToken({ alg = 'RS256', bits = 2048, header = {}, claims = k8sClaims() } = {}) {
  const { privateKey, kid } = rsaKey(bits);
  return new SignJWT(claims).setProtectedHeader({ alg, kid, typ: 'JWT', ...header }).sign(privateKey);
}

const HASH = { RS256: 'sha256', RS384: 'sha384', RS512: 'sha512', PS256: 'sha256', PS384: 'sha384', PS512: 'sha512' };

/** A JWS signed directly with node:crypto over raw header and payload JSON text. */
export function nodeToken({ alg = 'RS256', bits = 2048, header, payload }) {
  const { privateKey, kid } = rsaKey(bits);
  const h = Buffer.from(header ?? JSON.stringify({ alg, kid })).toString('base64url');
  const p = Buffer.from(payload ?? JSON.stringify(k8sClaims())).toString('base64url');
  const key = alg.startsWith('PS')
    ? { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }
    : privateKey;
  const sig = nodeSign(HASH[alg], Buffer.from(`${h}.${p}`), key).toString('base64url');
  return `${h}.${p}.${sig}`;
}

export function jwksOf(...bits) {
  return { keys: bits.map((b) => rsaKey(b).jwk) };
}

/**
 * `token` fails jose's jwtVerify and our `verifier.verify` alike, under `options` (currentDate in
 * seconds), with jose's `code`, and its `claim` when jose names one.
 */
export async function assertFailsAsJose(name, token, joseKeys, verifier, options) {
  const joseError = await jwtVerify(token, joseKeys, { ...options, currentDate: new Date(options.currentDate * 1000) }).then(
    () => assert.fail(`jose accepted ${name}`),
    (e) => e,
  );
  assert.ok(joseError.code, `${name}: jose threw without a code: ${joseError}`);
  assert.throws(() => verifier.verify(token, options), (e) => {
    assert.ok(e instanceof Error, name);
    assert.equal(e.code, joseError.code, `${name}: ours ${e.code} (${e.message}), jose ${joseError.code} (${joseError.message})`);
    if (joseError.claim) assert.equal(e.claim, joseError.claim, name);
    return true;
  });
}
