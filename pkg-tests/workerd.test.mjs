// The npm README's Workers quick start as a user's worker: bundled by `wrangler deploy
// --dry-run` (the package's `workerd` condition, its .wasm as a compiled module), then run in
// workerd by Miniflare against a stand-in issuer on 127.0.0.1, with KV as the key set's store:
// a token verifies, a bad one is a 401 with jose's code, and a new isolate starts from KV while
// the issuer is down.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Miniflare } from 'miniflare';
import { Issuer } from './issuer.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const installed = join(here, 'node_modules', 'jwksgate');
const work = mkdtempSync(join(tmpdir(), 'jwksgate-workerd-'));
let issuer;

before(async () => {
  issuer = await new Issuer().start();
  const readme = readFileSync(join(installed, 'README.md'), 'utf8');
  const code = /```js\n([\s\S]*?)```/.exec(readme.slice(readme.indexOf('<!-- workers-quick-start')))[1];
  mkdirSync(join(work, 'src'));
  mkdirSync(join(work, 'node_modules'));
  cpSync(installed, join(work, 'node_modules', 'jwksgate'), { recursive: true, dereference: true });
  writeFileSync(join(work, 'package.json'), JSON.stringify({ name: 'consumer-worker', private: true, type: 'module' }));
  writeFileSync(join(work, 'src', 'index.mjs'), code);
  writeFileSync(join(work, 'wrangler.toml'), 'name = "consumer"\nmain = "src/index.mjs"\ncompatibility_date = "2026-04-01"\nsend_metrics = false\n');
  // Offline and quiet (../worker/dev/wrangler-env.mjs): no Cloudflare API, no update check, no telemetry.
  const env = { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_HIDE_BANNER: 'true', WRANGLER_SEND_METRICS: 'false', XDG_CONFIG_HOME: join(work, '.config') };
  const r = spawnSync(join(here, 'node_modules', '.bin', 'wrangler'), ['deploy', '--dry-run', '--outdir', 'dist'], { cwd: work, env, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr + r.stdout);
});
after(async () => {
  await issuer?.stop();
  rmSync(work, { recursive: true, force: true });
});

const worker = (kvPersist) =>
  new Miniflare({
    modules: true,
    scriptPath: join(work, 'dist', 'index.js'),
    modulesRoot: join(work, 'dist'),
    modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }],
    compatibilityDate: '2026-04-01',
    cf: false,
    kvNamespaces: ['KEYS'],
    kvPersist,
    bindings: { ISSUER: issuer.url },
  });

test('the bundle carries one wasm, the SIMD build', () => {
  const wasm = readdirSync(join(work, 'dist')).filter((f) => f.endsWith('.wasm'));
  assert.equal(wasm.length, 1, String(wasm));
  assert.deepEqual(readFileSync(join(work, 'dist', wasm[0])), readFileSync(join(installed, 'jwksgate_bg.wasm')));
});

test('the README worker verifies in workerd, keeps the keys in KV, starts from them while the issuer is down', { timeout: 60_000 }, async () => {
  const kv = mkdtempSync(join(tmpdir(), 'jwksgate-kv-'));
  try {
    const good = await issuer.token({ claims: { iss: issuer.url, aud: 'my-app' } });
    const call = (mf, token) => mf.dispatchFetch('http://worker/', { headers: { authorization: `Bearer ${token}` } });
    const first = worker(kv);
    let r = await call(first, good);
    assert.deepEqual([r.status, await r.text()], [200, 'hello system:serviceaccount:default:app']);
    r = await call(first, await issuer.token({ claims: { iss: issuer.url, aud: 'someone-else' } }));
    assert.deepEqual([r.status, await r.text()], [401, 'ERR_JWT_CLAIM_VALIDATION_FAILED']);
    r = await call(first, 'not.a.token');
    assert.deepEqual([r.status, await r.text()], [401, 'ERR_JWS_INVALID']);
    assert.deepEqual(issuer.hits, { discovery: 1, jwks: 1, redirected: 0 });
    await first.dispose();

    issuer.mode = 'down';
    const second = worker(kv);
    r = await call(second, good);
    assert.deepEqual([r.status, await r.text()], [200, 'hello system:serviceaccount:default:app'], 'from KV');
    assert.deepEqual(issuer.hits, { discovery: 1, jwks: 1, redirected: 0 });
    await second.dispose();
    issuer.mode = 'up';
  } finally {
    rmSync(kv, { recursive: true, force: true });
  }
});
