// Self time per function of a V8 CPU profile (the DevTools protocol's Profiler.stop result),
// wasm functions by Rust name without their hash: shared by profile.mjs (Node) and browser.mjs
// (Chromium).
export function printSelfTime(title, profile, top = 20) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  for (const id of profile.samples) {
    const name = byId.get(id).callFrame.functionName.replace(/::h[0-9a-f]{16}$/, '') || '(anonymous)';
    if (name === '(idle)' || name === '(program)') continue;
    self.set(name, (self.get(name) ?? 0) + 1);
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  console.log(title);
  for (const [name, n] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${((100 * n) / total).toFixed(1).padStart(5)}%  ${name.slice(0, 110)}`);
  }
}
