#!/usr/bin/env bash
# Tests the npm package as a user gets it: pack pkg/, install the tarball into pkg-tests/ by
# name next to the committed dev dependencies (jose, typescript), then run `node --test`.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
tarball=$(cd pkg && npm pack --silent --pack-destination "$out")
cd pkg-tests
npm ci --no-audit --no-fund --loglevel=error
npm install --no-save --no-package-lock --no-audit --no-fund --loglevel=error "$out/$tarball"
npx tsc -p types
node --test --test-reporter=spec
