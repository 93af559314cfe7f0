// Which entry each host gets (issue 28): the export conditions a host resolves with, as a table,
// each row resolved by Node's own resolver with those conditions added (`--conditions`) from a
// consumer's folder; then the CommonJS entry and the server bundlers' entry loaded in Node and
// verifying a token, the CommonJS one with require(esm) turned off, as Jest's runtime has it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { joseToken, jwksOf } from './helpers.mjs';

const run = promisify(execFile);
const here = fileURLToPath(new URL('.', import.meta.url));
const installed = join(here, 'node_modules', 'jwksgate');

// [host, conditions added to Node's, how it loads (import or require), the entry]
const ROWS = [
  ['Node, import', [], 'import', 'bundled.mjs'],
  ['Node >= 20.19, require (require(esm): module-sync, the same instance as import)', [], 'require', 'bundled.mjs'],
  ['Next.js edge (Turbopack, webpack), Vercel Edge Functions', ['edge-light'], 'import', 'edge-light.mjs'],
  ['server bundlers: webpack, esbuild, Rollup, Vite SSR (Next.js Node routes, SvelteKit, Nitro)', ['module'], 'import', 'bundled.mjs'],
  ['server bundlers, require()', ['module'], 'require', 'bundled.mjs'],
  ['workerd (wrangler, miniflare, vitest-pool-workers)', ['workerd'], 'import', 'workerd.mjs'],
  ['workerd beside edge-light and browser (wrangler\'s own list)', ['workerd', 'worker', 'browser'], 'import', 'workerd.mjs'],
  ['Deno', ['deno'], 'import', 'deno.mjs'],
  ['browser bundlers', ['browser'], 'import', 'browser.mjs'],
  ['webpack for web workers (`worker`): the browser entry, no `?module`', ['worker', 'browser'], 'import', 'browser.mjs'],
];

for (const [host, conditions, how, entry] of ROWS) {
  test(`${host}: ${entry}`, async () => {
    const flags = conditions.map((c) => `--conditions=${c}`);
    const code = how === 'import'
      ? "console.log(import.meta.resolve('jwksgate'))"
      : "console.log(require.resolve('jwksgate'))";
    const { stdout } = await run(process.execPath, [...flags, how === 'import' ? '--input-type=module' : '--input-type=commonjs', '-e', code], { cwd: here });
    assert.ok(stdout.trim().endsWith(`/jwksgate/${entry}`), `${host}: ${stdout.trim()}`);
  });
}

const token = await joseToken();
const jwks = jwksOf(2048);
const CHECK = `const { token, jwks } = JSON.parse(process.argv[1]);
const out = { sub: jwksgate.verify(token, jwks, { currentDate: 1700000000 }).payload.sub };
try { jwksgate.verify(token, jwks, { audience: 'elsewhere', currentDate: 1700000000 }); } catch (e) { out.error = [e instanceof jwksgate.errors.JWTClaimValidationFailed, e.code]; }
console.log(JSON.stringify(out));`;

test('Jest\'s case: require(\'jwksgate\') with require(esm) off is index.cjs, CommonJS through and through, loaded synchronously', async () => {
  const args = ['--no-experimental-require-module', '--input-type=commonjs', '-e', `const jwksgate = require('jwksgate');\nif (!require.resolve('jwksgate').endsWith('index.cjs')) throw new Error(require.resolve('jwksgate'));\n${CHECK}`, JSON.stringify({ token, jwks })];
  const { stdout } = await run(process.execPath, args, { cwd: here });
  assert.deepEqual(JSON.parse(stdout), { sub: 'system:serviceaccount:default:builder', error: [true, 'ERR_JWT_CLAIM_VALIDATION_FAILED'] });
});

test('the Node and server bundlers\' entry: its inlined wasm is jwksgate_bg.wasm byte for byte, and it verifies', async () => {
  const { default: base64 } = await import(join(installed, 'jwksgate_bg.wasm.br.base64.mjs'));
  assert.ok(brotliDecompressSync(Buffer.from(base64, 'base64')).equals(readFileSync(join(installed, 'jwksgate_bg.wasm'))));
  const args = ['--conditions=module', '--input-type=module', '-e', `import * as jwksgate from 'jwksgate';\n${CHECK}`, JSON.stringify({ token, jwks })];
  const { stdout } = await run(process.execPath, args, { cwd: here });
  assert.deepEqual(JSON.parse(stdout), { sub: 'system:serviceaccount:default:builder', error: [true, 'ERR_JWT_CLAIM_VALIDATION_FAILED'] });
});
