// HTTPS to a server whose certificate only a pinned CA vouches for (a cluster's API server),
// from a Worker: a raw TCP socket from `connect()` (cloudflare:sockets, secureTransport "off")
// and the gate's own TLS 1.3 client and HTTP/1.1 reader in Rust (src/net/, as `HttpsExchange`).
// This file only moves bytes: the URL, the roots, the server's name, the framing, the caps and
// every refusal are decided in Rust. A Worker's fetch() cannot do this: it trusts public roots
// only and takes no CA (nor does startTls()).
//
//   httpsFetch(gate, { url, caPem, method, headers, body, maxBytes, timeoutMs, signal })
//     gate      the gate's wasm bindings: the module `../pkg/workerd.mjs` (anything with its
//               `HttpsExchange` class)
//     url       an https:// URL (no credentials, no fragment; an IDN as punycode)
//     caPem     PEM bundle: its certificates are the only roots (Vault's createCAContext)
//     method    'GET' (default), 'POST', ...
//     headers   [[name, value], ...], a plain object or a Headers; Host, Content-Length,
//               Connection, Transfer-Encoding, Accept-Encoding and the like are the client's own
//     body      a Uint8Array or a string (UTF-8), or null
//     maxBytes  the largest response body accepted (default 256 KiB)
//     timeoutMs one deadline for connecting, the handshake and the whole response (default 5000)
//     signal    an AbortSignal that ends the exchange early (optional)
//   resolves to { status, headers, body }:
//     status    200-599 (a 3xx is an error: redirects are never followed)
//     headers   a Headers object of the response's fields
//     body      a Uint8Array: the body's bytes (de-chunked); decode it yourself
//               (new TextDecoder().decode(body), then JSON.parse)
//   rejects with an Error whose `code` says why: ERR_TLS_CERTIFICATE (unknown CA, wrong name,
//   expired), ERR_TLS, ERR_HTTP_INVALID, ERR_HTTP_TRUNCATED, ERR_HTTP_TOO_LARGE,
//   ERR_HTTP_REDIRECT, ERR_INVALID_ARGUMENT, ERR_NET_TIMEOUT, ERR_NET_ABORTED, ERR_NET_CONNECT.
//   Messages never carry header values or bodies.
import { connect } from 'cloudflare:sockets';

const READ_SLICE = 64 * 1024;

function netError(code, message, cause) {
  const e = new Error(message, cause ? { cause } : undefined);
  e.code = code;
  return e;
}

function headerPairs(headers) {
  if (!headers) return [];
  const entries = headers instanceof Headers || Array.isArray(headers) ? [...headers] : Object.entries(headers);
  return entries.map(([k, v]) => [String(k), String(v)]);
}

/** Runs the exchange over the socket: every byte read goes to Rust, every byte Rust has goes out. */
async function run(exchange, socket) {
  const writer = socket.writable.getWriter();
  const reader = socket.readable.getReader();
  const flush = async () => {
    const out = exchange.takeOutgoing();
    if (out.length) await writer.write(out);
  };
  try {
    await socket.opened;
  } catch (e) {
    throw netError('ERR_NET_CONNECT', `cannot connect to ${exchange.hostname}:${exchange.port}: ${e?.message ?? e}`, e);
  }
  await flush(); // the ClientHello
  for (;;) {
    let chunk;
    try {
      chunk = await reader.read();
    } catch (e) {
      throw netError('ERR_NET_CONNECT', `the connection to ${exchange.hostname}:${exchange.port} failed: ${e?.message ?? e}`, e);
    }
    if (chunk.done) {
      exchange.end(); // throws unless the response is complete
      break;
    }
    let complete = false;
    for (let at = 0; at < chunk.value.length && !complete; at += READ_SLICE) {
      complete = exchange.receive(chunk.value.subarray(at, at + READ_SLICE));
    }
    if (complete) break;
    await flush(); // the client's Finished and the request, or nothing
  }
  return exchange.response();
}

export async function httpsFetch(gate, { url, caPem, method = 'GET', headers, body = null, maxBytes = 256 * 1024, timeoutMs = 5000, signal } = {}) {
  if (!gate || typeof gate.HttpsExchange !== 'function') throw new TypeError('httpsFetch: the first argument must be the gate module (its HttpsExchange)');
  signal?.throwIfAborted?.();
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  // Checks the URL, the bundle and the headers, and writes the request: throws before any I/O.
  const exchange = new gate.HttpsExchange(url, caPem, method, headerPairs(headers), bytes ?? null, maxBytes, Date.now());
  let socket = null;
  let timer;
  let onAbort;
  try {
    socket = connect({ hostname: exchange.hostname, port: exchange.port }, { secureTransport: 'off', allowHalfOpen: false });
    const work = run(exchange, socket);
    work.catch(() => {}); // settled by the race below; a late failure after a timeout is expected
    const stop = new Promise((_, reject) => {
      timer = setTimeout(() => reject(netError('ERR_NET_TIMEOUT', `no complete response from ${exchange.hostname}:${exchange.port} within ${timeoutMs} ms`)), timeoutMs);
      onAbort = () => reject(netError('ERR_NET_ABORTED', 'the request was aborted', signal.reason));
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    const r = await Promise.race([work, stop]);
    return { status: r.status, headers: new Headers(r.headers), body: r.body };
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
    if (socket) socket.close().catch(() => {});
    // Freed once the socket is closed: a read still pending then ends and touches nothing.
    queueMicrotask(() => exchange.free());
  }
}
