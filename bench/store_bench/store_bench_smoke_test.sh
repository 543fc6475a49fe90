#!/bin/sh
# A tiny store_bench run against a self-started mailstore: it must finish
# without errors and report a deliveries/s line and a CSV line.
#   store_bench_smoke_test.sh STORE_BENCH MAILSTORE
set -eu
bench="$1"
mailstore="$2"
out="${TEST_TMPDIR:?}/store_bench.out"

if ! "$bench" --mailstore_binary="$mailstore" --work_dir="$TEST_TMPDIR" \
    --messages=50 --clients=4 --accounts=5 --csv >"$out" 2>&1; then
  cat "$out"
  echo "FAIL: store_bench exited non-zero" >&2
  exit 1
fi
cat "$out"
grep -Eq '^deliveries/s: +[0-9]+\.[0-9]+$' "$out" || { echo "FAIL: no deliveries/s line" >&2; exit 1; }
grep -Eq '^messages: +50 delivered' "$out" || { echo "FAIL: not 50 deliveries" >&2; exit 1; }
grep -Eq '^errors: +0$' "$out" || { echo "FAIL: errors reported" >&2; exit 1; }
grep -Eq '^on,4,50,4096,[0-9.]+,[0-9.]+,[0-9.]+,[0-9.]+,[0-9.]+,[0-9]+,[0-9]+,0$' "$out" ||
  { echo "FAIL: no CSV line" >&2; exit 1; }
echo PASS
