// The gate's size budget (worker/README.md, "Size budget"): the wasm `make gate-pkg` builds must
// stay within it, raw (what V8 validates and compiles when an isolate loads the gate) and
// gzipped at level 9 (what counts against Workers' script size limit). A size, never a time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { root } from './helpers.mjs';

// Raise these only with a reason written beside them in worker/README.md.
const BUDGET = { raw: 1_800_000, gzipped: 720_000 };

test('the gate\'s wasm is within its size budget', () => {
  const wasm = readFileSync(join(root, 'worker', 'pkg', 'jwksgate_bg.wasm'));
  const size = { raw: wasm.length, gzipped: gzipSync(wasm, { level: 9 }).length };
  console.log(`the gate's wasm: ${size.raw} bytes, ${size.gzipped} gzipped (budget ${BUDGET.raw} and ${BUDGET.gzipped})`);
  for (const k of ['raw', 'gzipped']) {
    assert.ok(size[k] <= BUDGET[k], `the gate's wasm is ${size[k]} bytes ${k}, over its budget of ${BUDGET[k]} (worker/README.md, "Size budget")`);
  }
});
