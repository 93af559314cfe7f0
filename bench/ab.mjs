// A/B of two builds of the package in one Node process: Verifier.verify (RS256) at 2048/3072/4096
// bits, rounds interleaved and alternating order; usage: node bench/ab.mjs <pkg dir A> <pkg dir B>.
import { readFileSync } from 'node:fs';
import crypto from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
const [dirA, dirB] = process.argv.slice(2);
const load = async (d) => { const m = await import(pathToFileURL(resolve(d, 'jwksgate.js')).href); m.initSync({ module: new WebAssembly.Module(readFileSync(d + '/jwksgate_bg.wasm')) }); return m; };
const A = await load(dirA), B = await load(dirB);
const b64 = (b) => Buffer.from(b).toString('base64url');
const res = {};
for (const bits of [2048, 3072, 4096]) {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: bits });
  const jwks = { keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'k', alg: 'RS256' }] };
  const input = `${b64(JSON.stringify({ alg: 'RS256', kid: 'k' }))}.${b64(JSON.stringify({ exp: 2e9, sub: 'x' }))}`;
  const tok = `${input}.${b64(crypto.sign('sha256', Buffer.from(input), privateKey))}`;
  const va = new A.Verifier(jwks), vb = new B.Verifier(jwks);
  va.verify(tok); vb.verify(tok);
  const ta = [], tb = [];
  for (let r = 0; r < 40; r++) {
    for (const [v, arr] of r % 2 ? [[va, ta], [vb, tb]] : [[vb, tb], [va, ta]]) {
      const t = performance.now(); for (let i = 0; i < 40; i++) v.verify(tok); arr.push((performance.now() - t) * 1000 / 40);
    }
  }
  const med = (x) => x.sort((a, b) => a - b)[x.length >> 1];
  console.log(bits, 'A', med(ta).toFixed(1), 'B', med(tb).toFixed(1), 'B/A', (med(tb) / med(ta)).toFixed(3));
}
