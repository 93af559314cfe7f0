// Options fail closed: a table of option values run through jose 6 (jwtVerify, the reference)
// and through the package. Every value jose refuses, the package refuses; where the package
// refuses what jose accepts, the row says so ('stricter'); the one documented extension is a
// number of seconds as currentDate ('extension'). Then the Verifier's narrowing rule: per-call
// options may narrow the constructor's, never widen or remove them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jwtVerify, createLocalJWKSet } from 'jose';
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
