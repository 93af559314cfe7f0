// What every entry exports: the Rust bindings (the web glue, initialised by the entry that
// imports this module) and the jose-shaped API around them.
export * from './jwksgate.js';
// `verify` from jose.mjs wins over the glue's (an explicit export shadows `export *`).
export { jwtVerify, createLocalJWKSet, errors, verify } from './jose.mjs';
export { createRemoteJWKSet, createIssuerJWKSet, customFetch, jwksCache } from './remote.mjs';
