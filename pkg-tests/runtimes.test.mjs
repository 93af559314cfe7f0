// Bun and Deno (from their npm packages) run a verify from the installed package, as a user's
// project does: the package by name from node_modules, with ES modules and require(). Deno takes
// the package's `deno` condition, which loads the wasm with no permission at all; a remote set
// needs --allow-net and nothing more. Node runs the same scripts as the reference.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, mkdirSync, symlinkSync, writeFileSync, copyFileSync, rmSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { issuer } from './issuer.mjs';

const run = promisify(execFile);
const here = fileURLToPath(new URL('.', import.meta.url));
const bin = (name) => join(here, 'node_modules', '.bin', name);

/** A user's project: package.json naming jwksgate, node_modules holding the installed package. */
function project(t) {
  const dir = mkdtempSync(join(tmpdir(), 'jwksgate-consumer-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(realpathSync(join(here, 'node_modules', 'jwksgate')), join(dir, 'node_modules', 'jwksgate'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: { jwksgate: '*' } }));
  for (const f of ['verify.mjs', 'verify.cjs']) copyFileSync(join(here, 'runtimes', f), join(dir, f));
  return dir;
}

async function json(cmd, args, cwd) {
  const { stdout } = await run(cmd, args, { cwd, timeout: 60_000, env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1', BUN_RUNTIME_TRANSPILER_CACHE_PATH: '0' } });
  return JSON.parse(stdout.trim().split('\n').at(-1));
}

const expectEsm = (out, i, remote) => {
  assert.equal(out.simd, true);
  assert.equal(out.sync, 'system:serviceaccount:default:app');
  assert.equal(out.jose, i.signing.kid);
  assert.deepEqual(out.error, [true, 'ERR_JWT_CLAIM_VALIDATION_FAILED', 'aud', 'system:serviceaccount:default:app']);
  assert.equal(out.remote, remote ? 'system:serviceaccount:default:app' : undefined);
};
const expectCjs = (out) => assert.deepEqual(out, { sync: 'system:serviceaccount:default:app', error: [true, 'ERR_JWT_CLAIM_VALIDATION_FAILED'] });

for (const [name, esm, cjs] of [
  ['node', (c) => [process.execPath, ['verify.mjs', c]], (c) => [process.execPath, ['verify.cjs', c]]],
  ['bun', (c) => [bin('bun'), ['verify.mjs', c]], (c) => [bin('bun'), ['verify.cjs', c]]],
  // No permission flags: the wasm loads by a source-phase import; then the remote set with network access only.
  ['deno', (c) => [bin('deno'), ['run', '--no-prompt', 'verify.mjs', c]], null],
]) {
  test(`${name}: verify, jwtVerify and error classes from the installed package (import${cjs ? ' and require' : ''})`, async (t) => {
    const i = await issuer(t);
    const dir = project(t);
    const local = JSON.stringify({ token: await i.token(), jwks: i.jwks() });
    expectEsm(await json(...esm(local), dir), i, false);
    if (cjs) expectCjs(await json(...cjs(local), dir));
    const remote = JSON.stringify({ token: await i.token(), jwks: i.jwks(), url: i.jwksUrl });
    const [cmd, args] = esm(remote);
    if (name === 'deno') args.splice(1, 0, `--allow-net=127.0.0.1:${new URL(i.url).port}`);
    expectEsm(await json(cmd, args, dir), i, true);
  });
}
