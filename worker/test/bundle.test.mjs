// What `wrangler deploy` would upload: bundled offline with `wrangler deploy --dry-run`, then
// run in workerd, so the deployable artefact (not only the sources) logs a workload in.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Miniflare } from 'miniflare';
import { Issuer } from '../dev/issuer.mjs';
import { wranglerBin, wranglerEnv, workerDir } from '../dev/wrangler-env.mjs';
import { SECRET } from './helpers.mjs';

let out;
let issuer;
let mf;
before(async () => {
  out = mkdtempSync(join(tmpdir(), 'jwksgate-dist-'));
  const r = spawnSync(wranglerBin, ['deploy', '--dry-run', '--outdir', out], { cwd: workerDir, env: wranglerEnv(), encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr + r.stdout);
  issuer = await new Issuer().start();
});
after(async () => {
  await mf?.dispose();
  await issuer?.stop();
  rmSync(out, { recursive: true, force: true });
});

test('the wrangler bundle runs in workerd and logs in', { timeout: 60_000 }, async () => {
  assert.ok(readdirSync(out).some((f) => f.endsWith('.wasm')), 'the .wasm ships next to the bundle');
  mf = new Miniflare({
    modules: true,
    scriptPath: join(out, 'index.js'),
    modulesRoot: out,
    modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }],
    compatibilityDate: '2026-04-01',
    cf: false,
    durableObjects: { SESSIONS: 'SessionStore' },
    bindings: { OIDC_DISCOVERY_URL: issuer.url, SESSION_SECRET: SECRET, ROLES: JSON.stringify({ r: { user_claim: 'sub', bound_audiences: ['a'] } }) },
  });
  const r = await mf.dispatchFetch('http://gate/v1/auth/jwt/login', { method: 'PUT', body: JSON.stringify({ role: 'r', jwt: issuer.mint({ audience: 'a' }) }) });
  assert.equal(r.status, 200);
  assert.match((await r.json()).auth.client_token, /^jgs\./);
});
