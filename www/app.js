// The inspector's page logic: reads the inputs, asks the jwksgate package to decode and verify,
// and shows the results with text nodes only. Every accept/reject comes from the package.
import init, {
  decodeUnverified, Verifier, importPublicKeyPem, jwkThumbprint, kubernetesKeyId, kubernetesIdentity, version,
} from './pkg/jwksgate.js';
import * as example from './example.js';
import { CLAIMS, HEADER_PARAMS, TIME_CLAIMS, timePhrase, warnings } from './lib/claims.js';
import { discoveryUrl, fetchIssuerKeys } from './lib/discovery.js';
import { brief, el, fill, jsonView, members } from './lib/dom.js';
import { bytes, isNumericDate, local, parseWhen, utc } from './lib/format.js';
import { readKeys } from './lib/keys.js';

/** The package's default maxTokenBytes: larger input is refused before any decoding. */
const MAX_TOKEN_BYTES = 65536;
/** Size in UTF-8 bytes, as the package counts a token (a string's length counts UTF-16 units). */
const utf8Length = (s) => new TextEncoder().encode(s).length;
const DEBOUNCE_MS = 150;
const pkg = { importPublicKeyPem, jwkThumbprint, kubernetesKeyId };
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
/** The parsed key box, rebuilt only when its text changes. */
let keyState = { text: null, verifier: null, info: null, error: null };

function schedule() {
  clearTimeout(timer);
  timer = setTimeout(update, DEBOUNCE_MS);
}

function setStatus(node, text, kind = '') {
  node.textContent = text;
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
    children.push(el('span', { class: cls }, text));
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
  return el('td', { class: 'mono' }, brief(value));
}

function renderTable(table, obj, meanings, now) {
  const rows = members(obj).map(([name, value]) => el('tr', { 'data-name': name },
    el('th', { scope: 'row', class: 'mono' }, name),
    valueCell(name, value, now),
    el('td', {}, meanings[name] ?? (table === ui.claims ? 'Private claim: meaning set by the issuer.' : 'Not a registered header parameter.'))));
  fill(table.tBodies[0], rows);
}

function renderKubernetes(identity, now) {
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
    ['Refresh after (warnafter)', identity.warnAfter !== undefined ? `${utc(identity.warnAfter)}, ${timePhrase('', identity.warnAfter, now)}` : undefined],
    ['Implied subject', `${identity.subject}${identity.subjectMatches ? ' (matches sub)' : ' (differs from sub!)'}`],
    ['Kind', identity.legacy ? 'Legacy secret-based token (never expires)' : 'Projected token (bound, expiring)'],
  ];
  fill(ui.k8s, items.filter(([, v]) => v !== undefined).flatMap(([k, v]) => [el('dt', {}, k), el('dd', { class: 'mono' }, v)]));
  ui.k8sPanel.hidden = false;
}

function renderWarnings(list) {
  fill(ui.warnings, list.map((w) => el('li', { 'data-id': w.id }, w.text)));
  ui.warningsPanel.hidden = list.length === 0;
}

function setVerdict(state, title, detail = [], code) {
  ui.verdict.className = `verdict ${state}`;
  ui.verdict.dataset.state = state;
  fill(ui.verdict,
    el('p', { class: 'verdict-title' }, title),
    code ? el('p', { class: 'verdict-code mono' }, code) : null,
    detail.map((d) => el('p', { class: 'verdict-detail' }, d)));
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
  fill(ui.matched, items.filter(([, v]) => v !== undefined).flatMap(([k, v]) => [el('dt', {}, k), el('dd', { class: 'mono' }, v)]));
  ui.matched.hidden = false;
}

function updateKeys() {
  const text = ui.keys.value;
  if (text === keyState.text) return;
  keyState.verifier?.free();
  keyState = { text, verifier: null, info: null, error: null };
  fill(ui.keyList.tBodies[0]);
  ui.keyList.hidden = true;
  if (text.trim() === '') {
    setStatus(ui.keysStatus, '');
    return;
  }
  try {
    keyState.info = readKeys(text, pkg);
    keyState.verifier = new Verifier(keyState.info.jwks);
    const n = keyState.info.list.length;
    setStatus(ui.keysStatus, `Read ${keyState.info.kind}${n > 1 ? ` with ${n} keys` : ''}.`, 'ok');
  } catch (e) {
    keyState.error = describeError(e);
    setStatus(ui.keysStatus, `These keys cannot be used: ${keyState.error.code}: ${keyState.error.message}`, 'error');
  }
  const list = keyState.info?.list ?? [];
  fill(ui.keyList.tBodies[0], list.map((r) => el('tr', { 'data-thumbprint': r.thumbprint ?? '' },
    el('td', { class: 'mono' }, r.kid ?? '(none)'),
    r.error ? el('td', { colspan: 2 }, `not usable: ${r.error}`) : el('td', { class: 'mono' }, r.thumbprint),
    r.error ? null : el('td', { class: 'mono' }, r.kubernetesKeyId),
    el('td', {}, [r.kty, r.alg, r.use].filter((x) => typeof x === 'string').join(' · ')))));
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

function verifyToken(token, now, decoded) {
  for (const row of ui.keyList.tBodies[0].rows) row.classList.remove('matched');
  renderMatched(null);
  if (!token) return setVerdict('neutral', 'Not verified', ['Paste a token and the issuer\'s keys.']);
  if (now === null) return setVerdict('failed', 'Not verified', ['Fix the evaluation time first.']);
  if (keyState.error) return setVerdict('failed', 'Not verified', [`The keys cannot be used: ${keyState.error.message}`], keyState.error.code);
  if (!keyState.verifier) {
    return setVerdict('neutral', 'Not verified', ['No keys yet. Paste the issuer\'s JWKS or PEM public key, or fetch them with the button below.']);
  }
  const opts = options(now);
  let key;
  try {
    const res = keyState.verifier.verify(token, opts);
    key = res.key;
    setVerdict('verified', 'Verified', [`Signature and claims accepted at ${utc(now)} by key ${key.kid ?? key.thumbprint}.`]);
    renderMatched(key, 'signed the token');
  } catch (e) {
    const err = describeError(e);
    const detail = [err.message];
    // Which key signed it, judged by the package without the claim checks, explains many refusals.
    try {
      const jws = keyState.verifier.verifyJws(token, { algorithms: opts.algorithms, currentDate: now });
      key = jws.key;
      detail.push(`The signature itself is valid (key ${key.kid ?? key.thumbprint}); the claims were refused.`);
      renderMatched(key, 'signature valid, claims refused');
    } catch { /* the same failure, nothing to add */ }
    if (!decoded && err.code === 'ERR_JWT_INVALID') detail.push('The input is not a well-formed JWT.');
    setVerdict('failed', 'Not verified', detail, err.code);
  }
  if (key) {
    for (const row of ui.keyList.tBodies[0].rows) if (row.dataset.thumbprint === key.thumbprint) row.classList.add('matched');
  }
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
    ui.fetchTarget.textContent = `Requests ${url}, then the jwks_uri it names. Only when pressed.`;
  } catch (e) {
    ui.fetch.disabled = true;
    ui.fetchTarget.textContent = e.message;
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
    setStatus(ui.tokenStatus, `Decoded: ${brief(header.alg, 20)} header, ${members(payload).length} claims, ${sigBytes}-byte signature. Decoding proves nothing; see Verification.`, 'ok');
    const evalAt = now ?? Math.floor(Date.now() / 1000);
    renderWarnings(warnings({ header, payload, identity, now: evalAt, tolerance: tolerance() }));
    renderTable(ui.claims, payload, CLAIMS, evalAt);
    renderTable(ui.headerParams, header, HEADER_PARAMS, evalAt);
    fill(ui.headerJson, jsonView(header));
    fill(ui.payloadJson, jsonView(payload));
    ui.decodedPanel.hidden = false;
    renderKubernetes(identity, evalAt);
  }
  updateFetchButton(decoded?.payload);
  verifyToken(token, now, decoded);
  updates += 1;
  document.body.dataset.updates = String(updates);
}

async function fetchKeys() {
  const issuer = ui.fetch.dataset.issuer;
  if (!issuer) return;
  ui.fetch.disabled = true;
  setStatus(ui.fetchStatus, `Fetching the keys of ${issuer}…`);
  try {
    const { jwksUri, text } = await fetchIssuerKeys(issuer);
    ui.keys.value = text;
    setStatus(ui.fetchStatus, `Fetched the key set from ${jwksUri}.`, 'ok');
    update();
  } catch (e) {
    setStatus(ui.fetchStatus, e.message, 'error');
  } finally {
    ui.fetch.disabled = !ui.fetch.dataset.issuer;
  }
}

function loadExample() {
  ui.token.value = example.token;
  ui.keys.value = JSON.stringify(example.jwks, null, 2);
  ui.issuer.value = example.issuer;
  ui.audience.value = example.audience;
  ui.now.value = example.evaluateAt;
  setStatus(ui.fetchStatus, `Example loaded, evaluated at ${example.evaluateAt}, inside its one-hour lifetime. Empty "Evaluate at" to see it expire.`);
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
  update();
}

async function main() {
  for (const input of [ui.token, ui.keys, ui.issuer, ui.audience, ui.tolerance, ui.now]) input.addEventListener('input', schedule);
  for (const box of document.querySelectorAll('input[name=alg]')) box.addEventListener('change', update);
  $('example').addEventListener('click', loadExample);
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
