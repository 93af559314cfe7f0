// The package's API as a user calls it: options and their defaults, Verifier state across
// errors, decodeUnverified, key helpers (RFC 7638 thumbprints, Kubernetes key ids, PEM import).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createPublicKey, createHash, generateKeyPairSync, sign as nodeSign } from 'node:crypto';
import * as jg from 'jwksgate';
import { jwtVerify, createLocalJWKSet } from 'jose';
import { rsaKey, joseToken, nodeToken, jwksOf, k8sClaims, NOW } from './helpers.mjs';

const vectors = new URL('../tests/vectors/', import.meta.url);
const code = (c) => (e) => { assert.equal(e.code, c, `${e.code}: ${e.message}`); assert.ok(e instanceof Error); return true; };

test('Verifier: constructor options hold for every call, per-call options narrow them', async () => {
  const token = await joseToken();
  const v = new jg.Verifier(jwksOf(2048), { currentDate: NOW, audience: ['vault', 'https://kubernetes.default.svc'] });
  assert.equal(v.verify(token).payload.iss, 'https://kubernetes.default.svc');
  assert.throws(() => v.verify(token, { audience: 'vault' }), code('ERR_JWT_CLAIM_VALIDATION_FAILED'));
  assert.throws(() => v.verify(token, { audience: 'https://other' }), code('ERR_INVALID_ARGUMENT'));
  assert.throws(() => v.verify(token, { audience: [] }), code('ERR_INVALID_ARGUMENT'));
  assert.deepEqual(v.keyIds, [rsaKey(2048).kid]);
  // currentDate as a Date, and the wall clock by default (the token expired long ago).
  assert.ok(v.verify(token, { currentDate: new Date(NOW * 1000) }));
  assert.throws(() => new jg.Verifier(jwksOf(2048)).verify(token), code('ERR_JWT_EXPIRED'));
});

test('Verifier stays usable after every kind of error', async () => {
  const v = new jg.Verifier(jwksOf(2048), { currentDate: NOW });
  const good = await joseToken();
  const bad = ['', '.', '..', 'a.b.c', '\u0000', 'x'.repeat(70000), good + 'x', good.replace(/\./g, '..'), 42, null, undefined, {}];
  for (const t of bad) {
    assert.throws(() => v.verify(t));
    assert.equal(v.verify(good).key.alg, 'RS256');
  }
});

test('option validation: bad options are clear errors, never silently ignored', async () => {
  const token = await joseToken();
  const jwks = jwksOf(2048);
  assert.throws(() => jg.verify(token, jwks, { algorithms: ['HS256'] }), code('ERR_JOSE_NOT_SUPPORTED'));
  assert.throws(() => jg.verify(token, jwks, { algorithms: ['none'] }), code('ERR_JOSE_NOT_SUPPORTED'));
  assert.throws(() => jg.verify(token, jwks, { algorithms: [] }), code('ERR_INVALID_ARGUMENT'));
  assert.throws(() => jg.verify(token, jwks, { clockTolerance: -1 }), code('ERR_INVALID_ARGUMENT'));
  assert.throws(() => jg.verify(token, jwks, { currentDate: 'yesterday' }), code('ERR_INVALID_ARGUMENT'));
  assert.throws(() => jg.verify(token, jwks, { requiredClaims: 'exp' }), code('ERR_INVALID_ARGUMENT'));
  assert.throws(() => jg.verify(token, jwks, { maxTokenBytes: 1.5 }), code('ERR_INVALID_ARGUMENT'));
  assert.throws(() => jg.verify(token, jwks, { currentDate: NOW, maxTokenBytes: 64 }), code('ERR_JWS_INVALID'));
  assert.throws(() => jg.verify(token, '{"keys":', { currentDate: NOW }), code('ERR_JWKS_INVALID'));
  assert.throws(() => jg.verify(token, 7, { currentDate: NOW }), code('ERR_JWKS_INVALID'));
});

test('claim errors carry claim and reason', async () => {
  const v = new jg.Verifier(jwksOf(2048), { currentDate: NOW });
  const cases = [
    [await joseToken({ claims: k8sClaims({ exp: NOW }) }), {}, 'ERR_JWT_EXPIRED', 'exp', 'check_failed'],
    [await joseToken({ claims: k8sClaims({ exp: undefined }) }), {}, 'ERR_JWT_CLAIM_VALIDATION_FAILED', 'exp', 'missing'],
    [await joseToken({ claims: k8sClaims({ nbf: 'x' }) }), {}, 'ERR_JWT_CLAIM_VALIDATION_FAILED', 'nbf', 'invalid'],
    [await joseToken(), { issuer: 'x' }, 'ERR_JWT_CLAIM_VALIDATION_FAILED', 'iss', 'check_failed'],
    [await joseToken(), { typ: 'at+jwt' }, 'ERR_JWT_CLAIM_VALIDATION_FAILED', 'typ', 'mismatch'],
  ];
  for (const [token, options, c, claim, reason] of cases) {
    assert.throws(() => v.verify(token, options), (e) => e.code === c && e.claim === claim && e.reason === reason);
  }
});

test('requiredClaims: [] accepts a token without exp', async () => {
  const token = await joseToken({ claims: k8sClaims({ exp: undefined }) });
  assert.equal(jg.verify(token, jwksOf(2048), { currentDate: NOW, requiredClaims: [] }).payload.exp, undefined);
});

test('verifyJws returns the payload bytes and checks no claims', () => {
  const token = nodeToken({ payload: 'not json at all' });
  const r = jg.verifyJws(token, jwksOf(2048));
  assert.ok(r.payload instanceof Uint8Array);
  assert.equal(Buffer.from(r.payload).toString(), 'not json at all');
  assert.throws(() => jg.verify(token, jwksOf(2048), { currentDate: NOW }), code('ERR_JWT_INVALID'));
});

test('decodeUnverified decodes without verifying', async () => {
  const token = await joseToken();
  const d = jg.decodeUnverified(token.slice(0, -4) + 'AAAA');
  assert.equal(d.header.alg, 'RS256');
  assert.equal(d.payload.sub, 'system:serviceaccount:default:builder');
  assert.equal(typeof d.signature, 'string');
  assert.throws(() => jg.decodeUnverified('a.b'), code('ERR_JWS_INVALID'));
});

test('a "__proto__" claim comes back as an own member, as JSON.parse gives it, and pollutes nothing', () => {
  const claims = JSON.stringify(k8sClaims()).replace(/^\{/, '{"__proto__":{"admin":true},');
  const token = nodeToken({ payload: claims });
  for (const r of [jg.verify(token, jwksOf(2048), { currentDate: NOW }), jg.decodeUnverified(token)]) {
    assert.ok(Object.hasOwn(r.payload, '__proto__'));
    assert.deepEqual(r.payload['__proto__'], { admin: true });
    assert.equal(Object.getPrototypeOf(r.payload), Object.prototype);
    assert.equal(r.payload.admin, undefined, 'not readable as an inherited claim');
  }
  assert.equal({}.admin, undefined);
});

test('header and payload come back as jose returns them: the token\'s member order, -0, big integers', async () => {
  const claims = '{"sub":"x","exp":' + (NOW + 60) + ',"zeta":-0,"alpha":12345678901234567890,"nested":{"b":1,"a":[2.50,1e2]}}';
  const token = nodeToken({ header: `{"typ":"JWT","kid":"${rsaKey(2048).kid}","alg":"RS256"}`, payload: claims });
  const ours = jg.verify(token, jwksOf(2048), { currentDate: NOW });
  const theirs = await jwtVerify(token, createLocalJWKSet(jwksOf(2048)), { currentDate: new Date(NOW * 1000) });
  assert.deepEqual(Object.keys(ours.payload), ['sub', 'exp', 'zeta', 'alpha', 'nested']);
  assert.deepEqual(Object.keys(ours.payload.nested), ['b', 'a']);
  assert.ok(Object.is(ours.payload.zeta, -0));
  assert.deepEqual(Object.keys(ours.header), ['typ', 'kid', 'alg']);
  for (const r of [ours, jg.decodeUnverified(token), jg.verifyJws(token, jwksOf(2048))]) {
    assert.deepEqual(Object.keys(r.header), Object.keys(theirs.protectedHeader));
    assert.deepEqual(r.header, theirs.protectedHeader);
  }
  const decoded = jg.decodeUnverified(token).payload;
  for (const p of [ours.payload, decoded]) {
    assert.deepEqual(Object.keys(p), Object.keys(theirs.payload));
    assert.deepEqual(p, theirs.payload);
  }
});

test('discoveryJwksUri: the jwks_uri of a document naming exactly this issuer, read strictly', () => {
  const iss = 'https://kubernetes.default.svc.cluster.local';
  const doc = JSON.stringify({ issuer: iss, jwks_uri: 'https://10.0.0.1:6443/openid/v1/jwks', response_types_supported: ['id_token'] });
  assert.equal(jg.discoveryJwksUri(doc, iss), 'https://10.0.0.1:6443/openid/v1/jwks');
  for (const bad of [
    JSON.stringify({ issuer: `${iss}/`, jwks_uri: 'https://x/jwks' }),
    `{"issuer":"https://evil.test","issuer":"${iss}","jwks_uri":"https://x/jwks"}`,
    JSON.stringify({ issuer: iss }),
    'not json',
  ]) {
    assert.throws(() => jg.discoveryJwksUri(bad, iss), code('ERR_DISCOVERY_INVALID'), bad);
  }
  assert.throws(() => jg.discoveryJwksUri({ issuer: iss }, iss), code('ERR_INVALID_ARGUMENT'));
});

test('verifySignature checks raw signatures with one JWK', () => {
  const { privateKey, jwk } = rsaKey(2048);
  const data = Buffer.from('hello');
  const sig = nodeSign('sha256', data, privateKey);
  assert.equal(jg.verifySignature(jwk, 'RS256', data, sig), true);
  assert.equal(jg.verifySignature(jwk, 'RS256', Buffer.from('hellO'), sig), false);
  assert.throws(() => jg.verifySignature(jwk, 'HS256', data, sig), code('ERR_JOSE_NOT_SUPPORTED'));
  assert.throws(() => jg.verifySignature({ ...jwk, n: 'AQAB' }, 'RS256', data, sig), code('ERR_JWK_INVALID'));
  // The usability rule of key selection in a set applies to one key too.
  for (const unusable of [{ ...jwk, use: 'enc' }, { ...jwk, key_ops: ['encrypt'] }, { ...jwk, alg: 'PS256' }]) {
    assert.throws(() => jg.verifySignature(unusable, 'RS256', data, sig), code('ERR_JWK_INVALID'), JSON.stringify(unusable.use ?? unusable.key_ops ?? unusable.alg));
  }
  assert.equal(jg.verifySignature({ ...jwk, use: 'sig', key_ops: ['verify'], alg: 'RS256' }, 'RS256', data, sig), true);
});

test('Kubernetes key ids and PEM import match Kubernetes', () => {
  const pem = readFileSync(new URL('k8s/pkg_serviceaccount/rsaPublicKey.pem', vectors), 'utf8');
  const jwk = jg.importPublicKeyPem(pem);
  assert.equal(jwk.kid, 'JHJehTTTZlsspKHT-GaJxK7Kd1NQgZJu3fyK6K_QDYU');
  assert.equal(jg.kubernetesKeyId(jwk), jwk.kid);
  const keyset = JSON.parse(readFileSync(new URL('k8s/pkg_serviceaccount/openidmetadata_wantKeyset.json', vectors), 'utf8'));
  const served = keyset.keys.find((k) => k.kty === 'RSA');
  assert.equal(jwk.n, served.n);
  // PKCS#1 and SPKI forms of a fresh key give the same JWK, whose kid is SHA-256 of the DER SPKI.
  const { publicKey, kid } = rsaKey(3072);
  const spki = jg.importPublicKeyPem(publicKey.export({ format: 'pem', type: 'spki' }));
  const pkcs1 = jg.importPublicKeyPem(publicKey.export({ format: 'pem', type: 'pkcs1' }));
  assert.deepEqual(spki, pkcs1);
  assert.equal(spki.kid, kid);
  assert.equal(spki.kid, createHash('sha256').update(createPublicKey({ key: spki, format: 'jwk' }).export({ format: 'der', type: 'spki' })).digest('base64url'));
  assert.throws(() => jg.importPublicKeyPem('hello'), code('ERR_JWK_INVALID'));
  assert.throws(() => jg.importPublicKeyPem(readFileSync(new URL('k8s/pkg_serviceaccount/rsaPrivateKey.pem', vectors), 'utf8')), code('ERR_JWK_INVALID'));
  // Kubernetes' EC key imports with the kid Kubernetes serves it under; a curve no JWS
  // algorithm here uses is not supported.
  assert.equal(jg.importPublicKeyPem(readFileSync(new URL('k8s/pkg_serviceaccount/ecdsaPublicKey.pem', vectors), 'utf8')).kid, keyset.keys.find((k) => k.kty === 'EC').kid);
  const k1 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).publicKey.export({ format: 'pem', type: 'spki' });
  assert.throws(() => jg.importPublicKeyPem(k1), code('ERR_JOSE_NOT_SUPPORTED'));
});

test('kubernetesIdentity reads projected and legacy tokens', async () => {
  const id = jg.kubernetesIdentity(k8sClaims());
  assert.deepEqual(
    { ns: id.namespace, sa: id.serviceAccount.name, pod: id.pod.name, warn: id.warnAfter, sub: id.subject, legacy: id.legacy },
    { ns: 'default', sa: 'builder', pod: 'builder-7d9f', warn: NOW + 3000, sub: 'system:serviceaccount:default:builder', legacy: false },
  );
  assert.equal(jg.kubernetesIdentity({ sub: 'alice' }), null);
  const eks = readFileSync(new URL('k8s/eks_projected_token/token.jwt', vectors), 'utf8').trim();
  const eksJwks = readFileSync(new URL('k8s/eks_projected_token/jwks.json', vectors), 'utf8');
  const { payload } = jg.verify(eks, eksJwks, { currentDate: 1763969878, audience: 'sts.amazonaws.com' });
  const eksId = jg.kubernetesIdentity(payload);
  assert.equal(eksId.namespace, 'hakawai');
  assert.equal(eksId.subjectMatches, true);
  assert.ok(eksId.node.name);
});

test('real tokens from other projects verify (rfc_tokens.jsonl)', () => {
  const lines = readFileSync(new URL('rfc_tokens.jsonl', vectors), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  let ran = 0;
  for (const c of lines) {
    const options = { currentDate: c.valid_at ?? 0, algorithms: [c.alg], requiredClaims: [] };
    const run = () => (c.payload_is_json ? jg.verify(c.token, c.jwks, options) : jg.verifyJws(c.token, c.jwks, options));
    if (c.expect === 'valid') run();
    else assert.throws(run);
    ran++;
  }
  assert.equal(ran, 14);
});
