// Builds DOM from untrusted values with text nodes only (never innerHTML), and renders JSON
// pretty-printed and coloured as nested spans. Untrusted text goes through `shown`, which writes
// invisible and bidi control characters as escapes (`\u200B`), each marked and named.

import { charName, revealPieces } from './format.js';

/** `el('td', {class: 'x'}, 'text', node)`: attributes are set as properties or attributes, children as text. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

/** Empties a node and appends children. */
export function fill(node, ...children) {
  node.replaceChildren();
  for (const c of children.flat()) if (c !== undefined && c !== null && c !== false) node.append(c instanceof Node ? c : String(c));
  return node;
}

/** Untrusted text as nodes: plain text, with each invisible character shown as its escape. */
export function shown(text) {
  return revealPieces(String(text)).map((p) => (p.hidden ? el('span', { class: 'esc', title: charName(p.hidden) }, p.text) : document.createTextNode(p.text)));
}

const MAX_DEPTH = 64;

/**
 * An object's members, including a `__proto__` member of the JSON: a converter that assigns
 * properties turns it into the object's prototype, which hides it from Object.entries.
 */
export function members(obj) {
  const entries = Object.entries(obj);
  const proto = Object.getPrototypeOf(obj);
  if (proto !== null && proto !== Object.prototype) entries.push(['__proto__', proto]);
  return entries;
}

/** JSON as a fragment of coloured spans, indented by two spaces, keys in the order the decoder gives. */
export function jsonView(value) {
  const frag = document.createDocumentFragment();
  const out = (cls, text) => frag.append(cls ? el('span', { class: cls }, text) : document.createTextNode(text));
  const walk = (v, indent, depth) => {
    if (depth > MAX_DEPTH) return out('j-more', '…');
    if (v === null) return out('j-null', 'null');
    if (Array.isArray(v)) {
      if (v.length === 0) return out('j-punct', '[]');
      out('j-punct', '[');
      v.forEach((item, i) => {
        out(null, `\n${indent}  `);
        walk(item, indent + '  ', depth + 1);
        if (i < v.length - 1) out('j-punct', ',');
      });
      out(null, `\n${indent}`);
      return out('j-punct', ']');
    }
    switch (typeof v) {
      case 'string': return frag.append(el('span', { class: 'j-str' }, shown(JSON.stringify(v))));
      case 'number': return out('j-num', String(v));
      case 'boolean': return out('j-bool', String(v));
      case 'object': {
        const entries = members(v);
        if (entries.length === 0) return out('j-punct', '{}');
        out('j-punct', '{');
        entries.forEach(([k, item], i) => {
          out(null, `\n${indent}  `);
          frag.append(el('span', { class: 'j-key' }, shown(JSON.stringify(k))));
          out('j-punct', ': ');
          walk(item, indent + '  ', depth + 1);
          if (i < entries.length - 1) out('j-punct', ',');
        });
        out(null, `\n${indent}`);
        return out('j-punct', '}');
      }
      default: return out(null, String(v));
    }
  };
  walk(value, '', 0);
  return frag;
}

/** A short one-line form of a value for tables, cut at `max` characters. */
export function brief(v, max = 200) {
  const s = typeof v === 'string' ? v : JSON.stringify(v) ?? String(v);
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
