// The inspector fails closed (issue 18), in Debian's Chromium against the page on 127.0.0.1:
// one verdict per input state, rebuilt from nothing (a forged token after a verified one, by
// paste or by a page of another origin rewriting #token=, and any rendering failure); the issuer
// said to be unchecked when no expected issuer is set; fetched keys bound to the issuer they
// were fetched for and to the last fetch started; URLs in their ASCII form; no redirects
// followed; a streaming size cap; credentials in a URL named as such; invisible and bidi
// characters shown escaped; and the wasm instance's health under hostile arguments.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { b64u, k8sClaims, pageKit, rsaKey, signToken as signWith, siteAndBrowser, startIssuer, startSite } from './helpers.mjs';
import * as example from '../example.js';

const env = {};
const { open, close, act, fillIn, waitVerdict, warningIds, pasteTokenAndKeys } = pageKit(env);
const key = rsaKey();
const jwks = { keys: [key.jwk] };
const ISS = 'https://oidc.example-cluster.test';
const signToken = (header, payload, k = key) => signWith(header, payload, k);
const fetchButton = (page) => page.getByRole('button', { name: "Fetch the issuer's keys" });
const status = (page, id) => page.locator(`#${id}`).innerText();
/** Waits until #id's text matches `re`; returns the text. */
async function waitText(page, id, re) {
  try {
    await page.waitForFunction(([i, source]) => new RegExp(source).test(document.getElementById(i).textContent), [id, re.source]);
  } catch (e) {
    throw new Error(`#${id} never matched ${re}: it says ${await status(page, id)}`, { cause: e });
  }
  return status(page, id);
}

/** The example's claims as an admin's, signed by nobody (the example's header, a zero signature). */
function forged(extra = {}) {
  const [h, p] = example.token.split('.');
  const claims = JSON.parse(Buffer.from(p, 'base64url'));
  claims.sub = 'system:serviceaccount:kube-system:cluster-admin';
  claims['kubernetes.io'] = {
    namespace: 'kube-system', serviceaccount: { name: 'cluster-admin', uid: 'u' }, pod: { name: 'admin-0', uid: 'p' }, ...extra,
  };
  return `${h}.${b64u(claims)}.${'A'.repeat(342)}`;
}

siteAndBrowser(env);

describe('the verdict fails closed', () => {
  test('a forged token after a verified one is not verified, whatever its warnafter (1e300, 9e12, a string)', async () => {
    const p = await open();
    const { page } = p;
    for (const warnafter of [1e300, 9e12, -1e300, 'soon']) {
      await act(page, () => page.getByRole('button', { name: 'Load the example' }).click());
      await waitVerdict(page, 'verified');
      assert.match(await status(page, 'k8s'), /build-bot/);
      await fillIn(page, 'Paste a JWT', forged({ warnafter }));
      await waitVerdict(page, 'failed', 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
      const k8s = await status(page, 'k8s');
      assert.match(k8s, /cluster-admin/, 'the Kubernetes panel shows the new token');
      assert.doesNotMatch(k8s, /build-bot/, 'nothing of the previous token is left');
      assert.match(k8s, /not a usable time/, `warnafter ${warnafter}`);
      assert.ok((await warningIds(page)).includes('bad-warnafter'), `warnafter ${warnafter}`);
      assert.equal(await page.locator('#matched-key').isHidden(), true);
    }
    await close(p);
  });

  test('a page of another origin that opened the inspector cannot keep its "Verified" under a forged #token=', async () => {
    // A static host sends no Cross-Origin-Opener-Policy: the opener keeps a handle on the window.
    const bare = await startSite({ opener: null });
    const attacker = await startIssuer({ routes: { '/': (req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>elsewhere</title>') } });
    try {
      for (const [site, severed] of [[bare, false], [env.site, true]]) {
        const p = await open({ url: `${attacker.origin}/`, site: { origin: attacker.origin }, allow: [site.origin] });
        const [popup] = await Promise.all([
          env.browser.context.waitForEvent('page'),
          p.page.evaluate((u) => { window.inspector = window.open(u); }, `${site.origin}/`),
        ]);
        const errors = [];
        popup.on('pageerror', (e) => errors.push(e));
        await popup.waitForSelector('body[data-ready=true]');
        await act(popup, () => popup.getByRole('button', { name: 'Load the example' }).click());
        await waitVerdict(popup, 'verified');
        const n = await popup.evaluate(() => Number(document.body.dataset.updates));
        const closed = await p.page.evaluate((u) => {
          try { window.inspector.location.href = u; } catch { /* severed */ }
          return window.inspector.closed;
        }, `${site.origin}/#token=${encodeURIComponent(forged({ warnafter: 1e300 }))}`);
        assert.equal(closed, severed, severed ? 'Cross-Origin-Opener-Policy cut the opener off' : 'the opener still holds the window');
        if (severed) {
          // The fragment never changes: the example stays, verified.
          assert.equal(await popup.evaluate(() => window.location.hash), '');
          await waitVerdict(popup, 'verified');
        } else {
          await popup.waitForFunction((k) => Number(document.body.dataset.updates) > k, n);
          await waitVerdict(popup, 'failed', 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
          assert.doesNotMatch(await popup.locator('#k8s').innerText(), /build-bot/);
          assert.match(await popup.locator('#token-status').innerText(), /#token=/, 'the page says where the token came from');
        }
        assert.deepEqual(errors.map(String), []);
        await popup.close();
        await close(p);
      }
    } finally {
      await attacker.close();
      await bare.close();
    }
  });

  test('any rendering failure clears the verdict to "Not verified" with the reason', async () => {
    const p = await open();
    const { page } = p;
    await act(page, () => page.getByRole('button', { name: 'Load the example' }).click());
    await waitVerdict(page, 'verified');
    // Any throw while the page renders, here every date's formatting.
    await page.evaluate(() => { Date.prototype.toISOString = () => { throw new RangeError('injected failure'); }; });
    await fillIn(page, 'Clock tolerance', '1');
    const text = await waitVerdict(page, 'failed', 'PAGE_ERROR');
    assert.match(text, /injected failure/);
    assert.equal(await page.locator('#k8s-panel').isHidden(), true, 'no identity is left on show');
    assert.equal(await page.locator('#matched-key').isHidden(), true);
    await close(p);
  });

  test('with no expected issuer the verdict says the issuer was not checked', async () => {
    const p = await open();
    const { page } = p;
    await pasteTokenAndKeys(page, signToken({ alg: 'RS256', kid: key.jwk.kid }, k8sClaims(ISS)), jwks);
    const text = await waitVerdict(page, 'verified');
    assert.match(text, /issuer was not checked/);
    assert.equal(await page.locator('#verdict').getAttribute('data-issuer-checked'), 'false');
    await fillIn(page, /^Issuer \(/, ISS);
    assert.doesNotMatch(await waitVerdict(page, 'verified'), /not checked/);
    assert.equal(await page.locator('#verdict').getAttribute('data-issuer-checked'), 'true');
    await close(p);
  });
});

describe('fetched keys', () => {
  test('a homograph issuer is shown as the ASCII host it fetches, before and after, and warned about', async () => {
    const unicode = 'https://kubernetes.default.sv\u0441'; // a Cyrillic "с"
    const ascii = 'https://kubernetes.default.xn--sv-pmc';
    const p = await open({ allow: [ascii] });
    const { page } = p;
    const served = [];
    await page.route(`${ascii}/**`, (route) => {
      const { pathname } = new URL(route.request().url());
      served.push(pathname);
      const body = pathname === '/.well-known/openid-configuration' ? { issuer: unicode, jwks_uri: `${ascii}/openid/v1/jwks` } : jwks;
      return route.fulfill({ status: 200, headers: { 'content-type': 'application/json', 'access-control-allow-origin': '*' }, body: JSON.stringify(body) });
    });
    await pasteTokenAndKeys(page, signToken({ alg: 'RS256', kid: key.jwk.kid }, k8sClaims(unicode)));
    const target = await waitText(page, 'fetch-target', /xn--sv-pmc/);
    assert.ok(target.includes(`${ascii}/.well-known/openid-configuration`), target);
    assert.doesNotMatch(target, /\u0441/, 'the Unicode form is not what is shown as fetched');
    assert.ok((await warningIds(page)).includes('iss-idn'));
    assert.match(await status(page, 'warnings'), /xn--sv-pmc/);
    await fetchButton(page).click();
    const text = await waitVerdict(page, 'verified');
    assert.match(text, /issuer was not checked/);
    assert.match(text, /xn--sv-pmc/);
    const fetched = await status(page, 'fetch-status');
    assert.ok(fetched.includes(`${ascii}/openid/v1/jwks`), fetched);
    assert.doesNotMatch(fetched, /\u0441/);
    assert.match(fetched, /no redirects/);
    assert.deepEqual(served, ['/.well-known/openid-configuration', '/openid/v1/jwks']);
    await close(p);
  });

  test('keys fetched for one issuer do not verify a token naming another', async () => {
    const issuer = await startIssuer({ jwks });
    const p = await open({ allow: [issuer.origin] });
    const { page } = p;
    try {
      await pasteTokenAndKeys(page, signToken({ alg: 'RS256', kid: key.jwk.kid }, k8sClaims(issuer.origin)));
      await page.waitForFunction(() => !document.getElementById('fetch-keys').disabled);
      await fetchButton(page).click();
      await waitVerdict(page, 'verified');
      // The same key signs a token that names another issuer (one whose keys were not fetched).
      const other = signToken({ alg: 'RS256', kid: key.jwk.kid }, k8sClaims('https://another-issuer.test'));
      await fillIn(page, 'Paste a JWT', other);
      let text = await waitVerdict(page, 'failed', 'ERR_JWT_CLAIM_VALIDATION_FAILED');
      assert.match(text, /claim iss/);
      assert.ok(text.includes(`fetched for ${issuer.origin}`), text);
      // Expecting another issuer than the keys were fetched for names the conflict.
      await fillIn(page, /^Issuer \(/, 'https://another-issuer.test');
      text = await waitVerdict(page, 'failed', 'ERR_INVALID_ARGUMENT');
      assert.ok(text.includes(`fetched for ${issuer.origin}, and the expected issuer is https://another-issuer.test`), text);
      // Keys the user edits are the user's own: no longer bound to the fetch.
      await fillIn(page, /^Issuer \(/, '');
      await fillIn(page, /^Issuer keys/, `${await page.getByLabel(/^Issuer keys/).inputValue()} `);
      assert.match(await waitVerdict(page, 'verified'), /issuer was not checked/);
    } finally {
      await close(p);
      await issuer.close();
    }
  });

  test('a fetch still in flight never fills the key box after the issuer changed, nor after a newer fetch', async () => {
    let release;
    const held = new Promise((ok) => { release = ok; });
    const slow = await startIssuer({
      jwks,
      routes: { '/openid/v1/jwks': (req, res, headers) => held.then(() => res.writeHead(200, headers).end(JSON.stringify(jwks))) },
    });
    const fast = await startIssuer({ jwks: { keys: [rsaKey('fast').jwk] } });
    const p = await open({ allow: [slow.origin, fast.origin] });
    const { page } = p;
    try {
      await pasteTokenAndKeys(page, signToken({ alg: 'RS256', kid: key.jwk.kid }, k8sClaims(slow.origin)));
      await page.waitForFunction(() => !document.getElementById('fetch-keys').disabled);
      await fetchButton(page).click();
      await page.waitForFunction(() => /Fetching/.test(document.getElementById('fetch-status').textContent));
      while (!slow.hits.includes('/openid/v1/jwks')) await page.waitForTimeout(20);
      // The token now names another issuer, whose keys are fetched at once.
      await fillIn(page, 'Paste a JWT', signToken({ alg: 'RS256', kid: 'fast' }, k8sClaims(fast.origin)));
      await waitText(page, 'fetch-status', /Stopped fetching/);
      await fetchButton(page).click();
      await waitText(page, 'fetch-status', /Fetched the key set/);
      const keys = await page.getByLabel(/^Issuer keys/).inputValue();
      assert.match(keys, /"kid":"fast"/);
      release();
      // The first fetch's answer arrives now; it must change nothing.
      await page.waitForTimeout(300);
      assert.equal(await page.getByLabel(/^Issuer keys/).inputValue(), keys);
      assert.match(await status(page, 'fetch-status'), /Fetched the key set from .*fast|Fetched the key set/);
    } finally {
      release();
      await close(p);
      await slow.close();
      await fast.close();
    }
  });

  test('no redirect is followed, and the page says so', async () => {
    let origin;
    const hops = await startIssuer({
      jwks,
      routes: {
        '/.well-known/openid-configuration': (req, res, headers) => res.writeHead(302, { ...headers, location: `${origin}/elsewhere/.well-known/openid-configuration` }).end(),
      },
    });
    origin = hops.origin;
    const p = await open({ allow: [hops.origin] });
    const { page } = p;
    try {
      await pasteTokenAndKeys(page, signToken({ alg: 'RS256', kid: key.jwk.kid }, k8sClaims(hops.origin)));
      await page.waitForFunction(() => !document.getElementById('fetch-keys').disabled);
      await fetchButton(page).click();
      const text = await waitText(page, 'fetch-status', /redirect/);
      assert.match(text, /follows no redirects/);
      assert.doesNotMatch(text, /CORS/);
      assert.deepEqual(hops.hits, ['/.well-known/openid-configuration'], 'the redirect was not followed');
      assert.equal(await page.getByLabel(/^Issuer keys/).inputValue(), '');
    } finally {
      await close(p);
      await hops.close();
    }
  });

  test('a 1.2 GB key set is refused after 512 KB (the package\'s cap), streaming, with or without Content-Length', async () => {
    const GB12 = 1.2e9;
    const sent = [];
    const huge = (announce) => (req, res, headers) => {
      res.writeHead(200, announce ? { ...headers, 'content-length': String(GB12) } : headers);
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      let total = 0;
      let open = true;
      res.on('close', () => { open = false; sent.push(total); });
      const pump = () => {
        while (open && total < GB12) {
          total += chunk.length;
          if (!res.write(chunk)) return res.once('drain', pump);
        }
        return open && res.end();
      };
      res.write('{"keys":[');
      pump();
    };
    const big = await startIssuer({ jwks, routes: { '/openid/v1/jwks': huge(false), '/announced/jwks': huge(true) } });
    const announced = await startIssuer({ jwks, jwksUri: () => `${big.origin}/announced/jwks` });
    const p = await open({ allow: [big.origin, announced.origin] });
    const { page } = p;
    try {
      for (const iss of [big.origin, announced.origin]) {
        await pasteTokenAndKeys(page, signToken({ alg: 'RS256', kid: key.jwk.kid }, k8sClaims(iss)));
        await page.waitForFunction((o) => document.getElementById('fetch-keys').dataset.issuer === o && !document.getElementById('fetch-keys').disabled, iss);
        await fetchButton(page).click();
        const text = await waitText(page, 'fetch-status', /key set at .* is over 512 KB; the inspector stopped reading it/);
        assert.doesNotMatch(text, /Failed to fetch|CORS/);
        assert.equal(await page.getByLabel(/^Issuer keys/).inputValue(), '');
      }
      while (sent.length < 2) await page.waitForTimeout(50);
      for (const n of sent) assert.ok(n < 256 * 1024 * 1024, `the server sent ${n} bytes before the page stopped reading`);
      console.log(`# bytes sent before the page hung up: ${sent.join(', ')} of ${GB12}`);
    } finally {
      await close(p);
      await big.close();
      await announced.close();
    }
  });

  test('a user name and password in a URL get their own message, not "CORS", and the password is not shown', async () => {
    let origin;
    const issuer = await startIssuer({ jwks, jwksUri: (o) => `${o.replace('http://', 'http://reader:s3cret@')}/openid/v1/jwks` });
    origin = issuer.origin;
    const p = await open({ allow: [origin] });
    const { page } = p;
    try {
      await pasteTokenAndKeys(page, signToken({ alg: 'RS256', kid: key.jwk.kid }, k8sClaims(origin)));
      await page.waitForFunction(() => !document.getElementById('fetch-keys').disabled);
      await fetchButton(page).click();
      const text = await waitText(page, 'fetch-status', /user name and password/);
      assert.doesNotMatch(text, /CORS|s3cret/);
      assert.deepEqual(issuer.hits, ['/.well-known/openid-configuration']);
      // An issuer with credentials is refused before anything is fetched.
      await fillIn(page, 'Paste a JWT', signToken({ alg: 'RS256', kid: key.jwk.kid }, k8sClaims('https://admin:hunter2@oidc.example.test')));
      const target = await waitText(page, 'fetch-target', /user name and password/);
      assert.doesNotMatch(target, /hunter2/);
      assert.equal(await page.locator('#fetch-keys').isDisabled(), true);
    } finally {
      await close(p);
      await issuer.close();
    }
  });

  test('the page fetches through the package\'s createIssuerJWKSet: http only on loopback, no referrer, no cookies', async () => {
    const seen = [];
    const remote = (jwksUri) => startIssuer({
      jwks,
      jwksUri,
      routes: {
        '/openid/v1/jwks': (req, res, headers) => {
          seen.push(req.headers);
          res.writeHead(200, headers).end(JSON.stringify(jwks));
        },
      },
    });
    // A discovery document on loopback naming a plain-http key set elsewhere: refused unfetched.
    const plain = await remote(() => 'http://keys.example-cluster.test/openid/v1/jwks');
    const good = await remote();
    const p = await open({ allow: [plain.origin, good.origin] });
    const { page } = p;
    try {
      assert.ok(p.requests.some((u) => new URL(u).pathname === '/pkg/remote.mjs'), 'the page loads the package\'s remote key sets');
      // An issuer on plain http off loopback: the button stays disabled and says why.
      await pasteTokenAndKeys(page, signToken({ alg: 'RS256', kid: key.jwk.kid }, k8sClaims('http://oidc.example-cluster.test')));
      const target = await waitText(page, 'fetch-target', /must be an https URL: plain http is fetched only from a loopback address/);
      assert.doesNotMatch(target, /Requests/);
      assert.equal(await page.locator('#fetch-keys').isDisabled(), true);

      await fillIn(page, 'Paste a JWT', signToken({ alg: 'RS256', kid: key.jwk.kid }, k8sClaims(plain.origin)));
      await page.waitForFunction(() => !document.getElementById('fetch-keys').disabled);
      await fetchButton(page).click();
      await waitText(page, 'fetch-status', /jwks_uri must be an https URL: plain http is fetched only from a loopback address/);
      assert.deepEqual(plain.hits, ['/.well-known/openid-configuration']);
      assert.deepEqual(p.foreign(), [`${plain.origin}/.well-known/openid-configuration`]);
      assert.equal(await page.getByLabel(/^Issuer keys/).inputValue(), '');

      await page.context().addCookies([{ name: 'session', value: 'c00kie', url: good.origin }]);
      await fillIn(page, 'Paste a JWT', signToken({ alg: 'RS256', kid: key.jwk.kid }, k8sClaims(good.origin)));
      await page.waitForFunction((o) => document.getElementById('fetch-keys').dataset.issuer === o && !document.getElementById('fetch-keys').disabled, good.origin);
      await fetchButton(page).click();
      await waitVerdict(page, 'verified');
      assert.equal(seen.length, 1);
      assert.equal(seen[0].referer, undefined, 'no referrer');
      assert.equal(seen[0].cookie, undefined, 'no cookies');
      assert.equal(seen[0]['user-agent']?.includes('jwksgate'), false, 'no User-Agent of its own (it would force a CORS preflight)');
      assert.match(seen[0].accept, /application\/jwk-set\+json/, 'the package\'s Accept');
    } finally {
      await close(p);
      await plain.close();
      await good.close();
    }
  });
});

describe('what the page shows', () => {
  test('invisible and bidi control characters in claim names and values are shown escaped and warned about', async () => {
    const p = await open();
    const { page } = p;
    const claims = {
      ...k8sClaims(ISS), 'su\u200Bb': 'system:serviceaccount:kube-system:admin', '\u202Ebus\u202C': 'x',
      jti: 'id\u2066\u2069', note: 'tab\there\u00A0nbsp', tag: 'a\u{E0041}b',
    };
    await pasteTokenAndKeys(page, signToken({ alg: 'RS256', kid: `k\u200D${key.jwk.kid}` }, claims), jwks);
    await waitVerdict(page, 'failed');
    const hidden = /[\u200B\u200D\u202E\u202C\u2066\u2069\u00A0\u{E0041}]/u; // (innerText puts tabs between cells)
    for (const id of ['claims', 'header-params', 'payload-json', 'header-json', 'warnings']) {
      assert.doesNotMatch(await status(page, id), hidden, `#${id} shows no invisible character as is`);
    }
    const table = await status(page, 'claims');
    for (const shown of ['su\\u200Bb', '\\u202Ebus\\u202C', 'id\\u2066\\u2069', 'tab\\there\\u00A0nbsp', 'a\\u{E0041}b']) assert.ok(table.includes(shown), shown);
    assert.ok((await status(page, 'header-params')).includes('k\\u200D'));
    assert.equal(await page.locator('#claims tr[data-name="su\u200Bb"] .esc').first().getAttribute('title'), 'U+200B ZERO WIDTH SPACE');
    assert.ok((await warningIds(page)).includes('invisible-chars'));
    assert.match(await status(page, 'warnings'), /su\\u200Bb/);
    await close(p);
  });

  test('the page\'s wasm instance stays healthy under every hostile argument, thousands of times', async () => {
    const p = await open();
    const { page } = p;
    const pkgTests = join(import.meta.dirname, '..', '..', 'pkg-tests');
    for (const f of ['hostile.mjs', 'wasm-stack.mjs']) {
      await page.route(`${env.site.origin}/__test/${f}`, (route) => route.fulfill({ contentType: 'text/javascript', body: readFileSync(join(pkgTests, f), 'utf8') }));
    }
    const table = JSON.parse(readFileSync(join(pkgTests, '..', 'tests', 'attacks.json'), 'utf8'));
    const control = table.cases.find((c) => /^control: RS256/.test(c.name));
    const rounds = Number(process.env.JWKSGATE_HOSTILE_ROUNDS ?? 400);
    const result = await page.evaluate(async ({ jwksText, token, now, rounds }) => {
      const { fixtures, outcome, rows } = await import('/__test/hostile.mjs');
      const { exportStackPointer } = await import('/__test/wasm-stack.mjs');
      const j = await import('/pkg/jwksgate.js'); // the instance the page itself uses
      const f = fixtures(jwksText, token, now);
      const wasm = j.initSync({ module: new Uint8Array(0) });
      const verifier = new j.Verifier(jwksText);
      const wrong = [];
      const pass = (glue, v, check) => {
        for (const [name, , call, expect] of rows()) {
          const got = outcome(() => call(glue, f, v));
          if (check && got !== expect) wrong.push(`${name}: ${got}, expected ${expect}`);
        }
      };
      pass(j, verifier, true);
      const before = { memory: wasm.memory.buffer.byteLength, table: wasm.__wbindgen_externrefs.length };
      for (let i = 0; i < rounds; i++) pass(j, verifier, false);
      const afterwards = { memory: wasm.memory.buffer.byteLength, table: wasm.__wbindgen_externrefs.length };
      const good = j.verify(token, jwksText, { currentDate: now }).payload.iss;
      verifier.free();
      // The stack pointer, on a second instance of a copy of the module that exports it.
      const glue = await import('/pkg/jwksgate.js?stack-pointer');
      const bytes = await (await fetch('/pkg/jwksgate_bg.wasm')).arrayBuffer();
      const sp = glue.initSync({ module: exportStackPointer(bytes) }).__stack_pointer;
      const v2 = new glue.Verifier(jwksText);
      const leaks = [];
      for (const [name, , call] of rows()) {
        const was = sp.value;
        outcome(() => call(glue, f, v2));
        if (sp.value !== was) leaks.push(`${name}: ${was - sp.value} bytes`);
      }
      return { wrong, before, afterwards, good, leaks, calls: rounds * rows().length };
    }, { jwksText: table.defaultJwks, token: control.token, now: control.options.currentDate, rounds });
    console.log(`# Chromium: ${result.calls} hostile calls; wasm memory ${result.before.memory} -> ${result.afterwards.memory}, externref table ${result.before.table} -> ${result.afterwards.table}`);
    assert.deepEqual(result.wrong, []);
    assert.deepEqual(result.leaks, []);
    assert.deepEqual(result.afterwards, result.before);
    assert.equal(result.good, 'https://kubernetes.default.svc');
    // And the page itself still works on that instance.
    await act(page, () => page.getByRole('button', { name: 'Load the example' }).click());
    await waitVerdict(page, 'verified');
    await close(p);
  });
});
