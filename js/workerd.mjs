// workerd (Cloudflare Workers) entry: wrangler and miniflare import the .wasm file as a
// compiled WebAssembly.Module, which initSync instantiates without a fetch.
import wasmModule from './jwksgate_bg.wasm';
import { initSync } from './jwksgate.js';

initSync({ module: wasmModule });

export * from './api.mjs';
// init() stays exported for code written for the bare glue: once the wasm is loaded it does nothing.
export { default } from './jwksgate.js';
