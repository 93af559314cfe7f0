// Node entry, for import and for require() (the `module-sync` condition), Bun's too: the wasm read synchronously
// from the package folder, so the API is ready when the import resolves.
import { readFileSync } from 'node:fs';
import { initSync } from './jwksgate.js';

initSync({ module: readFileSync(new URL('./jwksgate_bg.wasm', import.meta.url)) });

export * from './api.mjs';
// init() stays exported for code written for the bare glue: once the wasm is loaded it does nothing.
export { default } from './jwksgate.js';
