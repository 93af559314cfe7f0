// Interop with independent implementations: tokens made by jose and by node:crypto verify, and
// every failure mode gives the same error `code` (and claim) that jose gives for it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLocalJWKSet, calculateJwkThumbprint } from 'jose';
import { verify, Verifier, jwkThumbprint } from 'jwksgate';
import { assertFailsAsJose, rsaKey, joseToken, nodeToken, jwksOf, k8sClaims, NOW } from './helpers.mjs';

const ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];

test('tokens signed by jose verify, every algorithm and key size', async () => {
  for (const bits of [2048, 3072, 4096]) {
    const jwks = jwksOf(bits);
    const verifier = new Verifier(jwks, { algorithms: ALGS, currentDate: NOW });
    for (const alg of ALGS) {
      const token = await joseToken({ alg, bits });
      const result = verifier.verify(token, { issuer: 'https://kubernetes.default.svc' });
      assert.equal(result.key.alg, alg);
      assert.equal(result.key.kid, rsaKey(bits).kid);
      assert.equal(result.key.thumbprint, await calculateJwkThumbprint(rsaKey(bits).jwk));
      assert.deepEqual(result.payload, k8sClaims());
      assert.equal(verify(token, JSON.stringify(jwks), { algorithms: [alg], currentDate: NOW }).header.alg, alg);
    }
  }
});

test('tokens signed with node:crypto verify', () => {
  const jwks = jwksOf(2048);
  for (const alg of ALGS) {
    const token = nodeToken({ alg });
    assert.equal(verify(token, jwks, { algorithms: [alg], currentDate: NOW }).key.alg, alg);
  }
});

test('thumbprints equal jose calculateJwkThumbprint', async () => {
  for (const bits of [2048, 3072, 4096]) {
    assert.equal(jwkThumbprint(rsaKey(bits).jwk), await calculateJwkThumbprint(rsaKey(bits).jwk));
  }
});

/** The failure table: each case is a token and options; both libraries must refuse with one code. */
async function failureCases() {
  const { privateKey, kid } = rsaKey(2048);
  const good = await joseToken();
  const [h, p, s] = good.split('.');
  const enc = (v) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
  const flip = s.slice(0, 10) + (s[10] === 'A' ? 'B' : 'A') + s.slice(11);
  return [
    ['expired', await joseToken({ claims: k8sClaims({ exp: NOW - 1 }) }), {}],
    ['exp as string', await joseToken({ claims: k8sClaims({ exp: String(NOW + 60) }) }), {}],
    ['not yet valid', await joseToken({ claims: k8sClaims({ nbf: NOW + 600 }) }), {}],
    ['issuer mismatch', good, { issuer: 'https://other' }],
    ['audience mismatch', good, { audience: 'vault' }],
    ['subject mismatch', good, { subject: 'system:serviceaccount:kube-system:admin' }],
    ['typ mismatch', good, { typ: 'at+jwt' }],
    ['missing required claim', good, { requiredClaims: ['jti'] }],
    ['missing exp', await joseToken({ claims: k8sClaims({ exp: undefined }) }), {}],
    ['too old for maxTokenAge', good, { maxTokenAge: 10 }],
    ['algorithm not allowed', await joseToken({ alg: 'RS384' }), {}],
    ['alg none', `${enc({ alg: 'none' })}.${p}.`, {}],
    ['alg HS256', `${enc({ alg: 'HS256', kid })}.${p}.${s}`, {}],
    ['unknown kid', `${enc({ alg: 'RS256', kid: 'nope' })}.${p}.${s}`, {}],
    ['tampered signature', `${h}.${p}.${flip}`, {}],
    ['tampered payload', `${h}.${enc(k8sClaims({ sub: 'system:serviceaccount:kube-system:admin' }))}.${s}`, {}],
    ['two segments', `${h}.${p}`, {}],
    ['five segments', `${good}.a.b`, {}],
    ['header not JSON', `${enc('nope')}.${p}.${s}`, {}],
    ['payload an array', nodeToken({ payload: '[1,2]' }), {}],
    ['payload not JSON', nodeToken({ payload: 'hello' }), {}],
    ['unknown crit', await joseToken({ header: { crit: ['urn:x'], 'urn:x': 1 } }).catch(() => nodeToken({ header: JSON.stringify({ alg: 'RS256', kid, crit: ['urn:x'], 'urn:x': 1 }) })), {}],
    ['signature not base64url', `${h}.${p}.${s}!`, {}],
  ];
}

test('each failure gives the code jose gives', async () => {
  const jwks = jwksOf(2048);
  const joseKeys = createLocalJWKSet(jwks);
  const verifier = new Verifier(jwks);
  const base = { currentDate: NOW, algorithms: ['RS256'], requiredClaims: ['exp'] };
  for (const [name, token, extra] of await failureCases()) {
    await assertFailsAsJose(name, token, joseKeys, verifier, { ...base, ...extra });
    // The verifier is unchanged by the failure.
    assert.equal(verifier.verify(await joseToken(), { currentDate: NOW }).payload.sub, 'system:serviceaccount:default:builder');
  }
});
