// Unit tables for the page's pure helpers (lib/format.js, lib/claims.js), run by Node directly:
// the wording of times and the warnings raised for each kind of token.
import { test } from 'node:test';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { asciiUrl, duration, parseWhen, relative, revealText } from '../lib/format.js';
import { hiddenCharacters, warnings, timePhrase } from '../lib/claims.js';

test('durations read like a person would say them', () => {
  const table = [
    [0, '0 s'], [59, '59 s'], [60, '1 min'], [3599, '59 min'], [3600, '1 h'], [7140, '1 h 59 min'],
    [86400, '1 day'], [90000, '1 day 1 h'], [3 * 86400 + 100, '3 days'], [800 * 86400, '2 years'],
  ];
  for (const [s, want] of table) assert.equal(duration(s), want, `${s} s`);
  assert.equal(relative(100 + 7140, 100), 'in 1 h 59 min');
  assert.equal(relative(100, 100 + 3 * 86400), '3 days ago');
  assert.equal(timePhrase('exp', 1000 + 7140, 1000), 'expires in 1 h 59 min');
  assert.equal(timePhrase('exp', 1000, 1000 + 3 * 86400), 'expired 3 days ago');
});

test('the evaluation time accepts only unambiguous input', () => {
  const clock = () => 1795856400123;
  const table = [
    ['', 1795856400], ['  ', 1795856400], ['1795856400', 1795856400], ['2026-11-28T09:00:00Z', 1795856400],
    ['2026-11-28 09:00:00Z', 1795856400], ['2026-11-28T10:00:00+01:00', 1795856400], ['2026-11-28', 1795824000],
  ];
  for (const [text, want] of table) assert.equal(parseWhen(text, clock), want, text);
  // No time zone would make the answer depend on where the browser is.
  for (const bad of ['2026-11-28T09:00:00', 'tomorrow', '12e3', '-5', '2026-02-30T00:00:00Z x']) {
    assert.throws(() => parseWhen(bad, clock), Error, bad);
  }
});

test('warnings for each kind of token', () => {
  const now = 1795856400;
  const rs = { alg: 'RS256', kid: 'k' };
  const table = [
    [rs, { iat: now, exp: now + 3600 }, null, []],
    [rs, { iat: now - 7200, exp: now - 3600 }, null, ['expired']],
    [rs, { iat: now - 7200, exp: now - 30 }, null, [], 60],
    [rs, { nbf: now + 60, exp: now + 3600 }, null, ['not-yet-valid']],
    [rs, { iat: now }, null, ['no-exp']],
    [rs, { iat: now, exp: now + 86401 }, null, ['long-lived']],
    [rs, { iat: now, exp: 'soon' }, null, ['bad-exp']],
    [{ alg: 'none' }, { exp: now + 60 }, null, ['alg-none']],
    [{ alg: 'HS512' }, { exp: now + 60 }, null, ['alg-hmac']],
    [{ ...rs, jku: 'x', x5u: 'y', jwk: {}, x5c: [] }, { exp: now + 60 }, null, ['header-jku', 'header-x5u', 'header-jwk', 'header-x5c']],
    [rs, { iss: 'kubernetes/serviceaccount', sub: 'system:serviceaccount:a:b' }, { legacy: true, subjectMatches: true, subject: 'system:serviceaccount:a:b' }, ['k8s-legacy']],
    [rs, { exp: now + 60, sub: 'x' }, { legacy: false, subjectMatches: false, subject: 'system:serviceaccount:a:b' }, ['k8s-sub']],
    [rs, { exp: now + 60, 'kubernetes.io': { warnafter: 1e300 } }, null, ['bad-warnafter']],
    [rs, { exp: now + 60, 'kubernetes.io': { warnafter: now } }, null, []],
    [rs, { exp: now + 60, 'su\u200Bb': 'x' }, null, ['invisible-chars']],
    [{ ...rs, kid: 'k\u202E' }, { exp: now + 60 }, null, ['invisible-chars']],
    [rs, { exp: now + 60, iss: 'https://kubernetes.default.sv\u0441' }, null, ['iss-idn']],
  ];
  for (const [header, payload, identity, want, tolerance] of table) {
    const got = warnings({ header, payload, identity, now, tolerance }).map((w) => w.id);
    assert.deepEqual(got, want, JSON.stringify(payload));
  }
});

test('invisible and bidi control characters are written as escapes; everything else as is', () => {
  const table = [
    ['sub', 'sub'], ['su\u200Bb', 'su\\u200Bb'], ['\u202Ebus\u202C', '\\u202Ebus\\u202C'], ['a\tb\nc', 'a\\tb\\nc'],
    ['no\u00A0break', 'no\\u00A0break'], ['tag\u{E0041}', 'tag\\u{E0041}'], ['lone \uD800', 'lone \\uD800'],
    ['\uFEFFbom', '\\uFEFFbom'], ['é日本 ok', 'é日本 ok'], ['\u0441yrillic', '\u0441yrillic'],
  ];
  for (const [text, want] of table) assert.equal(revealText(text), want, JSON.stringify(text));
  assert.deepEqual(hiddenCharacters({ sub: 'x', 'su\u200Bb': 'y', k: { v: ['ok', 'a\u2066'] } }).map((h) => h.path), ['su\\u200Bb', 'k.v[1]']);
});

test('URLs are shown as fetched: ASCII host, no credentials', () => {
  const table = [
    ['https://kubernetes.default.sv\u0441', 'https://kubernetes.default.xn--sv-pmc'],
    ['https://issuer.example', 'https://issuer.example'], ['https://issuer.example/', 'https://issuer.example/'],
    ['https://user:pw@issuer.example/id/1', 'https://issuer.example/id/1'], ['HTTPS://Issuer.Example/A', 'https://issuer.example/A'],
    ['not a url', null],
  ];
  for (const [text, want] of table) assert.equal(asciiUrl(text), want, text);
});

test('the page never turns strings into markup or code', () => {
  const root = join(import.meta.dirname, '..');
  const files = ['app.js', 'example.js', ...readdirSync(join(root, 'lib')).map((f) => join('lib', f))];
  const sinks = /\.innerHTML|\.outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function|setTimeout\(['"`]|srcdoc|javascript:/;
  assert.ok(files.length >= 7);
  for (const f of files) {
    readFileSync(join(root, f), 'utf8').split('\n').forEach((line, i) => {
      assert.doesNotMatch(line, sinks, `${f}:${i + 1}`);
    });
  }
  // The one page, with no inline script or style for the CSP to have to allow.
  const html = readFileSync(join(root, 'index.html'), 'utf8');
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>|<style|\son[a-z]+=|style="/i);
});
