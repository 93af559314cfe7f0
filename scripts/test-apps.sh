#!/usr/bin/env bash
# The apps of pkg-tests/apps/ (issue 28): Next.js (Turbopack and webpack, middleware, edge and
# Node routes), Jest's CommonJS runtime, SvelteKit with adapter-node, Nitro, esbuild and
# @cloudflare/vitest-pool-workers in a monorepo, each installed by `npm ci` from its committed
# lock file with the packed pkg/ beside jose, built, and run (pkg-tests/apps/run.mjs).
# JWKSGATE_APPS="next jest" runs only those.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
tarball=$(cd pkg && npm pack --silent --pack-destination "$out")
JWKSGATE_TARBALL="$out/$tarball" node --test --test-reporter=spec --test-concurrency=1 pkg-tests/apps/run.mjs
