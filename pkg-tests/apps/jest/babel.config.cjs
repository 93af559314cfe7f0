// Project-wide (so it reaches node_modules/jose, which package.json's transformIgnorePatterns
// lets babel-jest transform): ES modules to CommonJS, the one change jose needs under Jest.
module.exports = { plugins: ['@babel/plugin-transform-modules-commonjs'] };
