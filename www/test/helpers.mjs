// Test helpers for the inspector: the page served on 127.0.0.1, Debian's Chromium through
// playwright-core, tokens signed with node:crypto (an implementation independent of jwksgate),
// and a stand-in OpenID issuer on 127.0.0.1 for the fetch button.
import { createHash, generateKeyPairSync, createPublicKey, sign, constants } from 'node:crypto';
import { createServer } from 'node:http';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
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

/** Serves the assembled page folder on a free loopback port. */
export async function startSite() {
  const server = await serve(WWW_DIR, 0);
  const origin = `http://127.0.0.1:${server.address().port}`;
  return { origin, close: () => new Promise((ok) => server.close(ok)) };
}

/**
 * A stand-in OpenID issuer on 127.0.0.1: discovery and JWKS, with CORS headers unless `cors` is
 * false. `hits` lists the paths requested.
 */
export async function startIssuer({ jwks, cors = true, issuerOverride } = {}) {
  const hits = [];
  let origin;
  const server = createServer((req, res) => {
    hits.push(req.url);
    const headers = { 'content-type': 'application/json' };
    if (cors) headers['access-control-allow-origin'] = '*';
    if (req.url === '/.well-known/openid-configuration') {
      res.writeHead(200, headers).end(JSON.stringify({ issuer: issuerOverride ?? origin, jwks_uri: `${origin}/openid/v1/jwks`, response_types_supported: ['id_token'], subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256'] }));
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
