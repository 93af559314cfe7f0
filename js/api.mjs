// What every entry exports: the Rust bindings (the web glue, initialised by the entry that
// imports this module) and the jose-shaped API around them.
export * from './jwksgate.js';
export { jwtVerify, createLocalJWKSet, errors } from './jose.mjs';
export { createRemoteJWKSet, createIssuerJWKSet, customFetch, jwksCache } from './remote.mjs';
