// The origin can prove who called (issue 26), in workerd: the gate's signed assertion verified by
// an origin with jose (createRemoteJWKSet + jwtVerify, unchanged) and with this package
// (createIssuerJWKSet(GATE_URL) + jwtVerify); the gate's discovery document and key set checked
// by `jwksgate discover`; key rotation; metadata and Kubernetes headers with hostile values;
// RFC 6750's challenge for a refused Bearer token; WebSockets through the gate, closed when their
// session is revoked or expires. Keys are made by node:crypto at test time.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import * as jose from 'jose';
import { WebSocketServer } from 'ws';
import { Issuer } from '../dev/issuer.mjs';
import { freePort, roles, root, startGate } from './helpers.mjs';

// The npm package as `make pkg` builds it: its Node entry (package.json exports' node import).
const jwksgate = await import(join(root, 'pkg', 'bundled.mjs'));
const CLI = join(root, 'target', 'release', 'jwksgate');

const AUD = 'https://gate.example';
const ROLES = {
  shop: {
    user_claim: 'sub', bound_audiences: [AUD], groups_claim: 'groups', token_ttl: '1h', token_policies: ['shop'],
    claim_mappings: { '/kubernetes.io/namespace': 'namespace', team: 'team', motto: 'motto', 'weird key': 'weird key', Team: 'Team' },
  },
  brief: { user_claim: 'sub', bound_audiences: [AUD], token_ttl: 2 },
  counted: { user_claim: 'sub', bound_audiences: [AUD], token_ttl: '1h', token_num_uses: 3 },
};

const ecKey = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
const pem = (key) => key.export({ type: 'pkcs8', format: 'pem' });
const jwk = (key, kid) => JSON.stringify({ ...key.export({ format: 'jwk' }), kid });

/**
 * An origin that verifies every request's assertion both ways (issuer GATE_URL, audience its
 * own URL: ORIGIN), as an origin's own code would, and echoes WebSocket frames.
 */
async function startVerifyingOrigin(gateUrl) {
  const seen = [];
  let audience;
  const sockets = [];
  const joseKeys = jose.createRemoteJWKSet(new URL(`${gateUrl}/.well-known/jwks.json`));
  const packageKeys = jwksgate.createIssuerJWKSet(gateUrl);
  const verifyBoth = async (token) => {
    const out = {};
    for (const [name, run] of [
      ['jose', () => jose.jwtVerify(token, joseKeys, { issuer: gateUrl, audience, algorithms: ['ES256'] })],
      ['jwksgate', () => jwksgate.jwtVerify(token, packageKeys, { issuer: gateUrl, audience, algorithms: ['ES256'] })],
    ]) {
      try {
        out[name] = { ok: true, payload: (await run()).payload };
      } catch (e) {
        out[name] = { ok: false, code: e.code };
      }
    }
    return out;
  };
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', async () => {
      const token = req.headers['x-jwksgate-assertion'];
      const record = { path: req.url, headers: req.headers, rawHeaders: req.rawHeaders, verified: token ? await verifyBoth(token) : null };
      seen.push(record);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(record));
    });
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const record = { path: req.url, headers: req.headers, upgrade: true };
    seen.push(record);
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.push(ws);
      ws.on('message', (data) => ws.send(`echo:${data}`));
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  audience = `http://127.0.0.1:${server.address().port}`;
  return {
    url: audience,
    seen,
    verifyBoth,
    stop: () => new Promise((resolve) => {
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      server.close(resolve);
    }),
  };
}

let issuer;
let origin;
let gate;
let otherGate;
let gateUrl;
const current = ecKey();
const previous = ecKey();
before(async () => {
  issuer = await new Issuer().start();
  const port = await freePort();
  gateUrl = `http://127.0.0.1:${port}`;
  origin = await startVerifyingOrigin(gateUrl);
  const bindings = {
    OIDC_DISCOVERY_URL: issuer.url, ROLES: roles(ROLES), DEFAULT_ROLE: 'shop', ORIGIN: origin.url,
    ASSERTION_KEY: pem(current), ASSERTION_KEY_PREVIOUS: jwk(previous, 'before-rotation'), GATE_URL: gateUrl,
  };
  gate = await startGate(bindings, { port });
  const otherPort = await freePort();
  otherGate = await startGate({ ...bindings, ASSERTION_KEY: pem(ecKey()), ASSERTION_KEY_PREVIOUS: '', GATE_URL: `http://127.0.0.1:${otherPort}` }, { port: otherPort });
});
after(async () => {
  await gate?.dispose();
  await otherGate?.dispose();
  await origin?.stop();
  await issuer?.stop();
});

const mint = (opts = {}) => issuer.mint({ namespace: 'shop', serviceAccount: 'cart', audience: AUD, extra: { groups: ['dev'], team: 'payments' }, ...opts });
async function session(g = gate, role = 'shop', token = mint()) {
  const r = await g.login(role, token);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.auth.client_token;
}
/** The origin's record of one proxied request. */
async function through(g, headers, path = '/app') {
  const r = await g.call(path, { headers });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

describe("the gate's documents", () => {
  test('discovery names GATE_URL and the key set; both keys are published', async () => {
    const doc = await gate.call('/.well-known/openid-configuration');
    assert.equal(doc.status, 200);
    assert.equal(doc.body.issuer, gateUrl);
    assert.equal(doc.body.jwks_uri, `${gateUrl}/.well-known/jwks.json`);
    assert.match(doc.headers.get('cache-control'), /max-age=300/);
    const keys = await gate.call('/.well-known/jwks.json');
    assert.equal(keys.status, 200);
    assert.equal(keys.headers.get('access-control-allow-origin'), '*');
    assert.equal(keys.body.keys.length, 2);
    assert.equal(keys.body.keys[1].kid, 'before-rotation');
    for (const k of keys.body.keys) {
      assert.deepEqual([k.kty, k.crv, k.alg, k.use, k.d], ['EC', 'P-256', 'ES256', 'sig', undefined]);
    }
    // The kid of a PEM key is its RFC 7638 thumbprint, as jose computes it.
    const { d, ...pub } = current.export({ format: 'jwk' });
    assert.equal(keys.body.keys[0].kid, await jose.calculateJwkThumbprint(pub));
    const post = await gate.call('/.well-known/jwks.json', { method: 'POST' });
    assert.equal(post.status, 405);
  });

  test('jwksgate discover accepts them', async () => {
    assert.ok(existsSync(CLI), `${CLI} is built (make cli)`);
    const { code, stdout } = await new Promise((resolve) => execFile(CLI, ['discover', gateUrl, '--json'], (e, stdout) => resolve({ code: e ? e.code : 0, stdout })));
    const report = JSON.parse(stdout);
    assert.equal(code, 0, stdout);
    assert.equal(report.ok, true, JSON.stringify(report.problems));
    assert.deepEqual(report.keys.map((k) => [k.kid, k.algorithms]), [[report.keys[0].kid, ['ES256']], ['before-rotation', ['ES256']]]);
  });
});

describe('the assertion', () => {
  test('a session: the origin verifies it with jose and with this package', async () => {
    const token = await session();
    const seen = await through(gate, { 'x-vault-token': token });
    for (const lib of ['jose', 'jwksgate']) {
      const v = seen.verified[lib];
      assert.ok(v.ok, `${lib}: ${v.code}`);
      const payload = v.payload;
      assert.equal(payload.iss, gateUrl);
      assert.equal(payload.aud, origin.url);
      assert.equal(payload.sub, 'jwt/system:serviceaccount:shop:cart');
      assert.deepEqual([payload.mount, payload.role, payload.policies, payload.groups], ['jwt', 'shop', ['default', 'shop'], ['dev']]);
      assert.equal(payload.metadata.team, 'payments');
      assert.ok(payload.exp - payload.iat === 60);
      assert.match(payload.jti, /^[A-Za-z0-9_-]{22}$/);
    }
    assert.equal(jose.decodeProtectedHeader(seen.headers['x-jwksgate-assertion']).alg, 'ES256');
    const again = await through(gate, { 'x-vault-token': token });
    assert.notEqual(again.headers['x-jwksgate-assertion'], seen.headers['x-jwksgate-assertion'], 'a new assertion, a new jti, each request');
  });

  test('refused by the origin: expired, another gate, another audience, a forged one', async () => {
    const token = await session();
    const mine = (await through(gate, { 'x-vault-token': token })).headers['x-jwksgate-assertion'];
    const theirs = (await through(otherGate, { 'x-vault-token': await session(otherGate) })).headers['x-jwksgate-assertion'];
    const [head, body] = mine.split('.');
    const forged = `${head}.${body}.${(await new jose.SignJWT({}).setProtectedHeader({ alg: 'ES256' }).sign(ecKey())).split('.')[2]}`;
    const exp = jose.decodeJwt(mine).exp;
    const rows = [
      ['good', mine, {}, null],
      ['expired (jose clock: exp)', mine, { currentDate: new Date(exp * 1000) }, 'ERR_JWT_EXPIRED'],
      ["another gate's key", theirs, {}, 'ERR_JWKS_NO_MATCHING_KEY'],
      ['copied to another audience', mine, { audience: 'https://another-origin.example' }, 'ERR_JWT_CLAIM_VALIDATION_FAILED'],
      ['a signature of another key', forged, {}, 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED'],
    ];
    const joseKeys = jose.createRemoteJWKSet(new URL(`${gateUrl}/.well-known/jwks.json`));
    const packageKeys = jwksgate.createIssuerJWKSet(gateUrl);
    for (const [name, t, extra, code] of rows) {
      const options = { issuer: gateUrl, audience: origin.url, algorithms: ['ES256'], ...extra };
      for (const [lib, run] of [['jose', () => jose.jwtVerify(t, joseKeys, options)], ['jwksgate', () => jwksgate.jwtVerify(t, packageKeys, options)]]) {
        const got = await run().then(() => null, (e) => e.code);
        assert.equal(got, code, `${name} (${lib})`);
      }
    }
  });

  test("a Bearer ServiceAccount token: the Kubernetes identity as headers and claim; the caller's own stripped", async () => {
    const seen = await through(gate, {
      authorization: `Bearer ${mint()}`,
      'x-jwksgate-assertion': 'eyJhbGciOiJub25lIn0.e30.',
      'X-Auth-Request-Metadata-Team': 'admins',
      'x-auth-request-kubernetes-namespace': 'kube-system',
    });
    const h = seen.headers;
    assert.equal(h['x-auth-request-kubernetes-namespace'], 'shop');
    assert.equal(h['x-auth-request-kubernetes-service-account'], 'cart');
    assert.match(h['x-auth-request-kubernetes-pod'], /^cart-/);
    assert.ok(h['x-auth-request-kubernetes-pod-uid'] && h['x-auth-request-kubernetes-service-account-uid']);
    assert.equal(h['x-auth-request-metadata-team'], 'payments');
    assert.equal(seen.rawHeaders.filter((n) => /^x-jwksgate-assertion$/i.test(n)).length, 1);
    const { payload } = await jose.jwtVerify(h['x-jwksgate-assertion'], jose.createRemoteJWKSet(new URL(`${gateUrl}/.well-known/jwks.json`)), { issuer: gateUrl, audience: origin.url });
    assert.equal(payload.sub, 'jwt/system:serviceaccount:shop:cart');
    assert.equal(payload['kubernetes.io'].namespace, 'shop');
    assert.equal(payload['kubernetes.io'].serviceaccount.name, 'cart');
  });

  test('metadata with hostile values cannot break a header', async () => {
    const hostile = 'a\r\nX-Auth-Request-User: admin, b%41\u0000\u00e9\u202e';
    const token = await session(gate, 'shop', mint({ extra: { groups: ['dev'], team: hostile, motto: 'x'.repeat(2000), 'weird key': 'v', Team: 'other' } }));
    const seen = await through(gate, { 'x-vault-token': token });
    const h = seen.headers;
    // Team and team fold to one field name: neither is sent; a key with a space has no field.
    assert.equal(h['x-auth-request-metadata-team'], undefined);
    assert.equal(seen.rawHeaders.filter((n) => /^x-auth-request-metadata-weird/i.test(n)).length, 0);
    assert.equal(h['x-auth-request-metadata-motto'], 'x'.repeat(2000));
    assert.equal(h['x-auth-request-metadata-namespace'], 'shop');
    assert.equal(h['x-auth-request-user'].includes('admin'), false);
    // Every value the gate set is visible ASCII, no comma outside lists it builds.
    for (let i = 0; i < seen.rawHeaders.length; i += 2) {
      if (/^x-auth-request-metadata-/i.test(seen.rawHeaders[i])) assert.match(seen.rawHeaders[i + 1], /^[\x21-\x2b\x2d-\x7e]*$/);
    }
    // The assertion carries the values as they are.
    const { payload } = await jose.jwtVerify(h['x-jwksgate-assertion'], jose.createRemoteJWKSet(new URL(`${gateUrl}/.well-known/jwks.json`)), { issuer: gateUrl, audience: origin.url });
    assert.equal(payload.metadata.team, hostile);
    assert.equal(payload.metadata['weird key'], 'v');
  });

  test("a refused Bearer token: RFC 6750's challenge, never a redirect", async () => {
    const expired = mint({ now: Math.floor(Date.now() / 1000) - 7200 });
    for (const accept of ['application/json', 'text/html,application/xhtml+xml', '*/*']) {
      for (const token of [expired, 'not-a-jwt', `${mint()}x`]) {
        const r = await gate.call('/app', { headers: { authorization: `Bearer ${token}`, accept } });
        assert.equal(r.status, 401);
        assert.equal(r.headers.get('www-authenticate'), 'Bearer error="invalid_token"');
        assert.equal(r.headers.get('location'), null);
      }
    }
  });
});

/** A WebSocket through the gate (Miniflare's client), its messages and its close. */
async function openSocket(g, headers) {
  const r = await g.mf.dispatchFetch(`http://gate.test/ws`, { headers: { upgrade: 'websocket', ...headers } });
  if (!r.webSocket) return { status: r.status, headers: r.headers };
  const ws = r.webSocket;
  const messages = [];
  let waiting = null;
  const closed = new Promise((resolve) => ws.addEventListener('close', (e) => resolve({ code: e.code, reason: e.reason })));
  ws.addEventListener('message', (e) => {
    messages.push(String(e.data));
    waiting?.();
  });
  ws.accept();
  const echo = (text) =>
    new Promise((resolve) => {
      const n = messages.length;
      waiting = () => messages.length > n && resolve(messages.at(-1));
      ws.send(text);
    });
  return { status: r.status, ws, echo, closed };
}

describe('WebSockets', () => {
  test('a session: echoed with identity and assertion, then closed once revoked', async () => {
    const token = await session();
    const before = origin.seen.length;
    const s = await openSocket(gate, { 'x-vault-token': token });
    assert.equal(s.status, 101);
    assert.equal(await s.echo('hello'), 'echo:hello');
    const upgrade = origin.seen.slice(before).find((r) => r.upgrade);
    assert.equal(upgrade.headers['x-vault-token'], undefined);
    assert.equal(upgrade.headers['x-auth-request-role'], 'shop');
    const { payload } = await jose.jwtVerify(upgrade.headers['x-jwksgate-assertion'], jose.createRemoteJWKSet(new URL(`${gateUrl}/.well-known/jwks.json`)), { issuer: gateUrl, audience: origin.url });
    assert.equal(payload.sub, 'jwt/system:serviceaccount:shop:cart');
    const revoked = await gate.call('/v1/auth/token/revoke-self', { method: 'POST', headers: { 'x-vault-token': token } });
    assert.equal(revoked.status, 204);
    // Closed at the next check (every 5 s): the test's own timeout bounds the wait.
    assert.deepEqual(await s.closed, { code: 1008, reason: 'credential ended' });
  });

  test('a session that expires is closed at its expiry', async () => {
    const token = await session(gate, 'brief');
    const s = await openSocket(gate, { 'x-vault-token': token });
    assert.equal(s.status, 101);
    assert.equal(await s.echo('hi'), 'echo:hi');
    assert.deepEqual(await s.closed, { code: 1008, reason: 'credential ended' });
  });

  test('a session whose last use another request spends is closed', async () => {
    const token = await session(gate, 'counted');
    const s = await openSocket(gate, { 'x-vault-token': token }); // use 1 of 3
    assert.equal(s.status, 101);
    assert.equal(await s.echo('one'), 'echo:one');
    for (let i = 2; i <= 3; i++) assert.equal((await gate.call('/app', { headers: { 'x-vault-token': token } })).status, 200, `use ${i}`);
    assert.equal((await gate.call('/app', { headers: { 'x-vault-token': token } })).status, 401, 'spent');
    assert.deepEqual(await s.closed, { code: 1008, reason: 'credential ended' });
  });

  test('a Bearer ServiceAccount token opens one; a refused credential never does', async () => {
    const s = await openSocket(gate, { authorization: `Bearer ${mint()}` });
    assert.equal(s.status, 101);
    assert.equal(await s.echo('sa'), 'echo:sa');
    s.ws.close(1000, 'done');
    const before = origin.seen.length;
    for (const headers of [{}, { authorization: 'Bearer not-a-jwt' }, { 'x-vault-token': 'jgs.forged.x' }, { authorization: `Bearer ${mint({ now: Math.floor(Date.now() / 1000) - 7200 })}` }]) {
      const r = await openSocket(gate, headers);
      assert.equal(r.status, 401, JSON.stringify(headers));
      assert.equal(r.ws, undefined);
    }
    assert.equal(origin.seen.length, before, 'the origin saw no upgrade');
  });

  test("the session cookie from another origin's page: refused (Cross-Site WebSocket Hijacking)", async () => {
    const token = await session();
    const cookie = `__Host-jwksgate-session=${token}`;
    const foreign = await openSocket(gate, { cookie, origin: 'https://evil.example' });
    assert.equal(foreign.status, 403);
    const own = await openSocket(gate, { cookie, origin: 'http://gate.test' });
    assert.equal(own.status, 101);
    own.ws.close(1000, 'done');
  });
});
