#!/bin/bash
# bench/run on a tiny load (--smoke), so that the benchmark's own code cannot
# rot: every scenario runs once against Kurier (the services given with
# --bin) and, when Postfix and Dovecot are installed and we are root, against
# them too. Not a measurement.
#   run_smoke_test.sh RUN --bin NAME=PATH ...
set -euo pipefail
run="$1"
shift
out="${TEST_TMPDIR:?}/smoke.out"
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

if ! "$run" --smoke --out="$TEST_TMPDIR/results" "$@" >"$out" 2>&1; then
  cat "$out"
  fail "bench/run --smoke exited non-zero"
fi
cat "$out"
grep -q '^smoke: PASS$' "$out" || fail "no PASS line"
grep -Eq '^POP3 2 clients x 5 msgs, RETR \+ DELE: msgs/s +\| +[0-9,.]+ \|' "$out" || fail "no Kurier POP3 figure"
grep -Eq '^idle POP3, 20 conns: .*\| +-?[0-9.]+ \|' "$out" || fail "no Kurier idle POP3 figure"
if grep -Eq '\| +error +\|' "$out"; then fail "a scenario failed"; fi
ls "$TEST_TMPDIR"/results/bench_*.csv >/dev/null || fail "no CSV written"
if grep -q 'Postfix/Dovecot not run' "$out"; then
  echo "Postfix/Dovecot were left out: $(grep -o 'Postfix/Dovecot not run: .*' "$out")"
else
  grep -Eq '^SMTP 40 x 5 KB: msgs/s end to end, in the mailbox +\| .* \| +[0-9,.]+ \|' "$out" ||
    fail "no Postfix/Dovecot SMTP figure"
  grep -Eq '^IMAP FETCH BODY\[\], 2 clients x 20 msgs: msgs/s +\| .* \| +[0-9,.]+ \|' "$out" ||
    fail "no Dovecot IMAP figure"
  grep -Eq '^idle IMAP \(in IDLE\), 20 conns: .* \| +[0-9.]+ \|' "$out" || fail "no Dovecot idle IMAP figure"
fi
echo PASS
