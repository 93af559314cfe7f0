#!/usr/bin/env bash
# Runs every fuzz target for FUZZ_SECONDS (default 60) on seeds from ../tests/vectors and prints
# executions per target; logs go to fuzz/logs/, crashes to fuzz/artifacts/<target>/.
set -uo pipefail
cd "$(dirname "$0")"
seconds=${FUZZ_SECONDS:-60}
targets=${FUZZ_TARGETS:-"compact verify jwks pem der ecdsa_diff p256_diff nist_diff ed25519_diff modexp role session http templates"}
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked || cargo install cargo-fuzz
node seed-corpora.mjs
# No sanitizer: the crate is #![forbid(unsafe_code)], so AddressSanitizer would only slow the
# search; panics, overflows (debug assertions are on) and timeouts are what is looked for.
cargo +nightly fuzz build -s none || exit 1
mkdir -p logs
status=0
printf '%-8s %12s %8s %10s  %s\n' target executions seconds exec/s result
for t in $targets; do
  case $t in
    modexp) max_len=2100 ;;
    ecdsa_diff|p256_diff|nist_diff|ed25519_diff) max_len=600 ;;
    verify|compact) max_len=16384 ;;
    *) max_len=8192 ;;
  esac
  cargo +nightly fuzz run -s none "$t" "corpus/$t" -- -max_total_time="$seconds" -max_len="$max_len" \
    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 >"logs/$t.log" 2>&1
  rc=$?
  runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "logs/$t.log" | grep -oE '[0-9]+$' | tail -1)
  took=$(grep -oE 'Done [0-9]+ runs in [0-9]+ second' "logs/$t.log" | grep -oE 'in [0-9]+' | grep -oE '[0-9]+' | tail -1)
  result=ok
  if [ $rc -ne 0 ]; then
    result="FAILED (exit $rc; see fuzz/logs/$t.log and fuzz/artifacts/$t/)"
    status=1
  fi
  took=${took:-$seconds}
  printf '%-8s %12s %8s %10s  %s\n' "$t" "${runs:-?}" "$took" "$(( ${runs:-0} / (took > 0 ? took : 1) ))" "$result"
done
exit $status
