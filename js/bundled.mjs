// Node entry (import, and require through require(esm)), Bun's, and server bundlers' (webpack,
// esbuild, Rollup, Vite's SSR build, so Next.js's Node routes, SvelteKit's adapter-node, Nitro):
// the SIMD wasm inlined in a JS module (brotli, then base64), which every bundler carries into
// its output as it carries any module. Reading the .wasm beside the entry fails once bundled:
// the file is not copied (esbuild, Rollup), the URL is an asset URL readFileSync refuses
// (webpack under Next.js), or a tracer copies the entry its conditions found and not the one
// Node loads (Nitro). Brotli makes the inlined copy 159 KB instead of base64's 484 KB; unpacking
// it adds about 10 ms to the import.
import { brotliDecompressSync } from 'node:zlib';
import { initSync } from './jwksgate.js';
import wasmBrotliBase64 from './jwksgate_bg.wasm.br.base64.mjs';

initSync({ module: brotliDecompressSync(Buffer.from(wasmBrotliBase64, 'base64')) });

export * from './api.mjs';
// init() stays exported for code written for the bare glue: once the wasm is loaded it does nothing.
export { default } from './jwksgate.js';
