// Key handling under workerd against the stand-in issuer: rotation without downtime, the issuer
// down with and without cached keys (per isolate and persisted in KV), wrong issuer, fetch
// limits, and one refetch per cooldown under a flood of unknown kids.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Issuer, signJwt } from '../dev/issuer.mjs';
import { roles, sleep, startGate } from './helpers.mjs';

const AUD = 'https://gate.example';
const ROLES = roles({ r: { user_claim: 'sub', bound_audiences: [AUD] } });
const open = [];
const gateFor = async (issuer, extra = {}, opts = {}) => {
  const g = await startGate({ OIDC_DISCOVERY_URL: issuer.url, ROLES, ...extra }, opts);
  open.push(g);
  return g;
};
const issuers = [];
const newIssuer = async () => {
  const i = await new Issuer().start();
  issuers.push(i);
  return i;
};
after(async () => {
  for (const g of open) await g.dispose();
  for (const i of issuers) await i.stop();
});
const mint = (issuer, opts = {}) => issuer.mint({ audience: AUD, ...opts });

describe('keys', () => {
  test('rotation without downtime: old and new tokens both log in', async () => {
    const issuer = await newIssuer();
    const gate = await gateFor(issuer);
    const old = mint(issuer);
    assert.equal((await gate.login('r', old)).status, 200);
    issuer.rotate(); // kube-apiserver publishes the new key next to the old one
    const fresh = mint(issuer);
    assert.equal((await gate.login('r', fresh)).status, 200, 'unknown kid: refetched once');
    assert.equal((await gate.login('r', old)).status, 200, 'old key still published');
    assert.equal(issuer.hits.jwks, 2);
    issuer.retireOld();
    assert.equal((await gate.login('r', mint(issuer))).status, 200);
  });

  test('issuer down, keys cached in the isolate: logins go on', async () => {
    const issuer = await newIssuer();
    const gate = await gateFor(issuer);
    assert.equal((await gate.login('r', mint(issuer))).status, 200);
    issuer.mode = 'down';
    assert.equal((await gate.login('r', mint(issuer))).status, 200);
  });

  test('issuer down after the cache expired: the last good set is served', async () => {
    const issuer = await newIssuer();
    const gate = await gateFor(issuer, { KEYS_CACHE_MIN_TTL: '0', KEYS_CACHE_MAX_TTL: '1', KEYS_REFETCH_COOLDOWN: '0' });
    assert.equal((await gate.login('r', mint(issuer))).status, 200);
    issuer.mode = 'error';
    await sleep(1100); // outlive the 1 s cache lifetime; nothing is measured
    const before = issuer.hits.jwks;
    assert.equal((await gate.login('r', mint(issuer))).status, 200);
    assert.equal(issuer.hits.jwks, before, 'the refresh failed at discovery (500)');
    assert.ok(issuer.hits.discovery >= 2, 'a refresh was attempted');
  });

  test('an expired set keeps serving while its refresh runs in the background', async () => {
    const issuer = await newIssuer();
    const gate = await gateFor(issuer, { KEYS_CACHE_MIN_TTL: '0', KEYS_CACHE_MAX_TTL: '1', KEYS_REFETCH_COOLDOWN: '0', KEYS_FETCH_TIMEOUT_MS: '20000' });
    assert.equal((await gate.login('r', mint(issuer))).status, 200);
    issuer.mode = 'hang';
    await sleep(1100); // outlive the 1 s cache lifetime; nothing is measured
    const before = issuer.hits.discovery;
    assert.equal((await gate.login('r', mint(issuer))).status, 200);
    // The login was answered while the refresh's request is still held open by the issuer: it
    // did not wait for the refresh (which would have ended only at the 20 s fetch timeout).
    assert.equal(issuer.hanging, 1);
    assert.equal(issuer.hits.discovery, before + 1);
    assert.equal((await gate.login('r', mint(issuer))).status, 200, 'a second login neither waits nor starts another refresh');
    assert.equal(issuer.hits.discovery, before + 1);
  });

  test('stale beyond KEYS_MAX_STALE: 503', async () => {
    const issuer = await newIssuer();
    const gate = await gateFor(issuer, { KEYS_CACHE_MIN_TTL: '0', KEYS_CACHE_MAX_TTL: '0', KEYS_MAX_STALE: '1', KEYS_REFETCH_COOLDOWN: '0' });
    assert.equal((await gate.login('r', mint(issuer))).status, 200);
    issuer.mode = 'down';
    await sleep(1100);
    const r = await gate.login('r', mint(issuer));
    assert.equal(r.status, 503);
    assert.deepEqual(r.body, { errors: ['no keys available'] }, 'the reason (the staleness bound) is in the log only');
  });

  test('issuer down and nothing cached: 503 with a clear error', async () => {
    const issuer = await newIssuer();
    issuer.mode = 'down';
    const gate = await gateFor(issuer);
    const r = await gate.login('r', 'x.y.z');
    assert.equal(r.status, 503);
    assert.deepEqual(r.body, { errors: ['no keys available'] }, 'how the fetch failed is in the log only');
    const p = await gate.call('/anything', { headers: { authorization: 'Bearer x.y.z' } });
    assert.equal(p.status, 404, 'no ORIGIN: nothing to proxy');
  });

  test('a new isolate starts warm from KV while the issuer is down', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jwksgate-kv-'));
    try {
      const issuer = await newIssuer();
      const first = await gateFor(issuer, {}, { kvPersist: dir });
      assert.equal((await first.login('r', mint(issuer))).status, 200);
      await first.dispose();
      open.splice(open.indexOf(first), 1);
      issuer.mode = 'down';
      const second = await gateFor(issuer, {}, { kvPersist: dir });
      assert.equal((await second.login('r', mint(issuer))).status, 200);
      const cold = await gateFor(issuer);
      assert.equal((await cold.login('r', mint(issuer))).status, 503, 'without the KV copy: no keys');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // [case, issuer mode or setup, extra settings]
  const refusals = [
    ['wrong issuer in discovery', (i) => (i.wrongIssuer = true), {}],
    ['redirects are not followed', (i) => (i.mode = 'redirect'), {}],
    ['non-200 refused', (i) => (i.mode = 'error'), {}],
    ['size cap', (i) => (i.mode = 'huge'), {}],
    ['timeout', (i) => (i.mode = 'hang'), { KEYS_FETCH_TIMEOUT_MS: '300' }],
  ];
  for (const [name, setup, extra] of refusals) {
    test(`${name}: 503`, async () => {
      const issuer = await newIssuer();
      setup(issuer);
      const gate = await gateFor(issuer, extra);
      const r = await gate.login('r', mint(issuer));
      assert.equal(r.status, 503, JSON.stringify(r.body));
    });
  }

  test('JWKS_URL directly, with the same rules', async () => {
    const issuer = await newIssuer();
    const g = await startGate({ JWKS_URL: `${issuer.url}/openid/v1/jwks`, ROLES });
    open.push(g);
    assert.equal((await g.login('r', mint(issuer))).status, 200);
    assert.equal(issuer.hits.discovery, 0);
  });

  test('inline JWKS and PUBLIC_KEYS_PEM need no fetch', async () => {
    const issuer = await newIssuer();
    const pem = issuer.signing.publicKey.export({ type: 'spki', format: 'pem' });
    for (const bindings of [{ JWKS: JSON.stringify({ keys: [issuer.signing.jwk] }) }, { PUBLIC_KEYS_PEM: pem }]) {
      const g = await startGate({ ...bindings, ROLES });
      open.push(g);
      assert.equal((await g.login('r', mint(issuer))).status, 200, Object.keys(bindings)[0]);
    }
    assert.deepEqual(issuer.hits, { discovery: 0, jwks: 0 });
  });

  test('a flood of unknown kids: one refetch per cooldown, one fetch in flight', async () => {
    const issuer = await newIssuer();
    const gate = await gateFor(issuer, { KEYS_REFETCH_COOLDOWN: '600' });
    const claims = { sub: 'x', aud: AUD, iss: issuer.url, exp: Math.floor(Date.now() / 1000) + 600 };
    const flood = () =>
      Promise.all(
        Array.from({ length: 40 }, (_, n) => gate.login('r', signJwt({ alg: 'RS256', kid: `unknown-${n}-${Math.random()}` }, claims, issuer.signing.privateKey))),
      );
    const first = await flood();
    assert.ok(first.every((r) => r.status === 400), 'all refused');
    assert.equal(issuer.hits.jwks, 2, 'the first fetch, then one refetch for the unknown kids');
    const second = await flood();
    assert.ok(second.every((r) => r.status === 400));
    assert.equal(issuer.hits.jwks, 2, 'inside the cooldown: no more fetches');
    assert.equal((await gate.login('r', mint(issuer))).status, 200, 'known kids still work');
  });
});
