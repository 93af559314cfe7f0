// Where a verify spends its time: runs Verifier.verify (or the one-shot verify) in a loop under
// V8's sampling profiler and prints the self time per function, wasm functions by Rust name.
// Build with names first (wasm-opt strips them):
//   wasm-pack build --release --no-opt --target web --out-dir /tmp/jwksgate-names --out-name jwksgate
//   PKG=/tmp/jwksgate-names node bench/profile.mjs            (BITS=4096, MODE=oneshot, N=20000,
//   ALG=ES256 for a P-256 key instead of RSA)
import crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { pathToFileURL } from 'node:url';
import { printSelfTime } from './cpuprofile.mjs';

const dir = process.env.PKG ?? new URL('../pkg', import.meta.url).pathname;
const m = await import(pathToFileURL(`${dir}/jwksgate.js`).href);
m.initSync({ module: readFileSync(`${dir}/jwksgate_bg.wasm`) });

const bits = Number(process.env.BITS ?? 2048);
const N = Number(process.env.N ?? 20000);
const oneShot = process.env.MODE === 'oneshot';
const alg = process.env.ALG ?? 'RS256';
const ec = alg === 'ES256';
const { publicKey, privateKey } = ec ? crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' }) : crypto.generateKeyPairSync('rsa', { modulusLength: bits });
const jwks = { keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'k' }] };
const NOW = 1_780_000_000;
const b64 = (x) => Buffer.from(JSON.stringify(x)).toString('base64url');
const claims = {
  aud: ['vault'], exp: NOW + 3600, iat: NOW - 60, iss: 'https://kubernetes.default.svc.cluster.local', nbf: NOW - 60,
  'kubernetes.io': { namespace: 'default', pod: { name: 'web-1', uid: crypto.randomUUID() }, serviceaccount: { name: 'web', uid: crypto.randomUUID() } },
  sub: 'system:serviceaccount:default:web',
};
const input = `${b64({ alg, kid: 'k' })}.${b64(claims)}`;
const signer = ec ? { key: privateKey, dsaEncoding: 'ieee-p1363' } : privateKey;
const token = `${input}.${crypto.sign('sha256', Buffer.from(input), signer).toString('base64url')}`;
const options = { issuer: claims.iss, audience: 'vault', currentDate: NOW, algorithms: [alg] };
const jwksText = JSON.stringify(jwks);
const verifier = new m.Verifier(jwks, options);
const run = oneShot ? () => m.verify(token, jwksText, options) : () => verifier.verify(token);

for (let i = 0; i < 500; i++) run(); // warm-up
const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.start');
const t0 = performance.now();
for (let i = 0; i < N; i++) run();
const us = ((performance.now() - t0) * 1000) / N;
const { profile } = await session.post('Profiler.stop');

printSelfTime(`${oneShot ? 'verify(token, jwksText)' : 'Verifier.verify'} ${ec ? alg : `${alg}-${bits}`}: ${us.toFixed(1)} µs per call under the profiler`, profile);
