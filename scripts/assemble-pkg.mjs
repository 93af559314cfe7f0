// Turns the two wasm-pack outputs (web glue in pkg/, CommonJS glue in pkg/node/) into one npm
// package that loads with `import` and `require` in Node, in a browser without a bundler, and
// in workerd, each through its own export condition.
import { copyFileSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = join(root, 'pkg');
const generated = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8'));

for (const f of ['node.mjs', 'workerd.mjs']) copyFileSync(join(root, 'js', f), join(pkg, f));
if (existsSync(join(pkg, '.gitignore'))) rmSync(join(pkg, '.gitignore'));
for (const f of ['package.json', 'README.md', 'LICENSE', '.gitignore']) {
  if (existsSync(join(pkg, 'node', f))) rmSync(join(pkg, 'node', f));
}
// The CommonJS glue loads its own copy of the .wasm from pkg/node/; `type` keeps it CommonJS.
writeFileSync(join(pkg, 'node', 'package.json'), JSON.stringify({ type: 'commonjs' }, null, 2) + '\n');
// wasm-bindgen types a trailing `Option<JsValue>` with an explicit type as required; options
// are optional in the API, so say so in both declaration files.
for (const f of ['jwksgate.d.ts', 'node/jwksgate.d.ts']) {
  const path = join(pkg, f);
  writeFileSync(path, readFileSync(path, 'utf8').replaceAll('options: VerifyOptions)', 'options?: VerifyOptions)'));
}
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
guardThis(join(pkg, 'node', 'jwksgate.js'));
// wasm-bindgen copies JS snippets (src/wasm/crossing.js) as they are, ES modules, but the
// CommonJS glue require()s them, which Node before 22 refuses: the CommonJS copy exports the
// same functions through `exports`.
function snippetsToCommonJs(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.js')) continue;
    const path = join(entry.parentPath ?? entry.path, entry.name);
    const text = readFileSync(path, 'utf8').replace(/^export function (\w+)/gm, (_, name) => `exports.${name} = ${name};\nfunction ${name}`);
    if (/^\s*(export|import)\b/m.test(text)) throw new Error(`${path}: only \`export function\` can be turned into CommonJS`);
    writeFileSync(path, text);
  }
}
snippetsToCommonJs(join(pkg, 'node', 'snippets'));

// The scalar build (no SIMD128) must share the web glue byte for byte: the glue is kept from the
// SIMD build and loads the scalar .wasm where WebAssembly.validate refuses a SIMD instruction.
const scalar = join(root, 'target', 'scalar', 'pkg');
if (readFileSync(join(scalar, 'jwksgate.js'), 'utf8') !== readFileSync(join(pkg, 'jwksgate.js'), 'utf8')) {
  throw new Error('the scalar and SIMD builds generated different JS glue; the package cannot serve both');
}
copyFileSync(join(scalar, 'jwksgate_bg.wasm'), join(pkg, 'jwksgate_scalar_bg.wasm'));
// The probe: (func (result v128) i32.const 0 i32x4.splat).
const defaultWasm = "module_or_path = new URL('jwksgate_bg.wasm', import.meta.url);";
const glue = readFileSync(join(pkg, 'jwksgate.js'), 'utf8');
if (glue.split(defaultWasm).length !== 2) throw new Error(`web glue: expected one "${defaultWasm}"`);
writeFileSync(join(pkg, 'jwksgate.js'), glue.replace(defaultWasm,
  // Each URL stays the literal `new URL('<file>', import.meta.url)` that bundlers (webpack,
  // Vite, esbuild, Rollup plugins) recognise and copy: both files ship with a bundle.
  "module_or_path = WebAssembly.validate(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 8, 1, 6, 0, 65, 0, 253, 17, 11]))\n" +
  "            ? new URL('jwksgate_bg.wasm', import.meta.url) // SIMD128\n" +
  "            : new URL('jwksgate_scalar_bg.wasm', import.meta.url);"));
guardThis(join(pkg, 'jwksgate.js'));

// workerd and Node ESM reuse the web glue: they need its types plus nothing else.
const manifest = {
  name: 'jwksgate',
  version: generated.version,
  description: generated.description,
  license: generated.license,
  repository: generated.repository,
  type: 'module',
  main: './node/jwksgate.js',
  module: './jwksgate.js',
  types: './jwksgate.d.ts',
  exports: {
    '.': {
      workerd: { types: './jwksgate.d.ts', default: './workerd.mjs' },
      node: {
        import: { types: './jwksgate.d.ts', default: './node.mjs' },
        require: { types: './node/jwksgate.d.ts', default: './node/jwksgate.js' },
      },
      browser: { types: './jwksgate.d.ts', default: './jwksgate.js' },
      default: { types: './jwksgate.d.ts', default: './jwksgate.js' },
    },
    './web': { types: './jwksgate.d.ts', default: './jwksgate.js' },
    './jwksgate_bg.wasm': './jwksgate_bg.wasm',
    './jwksgate_scalar_bg.wasm': './jwksgate_scalar_bg.wasm',
    './package.json': './package.json',
  },
  files: [
    'jwksgate.js', 'jwksgate.d.ts', 'jwksgate_bg.wasm', 'jwksgate_scalar_bg.wasm', 'jwksgate_bg.wasm.d.ts',
    'snippets/', 'node.mjs', 'workerd.mjs', 'node/', 'README.md',
  ],
  sideEffects: ['./node.mjs', './workerd.mjs', './node/jwksgate.js'],
  engines: { node: '>=18' },
};
writeFileSync(join(pkg, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
console.log(`pkg/: jwksgate ${manifest.version} assembled`);
