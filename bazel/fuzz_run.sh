#!/usr/bin/env bash
# Runs a libFuzzer binary for a bounded time as a `bazel test`: it starts from
# the seed corpus, writes what it finds only under $TEST_TMPDIR, and fails on
# any crash, sanitizer report, leak, timeout (-timeout seconds for one input)
# or memory blow-up (-rss_limit_mb). The input that failed is kept in the
# test's outputs (bazel-testlogs/<package>/<name>_run/test.outputs/).
#
# usage: fuzz_run.sh FUZZER SECONDS DICT|- [SEED_FILE...]
# KURIER_FUZZ_SECONDS overrides SECONDS (bazel test --test_env=...).
set -euo pipefail

fuzzer=$1
seconds=${KURIER_FUZZ_SECONDS:-$2}
dict=$3
shift 3

tmp=${TEST_TMPDIR:-$(mktemp -d)}
corpus="$tmp/corpus"   # new inputs go here (libFuzzer's first directory)
seeds="$tmp/seeds"
mkdir -p "$corpus" "$seeds"
i=0
for seed in "$@"; do
  cp "$seed" "$seeds/$i-$(basename "$seed")"
  i=$((i + 1))
done
artifacts="${TEST_UNDECLARED_OUTPUTS_DIR:-$tmp}/"

flags=(
  "-max_total_time=$seconds"
  -timeout=5
  -rss_limit_mb=2048
  -print_final_stats=1
  "-artifact_prefix=$artifacts"
)
[ "$dict" != "-" ] && flags+=("-dict=$dict")

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
[ -x /usr/lib/llvm-14/bin/llvm-symbolizer ] && export ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-14/bin/llvm-symbolizer

echo "fuzz_run: $fuzzer ${flags[*]} $corpus $seeds"
exec "$fuzzer" "${flags[@]}" "$corpus" "$seeds"
