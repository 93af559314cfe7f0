// The wasm instance's health as a tested property. A JS exception that unwinds through wasm
// frames skips their epilogues: Rust destructors do not run (allocations and externref slots
// leak), wasm-bindgen's borrow of `this` is not released, and the shadow-stack pointer is not
// restored, so after a few hundred such calls every export traps ("memory access out of
// bounds") for the rest of the process. Every hostile argument of pkg-tests/hostile.mjs must
// come back as an error value: checked row by row, then by the stack pointer itself after each
// call, then by many thousands of calls in one process followed by a good verify.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as jwksgate from 'jwksgate';
import { fixtures, outcome, rows } from './hostile.mjs';
import { exportStackPointer } from './wasm-stack.mjs';
// The web glue, which the package's exports no longer name (its browser entry wraps it): found beside package.json.
const GLUE = new URL('./jwksgate.js', import.meta.resolve('jwksgate/package.json'));

const table = JSON.parse(readFileSync(new URL('../tests/attacks.json', import.meta.url), 'utf8'));
const control = table.cases.find((c) => /^control: RS256/.test(c.name));
const f = fixtures(table.defaultJwks, control.token, control.options.currentDate);
const ROUNDS = Number(process.env.JWKSGATE_HOSTILE_ROUNDS ?? 2000);

/** The option a row's name starts with ("issuer: ..."), which its error message must name. */
const optionOf = (name) => /^(algorithms|issuer|audience|currentDate|options)\b/.exec(name)?.[1];

test(`hostile arguments: ${rows().length} rows, each an error value with a code, or the right answer`, () => {
  const verifier = new jwksgate.Verifier(f.jwksText);
  const failures = [];
  for (const [name, finding, call, expect] of rows()) {
    let message = '';
    const got = outcome(() => {
      try {
        return call(jwksgate, f, verifier);
      } catch (e) {
        message = String(e?.message);
        throw e;
      }
    });
    if (got !== expect) failures.push(`${name} (finding ${finding}): got ${got}, expected ${expect}`);
    const option = optionOf(name);
    if (got === 'ERR_INVALID_ARGUMENT' && option && option !== 'options' && !message.includes(`option ${option}`)) {
      failures.push(`${name}: the message does not name option ${option}: ${message}`);
    }
  }
  assert.deepEqual(failures, []);
  verifier.free();
});

test('the shadow-stack pointer and the externref table are where they were after every hostile call', async () => {
  // A second instance of the glue on a copy of the module that exports its stack pointer.
  const glue = await import(`${GLUE.href}?stack-pointer`);
  const bytes = readFileSync(new URL(import.meta.resolve('jwksgate/jwksgate_bg.wasm')));
  const wasm = glue.initSync({ module: exportStackPointer(bytes) });
  const sp = () => wasm.__stack_pointer.value;
  const verifier = new glue.Verifier(f.jwksText);
  const pass = () => {
    const leaks = [];
    for (const [name, , call] of rows()) {
      const before = sp();
      outcome(() => call(glue, f, verifier));
      if (sp() !== before) leaks.push(`${name}: ${before - sp()} bytes of stack`);
    }
    return leaks;
  };
  assert.deepEqual(pass(), []);
  // After one pass every slot the rows need has been made once; more passes must reuse them.
  const slots = wasm.__wbindgen_externrefs.length;
  for (let i = 0; i < 20; i++) assert.deepEqual(pass(), []);
  assert.equal(wasm.__wbindgen_externrefs.length, slots, 'the externref table grew: some call left values behind');
  verifier.free();
});

test(`stress: every hostile row ${ROUNDS.toLocaleString('en')} times in one process, then a good token verifies, memory is flat and free() works`, () => {
  const wasm = jwksgate.initSync({ module: new Uint8Array(0) });
  const verifier = new jwksgate.Verifier(f.jwksText, { issuer: f.issuer });
  const all = rows();
  const run = () => {
    for (const [name, , call, expect] of all) {
      const got = outcome(() => call(jwksgate, f, verifier));
      if (got !== expect) assert.fail(`${name}: got ${got}, expected ${expect}`);
    }
  };
  run(); // warm-up: each row reaches its peak allocation once
  const memory = wasm.memory.buffer.byteLength;
  const slots = wasm.__wbindgen_externrefs.length;
  const t0 = performance.now();
  for (let i = 0; i < ROUNDS; i++) run();
  const seconds = (performance.now() - t0) / 1000;
  console.log(`stress: ${(ROUNDS * all.length).toLocaleString('en')} calls in ${seconds.toFixed(1)} s; wasm memory ${memory} -> ${wasm.memory.buffer.byteLength} bytes, externref table ${slots} -> ${wasm.__wbindgen_externrefs.length}`);
  assert.equal(wasm.memory.buffer.byteLength, memory, 'wasm memory grew during the run');
  assert.equal(wasm.__wbindgen_externrefs.length, slots, 'the externref table grew during the run');
  assert.equal(verifier.verify(f.token, { currentDate: f.now }).payload.iss, f.issuer);
  assert.equal(jwksgate.decodeUnverified(f.token).payload.iss, f.issuer);
  verifier.free();
  assert.throws(() => verifier.verify(f.token), { code: 'ERR_INVALID_ARGUMENT' });
});

test('the glue lets no JS exception into wasm: no import it gives Rust can throw', () => {
  // Rust reads the caller's values only through crossing.js, whose functions return every
  // exception as a value; the other imports are wasm-bindgen's and js-sys's, each listed here
  // with why it cannot throw for the values Rust passes it, or wrapped in handleError (`catch`).
  const glueUrl = GLUE;
  const glue = readFileSync(glueUrl, 'utf8');
  const block = glue.slice(glue.indexOf('const import0 = {'), glue.indexOf('\n    };', glue.indexOf('const import0 = {')));
  const imports = block.split(/\n(?= {8}\w+: function)/).slice(1).map((text) => {
    const full = /^ {8}(\w+):/.exec(text)[1];
    return [full, /^__wbg_(\w+?)_[0-9a-f]{16}$/.exec(full)?.[1] ?? full, text];
  });
  assert.ok(imports.length > 10, `found only ${imports.length} imports`);
  const safe = {
    __wbindgen_is_null: 'a comparison', __wbindgen_is_object: 'typeof', __wbindgen_is_string: 'typeof',
    __wbindgen_is_undefined: 'a comparison', __wbindgen_is_falsy: 'a negation', __wbindgen_jsval_eq: 'a comparison',
    __wbindgen_number_get: 'typeof, then a number', __wbindgen_string_get: 'typeof, then a string',
    __wbindgen_throw: "wasm-bindgen's own, for a null or borrowed `this`, which the glue's livePointer guard stops first",
    iterator: 'Symbol.iterator', ok: 'on an outcome crossing.js made', value: 'on an outcome crossing.js made',
    key: 'on an outcome crossing.js made', get_unchecked: 'indexes an array crossing.js made',
    length: 'on primitive strings and on Uint8Arrays crossing.js made', prototypesetcall: 'copies from a Uint8Array crossing.js made',
    new: 'new Error(message) and new Array()', new_from_slice: 'new Uint8Array from wasm memory', set_name: 'on an Error the package made',
    fromCode: 'errors.mjs: an error of its own classes from strings Rust made, no value of the caller',
  };
  const bad = [];
  for (const [full, name, body] of imports) {
    if (full.startsWith('__wbindgen_')) continue; // casts and the externref table's set-up
    if (body.includes('handleError(')) continue;
    if (/= crossing\w+\(/.test(body)) continue; // a crossing.js function, checked below
    if (!(name in safe)) bad.push(`${full}: ${body.replace(/\s+/g, ' ').slice(0, 120)}`);
  }
  assert.deepEqual(bad, []);
  // Every function of crossing.js is one try/catch (after at most one declaration) that returns a value.
  const snippet = /from "\.\/(snippets\/[^"]+crossing\.js)"/.exec(glue)?.[1];
  assert.ok(snippet, 'the glue imports crossing.js');
  const crossing = readFileSync(new URL(snippet, glueUrl), 'utf8');
  const functions = [...crossing.matchAll(/^export function (\w+)\([^)]*\) \{\n([\s\S]*?)\n\}$/gm)];
  assert.ok(functions.length >= 7, `crossing.js exports ${functions.length} functions`);
  for (const [, name, body] of functions) {
    assert.match(body, /^(?: {2}let \w+;\n)? {2}try \{\n[\s\S]*\n {2}\} catch \(e\) \{\n {4}return failed\(e(?:, \w+)?\);\n {2}\}$/, name);
  }
  // No argument is converted by the glue: `&str` and `&[u8]` parameters made it copy a value of
  // any type with `length` it never checked, and a number made it free memory it never had.
  const exported = glue.split('function __wbg_get_imports')[0];
  assert.doesNotMatch(exported, /passStringToWasm0\(|passArray8ToWasm0\(|addToExternrefTable0\(/);
});
