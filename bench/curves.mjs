// ES256, ES384, ES512 and EdDSA verification, side by side in one process: jwksgate (pkg/, built
// by `make pkg`) against jose and node:crypto, each curve with a fresh node:crypto key
// (fixtures.mjs). Run by `make bench` after bench.mjs; figures in RESULTS.md. Same method as bench.mjs: every
// (curve, contestant) pair once per round, the order rotated each round, warm-up rounds dropped,
// medians of per-round means; every contestant must return the token's claims before it is timed.
// No verdict is printed and no test depends on a timing.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { performance } from 'node:perf_hooks';
import crypto from 'node:crypto';
import { AUDIENCE, ISSUER, NOW, makeCase, median, quantile } from './fixtures.mjs';
import * as jose from 'jose';
import { initSync, Verifier, verify as verifyOneShot } from '../pkg/jwksgate.js';
import * as scalar from '../pkg/jwksgate.js?scalar';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 21);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
const BATCH = Number(process.env.BENCH_BATCH ?? 16);
const ALGS = (process.env.BENCH_ALGS ?? 'ES256,ES384,ES512,EdDSA').split(',');

initSync({ module: new WebAssembly.Module(readFileSync(new URL('../pkg/jwksgate_bg.wasm', import.meta.url))) });
const scalarBytes = readFileSync(new URL('../pkg/jwksgate_scalar_bg.wasm', import.meta.url));
scalar.initSync({ module: new WebAssembly.Module(scalarBytes) });

async function contestants(c) {
  const options = { algorithms: [c.alg], issuer: ISSUER, audience: AUDIENCE, currentDate: NOW };
  const joseOptions = { ...options, currentDate: new Date(NOW * 1000) };
  const verifier = new Verifier(c.jwks, options);
  const scalarVerifier = new scalar.Verifier(c.jwks, options);
  const localSet = jose.createLocalJWKSet(c.jwks);
  const { hash } = c;
  return [
    { name: 'jwksgate Verifier.verify', sync: true, run: (t) => verifier.verify(t).payload },
    { name: 'jwksgate verify(token, jwksText)', sync: true, run: (t) => verifyOneShot(t, c.jwksText, options).payload },
    { name: 'jose jwtVerify createLocalJWKSet', sync: false, run: async (t) => (await jose.jwtVerify(t, localSet, joseOptions)).payload },
    {
      name: 'node:crypto verify + JSON.parse',
      sync: true,
      run: (t) => {
        const [h, p, s] = t.split('.');
        JSON.parse(Buffer.from(h, 'base64url').toString());
        const data = Buffer.from(`${h}.${p}`);
        const sig = Buffer.from(s, 'base64url');
        const ok = hash ? crypto.verify(hash, data, { key: c.publicKey, dsaEncoding: 'ieee-p1363' }, sig) : crypto.verify(null, data, c.publicKey, sig);
        if (!ok) throw new Error('bad signature');
        return JSON.parse(Buffer.from(p, 'base64url').toString());
      },
    },
    { name: 'jwksgate Verifier.verify, scalar build', sync: true, run: (t) => scalarVerifier.verify(t).payload },
  ];
}

async function batch(x, tokens) {
  const start = performance.now();
  if (x.sync) for (let i = 0; i < BATCH; i++) x.run(tokens[i % tokens.length].token);
  else for (let i = 0; i < BATCH; i++) await x.run(tokens[i % tokens.length].token);
  return ((performance.now() - start) * 1000) / BATCH;
}

const cases = [];
for (const alg of ALGS) {
  const c = makeCase(alg);
  const xs = await contestants(c);
  for (const x of xs) {
    for (const { token, payload } of c.tokens) {
      if (JSON.stringify(await x.run(token)) !== JSON.stringify(payload)) throw new Error(`${x.name} returned other claims`);
    }
  }
  cases.push({ alg, c, xs, times: xs.map(() => []) });
}
const slots = cases.flatMap((k) => k.xs.map((x, i) => ({ k, x, i })));
for (let round = 0; round < WARMUP + ROUNDS; round++) {
  for (let j = 0; j < slots.length; j++) {
    const { k, x, i } = slots[(j + round * 3) % slots.length];
    const us = await batch(x, k.c.tokens);
    if (round >= WARMUP) k.times[i].push(us);
  }
}
const results = cases.map((k) => ({ alg: k.alg, med: k.times.map(median), iqr: k.times.map((t) => quantile(t, 0.75) - quantile(t, 0.25)), names: k.xs.map((x) => x.name) }));
console.log(`node ${process.version}, ${ROUNDS} rounds of ${BATCH} verifies after ${WARMUP} warm-up rounds; median µs per verify (interquartile range)`);
console.log('');
console.log(`| what | ${results.map((r) => r.alg).join(' | ')} |`);
console.log(`| --- | ${results.map(() => '---:').join(' | ')} |`);
for (let i = 0; i < results[0].names.length; i++) {
  console.log(`| (${'abcde'[i]}) ${results[0].names[i]} | ${results.map((r) => `${r.med[i].toFixed(1).padStart(7)} (${r.iqr[i].toFixed(0)})`).join(' | ')} |`);
}
console.log('');
const wasm = readFileSync(new URL('../pkg/jwksgate_bg.wasm', import.meta.url));
console.log(`wasm (SIMD128): ${wasm.length} bytes raw, ${gzipSync(wasm, { level: 9 }).length} gzipped; scalar: ${scalarBytes.length} raw, ${gzipSync(scalarBytes, { level: 9 }).length} gzipped`);
for (const r of results) {
  const [a, b, c, d, e] = r.med;
  console.log(`${r.alg}: Verifier/jose ${(a / c).toFixed(2)}x, one-shot/jose ${(b / c).toFixed(2)}x, Verifier/native ${(a / d).toFixed(2)}x, scalar build/jose ${(e / c).toFixed(2)}x`);
}
