// Vault's mount model under workerd: AUTH_CONFIG in YAML (a Bank-Vaults externalConfig) with
// two mounts, each with its own stand-in issuer, keys and roles; cross-mount refusal both ways;
// Bearer tokens routed by `iss`; sessions in the SessionStore Durable Object: token_num_uses
// counted exactly (vault/token_store.go UseToken), revocation seen at once on another path,
// renewal up to token_max_ttl (sdk/framework/lease.go CalculateTTL, vault-plugin-auth-jwt
// path_login.go pathLoginRenew), a forged session refused without storage, state surviving a
// restart, and failing closed without the object.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Issuer } from '../dev/issuer.mjs';
import { startOrigin } from '../dev/origin.mjs';
import { sleep, startGate } from './helpers.mjs';

const AUD = 'vault';
let prod;
let staging;
let origin;
let gate;
let persist;
const logs = [];
const captureStdio = (stdout, stderr) => {
  for (const s of [stdout, stderr]) s.on('data', (c) => logs.push(String(c)));
};

// Vault's value forms, as Bank-Vaults users write them: a string for a one-element list,
// durations as text, the deprecated names (policies, ttl, max_ttl, num_uses).
const authConfig = () => `
policies:
  - name: shop
    rules: path "secret/*" { capabilities = ["read"] }
auth:
  - type: kubernetes
    roles: [{name: default, bound_service_account_names: default}]
  - type: jwt
    path: k8s-prod
    config:
      oidc_discovery_url: ${prod.url}
      default_role: cart
    roles:
      - name: cart
        role_type: jwt
        bound_audiences: ${AUD}
        bound_claims: {/kubernetes.io/namespace: shop}
        user_claim: sub
        policies: shop
        ttl: 30m
        max_ttl: 1h
      - name: counted
        bound_audiences: ${AUD}
        user_claim: sub
        num_uses: 3
      - name: brief
        bound_audiences: ${AUD}
        user_claim: sub
        token_ttl: 2
        token_max_ttl: 3
  - type: jwt
    path: k8s-staging
    config:
      oidc_discovery_url: ${staging.url}
      default_role: cart
    roles:
      - name: cart
        bound_audiences: [${AUD}]
        user_claim: sub
        token_policies: [staging]
secrets:
  - {path: secret, type: kv}
`;

before(async () => {
  prod = await new Issuer().start();
  staging = await new Issuer().start();
  origin = await startOrigin();
  persist = mkdtempSync(join(tmpdir(), 'jwksgate-do-'));
  gate = await startGate({ AUTH_CONFIG: authConfig(), ORIGIN: origin.url }, { durableObjectsPersist: persist, handleRuntimeStdio: captureStdio });
});
after(async () => {
  await gate?.dispose();
  await origin?.stop();
  await prod?.stop();
  await staging?.stop();
  rmSync(persist, { recursive: true, force: true });
});

const mint = (issuer, opts = {}) => issuer.mint({ namespace: 'shop', serviceAccount: 'cart', audience: AUD, ...opts });
const vault = (token) => ({ 'x-vault-token': token });
const lookup = (g, token) => g.call('/v1/auth/token/lookup-self', { headers: vault(token) });
async function login(mount, issuer, role = 'cart', g = gate) {
  const r = await g.login(role, mint(issuer), {}, {}, mount);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.auth.client_token;
}

describe('mounts from AUTH_CONFIG', () => {
  test('each mount logs in with its own issuer; lookup-self names the mount', async () => {
    for (const [mount, issuer, policies] of [['k8s-prod', prod, ['default', 'shop']], ['k8s-staging', staging, ['default', 'staging']]]) {
      const r = await gate.login('cart', mint(issuer), {}, {}, mount);
      assert.equal(r.status, 200, `${mount}: ${JSON.stringify(r.body)}`);
      assert.deepEqual(r.body.auth.policies, policies);
      const l = await lookup(gate, r.body.auth.client_token);
      assert.deepEqual([l.status, l.body.data.path, l.body.data.display_name], [200, `auth/${mount}/login`, `${mount}-system:serviceaccount:shop:cart`]);
    }
  });

  test('Vault value forms: ttl 30m, policies as a string', async () => {
    const r = await gate.login('cart', mint(prod), {}, {}, 'k8s-prod');
    assert.equal(r.body.auth.lease_duration, 1800);
  });

  test('the skipped sections and entries are logged once each', () => {
    const all = logs.join('');
    for (const want of ['section "policies" skipped', 'section "secrets" skipped', 'type "kubernetes", path "kubernetes") skipped']) assert.ok(all.includes(want), want);
  });

  // (case, mount, issuer of the token, status, error)
  const cross = [
    ["prod's token at staging (cap: its keys do not verify it)", 'k8s-staging', () => prod, 400, 'error validating token: error verifying token signature'],
    ["staging's token at prod", 'k8s-prod', () => staging, 400, 'error validating token: error verifying token signature'],
    ['a mount not configured', 'jwt', () => prod, 404, null],
  ];
  for (const [name, mount, issuer, status, error] of cross) {
    test(`cross-mount refusal: ${name}`, async () => {
      const r = await gate.login('cart', mint(issuer()), {}, {}, mount);
      assert.equal(r.status, status, JSON.stringify(r.body));
      if (error) assert.ok(r.body.errors[0].startsWith(error), r.body.errors[0]);
    });
  }

  test("a token naming prod's issuer but signed with staging's key is refused at prod", async () => {
    const forged = staging.mint({ namespace: 'shop', serviceAccount: 'cart', audience: AUD, extra: { iss: prod.url } });
    const r = await gate.login('cart', forged, {}, {}, 'k8s-prod');
    assert.equal(r.status, 400);
    const p = await gate.call('/anything', { headers: { authorization: `Bearer ${forged}` } });
    assert.equal(p.status, 401);
  });
});

describe('Bearer tokens on proxied paths, routed by iss', () => {
  // (case, token, status, role header at the origin)
  const table = [
    ['a prod token goes to k8s-prod, its default_role', () => mint(prod), 200, 'cart'],
    ['a staging token goes to k8s-staging', () => mint(staging), 200, 'cart'],
    ['prod bound_claims still hold (wrong namespace)', () => mint(prod, { namespace: 'bank' }), 401, null],
    ['an issuer no mount names', () => new Issuer().mint({ audience: AUD }), 401, null],
  ];
  for (const [name, token, status, role] of table) {
    test(name, async () => {
      const r = await gate.call('/app/x', { headers: { authorization: `Bearer ${token()}` } });
      assert.equal(r.status, status, JSON.stringify(r.body));
      if (role) assert.equal(r.body.headers['x-auth-request-role'], role);
    });
  }
});

describe('sessions in the Durable Object', () => {
  test('a forged session is refused without the store (MAC)', async () => {
    const token = await login('k8s-prod', prod);
    const [body, mac] = [token.slice(0, token.lastIndexOf('.')), token.slice(token.lastIndexOf('.') + 1)];
    const evil = JSON.parse(Buffer.from(body.slice(4), 'base64url'));
    evil.m = 'k8s-staging';
    const forged = `jgs.${Buffer.from(JSON.stringify(evil)).toString('base64url')}.${mac}`;
    for (const path of ['/v1/auth/token/lookup-self', '/v1/auth/token/renew-self']) {
      const r = await gate.call(path, { method: 'POST', headers: vault(forged) });
      assert.deepEqual([r.status, r.body], [403, { errors: ['permission denied'] }], path);
    }
    assert.equal((await gate.call('/app/x', { headers: vault(forged) })).status, 401);
  });

  test('token_num_uses at its boundary, lookups counted (UseToken): 3 uses, the 4th refused', async () => {
    const token = await login('k8s-prod', prod, 'counted');
    const shown = [];
    for (let i = 0; i < 3; i++) {
      const r = i === 1 ? await gate.call('/app/x', { headers: vault(token) }) : await lookup(gate, token);
      assert.equal(r.status, 200, `use ${i + 1}`);
      if (i !== 1) shown.push(r.body.data.num_uses);
    }
    assert.deepEqual(shown, [2, -1], 'num_uses after each lookup (-1: revocation pending on the last)');
    const r = await lookup(gate, token);
    assert.deepEqual([r.status, r.body], [403, { errors: ['permission denied'] }]);
    assert.equal((await gate.call('/app/x', { headers: vault(token) })).status, 401);
  });

  test('token_num_uses counted exactly under concurrency: 3 of 8 parallel requests pass', async () => {
    const token = await login('k8s-prod', prod, 'counted');
    const answers = await Promise.all(Array.from({ length: 8 }, () => lookup(gate, token)));
    assert.equal(answers.filter((a) => a.status === 200).length, 3);
  });

  test('revocation is seen at once by another path (proxy, renew, lookup)', async () => {
    const token = await login('k8s-prod', prod);
    assert.equal((await gate.call('/app/x', { headers: vault(token) })).status, 200);
    assert.equal((await gate.call('/v1/auth/token/revoke-self', { method: 'POST', headers: vault(token) })).status, 204);
    assert.equal((await gate.call('/app/x', { headers: vault(token) })).status, 401);
    assert.equal((await lookup(gate, token)).status, 403);
    assert.equal((await gate.call('/v1/auth/token/renew-self', { method: 'POST', headers: vault(token) })).status, 403);
  });

  test('renewal: an increment, then capped at token_max_ttl with a warning, then refused past it', async () => {
    const token = await login('k8s-prod', prod, 'brief');
    const renew = (increment) => gate.call('/v1/auth/token/renew-self', { method: 'POST', headers: { ...vault(token), 'content-type': 'application/json' }, body: JSON.stringify({ increment }) });
    const a = await renew('1s');
    assert.deepEqual([a.status, a.body.auth.lease_duration, a.body.auth.renewable], [200, 1, true]);
    const b = await renew(3600);
    assert.equal(b.status, 200);
    assert.ok(b.body.auth.lease_duration <= 3, `capped: ${b.body.auth.lease_duration}`);
    assert.match(b.body.warnings[0], /^TTL of "1h" exceeded the effective max_ttl of "\d+s"; TTL value is capped accordingly$/);
    const l = await lookup(gate, token);
    assert.ok(l.body.data.last_renewal_time > 0 && l.body.data.renewable === true);
    await sleep(3200);
    const c = await renew(1);
    assert.deepEqual([c.status, c.body], [403, { errors: ['permission denied'] }]);
  });

  test("the store's state survives a restart (persisted, as wrangler dev --persist-to)", async () => {
    const token = await login('k8s-prod', prod, 'counted');
    assert.equal((await lookup(gate, token)).status, 200);
    const revoked = await login('k8s-staging', staging);
    assert.equal((await gate.call('/v1/auth/token/revoke-self', { method: 'POST', headers: vault(revoked) })).status, 204);
    await gate.dispose();
    gate = await startGate({ AUTH_CONFIG: authConfig(), ORIGIN: origin.url }, { durableObjectsPersist: persist });
    const l = await lookup(gate, token);
    assert.deepEqual([l.status, l.body.data.num_uses], [200, 1], 'the count went on from 2');
    assert.equal((await lookup(gate, revoked)).status, 403, 'still revoked');
  });

  test('the object out of reach: every use 503, nothing let through (fail closed)', async () => {
    const token = await login('k8s-prod', prod);
    const g = await startGate({ AUTH_CONFIG: authConfig(), ORIGIN: origin.url }, { brokenStore: true, handleRuntimeStdio: () => {} });
    try {
      const before = origin.seen.length;
      // A login stores nothing (its session's store starts at its first use): it answers.
      const l = await g.login('cart', mint(prod), {}, {}, 'k8s-prod');
      assert.equal(l.status, 200, 'a login needs no storage');
      assert.equal((await lookup(g, l.body.auth.client_token)).status, 503, 'its first use does');
      assert.equal((await lookup(g, token)).status, 503);
      assert.equal((await g.call('/app/x', { headers: vault(token) })).status, 503);
      assert.equal((await g.call('/v1/auth/token/revoke-self', { method: 'POST', headers: vault(token) })).status, 503);
      assert.equal(origin.seen.length, before, 'the origin saw nothing');
      // A forged session is still refused by its MAC, before any storage.
      assert.equal((await lookup(g, `${token}x`)).status, 403);
    } finally {
      await g.dispose();
    }
  });

  test('without the Durable Object binding the gate refuses to start (fail closed)', async () => {
    const g = await startGate({ AUTH_CONFIG: authConfig() }, { noStore: true, handleRuntimeStdio: () => {} });
    try {
      const r = await g.login('cart', mint(prod), {}, {}, 'k8s-prod');
      assert.deepEqual([r.status, r.body], [500, { errors: ['the gate is misconfigured; see its log'] }]);
    } finally {
      await g.dispose();
    }
  });
});

describe('AUTH_CONFIG refusals at startup', () => {
  const table = [
    ['a browser OIDC config', 'auth:\n  - type: jwt\n    config: {oidc_discovery_url: https://i.example, oidc_client_id: gate}\n    roles: []\n', 'oidc_client_id configures the browser OIDC flow'],
    ['with a single-mount variable too', 'auth: []\n', 'AUTH_CONFIG configures every mount: unset ROLES'],
  ];
  for (const [name, doc, reason] of table) {
    test(name, async () => {
      const seen = [];
      const extra = name.includes('single-mount') ? { ROLES: '{}' } : {};
      const g = await startGate({ AUTH_CONFIG: doc, ...extra }, { handleRuntimeStdio: (o, e) => [o, e].forEach((s) => s.on('data', (c) => seen.push(String(c)))) });
      try {
        const r = await g.call('/v1/auth/jwt/login', { method: 'POST', body: '{}' });
        assert.equal(r.status, 500);
        await sleep(100);
        assert.ok(seen.join('').includes(reason), seen.join(''));
      } finally {
        await g.dispose();
      }
    });
  }
});
