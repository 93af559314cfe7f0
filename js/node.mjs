// Node ESM entry: load the wasm module synchronously from the package folder, then re-export
// the web glue's API (the wasm binary is the same for every target).
import { readFileSync } from 'node:fs';
import { initSync } from './jwksgate.js';

initSync({ module: readFileSync(new URL('./jwksgate_bg.wasm', import.meta.url)) });

export * from './jwksgate.js';
