// WebSockets through the gate: the upgrade is fetched from ORIGIN with the same stripped and
// identity fields as any proxied request, and the frames are relayed both ways through a
// WebSocketPair, so the gate can close the connection when the credential ends: at its expiry,
// and within webSocketCheckSeconds() (5 s) and one store round trip of a revocation or of its
// last use spent elsewhere (the session's store is asked again, counting no use). A check that
// fails for any reason, the store out of reach included, closes the connection: fail closed.
import { webSocketCheckSeconds } from '../pkg/workerd.mjs';

/** Policy Violation (RFC 6455 section 7.4.1): what the caller sees when its credential ends. */
const POLICY = 1008;
const DAY_MS = 86_400_000;

/** A close code a peer may send (1005 and 1006 are never sent; 1015 neither), else 1000. */
const sendable = (code) => (code === 1000 || (code >= 3000 && code <= 4999) || (code >= 1001 && code <= 1014 && ![1004, 1005, 1006].includes(code)) ? code : 1000);

/**
 * Opens the upgrade to `upstream` with `headers` and relays it. `check()` resolves to the
 * credential's current expiry (seconds) or throws once it no longer stands; `exp` is its
 * expiry now. Resolves to the 101 for the caller, or to the origin's own answer when it did
 * not upgrade (`{ response }`, to be proxied as any answer).
 */
export async function relay({ upstream, headers, exp, check, now, log }) {
  const response = await fetch(upstream, { method: 'GET', headers, redirect: 'manual' });
  const remote = response.webSocket;
  if (!remote) return { response };
  remote.accept();
  const [client, server] = Object.values(new WebSocketPair());
  server.accept();
  let open = true;
  let expiry = null;
  let ticker = null;
  const close = (code, reason) => {
    if (!open) return;
    open = false;
    clearTimeout(expiry);
    clearInterval(ticker);
    for (const ws of [server, remote]) {
      try {
        ws.close(sendable(code), reason);
      } catch {}
    }
  };
  const end = (why) => {
    if (!open) return;
    log(`jwksgate: WebSocket closed: ${why}`);
    close(POLICY, 'credential ended');
  };
  // A timer longer than 2^31-1 ms fires at once (as in browsers and Node): sessions may live 32
  // days, so a far expiry is waited for a day at a time.
  const expireAt = (seconds) => {
    clearTimeout(expiry);
    if (typeof seconds !== 'number' || !Number.isFinite(seconds)) return;
    const wait = Math.max(0, (seconds - now()) * 1000);
    expiry = setTimeout(() => (now() >= seconds ? end('the credential expired') : expireAt(seconds)), Math.min(wait, DAY_MS));
  };
  expireAt(exp);
  let checking = false;
  ticker = setInterval(async () => {
    if (checking || !open) return;
    checking = true;
    try {
      expireAt(await check());
    } catch (e) {
      end(e && e.message ? e.message : String(e));
    } finally {
      checking = false;
    }
  }, webSocketCheckSeconds() * 1000);
  const pass = (to) => (e) => {
    if (!open) return;
    try {
      to.send(e.data);
    } catch {
      close(1011, 'relay failed');
    }
  };
  server.addEventListener('message', pass(remote));
  remote.addEventListener('message', pass(server));
  server.addEventListener('close', (e) => close(e.code, e.reason));
  remote.addEventListener('close', (e) => close(e.code, e.reason));
  server.addEventListener('error', () => close(1011, 'error'));
  remote.addEventListener('error', () => close(1011, 'origin error'));
  const out = new Headers();
  const protocol = response.headers.get('sec-websocket-protocol');
  if (protocol) out.set('sec-websocket-protocol', protocol);
  return { response: new Response(null, { status: 101, webSocket: client, headers: out }), upgraded: true };
}
