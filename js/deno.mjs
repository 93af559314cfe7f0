// Deno entry: a source-phase import hands over the compiled module with no read permission
// (Node's entry would need --allow-read to read the .wasm file).
import source wasmModule from './jwksgate_bg.wasm';
import { initSync } from './jwksgate.js';

initSync({ module: wasmModule });

export * from './api.mjs';
// init() stays exported for code written for the bare glue: once the wasm is loaded it does nothing.
export { default } from './jwksgate.js';
