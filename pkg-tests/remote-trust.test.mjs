// What a remote key set trusts, attacked (issue 22, items 11, 13 and 14), against a loopback
// issuer and, where they overlap, panva/jose's createRemoteJWKSet (src/jwks/remote.ts: reload()
// installs whatever createLocalJWKSet accepts, any `{"keys": [objects]}`, so a set revoking its
// keys refuses at the next refresh):
// - a revocation (an empty set, a key marked `use: "enc"`) is the issuer's word, never an outage;
//   the last good set is served only when the fetch fails or the body is not a JWKS;
// - the caller's `headers` go to the issuer's origin only, never to a jwks_uri elsewhere;
// - a `store` entry names its set's URL and its times are clamped;
// - a key resolver is called once;
// - one rule (src/fetch.rs) for what may be fetched.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRemoteJWKSet, createIssuerJWKSet, jwtVerify, errors, fetchableUrl } from 'jwksgate';
import * as jose from 'jose';
import { issuer, clock } from './issuer.mjs';

const MIN = 60_000;
const code = (c) => (e) => {
  assert.equal(e?.code, c, `${e?.name} ${e?.code}: ${e?.message}`);
  return true;
};

const KINDS = [
  ['createRemoteJWKSet', (i, o) => createRemoteJWKSet(new URL(i.jwksUrl), o), (i) => new URL(i.jwksUrl).href],
  ['createIssuerJWKSet', (i, o) => createIssuerJWKSet(i.url, o), (i) => `${i.url}/.well-known/openid-configuration`],
];

const REVOCATIONS = [
  ['an empty set', (i) => { i.keys = []; }],
  ['its key marked use enc', (i) => { i.keys = i.keys.map((k) => ({ ...k, jwk: { ...k.jwk, use: 'enc' } })); }],
  ['its key marked key_ops encrypt', (i) => { i.keys = i.keys.map((k) => ({ ...k, jwk: { ...k.jwk, key_ops: ['encrypt'] } })); }],
];

for (const [kind, make, urlOf] of KINDS) {
  describe(`${kind}: revocation`, () => {
    for (const [name, revoke] of REVOCATIONS) {
      test(`the issuer publishes ${name}: refused at the next refresh, as jose refuses (ERR_JWKS_NO_MATCHING_KEY)`, async (t) => {
        const i = await issuer(t);
        const c = clock(t);
        const ours = make(i);
        const theirs = jose.createRemoteJWKSet(new URL(i.jwksUrl));
        const token = await i.token();
        assert.ok(await jwtVerify(token, ours));
        assert.ok(await jose.jwtVerify(token, theirs));
        revoke(i);
        // Within the cache lifetime both still hold the old set.
        assert.ok(await jwtVerify(token, ours));
        c.advance(11 * MIN); // past both lifetimes (10 minutes)
        await assert.rejects(jose.jwtVerify(token, theirs), code('ERR_JWKS_NO_MATCHING_KEY'), 'jose');
        await assert.rejects(jwtVerify(token, ours), code('ERR_JWKS_NO_MATCHING_KEY'), 'jwksgate');
        assert.equal(ours.fresh, true, 'the revoking set is installed, not treated as an outage');
        assert.deepEqual(ours.jwks(), i.jwks());
        // And it stays refused: nothing falls back to the stale set.
        c.advance(MIN);
        await assert.rejects(jwtVerify(token, ours), code('ERR_JWKS_NO_MATCHING_KEY'));
      });
    }

    test('reload() after a revocation: refused at once', async (t) => {
      const i = await issuer(t);
      const keys = make(i);
      const token = await i.token();
      assert.ok(await jwtVerify(token, keys));
      i.keys = [];
      await keys.reload();
      await assert.rejects(jwtVerify(token, keys), code('ERR_JWKS_NO_MATCHING_KEY'));
    });

    test('a first fetch of an empty set: no key verifies (jose: the same)', async (t) => {
      const i = await issuer(t);
      const token = await i.token();
      i.keys = [];
      await assert.rejects(jose.jwtVerify(token, jose.createRemoteJWKSet(new URL(i.jwksUrl))), code('ERR_JWKS_NO_MATCHING_KEY'), 'jose');
      await assert.rejects(jwtVerify(token, make(i)), code('ERR_JWKS_NO_MATCHING_KEY'), 'jwksgate');
    });

    test('an outage still serves the last good set: a body that is not a JWKS, a 500, the issuer down', async (t) => {
      const i = await issuer(t);
      const c = clock(t);
      const keys = make(i);
      const token = await i.token();
      assert.ok(await jwtVerify(token, keys));
      for (const mode of ['not-json', 'error', 'down', 'not-a-jwks']) {
        i.mode = mode;
        c.advance(11 * MIN);
        const before = i.requests.length;
        assert.ok(await jwtVerify(token, keys), mode);
        assert.ok(i.requests.length > before, `${mode}: a refresh was tried`);
        assert.equal(keys.fresh, false, mode);
      }
    });

    test('a revocation persisted by the store is honoured by a new set while the issuer is down', async (t) => {
      const i = await issuer(t);
      const saved = new Map();
      const store = { get: async () => saved.get('k'), put: async (e) => void saved.set('k', structuredClone(e)) };
      const token = await i.token();
      i.keys = [];
      await make(i, { store }).reload();
      i.mode = 'down';
      await assert.rejects(jwtVerify(token, make(i, { store })), code('ERR_JWKS_NO_MATCHING_KEY'));
    });
  });

  describe(`${kind}: the store`, () => {
    test('an entry records its set\'s URL; one for another URL, or none, is not used', async (t) => {
      const i = await issuer(t);
      const other = await issuer(t);
      const saved = new Map();
      const store = { get: async () => saved.get('k'), put: async (e) => void saved.set('k', structuredClone(e)) };
      await jwtVerify(await other.token(), make(other, { store }));
      assert.equal(saved.get('k').url, urlOf(other));
      // The same store shared by mistake with the set of another URL: the other issuer's keys
      // must not verify anything for this one, even while this one is down.
      i.mode = 'down';
      await assert.rejects(jwtVerify(await other.token(), make(i, { store })), 'the entry of another URL was used');
      // An entry that names no URL (written before entries did) is not used either.
      const { url, ...withoutUrl } = saved.get('k');
      saved.set('k', withoutUrl);
      other.mode = 'down';
      await assert.rejects(jwtVerify(await other.token(), make(other, { store })), 'an entry without a URL was used');
      saved.set('k', { url, ...withoutUrl });
      assert.ok(await jwtVerify(await other.token(), make(other, { store })), 'its own entry');
    });

    test('an entry\'s expiresAt and uat are clamped: at most cacheMaxAge after a uat no later than now', async (t) => {
      const i = await issuer(t);
      const c = clock(t);
      const token = await i.token();
      const jwks = JSON.stringify(i.jwks());
      const now = Date.now();
      const entries = [
        ['expiresAt ten years on', { uat: now, expiresAt: now + 3650 * 86_400_000 }],
        ['uat ten years on', { uat: now + 3650 * 86_400_000 }],
        ['both ten years on', { uat: now + 3650 * 86_400_000, expiresAt: now + 3651 * 86_400_000 }],
      ];
      i.mode = 'down';
      for (const [name, times] of entries) {
        const entry = { url: urlOf(i), jwks, ...times };
        const keys = make(i, { store: { get: async () => entry, put: async () => {} }, maxStaleDuration: 60 * MIN });
        assert.ok(await jwtVerify(token, keys), `${name}: fresh now`);
        c.advance(10 * MIN + 60 * MIN + 1000); // past cacheMaxAge and maxStaleDuration
        await assert.rejects(jwtVerify(token, keys), `${name}: still served past cacheMaxAge + maxStaleDuration`);
      }
    });
  });
}

describe('createIssuerJWKSet: headers', () => {
  test('the caller\'s headers go to the issuer, and to a jwks_uri on its origin, never to another origin', async (t) => {
    const i = await issuer(t);
    const elsewhere = await issuer(t);
    const headers = { authorization: 'Bearer issuer-secret', 'x-tenant': 'a' };
    i.jwksUri = elsewhere.jwksUrl;
    elsewhere.keys = i.keys;
    assert.ok(await jwtVerify(await i.token(), createIssuerJWKSet(i.url, { headers })));
    const [discovery] = i.requests;
    assert.equal(discovery.headers.authorization, 'Bearer issuer-secret');
    const [keys] = elsewhere.requests;
    assert.equal(keys.url, '/keys');
    assert.equal(keys.headers.authorization, undefined, 'the Authorization reached another origin');
    assert.equal(keys.headers['x-tenant'], undefined);
    assert.match(keys.headers['user-agent'], /^jwksgate\//, 'the package\'s own headers are still sent');
    // Same origin: the headers go along, as jose sends them to its one URL.
    i.jwksUri = null;
    i.requests.length = 0;
    assert.ok(await jwtVerify(await i.token(), createIssuerJWKSet(i.url, { headers })));
    assert.deepEqual(i.requests.map((r) => [r.url, r.headers.authorization]), [
      ['/.well-known/openid-configuration', 'Bearer issuer-secret'],
      ['/keys', 'Bearer issuer-secret'],
    ]);
  });
});

describe('a key resolver', () => {
  test('is called once: one resolving to a function is refused, not called again without end', async (t) => {
    const i = await issuer(t);
    const token = await i.token();
    let calls = 0;
    const resolver = async () => {
      calls++;
      return calls > 5 ? i.jwks() : resolver;
    };
    await assert.rejects(jwtVerify(token, resolver), (e) => e instanceof TypeError && e.code === 'ERR_INVALID_ARGUMENT');
    assert.equal(calls, 1);
    // A resolver resolving to a key set made here is a key source, as before.
    const set = createRemoteJWKSet(i.jwksUrl);
    assert.ok(await jwtVerify(token, async () => set));
  });
});

describe('one rule for what may be fetched (src/fetch.rs)', () => {
  // (url, allowed). createRemoteJWKSet used to take plain http from anywhere (as jose does).
  const table = [
    ['https://issuer.example/keys', true],
    ['http://127.0.0.1:1/keys', true],
    ['http://localhost:1/keys', true],
    ['http://[::1]:1/keys', true],
    ['http://[0:0:0:0:0:0:0:1]:1/keys', true], // WHATWG's href: http://[::1]:1/keys
    ['http://0x7f.1/keys', true], // WHATWG's href is http://127.0.0.1/keys: what fetch requests
    ['http://issuer.example/keys', false],
    ['http://127.0.0.1.nip.io/keys', false],
    ['http://localhost.evil.test/keys', false],
    ['http://[::ffff:127.0.0.1]/keys', false],
    ['http://user:pw@127.0.0.1/keys', false],
    ['https://user@issuer.example/keys', false],
    ['ftp://127.0.0.1/keys', false],
  ];
  for (const [url, allowed] of table) {
    test(`${url}: ${allowed ? 'fetched' : 'refused'} by createRemoteJWKSet and createIssuerJWKSet`, () => {
      const issuerUrl = url.replace(/\/keys$/, '');
      for (const make of [() => createRemoteJWKSet(url), () => createRemoteJWKSet(new URL(url)), () => createIssuerJWKSet(issuerUrl)]) {
        if (allowed) assert.equal(typeof make(), 'function');
        else assert.throws(make, (e) => e instanceof TypeError && e.code === 'ERR_INVALID_ARGUMENT');
      }
    });
  }

  test('fetchableUrl: the codes', () => {
    assert.equal(fetchableUrl('https://issuer.example/keys', 'url'), null);
    assert.deepEqual(fetchableUrl('http://issuer.example/keys', 'jwks_uri'), { code: 'ERR_URL_PLAIN_HTTP', message: 'jwks_uri must use https (plain http only to a loopback address: 127.0.0.0/8, [::1], localhost)' });
    assert.equal(fetchableUrl('https://u:p@issuer.example/', 'x').code, 'ERR_URL_CREDENTIALS');
    assert.equal(fetchableUrl('ftp://issuer.example/', 'x').code, 'ERR_URL_SCHEME');
    assert.equal(fetchableUrl('nope', 'x').code, 'ERR_URL_INVALID');
    assert.equal(fetchableUrl(42, 'x').code, 'ERR_URL_INVALID');
  });

  test('a jwks_uri on plain http to another host is refused before it is fetched', async (t) => {
    const i = await issuer(t);
    i.jwksUri = 'http://0x7f000001.nip.io/keys';
    await assert.rejects(jwtVerify(await i.token(), createIssuerJWKSet(i.url)), (e) => e instanceof errors.DiscoveryInvalid);
    assert.equal(i.hits.jwks, 0);
  });
});
