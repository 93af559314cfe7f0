// RS256 verification (BENCH_ALGS=RS256,PS256,RS384,RS512,PS384,PS512 for the others), side by side
// in one process: jwksgate (pkg/, built by `make pkg`) against jose, fast-jwt and node:crypto, for
// 2048/3072/4096-bit keys, and each jose-shaped remote key
// set against a loopback issuer. Run by `make bench`; figures in RESULTS.md.
//
// Each round runs every contestant at every key size for a batch of tokens, in an order that
// rotates per round, so drift in machine load (two shared cores) falls on all of them alike;
// warm-up rounds are dropped and the medians of the per-round means are reported. Prints no verdict: the ratios
// are the last lines, and no test depends on a timing.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { performance } from 'node:perf_hooks';
import crypto from 'node:crypto';
import { createServer } from 'node:http';
import * as jose from 'jose';
import { createVerifier } from 'fast-jwt';
import { initSync, Verifier, verify as verifyOneShot } from '../pkg/jwksgate.js';
// The jose-shaped API over the same glue instance.
import * as jg from '../pkg/api.mjs';
// The scalar build (for hosts without wasm SIMD128) in a second instance of the same glue.
import * as scalar from '../pkg/jwksgate.js?scalar';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 31);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 4);
const BATCH = Number(process.env.BENCH_BATCH ?? 32);
const SIZES = (process.env.BENCH_BITS ?? '2048,3072,4096').split(',').map(Number);
const ALGS = (process.env.BENCH_ALGS ?? 'RS256').split(',');
const HASH = { 256: 'sha256', 384: 'sha384', 512: 'sha512' };
// node:crypto's options for an algorithm: PS* is RSASSA-PSS with the salt as long as the hash.
const rsaOptions = (alg, key) => (alg.startsWith('PS') ? { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: crypto.constants.RSA_PSS_SALTLEN_DIGEST } : key);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const b64url = (buf) => Buffer.from(buf).toString('base64url');
// JSON with object keys sorted at every level: equal claims compare equal whatever the order.
const canonical = (v) =>
  v && typeof v === 'object' && !Array.isArray(v)
    ? `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`
    : Array.isArray(v) ? `[${v.map(canonical).join(',')}]` : JSON.stringify(v);

// --- the module: size, compile and instantiate ---------------------------------------------
const wasmUrl = new URL('../pkg/jwksgate_bg.wasm', import.meta.url);
const wasmBytes = readFileSync(wasmUrl);
const t0 = performance.now();
initSync({ module: new WebAssembly.Module(wasmBytes) });
const firstInit = performance.now() - t0;
const scalarBytes = readFileSync(new URL('../pkg/jwksgate_scalar_bg.wasm', import.meta.url));
scalar.initSync({ module: new WebAssembly.Module(scalarBytes) });
if (scalar.wasmSimd() !== false) throw new Error('pkg/jwksgate_scalar_bg.wasm is not the scalar build');
const compiles = [];
for (let i = 0; i < 7; i++) {
  const t = performance.now();
  new WebAssembly.Module(wasmBytes);
  compiles.push(performance.now() - t);
}

// --- tokens: a Kubernetes ServiceAccount token shape, signed by node:crypto -----------------
const NOW = 1_780_000_000;
const ISSUER = 'https://kubernetes.default.svc.cluster.local';
const AUDIENCE = 'vault';

function makeCase(alg, bits) {
  const hash = HASH[alg.slice(2)];
  const keys = [0, 1].map(() => crypto.generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: 65537 }));
  const jwks = {
    keys: keys.map(({ publicKey }, i) => ({ ...publicKey.export({ format: 'jwk' }), kid: `key-${bits}-${i}`, alg, use: 'sig' })),
  };
  const signer = keys[1].privateKey; // the second key, so kid selection has to look past the first
  const tokens = [];
  for (let i = 0; i < 16; i++) {
    const header = { alg, kid: `key-${bits}-1` };
    const payload = {
      aud: [AUDIENCE],
      exp: NOW + 3600 + i,
      iat: NOW - 60,
      iss: ISSUER,
      'kubernetes.io': {
        namespace: 'default',
        pod: { name: `web-${i}`, uid: crypto.randomUUID() },
        serviceaccount: { name: 'web', uid: crypto.randomUUID() },
        warnafter: NOW + 3000,
      },
      nbf: NOW - 60,
      sub: 'system:serviceaccount:default:web',
    };
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
    const sig = crypto.sign(hash, Buffer.from(input), rsaOptions(alg, signer));
    tokens.push({ token: `${input}.${b64url(sig)}`, payload });
  }
  return { alg, hash, bits, name: `${alg}-${bits}`, jwks, jwksText: JSON.stringify(jwks), tokens };
}

// A loopback issuer for the remote key sets: /keys-<alg>-<bits> serves that case's JWKS, counted.
const served = new Map();
const fetches = new Map();
const issuer = createServer((req, res) => {
  fetches.set(req.url, (fetches.get(req.url) ?? 0) + 1);
  const jwks = served.get(req.url);
  if (!jwks) return res.writeHead(404).end();
  return res.writeHead(200, { 'content-type': 'application/json' }).end(jwks);
});
await new Promise((ok) => issuer.listen(0, '127.0.0.1', ok));
const issuerUrl = `http://127.0.0.1:${issuer.address().port}`;

async function contestants(c) {
  const options = { algorithms: [c.alg], issuer: ISSUER, audience: AUDIENCE, currentDate: NOW };
  const joseOptions = { ...options, currentDate: new Date(NOW * 1000) };
  const verifier = new Verifier(c.jwks, options);
  const scalarVerifier = new scalar.Verifier(c.jwks, options);
  const localSet = jose.createLocalJWKSet(c.jwks);
  const imported = await jose.importJWK(c.jwks.keys[1], c.alg);
  const nativeKeys = new Map(c.jwks.keys.map((k) => [k.kid, crypto.createPublicKey({ key: k, format: 'jwk' })]));
  // fast-jwt (node:crypto underneath) with the same checks; its verified-token cache stays off.
  const pems = new Map([...nativeKeys].map(([kid, k]) => [kid, k.export({ type: 'spki', format: 'pem' })]));
  const fastOptions = { algorithms: [c.alg], allowedIss: ISSUER, allowedAud: AUDIENCE, clockTimestamp: NOW * 1000, cache: false };
  const fastStatic = createVerifier({ ...fastOptions, key: pems.get(c.jwks.keys[1].kid) });
  // The JWKS way with fast-jwt: a key function picking the PEM by kid (as with get-jwks).
  const fastKeyFn = createVerifier({ ...fastOptions, key: async ({ header }) => pems.get(header.kid) });
  const path = `/keys-${c.name}`;
  served.set(path, c.jwksText);
  const joseRemote = jose.createRemoteJWKSet(new URL(path, issuerUrl));
  const ourRemote = jg.createRemoteJWKSet(new URL(path, issuerUrl));
  const ourLocal = jg.createLocalJWKSet(c.jwks);
  return [
    { name: 'jwksgate Verifier.verify', sync: true, run: (t) => verifier.verify(t).payload },
    { name: 'jwksgate verify(token, jwksText)', sync: true, run: (t) => verifyOneShot(t, c.jwksText, options).payload },
    { name: 'jose jwtVerify createLocalJWKSet', sync: false, run: async (t) => (await jose.jwtVerify(t, localSet, joseOptions)).payload },
    { name: 'jose jwtVerify imported key', sync: false, run: async (t) => (await jose.jwtVerify(t, imported, joseOptions)).payload },
    {
      name: 'node:crypto verify + JSON.parse',
      sync: true,
      // The floor: a signature check and the decoding, no claim checks.
      run: (t) => {
        const [h, p, s] = t.split('.');
        const header = JSON.parse(Buffer.from(h, 'base64url').toString());
        const ok = crypto.verify(c.hash, Buffer.from(`${h}.${p}`), rsaOptions(c.alg, nativeKeys.get(header.kid)), Buffer.from(s, 'base64url'));
        if (!ok) throw new Error('bad signature');
        return JSON.parse(Buffer.from(p, 'base64url').toString());
      },
    },
    { name: 'jwksgate Verifier.verify, scalar build', sync: true, run: (t) => scalarVerifier.verify(t).payload },
    { name: 'fast-jwt createVerifier, static PEM key', sync: true, run: (t) => fastStatic(t) },
    { name: 'fast-jwt createVerifier, key function', sync: false, run: (t) => fastKeyFn(t) },
    { name: 'jose jwtVerify createRemoteJWKSet (loopback)', sync: false, run: async (t) => (await jose.jwtVerify(t, joseRemote, joseOptions)).payload },
    { name: 'jwksgate jwtVerify createRemoteJWKSet (loopback)', sync: false, run: async (t) => (await jg.jwtVerify(t, ourRemote, options)).payload },
    { name: 'jwksgate jwtVerify createLocalJWKSet', sync: false, run: async (t) => (await jg.jwtVerify(t, ourLocal, options)).payload },
  ];
}

async function batch(x, tokens) {
  const start = performance.now();
  if (x.sync) {
    for (let i = 0; i < BATCH; i++) x.run(tokens[i % tokens.length].token);
  } else {
    for (let i = 0; i < BATCH; i++) await x.run(tokens[i % tokens.length].token);
  }
  return ((performance.now() - start) * 1000) / BATCH;
}

// Every (key size, contestant) pair runs once per round, in an order rotated each round, so
// load from other processes (two shared cores) is spread over all of them alike.
const cases = [];
for (const [alg, bits] of ALGS.flatMap((a) => SIZES.map((b) => [a, b]))) {
  const c = makeCase(alg, bits);
  const xs = await contestants(c);
  // Every contestant must return the same claims before its time counts.
  for (const x of xs) {
    for (const { token, payload } of c.tokens) {
      const got = await x.run(token);
      if (canonical(got) !== canonical(payload)) throw new Error(`${x.name} returned other claims`);
    }
  }
  cases.push({ c, xs, times: xs.map(() => []) });
}
const slots = cases.flatMap((k) => k.xs.map((x, i) => ({ k, x, i })));
for (let round = 0; round < WARMUP + ROUNDS; round++) {
  for (let j = 0; j < slots.length; j++) {
    const { k, x, i } = slots[(j + round * 7) % slots.length];
    const us = await batch(x, k.c.tokens);
    if (round >= WARMUP) k.times[i].push(us);
  }
}
const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.round(q * (xs.length - 1))];
const results = cases.map((k) => ({
  name: k.c.name,
  med: k.times.map(median),
  iqr: k.times.map((t) => quantile(t, 0.75) - quantile(t, 0.25)),
  names: k.xs.map((x) => x.name),
}));

const pad = (s, n) => String(s).padStart(n);
console.log(`node ${process.version}, ${ROUNDS} rounds of ${BATCH} verifies after ${WARMUP} warm-up rounds; median µs per verify (interquartile range)`);
console.log('');
console.log(`| what | ${results.map((r) => r.name).join(' | ')} |`);
console.log(`| --- | ${results.map(() => '---:').join(' | ')} |`);
for (let i = 0; i < results[0].names.length; i++) {
  console.log(`| (${'abcdefghijk'[i]}) ${results[0].names[i]} | ${results.map((r) => `${pad(r.med[i].toFixed(1), 7)} (${r.iqr[i].toFixed(0)})`).join(' | ')} |`);
}
console.log('');
console.log(`wasm (SIMD128): ${wasmBytes.length} bytes raw, ${gzipSync(wasmBytes, { level: 9 }).length} bytes gzipped (level 9)`);
console.log(`wasm (scalar): ${scalarBytes.length} bytes raw, ${gzipSync(scalarBytes, { level: 9 }).length} bytes gzipped (level 9)`);
console.log(`wasm: first compile + instantiate ${firstInit.toFixed(2)} ms; compile alone, median of 7: ${median(compiles).toFixed(2)} ms`);
console.log('');
issuer.close();
console.log(`loopback issuer: ${[...fetches.values()].reduce((x, y) => x + y, 0)} JWKS fetches in all (one per remote set: the rest were served from the cache)`);
console.log('');
for (const r of results) {
  const [a, b, c, d, e, f, g, h, i, j, k] = r.med;
  console.log(
    `${r.name}: Verifier/jose(createLocalJWKSet) ${(a / c).toFixed(2)}x, Verifier/jose(imported key) ${(a / d).toFixed(2)}x, ` +
      `one-shot/jose(createLocalJWKSet) ${(b / c).toFixed(2)}x, Verifier/native ${(a / e).toFixed(2)}x, ` +
      `scalar build/jose(createLocalJWKSet) ${(f / c).toFixed(2)}x, ` +
      `Verifier/fast-jwt(static key) ${(a / g).toFixed(2)}x, Verifier/fast-jwt(key function) ${(a / h).toFixed(2)}x, ` +
      `jwtVerify remote: jwksgate/jose ${(j / i).toFixed(2)}x, jwtVerify local: jwksgate/jose ${(k / c).toFixed(2)}x`,
  );
}
