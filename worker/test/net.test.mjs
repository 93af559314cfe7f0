// httpsFetch (worker/src/net.mjs) under workerd: connect() to a loopback TLS server whose
// certificate a private CA made by openssl signs, and the gate's TLS and HTTP/1.1 in Rust. The
// shape another caller (Vault's Kubernetes method, TokenReview) relies on: POST with a JSON body
// and an Authorization header, { status, headers, body: Uint8Array }.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttps } from 'node:https';
import { createServer as createTls } from 'node:tls';
import { Miniflare } from 'miniflare';
import { makePki } from './tls-issuer.mjs';
import { fromSource } from './helpers.mjs';

let mf;
let rsa;
let ec;
const servers = [];

async function listen(server) {
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  servers.push(server);
  return `https://127.0.0.1:${server.address().port}`;
}

/** An HTTPS server answering every request with what it received (method, headers, body). */
async function echo(pki, options = {}) {
  const server = createHttps({ key: pki.key, cert: pki.cert, ...options }, (req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(201, { 'content-type': 'application/json', 'x-two': ['a', 'b'] }).end(body);
    });
  });
  return listen(server);
}

/** A TLS server that writes `bytes` (a raw HTTP response) and then does `then` ('end' | 'destroy' | 'hang'). */
async function raw(pki, bytes, then = 'end') {
  const server = createTls({ key: pki.key, cert: pki.cert }, (socket) => {
    socket.on('error', () => {});
    socket.once('data', () => {
      socket.write(bytes);
      if (then === 'end') socket.end();
      if (then === 'destroy') setTimeout(() => socket.destroy(), 20);
    });
  });
  return listen(server);
}

const call = async (options) => (await mf.dispatchFetch('http://net.test/', { method: 'POST', body: JSON.stringify(options) })).json();

before(async () => {
  rsa = makePki({ kind: 'rsa' });
  ec = makePki({ kind: 'ec' });
  mf = new Miniflare({ ...fromSource('worker/dev/https-fetch-worker.mjs'), cf: false });
  await mf.ready;
});
after(async () => {
  await mf?.dispose();
  for (const s of servers) {
    s.closeAllConnections?.();
    s.close();
  }
});

describe('httpsFetch', () => {
  test('POST with a JSON body and a Bearer token, as a TokenReview is sent (RSA chain)', async () => {
    const url = await echo(rsa);
    const review = JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: 'x' } });
    const r = await call({ url: `${url}/apis/authentication.k8s.io/v1/tokenreviews`, caPem: rsa.caPem, method: 'POST', headers: { authorization: 'Bearer reviewer', 'content-type': 'application/json' }, body: review });
    assert.equal(r.status, 201, JSON.stringify(r));
    assert.equal(r.bodyIsBytes, true);
    const seen = JSON.parse(r.body);
    assert.deepEqual([seen.method, seen.url, seen.body], ['POST', '/apis/authentication.k8s.io/v1/tokenreviews', review]);
    assert.deepEqual([seen.headers.authorization, seen.headers['content-type'], seen.headers['content-length'], seen.headers.host, seen.headers.connection, seen.headers['accept-encoding']],
      ['Bearer reviewer', 'application/json', String(review.length), url.slice('https://'.length), 'close', 'identity']);
    assert.ok(r.headers.some(([k, v]) => k === 'x-two' && v === 'a, b'), JSON.stringify(r.headers));
  });

  test('GET over a P-256 chain (as k3s makes), headers as [name, value] pairs', async () => {
    const url = await echo(ec);
    const r = await call({ url: `${url}/openid/v1/jwks?x=1`, caPem: ec.caPem, headers: [['accept', 'application/json']] });
    assert.equal(r.status, 201, JSON.stringify(r));
    assert.deepEqual([JSON.parse(r.body).method, JSON.parse(r.body).url], ['GET', '/openid/v1/jwks?x=1']);
  });

  // [case, server, options, code, message part]
  const refusals = [
    ['another CA (rustls UnknownIssuer)', () => echo(rsa), { caPem: () => makePki({ caName: 'other-ca' }).caPem }, 'ERR_TLS_CERTIFICATE', 'UnknownIssuer'],
    ['another CA of the same name (its signature does not verify)', () => echo(rsa), { caPem: () => makePki().caPem }, 'ERR_TLS_CERTIFICATE', 'BadSignature'],
    ['another CA of the same name and another key type', () => echo(rsa), { caPem: () => ec.caPem }, 'ERR_TLS_CERTIFICATE', 'invalid peer certificate'],
    ['a TLS 1.2-only server (TLS 1.3 only: rustls ProtocolVersion)', () => echo(rsa, { maxVersion: 'TLSv1.2' }), {}, 'ERR_TLS', 'ProtocolVersion'],
    ['a redirect (never followed)', () => raw(rsa, 'HTTP/1.1 302 Found\r\nLocation: https://elsewhere.example/\r\nContent-Length: 0\r\n\r\n'), {}, 'ERR_HTTP_REDIRECT', '302'],
    ['a truncated body (Content-Length)', () => raw(rsa, 'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"keys":[', 'destroy'), {}, 'ERR_HTTP_TRUNCATED', '91 bytes before the end'],
    ['a truncated chunked body', () => raw(rsa, 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n', 'end'), {}, 'ERR_HTTP_TRUNCATED', 'last chunk'],
    ['a body over maxBytes', () => raw(rsa, `HTTP/1.1 200 OK\r\nContent-Length: 2000\r\n\r\n${'x'.repeat(2000)}`), { maxBytes: 1000 }, 'ERR_HTTP_TOO_LARGE', 'over 1000 bytes'],
    ['a chunked body over maxBytes', () => raw(rsa, `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${'400\r\n' + 'x'.repeat(1024) + '\r\n'}0\r\n\r\n`), { maxBytes: 1000 }, 'ERR_HTTP_TOO_LARGE', 'over 1000 bytes'],
    ['a hung server (the deadline)', () => raw(rsa, '', 'hang'), { timeoutMs: 300 }, 'ERR_NET_TIMEOUT', 'within 300 ms'],
    ['hostile bytes (not HTTP)', () => raw(rsa, 'SSH-2.0-OpenSSH_9.2\r\n\r\n'), {}, 'ERR_HTTP_INVALID', 'not valid HTTP/1.1'],
    ['an http URL', null, { url: 'http://127.0.0.1:1/' }, 'ERR_INVALID_ARGUMENT', 'https://'],
    ['a header injection', () => echo(rsa), { headers: { 'x-a': 'b\r\nx-evil: 1' } }, 'ERR_INVALID_ARGUMENT', 'control character'],
    ['a Host of its own', () => echo(rsa), { headers: { host: 'elsewhere' } }, 'ERR_INVALID_ARGUMENT', 'set by the client itself'],
    ['a bundle without a certificate (cap createCAContext)', () => echo(rsa), { caPem: () => '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n' }, 'ERR_INVALID_ARGUMENT', 'could not parse CA PEM value successfully'],
  ];
  for (const [name, server, options, code, part] of refusals) {
    test(`refused: ${name}`, async () => {
      const url = server ? await server() : undefined;
      const o = { url, caPem: rsa.caPem, ...options };
      if (typeof o.caPem === 'function') o.caPem = o.caPem();
      const r = await call(o);
      assert.equal(r.error?.code, code, JSON.stringify(r));
      assert.ok(r.error.message.includes(part), r.error.message);
    });
  }

  test('refused: a certificate for another name (rustls NotValidForName)', async () => {
    const other = makePki({ kind: 'rsa', san: 'DNS:kubernetes.default.svc' });
    const url = await echo(other);
    const r = await call({ url, caPem: other.caPem });
    assert.equal(r.error?.code, 'ERR_TLS_CERTIFICATE', JSON.stringify(r));
    assert.match(r.error.message, /NotValidForName/);
  });

  test('refused: an expired certificate (rustls Expired, at the caller\'s time)', async () => {
    const old = makePki({ kind: 'ec', expired: true });
    const url = await echo(old);
    const r = await call({ url, caPem: old.caPem });
    assert.equal(r.error?.code, 'ERR_TLS_CERTIFICATE', JSON.stringify(r));
    assert.match(r.error.message, /expired/i);
  });
});
