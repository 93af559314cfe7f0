// workerd (Cloudflare Workers) entry: wrangler and miniflare import the .wasm file as a
// compiled WebAssembly.Module, which initSync instantiates without a fetch.
import wasmModule from './jwksgate_bg.wasm';
import { initSync } from './jwksgate.js';

initSync({ module: wasmModule });

export * from './jwksgate.js';
