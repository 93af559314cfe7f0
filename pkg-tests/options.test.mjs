// Options fail closed: a table of option values run through jose 6 (jwtVerify, the reference)
// and through the package. Every value jose refuses, the package refuses; where the package
// refuses what jose accepts, the row says so ('stricter'); the one documented extension is a
// number of seconds as currentDate ('extension'). Then the Verifier's narrowing rule: per-call
// options may narrow the constructor's, never widen or remove them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jwtVerify, createLocalJWKSet } from 'jose';
import * as jwksgate from 'jwksgate';
import { verify, Verifier } from 'jwksgate';
import { joseToken, jwksOf, k8sClaims, NOW } from './helpers.mjs';

const ISS = 'https://kubernetes.default.svc';
const AUD = 'https://kubernetes.default.svc';
const SUB = 'system:serviceaccount:default:builder';
const thrower = () => { throw new Error('thrown by the caller\'s getter'); };
const getter = (base, name) => Object.defineProperty({ ...base }, name, { get: thrower, enumerable: true });
const revoked = (target) => { const r = Proxy.revocable(target, {}); r.revoke(); return r.proxy; };
const iteratorThrows = (items) => Object.assign([...items], { [Symbol.iterator]: thrower });
const elementThrows = (items) => Object.defineProperty([...items], 0, { get: thrower, enumerable: true });

/**
 * `[label, (base) => options, tag]`; `base` holds currentDate (a Date for jose, seconds for the
 * package) unless the row is about currentDate or the options object itself.
 */
const ROWS = [
  ['issuer: the token\'s', (b) => ({ ...b, issuer: ISS }), 'same'],
  ['issuer: another', (b) => ({ ...b, issuer: 'https://other.example' }), 'same'],
  ['issuer: ""', (b) => ({ ...b, issuer: '' }), 'same'],
  ['issuer: []', (b) => ({ ...b, issuer: [] }), 'same'],
  ['issuer: [""]', (b) => ({ ...b, issuer: [''] }), 'same'],
  ['issuer: null', (b) => ({ ...b, issuer: null }), 'same'],
  ['issuer: 5', (b) => ({ ...b, issuer: 5 }), 'same'],
  ['issuer: {}', (b) => ({ ...b, issuer: {} }), 'same'],
  ['issuer: new String(the token\'s)', (b) => ({ ...b, issuer: new String(ISS) }), 'same'],
  ['issuer: [another, the token\'s]', (b) => ({ ...b, issuer: ['https://other.example', ISS] }), 'same'],
  ['issuer: [5, the token\'s]', (b) => ({ ...b, issuer: [5, ISS] }), 'stricter'],
  ['issuer: a getter that throws', (b) => getter(b, 'issuer'), 'same'],
  ['audience: the token\'s', (b) => ({ ...b, audience: AUD }), 'same'],
  ['audience: another', (b) => ({ ...b, audience: 'vault' }), 'same'],
  ['audience: []', (b) => ({ ...b, audience: [] }), 'same'],
  ['audience: ""', (b) => ({ ...b, audience: '' }), 'same'],
  ['audience: null', (b) => ({ ...b, audience: null }), 'same'],
  ['audience: [the token\'s, 5]', (b) => ({ ...b, audience: [AUD, 5] }), 'stricter'],
  ['audience: a getter that throws', (b) => getter(b, 'audience'), 'same'],
  ['subject: the token\'s', (b) => ({ ...b, subject: SUB }), 'same'],
  ['subject: another', (b) => ({ ...b, subject: 'system:serviceaccount:kube-system:admin' }), 'same'],
  ['subject: ""', (b) => ({ ...b, subject: '' }), 'same'],
  ['subject: null', (b) => ({ ...b, subject: null }), 'same'],
  ['subject: [the token\'s]', (b) => ({ ...b, subject: [SUB] }), 'same'],
  ['typ: "JWT"', (b) => ({ ...b, typ: 'JWT' }), 'same'],
  ['typ: "application/jwt"', (b) => ({ ...b, typ: 'application/jwt' }), 'same'],
  ['typ: "at+jwt"', (b) => ({ ...b, typ: 'at+jwt' }), 'same'],
  ['typ: ""', (b) => ({ ...b, typ: '' }), 'same'],
  ['typ: null', (b) => ({ ...b, typ: null }), 'same'],
  ['typ: 5', (b) => ({ ...b, typ: 5 }), 'same'],
  ['clockTolerance: 30', (b) => ({ ...b, clockTolerance: 30 }), 'same'],
  ['clockTolerance: -1', (b) => ({ ...b, clockTolerance: -1 }), 'same'],
  ['clockTolerance: NaN', (b) => ({ ...b, clockTolerance: NaN }), 'same'],
  ['clockTolerance: Infinity', (b) => ({ ...b, clockTolerance: Infinity }), 'same'],
  ['clockTolerance: null', (b) => ({ ...b, clockTolerance: null }), 'same'],
  ['clockTolerance: true', (b) => ({ ...b, clockTolerance: true }), 'same'],
  ['clockTolerance: "30s" (jose\'s duration strings)', (b) => ({ ...b, clockTolerance: '30s' }), 'stricter'],
  ['maxTokenAge: 3600', (b) => ({ ...b, maxTokenAge: 3600 }), 'same'],
  ['maxTokenAge: 10 (the token is 60 s old)', (b) => ({ ...b, maxTokenAge: 10 }), 'same'],
  ['maxTokenAge: -1', (b) => ({ ...b, maxTokenAge: -1 }), 'same'],
  ['maxTokenAge: NaN', (b) => ({ ...b, maxTokenAge: NaN }), 'same'],
  ['maxTokenAge: null', (b) => ({ ...b, maxTokenAge: null }), 'same'],
  ['maxTokenAge: "1h" (jose\'s duration strings)', (b) => ({ ...b, maxTokenAge: '1h' }), 'stricter'],
  ['currentDate: a Date inside the lifetime', () => ({ currentDate: new Date(NOW * 1000) }), 'same'],
  ['currentDate: seconds since the epoch (documented)', () => ({ currentDate: NOW }), 'extension'],
  ['currentDate: an invalid Date', () => ({ currentDate: new Date(NaN) }), 'same'],
  ['currentDate: a Proxy of a Date', () => ({ currentDate: new Proxy(new Date(NOW * 1000), {}) }), 'same'],
  ['currentDate: Object.create(Date.prototype)', () => ({ currentDate: Object.create(Date.prototype) }), 'same'],
  ['currentDate: a string', () => ({ currentDate: '2023-11-14T22:13:20Z' }), 'same'],
  ['currentDate: null', () => ({ currentDate: null }), 'same'],
  ['algorithms: ["RS256"]', (b) => ({ ...b, algorithms: ['RS256'] }), 'same'],
  ['algorithms: "RS256" (not an array)', (b) => ({ ...b, algorithms: 'RS256' }), 'same'],
  ['algorithms: []', (b) => ({ ...b, algorithms: [] }), 'same'],
  ['algorithms: null', (b) => ({ ...b, algorithms: null }), 'same'],
  ['algorithms: ["RS256", 5]', (b) => ({ ...b, algorithms: ['RS256', 5] }), 'same'],
  ['algorithms: ["HS256"]', (b) => ({ ...b, algorithms: ['HS256'] }), 'same'],
  ['algorithms: ["RS384"]', (b) => ({ ...b, algorithms: ['RS384'] }), 'same'],
  ['algorithms: its iterator throws', (b) => ({ ...b, algorithms: iteratorThrows(['RS256']) }), 'same'],
  ['algorithms: element 0 throws', (b) => ({ ...b, algorithms: elementThrows(['RS256']) }), 'same'],
  ['requiredClaims: ["exp"]', (b) => ({ ...b, requiredClaims: ['exp'] }), 'same'],
  ['requiredClaims: []', (b) => ({ ...b, requiredClaims: [] }), 'same'],
  ['requiredClaims: "exp" (not an array)', (b) => ({ ...b, requiredClaims: 'exp' }), 'same'],
  ['requiredClaims: null', (b) => ({ ...b, requiredClaims: null }), 'same'],
  ['requiredClaims: ["jti"]', (b) => ({ ...b, requiredClaims: ['jti'] }), 'same'],
  ['requiredClaims: [5]', (b) => ({ ...b, requiredClaims: [5] }), 'same'],
  ['an unknown option (a typo: audiance)', (b) => ({ ...b, audiance: 'vault' }), 'stricter'],
  ['crit: {} (no extension is understood)', (b) => ({ ...b, crit: {} }), 'stricter'],
  ['maxTokenBytes: 65536 (ours; jose ignores it)', (b) => ({ ...b, maxTokenBytes: 65536 }), 'same'],
  ['maxTokenBytes: 64', (b) => ({ ...b, maxTokenBytes: 64 }), 'stricter'],
  ['maxTokenBytes: 0', (b) => ({ ...b, maxTokenBytes: 0 }), 'stricter'],
  ['maxTokenBytes: null', (b) => ({ ...b, maxTokenBytes: null }), 'stricter'],
  ['options: null', () => null, 'same'],
  ['options: an array with currentDate', (b) => Object.assign([], b), 'stricter'],
  ['options: a Proxy whose get trap throws', (b) => new Proxy(b, { get: thrower }), 'same'],
  ['options: a revoked Proxy', (b) => revoked(b), 'same'],
];

async function outcomes(token, jwks, make) {
  const mine = (options) => {
    try {
      verify(token, jwks, options);
      return { accepted: true };
    } catch (e) {
      return { accepted: false, code: e.code, message: e.message };
    }
  };
  const ours = mine(make({ currentDate: NOW }));
  const theirs = await jwtVerify(token, createLocalJWKSet(jwks), make({ currentDate: new Date(NOW * 1000) })).then(
    () => ({ accepted: true }),
    (e) => ({ accepted: false, code: e.code ?? e.name, message: e.message }),
  );
  return { ours, theirs };
}

test(`options, differential against jose: ${ROWS.length} values, every one jose refuses refused here too`, async () => {
  const token = await joseToken();
  const jwks = jwksOf(2048);
  const failures = [];
  const stricter = [];
  for (const [label, make, tag] of ROWS) {
    const { ours, theirs } = await outcomes(token, jwks, make);
    const got = ours.accepted === theirs.accepted ? 'same' : ours.accepted ? 'looser' : 'stricter';
    const expected = tag === 'extension' ? 'looser' : tag;
    const said = `ours ${ours.accepted ? 'accepted' : `${ours.code} (${ours.message})`}, jose ${theirs.accepted ? 'accepted' : `${theirs.code} (${theirs.message})`}`;
    if (got !== expected) failures.push(`${label}: expected ${tag}, got ${got}: ${said}`);
    if (got === 'stricter') stricter.push(`${label}: ${ours.code} (${ours.message})`);
    // Where both refuse on a check (jose's error has a JOSE code), the code is jose's.
    if (!ours.accepted && !theirs.accepted && /^ERR_J/.test(theirs.code) && !['ERR_INVALID_ARGUMENT', 'ERR_JOSE_NOT_SUPPORTED'].includes(ours.code) && ours.code !== theirs.code) {
      failures.push(`${label}: both refuse, but with ${ours.code} here and ${theirs.code} in jose`);
    }
    // A refused option is refused the same way by a Verifier's constructor and per call.
    if (ours.code === 'ERR_INVALID_ARGUMENT') {
      for (const [where, call] of [['new Verifier', () => new Verifier(jwks, make({ currentDate: NOW }))], ['Verifier.verify', () => new Verifier(jwks).verify(token, make({ currentDate: NOW }))]]) {
        try {
          call();
          failures.push(`${label}: ${where} accepted it`);
        } catch (e) {
          if (e.code !== 'ERR_INVALID_ARGUMENT') failures.push(`${label}: ${where} gave ${e.code}`);
        }
      }
    }
  }
  console.log(`stricter than jose (${stricter.length}):\n  ${stricter.join('\n  ')}`);
  assert.deepEqual(failures, []);
});

test('every option error is ERR_INVALID_ARGUMENT naming the option', () => {
  const jwks = jwksOf(2048);
  const names = ['algorithms', 'issuer', 'audience', 'subject', 'typ', 'clockTolerance', 'currentDate', 'maxTokenAge', 'requiredClaims', 'maxTokenBytes'];
  for (const name of names) {
    for (const bad of [null, Symbol('x'), 1n, { toString: () => 'RS256' }, () => 'RS256']) {
      assert.throws(() => verify('a.b.c', jwks, { [name]: bad }), (e) => e.code === 'ERR_INVALID_ARGUMENT' && e.message.includes(`option ${name}`), `${name}: ${String(bad)}`);
    }
    assert.throws(() => verify('a.b.c', jwks, getter({}, name)), (e) => e.code === 'ERR_INVALID_ARGUMENT' && e.message.includes(`option ${name}`), `${name}: a getter that throws`);
  }
});

test('Verifier: per-call options narrow the constructor\'s, never widen or remove them', async () => {
  const jwks = jwksOf(2048);
  const token = await joseToken();
  const expired = await joseToken({ claims: k8sClaims({ exp: NOW - 30 }) });
  const withoutExp = await joseToken({ claims: k8sClaims({ exp: undefined }) });
  const OTHER = 'https://other.example';
  const at = { currentDate: NOW };
  // [constructor options, per-call options, token, outcome ('ok' or code[:claim])]
  const table = [
    [{ issuer: OTHER }, { issuer: [] }, token, 'ERR_INVALID_ARGUMENT'],
    [{ issuer: OTHER }, { issuer: ISS }, token, 'ERR_INVALID_ARGUMENT'],
    [{ issuer: ISS }, { issuer: [] }, token, 'ERR_INVALID_ARGUMENT'],
    [{ issuer: [ISS, OTHER] }, { issuer: ISS }, token, 'ok'],
    [{ issuer: [ISS, OTHER] }, { issuer: OTHER }, token, 'ERR_JWT_CLAIM_VALIDATION_FAILED:iss'],
    [{ issuer: OTHER }, {}, token, 'ERR_JWT_CLAIM_VALIDATION_FAILED:iss'],
    [{}, { issuer: ISS }, token, 'ok'],
    [{}, { issuer: OTHER }, token, 'ERR_JWT_CLAIM_VALIDATION_FAILED:iss'],
    [{ audience: 'vault' }, { audience: [] }, token, 'ERR_INVALID_ARGUMENT'],
    [{ audience: 'vault' }, { audience: AUD }, token, 'ERR_INVALID_ARGUMENT'],
    [{ audience: ['vault', AUD] }, { audience: AUD }, token, 'ok'],
    [{ audience: ['vault', AUD] }, { audience: 'vault' }, token, 'ERR_JWT_CLAIM_VALIDATION_FAILED:aud'],
    [{ algorithms: ['RS256'] }, { algorithms: ['RS256', 'PS256'] }, token, 'ERR_INVALID_ARGUMENT'],
    [{ algorithms: ['PS256', 'RS256'] }, { algorithms: ['PS256'] }, token, 'ERR_JOSE_ALG_NOT_ALLOWED'],
    [{ algorithms: ['PS256', 'RS256'] }, { algorithms: ['RS256'] }, token, 'ok'],
    [{ subject: 'system:serviceaccount:kube-system:admin' }, { subject: SUB }, token, 'ERR_INVALID_ARGUMENT'],
    [{ subject: SUB }, { subject: SUB }, token, 'ok'],
    [{ typ: 'at+jwt' }, { typ: 'JWT' }, token, 'ERR_INVALID_ARGUMENT'],
    [{ typ: 'JWT' }, { typ: 'application/jwt' }, token, 'ok'],
    [{ clockTolerance: 10 }, { clockTolerance: 60 }, expired, 'ERR_INVALID_ARGUMENT'],
    [{ clockTolerance: 60 }, { clockTolerance: 10 }, expired, 'ERR_JWT_EXPIRED:exp'],
    [{ clockTolerance: 60 }, {}, expired, 'ok'],
    [{ maxTokenAge: 30 }, { maxTokenAge: 3600 }, token, 'ERR_INVALID_ARGUMENT'],
    [{ maxTokenAge: 3600 }, { maxTokenAge: 30 }, token, 'ERR_JWT_EXPIRED:iat'],
    [{ requiredClaims: ['jti'] }, { requiredClaims: [] }, token, 'ERR_JWT_CLAIM_VALIDATION_FAILED:jti'],
    [{ requiredClaims: ['exp'] }, { requiredClaims: ['jti'] }, token, 'ERR_JWT_CLAIM_VALIDATION_FAILED:jti'],
    [{ requiredClaims: ['exp'] }, { requiredClaims: [] }, withoutExp, 'ERR_JWT_CLAIM_VALIDATION_FAILED:exp'],
    [{}, { requiredClaims: [] }, withoutExp, 'ok'],
    [{ maxTokenBytes: 512 }, { maxTokenBytes: 65536 }, token, 'ERR_INVALID_ARGUMENT'],
    [{ maxTokenBytes: 65536 }, { maxTokenBytes: 512 }, token, 'ERR_JWS_INVALID'],
    // The time is not a check: a call may evaluate at another time than the constructor's.
    [{ currentDate: NOW - 100000 }, { currentDate: NOW }, token, 'ok'],
  ];
  const failures = [];
  for (const [defaults, call, t, want] of table) {
    const v = new Verifier(jwks, { ...at, ...defaults });
    for (const [how, run] of [['verify', () => v.verify(t, call)], ['verifyJws', () => v.verifyJws(t, call)]]) {
      let got;
      try {
        run();
        got = 'ok';
      } catch (e) {
        got = e.claim && e.code !== 'ERR_INVALID_ARGUMENT' ? `${e.code}:${e.claim}` : e.code;
        if (e.code === 'ERR_INVALID_ARGUMENT' && !/^option \w+/.test(e.message)) failures.push(`${JSON.stringify(defaults)} + ${JSON.stringify(call)}: message names no option: ${e.message}`);
      }
      // verifyJws checks no claims: only the option rules and the header's apply.
      const expect = how === 'verifyJws' && /CLAIM|EXPIRED/.test(want) ? 'ok' : want;
      if (got !== expect) failures.push(`${how} ${JSON.stringify(defaults)} + ${JSON.stringify(call)}: got ${got}, expected ${expect}`);
    }
    v.free();
  }
  assert.deepEqual(failures, []);
});

/**
 * Every ERR_INVALID_ARGUMENT names what was wrong: an option as `option <name>` (or jose's own
 * `"<name>" option`, as remote.mjs words jose's createRemoteJWKSet checks), an argument as
 * `argument <name>`, the name the .d.ts gives it. jose has no property for it: its TypeErrors say
 * the option in the message only (panva/jose src/lib/validate_algorithms.ts `"${option}" option
 * must be an array of strings`, src/lib/jwt_claims_set.ts `Invalid clockTolerance option type`),
 * and its `secs` says 'Invalid time period format' for either duration option, which is why
 * ours adds the option's name to those words. The code stays ERR_INVALID_ARGUMENT, a TypeError.
 * `[row, call, phrase the message must hold]`.
 */
const NAMED = (() => {
  const jwks = jwksOf(2048);
  const at = { currentDate: NOW };
  const v = (options) => verify('a.b.c', jwks, { ...at, ...options });
  const url = 'https://issuer.example/keys';
  const remote = (options) => jwksgate.createRemoteJWKSet(url, options);
  const jwk = jwks.keys[0];
  const bytes = new Uint8Array(8);
  const option = (name) => `option ${name}`;
  const jose = (name) => `"${name}" option`;
  const argument = (name) => `argument ${name}`;
  return [
    // verify, verifyJws and Verifier's options (src/wasm/options.rs).
    ['algorithms: a string', () => v({ algorithms: 'RS256' }), option('algorithms')],
    ['algorithms: []', () => v({ algorithms: [] }), option('algorithms')],
    ['algorithms: [5]', () => v({ algorithms: [5] }), option('algorithms[0]')],
    ['algorithms: null', () => v({ algorithms: null }), option('algorithms')],
    ['issuer: 5', () => v({ issuer: 5 }), option('issuer')],
    ['issuer: []', () => v({ issuer: [] }), option('issuer')],
    ['issuer: [""]', () => v({ issuer: [''] }), option('issuer[0]')],
    ['issuer: ""', () => v({ issuer: '' }), option('issuer')],
    ['audience: {}', () => v({ audience: {} }), option('audience')],
    ['audience: []', () => v({ audience: [] }), option('audience')],
    ['audience: ["a", 5]', () => v({ audience: ['a', 5] }), option('audience[1]')],
    ['subject: ["s"]', () => v({ subject: ['s'] }), option('subject')],
    ['subject: ""', () => v({ subject: '' }), option('subject')],
    ['typ: 5', () => v({ typ: 5 }), option('typ')],
    ['typ: ""', () => v({ typ: '' }), option('typ')],
    ['clockTolerance: -1', () => v({ clockTolerance: -1 }), option('clockTolerance')],
    ['clockTolerance: NaN', () => v({ clockTolerance: NaN }), option('clockTolerance')],
    ['clockTolerance: "30s" (verify takes seconds)', () => v({ clockTolerance: '30s' }), option('clockTolerance')],
    ['currentDate: a string', () => verify('a.b.c', jwks, { currentDate: 'yesterday' }), option('currentDate')],
    ['currentDate: an invalid Date', () => verify('a.b.c', jwks, { currentDate: new Date(NaN) }), option('currentDate')],
    ['maxTokenAge: -5', () => v({ maxTokenAge: -5 }), option('maxTokenAge')],
    ['maxTokenAge: true', () => v({ maxTokenAge: true }), option('maxTokenAge')],
    ['requiredClaims: "exp"', () => v({ requiredClaims: 'exp' }), option('requiredClaims')],
    ['requiredClaims: [5]', () => v({ requiredClaims: [5] }), option('requiredClaims[0]')],
    ['maxTokenBytes: 1.5', () => v({ maxTokenBytes: 1.5 }), option('maxTokenBytes')],
    ['maxTokenBytes: 0', () => v({ maxTokenBytes: 0 }), option('maxTokenBytes')],
    ['an unknown option', () => v({ audiance: 'x' }), 'unknown option "audiance"'],
    ['a Verifier call widening issuer', () => new Verifier(jwks, { issuer: 'a' }).verify('a.b.c', { ...at, issuer: 'b' }), option('issuer')],
    ['a Verifier call widening clockTolerance', () => new Verifier(jwks, { clockTolerance: 1 }).verify('a.b.c', { ...at, clockTolerance: 2 }), option('clockTolerance')],
    // jwtVerify's duration strings (js/jose.mjs, jose's secs).
    ['jwtVerify clockTolerance: "soon"', () => jwksgate.jwtVerify('a.b.c', jwks, { ...at, clockTolerance: 'soon' }), option('clockTolerance')],
    ['jwtVerify maxTokenAge: "1 fortnight"', () => jwksgate.jwtVerify('a.b.c', jwks, { ...at, maxTokenAge: '1 fortnight' }), option('maxTokenAge')],
    ['jwtVerify maxTokenAge: "-5m ago"', () => jwksgate.jwtVerify('a.b.c', jwks, { ...at, maxTokenAge: '-5m ago' }), option('maxTokenAge')],
    // createRemoteJWKSet and createIssuerJWKSet options (js/remote.mjs, jose's words).
    ['timeoutDuration: 1.5', () => remote({ timeoutDuration: 1.5 }), jose('timeoutDuration')],
    ['cooldownDuration: -1', () => remote({ cooldownDuration: -1 }), jose('cooldownDuration')],
    ['cacheMaxAge: NaN', () => remote({ cacheMaxAge: NaN }), jose('cacheMaxAge')],
    ['cacheMinAge: -1', () => remote({ cacheMinAge: -1 }), jose('cacheMinAge')],
    ['cacheDefaultAge: NaN', () => remote({ cacheDefaultAge: NaN }), jose('cacheDefaultAge')],
    ['maxStaleDuration: -1', () => remote({ maxStaleDuration: -1 }), jose('maxStaleDuration')],
    ['maxResponseBytes: -1', () => remote({ maxResponseBytes: -1 }), jose('maxResponseBytes')],
    ['store: 5', () => remote({ store: 5 }), jose('store')],
    ['store: without put()', () => remote({ store: { get() {} } }), jose('store')],
    ['onKeys: "x"', () => remote({ onKeys: 'x' }), jose('onKeys')],
    ['onError: {}', () => remote({ onError: {} }), jose('onError')],
    ['headers: 5', () => remote({ headers: 5 }), jose('headers')],
    ['headers: a name with a space', () => remote({ headers: { 'x y': '1' } }), jose('headers')],
    ['customFetch: 5', () => remote({ [jwksgate.customFetch]: 5 }), jose('customFetch')],
    ['createIssuerJWKSet headers: [[1]]', () => jwksgate.createIssuerJWKSet('https://issuer.example', { headers: [[1]] }), jose('headers')],
    // Arguments, by the names the .d.ts gives them.
    ['verify(5)', () => verify(5, jwks), argument('token')],
    ['verify(token, jwks, 5)', () => verify('a.b.c', jwks, 5), argument('options')],
    ['verifyJws(token, jwks, [])', () => jwksgate.verifyJws('a.b.c', jwks, []), argument('options')],
    ['new Verifier(jwks, "x")', () => new Verifier(jwks, 'x'), argument('options')],
    ['Verifier.verify(5)', () => new Verifier(jwks).verify(5), argument('token')],
    ['Verifier.verifyJws(null)', () => new Verifier(jwks).verifyJws(null), argument('token')],
    ['Verifier.fromPublished({})', () => Verifier.fromPublished({}), argument('jwks')],
    ['decodeUnverified(5)', () => jwksgate.decodeUnverified(5), argument('token')],
    ['importPublicKeyPem(5)', () => jwksgate.importPublicKeyPem(5), argument('pem')],
    ['importX509(null)', () => jwksgate.importX509(null), argument('pem')],
    ['importPublicKeysPem([])', () => jwksgate.importPublicKeysPem([]), argument('text')],
    ['discoveryJwksUri(5, issuer)', () => jwksgate.discoveryJwksUri(5, 'https://i.example'), argument('document')],
    ['discoveryJwksUri(document, 5)', () => jwksgate.discoveryJwksUri('{}', 5), argument('issuer')],
    ['fetchableUrl(url, 5)', () => jwksgate.fetchableUrl('https://i.example', 5), argument('what')],
    ['verifySignature(jwk, 5, data, signature)', () => jwksgate.verifySignature(jwk, 5, bytes, bytes), argument('alg')],
    ['verifySignature(jwk, alg, "data", signature)', () => jwksgate.verifySignature(jwk, 'RS256', 'data', bytes), argument('data')],
    ['verifySignature(jwk, alg, data, [1])', () => jwksgate.verifySignature(jwk, 'RS256', bytes, [1]), argument('signature')],
    ['kubernetesIdentity(5)', () => jwksgate.kubernetesIdentity(5), argument('payload')],
    ['jwtVerify(token, 42)', () => jwksgate.jwtVerify('a.b.c', 42), argument('key')],
    ['createRemoteJWKSet(url, 5)', () => jwksgate.createRemoteJWKSet(url, 5), argument('options')],
    ['createRemoteJWKSet(42) (jose\'s words)', () => jwksgate.createRemoteJWKSet(42), 'url must be an instance of URL'],
    ['createRemoteJWKSet(a plain http URL elsewhere)', () => jwksgate.createRemoteJWKSet('http://issuer.example/keys'), 'url must use https'],
    ['createIssuerJWKSet(5)', () => jwksgate.createIssuerJWKSet(5), argument('issuer')],
    ['createIssuerJWKSet(an issuer with a query)', () => jwksgate.createIssuerJWKSet('https://i.example/?a=1'), argument('issuer')],
  ];
})();

test(`every ERR_INVALID_ARGUMENT names the option or argument: ${NAMED.length} rows`, async () => {
  const failures = [];
  for (const [name, call, phrase] of NAMED) {
    let error;
    try {
      await call();
    } catch (e) {
      error = e;
    }
    if (!error) failures.push(`${name}: accepted`);
    else if (!(error instanceof TypeError) || error.code !== 'ERR_INVALID_ARGUMENT') failures.push(`${name}: ${error.constructor?.name} ${error.code}: ${error.message}`);
    else if (!error.message.includes(phrase)) failures.push(`${name}: ${JSON.stringify(phrase)} not in: ${error.message}`);
  }
  assert.deepEqual(failures, []);
});
