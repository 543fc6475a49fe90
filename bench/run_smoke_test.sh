#!/bin/bash
# bench/run on a tiny load (--smoke), so that the benchmark's own code cannot
# rot: every scenario runs once against Kurier (its services that are given)
# and, when Postfix and Dovecot are installed and we are root, against them.
# Not a measurement.
#   run_smoke_test.sh RUN MAILSTORE POP3 CORPUS_TOOL IMAP_BENCH SMTP_BENCH POP3_BENCH
set -euo pipefail
run="$1"
out="${TEST_TMPDIR:?}/smoke.out"
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

if ! "$run" --smoke --out="$TEST_TMPDIR/results" --bin mailstore="$2" --bin pop3="$3" --bin corpus_tool="$4" \
  --bin imap_bench="$5" --bin smtp_bench="$6" --bin pop3_bench="$7" >"$out" 2>&1; then
  cat "$out"
  fail "bench/run --smoke exited non-zero"
fi
cat "$out"
grep -q '^smoke: PASS$' "$out" || fail "no PASS line"
grep -Eq '^POP3 2 clients x 5 msgs, RETR \+ DELE: msgs/s +\| +[0-9,.]+ \|' "$out" || fail "no Kurier POP3 figure"
grep -Eq '^idle POP3, 20 conns: .*\| +-?[0-9.]+ \|' "$out" || fail "no Kurier idle POP3 figure"
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
