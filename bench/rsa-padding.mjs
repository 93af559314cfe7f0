// RS256 against PS256 at one key size, jwksgate's Verifier.verify and jose's jwtVerify (an
// imported key, and createLocalJWKSet), interleaved by rounds, by this process's CPU time (jose's
// WebCrypto work runs on libuv's threads, counted too): does PSS cost more than PKCS#1 v1.5 on
// one side only? usage: node bench/rsa-padding.mjs [<pkg dir>] (BITS=4096, R=41 rounds of 10).
import { readFileSync } from 'node:fs';
import crypto from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as jose from 'jose';

const dir = resolve(process.argv[2] ?? new URL('../pkg', import.meta.url).pathname);
const m = await import(pathToFileURL(resolve(dir, 'jwksgate.js')).href);
m.initSync({ module: new WebAssembly.Module(readFileSync(resolve(dir, 'jwksgate_bg.wasm'))) });
const b64 = (b) => Buffer.from(b).toString('base64url');
const bits = Number(process.env.BITS ?? 4096);
const { publicKey, privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: bits });
const cases = {};
for (const alg of ['RS256', 'PS256']) {
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'k', alg };
  const input = `${b64(JSON.stringify({ alg, kid: 'k' }))}.${b64(JSON.stringify({ exp: 2e9, sub: 'x' }))}`;
  const key = alg === 'PS256' ? { key: privateKey, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } : privateKey;
  const tok = `${input}.${b64(crypto.sign('sha256', Buffer.from(input), key))}`;
  const v = new m.Verifier({ keys: [jwk] }, { algorithms: [alg] });
  const jk = await jose.importJWK(jwk, alg);
  const set = jose.createLocalJWKSet({ keys: [jwk] });
  v.verify(tok);
  await jose.jwtVerify(tok, jk);
  await jose.jwtVerify(tok, set);
  cases[alg] = { tok, v, jk, set };
}
const cpu = () => { const c = process.cpuUsage(); return c.user + c.system; };
const R = Number(process.env.R ?? 41), N = 10;
const res = {};
const run = async (name, f) => { const c = cpu(); for (let i = 0; i < N; i++) await f(); (res[name] ??= []).push((cpu() - c) / N); };
for (let r = 0; r < R; r++) {
  for (const a of r % 2 ? ['RS256', 'PS256'] : ['PS256', 'RS256']) {
    const c = cases[a];
    await run(`jwksgate Verifier ${a}`, () => c.v.verify(c.tok));
    await run(`jose imported key ${a}`, () => jose.jwtVerify(c.tok, c.jk));
    await run(`jose createLocalJWKSet ${a}`, () => jose.jwtVerify(c.tok, c.set));
  }
}
const med = (x) => [...x].sort((a, b) => a - b)[x.length >> 1];
console.log(`${bits}-bit key, median CPU µs per verify of ${R} rounds`);
for (const w of ['jwksgate Verifier', 'jose imported key', 'jose createLocalJWKSet']) {
  const [rs, ps] = [med(res[`${w} RS256`]), med(res[`${w} PS256`])];
  console.log(`${w}: RS256 ${rs.toFixed(1)}, PS256 ${ps.toFixed(1)}, PS256/RS256 ${(ps / rs).toFixed(3)}`);
}
