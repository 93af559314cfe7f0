// The inspector's page logic: reads the inputs, asks the jwksgate package to decode and verify,
// and shows the results with text nodes only. Every accept/reject comes from the package. Each
// update rebuilds the verdict from nothing: whatever fails on the way leaves "Not verified" with
// the reason, never what an earlier input showed.
import init, {
  decodeUnverified, Verifier, importPublicKeysPem, jwkThumbprint, kubernetesKeyId, kubernetesIdentity,
  verifySignature, version,
} from './pkg/jwksgate.js';
import * as example from './example.js';
import { CLAIMS, HEADER_PARAMS, TIME_CLAIMS, issuerWidened, timePhrase, warnAfterClaim, warnings } from './lib/claims.js';
import { discoveryUrl, fetchIssuerKeys } from './lib/discovery.js';
import { brief, el, fill, jsonView, members, shown } from './lib/dom.js';
import { asciiUrl, bytes, isNumericDate, local, parseWhen, revealText, utc } from './lib/format.js';
import { readKeys } from './lib/keys.js';
import { vaultPanel } from './lib/vault.js';

/** The package's default maxTokenBytes: larger input is refused before any decoding. */
const MAX_TOKEN_BYTES = 65536;
/** Size in UTF-8 bytes, as the package counts a token (a string's length counts UTF-16 units). */
const utf8Length = (s) => new TextEncoder().encode(s).length;
const DEBOUNCE_MS = 150;
const pkg = { importPublicKeysPem, jwkThumbprint, kubernetesKeyId, verifySignature };
const $ = (id) => document.getElementById(id);

const ui = {
  token: $('token'), tokenStatus: $('token-status'), raw: $('token-raw'),
  warningsPanel: $('warnings-panel'), warnings: $('warnings'),
  verdict: $('verdict'), matched: $('matched-key'),
  keys: $('keys'), keysStatus: $('keys-status'), keyList: $('key-list'),
  fetch: $('fetch-keys'), fetchTarget: $('fetch-target'), fetchStatus: $('fetch-status'),
  issuer: $('issuer'), audience: $('audience'), tolerance: $('tolerance'), now: $('now'), nowHint: $('now-hint'),
  k8sPanel: $('k8s-panel'), k8s: $('k8s'),
  decodedPanel: $('decoded-panel'), claims: $('claims'), headerParams: $('header-params'),
  headerJson: $('header-json'), payloadJson: $('payload-json'),
};
const NOW_HINT = ui.nowHint.textContent;

let ready = false;
let timer;
/** Counts finished updates, so tests can wait for the page to settle instead of sleeping. */
let updates = 0;
/**
 * The parsed key box, rebuilt only when its text (or the issuer it was fetched for) changes.
 * `bound` is the issuer the keys were fetched for while the box still holds them as fetched: its
 * Verifier is made with that issuer, so a token naming another is refused by the package.
 */
let keyState = { text: null, bound: null, verifier: null, info: null, error: null };
/** What the last completed fetch put in the key box: `{ issuer, text }`. */
let fetched = null;
/** The last fetch started, while it runs: `{ issuer, controller }`. */
let inflight = null;
/** The token last read from the address's #token= fragment. */
let fromFragment = null;
/**
 * The Vault role panel (lib/vault.js) judges the same token and evaluation time as the verdict,
 * with the key box as it stands and the issuer its keys were fetched for (null when pasted):
 * which keys Vault would use (the config's own sources first; fetched keys bound to their
 * issuer; PEM tried whatever the kid) is the gate's rule, in Rust.
 */
const vault = vaultPanel(() => {
  let now = Date.now() / 1000;
  try {
    now = parseWhen(ui.now.value) ?? now;
  } catch { /* the hint under the field says why; the clock is used */ }
  const usable = keyState.info && !keyState.error;
  return { token: cleanToken(ui.token.value), keys: usable ? keyState.text : null, keysIssuer: usable ? keyState.bound : null, now };
});
/** An issuer or URL as the user should read it: ASCII, no hidden characters. */
const ascii = (s) => asciiUrl(s) ?? revealText(s);

function schedule() {
  clearTimeout(timer);
  timer = setTimeout(update, DEBOUNCE_MS);
}

function setStatus(node, text, kind = '') {
  fill(node, shown(text));
  node.className = `status ${kind}`.trim();
}

/** The token as pasted, without surrounding blanks or an `Authorization: Bearer` prefix. */
function cleanToken(text) {
  return text.trim().replace(/^(authorization:\s*)?bearer\s+/i, '');
}

function describeError(e) {
  const code = typeof e?.code === 'string' ? e.code : 'ERROR';
  const extra = e?.claim ? ` (claim ${e.claim}, ${e.reason})` : '';
  return { code, message: `${e?.message ?? e}${extra}` };
}

function renderRaw(token) {
  const parts = token.split('.');
  const segs = [['seg-header', parts[0]], ['seg-payload', parts[1]], ['seg-signature', parts.length > 2 ? parts.slice(2).join('.') : undefined]];
  const children = [];
  segs.forEach(([cls, text], i) => {
    if (text === undefined) return;
    if (i > 0) children.push(el('span', { class: 'seg-dot' }, '.'));
    children.push(el('span', { class: cls }, shown(text)));
  });
  fill(ui.raw, children);
  ui.raw.hidden = false;
}

function valueCell(name, value, now) {
  if (TIME_CLAIMS.has(name) && isNumericDate(value)) {
    return el('td', {},
      el('span', { class: 'mono' }, String(value)), el('br'),
      el('span', {}, utc(value)), el('br'),
      el('span', { class: 'hint' }, local(value)), el('br'),
      el('strong', { class: 'when' }, timePhrase(name, value, now)));
  }
  if (TIME_CLAIMS.has(name)) return el('td', { class: 'mono' }, shown(brief(value)), el('br'), el('strong', { class: 'when' }, 'not a usable time'));
  return el('td', { class: 'mono' }, shown(brief(value)));
}

function renderTable(table, obj, meanings, now) {
  const rows = members(obj).map(([name, value]) => el('tr', { 'data-name': name },
    el('th', { scope: 'row', class: 'mono' }, shown(name)),
    valueCell(name, value, now),
    el('td', {}, meanings[name] ?? (table === ui.claims ? 'Private claim: meaning set by the issuer.' : 'Not a registered header parameter.'))));
  fill(table.tBodies[0], rows);
}

/** Kubernetes' warnafter as read from the claim itself, range-checked as the other times are. */
function warnAfterText(payload, now) {
  const raw = warnAfterClaim(payload);
  if (raw === undefined) return undefined;
  return isNumericDate(raw) ? `${utc(raw)}, ${timePhrase('', raw, now)}` : `${brief(raw, 40)} (not a usable time)`;
}

function renderKubernetes(identity, now, payload) {
  if (!identity) {
    ui.k8sPanel.hidden = true;
    fill(ui.k8s);
    return;
  }
  const ref = (r) => (r ? `${r.name}${r.uid ? ` (uid ${r.uid})` : ''}` : undefined);
  const items = [
    ['Namespace', identity.namespace],
    ['Service account', ref(identity.serviceAccount)],
    ['Pod', ref(identity.pod)],
    ['Node', ref(identity.node)],
    ['Secret', ref(identity.secret)],
    ['Refresh after (warnafter)', warnAfterText(payload, now)],
    ['Implied subject', `${identity.subject}${identity.subjectMatches ? ' (matches sub)' : ' (differs from sub!)'}`],
    ['Kind', identity.legacy ? 'Legacy secret-based token (never expires)' : 'Projected token (bound, expiring)'],
  ];
  fill(ui.k8s, items.filter(([, v]) => v !== undefined).flatMap(([k, v]) => [el('dt', {}, k), el('dd', { class: 'mono' }, shown(v))]));
  ui.k8sPanel.hidden = false;
}

function renderWarnings(list) {
  fill(ui.warnings, list.map((w) => el('li', { 'data-id': w.id }, shown(w.text))));
  ui.warningsPanel.hidden = list.length === 0;
}

function setVerdict(state, title, detail = [], code, issuerChecked) {
  ui.verdict.className = `verdict ${state}`;
  ui.verdict.dataset.state = state;
  if (issuerChecked === undefined) delete ui.verdict.dataset.issuerChecked;
  else ui.verdict.dataset.issuerChecked = String(issuerChecked);
  fill(ui.verdict,
    el('p', { class: 'verdict-title' }, title),
    code ? el('p', { class: 'verdict-code mono' }, code) : null,
    detail.map((d) => el('p', { class: 'verdict-detail' }, shown(d))));
}

function renderMatched(key, label) {
  if (!key) {
    ui.matched.hidden = true;
    fill(ui.matched);
    return;
  }
  const row = keyState.info?.list.find((r) => r.thumbprint === key.thumbprint);
  const items = [
    ['Matched key', label],
    ['kid', key.kid ?? '(none)'],
    ['Algorithm', key.alg],
    ['RFC 7638 thumbprint', key.thumbprint],
    ['Kubernetes key id', row?.kubernetesKeyId],
  ];
  fill(ui.matched, items.filter(([, v]) => v !== undefined).flatMap(([k, v]) => [el('dt', {}, k), el('dd', { class: 'mono' }, shown(v))]));
  ui.matched.hidden = false;
}

function updateKeys() {
  const text = ui.keys.value;
  // Keys the user edited are the user's own: no longer the ones fetched for an issuer.
  if (fetched && fetched.text !== text) fetched = null;
  const bound = fetched?.issuer ?? null;
  if (text === keyState.text && bound === keyState.bound) return;
  keyState.verifier?.free();
  keyState = { text, bound, verifier: null, info: null, error: null };
  fill(ui.keyList.tBodies[0]);
  ui.keyList.hidden = true;
  if (text.trim() === '') {
    setStatus(ui.keysStatus, '');
    return;
  }
  try {
    keyState.info = readKeys(text, pkg);
    keyState.verifier = new Verifier(keyState.info.jwks, bound ? { issuer: bound } : undefined);
    const n = keyState.info.list.length;
    const of = bound ? ` Fetched for ${ascii(bound)}: they verify only tokens whose iss is that issuer.` : '';
    setStatus(ui.keysStatus, `Read ${keyState.info.kind}${n > 1 ? ` with ${n} keys` : ''}.${of}`, 'ok');
  } catch (e) {
    keyState.error = describeError(e);
    setStatus(ui.keysStatus, `These keys cannot be used: ${keyState.error.code}: ${keyState.error.message}`, 'error');
  }
  const list = keyState.info?.list ?? [];
  fill(ui.keyList.tBodies[0], list.map((r) => el('tr', { 'data-thumbprint': r.thumbprint ?? '', 'data-kty': r.kty ?? '' },
    el('td', { class: 'mono' }, shown(r.kid ?? '(none)')),
    el('td', { class: 'mono' }, shown([r.kty, r.crv].filter(Boolean).join(' ') || '(none)')),
    r.error ? el('td', { colspan: 3 }, shown(`not usable: ${r.error}`)) : el('td', { class: 'mono' }, r.thumbprint),
    r.error ? null : el('td', { class: 'mono' }, r.kubernetesKeyId),
    r.error ? null : el('td', { class: 'mono algs-cell' }, r.algorithms.length ? r.algorithms.join(' ') : 'none (its use or key_ops is not for verifying)'),
    el('td', {}, shown([r.alg && `alg ${r.alg}`, r.use && `use ${r.use}`].filter(Boolean).join(' · '))))));
  ui.keyList.hidden = list.length === 0;
}

/** The clock tolerance field as whole non-negative seconds. */
function tolerance() {
  return Math.max(0, Math.floor(Number(ui.tolerance.value) || 0));
}

function options(now) {
  const opts = {
    algorithms: [...document.querySelectorAll('input[name=alg]:checked')].map((c) => c.value),
    clockTolerance: tolerance(),
    currentDate: now,
  };
  const issuer = ui.issuer.value.trim();
  if (issuer) opts.issuer = issuer;
  const audience = ui.audience.value.split(',').map((a) => a.trim()).filter(Boolean);
  if (audience.length) opts.audience = audience;
  return opts;
}

/** Why the issuer was, or was not, checked, for a token the package accepted. */
function issuerNote(expected, iss) {
  if (expected) return null;
  if (keyState.bound) {
    return `The issuer was not checked against one you chose: these keys were fetched from ${ascii(keyState.bound)}, the issuer the token itself names, so this shows only that ${ascii(keyState.bound)} signed it. Set "Issuer" below to the issuer you trust.`;
  }
  const named = typeof iss === 'string' ? ` (the token names ${ascii(iss)})` : '';
  return `The issuer was not checked: no expected issuer is set, so a token signed by these keys is accepted whatever its iss${named}. Set "Issuer" below to check it.`;
}

/**
 * The verdict on this input alone: `{ state, title, detail, code, key, keyLabel, issuerChecked }`.
 * Every accept and refuse is the package's `verify()`.
 */
function computeVerdict(token, now, decoded) {
  const notVerified = (state, detail, code) => ({ state, title: 'Not verified', detail, code });
  if (!token) return notVerified('neutral', ['Paste a token and the issuer\'s keys.']);
  if (now === null) return notVerified('failed', ['Fix the evaluation time first.']);
  if (keyState.error) return notVerified('failed', [`The keys cannot be used: ${keyState.error.message}`], keyState.error.code);
  if (!keyState.verifier) {
    return notVerified('neutral', ['No keys yet. Paste the issuer\'s JWKS or PEM public key, or fetch them with the button below.']);
  }
  const opts = options(now);
  const iss = decoded?.payload?.iss;
  try {
    const { key } = keyState.verifier.verify(token, opts);
    const note = issuerNote(opts.issuer, iss);
    return {
      state: 'verified', title: note ? 'Verified, but not the issuer' : 'Verified', key, keyLabel: 'signed the token', issuerChecked: !note,
      detail: [`Signature and claims accepted at ${utc(now)} by key ${key.kid ?? key.thumbprint}.`, note].filter(Boolean),
    };
  } catch (e) {
    const err = describeError(e);
    const verdict = notVerified('failed', [err.message], err.code);
    const bound = keyState.bound;
    if (issuerWidened(e, bound, opts.issuer, () => keyState.verifier.verify(token, { ...opts, issuer: bound }))) {
      verdict.detail.push(`These keys were fetched for ${ascii(bound)}, and the expected issuer is ${ascii(opts.issuer)}: fetch that issuer's keys, or paste them.`);
    } else if (bound && e?.claim === 'iss') {
      verdict.detail.push(`These keys were fetched for ${ascii(bound)}; the token names ${typeof iss === 'string' ? ascii(iss) : 'no issuer'}.`);
    }
    // Which key signed it, judged by the package without the claim checks, explains many refusals.
    try {
      const jws = keyState.verifier.verifyJws(token, { algorithms: opts.algorithms, currentDate: now });
      verdict.key = jws.key;
      verdict.keyLabel = 'signature valid, claims refused';
      verdict.detail.push(`The signature itself is valid (key ${jws.key.kid ?? jws.key.thumbprint}); the claims were refused.`);
    } catch { /* the same failure, nothing to add */ }
    if (!decoded && err.code === 'ERR_JWT_INVALID') verdict.detail.push('The input is not a well-formed JWT.');
    if (err.code === 'ERR_JWKS_NO_MATCHING_KEY') verdict.detail.push(...unfitKeys(decoded?.header));
    return verdict;
  }
}

/**
 * Why no key was chosen, for the keys the token's kid names (all, without a kid): each one's
 * family and curve and the algorithms the package would verify with it, against the token's alg.
 */
function unfitKeys(header) {
  const alg = header?.alg;
  if (typeof alg !== 'string') return [];
  const named = (keyState.info?.list ?? []).filter((r) => !r.error && (typeof header.kid !== 'string' || r.kid === header.kid));
  return named.filter((r) => !r.algorithms.includes(alg)).slice(0, 5).map((r) => (
    `Key ${r.kid ?? r.thumbprint} is ${[r.kty, r.crv].filter(Boolean).join(' ')}: it can verify ${r.algorithms.join(', ') || 'nothing'}, not ${brief(alg, 20)} (the token's alg).`));
}

function clearVerdictParts() {
  for (const row of ui.keyList.tBodies[0].rows) row.classList.remove('matched');
  renderMatched(null);
}

function showVerdict(v) {
  setVerdict(v.state, v.title, v.detail, v.code, v.issuerChecked);
  if (!v.key) return;
  renderMatched(v.key, v.keyLabel);
  for (const row of ui.keyList.tBodies[0].rows) if (row.dataset.thumbprint === v.key.thumbprint) row.classList.add('matched');
}

function updateFetchButton(payload) {
  const issuer = ui.issuer.value.trim() || (typeof payload?.iss === 'string' ? payload.iss : '');
  ui.fetch.dataset.issuer = issuer;
  if (!issuer) {
    ui.fetch.disabled = true;
    ui.fetchTarget.textContent = 'Needs an issuer URL: from the token\'s iss or the expected issuer below.';
    return;
  }
  try {
    const url = discoveryUrl(issuer);
    ui.fetch.disabled = false;
    fill(ui.fetchTarget, shown(`Requests ${url.href}, then the jwks_uri it names; follows no redirects. Only when pressed.`));
  } catch (e) {
    ui.fetch.disabled = true;
    fill(ui.fetchTarget, shown(e.message));
  }
}

/** A fetch for another issuer than the page would fetch now is stopped: its keys are not wanted. */
function stopStaleFetch() {
  if (inflight && inflight.issuer !== ui.fetch.dataset.issuer) {
    inflight.controller.abort(new Error(`Stopped fetching the keys of ${ascii(inflight.issuer)}: the issuer to fetch changed.`));
  }
}

function clearDecoded() {
  ui.raw.hidden = true;
  fill(ui.raw);
  ui.decodedPanel.hidden = true;
  renderWarnings([]);
  renderKubernetes(null);
}

function update() {
  clearTimeout(timer);
  if (!ready) return;
  try {
    render();
  } catch (e) {
    // Whatever failed, nothing shown may pass for verified.
    clearVerdictParts();
    renderKubernetes(null);
    setVerdict('failed', 'Not verified', [`The page could not show this input (${e?.name ?? 'Error'}: ${e?.message ?? e}), so nothing on it is verified.`], 'PAGE_ERROR');
  } finally {
    updates += 1;
    document.body.dataset.updates = String(updates);
  }
}

function render() {
  // Nothing of the previous input survives: the verdict and what goes with it are cleared
  // first, then rebuilt from this input alone.
  setVerdict('neutral', 'Not verified', ['Checking…']);
  clearVerdictParts();
  renderKubernetes(null);
  updateKeys();
  let now = null;
  try {
    now = parseWhen(ui.now.value);
    ui.nowHint.textContent = ui.now.value.trim() ? `Evaluating at ${utc(now)}.` : NOW_HINT;
    ui.nowHint.className = 'hint';
  } catch (e) {
    ui.nowHint.textContent = e.message;
    ui.nowHint.className = 'hint error';
  }
  const text = ui.token.value;
  const token = cleanToken(text);
  let decoded = null;
  if (!token) {
    clearDecoded();
    setStatus(ui.tokenStatus, 'Paste a token, open this page with #token=… in the address, or load the example.');
  } else if (utf8Length(token) > MAX_TOKEN_BYTES) {
    clearDecoded();
    setStatus(ui.tokenStatus, `This input is ${bytes(utf8Length(text))}: too large to be a token. The inspector decodes up to ${bytes(MAX_TOKEN_BYTES)} (a Kubernetes token is about 1 KB).`, 'error');
  } else {
    renderRaw(token);
    try {
      decoded = decodeUnverified(token);
    } catch (e) {
      const err = describeError(e);
      clearDecoded();
      renderRaw(token);
      const spaces = /\s/.test(token) ? ' (It contains spaces or line breaks: copy it again without wrapping.)' : '';
      setStatus(ui.tokenStatus, `Not a decodable JWT: ${err.code}: ${err.message}${spaces}`, 'error');
    }
  }
  if (decoded) {
    const { header, payload, signature } = decoded;
    let identity = null;
    try {
      identity = kubernetesIdentity(payload);
    } catch { /* not a Kubernetes payload */ }
    const sigBytes = Math.floor((signature.length * 3) / 4);
    const source = fromFragment === text ? ' (read from the #token= part of the address)' : '';
    setStatus(ui.tokenStatus, `Decoded${source}: ${brief(header.alg, 20)} header, ${members(payload).length} claims, ${sigBytes}-byte signature. Decoding proves nothing; see Verification.`, 'ok');
    const evalAt = now ?? Math.floor(Date.now() / 1000);
    renderWarnings(warnings({ header, payload, identity, now: evalAt, tolerance: tolerance() }));
    renderTable(ui.claims, payload, CLAIMS, evalAt);
    renderTable(ui.headerParams, header, HEADER_PARAMS, evalAt);
    fill(ui.headerJson, jsonView(header));
    fill(ui.payloadJson, jsonView(payload));
    ui.decodedPanel.hidden = false;
    renderKubernetes(identity, evalAt, payload);
  }
  updateFetchButton(decoded?.payload);
  stopStaleFetch();
  showVerdict(computeVerdict(token, now, decoded));
  vault.refresh();
}

async function fetchKeys() {
  const issuer = ui.fetch.dataset.issuer;
  if (!issuer) return;
  // Only the last fetch started may fill the key box.
  inflight?.controller.abort(new Error('A newer fetch started.'));
  const mine = { issuer, controller: new AbortController() };
  inflight = mine;
  ui.fetch.disabled = true;
  setStatus(ui.fetchStatus, `Fetching the keys of ${ascii(issuer)}…`);
  try {
    const got = await fetchIssuerKeys(issuer, { signal: mine.controller.signal });
    if (inflight !== mine || ui.fetch.dataset.issuer !== issuer) {
      if (inflight === mine) setStatus(ui.fetchStatus, `The keys of ${ascii(issuer)} arrived after the issuer to fetch changed; they were not used.`, 'error');
      return;
    }
    fetched = { issuer, text: got.text };
    ui.keys.value = got.text;
    setStatus(ui.fetchStatus, `Fetched the key set from ${got.jwksUri}, named by ${got.discovery}; no redirects followed. These keys verify only tokens whose iss is ${ascii(issuer)}.`, 'ok');
    update();
  } catch (e) {
    if (inflight === mine) setStatus(ui.fetchStatus, e?.message ?? String(e), 'error');
  } finally {
    if (inflight === mine) inflight = null;
    ui.fetch.disabled = !ui.fetch.dataset.issuer;
  }
}

/** Loads one of the built-in examples (www/example.js), allowing exactly its algorithm. */
function loadExample(ex) {
  ui.token.value = ex.token;
  ui.keys.value = JSON.stringify(ex.jwks, null, 2);
  ui.issuer.value = ex.issuer;
  ui.audience.value = ex.audience;
  ui.now.value = ex.evaluateAt;
  for (const box of document.querySelectorAll('input[name=alg]')) box.checked = box.value === ex.algorithm;
  setStatus(ui.fetchStatus, `${ex.algorithm} example loaded (issuer ${ex.issuer}), evaluated at ${ex.evaluateAt}, inside its one-hour lifetime. Empty "Evaluate at" to see it expire.`);
  update();
}

function readFragment() {
  const m = /^#token=(.*)$/s.exec(window.location.hash);
  if (!m) return;
  let token;
  try {
    token = decodeURIComponent(m[1]);
  } catch {
    token = m[1];
  }
  ui.token.value = token;
  fromFragment = token;
  update();
}

async function main() {
  for (const input of [ui.token, ui.keys, ui.issuer, ui.audience, ui.tolerance, ui.now]) input.addEventListener('input', schedule);
  for (const box of document.querySelectorAll('input[name=alg]')) box.addEventListener('change', update);
  $('example').addEventListener('click', () => loadExample(example));
  $('example-es256').addEventListener('click', () => loadExample(example.es256));
  ui.fetch.addEventListener('click', fetchKeys);
  window.addEventListener('hashchange', readFragment);
  try {
    await init();
  } catch (e) {
    setStatus(ui.tokenStatus, `The verifier (WebAssembly) could not load: ${e.message}. Serve this folder over http(s); file:// does not work.`, 'error');
    return;
  }
  ready = true;
  $('version').textContent = version();
  document.body.dataset.ready = 'true';
  update();
  readFragment();
}

main();
