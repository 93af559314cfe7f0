// The package's two builds of one wasm: jwksgate_bg.wasm (SIMD128, what Node, workerd and
// current browsers load) and jwksgate_scalar_bg.wasm (the web glue's choice on hosts whose
// WebAssembly.validate refuses SIMD). Both must give the same answers to independent signers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as simd from 'jwksgate';
import { joseToken, nodeToken, jwksOf, NOW } from './helpers.mjs';

const ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];

/** A second instance of the web glue (a query string makes it a new module) on the scalar wasm. */
async function scalarBuild() {
  const glue = await import(`${new URL('jwksgate.js', import.meta.resolve('jwksgate/package.json'))}?scalar`);
  glue.initSync({ module: readFileSync(new URL(import.meta.resolve('jwksgate/jwksgate_scalar_bg.wasm'))) });
  return glue;
}

test('Node loads the SIMD build by import and by require; the scalar build says it is scalar', async () => {
  assert.equal(simd.wasmSimd(), true);
  assert.equal(createRequire(import.meta.url)('jwksgate').wasmSimd(), true);
  assert.equal((await scalarBuild()).wasmSimd(), false);
});

test('both builds verify tokens from jose and node:crypto alike, every algorithm and key size', async () => {
  const scalar = await scalarBuild();
  const options = { algorithms: ALGS, currentDate: NOW };
  for (const bits of [2048, 3072, 4096]) {
    const jwks = jwksOf(bits);
    const [a, b] = [new simd.Verifier(jwks, options), new scalar.Verifier(jwks, options)];
    for (const alg of ALGS) {
      for (const token of [await joseToken({ alg, bits }), nodeToken({ alg, bits })]) {
        assert.deepEqual(b.verify(token), a.verify(token), `${alg}-${bits}`);
        // One bit of the signature changed: both refuse with jose's code.
        const bad = token.slice(0, -6) + (token.at(-6) === 'A' ? 'B' : 'A') + token.slice(-5);
        for (const v of [a, b]) {
          assert.throws(() => v.verify(bad), { code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' }, `${alg}-${bits}`);
        }
      }
    }
  }
});
