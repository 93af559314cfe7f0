// What a pinned-CA fetch costs (worker/README.md, "Pointing the gate at a real cluster"):
// `node worker/dev/tls-cost.mjs [rounds]` (after `make gate-pkg`; worker/node_modules installed).
// 1. Under workerd (Miniflare, worker/dev/https-fetch-worker.mjs): the wall time of one
//    httpsFetch (connect, TLS 1.3 handshake, GET, chunked answer) to a loopback issuer, the first
//    after the isolate has answered one request without TLS (cold: the TLS code's first run) and
//    the median of the next ones (warm), beside the same round trip without TLS. workerd's clock only
//    moves across I/O, so this is timed from outside; on loopback the I/O is short, and the
//    issuer's own handshake work is in it too.
// 2. The wasm's own CPU per exchange, in Node (V8, as workerd): process.cpuUsage() around each
//    synchronous call into the gate's HttpsExchange, the socket's waiting left out.
// Both for an RSA-2048 chain and a P-256 chain made by openssl. Timings only: nothing is asserted.
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Miniflare } from 'miniflare';
import { HttpsIssuer, makePki } from '../test/tls-issuer.mjs';
import { fromSource, root } from '../test/helpers.mjs';

const rounds = Number(process.argv[2] || 20);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x) => x.toFixed(2);

async function underWorkerd(pki, issuer) {
  const mf = new Miniflare({ ...fromSource('worker/dev/https-fetch-worker.mjs'), cf: false });
  await mf.ready;
  const times = [];
  const idle = [];
  try {
    // The same round trip with no TLS (an http URL, refused in Rust at once): Miniflare's share.
    for (let i = 0; i <= rounds; i++) {
      const t = performance.now();
      await (await mf.dispatchFetch('http://x/', { method: 'POST', body: JSON.stringify({ url: 'http://127.0.0.1:1/', caPem: pki.caPem }) })).json();
      idle.push(performance.now() - t);
    }
    for (let i = 0; i <= rounds; i++) {
      const t = performance.now();
      const r = await (await mf.dispatchFetch('http://x/', { method: 'POST', body: JSON.stringify({ url: `${issuer.url}/openid/v1/jwks`, caPem: pki.caPem }) })).json();
      times.push(performance.now() - t);
      if (r.status !== 200) throw new Error(JSON.stringify(r));
    }
  } finally {
    await mf.dispose();
  }
  return { cold: times[0], warm: median(times.slice(1)), idle: median(idle.slice(1)) };
}

async function inNode(pki, issuer) {
  const gate = await import(join(root, 'worker', 'pkg', 'jwksgate.js'));
  gate.initSync({ module: readFileSync(join(root, 'worker', 'pkg', 'jwksgate_bg.wasm')) });
  const cpu = [];
  for (let i = 0; i <= rounds; i++) {
    let used = 0;
    const timed = (f) => {
      const t = process.cpuUsage();
      const r = f();
      const d = process.cpuUsage(t);
      used += (d.user + d.system) / 1000;
      return r;
    };
    const x = timed(() => new gate.HttpsExchange(`${issuer.url}/openid/v1/jwks`, pki.caPem, 'GET', [], null, 65536, Date.now()));
    await new Promise((resolve, reject) => {
      const socket = connect(x.port, x.hostname, () => socket.write(timed(() => x.takeOutgoing())));
      socket.on('data', (d) => {
        try {
          if (timed(() => x.receive(new Uint8Array(d)))) {
            timed(() => x.response());
            socket.destroy();
            resolve();
          } else {
            const out = timed(() => x.takeOutgoing());
            if (out.length) socket.write(out);
          }
        } catch (e) {
          reject(e);
        }
      });
      socket.on('error', reject);
    });
    x.free();
    cpu.push(used);
  }
  return { cold: cpu[0], warm: median(cpu.slice(1)) };
}

for (const [name, kind] of [['RSA-2048', 'rsa'], ['P-256', 'ec']]) {
  const pki = makePki({ kind });
  const issuer = await new HttpsIssuer(pki).start();
  try {
    const w = await underWorkerd(pki, issuer);
    const n = await inNode(pki, issuer);
    console.log(`${name}: workerd wall per httpsFetch cold ${ms(w.cold)} ms, warm median ${ms(w.warm)} ms (a round trip without TLS: ${ms(w.idle)} ms); wasm CPU per exchange in Node cold ${ms(n.cold)} ms, warm median ${ms(n.warm)} ms (${rounds} rounds)`);
  } finally {
    await issuer.stop();
  }
}
