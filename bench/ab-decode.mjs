// A/B of two builds of the package in one Node process: decodeUnverified of a Kubernetes-style
// RS256 token (base64url, the strict JSON of header and payload, the crossing; no signature, no
// claims), what a verify does besides its arithmetic. Rounds alternate, timed by this process's
// CPU time; prints each median (µs) and the median of each round's B over A.
// usage: node bench/ab-decode.mjs <pkg dir A> <pkg dir B> (AB_ROUNDS=100, AB_N=200 a batch)
import { readFileSync } from 'node:fs';
import crypto from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
const load = async (d) => { const m = await import(`${pathToFileURL(resolve(d, 'jwksgate.js')).href}?${encodeURIComponent(d)}`); m.initSync({ module: new WebAssembly.Module(readFileSync(d + '/jwksgate_bg.wasm')) }); return m; };
const [A, B] = [await load(process.argv[2]), await load(process.argv[3])];
const b64 = (b) => Buffer.from(b).toString('base64url');
const claims = {
  exp: 2e9, iat: 1.7e9, iss: 'https://kubernetes.default.svc.cluster.local', aud: ['vault'], sub: 'system:serviceaccount:default:web',
  'kubernetes.io': { namespace: 'default', pod: { name: 'web-1', uid: crypto.randomUUID() }, serviceaccount: { name: 'web', uid: crypto.randomUUID() } },
};
const input = `${b64(JSON.stringify({ alg: 'RS256', kid: 'k' }))}.${b64(JSON.stringify(claims))}`;
const token = `${input}.${b64(crypto.randomBytes(256))}`;
const clock = () => { const c = process.cpuUsage(); return c.user + c.system; };
const ROUNDS = Number(process.env.AB_ROUNDS ?? 100), N = Number(process.env.AB_N ?? 200);
const ta = [], tb = [];
for (let r = 0; r < ROUNDS; r++) {
  for (const [m, arr] of r % 2 ? [[A, ta], [B, tb]] : [[B, tb], [A, ta]]) {
    const t = clock(); for (let i = 0; i < N; i++) m.decodeUnverified(token); arr.push((clock() - t) / N);
  }
}
const med = (x) => [...x].sort((a, b) => a - b)[x.length >> 1];
console.log('decodeUnverified A', med(ta).toFixed(2), 'B', med(tb).toFixed(2), 'paired B/A', med(tb.map((b, i) => b / ta[i])).toFixed(3));
