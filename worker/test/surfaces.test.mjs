// Issue 22's gate findings, each a row that failed on the code before it (ca2cde1),
// under workerd: the origin told the mount and the policies, and one ServiceAccount name in two
// clusters being two users (Vault: one entity per mount accessor, display_name
// `<mount>-<alias>`); sessions bound to their mount's configuration (Vault revokes a disabled
// mount's tokens, a new mount never honours them); Bearer tokens within the default role's
// limits (sdk/framework/lease.go CalculateTTL from `iat`, vault/token_store.go UseToken);
// CSRF on cookie-authenticated state-changing requests (a sibling subdomain is the same site);
// KV written only when the key set changes, never for an unsigned or garbage token; AUTH_CONFIG
// scalars that YAML 1.1 (kubectl, Bank-Vaults) and 1.2 read differently refused.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Issuer, makeKey, signJwt } from '../dev/issuer.mjs';
import { startOrigin } from '../dev/origin.mjs';
import { sleep, startGate } from './helpers.mjs';

const AUD = 'vault';
const GATE = 'http://gate.test'; // the gate's own origin as helpers.mjs calls it
let prod;
let staging;
let origin;
let gate;

// The README's two clusters, as a Bank-Vaults externalConfig; `epoch` is k8s-staging's
// session_epoch, `stagingUrl` its issuer (the reconfiguration rows change them).
const authConfig = ({ stagingUrl = staging.url, epoch, withStaging = true } = {}) => `
auth:
  - type: jwt
    path: k8s-prod
    config:
      oidc_discovery_url: ${prod.url}
      default_role: cart
    roles:
      - {name: cart, bound_audiences: ${AUD}, user_claim: sub, token_policies: [shop]}
      - {name: brief, bound_audiences: ${AUD}, user_claim: sub, token_ttl: 5}
      - {name: once, bound_audiences: ${AUD}, user_claim: sub, token_ttl: 5, token_num_uses: 1}
${withStaging ? `  - type: jwt
    path: k8s-staging
    config:
      oidc_discovery_url: ${stagingUrl}
      default_role: cart${epoch ? `\n      session_epoch: ${epoch}` : ''}
    roles:
      - {name: cart, bound_audiences: ${AUD}, user_claim: sub, token_policies: [staging]}
      - {name: admin, bound_audiences: ${AUD}, user_claim: sub, token_policies: [admin]}
` : ''}`;

before(async () => {
  prod = await new Issuer().start();
  staging = await new Issuer().start();
  origin = await startOrigin();
  gate = await startGate({ AUTH_CONFIG: authConfig(), ORIGIN: origin.url });
});
after(async () => {
  await gate?.dispose();
  await origin?.stop();
  await prod?.stop();
  await staging?.stop();
});

const cart = (issuer, opts = {}) => issuer.mint({ namespace: 'shop', serviceAccount: 'cart', audience: AUD, ...opts });
async function login(g, mount, issuer, role = 'cart', extra = {}) {
  const r = await g.login(role, cart(issuer), extra, {}, mount);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r;
}
const vault = (token) => ({ 'x-vault-token': token });
const cookie = (token) => ({ cookie: `__Host-jwksgate-session=${token}` });

describe('item 1: the origin can tell the mount and the policies', () => {
  // (case, credential for the request, X-Auth-Request-User, -Mount, -Policies)
  const SA = 'system:serviceaccount:shop:cart';
  const rows = [
    ["prod's session", async () => vault((await login(gate, 'k8s-prod', prod)).body.auth.client_token), `k8s-prod/${SA}`, 'k8s-prod', 'default,shop'],
    ["staging's session, the same ServiceAccount name", async () => vault((await login(gate, 'k8s-staging', staging)).body.auth.client_token), `k8s-staging/${SA}`, 'k8s-staging', 'default,staging'],
    ["prod's token as Bearer", async () => ({ authorization: `Bearer ${cart(prod)}` }), `k8s-prod/${SA}`, 'k8s-prod', 'default,shop'],
    ["staging's token as Bearer", async () => ({ authorization: `Bearer ${cart(staging)}` }), `k8s-staging/${SA}`, 'k8s-staging', 'default,staging'],
  ];
  for (const [name, credential, user, mount, policies] of rows) {
    test(name, async () => {
      // A caller's own X-Auth-Request-* never reach the origin, in any case or spelling.
      const spoof = { 'x-auth-request-mount': 'k8s-prod', 'X-Auth-Request-Policies': 'root', x_auth_request_user: 'k8s-prod/admin' };
      const r = await gate.call('/app/x', { headers: { ...spoof, ...(await credential()) } });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const h = r.body.headers;
      assert.deepEqual([h['x-auth-request-user'], h['x-auth-request-mount'], h['x-auth-request-policies']], [user, mount, policies]);
      assert.ok(!Object.keys(h).some((k) => k.includes('_')), 'no underscore spelling reached the origin');
    });
  }
});

describe('item 2: sessions bound to their mount configuration', () => {
  // (case, AUTH_CONFIG of the gate restarted on the same store, whether staging's session holds)
  const rows = [
    ['control: the same configuration after a restart', () => authConfig(), true],
    ['control: the mount removed (refused before this change too)', () => authConfig({ withStaging: false }), false],
    ['the mount pointed at another cluster', () => authConfig({ stagingUrl: prod.url }), false],
    ['the operator moved session_epoch', () => authConfig({ epoch: 2 }), false],
  ];
  for (const [name, config, holds] of rows) {
    test(name, async () => {
      // One store on disk, one gate at a time (as a redeploy): the session is made, the gate
      // stopped, and another started with the new configuration.
      const dir = mkdtempSync(join(tmpdir(), 'jwksgate-rebind-'));
      let g = await startGate({ AUTH_CONFIG: authConfig(), ORIGIN: origin.url }, { durableObjectsPersist: dir });
      try {
        const token = (await login(g, 'k8s-staging', staging, 'admin')).body.auth.client_token;
        await g.dispose();
        g = await startGate({ AUTH_CONFIG: config(), ORIGIN: origin.url }, { durableObjectsPersist: dir });
        const l = await g.call('/v1/auth/token/lookup-self', { headers: vault(token) });
        const p = await g.call('/app/x', { headers: vault(token) });
        assert.deepEqual([l.status, p.status], holds ? [200, 200] : [403, 401], JSON.stringify(p.body));
        if (holds) assert.equal(p.body.headers['x-auth-request-role'], 'admin');
        else assert.equal((await g.call('/v1/auth/token/renew-self', { method: 'POST', headers: vault(token) })).status, 403);
      } finally {
        await g.dispose();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

describe("item 3: Bearer within the default role's limits", () => {
  // A gate whose prod mount's default_role is `role`.
  async function withDefault(role, run) {
    const g = await startGate({ AUTH_CONFIG: authConfig({ withStaging: false }).replace('default_role: cart', `default_role: ${role}`), ORIGIN: origin.url });
    try {
      await run(g);
    } finally {
      await g.dispose();
    }
  }
  const now = () => Math.floor(Date.now() / 1000);
  const yearLong = (iat) => cart(prod, { now: iat, ttl: 365 * 86400 });

  test('one use for 5 s: a one-year token is not let through 10 times (Bearer refused: token_num_uses)', () =>
    withDefault('once', async (g) => {
      const token = yearLong(now());
      const statuses = [];
      for (let i = 0; i < 10; i++) statuses.push((await g.call('/app/x', { headers: { authorization: `Bearer ${token}` } })).status);
      assert.deepEqual(statuses, Array(10).fill(401));
    }));

  // (case, iat's age in seconds, status)
  for (const [name, age, status] of [['control: issued now', 0, 200], ['issued 6 s ago, past token_ttl 5 s', 6, 401], ['issued a day ago', 86400, 401]]) {
    test(`token_ttl 5 s from iat: ${name}`, () =>
      withDefault('brief', async (g) => {
        const r = await g.call('/app/x', { headers: { authorization: `Bearer ${yearLong(now() - age)}` } });
        assert.equal(r.status, status, JSON.stringify(r.body));
      }));
  }
});

describe('item 4: CSRF on cookie-authenticated state-changing requests', () => {
  const sibling = { origin: 'http://blog.gate.test', 'sec-fetch-site': 'same-site', 'content-type': 'application/x-www-form-urlencoded' };
  // (case, method, path, headers besides the cookie, status)
  const rows = [
    ["a sibling subdomain's form POST is not proxied", 'POST', '/app/transfer', sibling, 403],
    ['a cross-site POST with Origin: null', 'POST', '/app/transfer', { origin: 'null' }, 403],
    ['a sibling PUT', 'PUT', '/app/x', { 'sec-fetch-site': 'same-site' }, 403],
    ['logout CSRF: revoke-self from a sibling', 'POST', '/v1/auth/token/revoke-self', sibling, 403],
    ["a sibling's CORS read with the cookie (GET with its Origin)", 'GET', '/app/x', { origin: 'http://blog.gate.test', 'sec-fetch-site': 'same-site', 'sec-fetch-mode': 'cors' }, 403],
    ['control: the gate\'s own page posts', 'POST', '/app/transfer', { origin: GATE, 'sec-fetch-site': 'same-origin' }, 200],
    ['control: a GET navigation from a sibling', 'GET', '/app/x', { 'sec-fetch-site': 'same-site', 'sec-fetch-mode': 'navigate' }, 200],
  ];
  for (const [name, method, path, headers, status] of rows) {
    test(name, async () => {
      const token = (await login(gate, 'k8s-prod', prod)).body.auth.client_token;
      const before = origin.seen.length;
      const r = await gate.call(path, { method, headers: { ...headers, ...cookie(token) }, body: method === 'GET' ? undefined : 'to=attacker&amount=1000' });
      assert.equal(r.status, status, JSON.stringify(r.body));
      if (status === 403) {
        assert.equal(origin.seen.length, before, 'the origin saw nothing');
        const l = await gate.call('/v1/auth/token/lookup-self', { headers: vault(token) });
        assert.equal(l.status, 200, 'the session is still alive');
      }
    });
  }

  test('control: X-Vault-Token is no cookie (a page elsewhere cannot set it): a foreign Origin passes', async () => {
    const token = (await login(gate, 'k8s-prod', prod)).body.auth.client_token;
    const r = await gate.call('/app/x', { method: 'POST', headers: { ...vault(token), origin: 'https://tool.example' }, body: '{}' });
    assert.equal(r.status, 200);
  });
});

describe('item 5: the KV key cache written only when the set changes', () => {
  let issuer;
  let g;
  const logs = [];
  const writes = () => logs.join('').split('key set cached in KV').length - 1;
  before(async () => {
    issuer = await new Issuer().start();
    // No cooldown: each unknown kid may refetch, so only the gate's own rule keeps garbage out.
    g = await startGate(
      { OIDC_DISCOVERY_URL: issuer.url, ROLES: JSON.stringify({ r: { bound_audiences: AUD, user_claim: 'sub' } }), DEFAULT_ROLE: 'r', ORIGIN: origin.url, KEYS_REFETCH_COOLDOWN: '0' },
      { handleRuntimeStdio: (o, e) => [o, e].forEach((s) => s.on('data', (c) => logs.push(String(c)))) },
    );
  });
  after(async () => {
    await g?.dispose();
    await issuer?.stop();
  });
  const kvEntry = async () => (await g.mf.getKVNamespace('KEYS_CACHE')).get(`jwks:jwt:${issuer.url}`, 'json');

  test('unsigned and garbage tokens fetch nothing and write nothing; an unchanged set is not written again', async () => {
    const first = await g.call('/app/x', { headers: { authorization: `Bearer ${issuer.mint({ audience: AUD })}` } });
    assert.equal(first.status, 200);
    await sleep(200);
    const stored = await kvEntry();
    assert.ok(stored && stored.uat, 'the first set was cached');
    const fetched = issuer.hits.jwks;
    const claims = { iss: issuer.url, sub: 'x', aud: AUD, iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 600 };
    const b64 = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
    // (case, token)
    const garbage = [
      ['alg none', `${b64({ alg: 'none', kid: 'new' })}.${b64(claims)}.`],
      ['RS256 with no signature', `${b64({ alg: 'RS256', kid: 'new' })}.${b64(claims)}.`],
      ['RS256 with 16 bytes of signature', `${b64({ alg: 'RS256', kid: 'new' })}.${b64(claims)}.${Buffer.alloc(16).toString('base64url')}`],
      ['another issuer', signJwt({ alg: 'RS256', kid: 'new' }, { ...claims, iss: 'https://attacker.example' }, makeKey().privateKey)],
      ['not a JWT', 'a.b.c'],
    ];
    for (let i = 0; i < 10; i++) {
      for (const [name, token] of garbage) {
        const r = await g.call('/app/x', { headers: { authorization: `Bearer ${token}` } });
        assert.equal(r.status, 401, name);
        const l = await g.login('r', token);
        assert.equal(l.status, 400, `login: ${name}`);
      }
    }
    assert.equal(issuer.hits.jwks, fetched, 'no refetch for an unsigned or garbage token');
    // A well-formed token of an unknown key refetches; the set is the same, so KV is not written.
    const stranger = signJwt({ alg: 'RS256', kid: 'new' }, claims, makeKey().privateKey);
    for (let i = 0; i < 3; i++) assert.equal((await g.call('/app/x', { headers: { authorization: `Bearer ${stranger}` } })).status, 401);
    assert.equal(issuer.hits.jwks, fetched + 3, 'a plausible unknown kid still refetches');
    await sleep(200);
    assert.equal((await kvEntry()).uat, stored.uat, 'the unchanged set was not written again');
    assert.equal(writes(), 1, 'one KV write in all');
    // A rotation changes the set: written once.
    issuer.rotate();
    assert.equal((await g.call('/app/x', { headers: { authorization: `Bearer ${issuer.mint({ audience: AUD })}` } })).status, 200);
    await sleep(200);
    assert.notEqual((await kvEntry()).uat, stored.uat);
    assert.equal(writes(), 2);
  });
});

describe('item 6: AUTH_CONFIG scalars read differently by YAML 1.1 and 1.2 are refused', () => {
  // (case, a role's extra fields, the reason logged)
  const rows = [
    ['num_uses: 010 (8 for Vault via kubectl, 10 in YAML 1.2)', 'num_uses: 010', '"010" is the number 8 in YAML 1.1'],
    ['a namespace bound as no', 'bound_claims: {/kubernetes.io/namespace: no}', '"no" is the boolean false in YAML 1.1'],
    ['a namespace bound as on', 'bound_claims: {/kubernetes.io/namespace: on}', '"on" is the boolean true in YAML 1.1'],
  ];
  for (const [name, extra, reason] of rows) {
    test(name, async () => {
      const seen = [];
      const doc = `auth:\n  - type: jwt\n    config: {oidc_discovery_url: ${prod.url}}\n    roles:\n      - {name: r, bound_audiences: ${AUD}, user_claim: sub, ${extra}}\n`;
      const g = await startGate({ AUTH_CONFIG: doc }, { handleRuntimeStdio: (o, e) => [o, e].forEach((s) => s.on('data', (c) => seen.push(String(c)))) });
      try {
        const r = await g.login('r', cart(prod));
        assert.equal(r.status, 500, JSON.stringify(r.body));
        await sleep(100);
        assert.ok(seen.join('').includes(reason), seen.join(''));
      } finally {
        await g.dispose();
      }
    });
  }
});
