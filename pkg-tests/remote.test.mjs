// Remote and issuer key sets against a loopback issuer, where jwksgate goes beyond jose's
// createRemoteJWKSet (panva/jose src/jwks/remote.ts) as the login gate needs: rotation,
// Cache-Control, one refetch per cooldown under a flood of unknown kids (fetches counted), the
// last good set through an outage (bounded), a hung issuer cut off, redirects, a wrong issuer in
// discovery, oversized bodies, a persistent cache. Time passes by moving Date.now (clock()),
// never by measuring it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRemoteJWKSet, createIssuerJWKSet, jwtVerify, errors } from 'jwksgate';
import * as jose from 'jose';
import { issuer, clock } from './issuer.mjs';

const MIN = 60_000;
const is = (Class, message) => (e) => {
  assert.ok(e instanceof Class, `${e?.name} ${e?.code}: ${e?.message}`);
  assert.equal(e.code, Class.code);
  if (message) assert.match(e.message, message);
  return true;
};

/** Waits (a bounded number of short sleeps) for `cond`. */
async function until(cond, what) {
  for (let n = 0; n < 200 && !cond(); n++) await new Promise((ok) => setTimeout(ok, 10));
  assert.ok(cond(), what);
}

// Both kinds of remote set: from a JWKS URL, and from the issuer by discovery.
const KINDS = [
  ['createRemoteJWKSet', (i, o) => createRemoteJWKSet(new URL(i.jwksUrl), o)],
  ['createIssuerJWKSet', (i, o) => createIssuerJWKSet(i.url, o)],
];

for (const [kind, make] of KINDS) {
  describe(kind, () => {
    test('rotation: a token naming a newly published key refetches once, at once', async (t) => {
      const i = await issuer(t);
      const keys = make(i);
      const old = await i.token();
      assert.ok(await jwtVerify(old, keys));
      i.rotate(); // the new key is published beside the old one, and signs from now on
      const r = await jwtVerify(await i.token(), keys);
      assert.equal(r.key.kid, i.signing.kid);
      assert.equal(i.hits.jwks, 2);
      assert.ok(await jwtVerify(old, keys), 'the old key is still published');
      // jose does not refetch within its cooldown after any fetch, so refuses the new key for up
      // to 30 s; jwksgate's cooldown spaces the refetches unknown kids cause (the next test).
      const [ours, theirs] = [make(i), jose.createRemoteJWKSet(new URL(i.jwksUrl))];
      await jwtVerify(old, ours);
      await jose.jwtVerify(old, theirs);
      i.rotate();
      const rotated = await i.token();
      await assert.rejects(jose.jwtVerify(rotated, theirs), (e) => e.code === 'ERR_JWKS_NO_MATCHING_KEY');
      assert.ok(await jwtVerify(rotated, ours));
    });

    test('a flood of unknown kids: one refetch per cooldown, fetches counted', async (t) => {
      const i = await issuer(t);
      const c = clock(t);
      const keys = make(i);
      await jwtVerify(await i.token(), keys);
      const flood = async () => {
        const tokens = await Promise.all(Array.from({ length: 40 }, (_, n) => i.token({ kid: `unknown-${n}` })));
        const results = await Promise.allSettled(tokens.map((tk) => jwtVerify(tk, keys)));
        for (const r of results) assert.ok(r.status === 'rejected' && is(errors.JWKSNoMatchingKey)(r.reason));
      };
      await flood();
      assert.equal(i.hits.jwks, 2, 'the first fetch, then one refetch for all 40');
      assert.equal(keys.coolingDown, true);
      await flood();
      assert.equal(i.hits.jwks, 2, 'within the cooldown: none');
      c.advance(31_000);
      await flood();
      assert.equal(i.hits.jwks, 3, 'the next cooldown: one more');
      assert.ok(await jwtVerify(await i.token(), keys), 'known kids are not held up');
      if (kind === 'createIssuerJWKSet') assert.equal(i.hits.discovery, 3);
    });

    test('Cache-Control max-age sets the lifetime, clamped to [cacheMinAge, cacheMaxAge]', async (t) => {
      const i = await issuer(t, { cacheControl: 'public, max-age=120' });
      const c = clock(t);
      const keys = make(i);
      const token = await i.token();
      await jwtVerify(token, keys);
      c.advance(119_000);
      await jwtVerify(token, keys);
      assert.equal(i.hits.jwks, 1);
      c.advance(2000);
      assert.equal(keys.fresh, false);
      await jwtVerify(token, keys);
      assert.equal(i.hits.jwks, 2, 'refetched after max-age');
      // max-age beyond cacheMaxAge (10 minutes by default) is cut to it.
      i.cacheControl = 'max-age=86400';
      await keys.reload();
      c.advance(10 * MIN + 1000);
      assert.equal(keys.fresh, false);
      // no-store counts as 0, raised to cacheMinAge (the cooldown, 30 s, by default).
      i.cacheControl = 'no-store';
      await keys.reload();
      assert.equal(keys.fresh, true);
      c.advance(31_000);
      assert.equal(keys.fresh, false);
    });

    test('one fetch in flight: a cold set and a burst of verifies make one request', async (t) => {
      const i = await issuer(t);
      const keys = make(i);
      const token = await i.token();
      await Promise.all(Array.from({ length: 25 }, () => jwtVerify(token, keys)));
      assert.equal(i.hits.jwks, 1);
    });

    test('outage: the last good set serves past its lifetime, up to maxStaleDuration', async (t) => {
      const i = await issuer(t);
      const c = clock(t);
      const keys = make(i, { maxStaleDuration: 60 * MIN, timeoutDuration: 300 });
      const token = await i.token();
      await jwtVerify(token, keys);
      for (const mode of ['down', 'error', 'hang']) {
        i.mode = mode;
        c.advance(11 * MIN); // past the 10 minute lifetime, and past the back-off of the last failure
        const before = i.requests.length;
        assert.ok(await jwtVerify(token, keys), mode);
        assert.equal(i.requests.length, before + 1, `${mode}: a refresh was tried`);
        assert.equal(keys.fresh, false);
      }
    });

    test('outage beyond maxStaleDuration: the fetch error, and back-off between tries', async (t) => {
      const i = await issuer(t);
      const c = clock(t);
      const keys = make(i, { maxStaleDuration: 5 * MIN });
      const token = await i.token();
      await jwtVerify(token, keys);
      i.mode = 'error';
      c.advance(16 * MIN);
      await assert.rejects(jwtVerify(token, keys), is(errors.JOSEError, /Expected 200 OK/));
      const tried = i.requests.length;
      for (let n = 0; n < 5; n++) await assert.rejects(jwtVerify(token, keys), is(errors.JOSEError));
      assert.equal(i.requests.length, tried, 'no fetch within the cooldown after a failure');
      i.mode = 'up';
      c.advance(31_000);
      assert.ok(await jwtVerify(token, keys), 'the issuer is back: the next try after the cooldown');
    });

    test('a hung issuer is cut off at timeoutDuration: JWKSTimeout, the connection closed', async (t) => {
      const i = await issuer(t);
      i.mode = 'hang';
      const keys = make(i, { timeoutDuration: 300 });
      await assert.rejects(jwtVerify(await i.token(), keys), is(errors.JWKSTimeout));
      await until(() => i.hanging === 0, 'the request was aborted');
    });

    test('a redirect is not followed', async (t) => {
      const i = await issuer(t);
      i.mode = 'redirect';
      await assert.rejects(jwtVerify(await i.token(), make(i)), is(errors.JOSEError, /Expected 200 OK/));
      assert.equal(i.hits.redirected, 0);
    });

    for (const mode of ['huge', 'huge-chunked']) {
      test(`an oversized body (${mode === 'huge' ? 'declared length' : 'chunked, no length'}) is refused`, async (t) => {
        const i = await issuer(t);
        i.mode = mode;
        const Invalid = kind === 'createIssuerJWKSet' ? errors.DiscoveryInvalid : errors.JWKSInvalid;
        await assert.rejects(jwtVerify(await i.token(), make(i)), is(Invalid, /over 524288 bytes/));
        await assert.rejects(jwtVerify(await i.token(), make(i, { maxResponseBytes: 100 })), is(Invalid, /over 100 bytes/));
      });
    }

    test('a malformed token is refused before any fetch', async (t) => {
      const i = await issuer(t);
      i.mode = 'down';
      await assert.rejects(jwtVerify('a.b', make(i)), is(errors.JWSInvalid));
      assert.equal(i.requests.length, 0);
    });

    test('a persistent store: written after a fetch, read once, a new set starts warm while the issuer is down', async (t) => {
      const i = await issuer(t);
      const saved = new Map();
      let reads = 0;
      const store = { get: async () => (reads++, saved.get('k')), put: async (e) => void saved.set('k', structuredClone(e)) };
      await jwtVerify(await i.token(), make(i, { store }));
      const entry = saved.get('k');
      assert.deepEqual(JSON.parse(entry.jwks), i.jwks());
      assert.ok(entry.expiresAt > entry.uat);
      i.mode = 'down';
      const warm = make(i, { store });
      const before = i.requests.length;
      assert.ok(await jwtVerify(await i.token(), warm));
      assert.ok(await jwtVerify(await i.token(), warm));
      assert.equal(i.requests.length, before, 'fresh from the store: no fetch');
      assert.equal(reads, 2, 'read once per set');
      await assert.rejects(jwtVerify(await i.token(), make(i)), 'without the store: no keys');
      // A store that fails is reported, never fatal.
      i.mode = 'up';
      const seen = [];
      const broken = { get: async () => { throw new Error('kv down'); }, put: async () => { throw new Error('kv down'); } };
      assert.ok(await jwtVerify(await i.token(), make(i, { store: broken, onError: (e) => seen.push(e.message) })));
      assert.deepEqual(seen, ['kv down', 'kv down']);
    });

    test('onKeys sees each new set and may refuse it', async (t) => {
      const i = await issuer(t);
      const seen = [];
      await jwtVerify(await i.token(), make(i, { onKeys: (text) => seen.push(JSON.parse(text).keys.length) }));
      assert.deepEqual(seen, [1]);
      const refusing = make(i, { onKeys: () => { throw new errors.JWKSInvalid('not for this gate'); } });
      await assert.rejects(jwtVerify(await i.token(), refusing), is(errors.JWKSInvalid, /not for this gate/));
    });

    test('ready({ waitUntil }): an expired set keeps serving while its refresh runs in the background', async (t) => {
      const i = await issuer(t);
      const c = clock(t);
      const keys = make(i, { timeoutDuration: 20_000 });
      const token = await i.token();
      const first = await keys.ready();
      assert.ok(first.verify(token));
      i.mode = 'hang';
      c.advance(11 * MIN);
      const kept = [];
      const v = await keys.ready({ waitUntil: (p) => kept.push(p) });
      assert.ok(v.verify(token), 'answered while the issuer holds the refresh open');
      assert.equal(kept.length, 1);
      await until(() => i.hanging === 1, 'the refresh reached the issuer');
      await keys.ready({ waitUntil: (p) => kept.push(p) });
      assert.equal(i.hanging, 1, 'no second refresh');
      i.mode = 'up';
      await i.stop(); // ends the held request: the background refresh fails, the set stays
      await Promise.all(kept);
      assert.ok((await keys.ready({ waitUntil: () => {} })).verify(token));
      await i.start();
    });
  });
}

describe('createIssuerJWKSet: discovery', () => {
  test('the issuer with a path: <issuer>/.well-known/openid-configuration, then its jwks_uri', async (t) => {
    const i = await issuer(t, { path: '/id/EXAMPLE' });
    const keys = createIssuerJWKSet(i.url);
    assert.ok(await jwtVerify(await i.token(), keys, { issuer: i.url }));
    assert.deepEqual(i.requests.map((r) => r.url), ['/id/EXAMPLE/.well-known/openid-configuration', '/id/EXAMPLE/keys']);
    assert.equal(keys.jwksUri, i.jwksUrl);
    assert.equal(keys.discoveryUrl, `${i.url}/.well-known/openid-configuration`);
    // A trailing slash is dropped before the well-known path (OpenID Connect Discovery section 4).
    await createIssuerJWKSet(`${i.url}/`).reload().catch(() => {});
    assert.equal(i.requests.at(-1).url, '/id/EXAMPLE/.well-known/openid-configuration');
  });

  test('a document naming another issuer is refused: DiscoveryInvalid, its jwks_uri never fetched', async (t) => {
    const i = await issuer(t);
    i.wrongIssuer = true;
    await assert.rejects(jwtVerify(await i.token(), createIssuerJWKSet(i.url)), is(errors.DiscoveryInvalid));
    assert.equal(i.hits.jwks, 0);
    // Exactly equal: a trailing slash is another issuer.
    i.wrongIssuer = false;
    await assert.rejects(jwtVerify(await i.token(), createIssuerJWKSet(`${i.url}/`)), is(errors.DiscoveryInvalid));
    assert.equal(i.hits.jwks, 0);
  });

  test('jwks_uri: https, or http on loopback only, no credentials', async (t) => {
    const i = await issuer(t);
    for (const uri of ['http://issuer.example/keys', 'ftp://127.0.0.1/keys', 'http://user:pw@127.0.0.1/keys', 'not a url']) {
      i.jwksUri = uri;
      await assert.rejects(jwtVerify(await i.token(), createIssuerJWKSet(i.url)), is(errors.DiscoveryInvalid), uri);
    }
    assert.equal(i.hits.jwks, 0);
  });

  test('the issuer URL itself: https (http on loopback), no query, fragment or credentials', () => {
    for (const bad of ['http://issuer.example', 'https://issuer.example?x=1', 'https://issuer.example#f', 'https://u:p@issuer.example', 'issuer', 42]) {
      assert.throws(() => createIssuerJWKSet(bad), (e) => e instanceof TypeError && e.code === 'ERR_INVALID_ARGUMENT', String(bad));
    }
    assert.equal(typeof createIssuerJWKSet('https://oidc.eks.eu-west-1.amazonaws.com/id/ABC'), 'function');
  });
});

test('createRemoteJWKSet takes a URL or a string, http(s) only', () => {
  assert.equal(typeof createRemoteJWKSet('https://issuer.example/keys'), 'function');
  for (const bad of ['file:///etc/passwd', 'data:application/json,{}', 'nope']) {
    assert.throws(() => createRemoteJWKSet(bad), (e) => e instanceof TypeError, bad);
  }
});
