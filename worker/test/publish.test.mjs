// Published keys (issue 25) under workerd: the real `jwksgate publish` (target/release/jwksgate)
// reads a stand-in API server over TLS with a private CA (made by openssl here) that answers
// discovery only to the ServiceAccount's bearer token, and pushes to the gate's
// `PUT /.jwksgate/keys/<mount>`; logins by hvac follow. Hand-signed requests (the signing input
// of src/gate/publish.rs `signing_input`, HMAC-SHA256 as RFC 2104, as Stripe's webhooks sign)
// check the refusals: a wrong secret, a stale timestamp, a replayed older push, another issuer,
// an oversized body. `jwksgate publish --status` reads the state back from the gate, over http
// and over HTTPS (workerd serving a certificate of the same private CA, --gate-cacert): its exit
// codes and its --json fields. Servers on 127.0.0.1, port 0.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { join } from 'node:path';
import { Issuer } from '../dev/issuer.mjs';
import { root, startGate } from './helpers.mjs';
import { makePki } from './tls-issuer.mjs';
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
    // For --status: pushed by the command, pushed by hand 200 s ago, never pushed.
    mountOf('status-fresh', { bound_issuer: CLUSTER }),
    mountOf('status-old', { bound_issuer: CLUSTER }),
    mountOf('status-never', { bound_issuer: CLUSTER }),
  ],
});

const dir = join(root, 'target', 'tmp', `publish-pki-${process.pid}`);
const cluster = new Issuer();
cluster.url = CLUSTER; // tokens name the cluster's issuer; the API server below serves its keys
let api;
let apiUrl;
let apiHits = 0;
let gate;
let tlsGate; // the same gate served over HTTPS by workerd, with a certificate of the private CA
let pki; // a private CA and a server certificate for 127.0.0.1, made now by openssl (tls-issuer.mjs)
const logs = [];

/** The CA's certificate for --cacert and --gate-cacert, and the ServiceAccount's token, as files. */
function files() {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'ca.pem'), pki.caPem);
  writeFileSync(join(dir, 'sa-token'), `${SA_TOKEN}\n`);
}

/** kube-apiserver's discovery and key set, to the ServiceAccount's bearer token only. */
function apiServer() {
  return createServer({ key: pki.key, cert: pki.cert }, (req, res) => {
    apiHits++;
    const send = (status, body) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.headers.authorization !== `Bearer ${SA_TOKEN}`) return send(401, { kind: 'Status', code: 401 });
    if (req.url === '/.well-known/openid-configuration') return send(200, { issuer: CLUSTER, jwks_uri: `${CLUSTER}/openid/v1/jwks`, response_types_supported: ['id_token'], subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256'] });
    if (req.url === '/openid/v1/jwks') return send(200, { keys: cluster.keys.map((k) => k.jwk) });
    return send(404, { kind: 'Status', code: 404 });
  });
}

/** The real command with `args` after `publish`: exit code, stdout, and both streams together. */
function jwksgate(args, secret = SECRET) {
  const env = { PATH: process.env.PATH, JWKSGATE_PUBLISH_SECRET: secret };
  return new Promise((resolve, reject) => {
    const child = spawn(JWKSGATE, ['publish', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let out = '';
    child.stdout.on('data', (d) => ((stdout += d), (out += d)));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, out }));
  });
}

/** The real command, as a CronJob runs it: exit code and output. */
function publish(mount = 'home', { secret = SECRET, url = gate.url, extra = [] } = {}) {
  return jwksgate(['--gate', url, '--mount', mount, '--server', apiUrl, '--cacert', join(dir, 'ca.pem'), '--token-file', join(dir, 'sa-token'), '--once', ...extra], secret);
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
  pki = makePki({ kind: 'ec' });
  files();
  api = apiServer();
  await new Promise((resolve) => api.listen(0, '127.0.0.1', resolve));
  apiUrl = `https://127.0.0.1:${api.address().port}`;
  gate = await startGate({ AUTH_CONFIG, PUBLISH_SECRET: SECRET }, { handleRuntimeStdio: (out, err) => [out, err].forEach((s) => s.on('data', (d) => logs.push(String(d)))) });
});
after(async () => {
  await gate?.dispose();
  await tlsGate?.dispose();
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

describe('jwksgate publish --status against the gate', () => {
  /** --status's arguments for `mount` at `url`, then `extra`. */
  const status = (mount, extra = [], url = gate.url) => ['--gate', url, '--mount', mount, '--status', ...extra];

  before(async () => {
    // Fresh: pushed by the command now. Old: pushed by hand 200 s ago (inside the 300 s window).
    const fresh = await publish('status-fresh');
    assert.equal(fresh.code, 0, fresh.out);
    const keys = cluster.keys.map((k) => k.jwk);
    assert.equal((await signed({ mount: 'status-old', body: pushBody(CLUSTER, keys), timestamp: now() - 200 })).status, 200);
    // The same worker served over HTTPS by workerd, its certificate (IP:127.0.0.1) from the
    // private CA; pushed by the command over TLS with --gate-cacert.
    tlsGate = await startGate({ AUTH_CONFIG, PUBLISH_SECRET: SECRET }, { https: pki });
    assert.ok(tlsGate.url.startsWith('https://127.0.0.1:'), tlsGate.url);
    const overTls = await publish('status-fresh', { url: tlsGate.url, extra: ['--gate-cacert', join(dir, 'ca.pem')] });
    assert.equal(overTls.code, 0, overTls.out);
  });

  test('exit codes and --json fields: fresh, never published, stale by --max-age, wrong mount, HTTPS', async () => {
    const kid = cluster.signing.kid;
    const cacert = ['--gate-cacert', join(dir, 'ca.pem')];
    // [row, arguments, secret, exit code, --json fields expected (null: not JSON), phrase in the output]
    const rows = [
      ['fresh', status('status-fresh', ['--json']), SECRET, 0, { mount: 'status-fresh', published: true, issuer: CLUSTER, kids: [kid], max_age: null, stale: false }, ''],
      ['fresh, within --max-age', status('status-fresh', ['--json', '--max-age', '10m']), SECRET, 0, { published: true, max_age: 600, stale: false }, ''],
      ['fresh, text', status('status-fresh'), SECRET, 0, null, `kids: ${kid}`],
      ['never published', status('status-never', ['--json']), SECRET, 1, { mount: 'status-never', published: false, max_age: null }, ''],
      ['never published, text', status('status-never'), SECRET, 1, null, 'nothing has been published for this mount yet'],
      ['200 s old, over --max-age 100s', status('status-old', ['--json', '--max-age', '100s']), SECRET, 1, { mount: 'status-old', published: true, max_age: 100, stale: true }, ''],
      ['200 s old, over --max-age 100s, text', status('status-old', ['--max-age', '100s']), SECRET, 1, null, 'older than --max-age (100 s)'],
      ['200 s old, within --max-age 1h', status('status-old', ['--json', '--max-age', '1h']), SECRET, 0, { published: true, max_age: 3600, stale: false }, ''],
      ['a mount without jwks_published (404)', status('nope', ['--json']), SECRET, 1, null, 'HTTP 404): mount nope does not take published keys'],
      ['a mount bound elsewhere, never published', status('elsewhere', ['--json']), SECRET, 1, { mount: 'elsewhere', published: false }, ''],
      ['not a mount path', status('a b'), SECRET, 2, null, '--mount'],
      ['a wrong secret', status('status-fresh'), 'another-secret-of-enough-length-0123456789abcdef', 1, null, 'does not verify with PUBLISH_SECRET'],
      ['over HTTPS with --gate-cacert', status('status-fresh', ['--json', ...cacert], tlsGate.url), SECRET, 0, { mount: 'status-fresh', published: true, kids: [kid], stale: false }, ''],
      ['over HTTPS, never published', status('status-never', ['--json', '--max-age', '1h', ...cacert], tlsGate.url), SECRET, 1, { published: false, max_age: 3600 }, ''],
      ['over HTTPS without the CA', status('status-fresh', ['--json'], tlsGate.url), SECRET, 2, null, 'UnknownIssuer (for a private CA, such as a cluster\'s, pass it with --gate-cacert FILE)'],
    ];
    const failures = [];
    for (const [name, args, secret, code, fields, phrase] of rows) {
      const r = await jwksgate(args, secret);
      if (r.code !== code) failures.push(`${name}: exit ${r.code}, expected ${code}: ${r.out}`);
      if (phrase && !r.out.includes(phrase)) failures.push(`${name}: ${JSON.stringify(phrase)} not in ${r.out}`);
      if (!fields) continue;
      let got;
      try {
        got = JSON.parse(r.stdout);
      } catch {
        failures.push(`${name}: stdout is not JSON: ${r.out}`);
        continue;
      }
      for (const [k, v] of Object.entries(fields)) {
        if (JSON.stringify(got[k]) !== JSON.stringify(v)) failures.push(`${name}: ${k} is ${JSON.stringify(got[k])}, expected ${JSON.stringify(v)}`);
      }
      // The gate's own fields, by its clock: age from the push's timestamp; stale is age > max_age.
      if (got.published) {
        if (!(Number.isInteger(got.age) && Number.isInteger(got.timestamp))) failures.push(`${name}: age and timestamp in ${r.stdout}`);
        if (got.stale !== (got.max_age !== null && got.age > got.max_age)) failures.push(`${name}: stale is not age > max_age: ${r.stdout}`);
      } else if ('stale' in got || 'age' in got) {
        failures.push(`${name}: nothing published, yet age or stale: ${r.stdout}`);
      }
    }
    assert.deepEqual(failures, []);
  });
});
