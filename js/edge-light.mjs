// Edge entry (the `edge-light` condition: Next.js middleware and edge routes, with Turbopack
// and with webpack, and Vercel's Edge Functions): these runtimes refuse to compile wasm from
// bytes, so the .wasm is imported as a compiled WebAssembly.Module with the `?module` suffix
// that Next.js and Vercel document, and instantiated without a fetch.
import wasmModule from './jwksgate_bg.wasm?module';
import { initSync } from './jwksgate.js';

initSync({ module: wasmModule });

export * from './api.mjs';
// init() stays exported for code written for the bare glue: once the wasm is loaded it does nothing.
export { default } from './jwksgate.js';
