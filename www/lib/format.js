// Times and sizes as people read them: NumericDate (RFC 7519 section 2) as UTC and local dates,
// and "in 1 h 59 min" / "3 days ago" relative to the evaluation time.

/** "1 h 59 min", "3 days", "42 s" for a non-negative number of seconds. */
export function duration(seconds) {
  const s = Math.floor(Math.abs(seconds));
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 24) return min % 60 ? `${h} h ${min % 60} min` : `${h} h`;
  const days = Math.floor(h / 24);
  if (days < 2) return h % 24 ? `1 day ${h % 24} h` : '1 day';
  if (days < 730) return `${days} days`;
  return `${Math.floor(days / 365.25)} years`;
}

/** "in 1 h 59 min" or "3 days ago" for `t` seen from `now` (both in seconds). */
export function relative(t, now) {
  if (t === now) return 'now';
  return t > now ? `in ${duration(t - now)}` : `${duration(now - t)} ago`;
}

/** Whether a claim value is a usable NumericDate (a finite number of seconds, JS-Date range). */
export function isNumericDate(v) {
  return typeof v === 'number' && Number.isFinite(v) && Math.abs(v) <= 8.64e12;
}

/** "2026-11-28 09:00:00 UTC". */
export function utc(t) {
  return new Date(t * 1000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

/** The date in the browser's own time zone and locale. */
export function local(t) {
  return new Date(t * 1000).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'long' });
}

/** "1.0 MB", "64 KB", "980 bytes". */
export function bytes(n) {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${Math.round(n / 1024)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * Parses the "evaluate at" field: empty means the wall clock, digits are seconds since the epoch,
 * anything else must be a date with a time zone (ISO 8601), so the result never depends on where
 * the page runs. Returns seconds, or throws an Error with a message for the user.
 */
export function parseWhen(text, clock = Date.now) {
  const s = text.trim();
  if (s === '') return Math.floor(clock() / 1000);
  if (/^\d{1,12}$/.test(s)) return Number(s);
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(s) && !/^\d{4}-\d{2}-\d{2}$/.test(s)) {
    throw new Error('Use a date with a time zone, like 2026-11-28T09:10:00Z, or seconds since 1970.');
  }
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T00:00:00Z` : s.replace(' ', 'T'));
  if (!Number.isFinite(ms)) throw new Error('That date does not exist.');
  return Math.floor(ms / 1000);
}

/**
 * Characters that do not show as themselves: controls (C0, C1), format characters (zero-width
 * spaces and joiners, bidi embeddings, overrides and isolates, the BOM, tags), line and paragraph
 * separators, lone surrogates, spaces other than U+0020, and the blank letters and variation
 * selectors. In a claim name or value they can make one claim pass for another (`su\u200Bb`
 * beside `sub`, `\u202Ebus\u202C` displayed as "sub").
 */
export const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000\u034F\u115F\u1160\u17B4\u17B5\u180B-\u180F\u2800\u3164\uFE00-\uFE0F\uFFA0\u{E0100}-\u{E01EF}]/u;
const INVISIBLE_ALL = new RegExp(INVISIBLE.source, 'gu');

const NAMES = {
  0x09: 'CHARACTER TABULATION', 0x0a: 'LINE FEED', 0x0d: 'CARRIAGE RETURN', 0xa0: 'NO-BREAK SPACE', 0xad: 'SOFT HYPHEN',
  0x200b: 'ZERO WIDTH SPACE', 0x200c: 'ZERO WIDTH NON-JOINER', 0x200d: 'ZERO WIDTH JOINER', 0x200e: 'LEFT-TO-RIGHT MARK',
  0x200f: 'RIGHT-TO-LEFT MARK', 0x202a: 'LEFT-TO-RIGHT EMBEDDING', 0x202b: 'RIGHT-TO-LEFT EMBEDDING',
  0x202c: 'POP DIRECTIONAL FORMATTING', 0x202d: 'LEFT-TO-RIGHT OVERRIDE', 0x202e: 'RIGHT-TO-LEFT OVERRIDE',
  0x2060: 'WORD JOINER', 0x2066: 'LEFT-TO-RIGHT ISOLATE', 0x2067: 'RIGHT-TO-LEFT ISOLATE', 0x2068: 'FIRST STRONG ISOLATE',
  0x2069: 'POP DIRECTIONAL ISOLATE', 0x2028: 'LINE SEPARATOR', 0x2029: 'PARAGRAPH SEPARATOR', 0xfeff: 'ZERO WIDTH NO-BREAK SPACE',
};

/** `\u200B`, `\t`, `\u{E0041}`: how a hidden character is written in a JS or JSON string. */
export function escapeChar(ch) {
  const cp = ch.codePointAt(0);
  const short = { 0x09: '\\t', 0x0a: '\\n', 0x0d: '\\r' }[cp];
  if (short) return short;
  return cp > 0xffff ? `\\u{${cp.toString(16).toUpperCase()}}` : `\\u${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** "U+200B ZERO WIDTH SPACE". */
export function charName(ch) {
  const cp = ch.codePointAt(0);
  const hex = cp.toString(16).toUpperCase().padStart(4, '0');
  return NAMES[cp] ? `U+${hex} ${NAMES[cp]}` : `U+${hex}`;
}

/** The text in pieces: `{ text }` as is, `{ text, hidden }` for each invisible character (escaped). */
export function revealPieces(text) {
  const out = [];
  let at = 0;
  for (const m of text.matchAll(INVISIBLE_ALL)) {
    if (m.index > at) out.push({ text: text.slice(at, m.index) });
    out.push({ text: escapeChar(m[0]), hidden: m[0] });
    at = m.index + m[0].length;
  }
  if (at < text.length) out.push({ text: text.slice(at) });
  return out;
}

/** The text with every invisible character escaped, for messages. */
export function revealText(text) {
  return revealPieces(String(text)).map((p) => p.text).join('');
}

/**
 * A URL as it is fetched: the host in ASCII (an internationalised name in its punycode form,
 * `xn--...`), user name and password left out. Without the slash `URL` adds to a bare origin,
 * so `https://issuer.example` reads as given. `null` when `text` is not a URL.
 */
export function asciiUrl(text) {
  let url;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  url.username = '';
  url.password = '';
  const href = url.href;
  return url.pathname === '/' && !url.search && !url.hash && !/\/$/.test(text) && href.endsWith('/') ? href.slice(0, -1) : href;
}
