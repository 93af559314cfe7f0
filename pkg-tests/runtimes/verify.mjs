// Run by Bun and Deno (runtimes.test.mjs) as a user's script: the installed package by its
// name, a verify with each API, an error's class, and a remote set when a JWKS URL is given.
// Input as the first argument (reading it needs no Deno permission); prints one JSON line.
import { Verifier, jwtVerify, createLocalJWKSet, createRemoteJWKSet, errors, wasmSimd } from 'jwksgate';

const { token, jwks, url } = JSON.parse(globalThis.Deno ? Deno.args[0] : process.argv[2]);
const out = { simd: wasmSimd() };
out.sync = new Verifier(jwks).verify(token).payload.sub;
out.jose = (await jwtVerify(token, createLocalJWKSet(jwks))).key.kid;
try {
  await jwtVerify(token, createLocalJWKSet(jwks), { audience: 'someone-else' });
} catch (e) {
  out.error = [e instanceof errors.JWTClaimValidationFailed, e.code, e.claim, e.payload?.sub];
}
if (url) out.remote = (await jwtVerify(token, createRemoteJWKSet(new URL(url)))).payload.sub;
console.log(JSON.stringify(out));
