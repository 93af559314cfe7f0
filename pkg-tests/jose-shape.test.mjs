// The same assertions against jose and against jwksgate's jose-shaped API: switching is one
// import line. Each row names the jose function it follows (jose 6.2.18: src/jwt/verify.ts
// jwtVerify, src/lib/jwt_claims_set.ts validateClaimsSet, src/lib/secs.ts, src/jwks/local.ts
// createLocalJWKSet, src/jwks/remote.ts createRemoteJWKSet and fetchJwks, src/util/errors.ts).
// Where jwksgate departs from jose on purpose, the row is in remote.test.mjs or api.test.mjs.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as jose from 'jose';
import * as jg from 'jwksgate';
import { createRequire } from 'node:module';
import { sign as nodeSign } from 'node:crypto';
import { issuer, clock, makeKey } from './issuer.mjs';

const LIBS = [['jose', jose], ['jwksgate', jg]];
const now = () => Math.floor(Date.now() / 1000);

/** A token signed by jose with `key`, claims over a Kubernetes-like default. */
async function sign(key, { claims = {}, header = {}, exp = now() + 3600 } = {}) {
  const body = { iss: 'https://issuer.example', aud: 'app', sub: 'system:serviceaccount:default:app', iat: now() - 10, exp, ...claims };
  for (const [k, v] of Object.entries(body)) if (v === undefined) delete body[k];
  return new jose.SignJWT(body).setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT', ...header }).sign(key.privateKey);
}

const KEY = makeKey('k1');
const OTHER = makeKey('k2');
const JWKS = { keys: [KEY.jwk] };

/** Asserts `promise` rejects with `lib.errors[name]` and its code, and returns the error. */
async function rejectsWith(lib, promise, name, fields = {}) {
  let error;
  await assert.rejects(promise, (e) => {
    error = e;
    return true;
  });
  const Class = lib.errors[name];
  assert.ok(error instanceof Class, `${error?.name} ${error?.code}: ${error?.message} is not ${name}`);
  assert.ok(error instanceof lib.errors.JOSEError);
  assert.equal(error.code, Class.code);
  assert.equal(error.name, name);
  for (const [k, v] of Object.entries(fields)) assert.deepEqual(error[k], v, k);
  return error;
}

// [row, jose function followed, async (lib) => assertions]
const ROWS = [
  ['a valid token resolves to payload and protectedHeader', 'jwtVerify', async (lib) => {
    const token = await sign(KEY, { claims: { 'kubernetes.io': { namespace: 'default' } } });
    const r = await lib.jwtVerify(token, lib.createLocalJWKSet(JWKS), { issuer: 'https://issuer.example', audience: 'app' });
    assert.equal(r.payload.sub, 'system:serviceaccount:default:app');
    assert.deepEqual(r.payload['kubernetes.io'], { namespace: 'default' });
    assert.deepEqual(r.protectedHeader, { alg: 'RS256', kid: 'k1', typ: 'JWT' });
    assert.deepEqual(Object.keys(r.payload), ['iss', 'aud', 'sub', 'iat', 'exp', 'kubernetes.io'], 'members in the token\'s order');
    assert.ok(r.key, 'key');
  }],
  ['jwtVerify is async: every failure is a rejection, never a throw', 'jwtVerify', async (lib) => {
    const p = lib.jwtVerify('not a jwt', lib.createLocalJWKSet(JWKS));
    assert.ok(p instanceof Promise);
    await rejectsWith(lib, p, 'JWSInvalid');
  }],
  ['expired: JWTExpired with claim, reason and payload', 'validateClaimsSet', async (lib) => {
    const token = await sign(KEY, { exp: now() - 60 });
    const e = await rejectsWith(lib, lib.jwtVerify(token, lib.createLocalJWKSet(JWKS)), 'JWTExpired', { claim: 'exp', reason: 'check_failed' });
    assert.equal(e.payload.sub, 'system:serviceaccount:default:app');
    assert.deepEqual(e.cause, { claim: 'exp', reason: 'check_failed', payload: e.payload });
  }],
  ['clockTolerance as a duration string', 'secs', async (lib) => {
    const token = await sign(KEY, { exp: now() - 60 });
    assert.ok(await lib.jwtVerify(token, lib.createLocalJWKSet(JWKS), { clockTolerance: '2 minutes' }));
    assert.ok(await lib.jwtVerify(token, lib.createLocalJWKSet(JWKS), { clockTolerance: '2m' }));
    await rejectsWith(lib, lib.jwtVerify(token, lib.createLocalJWKSet(JWKS), { clockTolerance: '30s' }), 'JWTExpired');
  }],
  ['maxTokenAge as a duration string: JWTExpired on iat', 'validateClaimsSet', async (lib) => {
    const token = await sign(KEY, { claims: { iat: now() - 7200 } });
    assert.ok(await lib.jwtVerify(token, lib.createLocalJWKSet(JWKS), { maxTokenAge: '3h' }));
    await rejectsWith(lib, lib.jwtVerify(token, lib.createLocalJWKSet(JWKS), { maxTokenAge: '1h' }), 'JWTExpired', { claim: 'iat', reason: 'check_failed' });
  }],
  ['a malformed duration string is a TypeError', 'secs', async (lib) => {
    const token = await sign(KEY);
    await assert.rejects(lib.jwtVerify(token, lib.createLocalJWKSet(JWKS), { clockTolerance: 'soon' }), (e) => e instanceof TypeError && !(e instanceof lib.errors.JOSEError));
  }],
  ['currentDate moves the clock', 'validateClaimsSet', async (lib) => {
    const token = await sign(KEY, { exp: now() + 60 });
    await rejectsWith(lib, lib.jwtVerify(token, lib.createLocalJWKSet(JWKS), { currentDate: new Date(Date.now() + 3600_000) }), 'JWTExpired');
  }],
  ...[
    ['aud', { audience: 'other' }, 'check_failed'],
    ['iss', { issuer: 'https://other.example' }, 'check_failed'],
    ['sub', { subject: 'someone' }, 'check_failed'],
  ].map(([claim, options, reason]) => [`${claim} mismatch: JWTClaimValidationFailed with payload`, 'validateClaimsSet', async (lib) => {
    const e = await rejectsWith(lib, lib.jwtVerify(await sign(KEY), lib.createLocalJWKSet(JWKS), options), 'JWTClaimValidationFailed', { claim, reason });
    assert.equal(e.payload.aud, 'app');
  }]),
  ['a required claim missing', 'validateClaimsSet', async (lib) => {
    const token = await sign(KEY, { claims: { sub: undefined } });
    await rejectsWith(lib, lib.jwtVerify(token, lib.createLocalJWKSet(JWKS), { subject: 'x' }), 'JWTClaimValidationFailed', { claim: 'sub', reason: 'missing' });
    await rejectsWith(lib, lib.jwtVerify(token, lib.createLocalJWKSet(JWKS), { requiredClaims: ['jti'] }), 'JWTClaimValidationFailed', { claim: 'jti', reason: 'missing' });
  }],
  ['nbf in the future', 'validateClaimsSet', async (lib) => {
    const token = await sign(KEY, { claims: { nbf: now() + 600 } });
    await rejectsWith(lib, lib.jwtVerify(token, lib.createLocalJWKSet(JWKS)), 'JWTClaimValidationFailed', { claim: 'nbf', reason: 'check_failed' });
  }],
  ['typ checked, application/ prefix ignored', 'validateClaimsSet', async (lib) => {
    const token = await sign(KEY);
    assert.ok(await lib.jwtVerify(token, lib.createLocalJWKSet(JWKS), { typ: 'application/jwt' }));
    await rejectsWith(lib, lib.jwtVerify(token, lib.createLocalJWKSet(JWKS), { typ: 'at+jwt' }), 'JWTClaimValidationFailed', { claim: 'typ' });
  }],
  ['a changed signature: JWSSignatureVerificationFailed', 'verifySignature', async (lib) => {
    const token = await sign(KEY);
    const bad = token.slice(0, -4) + (token.at(-4) === 'A' ? 'B' : 'A') + token.slice(-3);
    await rejectsWith(lib, lib.jwtVerify(bad, lib.createLocalJWKSet(JWKS)), 'JWSSignatureVerificationFailed', { message: 'signature verification failed' });
  }],
  ['a changed payload: JWSSignatureVerificationFailed', 'verifySignature', async (lib) => {
    const [h, , s] = (await sign(KEY)).split('.');
    const p = Buffer.from(JSON.stringify({ sub: 'admin', exp: now() + 60 })).toString('base64url');
    await rejectsWith(lib, lib.jwtVerify(`${h}.${p}.${s}`, lib.createLocalJWKSet(JWKS)), 'JWSSignatureVerificationFailed');
  }],
  ['alg outside the allowlist: JOSEAlgNotAllowed', 'verifySignature', async (lib) => {
    await rejectsWith(lib, lib.jwtVerify(await sign(KEY), lib.createLocalJWKSet(JWKS), { algorithms: ['PS256'] }), 'JOSEAlgNotAllowed');
  }],
  ['an unknown kid: JWKSNoMatchingKey', 'createLocalJWKSet', async (lib) => {
    await rejectsWith(lib, lib.jwtVerify(await sign(OTHER), lib.createLocalJWKSet(JWKS)), 'JWKSNoMatchingKey', { message: 'no applicable key found in the JSON Web Key Set' });
  }],
  ['a key with use "enc" is never used', 'isUsableJWK', async (lib) => {
    const set = lib.createLocalJWKSet({ keys: [{ ...KEY.jwk, use: 'enc' }, OTHER.jwk] });
    await rejectsWith(lib, lib.jwtVerify(await sign(KEY), set), 'JWKSNoMatchingKey');
  }],
  ['not a key set: JWKSInvalid', 'createLocalJWKSet', async (lib) => {
    for (const bad of [{ keys: 'no' }, { nokeys: [] }, { keys: [1] }]) {
      assert.throws(() => lib.createLocalJWKSet(bad), (e) => e instanceof lib.errors.JWKSInvalid && e.code === 'ERR_JWKS_INVALID');
    }
  }],
  ['jwks() returns a copy of the set', 'createLocalJWKSet', async (lib) => {
    const set = lib.createLocalJWKSet(JWKS);
    const copy = set.jwks();
    assert.deepEqual(copy, JWKS);
    copy.keys.length = 0;
    assert.deepEqual(set.jwks(), JWKS);
    assert.equal(typeof set, 'function');
  }],
  ['an extension in crit that is not understood: JOSENotSupported', 'validateCrit', async (lib) => {
    // jose's signer refuses it too: signed by node:crypto.
    const b64 = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const input = `${b64({ alg: 'RS256', kid: 'k1', crit: ['x-ext'], 'x-ext': 1 })}.${b64({ exp: now() + 60 })}`;
    const token = `${input}.${nodeSign('sha256', Buffer.from(input), KEY.privateKey).toString('base64url')}`;
    await rejectsWith(lib, lib.jwtVerify(token, lib.createLocalJWKSet(JWKS)), 'JOSENotSupported');
  }],
  ['error classes: names, static codes, default messages', 'errors.ts', async (lib) => {
    const e = new lib.errors.JWTClaimValidationFailed('m', { a: 1 }, 'aud', 'check_failed');
    assert.deepEqual([e.name, e.code, e.claim, e.reason, e.payload, e.message], ['JWTClaimValidationFailed', 'ERR_JWT_CLAIM_VALIDATION_FAILED', 'aud', 'check_failed', { a: 1 }, 'm']);
    assert.deepEqual(new lib.errors.JWTExpired('m', {}).claim, 'unspecified');
    for (const [name, code, message] of [
      ['JOSEError', 'ERR_JOSE_GENERIC'], ['JWTInvalid', 'ERR_JWT_INVALID'], ['JWSInvalid', 'ERR_JWS_INVALID'], ['JWKInvalid', 'ERR_JWK_INVALID'],
      ['JWKSInvalid', 'ERR_JWKS_INVALID'], ['JOSENotSupported', 'ERR_JOSE_NOT_SUPPORTED'], ['JOSEAlgNotAllowed', 'ERR_JOSE_ALG_NOT_ALLOWED'],
      ['JWKSNoMatchingKey', 'ERR_JWKS_NO_MATCHING_KEY', 'no applicable key found in the JSON Web Key Set'],
      ['JWKSMultipleMatchingKeys', 'ERR_JWKS_MULTIPLE_MATCHING_KEYS', 'multiple matching keys found in the JSON Web Key Set'],
      ['JWKSTimeout', 'ERR_JWKS_TIMEOUT', 'request timed out'],
      ['JWSSignatureVerificationFailed', 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED', 'signature verification failed'],
    ]) {
      const Class = lib.errors[name];
      assert.equal(Class.code, code, name);
      const made = new Class();
      assert.ok(made instanceof lib.errors.JOSEError && made instanceof Error);
      assert.deepEqual([made.name, made.code], [name, code]);
      if (message) assert.equal(made.message, message);
    }
  }],

  // createRemoteJWKSet against a loopback issuer.
  ['remote: fetched once, then served from the cache for cacheMaxAge (10 min default)', 'createRemoteJWKSet', async (lib, t) => {
    const i = await issuer(t);
    const c = clock(t);
    const JWKSet = lib.createRemoteJWKSet(new URL(i.jwksUrl));
    assert.equal(JWKSet.fresh, false);
    assert.equal(JWKSet.jwks(), undefined);
    for (let n = 0; n < 3; n++) assert.ok(await lib.jwtVerify(await i.token(), JWKSet));
    assert.equal(i.hits.jwks, 1);
    assert.equal(JWKSet.fresh, true);
    assert.deepEqual(JWKSet.jwks(), i.jwks());
    c.advance(9 * 60_000);
    await lib.jwtVerify(await i.token(), JWKSet);
    assert.equal(i.hits.jwks, 1);
    c.advance(61_000);
    assert.equal(JWKSet.fresh, false);
    await lib.jwtVerify(await i.token(), JWKSet);
    assert.equal(i.hits.jwks, 2, 'refetched after cacheMaxAge');
  }],
  ['remote: the request jose sends (GET, accept, headers option)', 'createRemoteJWKSet', async (lib, t) => {
    const i = await issuer(t);
    await lib.jwtVerify(await i.token(), lib.createRemoteJWKSet(new URL(i.jwksUrl), { headers: { 'x-tenant': 't1' } }));
    const { headers } = i.requests.at(-1);
    assert.equal(headers['x-tenant'], 't1');
    assert.match(headers.accept, /application\/json/);
    assert.match(headers.accept, /application\/jwk-set\+json/);
    assert.match(headers['user-agent'], lib === jose ? /^jose\// : /^jwksgate\//);
  }],
  ['remote: concurrent verifies share one fetch', 'reload', async (lib, t) => {
    const i = await issuer(t);
    const JWKSet = lib.createRemoteJWKSet(new URL(i.jwksUrl));
    const token = await i.token();
    await Promise.all(Array.from({ length: 20 }, () => lib.jwtVerify(token, JWKSet)));
    assert.equal(i.hits.jwks, 1);
  }],
  ['remote: a key rotated in after the cooldown is fetched for its unknown kid', 'createRemoteJWKSet', async (lib, t) => {
    const i = await issuer(t);
    const c = clock(t);
    const JWKSet = lib.createRemoteJWKSet(new URL(i.jwksUrl));
    await lib.jwtVerify(await i.token(), JWKSet);
    c.advance(31_000); // past jose's 30 s cooldown after the fetch
    i.rotate();
    assert.ok(await lib.jwtVerify(await i.token(), JWKSet));
    assert.equal(i.hits.jwks, 2);
    await rejectsWith(lib, lib.jwtVerify(await i.token({ kid: 'never-published' }), JWKSet), 'JWKSNoMatchingKey');
    assert.equal(i.hits.jwks, 2, 'within the cooldown: no fetch');
  }],
  ['remote: reload() fetches at once, bypassing the cooldown', 'reload', async (lib, t) => {
    const i = await issuer(t);
    const JWKSet = lib.createRemoteJWKSet(new URL(i.jwksUrl));
    await JWKSet.reload();
    assert.equal(JWKSet.reloading, false);
    const p = JWKSet.reload();
    assert.equal(JWKSet.reloading, true);
    await p;
    assert.equal(i.hits.jwks, 2);
  }],
  ['remote: non-200 is a JOSEError', 'fetchJwks', async (lib, t) => {
    const i = await issuer(t);
    i.mode = 'error';
    const e = await rejectsWith(lib, lib.jwtVerify(await i.token(), lib.createRemoteJWKSet(new URL(i.jwksUrl))), 'JOSEError');
    assert.equal(e.message, 'Expected 200 OK from the JSON Web Key Set HTTP response');
  }],
  ['remote: a redirect is not followed', 'fetchJwks', async (lib, t) => {
    const i = await issuer(t);
    i.mode = 'redirect';
    await rejectsWith(lib, lib.jwtVerify(await i.token(), lib.createRemoteJWKSet(new URL(i.jwksUrl))), 'JOSEError', { message: 'Expected 200 OK from the JSON Web Key Set HTTP response' });
    assert.equal(i.hits.redirected, 0);
  }],
  ['remote: a hung issuer is cut off at timeoutDuration: JWKSTimeout', 'fetchJwks', async (lib, t) => {
    const i = await issuer(t);
    i.mode = 'hang';
    await rejectsWith(lib, lib.jwtVerify(await i.token(), lib.createRemoteJWKSet(new URL(i.jwksUrl), { timeoutDuration: 200 })), 'JWKSTimeout', { message: 'request timed out' });
  }],
  ['remote: a body that is not a key set is refused', 'fetchJwks', async (lib, t) => {
    const i = await issuer(t);
    i.mode = 'not-json';
    // jose: JOSEError "Failed to parse ... as JSON"; jwksgate: its subclass JWKSInvalid, from the strict parser.
    await assert.rejects(lib.jwtVerify(await i.token(), lib.createRemoteJWKSet(new URL(i.jwksUrl))), (e) => e instanceof lib.errors.JOSEError);
  }],
  ['remote: option validation as jose\'s', 'createRemoteJWKSet', async (lib) => {
    const url = new URL('https://issuer.example/keys');
    for (const options of [{ timeoutDuration: -1 }, { timeoutDuration: 1.5 }, { cooldownDuration: -1 }, { cacheMaxAge: NaN }]) {
      assert.throws(() => lib.createRemoteJWKSet(url, options), TypeError, JSON.stringify(options));
    }
    assert.throws(() => lib.createRemoteJWKSet(42), TypeError);
    assert.equal(typeof lib.createRemoteJWKSet(url, { cacheMaxAge: Infinity }), 'function');
  }],
  ['remote: the jwksCache object seeds the set and is updated after a fetch', 'jwksCache', async (lib, t) => {
    const i = await issuer(t);
    const seeded = { jwks: i.jwks(), uat: Date.now() };
    await lib.jwtVerify(await i.token(), lib.createRemoteJWKSet(new URL(i.jwksUrl), { [lib.jwksCache]: seeded }));
    assert.equal(i.hits.jwks, 0, 'served from the seed');
    const empty = {};
    await lib.jwtVerify(await i.token(), lib.createRemoteJWKSet(new URL(i.jwksUrl), { [lib.jwksCache]: empty }));
    assert.equal(i.hits.jwks, 1);
    assert.deepEqual(empty.jwks, i.jwks());
    assert.ok(Number.isFinite(empty.uat));
  }],
  ['remote: customFetch is called as fetch is', 'customFetch', async (lib, t) => {
    const i = await issuer(t);
    const calls = [];
    const JWKSet = lib.createRemoteJWKSet(new URL(i.jwksUrl), {
      [lib.customFetch]: (url, init) => {
        calls.push({ url, method: init.method, redirect: init.redirect, signal: init.signal instanceof AbortSignal });
        return fetch(url, init);
      },
    });
    await lib.jwtVerify(await i.token(), JWKSet);
    assert.deepEqual(calls, [{ url: i.jwksUrl, method: 'GET', redirect: 'manual', signal: true }]);
  }],
];

for (const [name, lib] of LIBS) {
  describe(name, () => {
    for (const [row, follows, run] of ROWS) test(`${row} [jose ${follows}]`, (t) => run(lib, t));
  });
}

test('jwksgate: the errors of every entry point are the classes of `errors` (import and require alike)', async () => {
  const cjs = createRequire(import.meta.url)('jwksgate');
  assert.equal(cjs.errors, jg.errors, 'one instance for import and require');
  const checks = [
    [() => jg.verify('a.b', JSON.stringify(JWKS)), 'JWSInvalid'],
    [() => jg.verify('x', { keys: [] }), 'JWKSInvalid'],
    [() => new jg.Verifier({ keys: [{ kty: 'RSA' }] }), 'JWKSInvalid'],
    [() => jg.jwkThumbprint({ kty: 'RSA' }), 'JWKInvalid'],
    [() => jg.discoveryJwksUri('{"issuer":"https://a"}', 'https://b'), 'DiscoveryInvalid'],
    [() => jg.importPublicKeyPem('nope'), 'JWKInvalid'],
  ];
  for (const [call, name] of checks) {
    assert.throws(call, (e) => e instanceof jg.errors[name] && e instanceof jg.errors.JOSEError && e.code === jg.errors[name].code && e.name === name, name);
  }
  const token = await sign(KEY, { exp: now() - 60 });
  // The synchronous API's claim errors carry the verified payload too, as jose's.
  for (const call of [() => new jg.Verifier(JWKS).verify(token), () => jg.verify(token, JWKS), () => cjs.verify(token, JWKS)]) {
    assert.throws(call, (e) => e instanceof jg.errors.JWTExpired && e.claim === 'exp' && e.reason === 'check_failed' && e.payload.sub === 'system:serviceaccount:default:app' && e.cause.payload === e.payload);
  }
  const fresh = await sign(KEY);
  assert.throws(() => new jg.Verifier(JWKS).verify(fresh, { audience: 'x' }), (e) => e instanceof jg.errors.JWTClaimValidationFailed && e.payload.aud === 'app');
  // Malformed options are TypeErrors, as jose throws them, with their code.
  assert.throws(() => jg.verify(token, JWKS, { clockTolerance: -1 }), (e) => e instanceof TypeError && e.code === 'ERR_INVALID_ARGUMENT');
  await assert.rejects(jg.jwtVerify(token, 42), (e) => e instanceof TypeError && e.code === 'ERR_INVALID_ARGUMENT');
});
