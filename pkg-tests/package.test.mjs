// The packed tarball as npm serves it: publint --strict and arethetypeswrong find nothing (the
// .wasm subpaths are assets, not modules, so attw skips them), no file ships twice, the fields
// users look for are set, and the README is the package's own. JWKSGATE_TARBALL names the
// tarball (scripts/test-pkg.sh packs pkg/ and sets it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const run = promisify(execFile);
const here = fileURLToPath(new URL('.', import.meta.url));
const tarball = process.env.JWKSGATE_TARBALL;
const bin = (name) => join(here, 'node_modules', '.bin', name);

test('the tarball is given', () => assert.ok(tarball && statSync(tarball).isFile(), 'set JWKSGATE_TARBALL (scripts/test-pkg.sh does)'));

test('publint --strict: all good', { skip: !tarball }, async () => {
  const { stdout } = await run(bin('publint'), ['--strict', tarball]);
  assert.match(stdout, /All good!/, stdout);
});

test('arethetypeswrong: no problem in any resolution mode', { skip: !tarball }, async () => {
  const { stdout } = await run(bin('attw'), [tarball, '--format', 'json', '--exclude-entrypoints', './jwksgate_bg.wasm', './jwksgate_scalar_bg.wasm']);
  const report = JSON.parse(stdout);
  assert.deepEqual(report.analysis.problems, [], JSON.stringify(report.analysis.problems, null, 2));
  const modes = Object.values(report.analysis.entrypoints['.'].resolutions).map((r) => r.resolutionKind);
  assert.deepEqual(modes.sort(), ['bundler', 'node10', 'node16-cjs', 'node16-esm']);
});

test('contents: each file once (one copy of each wasm), the package README, the fields users look for', { skip: !tarball }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'jwksgate-tarball-'));
  try {
    await run('tar', ['xzf', tarball, '-C', dir]);
    const root = join(dir, 'package');
    const files = readdirSync(root, { recursive: true }).filter((f) => statSync(join(root, f)).isFile());
    const seen = new Map();
    for (const f of files) {
      const hash = createHash('sha256').update(readFileSync(join(root, f))).digest('hex');
      assert.ok(!seen.has(hash), `${f} is a copy of ${seen.get(hash)}`);
      seen.set(hash, f);
    }
    assert.deepEqual(files.filter((f) => f.endsWith('.wasm')).sort(), ['jwksgate_bg.wasm', 'jwksgate_scalar_bg.wasm']);
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    assert.match(manifest.repository.url, /^git\+https:\/\/.+\.git$/);
    assert.match(manifest.homepage, /^https:\/\//);
    assert.match(manifest.bugs.url, /^https:\/\//);
    for (const k of ['jwt', 'jwks', 'kubernetes', 'oidc', 'wasm']) assert.ok(manifest.keywords.includes(k), k);
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    assert.match(readme, /npm install jwksgate/);
    assert.doesNotMatch(readme, /make (run|test)/, 'the repository README is not the package\'s');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
