// What each registered claim (RFC 7519 section 4.1) and header parameter (RFC 7515 section 4.1)
// means, and the warnings the inspector raises about a decoded token. Warnings inform only:
// whether a token is accepted is decided by the package's verify().

import { asciiUrl, charName, duration, INVISIBLE, isNumericDate, relative, revealText } from './format.js';

export const CLAIMS = {
  iss: 'Issuer: who made and signed the token. A verifier looks up this issuer\'s keys (RFC 7519 §4.1.1).',
  sub: 'Subject: whom the token speaks for (§4.1.2). Kubernetes: system:serviceaccount:<namespace>:<name>.',
  aud: 'Audience: who the token is for; a verifier must find its own name here (§4.1.3).',
  exp: 'Expiration time: not accepted at or after this time (§4.1.4).',
  nbf: 'Not before: not accepted before this time (§4.1.5).',
  iat: 'Issued at (§4.1.6).',
  jti: 'JWT ID: a unique id that lets a verifier refuse a replayed token (§4.1.7).',
  'kubernetes.io': 'Kubernetes: the namespace, ServiceAccount and the pod, node or secret the token is bound to (KEP-1205).',
  azp: 'Authorized party: the client the token was issued to (OpenID Connect Core §2).',
  nonce: 'Nonce: ties an ID token to one login request (OpenID Connect Core §2).',
  auth_time: 'When the user authenticated (OpenID Connect Core §2).',
  email: 'Email address (OpenID Connect Core §5.1).',
};

export const HEADER_PARAMS = {
  alg: 'Algorithm of the signature (RFC 7515 §4.1.1). The verifier\'s allowlist decides, never this value.',
  kid: 'Key ID: which key of the issuer\'s set signed the token (§4.1.4).',
  typ: 'Type of the whole token, e.g. JWT (§4.1.9).',
  cty: 'Content type of the payload (§4.1.10); JWT here means a nested token.',
  crit: 'Extensions the verifier must understand or reject the token (§4.1.11).',
  jku: 'A URL of keys chosen by whoever made the token (§4.1.2). Never used: anyone can point it anywhere.',
  jwk: 'A key embedded by whoever made the token (§4.1.3). Never used: a forger can embed their own.',
  x5u: 'A URL of a certificate chosen by whoever made the token (§4.1.5). Never used.',
  x5c: 'A certificate chain embedded in the token (§4.1.6). Never used here.',
  x5t: 'SHA-1 thumbprint of a certificate (§4.1.7).',
  'x5t#S256': 'SHA-256 thumbprint of a certificate (§4.1.8).',
};

export const TIME_CLAIMS = new Set(['exp', 'nbf', 'iat', 'auth_time']);

/** Kubernetes' `warnafter` (inside the `kubernetes.io` claim), or undefined. */
export const warnAfterClaim = (payload) => {
  const k = payload['kubernetes.io'];
  return k !== null && typeof k === 'object' && !Array.isArray(k) ? k.warnafter : undefined;
};

const MAX_SCAN = 2000;

/**
 * Where names and string values hold invisible characters: `[{ path, ch }]`, the path written
 * with those characters escaped (`su\u200Bb`, `kubernetes.io.namespace`). Bounded in depth and
 * count, as the page's JSON view is.
 */
export function hiddenCharacters(value, prefix = '', out = [], depth = 0) {
  if (out.length >= MAX_SCAN || depth > 64) return out;
  const note = (path, s) => {
    const m = INVISIBLE.exec(s);
    if (m) out.push({ path: revealText(path), ch: m[0] });
  };
  if (typeof value === 'string') note(prefix, value);
  else if (Array.isArray(value)) value.forEach((v, i) => hiddenCharacters(v, `${prefix}[${i}]`, out, depth + 1));
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const path = prefix ? `${prefix}.${k}` : k;
      note(path, k);
      hiddenCharacters(v, path, out, depth + 1);
    }
  }
  return out;
}

/** The legacy issuer of secret-based ServiceAccount tokens (pkg/serviceaccount/legacy.go). */
export const LEGACY_K8S_ISSUER = 'kubernetes/serviceaccount';

const DAY = 86400;

/** The time-relative phrase for a time claim, e.g. "expires in 1 h 59 min". */
export function timePhrase(name, t, now) {
  const rel = relative(t, now);
  switch (name) {
    case 'exp': return t > now ? `expires ${rel}` : `expired ${rel}`;
    case 'nbf': return t > now ? `valid ${rel}` : `valid since ${rel.replace(/ ago$/, '')}`;
    case 'iat': return t > now ? `issued ${rel}, in the future` : `issued ${rel}`;
    default: return rel;
  }
}

/**
 * Warnings about a decoded token at time `now` (seconds), with `tolerance` seconds of leeway.
 * Each is { id, text } with id stable for tests and styling.
 */
export function warnings({ header, payload, identity, now, tolerance = 0 }) {
  const out = [];
  const add = (id, text) => out.push({ id, text });
  const alg = typeof header.alg === 'string' ? header.alg : '';
  if (alg.toLowerCase() === 'none') add('alg-none', 'alg is "none": the token is not signed at all. It is never accepted.');
  else if (/^HS/i.test(alg)) add('alg-hmac', `alg is ${alg}, an HMAC with a shared secret: anyone who can check it can also forge it. Tokens from a key set are never accepted with HMAC.`);
  for (const p of ['jku', 'x5u', 'jwk', 'x5c']) {
    if (p in header) add(`header-${p}`, `The header carries "${p}", a key or key location chosen by whoever made the token. It is ignored: keys come only from the issuer's set you provide.`);
  }
  for (const [what, obj] of [['header', header], ['payload', payload]]) {
    // The package returns a "__proto__" member as an own property (as JSON.parse does); code
    // that copies claims by assignment (Object.assign, obj[k] = v) still turns it into a prototype.
    if (Object.hasOwn(obj, '__proto__') || Object.getPrototypeOf(obj) !== Object.prototype) {
      add(`proto-${what}`, `The ${what} has a "__proto__" member. It is kept as an ordinary member, but code that copies these claims by assignment (Object.assign, obj[key] = value) makes it the copy's prototype: copy with structuredClone or spread, and compare claims with Object.hasOwn.`);
    }
  }
  for (const [what, obj] of [['header', header], ['payload', payload]]) {
    const found = hiddenCharacters(obj);
    if (found.length) {
      const where = [...new Set(found.map((f) => `"${f.path}" (${charName(f.ch)})`))].slice(0, 5).join(', ');
      add('invisible-chars', `The ${what} has names or values with invisible or direction-changing characters: ${where}${found.length > 5 ? ', ...' : ''}. They can make one claim look like another (su\\u200Bb beside sub); the page shows them escaped, like \\u200B.`);
    }
  }
  const iss = typeof payload.iss === 'string' ? payload.iss : '';
  const issAscii = asciiUrl(iss);
  if (issAscii && /[^\x00-\x7F]/.test(iss)) {
    add('iss-idn', `The issuer is written with non-ASCII letters; the host it names is ${issAscii}. A look-alike letter (a Cyrillic "с" for a Latin "c") makes another host: check that this is the issuer you mean.`);
  }
  if ('crit' in header) add('header-crit', 'The header has "crit": extensions the verifier must understand. jwksgate understands none and rejects the token.');

  const exp = payload.exp;
  const legacy = payload.iss === LEGACY_K8S_ISSUER || identity?.legacy === true;
  if (legacy) add('k8s-legacy', 'A legacy Kubernetes secret-based ServiceAccount token: it never expires and stays valid until its Secret is deleted. Use a projected token (kubectl create token) instead.');
  if (exp === undefined) {
    if (!legacy) add('no-exp', 'No "exp": the token never expires. jwksgate requires "exp" by default.');
  } else if (!isNumericDate(exp)) {
    add('bad-exp', '"exp" is not a number of seconds.');
  } else if (exp <= now - tolerance) {
    add('expired', `Expired ${duration(now - exp)} ago.`);
  }
  const nbf = payload.nbf;
  if (nbf !== undefined && !isNumericDate(nbf)) add('bad-nbf', '"nbf" is not a number of seconds.');
  else if (isNumericDate(nbf) && nbf > now + tolerance) add('not-yet-valid', `Not valid yet: it becomes valid in ${duration(nbf - now)}.`);
  const iat = payload.iat;
  if (iat !== undefined && !isNumericDate(iat)) add('bad-iat', '"iat" is not a number of seconds.');
  else if (isNumericDate(iat) && iat > now + tolerance) add('iat-future', `Issued in the future (in ${duration(iat - now)}): the issuer's clock or yours is wrong.`);
  const start = isNumericDate(iat) ? iat : isNumericDate(nbf) ? nbf : undefined;
  if (isNumericDate(exp) && start !== undefined && exp - start > DAY) {
    add('long-lived', `Lifetime of ${duration(exp - start)}, over a day: a stolen copy stays useful that long.`);
  }
  const warnafter = warnAfterClaim(payload);
  if (warnafter !== undefined && !isNumericDate(warnafter)) add('bad-warnafter', '"kubernetes.io" "warnafter" is not a usable time (a number of seconds within the range of dates).');
  if (identity && !identity.subjectMatches) {
    add('k8s-sub', `"sub" is not ${identity.subject}, the subject Kubernetes gives this ServiceAccount.`);
  }
  return out;
}

/**
 * Whether a refusal `e` is keys fetched for `bound` asked to verify for another `expected`
 * issuer: the page's Verifier for fetched keys is bound to their issuer, and a call's `issuer`
 * may only narrow it, refused as ERR_INVALID_ARGUMENT (src/wasm/options.rs `resolve`). Told by
 * the code and the two issuers, never by the message's words. Another option refused (an empty
 * `algorithms`, say) carries the same code, and no property says which option (jose has none
 * either), so `withBound` makes the same call with the bound issuer, which narrows nothing: when
 * that is refused with the same code too, the refusal was another option's.
 */
export function issuerWidened(e, bound, expected, withBound) {
  if (!bound || expected === undefined || e?.code !== 'ERR_INVALID_ARGUMENT') return false;
  if (![expected].flat().some((issuer) => issuer !== bound)) return false;
  try {
    withBound();
  } catch (again) {
    return again?.code !== 'ERR_INVALID_ARGUMENT';
  }
  return true;
}
