// A/B of two builds of the package in one Node process: Verifier.verify of RS256 at 2048/3072/4096
// bits and of ES256, ES384, ES512 and EdDSA, rounds interleaved and alternating order;
// usage: node bench/ab.mjs <pkg dir A> <pkg dir B> (AB_CASES=RS256-2048,ES256 picks cases, AB_ROUNDS=40 rounds, AB_N verifies
// a batch; AB_CLOCK=cpu times by process CPU time instead of wall time, for a loaded machine).
import { readFileSync } from 'node:fs';
import crypto from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
const [dirA, dirB] = process.argv.slice(2);
const load = async (d) => { const m = await import(`${pathToFileURL(resolve(d, 'jwksgate.js')).href}?${encodeURIComponent(d)}`); m.initSync({ module: new WebAssembly.Module(readFileSync(d + '/jwksgate_bg.wasm')) }); return m; };
const A = await load(dirA), B = await load(dirB);
const b64 = (b) => Buffer.from(b).toString('base64url');
const CASES = {
  'RS256-2048': ['rsa', { modulusLength: 2048 }, 'sha256'],
  'RS256-3072': ['rsa', { modulusLength: 3072 }, 'sha256'],
  'RS256-4096': ['rsa', { modulusLength: 4096 }, 'sha256'],
  ES256: ['ec', { namedCurve: 'prime256v1' }, 'sha256'],
  ES384: ['ec', { namedCurve: 'secp384r1' }, 'sha384'],
  ES512: ['ec', { namedCurve: 'secp521r1' }, 'sha512'],
  EdDSA: ['ed25519', undefined, null],
};
const ROUNDS = Number(process.env.AB_ROUNDS ?? 40);
// µs now, by the wall clock or by this process's CPU time.
const clock = process.env.AB_CLOCK === 'cpu' ? () => { const c = process.cpuUsage(); return c.user + c.system; } : () => performance.now() * 1000;
const pick = process.env.AB_CASES ? process.env.AB_CASES.split(',') : Object.keys(CASES);
for (const name of pick) {
  const [type, params, hash] = CASES[name];
  const alg = name.split('-')[0];
  const { publicKey, privateKey } = crypto.generateKeyPairSync(type, params);
  const jwks = { keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'k', alg }] };
  const input = `${b64(JSON.stringify({ alg, kid: 'k' }))}.${b64(JSON.stringify({ exp: 2e9, sub: 'x' }))}`;
  const key = type === 'ec' ? { key: privateKey, dsaEncoding: 'ieee-p1363' } : privateKey;
  const tok = `${input}.${b64(crypto.sign(hash, Buffer.from(input), key))}`;
  const options = { algorithms: [alg] };
  const va = new A.Verifier(jwks, options), vb = new B.Verifier(jwks, options);
  va.verify(tok); vb.verify(tok);
  const n = Number(process.env.AB_N ?? (type === 'rsa' || alg === 'EdDSA' ? 40 : 8));
  const ta = [], tb = [];
  for (let r = 0; r < ROUNDS; r++) {
    for (const [v, arr] of r % 2 ? [[va, ta], [vb, tb]] : [[vb, tb], [va, ta]]) {
      const t = clock(); for (let i = 0; i < n; i++) v.verify(tok); arr.push((clock() - t) / n);
    }
  }
  const med = (x) => x.sort((a, b) => a - b)[x.length >> 1];
  console.log(name, 'A', med(ta).toFixed(1), 'B', med(tb).toFixed(1), 'B/A', (med(tb) / med(ta)).toFixed(3));
}
