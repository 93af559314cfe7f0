// Browser entry, for bundlers (vite, webpack, rollup) and for a page without one: top-level
// await fetches and instantiates the wasm (the SIMD build, or the scalar one where the browser
// lacks SIMD128) next to the glue, so no init() call is needed before using the API.
import init from './jwksgate.js';

await init();

export * from './api.mjs';
// init() stays exported for code written for the bare glue: once the wasm is loaded it does nothing.
export { default } from './jwksgate.js';
