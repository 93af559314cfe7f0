// Exposes a wasm module's shadow-stack pointer to tests. Rust code compiled to wasm keeps its
// stack frames in linear memory below a mutable i32 global (LLVM's __stack_pointer, the module's
// first mutable i32 global): each function lowers it on entry and restores it on return. A JS
// exception that unwinds through wasm frames skips those restores, so after a call that ends in
// one the pointer stays lower; enough of them and it wraps below zero, and every later call (of
// any export) traps with "memory access out of bounds". This adds an export `__stack_pointer` of
// that global to a copy of the module, so a test can check the pointer is back where it was
// after every call. Runs in Node and in the browser (no imports).

/** The module's bytes with one more export, `__stack_pointer`, of its stack-pointer global. */
export function exportStackPointer(bytes) {
  const b = new Uint8Array(bytes);
  let p = 8; // magic and version
  const uleb = () => {
    let r = 0;
    let s = 0;
    let x;
    do {
      x = b[p++];
      r |= (x & 0x7f) << s;
      s += 7;
    } while (x & 0x80);
    return r >>> 0;
  };
  const leb = (n) => {
    const out = [];
    do {
      let x = n & 0x7f;
      n >>>= 7;
      if (n) x |= 0x80;
      out.push(x);
    } while (n);
    return out;
  };
  const limits = () => {
    const flags = b[p++];
    uleb();
    if (flags & 1) uleb();
  };
  const sections = [];
  while (p < b.length) {
    const headerStart = p;
    const id = b[p++];
    const size = uleb();
    sections.push({ id, headerStart, start: p, end: p + size });
    p += size;
  }
  let importedGlobals = 0;
  const imports = sections.find((s) => s.id === 2);
  if (imports) {
    p = imports.start;
    for (let n = uleb(); n > 0; n--) {
      for (let k = 0; k < 2; k++) {
        const length = uleb(); // module and field names (`p += uleb()` would add to the old p)
        p += length;
      }
      const kind = b[p++];
      if (kind === 0) uleb();
      else if (kind === 1) { p++; limits(); }
      else if (kind === 2) limits();
      else if (kind === 3) { p += 2; importedGlobals++; }
      else if (kind === 4) { p++; uleb(); }
      else throw new Error(`unknown import kind ${kind}`);
    }
  }
  const globals = sections.find((s) => s.id === 6);
  if (!globals) throw new Error('the module has no globals');
  p = globals.start;
  let index = -1;
  for (let i = 0, n = uleb(); i < n; i++) {
    const [type, mutable] = [b[p++], b[p++]];
    if (type === 0x7f && mutable === 1) {
      index = importedGlobals + i;
      break;
    }
    while (b[p++] !== 0x0b); // the constant initialiser (i32.const/global.get/... end)
  }
  if (index < 0) throw new Error('the module has no mutable i32 global');
  const exports = sections.find((s) => s.id === 7);
  p = exports.start;
  const count = uleb();
  const name = [...new TextEncoder().encode('__stack_pointer')];
  const body = [...leb(count + 1), ...b.subarray(p, exports.end), ...leb(name.length), ...name, 3, ...leb(index)];
  return new Uint8Array([...b.subarray(0, exports.headerStart), 7, ...leb(body.length), ...body, ...b.subarray(exports.end)]);
}
