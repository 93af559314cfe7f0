// Hostile arguments for every binding of the package, as a table shared by the Node tests
// (pkg-tests/health.test.mjs) and the page's Chromium tests (www/test/): values whose reading
// runs the caller's code (getters, Proxy traps, iterators) and throws, values that lie about
// their type or length, values of the wrong type. Each row names the finding of issue 18 it
// reproduces and what the package must answer. Runs in Node and in the browser (no imports).

/** Fixtures from one good token and its set: `now` is a time inside the token's lifetime. */
export function fixtures(jwksText, token, now) {
  const [h, p, s] = token.split('.');
  const bytes = (b64u) => Uint8Array.from(atob(b64u.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
  const payload = JSON.parse(new TextDecoder().decode(bytes(p)));
  return {
    jwksText, token, now,
    jwk: JSON.parse(jwksText).keys[0],
    issuer: payload.iss,
    audience: Array.isArray(payload.aud) ? payload.aud[0] : payload.aud,
    data: new TextEncoder().encode(`${h}.${p}`),
    signature: bytes(s),
    discovery: JSON.stringify({ issuer: payload.iss, jwks_uri: `${payload.iss}/openid/v1/jwks` }),
  };
}

const thrower = (what) => () => { throw new Error(`${what} throws`); };
const revoked = (target) => { const r = Proxy.revocable(target, {}); r.revoke(); return r.proxy; };
/** An object whose `name` getter throws. */
const getterThrows = (name, extra = {}) => Object.defineProperty({ ...extra }, name, { get: thrower(`the ${name} getter`), enumerable: true });

/** A Uint8Array whose `length` property lies (an own property the engine never consults). */
function lyingLength(bytes, length) {
  const copy = new Uint8Array(bytes);
  Object.defineProperty(copy, 'length', { value: length });
  return copy;
}

/** A Uint8Array subclass whose `length` getter lies. */
function liarSubclass(bytes, length) {
  class Liar extends Uint8Array {
    get length() { return length; }
  }
  return new Liar(bytes);
}

/** An array of `items` whose iterator throws (jose builds its allowlist with `new Set(array)`). */
function iteratorThrows(items) {
  const a = [...items];
  a[Symbol.iterator] = thrower('the iterator');
  return a;
}

/** An array whose element 0 is a getter that throws. */
function elementThrows(items) {
  const a = [...items];
  Object.defineProperty(a, 0, { get: thrower('element 0'), enumerable: true });
  return a;
}

/**
 * The rows: `[name, finding, call(j, f, verifier), expect]`. `expect` is an error code, `true`
 * or `false` (what verifySignature must return), or 'ok' (returns normally). `verifier` is a
 * Verifier over `f.jwksText` made by the caller; rows that free one make their own.
 */
export function rows() {
  const at = (f, extra = {}) => ({ currentDate: f.now, ...extra });
  return [
    // 6. currentDate values that are not Dates (the glue's getTime() threw through wasm)
    ['currentDate: a Proxy of a Date', 6, (j, f) => j.verify(f.token, f.jwksText, { currentDate: new Proxy(new Date(f.now * 1000), {}) }), 'ERR_INVALID_ARGUMENT'],
    ['currentDate: Object.create(Date.prototype)', 6, (j, f) => j.verify(f.token, f.jwksText, { currentDate: Object.create(Date.prototype) }), 'ERR_INVALID_ARGUMENT'],
    ['currentDate: a Proxy of a Date, Verifier.verify', 6, (j, f, v) => v.verify(f.token, { currentDate: new Proxy(new Date(f.now * 1000), {}) }), 'ERR_INVALID_ARGUMENT'],
    ['currentDate: a Proxy of a Date, new Verifier', 6, (j, f) => new j.Verifier(f.jwksText, { currentDate: new Proxy(new Date(), {}) }), 'ERR_INVALID_ARGUMENT'],
    ['currentDate: an invalid Date', 5, (j, f) => j.verify(f.token, f.jwksText, { currentDate: new Date(NaN) }), 'ERR_INVALID_ARGUMENT'],
    ['currentDate: a Date subclass (a real Date) is read', 6, (j, f) => j.verify(f.token, f.jwksText, { currentDate: new (class extends Date {})(f.now * 1000) }), 'ok'],
    // 6. algorithms arrays whose reading throws
    ['algorithms: the iterator throws', 6, (j, f) => j.verify(f.token, f.jwksText, at(f, { algorithms: iteratorThrows(['RS256']) })), 'ERR_INVALID_ARGUMENT'],
    ['algorithms: element getter throws', 6, (j, f) => j.verify(f.token, f.jwksText, at(f, { algorithms: elementThrows(['RS256']) })), 'ERR_INVALID_ARGUMENT'],
    ['algorithms: element getter throws, Verifier.verify', 6, (j, f, v) => v.verify(f.token, at(f, { algorithms: elementThrows(['RS256']) })), 'ERR_INVALID_ARGUMENT'],
    ['algorithms: a revoked Proxy (Array.isArray throws)', 6, (j, f) => j.verify(f.token, f.jwksText, at(f, { algorithms: revoked(['RS256']) })), 'ERR_INVALID_ARGUMENT'],
    ['algorithms: a Proxy whose length trap throws', 6, (j, f) => j.verify(f.token, f.jwksText, at(f, { algorithms: new Proxy(['RS256'], { get: (t, k) => (k === 'length' ? thrower('length')() : t[k]) }) })), 'ERR_INVALID_ARGUMENT'],
    ['algorithms: a Proxy whose length is 2^32 - 1', 6, (j, f) => j.verify(f.token, f.jwksText, at(f, { algorithms: new Proxy(['RS256'], { get: (t, k) => (k === 'length' ? 2 ** 32 - 1 : t[k]) }) })), 'ERR_INVALID_ARGUMENT'],
    // 5. options whose reading throws: an error naming the option, never a dropped check
    ['issuer: the getter throws', 5, (j, f) => j.verify(f.token, f.jwksText, getterThrows('issuer', at(f))), 'ERR_INVALID_ARGUMENT'],
    ['audience: the getter throws, Verifier.verify', 5, (j, f, v) => v.verify(f.token, getterThrows('audience', at(f))), 'ERR_INVALID_ARGUMENT'],
    ['audience: the getter throws, new Verifier', 5, (j, f) => new j.Verifier(f.jwksText, getterThrows('audience')), 'ERR_INVALID_ARGUMENT'],
    ['options: a Proxy whose get trap throws', 5, (j, f) => j.verify(f.token, f.jwksText, new Proxy(at(f), { get: thrower('the get trap') })), 'ERR_INVALID_ARGUMENT'],
    ['options: a Proxy whose ownKeys trap throws', 5, (j, f) => j.verify(f.token, f.jwksText, new Proxy(at(f), { ownKeys: thrower('the ownKeys trap') })), 'ERR_INVALID_ARGUMENT'],
    ['options: a revoked Proxy', 5, (j, f) => j.verify(f.token, f.jwksText, revoked(at(f))), 'ERR_INVALID_ARGUMENT'],
    ['options: null', 5, (j, f) => j.verify(f.token, f.jwksText, null), 'ERR_INVALID_ARGUMENT'],
    ['issuer: null', 5, (j, f) => j.verify(f.token, f.jwksText, at(f, { issuer: null })), 'ERR_INVALID_ARGUMENT'],
    ['issuer: []', 5, (j, f) => j.verify(f.token, f.jwksText, at(f, { issuer: [] })), 'ERR_INVALID_ARGUMENT'],
    ['audience: []', 5, (j, f) => j.verify(f.token, f.jwksText, at(f, { audience: [] })), 'ERR_INVALID_ARGUMENT'],
    ['per-call issuer: [] under a constructor issuer', 5, (j, f) => {
      const v = new j.Verifier(f.jwksText, { issuer: 'https://other.example', currentDate: f.now });
      try { return v.verify(f.token, { issuer: [], audience: [] }); } finally { v.free(); }
    }, 'ERR_INVALID_ARGUMENT'],
    // The key set and the payload: JSON.stringify runs toJSON and getters.
    ['jwks: an object whose toJSON throws', 6, (j, f) => j.verify(f.token, { toJSON: thrower('toJSON') }, at(f)), 'ERR_JWKS_INVALID'],
    ['jwks: a revoked Proxy', 6, (j, f) => new j.Verifier(revoked(JSON.parse(f.jwksText))), 'ERR_JWKS_INVALID'],
    ['kubernetesIdentity: a payload whose getter throws', 6, (j) => j.kubernetesIdentity(getterThrows('sub')), 'ERR_INVALID_ARGUMENT'],
    ['jwkThumbprint: a JWK whose getter throws', 6, (j) => j.jwkThumbprint(getterThrows('n', { kty: 'RSA' })), 'ERR_JWK_INVALID'],
    // 7. strings the glue converted (a number made it free memory it never allocated)
    ['discoveryJwksUri(document, 5)', 7, (j, f) => j.discoveryJwksUri(f.discovery, 5), 'ERR_INVALID_ARGUMENT'],
    ['discoveryJwksUri(document, an object with toString)', 7, (j, f) => j.discoveryJwksUri(f.discovery, { toString: () => f.issuer }), 'ERR_INVALID_ARGUMENT'],
    ['discoveryJwksUri(document, undefined)', 7, (j, f) => j.discoveryJwksUri(f.discovery), 'ERR_INVALID_ARGUMENT'],
    ['discoveryJwksUri(5, issuer)', 7, (j, f) => j.discoveryJwksUri(5, f.issuer), 'ERR_INVALID_ARGUMENT'],
    ['decodeUnverified(a String object)', 7, (j, f) => j.decodeUnverified(new String(f.token)), 'ERR_INVALID_ARGUMENT'],
    // 6. bytes whose length lies (the glue copied `length` bytes, then threw or read stale memory)
    ['verifySignature: data whose own length property lies', 6, (j, f) => j.verifySignature(f.jwk, 'RS256', lyingLength(f.data, 1), f.signature), true],
    ['verifySignature: signature whose own length property lies', 6, (j, f) => j.verifySignature(f.jwk, 'RS256', f.data, lyingLength(f.signature, 300)), true],
    ['verifySignature: a Uint8Array subclass whose length getter lies', 6, (j, f) => j.verifySignature(f.jwk, 'RS256', liarSubclass(f.data, 2 ** 31), f.signature), true],
    ['verifySignature: a Proxy of a Uint8Array is not a Uint8Array', 6, (j, f) => j.verifySignature(f.jwk, 'RS256', new Proxy(f.data, {}), f.signature), 'ERR_INVALID_ARGUMENT'],
    ['verifySignature: an Int16Array is not a Uint8Array', 6, (j, f) => j.verifySignature(f.jwk, 'RS256', new Int16Array(f.data), f.signature), 'ERR_INVALID_ARGUMENT'],
    ['verifySignature: a detached Uint8Array', 6, (j, f) => {
      const data = new Uint8Array(f.data);
      structuredClone(data.buffer, { transfer: [data.buffer] });
      return j.verifySignature(f.jwk, 'RS256', data, f.signature);
    }, 'ERR_INVALID_ARGUMENT'],
    ['verifySignature: a 2 KB signature is wrong, not copied', 6, (j, f) => j.verifySignature(f.jwk, 'RS256', f.data, new Uint8Array(2048)), false],
    // A Verifier used after free() (wasm-bindgen's "null pointer passed to rust" threw through wasm)
    ['Verifier.verify after free()', 6, (j, f) => {
      const v = new j.Verifier(f.jwksText);
      v.free();
      return v.verify(f.token, at(f));
    }, 'ERR_INVALID_ARGUMENT'],
    ['Verifier: free() twice is a no-op', 6, (j, f) => {
      const v = new j.Verifier(f.jwksText);
      v.free();
      v.free();
    }, 'ok'],
    ['Verifier.prototype.verify on another object', 6, (j, f) => j.Verifier.prototype.verify.call({}, f.token, at(f)), 'ERR_INVALID_ARGUMENT'],
    ['Verifier.keyIds after free()', 6, (j, f) => {
      const v = new j.Verifier(f.jwksText);
      v.free();
      return v.keyIds;
    }, 'ERR_INVALID_ARGUMENT'],
    // Controls: the same calls with good arguments.
    ['control: verify', 0, (j, f) => j.verify(f.token, f.jwksText, at(f)), 'ok'],
    ['control: Verifier.verify', 0, (j, f, v) => v.verify(f.token, at(f, { issuer: f.issuer, audience: f.audience })), 'ok'],
    ['control: verifySignature', 0, (j, f) => j.verifySignature(f.jwk, 'RS256', f.data, f.signature), true],
    ['control: discoveryJwksUri', 0, (j, f) => j.discoveryJwksUri(f.discovery, f.issuer), 'ok'],
  ];
}

/** What a call gave: its return (`true`/`false` kept, anything else 'ok') or its error's code. */
export function outcome(call) {
  try {
    const r = call();
    return typeof r === 'boolean' ? r : 'ok';
  } catch (e) {
    return typeof e?.code === 'string' ? e.code : `uncoded ${e?.name}: ${e?.message}`;
  }
}
