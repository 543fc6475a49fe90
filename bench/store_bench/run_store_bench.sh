#!/bin/bash
# Builds store_bench and the mailstore, then runs four configurations, each
# against a fresh self-started store: sync on/off x 1/32 clients. Extra
# arguments go to every run, e.g.:
#   bench/store_bench/run_store_bench.sh --messages=5000 --size=16K
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
bazel build //bench/store_bench:store_bench //services/mailstore:mailstore
bin="$root/bazel-bin"
bench="$bin/bench/store_bench/store_bench"
mailstore="$bin/services/mailstore/mailstore"

rows=()
for sync in on off; do
  for clients in 1 32; do
    echo "== sync $sync, $clients client(s)" >&2
    if out="$("$bench" --mailstore_binary="$mailstore" --sync="$sync" --clients="$clients" --csv "$@")"; then
      echo "$out" >&2
      rows+=("$(tail -n 1 <<<"$out")")
    else
      echo "$out" >&2
      rows+=("$sync,$clients,FAILED")
    fi
  done
done

echo
{
  echo "sync,clients,messages,size,elapsed_s,deliveries/s,p50_ms,p99_ms,max_ms,commits,writes,errors,writes/commit"
  for row in "${rows[@]}"; do
    IFS=, read -r -a f <<<"$row"
    if [[ ${#f[@]} -ge 12 && ${f[9]} -gt 0 ]]; then
      echo "$row,$(awk -v w="${f[10]}" -v c="${f[9]}" 'BEGIN { printf "%.2f", w / c }')"
    else
      echo "$row,-"
    fi
  done
} | if command -v column >/dev/null; then column -t -s,; else cat; fi
