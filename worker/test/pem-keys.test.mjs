// PUBLIC_KEYS_PEM (Vault's jwt_validation_pubkeys) with every key family the gate verifies:
// RSA, EC P-256/384/521 and Ed25519 SPKI, and X.509 certificates (Vault takes those too), one
// concatenated text or a JSON list; tokens signed by node:crypto log in under JWT_SUPPORTED_ALGS.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash, createPrivateKey, generateKeyPairSync, sign } from 'node:crypto';
import { roles, root, startGate } from './helpers.mjs';

const AUD = 'https://gate.example';
const ROLES = roles({ r: { user_claim: 'sub', bound_audiences: [AUD] } });
const ALGS = 'RS256,ES256,ES384,ES512,EdDSA';
const b64u = (b) => Buffer.from(b).toString('base64url');
const vectors = (...p) => join(root, 'tests', 'vectors', ...p);

/** A signer: alg, private key, its public PEM (SPKI or certificate) and its Kubernetes key id. */
function fresh(alg, options) {
  const { privateKey, publicKey } = options ? generateKeyPairSync(...options) : generateKeyPairSync('ed25519');
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  return { alg, privateKey, pem: publicKey.export({ format: 'pem', type: 'spki' }), kid: createHash('sha256').update(spki).digest('base64url') };
}

function fromCertificate(alg, keyFile, certFile, kid) {
  return { alg, privateKey: createPrivateKey(readFileSync(vectors(...keyFile), 'utf8')), pem: readFileSync(vectors(...certFile), 'utf8'), kid };
}

const HASH = { RS256: 'sha256', ES256: 'sha256', ES384: 'sha384', ES512: 'sha512', EdDSA: null };

function token(s, { kid = s.kid, sub = 'system:serviceaccount:default:builder' } = {}) {
  const header = { alg: s.alg, ...(kid ? { kid } : {}) };
  const claims = { sub, aud: AUD, exp: Math.floor(Date.now() / 1000) + 600, iat: Math.floor(Date.now() / 1000) - 10 };
  const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(claims))}`;
  const hash = HASH[s.alg];
  const sig = hash ? sign(hash, Buffer.from(input), s.alg === 'RS256' ? s.privateKey : { key: s.privateKey, dsaEncoding: 'ieee-p1363' }) : sign(null, Buffer.from(input), s.privateKey);
  return `${input}.${b64u(sig)}`;
}

const signers = [
  fresh('RS256', ['rsa', { modulusLength: 2048 }]),
  fresh('ES256', ['ec', { namedCurve: 'prime256v1' }]),
  fresh('ES384', ['ec', { namedCurve: 'secp384r1' }]),
  fresh('ES512', ['ec', { namedCurve: 'secp521r1' }]),
  fresh('EdDSA'),
  // Certificates made by OpenSSL (tests/vectors/certs/README.md gives their keys' ids).
  fromCertificate('ES256', ['k8s', 'pkg_serviceaccount', 'ecdsaPrivateKey.pem'], ['certs', 'p256.pem'], 'SoABiieYuNx4UdqYvZRVeuC6SihxgLrhLy9peHMHpTc'),
  fromCertificate('EdDSA', ['certs', 'ed25519_private.pem'], ['certs', 'ed25519.pem'], '4-WziuR5ZshgiGN0boug1jYnNhcMV020oe-Kx9gxRpI'),
];

const open = [];
after(async () => {
  for (const g of open) await g.dispose();
});

describe('PUBLIC_KEYS_PEM of every family', () => {
  for (const [form, value] of [
    ['concatenated', signers.map((s) => s.pem).join('\n')],
    ['a JSON list', JSON.stringify(signers.map((s) => s.pem))],
  ]) {
    test(`${form}: each family's token logs in, with its kid and without`, async () => {
      const g = await startGate({ PUBLIC_KEYS_PEM: value, ROLES, JWT_SUPPORTED_ALGS: ALGS });
      open.push(g);
      for (const s of signers) {
        const r = await g.login('r', token(s));
        assert.equal(r.status, 200, `${s.alg} ${s.kid}: ${JSON.stringify(r.body)}`);
        assert.equal(r.body.auth.metadata.role, 'r');
        const bare = await g.login('r', token(s, { kid: null }));
        assert.equal(bare.status, 200, `${s.alg} without kid: ${JSON.stringify(bare.body)}`);
      }
    });
  }

  test('a token from a key not in the list, or of an algorithm not allowed, is refused', async () => {
    const g = await startGate({ PUBLIC_KEYS_PEM: signers.map((s) => s.pem).join('\n'), ROLES, JWT_SUPPORTED_ALGS: 'RS256,ES256' });
    open.push(g);
    const stranger = fresh('ES256', ['ec', { namedCurve: 'prime256v1' }]);
    assert.equal((await g.login('r', token(stranger, { kid: null }))).status, 400);
    assert.equal((await g.login('r', token(signers[3]))).status, 400, 'ES512 is not in JWT_SUPPORTED_ALGS');
    assert.equal((await g.login('r', token(signers[1]))).status, 200);
  });

  test('a private key or an unsupported curve in the list: the gate reports itself misconfigured', async () => {
    const secp256k1 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).publicKey.export({ format: 'pem', type: 'spki' });
    const privatePem = readFileSync(vectors('certs', 'ed25519_private.pem'), 'utf8');
    for (const bad of [secp256k1, privatePem]) {
      const g = await startGate({ PUBLIC_KEYS_PEM: bad, ROLES, JWT_SUPPORTED_ALGS: ALGS });
      open.push(g);
      const r = await g.login('r', token(signers[1]));
      assert.equal(r.status, 500, JSON.stringify(r.body));
    }
  });
});
