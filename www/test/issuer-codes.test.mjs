// The page tells "these keys were fetched for another issuer than the one you expect" by the
// refusal's stable code and the issuers it knows, never by the words of the message
// (www/lib/claims.js `issuerWidened`, used by app.js's verdict): keys fetched for an issuer are
// a Verifier bound to it, and a call's `issuer` may only narrow the Verifier's, refused as
// ERR_INVALID_ARGUMENT (src/wasm/options.rs `resolve`), as jose's errors are told apart by
// `code` (panva/jose src/util/errors.ts). Run by Node on the built page (WWW_DIR) and the
// package it ships: no browser.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { k8sClaims, rsaKey, signToken } from './helpers.mjs';

const WWW = process.env.WWW_DIR ?? join(import.meta.dirname, '..', '..', 'target', 'www');
const load = (path) => import(pathToFileURL(join(WWW, path)).href);

const BOUND = 'https://oidc.example-cluster.test';
const OTHER = 'https://another-issuer.test';
const key = rsaKey('k1');
const token = signToken({ alg: 'RS256', kid: 'k1' }, k8sClaims(BOUND), key);

let issuerWidened;
let glue;
before(async () => {
  glue = await load('pkg/jwksgate.js');
  glue.initSync({ module: readFileSync(join(WWW, 'pkg', 'jwksgate_bg.wasm')) });
  ({ issuerWidened } = await load('lib/claims.js'));
});

/** The Verifier the page holds for keys fetched for `bound` (none: pasted keys). */
const verifierFor = (bound) => new glue.Verifier({ keys: [key.jwk] }, bound ? { issuer: bound } : undefined);

/** The package's error when keys bound to `bound` verify the token with per-call `options`. */
function refusal(bound, options) {
  try {
    verifierFor(bound).verify(token, { algorithms: ['RS256'], ...options });
  } catch (e) {
    return e;
  }
  return assert.fail(`${JSON.stringify(options)} was not refused`);
}

/** The page's second call (app.js): the same options with the bound issuer, which narrows nothing. */
const withBound = (bound, options) => () => verifierFor(bound).verify(token, { algorithms: ['RS256'], ...options, issuer: bound });

describe('an expected issuer the fetched keys are not bound to is told by its code', () => {
  // (case, the expected issuer, whether the page names the conflict)
  const rows = [
    ['another issuer', OTHER, true],
    ['a look-alike of the bound issuer (trailing slash)', `${BOUND}/`, true],
    ['a look-alike of the bound issuer (Cyrillic о)', 'https://\u043eidc.example-cluster.test', true],
  ];
  for (const [name, expected, named] of rows) {
    test(name, () => {
      const e = refusal(BOUND, { issuer: expected });
      assert.equal(e.code, 'ERR_INVALID_ARGUMENT');
      assert.equal(issuerWidened(e, BOUND, expected, withBound(BOUND, { issuer: expected })), named);
      // Other words, the same code: the same answer.
      const reworded = Object.assign(new TypeError('cette option ne convient pas'), { code: e.code });
      assert.equal(issuerWidened(reworded, BOUND, expected, withBound(BOUND, { issuer: expected })), named);
    });
  }
  test('the bound issuer itself verifies: nothing to tell', () => {
    const verifier = new glue.Verifier({ keys: [key.jwk] }, { issuer: BOUND });
    assert.equal(verifier.verify(token, { algorithms: ['RS256'], issuer: BOUND }).payload.iss, BOUND);
  });
});

describe('words that look like the conflict are not one', () => {
  test('another option refused while the expected issuer is the bound one is not told as the conflict', () => {
    for (const options of [{ clockTolerance: -1 }, { audience: [] }, { issuer: BOUND, maxTokenAge: -5 }]) {
      const e = refusal(BOUND, { issuer: BOUND, ...options });
      assert.equal(e.code, 'ERR_INVALID_ARGUMENT', JSON.stringify(options));
      assert.equal(issuerWidened(e, BOUND, BOUND, withBound(BOUND, options)), false, e.message);
      // Worded like the issuer's refusal: still not it.
      const worded = Object.assign(new TypeError(`option issuer: "${OTHER}" is not among the Verifier's`), { code: e.code });
      assert.equal(issuerWidened(worded, BOUND, BOUND, withBound(BOUND, options)), false);
    }
  });
  test('another option refused while the expected issuer is another is not told as the conflict', () => {
    // Both wrong: the issuer widens the keys' and another option is malformed. The options are
    // read (and this one refused) before any narrowing is checked, so the refusal is the other
    // option's; the page's second call with the bound issuer is refused the same way, by code.
    for (const options of [{ algorithms: [] }, { clockTolerance: -1 }, { audience: [] }, { maxTokenAge: NaN }, { currentDate: 'soon' }]) {
      const e = refusal(BOUND, { issuer: OTHER, ...options });
      assert.equal(e.code, 'ERR_INVALID_ARGUMENT', JSON.stringify(options));
      assert.equal(issuerWidened(e, BOUND, OTHER, withBound(BOUND, options)), false, `${JSON.stringify(options)}: ${e.message}`);
    }
  });
  test('the issuer\'s words under another code are not the conflict', () => {
    // The token's own iss refused (its claim check, keys not bound), then words like the option's refusal.
    const claim = refusal(null, { issuer: OTHER });
    assert.equal(claim.code, 'ERR_JWT_CLAIM_VALIDATION_FAILED');
    assert.equal(issuerWidened(claim, null, OTHER), false);
    for (const code of ['ERR_JWT_CLAIM_VALIDATION_FAILED', 'ERR_JWS_INVALID', undefined]) {
      const worded = Object.assign(new Error(`option issuer: "${OTHER}" is not among the Verifier's; a call's options may narrow the Verifier's, not widen them`), { code });
      assert.equal(issuerWidened(worded, BOUND, OTHER, withBound(BOUND, {})), false, String(code));
    }
  });
  test('keys not fetched for an issuer (pasted) or no expected issuer: nothing to tell', () => {
    const e = Object.assign(new TypeError('option issuer: x'), { code: 'ERR_INVALID_ARGUMENT' });
    assert.equal(issuerWidened(e, null, OTHER, withBound(null, {})), false);
    assert.equal(issuerWidened(e, BOUND, undefined, withBound(BOUND, {})), false);
  });
});
