// In the bench page: every case of /fixtures.json verified by jwksgate's Verifier (the package's
// web build, which picks the SIMD128 wasm where the browser validates it), by jose's jwtVerify on
// createLocalJWKSet (its browser build) and by crypto.subtle.verify on a key imported once (the
// floor: no JWT parsing, no claims). Rounds interleave every (case, contestant) pair in an order
// rotating each round; each batch is calibrated to about BATCH_MS. window.bench() returns the
// per-batch µs per verify, which the driver reduces to medians.
import init, { Verifier, decodeUnverified, wasmSimd } from '/pkg/jwksgate.js';
import * as jose from '/jose/index.js';

const fixtures = await (await fetch('/fixtures.json')).json();
await init();

const b64 = (s) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
const SUBTLE = {
  RS256: [{ name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, { name: 'RSASSA-PKCS1-v1_5' }],
  RS384: [{ name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-384' }, { name: 'RSASSA-PKCS1-v1_5' }],
  RS512: [{ name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-512' }, { name: 'RSASSA-PKCS1-v1_5' }],
  PS256: [{ name: 'RSA-PSS', hash: 'SHA-256' }, { name: 'RSA-PSS', saltLength: 32 }],
  PS384: [{ name: 'RSA-PSS', hash: 'SHA-384' }, { name: 'RSA-PSS', saltLength: 48 }],
  PS512: [{ name: 'RSA-PSS', hash: 'SHA-512' }, { name: 'RSA-PSS', saltLength: 64 }],
  ES256: [{ name: 'ECDSA', namedCurve: 'P-256' }, { name: 'ECDSA', hash: 'SHA-256' }],
  ES384: [{ name: 'ECDSA', namedCurve: 'P-384' }, { name: 'ECDSA', hash: 'SHA-384' }],
  ES512: [{ name: 'ECDSA', namedCurve: 'P-521' }, { name: 'ECDSA', hash: 'SHA-512' }],
  EdDSA: [{ name: 'Ed25519' }, { name: 'Ed25519' }],
};

async function contestants(c) {
  const options = { algorithms: [c.alg], issuer: fixtures.issuer, audience: fixtures.audience, currentDate: fixtures.now };
  const joseOptions = { ...options, currentDate: new Date(fixtures.now * 1000) };
  const verifier = new Verifier(c.jwks, options);
  const set = jose.createLocalJWKSet(c.jwks);
  const [importParams, verifyParams] = SUBTLE[c.alg];
  const key = await crypto.subtle.importKey('jwk', c.jwks.keys[0], importParams, false, ['verify']);
  const raw = new Map(c.tokens.map(({ token }) => {
    const [h, p, s] = token.split('.');
    return [token, { data: new TextEncoder().encode(`${h}.${p}`), sig: b64(s) }];
  }));
  return [
    { name: 'jwksgate Verifier.verify', sync: true, run: (t) => verifier.verify(t).payload },
    { name: 'jose jwtVerify createLocalJWKSet', run: async (t) => (await jose.jwtVerify(t, set, joseOptions)).payload },
    {
      name: 'crypto.subtle.verify, awaited',
      run: async (t) => {
        const { data, sig } = raw.get(t);
        if (!(await crypto.subtle.verify(verifyParams, key, sig, data))) throw new Error('subtle refused');
        return null;
      },
    },
  ];
}

async function batch(x, tokens, n) {
  const start = performance.now();
  if (x.sync) for (let i = 0; i < n; i++) x.run(tokens[i % tokens.length].token);
  else for (let i = 0; i < n; i++) await x.run(tokens[i % tokens.length].token);
  return ((performance.now() - start) * 1000) / n;
}

window.bench = async ({ rounds, warmup, batchMs }) => {
  const slots = [];
  for (const c of fixtures.cases) {
    const xs = await contestants(c);
    for (const x of xs) {
      for (const { token, payload } of c.tokens) {
        const got = await x.run(token);
        if (got !== null && JSON.stringify(got) !== JSON.stringify(payload)) throw new Error(`${c.name}: ${x.name} returned other claims`);
      }
      const tampered = c.tokens[0].token.slice(0, -4) + (c.tokens[0].token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
      if (x.name !== 'crypto.subtle.verify, awaited') {
        let refused = false;
        try { await x.run(tampered); } catch { refused = true; }
        if (!refused) throw new Error(`${c.name}: ${x.name} accepted a tampered signature`);
      }
      slots.push({ c, x, n: 4, times: [] });
    }
  }
  for (let round = 0; round < warmup + rounds; round++) {
    for (let j = 0; j < slots.length; j++) {
      const s = slots[(j + round * 5) % slots.length];
      const us = await batch(s.x, s.c.tokens, s.n);
      if (round < warmup) s.n = Math.max(4, Math.min(2000, Math.round((batchMs * 1000) / us)));
      else s.times.push(us);
    }
  }
  return {
    userAgent: navigator.userAgent,
    simd: wasmSimd(),
    crossOriginIsolated,
    results: slots.map((s) => ({ case: s.c.name, contestant: s.x.name, batch: s.n, times: s.times })),
  };
};
// For the driver's CPU mode: one batch of n verifies by contestant i of a case (contestants made
// once per case), µs per verify by the wall clock; the driver reads the renderer's CPU time around it.
const made = new Map();
window.batchRun = async (name, i, n) => {
  const c = fixtures.cases.find((x) => x.name === name);
  if (!made.has(name)) made.set(name, await contestants(c));
  return batch(made.get(name)[i], c.tokens, n);
};
// For the driver's PROFILE mode: n calls of jwksgate's Verifier.verify on one case, nothing else.
window.profileRun = (name, n) => {
  const c = fixtures.cases.find((x) => x.name === name);
  const verifier = new Verifier(c.jwks, { algorithms: [c.alg], issuer: fixtures.issuer, audience: fixtures.audience, currentDate: fixtures.now });
  const start = performance.now();
  for (let i = 0; i < n; i++) verifier.verify(c.tokens[i % c.tokens.length].token);
  return ((performance.now() - start) * 1000) / n;
};
// For the driver's BREAKDOWN mode: µs per call of n calls of one step, on one case's tokens:
// 'empty' a crossing with nothing in or out (wasmSimd()), 'decode' decodeUnverified (the token in,
// base64url, JSON, the result out as in a verify) and 'verify' Verifier.verify.
window.stepRun = (name, step, n) => {
  const c = fixtures.cases.find((x) => x.name === name);
  const verifier = new Verifier(c.jwks, { algorithms: [c.alg], issuer: fixtures.issuer, audience: fixtures.audience, currentDate: fixtures.now });
  verifier.verify(c.tokens[0].token);
  const run = { empty: () => wasmSimd(), decode: (t) => decodeUnverified(t), verify: (t) => verifier.verify(t) }[step];
  const start = performance.now();
  for (let i = 0; i < n; i++) run(c.tokens[i % c.tokens.length].token);
  return ((performance.now() - start) * 1000) / n;
};
window.benchReady = true;
