// Test helpers for the inspector: the page served on 127.0.0.1, Debian's Chromium through
// playwright-core, tokens signed with node:crypto (an implementation independent of jwksgate),
// and a stand-in OpenID issuer on 127.0.0.1 for the fetch button.
import { createHash, generateKeyPairSync, createPublicKey, sign, constants } from 'node:crypto';
import { createServer } from 'node:http';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';
import { serve } from '../server.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export const WWW_DIR = process.env.WWW_DIR ?? join(here, '..', '..', 'target', 'www');
export const ARTIFACTS = join(here, '..', '..', 'test-artifacts', 'www');

export const b64u = (v) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** An RSA-2048 key pair with its public JWK, Kubernetes key id and RFC 7638 thumbprint. */
export function rsaKey(kid) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const { n, e } = publicKey.export({ format: 'jwk' });
  const k8sKid = createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('base64url');
  // RFC 7638 section 3.2: required members only, lexicographic order, no whitespace.
  const thumbprint = createHash('sha256').update(`{"e":"${e}","kty":"RSA","n":"${n}"}`).digest('base64url');
  return {
    privateKey, publicKey, k8sKid, thumbprint,
    jwk: { kty: 'RSA', kid: kid ?? k8sKid, use: 'sig', alg: 'RS256', n, e },
    spkiPem: publicKey.export({ type: 'spki', format: 'pem' }),
    pkcs1Pem: publicKey.export({ type: 'pkcs1', format: 'pem' }),
  };
}

/** A compact JWS over `header` and `payload` (objects or raw strings) signed by `key`. */
export function signToken(header, payload, key, alg = header.alg ?? 'RS256') {
  const input = `${typeof header === 'string' ? header : b64u(header)}.${typeof payload === 'string' ? payload : b64u(payload)}`;
  const hash = { 256: 'sha256', 384: 'sha384', 512: 'sha512' }[alg.slice(2)];
  const opts = alg.startsWith('PS')
    ? { key: key.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(alg.slice(2)) / 8 }
    : key.privateKey;
  return `${input}.${sign(hash, Buffer.from(input), opts).toString('base64url')}`;
}

/** Kubernetes-shaped projected token claims for `now`, lifetime one hour. */
export function k8sClaims(iss, now = nowSeconds(), extra = {}) {
  return {
    aud: ['https://gate.example.com'], exp: now + 3600, iat: now, nbf: now, iss,
    'kubernetes.io': {
      namespace: 'payments', pod: { name: 'api-0', uid: 'p-uid' }, node: { name: 'node-1', uid: 'n-uid' },
      serviceaccount: { name: 'api', uid: 's-uid' }, warnafter: now + 3000,
    },
    sub: 'system:serviceaccount:payments:api',
    ...extra,
  };
}

/**
 * Serves the assembled page folder on a free loopback port; `opener: null` leaves out the
 * Cross-Origin-Opener-Policy header, as a static host that sets no headers would.
 */
export async function startSite(options) {
  const server = await serve(WWW_DIR, 0, options);
  const origin = `http://127.0.0.1:${server.address().port}`;
  return { origin, close: () => new Promise((ok) => server.close(ok)) };
}

/**
 * A stand-in OpenID issuer on 127.0.0.1: discovery and JWKS, with CORS headers unless `cors` is
 * false. `hits` lists the paths requested. `jwksUri(origin)` names another key set URL;
 * `routes[path](req, res, headers)` answers a path its own way (a redirect, a slow or huge body).
 */
export async function startIssuer({ jwks, cors = true, issuerOverride, jwksUri, routes = {} } = {}) {
  const hits = [];
  let origin;
  const server = createServer((req, res) => {
    hits.push(req.url);
    const headers = { 'content-type': 'application/json' };
    if (cors) headers['access-control-allow-origin'] = '*';
    if (routes[req.url]) {
      routes[req.url](req, res, headers);
    } else if (req.url === '/.well-known/openid-configuration') {
      res.writeHead(200, headers).end(JSON.stringify({ issuer: issuerOverride ?? origin, jwks_uri: jwksUri?.(origin) ?? `${origin}/openid/v1/jwks`, response_types_supported: ['id_token'], subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256'] }));
    } else if (req.url === '/openid/v1/jwks') {
      res.writeHead(200, headers).end(JSON.stringify(jwks));
    } else {
      res.writeHead(404, headers).end('{}');
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  origin = `http://127.0.0.1:${server.address().port}`;
  return { origin, hits, close: () => new Promise((ok) => { server.closeAllConnections?.(); server.close(ok); }) };
}

/** Debian's Chromium, headless, in a fresh profile that `close()` removes with Chromium's /tmp leftovers. */
export async function startBrowser() {
  const before = new Set(readdirSync(tmpdir()).filter((f) => f.startsWith('org.chromium.')));
  const profile = mkdtempSync(join(tmpdir(), 'www-test-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
      for (const f of readdirSync(tmpdir())) {
        if (f.startsWith('org.chromium.') && !before.has(f)) rmSync(join(tmpdir(), f), { recursive: true, force: true });
      }
    },
  };
}

/** Serves the page and starts Chromium before a file's tests (`env.site`, `env.browser`), stops both after. */
export function siteAndBrowser(env) {
  before(async () => {
    env.site = await startSite();
    env.browser = await startBrowser();
  });
  after(async () => {
    await env.browser?.close();
    await env.site?.close();
  });
}

/**
 * The page helpers of the Chromium tests, over `env.site` and `env.browser` (set in `before`).
 */
export function pageKit(env) {
  /**
   * Opens the page and records every request; any request to another origin than the page's
   * (and `allow`ed ones) is aborted, so a leak fails the test instead of reaching the network.
   * `site` serves another copy of the page; `url` opens a page elsewhere than the site's root.
   */
  async function open({ hash = '', allow = [], withoutSimd = false, site = env.site, url } = {}) {
    const page = await env.browser.context.newPage();
    // A browser without wasm SIMD128, as far as the package's probe can tell.
    if (withoutSimd) await page.addInitScript(() => { WebAssembly.validate = () => false; });
    const requests = [];
    const errors = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('pageerror', (e) => errors.push(e));
    await page.route('**/*', (route) => {
      const { origin } = new URL(route.request().url());
      return origin === site.origin || allow.includes(origin) ? route.continue() : route.abort();
    });
    await page.goto(url ?? `${site.origin}/${hash}`);
    if (!url) await page.waitForSelector('body[data-ready=true]');
    const foreign = () => requests.filter((u) => new URL(u).origin !== site.origin);
    return { page, requests, errors, foreign };
  }

  async function close({ page, errors }) {
    await page.close();
    assert.deepEqual(errors.map(String), [], 'no uncaught errors in the page');
  }

  /** Runs `action` and waits until the page has finished the update it causes (no sleeping). */
  async function act(page, action) {
    const n = await page.evaluate(() => Number(document.body.dataset.updates ?? 0));
    await action();
    await page.waitForFunction((k) => Number(document.body.dataset.updates ?? 0) > k, n);
  }

  const fillIn = (page, label, value) => act(page, () => page.getByLabel(label).fill(value));

  /** Waits until the verdict is `state` (and shows `code`, when given); returns its text. */
  async function waitVerdict(page, state, code) {
    try {
      await page.waitForFunction(([s, c]) => {
        const v = document.getElementById('verdict');
        return v.dataset.state === s && (!c || v.querySelector('.verdict-code')?.textContent === c);
      }, [state, code]);
    } catch (e) {
      const seen = await page.locator('#verdict').innerText();
      const status = await page.locator('#token-status').innerText();
      throw new Error(`verdict never became ${state} ${code ?? ''}; it shows: ${seen} (token status: ${status})`, { cause: e });
    }
    return page.locator('#verdict').innerText();
  }

  async function warningIds(page) {
    return page.locator('#warnings li').evaluateAll((lis) => lis.map((li) => li.dataset.id));
  }

  async function pasteTokenAndKeys(page, token, keys) {
    await fillIn(page, 'Paste a JWT', token);
    if (keys !== undefined) await fillIn(page, /^Issuer keys/, typeof keys === 'string' ? keys : JSON.stringify(keys));
  }

  return { open, close, act, fillIn, waitVerdict, warningIds, pasteTokenAndKeys };
}
