// The package loads in Node 20 with both `import` and `require`, each through its own export
// condition, and its TypeScript declarations type the API (checked by `tsc -p types`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

const API = ['Verifier', 'decodeUnverified', 'importPublicKeyPem', 'jwkThumbprint', 'kubernetesIdentity', 'kubernetesKeyId', 'verify', 'verifyJws', 'verifySignature'];

test('import', async () => {
  const m = await import('jwksgate');
  for (const name of API) assert.equal(typeof m[name], 'function', name);
});

test('require', () => {
  const m = createRequire(import.meta.url)('jwksgate');
  for (const name of API) assert.equal(typeof m[name], 'function', name);
  assert.throws(() => m.verify('a.b', '{"keys":[]}'), (e) => e.code === 'ERR_JWKS_INVALID');
});

test('require from a plain CommonJS script', () => {
  const out = execFileSync(process.execPath, ['-e', "const j = require('jwksgate'); process.stdout.write(typeof j.Verifier + ' ' + j.version())"], {
    cwd: new URL('.', import.meta.url),
  });
  assert.match(out.toString(), /^function \d+\.\d+\.\d+$/);
});
