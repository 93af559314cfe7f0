// The "Vault role" panel: a Vault role (and, optionally, the mount's config) against the token
// and keys above, every check of Vault's JWT login (or, for a Kubernetes role, of its Kubernetes
// login up to TokenReview, which the page cannot ask) in Vault's order and words, as `jwksgate
// explain` prints them. The rules are the gate's own (src/gate/, `explainLogin`), in a second
// wasm under gate/ that the page fetches only when the panel is first opened: the first load
// stays as small as before. Every verdict comes from that wasm; this file only shows it.
import { el, fill, shown } from './dom.js';

const DEBOUNCE_MS = 150;
const WORDS = { passed: 'passed', failed: 'FAILED', skipped: 'skipped', not_reached: 'not reached' };

let gateModule = null;
/** The gate's wasm, fetched and instantiated once, on first use. */
function loadGate() {
  gateModule ??= import('../gate/jwksgate.js').then(async (m) => {
    await m.default();
    return m;
  });
  return gateModule;
}

/**
 * Wires the panel. `inputs()` gives what the rest of the page has: `{ token, keys, keysIssuer,
 * now }` (keys: the key box's text or null; keysIssuer: the issuer they were fetched for, null
 * when pasted; now: seconds). Which keys Vault would use, and whether PEM keys are tried
 * whatever the kid, the gate's wasm decides from those. Returns `refresh()`, for the page to call
 * when those change.
 */
export function vaultPanel(inputs) {
  const $ = (id) => document.getElementById(id);
  const ui = {
    panel: $('vault-panel'), role: $('vault-role'), config: $('vault-config'), name: $('vault-role-name'),
    remote: $('vault-remote'), status: $('vault-status'), verdict: $('vault-verdict'), checks: $('vault-checks'),
  };
  let timer;
  let runs = 0;

  function verdict(state, title, detail = []) {
    ui.verdict.className = `verdict ${state === 'allowed' ? 'verified' : state === 'refused' || state === 'error' ? 'failed' : 'neutral'}`;
    ui.verdict.dataset.state = state;
    fill(ui.verdict, el('p', { class: 'verdict-title' }, title), detail.map((d) => el('p', { class: 'verdict-detail' }, shown(d))));
  }

  function showChecks(checks) {
    fill(ui.checks.tBodies[0], checks.map((c) => el('tr', { 'data-check': c.check, 'data-outcome': c.outcome, class: `outcome-${c.outcome}` },
      el('td', { class: 'mono' }, c.claim ? `${c.check} (${c.claim})` : c.check),
      el('td', {}, WORDS[c.outcome] ?? c.outcome, c.unverified && c.outcome !== 'not_reached' ? ' (on unverified claims)' : ''),
      el('td', {}, shown(c.detail)),
      el('td', { class: 'mono' }, c.error ? shown(c.error.message) : ''))));
    ui.checks.hidden = checks.length === 0;
  }

  async function run() {
    clearTimeout(timer);
    if (!ui.panel.open) return;
    const mine = ++runs;
    const role = ui.role.value.trim();
    showChecks([]);
    if (!role) {
      verdict('neutral', 'No role yet', ['Paste a role: the output of vault read -format=json auth/jwt/role/NAME, its parameters, or the gate\'s ROLES.']);
      return done(mine);
    }
    const { token, keys, keysIssuer, now } = inputs();
    if (!token) {
      verdict('neutral', 'No token yet', ['Paste a token above.']);
      return done(mine);
    }
    try {
      const gate = await loadGate();
      if (mine !== runs) return undefined;
      ui.status.textContent = '';
      const e = gate.explainLogin(role, ui.config.value.trim() || null, ui.name.value.trim() || null, token, keys ?? null, keysIssuer ?? null, ui.remote.value.trim() || null, now);
      showChecks(e.checks);
      if (e.method === 'kubernetes' && !e.allowed && !e.failure) {
        // Vault's Kubernetes method: the API server's TokenReview has the last word.
        verdict('neutral', 'TokenReview was not asked', ['Every check Vault makes before TokenReview passed; the cluster decides the rest (a deleted pod or secret, or a recreated ServiceAccount, is refused there).']);
      } else if (e.allowed) {
        const l = e.login;
        verdict('allowed', 'Vault would log this token in', [`Alias ${l.alias}, policies ${l.policies.join(', ')}, TTL ${l.ttl} s.`, `Keys: ${e.keys}.`, ...l.warnings.map((w) => `Vault's warning: ${w}`)]);
      } else {
        verdict('refused', 'Vault would refuse this login', [`At check ${e.failure?.check}, Vault answers: ${e.failure?.message ?? 'login refused'}`]);
      }
      ui.verdict.dataset.failedCheck = e.failure?.check ?? '';
    } catch (err) {
      if (mine !== runs) return undefined;
      const code = typeof err?.code === 'string' ? err.code : 'ERROR';
      verdict('error', 'This role cannot be evaluated', [`${code}: ${err?.message ?? err}`]);
    }
    return done(mine);
  }

  function done(mine) {
    if (mine === runs) document.body.dataset.vaultUpdates = String(Number(document.body.dataset.vaultUpdates ?? 0) + 1);
  }

  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(run, DEBOUNCE_MS);
  };
  for (const input of [ui.role, ui.config, ui.name, ui.remote]) input.addEventListener('input', schedule);
  ui.panel.addEventListener('toggle', () => {
    if (!ui.panel.open) return;
    if (!gateModule) ui.status.textContent = 'Loading Vault\'s rules (the gate\'s wasm)…';
    run();
  });
  return { refresh: schedule };
}
