// The source of index.cjs, the CommonJS entry for `require` where Node's require(esm) is not
// there: Jest's default CommonJS runtime (on Node before 24.9), and Node before 20.19.
// scripts/assemble-pkg.mjs bundles it, with the glue and the API, into one CommonJS file that
// reads the .wasm beside it synchronously. Node with require(esm) takes the `module-sync`
// condition instead (node.mjs), so that `import` and `require` share one instance there.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initSync } from './jwksgate.js';

initSync({ module: readFileSync(join(__dirname, 'jwksgate_bg.wasm')) });

export * from './api.mjs';
