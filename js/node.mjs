// Node entry of this repository's own code (scripts/demo.mjs, the gate's tests): the wasm read
// synchronously from the folder. Not in the npm package, whose Node entry is bundled.mjs (a
// bundler or a tracer such as Nitro's follows it where it cannot follow this file read).
import { readFileSync } from 'node:fs';
import { initSync } from './jwksgate.js';

initSync({ module: readFileSync(new URL('./jwksgate_bg.wasm', import.meta.url)) });

export * from './api.mjs';
// init() stays exported for code written for the bare glue: once the wasm is loaded it does nothing.
export { default } from './jwksgate.js';
