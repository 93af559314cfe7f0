// Vault's Kubernetes auth method at the edge, end to end under workerd: `type: kubernetes`
// mounts from AUTH_CONFIG, logins by hvac (`auth.kubernetes.login`) and node-vault
// (`kubernetesLogin`) against a stand-in kube-apiserver (apiserver.mjs) that answers TokenReview
// as kube-apiserver does. Each row cites the vault-plugin-auth-kubernetes function it follows.
// Over TLS with a pinned CA (openssl, at test time), through the gate's own client
// (worker/src/net.mjs), as a pod reaches its cluster's API server.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiServer } from './apiserver.mjs';
import { root, startGate } from './helpers.mjs';
import { makePki } from './tls-issuer.mjs';
import { startOrigin } from '../dev/origin.mjs';
import { HVAC, hvac as hvacSteps, nodeVaultSteps } from './vault-clients/clients.mjs';

const DENIED = 'permission denied';

const roles = [
  // The seed's custom resource's role (tests/vectors/bank-vaults/cr-oidc.yaml).
  { name: 'default', bound_service_account_names: ['default', 'vault-secrets-webhook'], bound_service_account_namespaces: ['default', 'vswh'], policies: 'allow_secrets', ttl: '1h' },
  { name: 'shop', bound_service_account_names: 'cart-*', bound_service_account_namespaces: 'shop', audience: 'vault', alias_name_source: 'serviceaccount_name' },
];

function authConfig(config, entries = roles) {
  return JSON.stringify({ auth: [{ type: 'kubernetes', config, roles: entries }] });
}

/** hvac's and node-vault's Kubernetes logins (`auth.kubernetes.login`, `kubernetesLogin`) at `mount`. */
const hvac = (url, mount, steps) => hvacSteps(url, steps.map((s) => (s.op === 'login' ? { ...s, op: 'k8s_login' } : s)), mount);
const nodeVaultKubernetes = (url, mount, steps) => nodeVaultSteps(url, steps, (v, s) => v.kubernetesLogin({ role: s.role ?? '', jwt: s.jwt, mount_point: mount }));
const CLIENTS = [
  ['hvac', hvac],
  ['node-vault', nodeVaultKubernetes],
];

let api;
let gate;
let pki; // makePki's { caPem, cert, key }
let caPem;
/** The API server's address in a mount's config, with its CA over TLS (no pod defaults). */
const host = () => ({ kubernetes_host: api.url, disable_local_ca_jwt: true, kubernetes_ca_cert: caPem });
before(async () => {
  assert.ok(existsSync(HVAC), `hvac's venv is missing (${HVAC}): run make vault-clients`);
  // A private CA and the API server's certificate for 127.0.0.1, as kubeadm makes them (RSA-2048).
  pki = makePki({ kind: 'rsa', san: 'IP:127.0.0.1' });
  caPem = pki.caPem;
  api = await new ApiServer({ tls: pki }).start();
  // As in a pod: the host from KUBERNETES_SERVICE_HOST/PORT, the CA and the reviewer's token
  // from the ServiceAccount files (FILES), nothing in the config (loadConfig, Bank-Vaults).
  const FILES = JSON.stringify({ '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt': caPem, '/var/run/secrets/kubernetes.io/serviceaccount/token': api.reviewer });
  gate = await startGate({ AUTH_CONFIG: authConfig(undefined), KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: new URL(api.url).port, FILES });
});
after(async () => {
  await gate?.dispose();
  await api?.stop();
});

describe('logins at auth/kubernetes/login by real Vault clients', () => {
  // [row (the function it follows), role, token, expected: a check of the body, or the message]
  const rows = [
    ['accepted, confirmed by TokenReview (pathLogin, Review)', 'default', () => api.mint().token, (b) => {
      assert.deepEqual([b.auth.policies, b.auth.lease_duration, b.auth.metadata.role], [['allow_secrets', 'default'], 3600, 'default']);
      assert.deepEqual(Object.keys(b.auth.metadata).sort(), ['role', 'service_account_name', 'service_account_namespace', 'service_account_secret_name', 'service_account_uid']);
      assert.equal(b.auth.metadata.service_account_uid, api.account('default', 'default'));
    }],
    ['a glob name, the role audience asked of TokenReview (parseAndValidateJWT, lookup)', 'shop', () => api.mint({ namespace: 'shop', serviceAccount: 'cart-api', audiences: ['vault'] }).token, (b) => {
      assert.equal(b.auth.metadata.service_account_name, 'cart-api');
      assert.match(api.requests.at(-1).body, /"audiences":\["vault"\]/);
    }],
    ['missing role (getFieldValueStr)', '', () => api.mint().token, 'missing role'],
    ['unknown role (pathLogin)', 'nope', () => api.mint().token, 'invalid role name "nope"'],
    ['name not bound (parseAndValidateJWT)', 'default', () => api.mint({ serviceAccount: 'builder' }).token, 'service account name not authorized'],
    ['namespace not bound (parseAndValidateJWT)', 'default', () => api.mint({ namespace: 'kube-system' }).token, 'namespace not authorized'],
    ['expired (cap validateAll)', 'default', () => api.mint({ now: Math.floor(Date.now() / 1000) - 3700 }).token, 'invalid expiration time (exp) claim: token is expired'],
    ['the role audience is not in aud (cap validateAudience)', 'shop', () => api.mint({ namespace: 'shop', serviceAccount: 'cart-api' }).token, 'invalid audience (aud) claim: audience claim does not match any expected audience'],
    ['its pod deleted: TokenReview says invalidated (Review)', 'default', () => {
      const t = api.mint();
      api.deletePod(t.pod);
      return t.token;
    }, DENIED],
    ['its ServiceAccount recreated: another UID (Review, kube claims.go Validate)', 'default', () => {
      const t = api.mint({ serviceAccount: 'vault-secrets-webhook', namespace: 'vswh' });
      api.recreate('vswh', 'vault-secrets-webhook');
      return t.token;
    }, DENIED],
    ['signed by another key: the API server refuses it (Review)', 'default', () => {
      const [h, p] = api.mint().token.split('.');
      return `${h}.${p}.${Buffer.alloc(256, 7).toString('base64url')}`;
    }, DENIED],
  ];
  for (const [client, run] of CLIENTS) {
    for (const [name, role, token, want] of rows) {
      test(`${client}: ${name}`, async () => {
        const [r] = await run(gate.url, 'kubernetes', [{ op: 'login', role: role || undefined, jwt: token() }]);
        if (typeof want === 'string') {
          assert.equal(r.ok, false, JSON.stringify(r));
          assert.equal(r.errors[0], want);
        } else {
          assert.equal(r.ok, true, JSON.stringify(r));
          want(r.body);
        }
      });
    }
    test(`${client}: the session of a Kubernetes login: lookup-self, renew-self, revoke-self (pathLoginRenew)`, async () => {
      const out = await run(gate.url, 'kubernetes', [{ op: 'login', role: 'default', jwt: api.mint().token }, { op: 'lookup_self' }, { op: 'renew_self' }, { op: 'revoke_self' }, { op: 'lookup_self' }]);
      assert.ok(out[0].ok && out[1].ok && out[2].ok && out[3].ok, JSON.stringify(out));
      assert.equal(out[1].body.data.display_name, 'kubernetes-default-default', 'display_name <mount>-<namespace>-<name> (LoginCreateToken)');
      assert.equal(out[1].body.data.path, 'auth/kubernetes/login');
      assert.equal(out[2].body.auth.lease_duration, 3600);
      assert.equal(out[4].ok, false);
    });
  }

  test('the review as Review sends it: the reviewer\'s bearer, the token\'s own audiences', async () => {
    const t = api.mint();
    const r = await gate.login('default', t.token, {}, {}, 'kubernetes');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const sent = api.requests.at(-1);
    assert.equal(sent.authorization, `Bearer ${api.reviewer}`);
    assert.equal(sent.contentType, 'application/json');
    assert.equal(sent.body, JSON.stringify({ metadata: { creationTimestamp: null }, spec: { token: t.token, audiences: api.apiAudiences }, status: { user: {} } }));
  });

});

describe('Bearer ServiceAccount tokens on proxied paths: a TokenReview each (10 s of positive answers)', () => {
  let origin;
  let proxied;
  before(async () => {
    origin = await startOrigin();
    proxied = await startGate({ ORIGIN: origin.url, AUTH_CONFIG: authConfig({ ...host(), token_reviewer_jwt: api.reviewer, default_role: 'default' }) });
  });
  after(async () => {
    await proxied?.dispose();
    await origin?.stop();
  });
  const get = (token) => proxied.call('/data', { headers: { authorization: `Bearer ${token}` } });
  const reviews = () => api.requests.filter((r) => r.body.includes('"spec"')).length;

  test('a live token passes with its identity; its review is reused, its checks are not', async () => {
    const t = api.mint();
    const before = reviews();
    const r = await get(t.token);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.headers['x-auth-request-user'], `kubernetes/${t.uid}`, 'the mount, then the alias (gate-sec)');
    assert.equal(r.body.headers['x-auth-request-role'], 'default');
    assert.equal((await get(t.token)).status, 200);
    assert.equal(reviews(), before + 1, 'one TokenReview within 10 s');
  });
  test('its pod deleted: refused, the signature alone is not enough', async () => {
    const t = api.mint();
    api.deletePod(t.pod);
    const r = await get(t.token);
    assert.deepEqual([r.status, r.body], [401, { errors: [DENIED] }]);
  });
  test('a refusal is never cached: the role\'s checks run on each request', async () => {
    const t = api.mint({ serviceAccount: 'builder' });
    assert.equal((await get(t.token)).status, 401, 'name not bound');
  });
});

describe('a mount whose reviewer token the API server refuses', () => {
  let bad;
  before(async () => {
    // The pod's CA and address; the config's reviewer token, which the API server refuses.
    bad = await startGate({
      AUTH_CONFIG: authConfig({ token_reviewer_jwt: 'not-the-reviewer' }),
      KUBERNETES_SERVICE_HOST: '127.0.0.1',
      KUBERNETES_SERVICE_PORT: new URL(api.url).port,
      FILES: JSON.stringify({ '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt': caPem }),
    });
  });
  after(() => bad?.dispose());
  test('401 from the API server: 403 permission denied (Review: IsUnauthorized)', async () => {
    const r = await bad.login('default', api.mint().token, {}, {}, 'kubernetes');
    assert.deepEqual([r.status, r.body], [403, { errors: [DENIED] }]);
    assert.equal(api.requests.at(-1).authorization, 'Bearer not-the-reviewer');
  });
});

describe('local_verification (the gate\'s departure): no TokenReview', () => {
  let local;
  before(async () => {
    const pem = api.key.publicKey.export({ type: 'spki', format: 'pem' });
    local = await startGate({ AUTH_CONFIG: authConfig({ ...host(), pem_keys: [pem], local_verification: true }, [roles[1]]) });
  });
  after(() => local?.dispose());
  test('a token whose pod was deleted still logs in: what the README says this mode cannot see', async () => {
    const before = api.requests.length;
    const t = api.mint({ namespace: 'shop', serviceAccount: 'cart-web', audiences: ['vault'] });
    api.deletePod(t.pod);
    const r = await local.login('shop', t.token, {}, {}, 'kubernetes');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(api.requests.length, before, 'the API server was not asked');
    // The same token at a TokenReview mount is refused.
    assert.equal((await gate.login('shop', t.token, {}, {}, 'kubernetes')).status, 403);
  });
  test('a token for the API server (the year-long default token) is refused: the role audience', async () => {
    const r = await local.login('shop', api.mint({ namespace: 'shop', serviceAccount: 'cart-web', ttl: 365 * 86400 }).token, {}, {}, 'kubernetes');
    assert.deepEqual([r.status, r.body.errors[0]], [403, 'invalid audience (aud) claim: audience claim does not match any expected audience']);
  });
  test('the issuer\'s keys from jwks_url: a token of another key is refused, the API server not asked', async () => {
    const g = await startGate({ AUTH_CONFIG: authConfig({ ...host(), jwks_url: `${api.url}/openid/v1/jwks`, local_verification: true }, [roles[1]]) });
    try {
      const reviews = api.requests.filter((r) => r.body.includes('"spec"')).length;
      const ok = await g.login('shop', api.mint({ namespace: 'shop', serviceAccount: 'cart-web', audiences: ['vault'] }).token, {}, {}, 'kubernetes');
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      const [h, p] = api.mint({ namespace: 'shop', serviceAccount: 'cart-web', audiences: ['vault'] }).token.split('.');
      const forged = await g.login('shop', `${h}.${p}.${Buffer.alloc(256, 1).toString('base64url')}`, {}, {}, 'kubernetes');
      assert.deepEqual([forged.status, forged.body], [403, { errors: [DENIED] }]);
      assert.equal(api.requests.filter((r) => r.body.includes('"spec"')).length, reviews, 'no TokenReview');
    } finally {
      await g.dispose();
    }
  });
  test('a role without an audience stops the gate at startup', async () => {
    const g = await startGate({ AUTH_CONFIG: authConfig({ ...host(), pem_keys: [api.key.publicKey.export({ type: 'spki', format: 'pem' })], local_verification: true }, [roles[0]]) });
    try {
      const r = await g.login('default', api.mint().token, {}, {}, 'kubernetes');
      assert.equal(r.status, 500);
    } finally {
      await g.dispose();
    }
  });
});

// The seed's custom resource as written (tests/vectors/bank-vaults/cr-oidc.yaml), only the
// cluster's address changed: its kubernetes entry (no config: Bank-Vaults' and Vault's pod
// defaults) and its jwt entry (the CA pinned by `${ file ... }`) both serve logins.
describe('the seed\'s custom resource as written', () => {
  let cluster;
  let crGate;
  before(async () => {
    cluster = await new ApiServer({ tls: pki, issuerIsUrl: true }).start();
    const cr = readFileSync(join(root, 'tests', 'vectors', 'bank-vaults', 'cr-oidc.yaml'), 'utf8').replaceAll('https://kubernetes', cluster.url);
    const FILES = JSON.stringify({ '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt': caPem, '/var/run/secrets/kubernetes.io/serviceaccount/token': cluster.reviewer });
    crGate = await startGate({ AUTH_CONFIG: cr, FILES, KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: new URL(cluster.url).port });
  });
  after(async () => {
    await crGate?.dispose();
    await cluster?.stop();
  });
  for (const [client, run] of CLIENTS) {
    test(`${client}: auth/kubernetes/login with the resource's role`, async () => {
      const [r] = await run(crGate.url, 'kubernetes', [{ op: 'login', role: 'default', jwt: cluster.mint({ namespace: 'vswh', serviceAccount: 'vault-secrets-webhook' }).token }]);
      assert.equal(r.ok, true, JSON.stringify(r));
      assert.deepEqual([r.body.auth.policies, r.body.auth.lease_duration], [['allow_secrets', 'default'], 3600]);
    });
  }
  test('auth/jwt/login with the resource\'s jwt role, keys through the pinned CA', async () => {
    const r = await crGate.login('default', cluster.mint({ audiences: ['vault'] }).token, {}, {}, 'jwt');
    assert.equal(r.status, 200, JSON.stringify(r.body));
  });
});
