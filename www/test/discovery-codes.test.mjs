// The page tells a refused jwks_uri by the stable code its error carries, never by its words
// (www/lib/discovery.js `explain`): the package's ERR_DISCOVERY_INVALID holds the URL rule's
// refusal (src/fetch.rs, ERR_URL_*) as its `cause`, as jose's errors are told apart by `code`
// (panva/jose src/util/errors.ts). Run by Node on the built page (WWW_DIR) and the package it
// ships, with the discovery document served by the package's injectable fetch: no network.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const WWW = process.env.WWW_DIR ?? join(import.meta.dirname, '..', '..', 'target', 'www');
const load = (path) => import(pathToFileURL(join(WWW, path)).href);

const ISSUER = 'https://oidc.example-cluster.test';
const DISCOVERY = new URL(`${ISSUER}/.well-known/openid-configuration`);
const what = (url) => (url.href === DISCOVERY.href ? 'discovery document' : 'key set');
const HTTPS_ONLY = 'The discovery document\'s jwks_uri must be an https URL: plain http is fetched only from a loopback address.';
const CREDENTIALS = 'The discovery document\'s jwks_uri carries a user name and password. Browsers refuse to fetch such a URL, and the inspector never sends one.';

let explain;
let remote;
before(async () => {
  const glue = await load('pkg/jwksgate.js');
  glue.initSync({ module: readFileSync(join(WWW, 'pkg', 'jwksgate_bg.wasm')) });
  remote = await load('pkg/remote.mjs');
  ({ explain } = await load('lib/discovery.js'));
});

/** The package's error for a discovery document `doc` (the issuer's own unless it names one). */
async function refusal(doc) {
  const set = remote.createIssuerJWKSet(ISSUER, {
    [remote.customFetch]: async () => new Response(JSON.stringify({ issuer: ISSUER, ...doc }), { status: 200, headers: { 'content-type': 'application/json' } }),
  });
  try {
    await set.reload();
  } catch (e) {
    return e;
  }
  assert.fail(`${JSON.stringify(doc)} was not refused`);
}

describe('a refused jwks_uri is told by its code', () => {
  // (case, jwks_uri, the refusal's code, the page's words)
  const rows = [
    ['credentials in the URL', 'https://admin:hunter2@oidc.example-cluster.test/openid/v1/jwks', 'ERR_URL_CREDENTIALS', CREDENTIALS],
    ['plain http off loopback', 'http://keys.example-cluster.test/openid/v1/jwks', 'ERR_URL_PLAIN_HTTP', HTTPS_ONLY],
    ['another scheme', 'ftp://keys.example-cluster.test/openid/v1/jwks', 'ERR_URL_SCHEME', HTTPS_ONLY],
    ['not a URL', 'openid/v1/jwks', 'ERR_URL_INVALID', 'The discovery document\'s jwks_uri is not a URL.'],
  ];
  for (const [name, jwksUri, code, words] of rows) {
    test(name, async () => {
      const e = await refusal({ jwks_uri: jwksUri });
      assert.deepEqual([e.code, e.cause?.code], ['ERR_DISCOVERY_INVALID', code]);
      assert.equal(explain(e, DISCOVERY, what).message, words);
      // Other words, the same code: the same answer.
      const reworded = Object.assign(new Error('ce document ne convient pas', { cause: { code, message: '…' } }), { code: e.code });
      assert.equal(explain(reworded, DISCOVERY, what).message, words);
    });
  }
});

describe('words that look like a refusal are not one', () => {
  test('an issuer named in the message cannot pass for a jwks_uri refusal (it is the issuer\'s text)', async () => {
    // The document names another issuer, worded like the rules' messages (short enough to be
    // quoted whole): refused as that.
    for (const named of ['x jwks_uri must use https', 'x must not carry credentials', 'x jwks_uri is not a valid URL']) {
      const e = await refusal({ issuer: named, jwks_uri: `${ISSUER}/openid/v1/jwks` });
      assert.deepEqual([e.code, e.cause], ['ERR_DISCOVERY_INVALID', undefined], named);
      const told = explain(e, DISCOVERY, what).message;
      assert.match(told, /^The discovery document names issuer /, named);
      assert.ok(![HTTPS_ONLY, CREDENTIALS].includes(told) && !/is not a URL\.$/.test(told), told);
    }
  });
  test('a message in the old words without the code is told as what its code says', () => {
    for (const message of ['jwks_uri must use https (plain http only to a loopback address)', 'jwks_uri must not carry credentials (a user name or password)', 'jwks_uri is not a valid URL']) {
      const e = Object.assign(new Error(message), { code: 'ERR_JWKS_INVALID' });
      assert.equal(explain(e, DISCOVERY, what).message, `The discovery document at ${DISCOVERY.href} cannot be used: ERR_JWKS_INVALID: ${message}`);
    }
  });
});

// A body cut at the size cap or not UTF-8 (js/remote.mjs `get`) is told by the code of its
// error's `cause` (ERR_HTTP_TOO_LARGE with the cap as `maxBytes`, the gate's code for a body over
// its cap, src/net/mod.rs; ERR_HTTP_NOT_UTF8), never by the words of the message: an issuer
// quoted in a message may say anything.
const JWKS = new URL(`${ISSUER}/openid/v1/jwks`);
const NOT_UTF8 = new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]);

/** The package's error when the discovery document is `discovery` and the key set `keys` (bodies). */
async function bodyRefusal(discovery, keys, options = {}) {
  const set = remote.createIssuerJWKSet(ISSUER, {
    ...options,
    [remote.customFetch]: async (url) => new Response(String(url) === DISCOVERY.href ? discovery : keys, { status: 200 }),
  });
  try {
    await set.reload();
  } catch (e) {
    return e;
  }
  assert.fail('the bodies were not refused');
}

describe('a body over the cap or not UTF-8 is told by its code', () => {
  const doc = JSON.stringify({ issuer: ISSUER, jwks_uri: JWKS.href });
  const big = `{"keys":[],"pad":"${'x'.repeat(600 * 1024)}"}`;
  // (case, discovery body, key set body, options, error code, cause code, URL, the page's words)
  const rows = [
    ['discovery document over 512 KiB', big, '{}', {}, 'ERR_DISCOVERY_INVALID', 'ERR_HTTP_TOO_LARGE', DISCOVERY, `The discovery document at ${DISCOVERY.href} is over 512 KB; the inspector stopped reading it.`],
    ['key set over 512 KiB', doc, big, {}, 'ERR_JWKS_INVALID', 'ERR_HTTP_TOO_LARGE', JWKS, `The key set at ${JWKS.href} is over 512 KB; the inspector stopped reading it.`],
    ['key set over a cap of 2048 bytes', doc, big, { maxResponseBytes: 2048 }, 'ERR_JWKS_INVALID', 'ERR_HTTP_TOO_LARGE', JWKS, `The key set at ${JWKS.href} is over 2 KB; the inspector stopped reading it.`],
    ['discovery document not UTF-8', NOT_UTF8, '{}', {}, 'ERR_DISCOVERY_INVALID', 'ERR_HTTP_NOT_UTF8', DISCOVERY, `The discovery document at ${DISCOVERY.href} is not UTF-8 text.`],
    ['key set not UTF-8', doc, NOT_UTF8, {}, 'ERR_JWKS_INVALID', 'ERR_HTTP_NOT_UTF8', JWKS, `The key set at ${JWKS.href} is not UTF-8 text.`],
  ];
  for (const [name, discovery, keys, options, code, causeCode, url, words] of rows) {
    test(name, async () => {
      const e = await bodyRefusal(discovery, keys, options);
      assert.deepEqual([e.code, e.cause?.code], [code, causeCode]);
      assert.equal(explain(e, url, what).message, words);
      // Other words, the same codes: the same answer.
      const reworded = Object.assign(new Error('ce document ne convient pas', { cause: { ...e.cause, message: '…' } }), { code });
      assert.equal(explain(reworded, url, what).message, words);
    });
  }
  test('the package\'s messages are unchanged', async () => {
    const e = await bodyRefusal(doc, NOT_UTF8);
    assert.equal(e.message, 'the JSON Web Key Set HTTP response is not UTF-8');
    const over = await bodyRefusal(doc, big, { maxResponseBytes: 2048 });
    assert.equal(over.message, 'the JSON Web Key Set HTTP response is over 2048 bytes');
  });
});

describe('words that look like a body refusal are not one', () => {
  const SIZE = /is over \d+ KB; the inspector stopped reading it\.$/;
  const UTF8 = /is not UTF-8 text\.$/;
  test('an issuer named in the message cannot pass for a size or UTF-8 refusal', async () => {
    for (const named of ['x is over 1 bytes', 'x HTTP response is over 524288 bytes', 'x is not UTF-8']) {
      const e = await refusal({ issuer: named, jwks_uri: JWKS.href });
      assert.deepEqual([e.code, e.cause], ['ERR_DISCOVERY_INVALID', undefined], named);
      const told = explain(e, DISCOVERY, what).message;
      assert.match(told, /^The discovery document names issuer /, named);
      assert.ok(!SIZE.test(told) && !UTF8.test(told), told);
    }
  });
  test('the old words without the code, or under another code, are told as what their code says', () => {
    const messages = ['the JSON Web Key Set HTTP response is over 524288 bytes', 'the JSON Web Key Set HTTP response is not UTF-8'];
    const causes = [undefined, { code: 'ERR_URL_INVALID', message: 'x' }, { code: 'ERR_HTTP_TOO_LARGE_X' }, new TypeError('The encoded data was not valid for encoding utf-8')];
    for (const message of messages) {
      for (const cause of causes) {
        const e = Object.assign(new Error(message, { cause }), { code: 'ERR_JWKS_INVALID' });
        assert.equal(explain(e, JWKS, what).message, `The key set at ${JWKS.href} cannot be used: ERR_JWKS_INVALID: ${message}`, `${message} ${cause?.code}`);
      }
    }
  });
  test('a refusal\'s cause on an error of another code is not a body refusal', () => {
    for (const cause of [{ code: 'ERR_HTTP_TOO_LARGE', maxBytes: 1024 }, { code: 'ERR_HTTP_NOT_UTF8' }]) {
      const e = Object.assign(new Error('the token is malformed', { cause }), { code: 'ERR_JWT_INVALID' });
      assert.equal(explain(e, JWKS, what).message, `The key set at ${JWKS.href} cannot be used: ERR_JWT_INVALID: the token is malformed`);
    }
  });
});
