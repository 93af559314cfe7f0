#!/usr/bin/env bash
# Tests the npm package as a user gets it: pack pkg/, install the tarball into pkg-tests/ by
# name next to the committed dev dependencies (jose, typescript, publint, attw, Bun, Deno, Vite,
# webpack, Rollup, playwright-core), then run `node --test`; the packed tarball itself is linted
# (JWKSGATE_TARBALL). The bundler tests drive Debian's Chromium (scripts/chromium.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
tarball=$(cd pkg && npm pack --silent --pack-destination "$out")
echo "jwksgate tarball: $tarball, $(stat -c %s "$out/$tarball") bytes"
cd pkg-tests
npm ci --no-audit --no-fund --loglevel=error
npm install --no-save --no-package-lock --no-audit --no-fund --loglevel=error "$out/$tarball"
# jose's typed code (types/jose-typed.mts) again with only its import line changed to jwksgate.
sed "s/^\(import .*\) from 'jose';\$/\1 from 'jwksgate';/" types/jose-typed.mts > types/jose-typed.jwksgate.mts
grep -q "from 'jwksgate';" types/jose-typed.jwksgate.mts
npx tsc -p types
JWKSGATE_TARBALL="$out/$tarball" node --test --test-reporter=spec
