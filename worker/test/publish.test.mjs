// Published keys (issue 25) under workerd: the real `jwksgate publish` (target/release/jwksgate)
// reads a stand-in API server over TLS with a private CA (made by openssl here) that answers
// discovery only to the ServiceAccount's bearer token, and pushes to the gate's
// `PUT /.jwksgate/keys/<mount>`; logins by hvac follow. Hand-signed requests (the signing input
// of src/gate/publish.rs `signing_input`, HMAC-SHA256 as RFC 2104, as Stripe's webhooks sign)
// check the refusals: a wrong secret, a stale timestamp, a replayed older push, another issuer,
// an oversized body. Servers on 127.0.0.1, port 0.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { join } from 'node:path';
import { Issuer } from '../dev/issuer.mjs';
import { root, startGate } from './helpers.mjs';
import { HVAC, hvac as hvacSteps } from './vault-clients/clients.mjs';

const JWKSGATE = join(root, 'target', 'release', 'jwksgate');
const SECRET = '5f1c3a9e0b7d42e6a8c1f3b5d7e9a0c2e4f6a8b0c2d4e6f8a0b2c4d6e8f0a2b4';
const SA_TOKEN = 'eyJhbGciOiJSUzI1NiJ9.sa-token.sig';
const CLUSTER = 'https://kubernetes.default.svc.cluster.local';
const AUD = 'https://gate.example';
const role = { role_type: 'jwt', user_claim: 'sub', bound_audiences: [AUD], token_policies: ['home'] };
const mountOf = (path, config) => ({ type: 'jwt', path, config: { jwks_published: true, default_role: 'base', ...config }, roles: [{ name: 'base', ...role }] });
const AUTH_CONFIG = JSON.stringify({
  auth: [
    mountOf('home', { bound_issuer: CLUSTER }),
    mountOf('elsewhere', { bound_issuer: 'https://another-cluster.example' }),
    mountOf('strict', { bound_issuer: CLUSTER, jwks_published_max_age: '100s' }),
    mountOf('lenient', { bound_issuer: CLUSTER, jwks_published_max_age: '100s', jwks_published_when_stale: 'serve' }),
    mountOf('empty', { bound_issuer: CLUSTER }),
  ],
});

const dir = join(root, 'target', 'tmp', `publish-pki-${process.pid}`);
const cluster = new Issuer();
cluster.url = CLUSTER; // tokens name the cluster's issuer; the API server below serves its keys
let api;
let apiUrl;
let apiHits = 0;
let gate;
const logs = [];

/** A private CA and a server certificate for 127.0.0.1, made now by openssl. */
function pki() {
  mkdirSync(dir, { recursive: true });
  const ssl = (args) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  ssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=jwksgate test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign']);
  ssl(['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1']);
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n');
  ssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'ext.cnf']);
  writeFileSync(join(dir, 'sa-token'), `${SA_TOKEN}\n`);
}

/** kube-apiserver's discovery and key set, to the ServiceAccount's bearer token only. */
function apiServer() {
  return createServer({ key: readFileSync(join(dir, 'server.key')), cert: readFileSync(join(dir, 'server.pem')) }, (req, res) => {
    apiHits++;
    const send = (status, body) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.headers.authorization !== `Bearer ${SA_TOKEN}`) return send(401, { kind: 'Status', code: 401 });
    if (req.url === '/.well-known/openid-configuration') return send(200, { issuer: CLUSTER, jwks_uri: `${CLUSTER}/openid/v1/jwks`, response_types_supported: ['id_token'], subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256'] });
    if (req.url === '/openid/v1/jwks') return send(200, { keys: cluster.keys.map((k) => k.jwk) });
    return send(404, { kind: 'Status', code: 404 });
  });
}

/** The real command, as a CronJob runs it: exit code and output. */
function publish(mount = 'home', { secret = SECRET } = {}) {
  const args = ['publish', '--gate', gate.url, '--mount', mount, '--server', apiUrl, '--cacert', join(dir, 'ca.pem'), '--token-file', join(dir, 'sa-token'), '--once'];
  const env = { PATH: process.env.PATH, JWKSGATE_PUBLISH_SECRET: secret };
  return new Promise((resolve, reject) => {
    const child = spawn(JWKSGATE, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

/** Runs login steps through hvac at `mount` (vault-clients/clients.mjs). */
const hvac = (mount, steps) => hvacSteps(gate.url, steps, mount);

const now = () => Math.floor(Date.now() / 1000);
const mint = (opts = {}) => cluster.mint({ namespace: 'home', serviceAccount: 'app', audience: AUD, ...opts });

/** A request signed as `jwksgate publish` signs one (src/gate/publish.rs `sign`). */
function signed({ method = 'PUT', mount = 'home', body = '', timestamp = now(), secret = SECRET }) {
  const path = `/.jwksgate/keys/${mount}`;
  const digest = createHash('sha256').update(body).digest('hex');
  const mac = createHmac('sha256', secret).update(`jwksgate-publish-v1\n${method}\n${path}\n${timestamp}\n${digest}`).digest('hex');
  const init = { method, headers: { 'x-jwksgate-timestamp': String(timestamp), 'x-jwksgate-signature': `v1=${mac}` } };
  if (method !== 'GET') init.body = body;
  return gate.call(path, init);
}
const pushBody = (issuer, keys) => JSON.stringify({ issuer, jwks: { keys } });
const state = (mount = 'home') => signed({ method: 'GET', mount });

/** Waits until workerd's output (which arrives on its own pipe) holds `phrase`; bounded. */
async function logged(phrase) {
  for (let i = 0; i < 400 && !logs.join('').includes(phrase); i++) await new Promise((r) => setTimeout(r, 25));
  assert.ok(logs.join('').includes(phrase), `${phrase} in the log:\n${logs.join('')}`);
}

/** Waits for the clock's next second: a push must carry a later timestamp than the one held. */
async function nextSecond() {
  const t = now();
  while (now() === t) await new Promise((r) => setTimeout(r, 50));
}

before(async () => {
  assert.ok(existsSync(JWKSGATE), `${JWKSGATE} is missing: cargo build --release --bin jwksgate`);
  assert.ok(existsSync(HVAC), `hvac's venv is missing (${HVAC}): make vault-clients, or set HVAC_PYTHON`);
  pki();
  api = apiServer();
  await new Promise((resolve) => api.listen(0, '127.0.0.1', resolve));
  apiUrl = `https://127.0.0.1:${api.address().port}`;
  gate = await startGate({ AUTH_CONFIG, PUBLISH_SECRET: SECRET }, { handleRuntimeStdio: (out, err) => [out, err].forEach((s) => s.on('data', (d) => logs.push(String(d)))) });
});
after(async () => {
  await gate?.dispose();
  await new Promise((resolve) => (api ? api.close(resolve) : resolve()));
  rmSync(dir, { recursive: true, force: true });
});

describe('published keys', () => {
  test('nothing published yet: logins answer 503 and the state says so', async () => {
    const r = await gate.login('base', mint(), {}, {}, 'home');
    assert.deepEqual([r.status, r.body], [503, { errors: ['no keys available'] }]);
    await logged('mount home: nothing has been published yet');
    const s = await state();
    assert.deepEqual([s.status, s.body], [200, { data: { mount: 'home', published: false } }]);
    // The state is the operator's: unsigned, it is refused.
    const unsigned = await gate.call('/.jwksgate/keys/home');
    assert.equal(unsigned.status, 403);
    // A mount that does not take published keys, and a path that is not a mount's.
    assert.equal((await signed({ mount: 'nope', body: pushBody(CLUSTER, []) })).status, 404);
    assert.equal((await gate.call('/.jwksgate/keys/a%20b', { method: 'PUT', body: '{}' })).status, 400);
  });

  test('jwksgate publish pushes the cluster keys; hvac logs in; a rotation holds at once', async () => {
    const first = await publish();
    assert.equal(first.code, 0, first.out);
    assert.ok(first.out.includes(cluster.signing.kid), first.out);
    const s = await state();
    assert.deepEqual([s.body.data.published, s.body.data.issuer, s.body.data.kids], [true, CLUSTER, [cluster.signing.kid]]);
    const oldToken = mint();
    const [ok] = await hvac('home', [{ op: 'login', role: 'base', jwt: oldToken }]);
    assert.ok(ok.ok, JSON.stringify(ok));
    assert.deepEqual(ok.body.auth.policies, ['default', 'home']);

    // Rotation: a new key added and the old one removed in the cluster; after the push the old
    // token is refused and the new one verifies (the set is authoritative).
    cluster.rotate();
    cluster.retireOld();
    const newToken = mint();
    const [before] = await hvac('home', [{ op: 'login', role: 'base', jwt: newToken }]);
    assert.equal(before.ok, false, 'the new key is not known before its push');
    await nextSecond();
    const second = await publish();
    assert.equal(second.code, 0, second.out);
    const [oldRefused, newOk] = await hvac('home', [
      { op: 'login', role: 'base', jwt: oldToken },
      { op: 'login', role: 'base', jwt: newToken },
    ]);
    assert.equal(oldRefused.ok, false, JSON.stringify(oldRefused));
    // Vault's wording for a key the set lacks (vault-plugin-auth-jwt path_login.go, cap's verifier).
    const unknown = ['error validating token: error verifying token signature: failed to verify id token signature'];
    assert.deepEqual([before.errors, oldRefused.errors], [unknown, unknown]);
    assert.ok(newOk.ok, JSON.stringify(newOk));
    assert.deepEqual((await state()).body.data.kids, [cluster.signing.kid]);
  });

  test('refusals: wrong secret, stale, replayed, another issuer, oversized, unsigned', async () => {
    const keys = cluster.keys.map((k) => k.jwk);
    const held = (await state()).body.data.timestamp;
    await nextSecond();
    // [row, request, status, phrase]
    const rows = [
      ['a wrong secret', { body: pushBody(CLUSTER, keys), secret: 'another-secret-of-enough-length-0123456789abcdef' }, 403, 'does not verify with PUBLISH_SECRET'],
      ['a stale timestamp (outside the 300 s window)', { body: pushBody(CLUSTER, keys), timestamp: now() - 301 }, 403, 'more than 300 s'],
      ['a replayed older push (no rollback)', { body: pushBody(CLUSTER, []), timestamp: held }, 403, 'not after the one the gate holds'],
      ['another issuer', { body: pushBody('https://another-cluster.example', keys) }, 403, "not the mount's bound_issuer"],
      ['a body that is not JSON', { body: '{"issuer": ' }, 400, 'not JSON'],
    ];
    for (const [name, request, status, phrase] of rows) {
      const r = await signed(request);
      assert.equal(r.status, status, `${name}: ${JSON.stringify(r.body)}`);
      assert.ok(r.body.errors[0].includes(phrase), `${name}: ${phrase} in ${r.body.errors[0]}`);
    }
    const big = await signed({ body: 'x'.repeat(600 * 1024) });
    assert.equal(big.status, 413, JSON.stringify(big.body));
    const unsigned = await gate.call('/.jwksgate/keys/home', { method: 'PUT', body: pushBody(CLUSTER, keys) });
    assert.equal(unsigned.status, 403);
    // The command against a mount bound to another issuer, and with another secret: exit 1.
    const other = await publish('elsewhere');
    assert.deepEqual([other.code, other.out.includes('bound_issuer')], [1, true], other.out);
    const wrong = await publish('home', { secret: 'another-secret-of-enough-length-0123456789abcdef' });
    assert.deepEqual([wrong.code, wrong.out.includes('does not verify')], [1, true], wrong.out);
    // Nothing refused changed what the gate holds.
    assert.deepEqual([(await state()).body.data.timestamp, (await state()).body.data.kids], [held, [cluster.signing.kid]]);
    const [still] = await hvac('home', [{ op: 'login', role: 'base', jwt: mint() }]);
    assert.ok(still.ok, JSON.stringify(still));
  });

  test('an empty set refuses every token; a stale mount refuses or serves as configured', async () => {
    const keys = cluster.keys.map((k) => k.jwk);
    assert.equal((await signed({ mount: 'empty', body: pushBody(CLUSTER, []) })).status, 200);
    const empty = await gate.login('base', mint(), {}, {}, 'empty');
    assert.equal(empty.status, 400, JSON.stringify(empty.body));
    assert.deepEqual(empty.body, { errors: ['no keys are loaded'] });
    // Pushed 200 s ago (inside the clock window), over jwks_published_max_age (100 s).
    const old = now() - 200;
    for (const mount of ['strict', 'lenient']) assert.equal((await signed({ mount, body: pushBody(CLUSTER, keys), timestamp: old })).status, 200);
    const strict = await gate.login('base', mint(), {}, {}, 'strict');
    assert.deepEqual([strict.status, strict.body], [503, { errors: ['no keys available'] }]);
    const lenient = await gate.login('base', mint(), {}, {}, 'lenient');
    assert.equal(lenient.status, 200, JSON.stringify(lenient.body));
    await logged('mount "strict": no push for');
    await logged('mount "lenient": no push for');
    await logged('serving the last keys');
  });
});
