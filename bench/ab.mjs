// A/B of two builds of the package in one Node process: Verifier.verify of RS256 at 2048/3072/4096
// bits and of ES256, ES384, ES512 and EdDSA (and, named in AB_CASES, PS256 at the three sizes,
// RS384, RS512, PS384 and PS512 at 2048 bits), rounds interleaved and alternating order;
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
  'PS256-2048': ['rsa', { modulusLength: 2048 }, 'sha256'],
  'PS256-3072': ['rsa', { modulusLength: 3072 }, 'sha256'],
  'PS256-4096': ['rsa', { modulusLength: 4096 }, 'sha256'],
  'RS384-2048': ['rsa', { modulusLength: 2048 }, 'sha384'],
  'RS512-2048': ['rsa', { modulusLength: 2048 }, 'sha512'],
  'PS384-2048': ['rsa', { modulusLength: 2048 }, 'sha384'],
  'PS512-2048': ['rsa', { modulusLength: 2048 }, 'sha512'],
};
const DEFAULT = ['RS256-2048', 'RS256-3072', 'RS256-4096', 'ES256', 'ES384', 'ES512', 'EdDSA'];
const ROUNDS = Number(process.env.AB_ROUNDS ?? 40);
// µs now, by the wall clock or by this process's CPU time.
const clock = process.env.AB_CLOCK === 'cpu' ? () => { const c = process.cpuUsage(); return c.user + c.system; } : () => performance.now() * 1000;
const pick = process.env.AB_CASES ? process.env.AB_CASES.split(',') : DEFAULT;
for (const name of pick) {
  const [type, params, hash] = CASES[name];
  const alg = name.split('-')[0];
  const { publicKey, privateKey } = crypto.generateKeyPairSync(type, params);
  const jwks = { keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'k', alg }] };
  const input = `${b64(JSON.stringify({ alg, kid: 'k' }))}.${b64(JSON.stringify({ exp: 2e9, sub: 'x' }))}`;
  // PS*: RSASSA-PSS with the salt as long as the hash (RFC 7518 section 3.5).
  const pss = { key: privateKey, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: crypto.constants.RSA_PSS_SALTLEN_DIGEST };
  const key = type === 'ec' ? { key: privateKey, dsaEncoding: 'ieee-p1363' } : alg.startsWith('PS') ? pss : privateKey;
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
  // Each round's B over the same round's A (run back to back), then their median: steadier than
  // the ratio of the medians when the machine's load moves between rounds.
  const paired = med(tb.map((b, i) => b / ta[i]));
  console.log(name, 'A', med(ta).toFixed(1), 'B', med(tb).toFixed(1), 'B/A', (med(tb) / med(ta)).toFixed(3), 'paired', paired.toFixed(3));
}
