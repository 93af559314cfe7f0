// Turns wasm-pack's web build (pkg/) into the npm package: one ES module glue and one wasm
// (plus the scalar fallback) behind an entry per runtime, chosen by export conditions: Node
// (import and require(esm); a CommonJS bundle for Jest), server bundlers (the wasm inlined),
// Next.js's edge (`?module`), Bun, Deno, workerd, browsers and browser bundlers, each ready on
// import with no init() call. `--glue DIR` does only the glue step (errors module,
// JS around it) for another build of the crate, the gate's worker/pkg.
import { copyFileSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { brotliCompressSync, constants as zlib } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const js = join(root, 'js');

// The JS around the glue, copied as is: every entry imports api.mjs, which imports the rest.
const MODULES = ['api.mjs', 'errors.mjs', 'jose.mjs', 'remote.mjs'];
const ENTRIES = ['browser.mjs', 'deno.mjs', 'workerd.mjs', 'edge-light.mjs'];
// The npm package's alone (not the gate's glue): the Node and server bundlers' entry, its inlined
// wasm, and the CommonJS bundle (made from js/cjs.mjs).
const BUNDLED = ['bundled.mjs', 'jwksgate_bg.wasm.br.base64.mjs', 'index.cjs'];
// Not in the npm package: node.mjs reads the .wasm beside it, for this repository's own Node
// code (scripts/demo.mjs, the gate's tests with worker/pkg).
const LOCAL = ['node.mjs'];

/**
 * wasm-bindgen copies js/errors.mjs (src/wasm/convert.rs imports it) into snippets/<crate-hash>/;
 * the glue imports it from ./errors.mjs instead, the one copy the JS around it imports too, so
 * the errors the wasm throws and the `errors` classes are the same classes. Other snippets stay
 * where the glue imports them. Returns whether any is left in snippets/.
 */
function glue(dir) {
  const snippets = join(dir, 'snippets');
  const crates = existsSync(snippets) ? readdirSync(snippets) : [];
  if (crates.length !== 1) throw new Error(`${dir}: expected one crate in snippets/, found ${crates.length}`);
  const crate = join(snippets, crates[0]);
  const snippet = join(crate, 'js', 'errors.mjs');
  if (readFileSync(snippet, 'utf8') !== readFileSync(join(js, 'errors.mjs'), 'utf8')) throw new Error(`${snippet} differs from js/errors.mjs`);
  const from = `'./snippets/${crates[0]}/js/errors.mjs'`;
  const path = join(dir, 'jwksgate.js');
  const text = readFileSync(path, 'utf8');
  if (text.split(from).length !== 2) throw new Error(`${path}: expected one import from ${from}`);
  writeFileSync(path, realmProofModule(oneImportPerModule(text.replace(from, "'./errors.mjs'"), path), path));
  rmSync(join(crate, 'js'), { recursive: true });
  const left = readdirSync(crate).length > 0;
  if (!left) rmSync(snippets, { recursive: true });
  for (const f of [...MODULES, ...ENTRIES, ...LOCAL]) copyFileSync(join(js, f), join(dir, f));
  return left;
}

/**
 * initSync compiles whatever is not `instanceof WebAssembly.Module`. Next.js's edge runtime hands
 * a `?module` import over as a module of another realm (`instanceof` is false), and compiling it
 * again is what that runtime forbids: a module is known by its toStringTag instead.
 */
function realmProofModule(text, path) {
  const test = /if \(!\(module instanceof WebAssembly\.Module\)\) \{(\s+)module = new WebAssembly\.Module\(module\);/g;
  if ((text.match(test) ?? []).length !== 1) throw new Error(`${path}: initSync's module test changed; update realmProofModule`);
  return text.replace(test, "if (Object.prototype.toString.call(module) !== '[object WebAssembly.Module]') {$1module = new WebAssembly.Module(module);");
}

/**
 * wasm-bindgen 0.2.130 imports a snippet once per function it declares (`import * as import1`,
 * `import2`, ... from the same file) and lists each in the imports object under the same key,
 * which esbuild (and so wrangler) warns about as duplicate keys. Every such name is the same
 * module namespace, so one import and one key per file is the same glue.
 */
function oneImportPerModule(text, path) {
  const first = new Map();
  const dropped = [];
  const kept = text.split('\n').filter((line) => {
    const m = /^import \* as (import\d+) from "([^"]+)"$/.exec(line);
    if (!m) return true;
    if (!first.has(m[2])) return first.set(m[2], m[1]), true;
    dropped.push(m[1]);
    return false;
  });
  const gone = new Set(dropped);
  const out = kept.filter((line) => !(/^\s+"[^"]+": (import\d+),$/.test(line) && gone.has(/(import\d+),$/.exec(line)[1]))).join('\n');
  for (const name of gone) if (new RegExp(`\\b${name}\\b`).test(out)) throw new Error(`${path}: ${name} is used beyond the imports object`);
  return out;
}

const pkg = join(root, 'pkg');
for (const f of ['.gitignore', 'jwksgate_bg.wasm.d.ts']) if (existsSync(join(pkg, f))) rmSync(join(pkg, f));
if (existsSync(join(pkg, 'node'))) rmSync(join(pkg, 'node'), { recursive: true }); // the CommonJS glue of earlier builds

// A method called on a freed Verifier (or on another object) passed pointer 0 to Rust, where
// wasm-bindgen throws "null pointer passed to rust" from inside wasm: the exception unwinds the
// wasm frames without restoring the shadow-stack pointer, and enough such calls leave the
// instance trapping on every call (src/wasm/convert.rs says why). The glue checks the pointer in
// JS first, and a second free() does nothing.
const LIVE = `
/** The wasm pointer of a live object of this package, checked before any call into wasm. */
function livePointer(object) {
    const ptr = object?.__wbg_ptr;
    if (typeof ptr !== 'number' || ptr === 0) {
        throw Object.assign(new TypeError('this object was freed (free() was called), or is not one made by this package'), { code: 'ERR_INVALID_ARGUMENT' });
    }
    return ptr;
}
`;
function guardThis(path) {
  let glue = readFileSync(path, 'utf8');
  const calls = glue.match(/wasm\.\w+\(this\.__wbg_ptr\b/g) ?? [];
  const frees = glue.match(/const ptr = this\.__destroy_into_raw\(\);\n(\s+)wasm\.(__wbg_\w+_free)\(ptr, 0\);/g) ?? [];
  if (calls.length < 3 || frees.length < 1) throw new Error(`${path}: the glue's method calls changed (${calls.length} calls, ${frees.length} frees); update guardThis`);
  glue = glue.replace(/wasm\.(\w+)\(this\.__wbg_ptr\b/g, 'wasm.$1(livePointer(this)')
    .replace(/const ptr = this\.__destroy_into_raw\(\);\n(\s+)wasm\.(__wbg_\w+_free)\(ptr, 0\);/g, 'const ptr = this.__destroy_into_raw();\n$1if (ptr) wasm.$2(ptr, 0);');
  const at = glue.indexOf('\nfunction ');
  writeFileSync(path, glue.slice(0, at) + LIVE + glue.slice(at));
}

const args = process.argv.slice(2);
if (args[0] === '--glue') {
  glue(join(root, args[1]));
  guardThis(join(root, args[1], 'jwksgate.js'));
  console.log(`${args[1]}: glue assembled`);
  process.exit(0);
}
// After the glue-only step, which needs no npm build (a fresh tree's `make gate-pkg`).
const generated = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8'));


// The scalar build (no SIMD128) must share the web glue byte for byte: the glue is kept from the
// SIMD build and loads the scalar .wasm where WebAssembly.validate refuses a SIMD instruction.
const scalar = join(root, 'target', 'scalar', 'pkg');
if (readFileSync(join(scalar, 'jwksgate.js'), 'utf8') !== readFileSync(join(pkg, 'jwksgate.js'), 'utf8')) {
  throw new Error('the scalar and SIMD builds generated different JS glue; the package cannot serve both');
}
copyFileSync(join(scalar, 'jwksgate_bg.wasm'), join(pkg, 'jwksgate_scalar_bg.wasm'));
const snippets = glue(pkg);

// The probe: (func (result v128) i32.const 0 i32x4.splat).
const defaultWasm = "module_or_path = new URL('jwksgate_bg.wasm', import.meta.url);";
const gluePath = join(pkg, 'jwksgate.js');
const glueText = readFileSync(gluePath, 'utf8');
if (glueText.split(defaultWasm).length !== 2) throw new Error(`web glue: expected one "${defaultWasm}"`);
writeFileSync(gluePath, glueText.replace(defaultWasm,
  // Each URL stays the literal `new URL('<file>', import.meta.url)` that bundlers (webpack,
  // Vite, Rollup plugins) recognise and copy: both files ship with a bundle.
  "module_or_path = WebAssembly.validate(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 8, 1, 6, 0, 65, 0, 253, 17, 11]))\n" +
  "            ? new URL('jwksgate_bg.wasm', import.meta.url) // SIMD128\n" +
  "            : new URL('jwksgate_scalar_bg.wasm', import.meta.url);"));
guardThis(join(pkg, 'jwksgate.js'));

// Declarations. wasm-bindgen types a trailing `Option<JsValue>` with an explicit type as
// required; options are optional in the API, so say so.
const dts = join(pkg, 'jwksgate.d.ts');
writeFileSync(dts, readFileSync(dts, 'utf8').replaceAll('options: VerifyOptions)', 'options?: VerifyOptions)'));
for (const f of ['index.d.ts', 'errors.d.ts']) copyFileSync(join(js, f), join(pkg, f));
// The CommonJS entry's declarations (.d.cts), the same API without the ES module's default
// export (init, a no-op once an entry has loaded the wasm): TypeScript reads a .d.ts in a
// `type: module` package as an ES module, which `require` may not import under node16.
const cts = (text) => text.replaceAll("from './jwksgate.js'", "from './jwksgate.cjs'").replaceAll("from './errors.js'", "from './errors.cjs'");
const defaultInit = /^export default function __wbg_init \(.*$/m;
const glueDts = readFileSync(dts, 'utf8');
if (!defaultInit.test(glueDts)) throw new Error('jwksgate.d.ts: no default export to leave out of the CommonJS declarations');
writeFileSync(join(pkg, 'jwksgate.d.cts'), glueDts.replace(defaultInit, ''));
writeFileSync(join(pkg, 'errors.d.cts'), cts(readFileSync(join(js, 'errors.d.ts'), 'utf8')));
const indexDts = readFileSync(join(js, 'index.d.ts'), 'utf8');
const defaultLine = "export { default } from './jwksgate.js';\n";
if (!indexDts.includes(defaultLine)) throw new Error('js/index.d.ts: expected its default export line');
writeFileSync(join(pkg, 'index.d.cts'), cts(indexDts.replace(defaultLine, '')));
copyFileSync(join(js, 'README.md'), join(pkg, 'README.md'));

// The server bundlers' entry: the SIMD wasm (Node has SIMD128), brotli-compressed, as base64 in a
// module of its own.
copyFileSync(join(js, 'bundled.mjs'), join(pkg, 'bundled.mjs'));
const simdWasm = readFileSync(join(pkg, 'jwksgate_bg.wasm'));
const brotli = brotliCompressSync(simdWasm, {
  params: { [zlib.BROTLI_PARAM_QUALITY]: zlib.BROTLI_MAX_QUALITY, [zlib.BROTLI_PARAM_LGWIN]: zlib.BROTLI_MAX_WINDOW_BITS, [zlib.BROTLI_PARAM_SIZE_HINT]: simdWasm.length },
});
writeFileSync(join(pkg, 'jwksgate_bg.wasm.br.base64.mjs'),
  `// jwksgate_bg.wasm, brotli-compressed, in base64, for bundled.mjs.\nexport default '${brotli.toString('base64')}';\n`);

// The CommonJS entry: js/cjs.mjs with the glue and the JS around it in one CommonJS file, by the
// esbuild pinned in scripts/esbuild. import.meta is left empty there: only init() with no
// argument reads it, and the CommonJS entry has no init().
const esbuild = createRequire(join(root, 'scripts', 'esbuild', 'package.json'))('esbuild');
esbuild.buildSync({
  stdin: { contents: readFileSync(join(js, 'cjs.mjs'), 'utf8'), resolveDir: pkg, sourcefile: 'cjs.mjs', loader: 'js' },
  bundle: true, format: 'cjs', platform: 'node', target: 'node18', outfile: join(pkg, 'index.cjs'),
  logLevel: 'error', logOverride: { 'empty-import-meta': 'silent' },
  banner: { js: '// jwksgate\'s CommonJS entry, bundled from its ES modules by scripts/assemble-pkg.mjs (see js/cjs.mjs).' },
});

const esm = (file) => ({ types: './index.d.ts', default: file });
const manifest = {
  name: 'jwksgate',
  version: generated.version,
  description: 'Verify JWTs against a JWKS in Rust compiled to WebAssembly, one code in Node, Bun, Deno, browsers and Workers: jose\'s API, remote and OIDC-discovered key sets, Kubernetes ServiceAccount tokens',
  keywords: ['jwt', 'jwks', 'jws', 'jose', 'jwt-verify', 'oidc', 'openid-connect', 'discovery', 'kubernetes', 'serviceaccount', 'rs256', 'ps256', 'webassembly', 'wasm', 'cloudflare-workers', 'workerd', 'deno', 'bun'],
  homepage: 'https://github.com/jwksgate/jwksgate#readme',
  bugs: { url: 'https://github.com/jwksgate/jwksgate/issues' },
  repository: { type: 'git', url: 'git+https://github.com/jwksgate/jwksgate.git' },
  license: generated.license,
  type: 'module',
  main: './index.cjs',
  types: './index.d.cts',
  exports: {
    '.': {
      workerd: esm('./workerd.mjs'),
      // Next.js (Turbopack and webpack) and Vercel's edge. Not `worker`: webpack sets it for
      // browsers' web workers, where `?module` means nothing and browser.mjs is right.
      'edge-light': esm('./edge-light.mjs'),
      deno: esm('./deno.mjs'),
      browser: esm('./browser.mjs'),
      // One entry for Node and for every server bundler (webpack, esbuild, Rollup, Vite set
      // `module`, for import and require alike), the wasm inlined: a bundle carries it, and a
      // tracer that resolves with bundlers' conditions and copies what it found (Nitro) copies
      // what Node then loads. Node with require(esm) (>= 20.19, 22.12) takes it for require
      // too (`module-sync`): one instance for import and require.
      node: {
        module: esm('./bundled.mjs'),
        'module-sync': esm('./bundled.mjs'),
        import: esm('./bundled.mjs'),
        // Jest's CommonJS runtime, and any require() without require(esm).
        require: { types: './index.d.cts', default: './index.cjs' },
      },
      default: esm('./browser.mjs'),
    },
    './jwksgate_bg.wasm': './jwksgate_bg.wasm',
    './jwksgate_scalar_bg.wasm': './jwksgate_scalar_bg.wasm',
    './package.json': './package.json',
  },
  files: [
    'jwksgate.js', 'jwksgate_bg.wasm', 'jwksgate_scalar_bg.wasm', ...MODULES, ...ENTRIES, ...BUNDLED,
    'index.d.ts', 'index.d.cts', 'jwksgate.d.ts', 'jwksgate.d.cts', 'errors.d.ts', 'errors.d.cts', 'README.md',
    ...(snippets ? ['snippets/'] : []),
  ],
  // Entries instantiate the wasm on import; the rest is pure.
  sideEffects: [...ENTRIES, 'bundled.mjs', 'index.cjs'].map((f) => `./${f}`),
  engines: { node: '^20.19.0 || >=22.12.0' },
};
writeFileSync(join(pkg, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
console.log(`pkg/: jwksgate ${manifest.version} assembled`);
