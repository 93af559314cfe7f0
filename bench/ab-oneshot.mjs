// A/B of two builds of the package in one Node process: one-shot verify(token, jwksText) of the
// real EKS ServiceAccount token against its 13-key JWKS (tests/vectors/rfc_tokens.jsonl), rounds
// interleaved and alternating order; usage: node bench/ab-oneshot.mjs <pkg dir A> <pkg dir B>.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const load = async (dir) => {
  const m = await import(`${pathToFileURL(resolve(dir, 'jwksgate.js')).href}?${encodeURIComponent(dir)}`);
  m.initSync({ module: readFileSync(resolve(dir, 'jwksgate_bg.wasm')) });
  return m;
};
const [A, B] = [await load(process.argv[2]), await load(process.argv[3])];
const row = readFileSync(new URL('../tests/vectors/rfc_tokens.jsonl', import.meta.url), 'utf8')
  .split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((r) => r.id === 'k8s_eks_projected_sa_token');
const jwks = JSON.stringify(row.jwks);
const { exp } = JSON.parse(Buffer.from(row.token.split('.')[1], 'base64url'));
const options = { currentDate: exp - 10, algorithms: ['RS256'] };
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const ta = [], tb = [];
for (let r = 0; r < 30; r++) {
  for (const [m, t] of r % 2 ? [[A, ta], [B, tb]] : [[B, tb], [A, ta]]) {
    const start = performance.now();
    for (let i = 0; i < 20; i++) m.verify(row.token, jwks, options);
    t.push(((performance.now() - start) * 1000) / 20);
  }
}
console.log(`one-shot, ${row.jwks.keys.length}-key JWKS: A ${median(ta).toFixed(1)} µs, B ${median(tb).toFixed(1)} µs, B/A ${(median(tb) / median(ta)).toFixed(2)}`);
