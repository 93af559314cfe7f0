// A/B of builds of the package by process CPU time rather than wall time (for a loaded machine:
// time spent waiting for a core is not counted): Verifier.verify and the one-shot verify of
// ES256/ES384/ES512 and RS*/PS* at any key size (RS256-2048, PS256-4096, ...), builds alternated
// each round; each build after the first also gets the median of its per-round ratio to the
// first (paired, which holds better than either median under load); usage: node bench/ab-cpu.mjs
// <pkg dir> [<pkg dir>...] (AB_CASES=ES384,RS256-4096 picks cases, ROUNDS=15, AB_N=10 verifies a
// batch). No verdict; no test depends on a timing.
import { readFileSync } from 'node:fs';
import crypto from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
const dirs = process.argv.slice(2);
const load = async (d) => { const m = await import(`${pathToFileURL(resolve(d, 'jwksgate.js')).href}?${encodeURIComponent(d)}`); m.initSync({ module: new WebAssembly.Module(readFileSync(d + '/jwksgate_bg.wasm')) }); return m; };
const mods = [];
for (const d of dirs) mods.push(await load(d));
const b64 = (b) => Buffer.from(b).toString('base64url');
const CURVES = { ES256: ['prime256v1', 'sha256'], ES384: ['secp384r1', 'sha384'], ES512: ['secp521r1', 'sha512'] };
const pick = (process.env.AB_CASES ?? 'ES384,ES512').split(',');
const ROUNDS = Number(process.env.ROUNDS ?? 15);
// A key and a signed token for ES256..ES512, or RS*/PS* with the key size after a dash.
function keyAndToken(name) {
  const [alg, bits] = name.split('-');
  const hash = `sha${alg.slice(2)}`;
  const { publicKey, privateKey } = CURVES[alg]
    ? crypto.generateKeyPairSync('ec', { namedCurve: CURVES[alg][0] })
    : crypto.generateKeyPairSync('rsa', { modulusLength: Number(bits) });
  const jwks = { keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'k', alg }] };
  const input = `${b64(JSON.stringify({ alg, kid: 'k' }))}.${b64(JSON.stringify({ exp: 2e9, sub: 'x' }))}`;
  const key = CURVES[alg] ? { key: privateKey, dsaEncoding: 'ieee-p1363' }
    : alg.startsWith('PS') ? { key: privateKey, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(alg.slice(2)) / 8 } : privateKey;
  return { alg, jwks, tok: `${input}.${b64(crypto.sign(hash, Buffer.from(input), key))}` };
}
for (const name of pick) {
  const { alg, jwks, tok } = keyAndToken(name);
  const vs = mods.map((m) => new m.Verifier(jwks, { algorithms: [alg] }));
  const jwksText = JSON.stringify(jwks);
  vs.forEach((v) => v.verify(tok));
  const times = vs.map(() => []), one = vs.map(() => []), paired = vs.map(() => []);
  const n = Number(process.env.AB_N ?? 10);
  for (let r = 0; r < ROUNDS; r++) {
    const order = [...vs.keys()]; if (r % 2) order.reverse();
    for (const i of order) {
      let c = process.cpuUsage(); for (let k = 0; k < n; k++) vs[i].verify(tok); c = process.cpuUsage(c); times[i].push((c.user + c.system) / n);
      c = process.cpuUsage(); for (let k = 0; k < 3; k++) mods[i].verify(tok, jwksText, { algorithms: [alg] }); c = process.cpuUsage(c); one[i].push((c.user + c.system) / 3);
    }
    vs.forEach((_, i) => paired[i].push(times[i][r] / times[0][r]));
  }
  const med = (x) => [...x].sort((a, b) => a - b)[x.length >> 1];
  console.log(name, dirs.map((d, i) => `${d.split('/').pop()} ${med(times[i]).toFixed(0)} (one-shot ${med(one[i]).toFixed(0)})` + (i ? ` paired ${med(paired[i]).toFixed(3)}` : '')).join('  '));
}
