// The token inspector in a real browser (Debian's Chromium via playwright-core) against the page
// served on 127.0.0.1: verdicts, warnings, panels, hostile input, key formats, the fragment, the
// example, and that nothing leaves the page's origin unless the fetch button is pressed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ARTIFACTS, b64u, k8sClaims, nowSeconds, pageKit, rsaKey, signToken as signWith, siteAndBrowser, startIssuer,
} from './helpers.mjs';
import { token as example, issuer as exampleIssuer } from '../example.js';

const env = {};
const { open, close, act, fillIn, waitVerdict, warningIds, pasteTokenAndKeys } = pageKit(env);
const key = rsaKey();
const jwks = { keys: [key.jwk] };
const ISS = 'https://oidc.example-cluster.test';
const shots = [];
/** Signs with the suite's key unless another is given. */
const signToken = (header, payload, k = key) => signWith(header, payload, k);

siteAndBrowser(env);
before(() => mkdirSync(ARTIFACTS, { recursive: true }));
after(() => console.log(`# ${shots.length} screenshots in ${ARTIFACTS}`));

async function shot(page, name, fullPage = true) {
  const file = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage });
  shots.push(file);
  return file;
}

describe('token inspector', () => {
  test('the example button shows every panel working, with no request off the page', async () => {
    const p = await open();
    const { page } = p;
    await act(page, () => page.getByRole('button', { name: 'Load the example' }).click());
    const text = await waitVerdict(page, 'verified');
    assert.match(text, /Verified/);
    const matched = await page.locator('#matched-key').innerText();
    assert.match(matched, /JHJehTTTZlsspKHT-GaJxK7Kd1NQgZJu3fyK6K_QDYU/, 'kid is Kubernetes\' rsaKeyID');
    assert.match(matched, /Kubernetes key id\s+JHJehTTTZlsspKHT-GaJxK7Kd1NQgZJu3fyK6K_QDYU/);
    const k8s = await page.locator('#k8s').innerText();
    for (const s of ['ci', 'build-bot', 'build-bot-6d8f9c7b5-x2kqp', 'worker-7', 'system:serviceaccount:ci:build-bot (matches sub)', 'Projected token']) {
      assert.ok(k8s.includes(s), `Kubernetes panel shows ${s}`);
    }
    assert.match(await page.locator('#claims tr[data-name=exp]').innerText(), /expires in 50 min/);
    assert.match(await page.locator('#claims tr[data-name=iat]').innerText(), /2026-11-28 09:00:00 UTC[\s\S]*issued 10 min ago/);
    assert.deepEqual(await warningIds(page), []);
    assert.equal(await page.locator('#key-list tr.matched').count(), 1);
    // Three coloured segments in the raw token.
    assert.equal(await page.locator('#token-raw .seg-header, #token-raw .seg-payload, #token-raw .seg-signature').count(), 3);
    assert.match(await page.locator('#payload-json .j-key').first().innerText(), /"aud"/);
    await shot(page, 'example-light');
    const readme = await shot(page, 'inspector', false);
    if (process.env.WWW_UPDATE_SCREENSHOT) copyFileSync(readme, join(import.meta.dirname, '..', '..', 'docs', 'inspector.png'));
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot(page, 'example-dark');
    // A phone-sized window: one column, nothing wider than the screen.
    await page.setViewportSize({ width: 390, height: 844 });
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true, 'no horizontal scrolling');
    await shot(page, 'example-narrow');
    await page.setViewportSize({ width: 1280, height: 900 });
    // Without the example's evaluation time, the wall clock shows it expired.
    await fillIn(page, 'Evaluate at', '');
    await waitVerdict(page, 'failed', 'ERR_JWT_EXPIRED');
    assert.ok((await warningIds(page)).includes('expired'));
    assert.deepEqual(p.foreign(), []);
    await close(p);
  });

  test('the SIMD build loads where wasm has SIMD128, the scalar build where it does not', async () => {
    for (const simd of [true, false]) {
      const p = await open({ withoutSimd: !simd });
      await act(p.page, () => p.page.getByRole('button', { name: 'Load the example' }).click());
      await waitVerdict(p.page, 'verified');
      const wasm = p.requests.filter((u) => u.endsWith('.wasm')).map((u) => new URL(u).pathname);
      assert.deepEqual(wasm, [simd ? '/pkg/jwksgate_bg.wasm' : '/pkg/jwksgate_scalar_bg.wasm']);
      await close(p);
    }
  });

  test('a valid token verifies against a pasted JWKS and honours issuer and audience', async () => {
    const p = await open();
    const { page } = p;
    const token = signToken({ alg: 'RS256', kid: key.jwk.kid }, k8sClaims(ISS));
    await pasteTokenAndKeys(page, token, jwks);
    await waitVerdict(page, 'verified');
    const matched = await page.locator('#matched-key').innerText();
    assert.ok(matched.includes(key.thumbprint), 'RFC 7638 thumbprint, as node:crypto computes it');
    assert.ok(matched.includes(key.k8sKid), 'Kubernetes key id, as node:crypto computes it');
    await fillIn(page, /^Issuer \(/, 'https://someone-else.test');
    let text = await waitVerdict(page, 'failed', 'ERR_JWT_CLAIM_VALIDATION_FAILED');
    assert.match(text, /claim iss, check_failed/);
    assert.match(text, /signature itself is valid/);
    await fillIn(page, /^Issuer \(/, ISS);
    await fillIn(page, /^Audience/, 'https://not-me.test, https://gate.example.com');
    await waitVerdict(page, 'verified');
    await fillIn(page, /^Audience/, 'https://not-me.test');
    text = await waitVerdict(page, 'failed', 'ERR_JWT_CLAIM_VALIDATION_FAILED');
    assert.match(text, /claim aud/);
    await fillIn(page, /^Audience/, '');
    // Algorithms come from the user, never from the token.
    await act(page, () => page.getByLabel('RS256').uncheck());
    await act(page, () => page.getByLabel('PS256').check());
    await waitVerdict(page, 'failed', 'ERR_JOSE_ALG_NOT_ALLOWED');
    await act(page, () => page.getByLabel('PS256').uncheck());
    await waitVerdict(page, 'failed', 'ERR_INVALID_ARGUMENT');
    await act(page, () => page.getByLabel('RS256').check());
    await waitVerdict(page, 'verified');
    await shot(page, 'verified');
    assert.deepEqual(p.foreign(), []);
    await close(p);
  });

  test('PS256 and RS512 tokens verify when allowed', async () => {
    const p = await open();
    const { page } = p;
    for (const alg of ['PS256', 'RS512']) {
      const k = rsaKey();
      k.jwk.alg = alg;
      await pasteTokenAndKeys(page, signToken({ alg, kid: k.jwk.kid }, k8sClaims(ISS), k), { keys: [k.jwk] });
      await waitVerdict(page, 'failed', 'ERR_JOSE_ALG_NOT_ALLOWED');
      await act(page, () => page.getByLabel(alg).check());
      await waitVerdict(page, 'verified');
      await act(page, () => page.getByLabel(alg).uncheck());
    }
    await close(p);
  });

  test('an expired token: the verdict, the warning, the relative times, evaluation time and tolerance', async () => {
    const p = await open();
    const { page } = p;
    const now = nowSeconds();
    const iat = now - 3 * 86400 - 3700;
    const token = signToken({ alg: 'RS256', kid: key.jwk.kid }, k8sClaims(ISS, iat));
    await pasteTokenAndKeys(page, token, jwks);
    const text = await waitVerdict(page, 'failed', 'ERR_JWT_EXPIRED');
    assert.match(text, /signature itself is valid/);
    assert.ok((await warningIds(page)).includes('expired'));
    assert.match(await page.locator('#claims tr[data-name=exp]').innerText(), /expired 3 days ago/);
    assert.match(await page.locator('#matched-key').innerText(), /signature valid, claims refused/);
    await shot(page, 'expired');
    await fillIn(page, 'Evaluate at', String(iat + 60));
    await waitVerdict(page, 'verified');
    assert.match(await page.locator('#now-hint').innerText(), /Evaluating at/);
    await fillIn(page, 'Evaluate at', 'yesterday-ish');
    await page.waitForSelector('#now-hint.error');
    await waitVerdict(page, 'failed');
    await fillIn(page, 'Evaluate at', new Date((iat + 3600 + 30) * 1000).toISOString());
    await waitVerdict(page, 'failed', 'ERR_JWT_EXPIRED');
    await fillIn(page, 'Clock tolerance', '60');
    await waitVerdict(page, 'verified');
    await close(p);
  });

  test('not yet valid, no exp, and over-a-day lifetimes are warned about', async () => {
    const p = await open();
    const { page } = p;
    const now = nowSeconds();
    const cases = [
      [{ iss: ISS, sub: 'x', nbf: now + 7200, iat: now, exp: now + 9000 }, ['not-yet-valid'], 'ERR_JWT_CLAIM_VALIDATION_FAILED'],
      [{ iss: ISS, sub: 'x', iat: now }, ['no-exp'], 'ERR_JWT_CLAIM_VALIDATION_FAILED'],
      [{ iss: ISS, sub: 'x', iat: now, exp: now + 30 * 86400 }, ['long-lived'], null],
      // Like jose, a future iat is refused only when maxTokenAge is set; the page still warns.
      [{ iss: ISS, sub: 'x', iat: now + 600, exp: now + 4000 }, ['iat-future'], null],
    ];
    for (const [claims, want, code] of cases) {
      await pasteTokenAndKeys(page, signToken({ alg: 'RS256', kid: key.jwk.kid }, claims), jwks);
      assert.deepEqual(await warningIds(page), want);
      if (code) await waitVerdict(page, 'failed', code);
      else await waitVerdict(page, 'verified');
    }
    await close(p);
  });

  test('a tampered token is refused with the signature error, and still decoded', async () => {
    const p = await open();
    const { page } = p;
    const token = signToken({ alg: 'RS256', kid: key.jwk.kid }, k8sClaims(ISS));
    const [h, , s] = token.split('.');
    const forged = `${h}.${b64u(k8sClaims(ISS, nowSeconds(), { sub: 'system:serviceaccount:kube-system:admin' }))}.${s}`;
    await pasteTokenAndKeys(page, forged, jwks);
    await waitVerdict(page, 'failed', 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
    assert.equal(await page.locator('#matched-key').isHidden(), true, 'no key is shown as matching');
    assert.ok((await warningIds(page)).includes('k8s-sub'), 'sub disagrees with the kubernetes.io claim');
    assert.match(await page.locator('#claims').innerText(), /kube-system:admin/);
    await shot(page, 'tampered');
    // A key set without the token's key.
    await fillIn(page, /^Issuer keys/, JSON.stringify({ keys: [rsaKey().jwk] }));
    await waitVerdict(page, 'failed', 'ERR_JWKS_NO_MATCHING_KEY');
    await close(p);
  });

  test('malformed tokens give the package\'s error code, never a broken page', async () => {
    const p = await open();
    const { page } = p;
    // [token, the code decoding gives]; verify() checks the signature before the claims, so
    // its verdict may name an earlier failure.
    const cases = [
      ['abc', 'ERR_JWS_INVALID'], ['a.b', 'ERR_JWS_INVALID'], ['a.b.c.d', 'ERR_JWS_INVALID'], ['!!!.???.***', 'ERR_JWS_INVALID'],
      [`${b64u('{"alg":"RS256"')}.${b64u('{}')}.AAAA`, 'ERR_JWS_INVALID'],
      [`${b64u({ alg: 'RS256' })}.${b64u('[1,2]')}.AAAA`, 'ERR_JWT_INVALID'],
      [`${b64u({ alg: 'RS256' })}.${b64u('{"a":1,"a":2}')}.AAAA`, 'ERR_JWT_INVALID'],
    ];
    await fillIn(page, /^Issuer keys/, JSON.stringify(jwks));
    for (const [token, code] of cases) {
      await fillIn(page, 'Paste a JWT', token);
      assert.ok((await page.locator('#token-status').innerText()).startsWith(`Not a decodable JWT: ${code}: `), token);
      assert.equal(await page.locator('#token-raw').textContent(), token, 'the raw view shows exactly the input');
      const text = await waitVerdict(page, 'failed');
      assert.match(text, /ERR_J[A-Z_]+/, `verdict for ${token}`);
      assert.equal(await page.locator('#decoded-panel').isHidden(), true);
    }
    const wrapped = signToken({ alg: 'RS256', kid: key.jwk.kid }, k8sClaims(ISS)).replace(/(.{76})/g, '$1\n');
    await fillIn(page, 'Paste a JWT', wrapped);
    assert.match(await page.locator('#token-status').innerText(), /spaces or line breaks/);
    // Typed key by key: the debounced decoding ends on the whole input.
    await page.getByLabel('Paste a JWT').fill('');
    await page.getByLabel('Paste a JWT').pressSequentially('abc.def');
    await page.waitForFunction(() => document.getElementById('token-raw').textContent === 'abc.def');
    await shot(page, 'malformed');
    await close(p);
  });

  test('hostile input: markup in claims stays text, token-supplied keys and weak algorithms are flagged, 1 MB is refused', async () => {
    const p = await open();
    const { page } = p;
    const html = '<img src=x onerror="document.body.dataset.pwned=1"><script>document.body.dataset.pwned=2</script>';
    const header = { alg: 'RS256', kid: html, jku: 'https://evil.test/jwks', x5u: 'https://evil.test/cert', jwk: { kty: 'RSA', n: 'AQAB', e: 'AQAB' } };
    // A computed key makes "__proto__" an own member, so JSON.stringify writes it.
    const claims = { ...k8sClaims(ISS), sub: html, [html]: html, ['__proto__']: { polluted: true } };
    claims['kubernetes.io'].namespace = html;
    const token = signToken(header, claims);
    await pasteTokenAndKeys(page, token, jwks);
    await waitVerdict(page, 'failed');
    assert.equal(await page.locator('img').count(), 0, 'no element made from claims');
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true, 'long values wrap');
    assert.equal(await page.locator('main script').count(), 0);
    assert.equal(await page.evaluate(() => document.body.dataset.pwned ?? null), null);
    assert.equal(await page.evaluate(() => ({}).polluted ?? null), null, 'Object.prototype untouched');
    assert.ok((await page.locator('#claims').innerText()).includes(html), 'markup shown as text');
    assert.ok((await page.locator('#k8s').innerText()).includes(html));
    assert.match(await page.locator('#claims tr[data-name="__proto__"]').innerText(), /polluted/, 'a __proto__ claim is shown, not hidden');
    const ids = await warningIds(page);
    for (const id of ['header-jku', 'header-x5u', 'header-jwk', 'k8s-sub', 'proto-payload']) assert.ok(ids.includes(id), `${id} in ${ids}`);
    await shot(page, 'hostile');

    await fillIn(page, 'Paste a JWT', `${b64u({ alg: 'none' })}.${b64u(k8sClaims(ISS))}.`);
    await waitVerdict(page, 'failed', 'ERR_JOSE_ALG_NOT_ALLOWED');
    assert.ok((await warningIds(page)).includes('alg-none'));
    await fillIn(page, 'Paste a JWT', `${b64u({ alg: 'HS256' })}.${b64u(k8sClaims(ISS))}.${b64u('sig')}`);
    await waitVerdict(page, 'failed', 'ERR_JOSE_ALG_NOT_ALLOWED');
    assert.ok((await warningIds(page)).includes('alg-hmac'));

    // A 1 MB paste: a clear message, no decoding, and the page still answers.
    const big = 'eyJ'.padEnd(1024 * 1024, 'A');
    await fillIn(page, 'Paste a JWT', big);
    await page.waitForFunction(() => /too large to be a token/.test(document.getElementById('token-status').textContent));
    assert.match(await page.locator('#token-status').innerText(), /1\.0 MB/);
    assert.equal(await page.locator('#token-raw').isHidden(), true);
    await waitVerdict(page, 'failed');
    // Sizes are UTF-8 bytes, as the package counts them: 40,000 two-byte characters are too many.
    await fillIn(page, 'Paste a JWT', '\u00e9'.repeat(40000));
    await page.waitForFunction(() => /This input is 78 KB: too large/.test(document.getElementById('token-status').textContent));
    await fillIn(page, 'Paste a JWT', '');
    await waitVerdict(page, 'neutral');
    // Deep nesting is bounded by the package's parser, not a stack overflow.
    const deep = `${b64u({ alg: 'RS256' })}.${b64u(`{"a":${'['.repeat(5000)}${']'.repeat(5000)}}`)}.AAAA`;
    await fillIn(page, 'Paste a JWT', deep);
    await waitVerdict(page, 'failed');
    // A 1 MB key paste is refused too.
    await fillIn(page, /^Issuer keys/, `{"keys":[${' '.repeat(1024 * 1024)}]}`);
    await page.waitForFunction(() => /at most 1 MB/.test(document.getElementById('keys-status').textContent));
    assert.deepEqual(p.foreign(), [], 'jku/x5u in the header were not fetched');
    await close(p);
  });

  test('a legacy Kubernetes secret token is recognised and refused for its missing exp', async () => {
    const p = await open();
    const { page } = p;
    const claims = {
      iss: 'kubernetes/serviceaccount',
      'kubernetes.io/serviceaccount/namespace': 'default',
      'kubernetes.io/serviceaccount/secret.name': 'deployer-token-abcde',
      'kubernetes.io/serviceaccount/service-account.name': 'deployer',
      'kubernetes.io/serviceaccount/service-account.uid': 'u-1',
      sub: 'system:serviceaccount:default:deployer',
    };
    await pasteTokenAndKeys(page, signToken({ alg: 'RS256' }, claims), jwks);
    const text = await waitVerdict(page, 'failed', 'ERR_JWT_CLAIM_VALIDATION_FAILED');
    assert.match(text, /claim exp, missing/);
    assert.deepEqual(await warningIds(page), ['k8s-legacy']);
    const k8s = await page.locator('#k8s').innerText();
    assert.match(k8s, /Legacy secret-based token/);
    assert.match(k8s, /deployer-token-abcde/);
    await shot(page, 'legacy');
    await close(p);
  });

  test('PEM public keys: SPKI, PKCS#1, several at once, and garbage', async () => {
    const p = await open();
    const { page } = p;
    // Kubernetes signs with kid = its key id, which is what importPublicKeyPem gives a PEM key.
    const token = signToken({ alg: 'RS256', kid: key.k8sKid }, k8sClaims(ISS));
    await pasteTokenAndKeys(page, token, key.spkiPem);
    await waitVerdict(page, 'verified');
    assert.match(await page.locator('#keys-status').innerText(), /a PEM public key/);
    assert.ok((await page.locator('#matched-key').innerText()).includes(key.k8sKid));
    await fillIn(page, /^Issuer keys/, key.pkcs1Pem);
    await waitVerdict(page, 'verified');
    const other = rsaKey();
    await fillIn(page, /^Issuer keys/, `${other.spkiPem}\n${key.pkcs1Pem}`);
    await waitVerdict(page, 'verified');
    assert.match(await page.locator('#keys-status').innerText(), /2 PEM public keys/);
    assert.equal(await page.locator('#key-list tbody tr').count(), 2);
    assert.equal(await page.locator('#key-list tr.matched').count(), 1);
    await shot(page, 'pem');
    await fillIn(page, /^Issuer keys/, '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----');
    await page.waitForFunction(() => /cannot be used: ERR_/.test(document.getElementById('keys-status').textContent));
    await waitVerdict(page, 'failed');
    await fillIn(page, /^Issuer keys/, '{"keys": "nope"}');
    await waitVerdict(page, 'failed', 'ERR_JWKS_INVALID');
    await fillIn(page, /^Issuer keys/, 'not json at all');
    await waitVerdict(page, 'failed', 'ERR_JWKS_INVALID');
    // One bare JWK is accepted as a set of one.
    await fillIn(page, /^Issuer keys/, JSON.stringify({ ...key.jwk, kid: key.k8sKid }));
    await waitVerdict(page, 'verified');
    assert.match(await page.locator('#keys-status').innerText(), /one JWK/);
    await close(p);
  });

  test('a real EKS token verifies against its 13-key JWKS at its own time', async () => {
    const dir = join(import.meta.dirname, '..', '..', 'tests', 'vectors', 'k8s', 'eks_projected_token');
    const token = readFileSync(join(dir, 'token.jwt'), 'utf8').trim();
    const eksJwks = readFileSync(join(dir, 'jwks.json'), 'utf8');
    const payload = JSON.parse(Buffer.from(token.split('.')[1], 'base64url'));
    const p = await open();
    const { page } = p;
    await pasteTokenAndKeys(page, token, eksJwks);
    await fillIn(page, 'Evaluate at', String(payload.iat + 60));
    await waitVerdict(page, 'verified');
    assert.ok((await page.locator('#key-list tbody tr').count()) >= 13);
    assert.match(await page.locator('#k8s').innerText(), new RegExp(payload['kubernetes.io'].namespace));
    await close(p);
  });

  test('the #token= fragment is read on load and on change, and never sent to the server', async () => {
    const token = signToken({ alg: 'RS256', kid: key.jwk.kid }, k8sClaims(ISS));
    const p = await open({ hash: `#token=${token}` });
    const { page } = p;
    await page.waitForSelector('#decoded-panel:not([hidden])');
    assert.match(await page.locator('#k8s').innerText(), /payments/);
    assert.equal(await page.getByLabel('Paste a JWT').inputValue(), token);
    await waitVerdict(page, 'neutral');
    const other = signToken({ alg: 'RS256', kid: key.jwk.kid }, k8sClaims(ISS, nowSeconds(), { sub: 'system:serviceaccount:payments:other' }));
    await page.evaluate((t) => { window.location.hash = `token=${encodeURIComponent(t)}`; }, other);
    await page.waitForFunction(() => document.getElementById('claims').textContent.includes('payments:other'));
    assert.ok(p.requests.every((u) => !u.includes('token=') && !u.includes(token.slice(0, 40))), 'the token is in no request');
    assert.deepEqual(p.foreign(), []);
    await shot(page, 'fragment');
    await close(p);
  });

  test('no request leaves the page until the fetch button is pressed; then discovery and JWKS come from the issuer', async () => {
    const issuer = await startIssuer({ jwks });
    const p = await open({ allow: [issuer.origin] });
    const { page } = p;
    try {
      const token = signToken({ alg: 'RS256', kid: key.jwk.kid }, k8sClaims(issuer.origin));
      await pasteTokenAndKeys(page, token);
      await waitVerdict(page, 'neutral');
      const button = page.getByRole('button', { name: "Fetch the issuer's keys" });
      await page.waitForFunction(() => !document.getElementById('fetch-keys').disabled);
      assert.match(await page.locator('#fetch-target').innerText(), new RegExp(`${issuer.origin}/.well-known/openid-configuration`));
      // Everything else on the page, exercised before the button: still nothing off the origin.
      await fillIn(page, /^Audience/, 'https://gate.example.com');
      await act(page, () => page.getByRole('button', { name: 'Load the example' }).click());
      await waitVerdict(page, 'verified');
      await pasteTokenAndKeys(page, token, '');
      await fillIn(page, /^Issuer \(/, '');
      await fillIn(page, /^Audience/, '');
      await fillIn(page, 'Evaluate at', '');
      await waitVerdict(page, 'neutral');
      assert.deepEqual(issuer.hits, [], 'the issuer saw no request');
      assert.deepEqual(p.foreign(), []);

      await button.click();
      await waitVerdict(page, 'verified');
      assert.match(await page.locator('#fetch-status').innerText(), /Fetched the key set from .*\/openid\/v1\/jwks/);
      assert.deepEqual(issuer.hits, ['/.well-known/openid-configuration', '/openid/v1/jwks']);
      assert.deepEqual(p.foreign(), [`${issuer.origin}/.well-known/openid-configuration`, `${issuer.origin}/openid/v1/jwks`]);
      await shot(page, 'fetched');
    } finally {
      await close(p);
      await issuer.close();
    }
  });

  test('fetch failures are explained: no CORS, wrong issuer in discovery, an issuer that is not a URL', async () => {
    const noCors = await startIssuer({ jwks, cors: false });
    const liar = await startIssuer({ jwks, issuerOverride: 'https://elsewhere.test' });
    const p = await open({ allow: [noCors.origin, liar.origin] });
    const { page } = p;
    try {
      await pasteTokenAndKeys(page, signToken({ alg: 'RS256', kid: key.jwk.kid }, k8sClaims(noCors.origin)));
      await page.waitForFunction(() => !document.getElementById('fetch-keys').disabled);
      await page.getByRole('button', { name: "Fetch the issuer's keys" }).click();
      await page.waitForFunction(() => /could not fetch the discovery document/.test(document.getElementById('fetch-status').textContent));
      assert.match(await page.locator('#fetch-status').innerText(), /CORS/);
      await shot(page, 'fetch-blocked');

      await fillIn(page, /^Issuer \(/, liar.origin);
      await page.waitForFunction((o) => document.getElementById('fetch-target').textContent.includes(o), liar.origin);
      await page.getByRole('button', { name: "Fetch the issuer's keys" }).click();
      await page.waitForFunction(() => /names issuer "https:\/\/elsewhere.test"/.test(document.getElementById('fetch-status').textContent));
      assert.deepEqual(liar.hits, ['/.well-known/openid-configuration'], 'no JWKS taken from a discovery document of another issuer');
      assert.equal(await page.getByLabel(/^Issuer keys/).inputValue(), '');

      await fillIn(page, /^Issuer \(/, '');
      await fillIn(page, 'Paste a JWT', signToken({ alg: 'RS256' }, { iss: 'kubernetes/serviceaccount', sub: 'x' }, key));
      await page.waitForFunction(() => /not a URL/.test(document.getElementById('fetch-target').textContent));
      assert.equal(await page.locator('#fetch-keys').isDisabled(), true);
    } finally {
      await close(p);
      await noCors.close();
      await liar.close();
    }
  });

  test('keyboard and screen reader: labelled controls, a sensible tab order, live regions', async () => {
    const p = await open();
    const { page } = p;
    const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, textarea, button, select')]
      .filter((e) => !(e.labels?.length || e.getAttribute('aria-label') || (e.tagName === 'BUTTON' && e.textContent.trim())))
      .map((e) => e.id || e.outerHTML));
    assert.deepEqual(unlabelled, []);
    const order = [];
    for (let i = 0; i < 7; i += 1) {
      await page.keyboard.press('Tab');
      order.push(await page.evaluate(() => document.activeElement.id || document.activeElement.value));
    }
    // The fetch button is disabled until there is an issuer, so it is skipped.
    assert.deepEqual(order, ['example', 'example-es256', 'token', 'keys', 'issuer', 'audience', 'RS256']);
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Enter');
    await waitVerdict(page, 'verified');
    for (const id of ['token-status', 'verdict', 'keys-status', 'fetch-status']) {
      assert.equal(await page.locator(`#${id}`).getAttribute('aria-live'), 'polite', `${id} is announced`);
    }
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    await close(p);
  });

  test('text meets 4.5:1 contrast in light and dark (WCAG 2.1 1.4.3)', async () => {
    const p = await open();
    const { page } = p;
    await act(page, () => page.getByRole('button', { name: 'Load the example' }).click());
    const tampered = `${example.split('.')[0]}.${b64u({ iss: 'kubernetes/serviceaccount', sub: 'x' })}.${example.split('.')[2]}`;
    for (const scheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme: scheme });
      // Verified, refused, and verified with the issuer unchecked (the amber verdict).
      for (const [token, issuer] of [[example, exampleIssuer], [tampered, exampleIssuer], [example, '']]) {
        await fillIn(page, 'Paste a JWT', token);
        await fillIn(page, /^Issuer \(/, issuer);
        const low = await page.evaluate(() => {
          const rgb = (c) => (c.match(/[\d.]+/g) || []).map(Number);
          const lum = ([r, g, b]) => {
            const f = (v) => { const x = v / 255; return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; };
            return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
          };
          const background = (node) => {
            for (let n = node; n; n = n.parentElement) {
              const c = rgb(getComputedStyle(n).backgroundColor);
              if (c.length === 3 || c[3] === 1) return c.slice(0, 3);
            }
            return [255, 255, 255];
          };
          const out = [];
          let checked = 0;
          const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
          for (let t = walker.nextNode(); t; t = walker.nextNode()) {
            const node = t.parentElement;
            if (!t.textContent.trim() || !node.checkVisibility() || node.closest('button:disabled')) continue;
            checked += 1;
            const [a, b] = [lum(rgb(getComputedStyle(node).color).slice(0, 3)), lum(background(node))];
            const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
            if (ratio < 4.5) out.push(`${node.tagName}.${node.className}: ${ratio.toFixed(2)} "${t.textContent.trim().slice(0, 30)}"`);
          }
          return { out, checked };
        });
        assert.ok(low.checked > 100, `checked ${low.checked} text nodes`);
        assert.deepEqual(low.out, [], `${scheme} scheme`);
      }
    }
    await close(p);
  });

  test('axe-core finds no WCAG 2.1 A/AA violation: empty, verified, failed with warnings, light and dark', async () => {
    // axe runs through the DevTools protocol (page.evaluate), which the page's CSP does not govern;
    // the page itself never loads it.
    const axe = readFileSync(join(import.meta.dirname, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
    const p = await open();
    const { page } = p;
    await page.evaluate(axe);
    const audit = () => page.evaluate(async () => {
      const r = await globalThis.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
      return { passes: r.passes.length, violations: r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`) };
    });
    const expired = signToken({ alg: 'RS256', kid: key.jwk.kid, jku: 'https://evil.test/jwks' }, { ...k8sClaims(ISS), exp: nowSeconds() - 3600 });
    const states = [
      ['empty', async () => {}],
      ['verified example', () => act(page, () => page.getByRole('button', { name: 'Load the example' }).click())],
      ['failed, with warnings', () => pasteTokenAndKeys(page, expired, jwks)],
    ];
    for (const scheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const [name, enter] of states) {
        await enter();
        const r = await audit();
        assert.ok(r.passes > 10, `${scheme}, ${name}: axe ran ${r.passes} passing rules`);
        assert.deepEqual(r.violations, [], `${scheme}, ${name}`);
      }
    }
    await close(p);
  });

  test('the committed example is what tools/make-example.mjs produces', async () => {
    const { execFileSync } = await import('node:child_process');
    execFileSync(process.execPath, [join(import.meta.dirname, '..', 'tools', 'make-example.mjs'), '--check'], { stdio: 'pipe' });
  });
});
