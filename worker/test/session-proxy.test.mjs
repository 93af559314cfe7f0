// Sessions (lookup-self, expiry, tampering, forgery, revoke-self) and the gated proxy (identity
// headers stripped and set, the __Host- cookie, ServiceAccount tokens under DEFAULT_ROLE), in workerd.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { Issuer } from '../dev/issuer.mjs';
import { startOrigin } from '../dev/origin.mjs';
import { roles, sleep, startGate } from './helpers.mjs';

const AUD = 'https://gate.example';
const ROLES = {
  shop: { user_claim: 'sub', bound_audiences: [AUD], bound_claims: { '/kubernetes.io/namespace': 'shop' }, groups_claim: 'groups', token_ttl: '1h', token_policies: ['shop'] },
  brief: { user_claim: 'sub', bound_audiences: [AUD], token_ttl: 1 },
};

let issuer;
let origin;
let gate;
let otherSecret;
before(async () => {
  issuer = await new Issuer().start();
  origin = await startOrigin();
  const bindings = { OIDC_DISCOVERY_URL: issuer.url, ROLES: roles(ROLES), DEFAULT_ROLE: 'shop', ORIGIN: origin.url };
  gate = await startGate(bindings);
  otherSecret = await startGate({ ...bindings, SESSION_SECRET: 'another-secret-another-secret-another-secret' });
});
after(async () => {
  await gate?.dispose();
  await otherSecret?.dispose();
  await origin?.stop();
  await issuer?.stop();
});

const mint = (opts = {}) => issuer.mint({ namespace: 'shop', serviceAccount: 'cart', audience: AUD, extra: { groups: ['dev', 'ops'] }, ...opts });
const lookup = (g, token, how = 'x-vault-token') =>
  g.call('/v1/auth/token/lookup-self', { headers: how === 'x-vault-token' ? { 'x-vault-token': token } : { authorization: `Bearer ${token}` } });

async function session(role = 'shop') {
  const r = await gate.login(role, mint());
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.auth.client_token;
}

describe('sessions', () => {
  test("lookup-self in Vault's shape, by X-Vault-Token or Bearer", async () => {
    const token = await session();
    for (const how of ['x-vault-token', 'bearer']) {
      const r = await lookup(gate, token, how);
      assert.equal(r.status, 200);
      const d = r.body.data;
      assert.equal(d.display_name, 'jwt-system:serviceaccount:shop:cart');
      assert.equal(d.path, 'auth/jwt/login');
      assert.equal(d.id, token);
      assert.deepEqual(d.meta, { role: 'shop' });
      assert.deepEqual(d.policies, ['default', 'shop']);
      assert.ok(d.ttl > 3500 && d.ttl <= 3600);
      assert.match(d.expire_time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    }
  });

  test('expired sessions are refused', async () => {
    const token = await session('brief');
    await sleep(2100); // the session lives 1 s: this waits out its lifetime, it measures nothing
    const r = await lookup(gate, token);
    assert.deepEqual([r.status, r.body], [403, { errors: ['permission denied'] }]);
  });

  test('tampered and forged sessions are refused', async () => {
    const token = await session();
    const [prefix, body, mac] = token.split('.');
    const claims = JSON.parse(Buffer.from(body, 'base64url'));
    claims.policies = ['root'];
    const swapped = `${prefix}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${mac}`;
    const flipped = token.slice(0, -3) + (token.at(-3) === 'A' ? 'B' : 'A') + token.slice(-2);
    const forgedLogin = await otherSecret.login('shop', mint());
    const forged = forgedLogin.body.auth.client_token;
    for (const [name, t] of [['payload swapped', swapped], ['mac flipped', flipped], ['another secret', forged], ['garbage', 'jgs.x.y']]) {
      const r = await lookup(gate, t);
      assert.equal(r.status, 403, name);
    }
    assert.equal((await lookup(otherSecret, forged)).status, 200, 'the other deployment accepts its own');
  });

  test('revoke-self: 204, then refused everywhere', async () => {
    const token = await session();
    assert.equal((await lookup(gate, token)).status, 200);
    const r = await gate.call('/v1/auth/token/revoke-self', { method: 'POST', headers: { 'x-vault-token': token } });
    assert.equal(r.status, 204);
    assert.equal((await lookup(gate, token)).status, 403);
    const p = await gate.call('/app', { headers: { 'x-vault-token': token } });
    assert.equal(p.status, 401);
    const again = await gate.call('/v1/auth/token/revoke-self', { method: 'POST', headers: { 'x-vault-token': token } });
    assert.equal(again.status, 403);
    const other = await session();
    assert.equal((await lookup(gate, other)).status, 200, 'other sessions unaffected');
  });

  test("renew-self: renewable, as Vault's JWT tokens are (tokenutil PopulateTokenAuth)", async () => {
    const token = await session();
    const r = await gate.call('/v1/auth/token/renew-self', { method: 'POST', headers: { 'x-vault-token': token } });
    assert.deepEqual([r.status, r.body.auth.renewable, r.body.auth.client_token], [200, true, token]);
    const forged = await gate.call('/v1/auth/token/renew-self', { method: 'PUT', headers: { 'x-vault-token': `${token}x` } });
    assert.deepEqual([forged.status, forged.body], [403, { errors: ['permission denied'] }]);
    assert.equal((await gate.call('/v1/auth/token/renew-self', { headers: { 'x-vault-token': token } })).status, 405);
  });

  test('no token: 403 permission denied', async () => {
    const r = await gate.call('/v1/auth/token/lookup-self');
    assert.deepEqual([r.status, r.body], [403, { errors: ['permission denied'] }]);
  });
});

describe('proxy', () => {
  const spoof = {
    'x-auth-request-user': 'admin',
    'x-auth-request-groups': 'root',
    'x-auth-request-role': 'admin',
    'x-forwarded-user': 'admin',
    'remote-user': 'admin',
  };

  test('with a session: identity headers stripped, then set; the token is not forwarded', async () => {
    const token = await session();
    const r = await gate.call('/app/orders?id=7', { method: 'POST', headers: { 'x-vault-token': token, 'content-type': 'text/plain', ...spoof }, body: 'hello' });
    assert.equal(r.status, 200);
    const seen = r.body;
    assert.equal(seen.path, '/app/orders?id=7');
    assert.equal(seen.method, 'POST');
    assert.equal(seen.body, 'hello');
    assert.equal(seen.headers['x-auth-request-user'], 'jwt/system:serviceaccount:shop:cart');
    assert.equal(seen.headers['x-auth-request-mount'], 'jwt');
    assert.equal(seen.headers['x-auth-request-policies'], 'default,shop');
    assert.equal(seen.headers['x-auth-request-groups'], 'dev,ops');
    assert.equal(seen.headers['x-auth-request-role'], 'shop');
    assert.equal(seen.headers['x-forwarded-user'], undefined);
    assert.equal(seen.headers['remote-user'], undefined);
    assert.equal(seen.headers['x-vault-token'], undefined);
  });

  test('with a ServiceAccount token as Bearer, under DEFAULT_ROLE', async () => {
    const r = await gate.call('/app', { headers: { authorization: `Bearer ${mint()}`, ...spoof } });
    assert.equal(r.status, 200);
    assert.equal(r.body.headers['x-auth-request-user'], 'jwt/system:serviceaccount:shop:cart');
    assert.equal(r.body.headers['x-auth-request-mount'], 'jwt');
    assert.equal(r.body.headers['x-auth-request-policies'], 'default,shop');
    assert.equal(r.body.headers['x-auth-request-role'], 'shop');
    assert.equal(r.body.headers.authorization, undefined);
    const wrongNs = await gate.call('/app', { headers: { authorization: `Bearer ${mint({ namespace: 'bank' })}` } });
    assert.deepEqual([wrongNs.status, wrongNs.body], [401, { errors: ['permission denied'] }], 'the reason is in the log only');
  });

  test('claim values cannot split the groups list or break a header: percent-encoded, by session and by Bearer', async () => {
    const hostile = mint({ serviceAccount: 'cärt', extra: { groups: ['dev,root', 'ops team', '100%', 'ops'] } });
    const l = await gate.login('shop', hostile);
    assert.equal(l.status, 200, JSON.stringify(l.body));
    for (const headers of [{ 'x-vault-token': l.body.auth.client_token }, { authorization: `Bearer ${hostile}` }]) {
      const r = await gate.call('/app', { headers });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.headers['x-auth-request-user'], 'jwt/system:serviceaccount:shop:c%C3%A4rt');
      assert.equal(r.body.headers['x-auth-request-groups'], 'dev%2Croot,ops%20team,100%25,ops');
      assert.equal(r.body.headers['x-auth-request-role'], 'shop');
    }
  });

  test('with the cookie login sets on request', async () => {
    const l = await gate.login('shop', mint(), { set_cookie: true });
    const cookie = l.headers.get('set-cookie');
    assert.match(cookie, /^__Host-jwksgate-session=jgs\.[^;]+; Path=\/; Max-Age=3600; Secure; HttpOnly; SameSite=Strict$/);
    const plain = await gate.login('shop', mint());
    assert.equal(plain.headers.get('set-cookie'), null);
    const value = cookie.split(';')[0];
    const r = await gate.call('/app', { headers: { cookie: `theme=dark; ${value}; lang=en` } });
    assert.equal(r.status, 200);
    assert.equal(r.body.headers['x-auth-request-role'], 'shop');
    assert.equal(r.body.headers.cookie, 'theme=dark; lang=en', 'the session cookie stays at the gate');
  });

  test('no or bad credentials: 401 JSON, never a redirect', async () => {
    for (const headers of [{}, { authorization: 'Bearer nope' }, { 'x-vault-token': 'jgs.a.b' }, { cookie: '__Host-jwksgate-session=jgs.a.b' }, { authorization: 'Basic YTpi' }]) {
      const r = await gate.call('/app', { headers });
      assert.equal(r.status, 401, JSON.stringify(headers));
      assert.ok(Array.isArray(r.body.errors));
      assert.equal(r.headers.get('location'), null);
    }
  });

  test('an origin that does not answer: 502 in Vault\'s shape', async () => {
    // A loopback port that was just free: nothing listens there.
    const free = createServer();
    await new Promise((resolve) => free.listen(0, '127.0.0.1', resolve));
    const { port } = free.address();
    await new Promise((resolve) => free.close(resolve));
    const down = await startGate({ OIDC_DISCOVERY_URL: issuer.url, ROLES: roles(ROLES), DEFAULT_ROLE: 'shop', ORIGIN: `http://127.0.0.1:${port}` });
    try {
      const r = await down.call('/app', { headers: { authorization: `Bearer ${mint()}` } });
      assert.deepEqual([r.status, r.body], [502, { errors: ['origin unreachable'] }]);
    } finally {
      await down.dispose();
    }
  });

  test('ORIGIN is checked when the gate starts: the reason in the log, a generic 500 to callers', async () => {
    // [ORIGIN, what the log says]; the reasons themselves are tabled in tests/proxy.rs.
    const table = [
      ['http://user:pw@127.0.0.1:8791', 'ORIGIN must not carry credentials'],
      [`${origin.url}/?x=1`, 'ORIGIN must not have a query or a fragment'],
      [`${origin.url}/a/../b`, 'ORIGIN has a path that is not in normal form: write /b/'],
      ['ftp://127.0.0.1', 'ORIGIN must be an http(s) URL'],
      ['http://0x7f.1:8791', 'ORIGIN must name a host'],
      // Rust writes [::ffff:127.0.0.1]; the URL parser that connects writes [::ffff:7f00:1].
      ['http://[::ffff:127.0.0.1]:8791', 'ORIGIN must name its host as a URL parser writes it: http://[::ffff:7f00:1]:8791'],
    ];
    for (const [value, reason] of table) {
      let log = '';
      const capture = (stdout, stderr) => [stdout, stderr].forEach((s) => s.on('data', (c) => (log += c)));
      const bad = await startGate({ OIDC_DISCOVERY_URL: issuer.url, ROLES: roles(ROLES), DEFAULT_ROLE: 'shop', ORIGIN: value }, { handleRuntimeStdio: capture });
      try {
        const r = await bad.call('/app', { headers: { authorization: `Bearer ${mint()}` } });
        assert.deepEqual([r.status, r.body], [500, { errors: ['the gate is misconfigured; see its log'] }], value);
        for (let i = 0; i < 100 && !log.includes(reason); i++) await sleep(20);
        assert.ok(log.includes(`jwksgate: bad configuration: ${reason}`), `${value}: ${log}`);
      } finally {
        await bad.dispose();
      }
    }
  });

  test('a body over 64 KiB: 413', async () => {
    const token = await session();
    const r = await gate.call('/upload', { method: 'PUT', headers: { 'x-vault-token': token }, body: 'x'.repeat(65 * 1024) });
    assert.equal(r.status, 413);
  });
});
