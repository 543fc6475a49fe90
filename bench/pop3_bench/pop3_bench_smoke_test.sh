#!/bin/bash
# A tiny run_pop3_bench.sh run (--smoke: 2 clients x 5 messages, 20 idle
# sessions, Kurier only, no Dovecot needed): it must finish, download and
# check all 10 messages and report figures. Not a measurement.
#   pop3_bench_smoke_test.sh RUN_POP3_BENCH POP3_BENCH MAILSTORE POP3
set -euo pipefail
run="$1"
out="${TEST_TMPDIR:?}/smoke.out"

if ! "$run" --smoke --bins="$2,$3,$4" --out="$TEST_TMPDIR/results" >"$out" 2>&1; then
  cat "$out"
  echo "FAIL: run_pop3_bench.sh --smoke exited non-zero" >&2
  exit 1
fi
cat "$out"
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
grep -q '^smoke: PASS$' "$out" || fail "no PASS line"
grep -q 'kurier: pass 1: 10 messages in' "$out" || fail "not 10 messages downloaded"
grep -Eq '^RETR messages/s .*\| +[0-9.]+ \| +- \|' "$out" || fail "no messages/s figure"
grep -Eq '^idle: bytes/session, PSS \(Kurier.*\| +-?[0-9]+ \| +- \|' "$out" || fail "no bytes per session figure"
grep -q 'kurier: closed: 20, lost while idle: 0' "$out" || fail "idle sessions not closed cleanly"
ls "$TEST_TMPDIR"/results/pop3_bench_*.csv >/dev/null || fail "no CSV written"
echo PASS
