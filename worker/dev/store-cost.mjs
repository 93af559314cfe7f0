// What the session store (the SessionStore Durable Object) costs a request, measured side by
// side in one run under workerd (Miniflare, local storage): lookup-self with a session whose
// uses are unlimited (MAC, one object call, one read), with a use-limited session (a read and a
// write), and with a forged session (refused by its MAC, no object call). Prints mean
// milliseconds per request and the ratios; nothing is asserted (timings are not tests).
// Run: make gate-pkg && node worker/dev/store-cost.mjs [requests]
import { Issuer } from './issuer.mjs';
import { startGate } from '../test/helpers.mjs';

const N = Number(process.argv[2] || 300);
const issuer = await new Issuer().start();
const ROLES = JSON.stringify({
  free: { user_claim: 'sub', bound_audiences: ['vault'] },
  counted: { user_claim: 'sub', bound_audiences: ['vault'], token_num_uses: 1_000_000 },
});
const gate = await startGate({ OIDC_DISCOVERY_URL: issuer.url, ROLES }, { handleRuntimeStdio: () => {} });
try {
  const token = async (role) => (await gate.login(role, issuer.mint({ audience: 'vault' }))).body.auth.client_token;
  const free = await token('free');
  const counted = await token('counted');
  const forged = `${free.slice(0, -3)}AAA`;
  const time = async (t, want) => {
    for (let i = 0; i < 20; i++) await gate.call('/v1/auth/token/lookup-self', { headers: { 'x-vault-token': t } });
    const start = process.hrtime.bigint();
    for (let i = 0; i < N; i++) {
      const r = await gate.call('/v1/auth/token/lookup-self', { headers: { 'x-vault-token': t } });
      if (r.status !== want) throw new Error(`status ${r.status}`);
    }
    return Number(process.hrtime.bigint() - start) / 1e6 / N;
  };
  // Interleaved rounds, so drift on a shared machine falls on every column alike.
  const sums = { forged: 0, free: 0, counted: 0 };
  for (let round = 0; round < 3; round++) {
    sums.forged += await time(forged, 403);
    sums.free += await time(free, 200);
    sums.counted += await time(counted, 200);
  }
  const ms = Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / 3]));
  console.log(`lookup-self, ${N} requests x 3 rounds, mean ms per request (workerd via Miniflare, loopback):`);
  console.log(`  forged session (MAC only, no object call): ${ms.forged.toFixed(3)}`);
  console.log(`  unlimited session (MAC + object call + read): ${ms.free.toFixed(3)}  (${(ms.free / ms.forged).toFixed(2)}x forged, +${(ms.free - ms.forged).toFixed(3)} ms)`);
  console.log(`  use-limited session (+ a write): ${ms.counted.toFixed(3)}  (${(ms.counted / ms.forged).toFixed(2)}x forged, +${(ms.counted - ms.forged).toFixed(3)} ms)`);
} finally {
  await gate.dispose();
  await issuer.stop();
}
