// A login body whose Content-Length is within the cap is read whole (worker/src/index.mjs
// readBody, request.arrayBuffer()), trusting the HTTP framing to end it at that length. The
// attack: declare a short body and send far more than the 64 KiB cap after it, byte for byte on
// one connection. The gate must answer from the declared bytes alone: the rest is never body.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { Issuer } from '../dev/issuer.mjs';
import { roles, startGate } from './helpers.mjs';

let issuer;
let gate;
before(async () => {
  issuer = await new Issuer().start();
  gate = await startGate({ OIDC_DISCOVERY_URL: issuer.url, ROLES: roles({ shop: { user_claim: 'sub', bound_audiences: ['vault'] } }) });
});
after(async () => {
  await gate?.dispose();
  await issuer?.stop();
});

/** Writes `head` (with the Content-Length given) and `bytes`; the first answer's status and body. */
function send(declared, bytes) {
  const { hostname, port } = new URL(gate.url);
  const head = `POST /v1/auth/jwt/login HTTP/1.1\r\nHost: gate.test\r\nContent-Type: application/json\r\nContent-Length: ${declared}\r\n\r\n`;
  return new Promise((resolve, reject) => {
    let got = Buffer.alloc(0);
    const socket = connect(Number(port), hostname, () => socket.end(Buffer.concat([Buffer.from(head), bytes])));
    socket.setTimeout(30_000, () => socket.destroy(new Error('no answer within 30 s')));
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      got = Buffer.concat([got, chunk]);
      const end = got.indexOf('\r\n\r\n');
      const length = /content-length: *(\d+)/i.exec(got.subarray(0, end).toString('latin1'))?.[1];
      if (end < 0 || length == null || got.length < end + 4 + Number(length)) return;
      socket.destroy();
      resolve({ status: Number(got.toString('latin1').split(' ')[1]), body: JSON.parse(got.subarray(end + 4, end + 4 + Number(length)).toString()) });
    });
  });
}

// [what is sent, the declared length, the bytes, the status, the answer's check]
const rows = () => {
  const login = Buffer.from(JSON.stringify({ role: 'shop', jwt: issuer.mint({ audience: 'vault' }) }));
  const flood = Buffer.alloc(70_000, 'x');
  return [
    ['20 bytes declared, 70,020 sent: the 20 are the body', 20, Buffer.concat([login.subarray(0, 20), flood]), 400, (b) => /^failed to parse JSON input: /.test(b.errors[0])],
    ['a whole login declared, 70,000 bytes after it: the login stands alone', login.length, Buffer.concat([login, flood]), 200, (b) => b.auth.metadata.role === 'shop'],
  ];
};

test('a declared length shorter than what follows: only the declared bytes are read', { timeout: 60_000 }, async () => {
  for (const [what, declared, bytes, status, check] of rows()) {
    const r = await send(declared, bytes);
    assert.equal(r.status, status, `${what}: ${JSON.stringify(r.body)}`);
    assert.ok(check(r.body), `${what}: ${JSON.stringify(r.body)}`);
  }
});
