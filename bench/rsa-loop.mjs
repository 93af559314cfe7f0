// ns per limb product of the RSA kernel's inner loop as V8 runs it (bench/rsa-loop/loop.wat,
// assembled with scripts/binaryen's wasm-as): 28-bit limbs by i64x2.extmul (16 products a group
// of four limbs and four rows), with and without the or-ed zero of src/jwa/modexp.rs's former
// kernel, 22-bit limbs in f64x2 (8 products a group), and i32x4.dot_i16x8_s on 14-bit halves of
// 28-bit limbs (the kernel since issue 27's rsakernel branch: dw8, eight limb rows a pass, u32
// sums widened into 64-bit columns; dot4 and dot8 without the widening, dw4 with four rows), its
// figures per 28-bit product (a 28-bit product is four 14-bit ones). By process CPU time, medians
// of 21 runs; L = 74 limbs (RSA-2048) for the integer loops, 94 for f64. No verdict; usage:
// node bench/rsa-loop.mjs
import { execFileSync } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'rsa-loop-'));
const out = join(dir, 'loop.wasm');
execFileSync(join(here, '..', 'scripts', 'binaryen', 'node_modules', '.bin', 'wasm-as'), ['--enable-simd', join(here, 'rsa-loop', 'loop.wat'), '-o', out]);
const { exports: e } = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(out)));
rmSync(dir, { recursive: true, force: true });
const run = (f, groups, products) => {
  const iters = 2000;
  f(groups, 50);
  const t = [];
  for (let r = 0; r < 21; r++) {
    const c = process.cpuUsage();
    f(groups, iters);
    const d = process.cpuUsage(c);
    t.push(((d.user + d.system) * 1000) / (iters * groups * products));
  }
  return t.sort((a, b) => a - b)[10];
};
for (let k = 0; k < 3; k++) {
  console.log(
    `ns per product: extmul ${run(e.ext, 19, 16).toFixed(3)}, extmul with the or-ed zero ${run(e.extz, 19, 16).toFixed(3)}, ` +
      `the zero by an and ${run(e.extand, 19, 16).toFixed(3)}, f64x2 (22-bit limbs) ${run(e.flt, 47, 8).toFixed(3)}; ` +
      `dot_i16x8 per 28-bit product: dot4 ${(4 * run(e.dot4, 37, 32)).toFixed(3)}, dot8 ${(4 * run(e.dot8, 37, 64)).toFixed(3)}, ` +
      `dw4 ${(4 * run(e.dw4, 37, 32)).toFixed(3)}, dw8 ${(4 * run(e.dw8, 37, 64)).toFixed(3)}`,
  );
}
