// The benchmarks' tokens: for each case (RS256 at 2048/3072/4096 bits, the other RS* and PS*
// algorithms, ES256, ES384, ES512, EdDSA) a fresh node:crypto key, a one-key JWKS and eight Kubernetes-style ServiceAccount tokens
// signed by node:crypto. Shared by curves.mjs (Node), browser.mjs (Chromium) and workerd.mjs.
import crypto from 'node:crypto';

export const NOW = 1_780_000_000;
export const ISSUER = 'https://kubernetes.default.svc.cluster.local';
export const AUDIENCE = 'vault';

// name -> [alg, node:crypto key type and parameters, hash (null: Ed25519)]
export const CASES = {
  'RS256-2048': ['RS256', 'rsa', { modulusLength: 2048 }, 'sha256'],
  'RS256-3072': ['RS256', 'rsa', { modulusLength: 3072 }, 'sha256'],
  'RS256-4096': ['RS256', 'rsa', { modulusLength: 4096 }, 'sha256'],
  'RS384-2048': ['RS384', 'rsa', { modulusLength: 2048 }, 'sha384'],
  'RS512-2048': ['RS512', 'rsa', { modulusLength: 2048 }, 'sha512'],
  'PS256-2048': ['PS256', 'rsa', { modulusLength: 2048 }, 'sha256'],
  'PS256-3072': ['PS256', 'rsa', { modulusLength: 3072 }, 'sha256'],
  'PS256-4096': ['PS256', 'rsa', { modulusLength: 4096 }, 'sha256'],
  'PS384-2048': ['PS384', 'rsa', { modulusLength: 2048 }, 'sha384'],
  'PS512-2048': ['PS512', 'rsa', { modulusLength: 2048 }, 'sha512'],
  ES256: ['ES256', 'ec', { namedCurve: 'prime256v1' }, 'sha256'],
  ES384: ['ES384', 'ec', { namedCurve: 'secp384r1' }, 'sha384'],
  ES512: ['ES512', 'ec', { namedCurve: 'secp521r1' }, 'sha512'],
  EdDSA: ['EdDSA', 'ed25519', undefined, null],
};

const b64url = (buf) => Buffer.from(buf).toString('base64url');

/** One case: { name, alg, hash, jwks, jwksText, publicKey (a KeyObject), tokens: [{ token, payload }] }. */
export function makeCase(name, { now = NOW, issuer = ISSUER, audience = AUDIENCE } = {}) {
  const [alg, type, params, hash] = CASES[name];
  const { privateKey, publicKey } = crypto.generateKeyPairSync(type, params);
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: `key-${name}`, alg, use: 'sig' };
  const jwks = { keys: [jwk] };
  // PS*: RSASSA-PSS with the salt as long as the hash (RFC 7518 section 3.5).
  const pss = { key: privateKey, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: crypto.constants.RSA_PSS_SALTLEN_DIGEST };
  const signer = type === 'ec' ? { key: privateKey, dsaEncoding: 'ieee-p1363' } : alg.startsWith('PS') ? pss : privateKey;
  const tokens = [];
  for (let i = 0; i < 8; i++) {
    const header = { alg, kid: jwk.kid };
    const payload = {
      aud: [audience], exp: now + 3600 + i, iat: now - 60, iss: issuer, nbf: now - 60, sub: 'system:serviceaccount:default:web',
      'kubernetes.io': { namespace: 'default', pod: { name: `web-${i}`, uid: crypto.randomUUID() }, serviceaccount: { name: 'web', uid: crypto.randomUUID() }, warnafter: now + 3000 },
    };
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
    tokens.push({ token: `${input}.${b64url(crypto.sign(hash, Buffer.from(input), signer))}`, payload });
  }
  return { name, alg, hash, jwks, jwksText: JSON.stringify(jwks), publicKey, tokens };
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
export const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.round(q * (xs.length - 1))];
