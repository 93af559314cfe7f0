#!/usr/bin/env bash
# `make run`: the package demo, then the token inspector on 127.0.0.1:8080 and the login gate
# on 127.0.0.1:8787 (with the stand-in Kubernetes issuer and a demo origin) until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
node scripts/demo.mjs
echo
# The jwksgate command, for the terminal walkthrough that the gate prints below.
make --no-print-directory cli
echo
node www/server.mjs target/www 8080 &
www=$!
trap 'kill $www 2>/dev/null || true' EXIT
echo "Token inspector: http://127.0.0.1:8080/ (press the example button, or paste a token)"
echo
make --no-print-directory run-gate
