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
