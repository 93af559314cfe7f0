// The first part of `make run`: mint a Kubernetes-shaped ServiceAccount token with the embedded
// demo issuer key (Kubernetes' own test key, pkg/serviceaccount), publish its JWKS as the API
// server would, and verify the token with the freshly built package, printing what it proves.
import { readFileSync } from 'node:fs';
import { createPrivateKey, createPublicKey, sign } from 'node:crypto';
import { verify, importPublicKeyPem, kubernetesIdentity, decodeUnverified } from '../pkg/node.mjs';

const ISSUER = 'https://kubernetes.default.svc.cluster.local';
const pem = readFileSync(new URL('../tests/vectors/k8s/pkg_serviceaccount/rsaPrivateKey.pem', import.meta.url), 'utf8');
const privateKey = createPrivateKey(pem);
const jwk = { ...importPublicKeyPem(createPublicKey(privateKey).export({ type: 'spki', format: 'pem' })), use: 'sig', alg: 'RS256' };
const jwks = { keys: [jwk] };

const now = Math.floor(Date.now() / 1000);
const claims = {
  aud: ['vault'],
  exp: now + 3600,
  iat: now,
  nbf: now,
  iss: ISSUER,
  jti: crypto.randomUUID(),
  sub: 'system:serviceaccount:demo:builder',
  'kubernetes.io': {
    namespace: 'demo',
    serviceaccount: { name: 'builder', uid: crypto.randomUUID() },
    pod: { name: 'builder-5f7d8', uid: crypto.randomUUID() },
    node: { name: 'node-1', uid: crypto.randomUUID() },
    warnafter: now + 3000,
  },
};
const enc = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
const input = `${enc({ alg: 'RS256', kid: jwk.kid })}.${enc(claims)}`;
const token = `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;

console.log(`Demo issuer ${ISSUER}, key id ${jwk.kid} (base64url SHA-256 of the DER SPKI)\n`);
console.log(`Token:\n${token}\n`);
const result = verify(token, jwks, { issuer: ISSUER, audience: 'vault' });
console.log('Verified with', result.key);
console.log('Claims:', JSON.stringify(result.payload, null, 2));
console.log('Kubernetes identity:', kubernetesIdentity(result.payload));

const forged = token.slice(0, -6) + (token.at(-6) === 'A' ? 'B' : 'A') + token.slice(-5);
try {
  verify(forged, jwks, { issuer: ISSUER, audience: 'vault' });
  throw new Error('a forged token was accepted');
} catch (e) {
  console.log(`\nA token with one altered signature character is refused: ${e.code}: ${e.message}`);
}
try {
  verify(token, jwks, { issuer: ISSUER, audience: 'vault', currentDate: now + 7200 });
} catch (e) {
  console.log(`Two hours later it is refused: ${e.code} (${e.claim} ${e.reason}); decoded unverified, exp is ${decodeUnverified(token).payload.exp}`);
}
