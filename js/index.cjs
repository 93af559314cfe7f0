// CommonJS entry: require() of the ES module entry (Node >= 20.19 or 22.12, Bun, Deno), so
// `import` and `require` share one wasm instance and one set of error classes.
const { default: _init, ...api } = require('./node.mjs');

module.exports = api;
