// Issue 17 item 9, reproducible: under `wrangler dev`, a login body over 64 KiB (answered 413),
// then a login from another connection, N times; prints how each was answered. Not part of
// `make test` (it needs wrangler dev, and the failure it looks for came 8 times in 10, not always).
// node worker/dev/wrangler-413.mjs [N]   (DECLARE=0: the big body streamed without a length)
// Free loopback ports for wrangler and its inspector; the stand-in issuer on port 0.
import { spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { Issuer } from './issuer.mjs';
import { wranglerBin, wranglerEnv, workerDir } from './wrangler-env.mjs';

const free = () => new Promise((resolve) => {
  const s = createServer();
  s.listen(0, '127.0.0.1', () => {
    const { port } = s.address();
    s.close(() => resolve(port));
  });
});
const issuer = await new Issuer().start();
const [port, inspector] = [await free(), await free()];
const roles = JSON.stringify({ demo: { user_claim: 'sub', bound_audiences: ['a'] } });
const args = ['dev', '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(inspector), '--show-interactive-dev-session=false', '--log-level', 'warn',
  '--var', `OIDC_DISCOVERY_URL:${issuer.url}`, '--var', `ROLES:${roles}`, '--var', 'SESSION_SECRET:wrangler-413-probe-not-a-secret-0123456789'];
const wrangler = spawn(wranglerBin, args, { cwd: workerDir, env: wranglerEnv(), stdio: ['ignore', 'ignore', 'inherit'] });
const base = `http://127.0.0.1:${port}`;
for (let i = 0; i < 240; i++) {
  try {
    await fetch(`${base}/v1/auth/token/lookup-self`);
    break;
  } catch {
    await new Promise((r) => setTimeout(r, 500));
  }
}
// One connection per request, as two curl invocations make.
const post = (body, declare = true) => new Promise((resolve) => {
  const headers = { 'content-type': 'application/json', connection: 'close', ...(declare ? { 'content-length': Buffer.byteLength(body) } : {}) };
  const req = httpRequest(`${base}/v1/auth/jwt/login`, { method: 'POST', headers, agent: false }, (res) => {
    let text = '';
    res.on('data', (c) => (text += c));
    res.on('end', () => resolve(res.statusCode === 200 ? '200 logged in' : `${res.statusCode} ${text.trim().slice(0, 60)}`));
  });
  req.on('error', (e) => resolve(`error ${e.code || e.message}`));
  req.end(body);
});
const tally = { big: {}, next: {} };
const add = (t, k) => (t[k] = (t[k] || 0) + 1);
const big = JSON.stringify({ role: 'demo', jwt: 'x', pad: 'x'.repeat(66 * 1024) });
for (let i = 0; i < Number(process.argv[2] || 10); i++) {
  add(tally.big, await post(big, process.env.DECLARE !== '0'));
  add(tally.next, await post(JSON.stringify({ role: 'demo', jwt: issuer.mint({ audience: 'a' }) })));
}
console.log(JSON.stringify(tally, null, 1));
wrangler.kill('SIGTERM');
await new Promise((r) => wrangler.once('exit', r));
await issuer.stop();
