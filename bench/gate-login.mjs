// The gate's whole login in its wasm, without workerd: `Gate.loginBody` (the body parsed, the
// token verified against a static JWKS, the role's checks, the session minted and Vault's answer
// written) in a loop in Node, CPU µs per login by algorithm, round after round so the tier-up
// shows. What bench/workerd.mjs measures around it is HTTP and workerd; this is the part a
// change to the verification or the checks moves. Needs `make gate-pkg`. No verdict.
//   GATE_CASES=RS256-2048,ES256,EdDSA GATE_ROUNDS=30 GATE_N=400 node bench/gate-login.mjs
import { cpus } from 'node:os';
import { Gate } from '../worker/pkg/node.mjs';
import { makeCase, median } from './fixtures.mjs';

const ISSUER = 'https://bench.issuer.test';
const AUDIENCE = 'https://gate.example';
const NAMES = (process.env.GATE_CASES ?? 'RS256-2048,PS256-2048,ES256,ES384,ES512,EdDSA').split(',');
const ROUNDS = Number(process.env.GATE_ROUNDS ?? 30);
const N = Number(process.env.GATE_N ?? 400);

const now = Math.floor(Date.now() / 1000);
const cases = NAMES.map((name) => makeCase(name, { now, issuer: ISSUER, audience: AUDIENCE }));
const jwks = JSON.stringify({ keys: cases.flatMap((c) => c.jwks.keys) });
const roles = JSON.stringify({ bench: { role_type: 'jwt', user_claim: 'sub', bound_audiences: [AUDIENCE], token_policies: ['read'] } });
const gate = new Gate({ jwt_supported_algs: [...new Set(cases.map((c) => c.alg))], bound_issuer: ISSUER }, roles, 'x'.repeat(32), 'jwt', { kind: 'jwks', jwks });
gate.setKeys(jwks);
const enc = new TextEncoder();
const bodies = cases.map((c) => c.tokens.map((t) => enc.encode(JSON.stringify({ role: 'bench', jwt: t.token }))));
const cpu = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

console.log(`${cpus()[0]?.model ?? 'unknown CPU'}, node ${process.version}; ${ROUNDS} rounds of ${N} logins per case; CPU µs per login`);
const times = cases.map(() => []);
for (let round = 0; round < ROUNDS; round++) {
  const line = [];
  cases.forEach((c, ci) => {
    const t0 = cpu();
    for (let i = 0; i < N; i++) {
      const answer = gate.loginBody(bodies[ci][i % 8], '127.0.0.1', Date.now() / 1000, `session-${round}-${i}-padding`, `request-${i}`);
      if (typeof answer !== 'string' || !answer.includes('client_token')) throw new Error(`${c.name}: no session in ${answer}`);
    }
    const us = (cpu() - t0) / N;
    times[ci].push(us);
    line.push(`${c.name} ${us.toFixed(1)}`);
  });
  console.log(`round ${round}: ${line.join('  ')}`);
}
// The second half: past the tier-up.
const steady = (xs) => median(xs.slice(Math.floor(xs.length / 2)));
console.log(`median of the last ${ROUNDS - Math.floor(ROUNDS / 2)} rounds: ${cases.map((c, i) => `${c.name} ${steady(times[i]).toFixed(1)}`).join(', ')}`);
