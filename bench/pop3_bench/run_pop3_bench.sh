#!/bin/bash
# run_pop3_bench.sh: Kurier's pop3 against Debian's Dovecot pop3d on this
# machine, in one run (bench/README.md, "POP3"):
#
#   1. RETR throughput: --clients parallel clients, each logs in to its own
#      account, LISTs, RETRs its --messages messages of --size bytes (each
#      checked), QUITs. One warm-up pass each, then --repeat measured passes,
#      Kurier's and Dovecot's alternating (both servers up, the one not
#      measured idle); the median pass is reported.
#   2. Memory per idle session: --idle connections, each logged in (USER/PASS)
#      to its own account, held --hold seconds. Bytes per connection =
#      (PSS with the sessions - PSS before) / --idle. Kurier: the pop3 process
#      (and, apart, the mailstore); Dovecot: every process of the instance.
#      First every account logs in once on a fresh server (also measured:
#      "first logins (cold)"); then the server is restarted (Kurier: pop3
#      only, the store keeps its warm caches) so that heaps start clean, and
#      20 sessions come and go before "before" is taken.
#
# Everything runs in a temp dir: a fresh mailstore and pop3, and a Dovecot of
# our own (own config, base_dir, log, port; never the system's service, never
# port 110), started as `dovecot -F -c CONF` and stopped afterwards. Dovecot
# is installed with apt-get when missing (needs root).
#
# Options (all optional):
#   --clients=20 --messages=200 --size=20480 --repeat=7
#   --idle=5000 --idle_messages=1 --hold=15
#   --no-dovecot        Kurier only
#   --smoke             a tiny run (2 clients x 5 messages, 20 idle, Kurier
#                       only): what //bench/pop3_bench:pop3_bench_smoke_test runs
#   --bins=BENCH,MAILSTORE,POP3
#                       use these binaries instead of building them with
#                       `bazel build -c opt`
#   --perf              after the measured RETR passes, one more under
#                       perf record -a -g (reports in the kept temp dir)
#   --out=DIR           where the CSV goes (default: bench/results)
#   --keep              keep the temp dir (logs, data) for a look afterwards
set -euo pipefail

clients=20
messages=200
size=20480
repeat=7
idle=5000
idle_messages=1
hold=15
dovecot=1
bins=""
out=""
keep=0
smoke=0
perf=0
for arg in "$@"; do
  case "$arg" in
    --clients=*) clients="${arg#*=}" ;;
    --messages=*) messages="${arg#*=}" ;;
    --size=*) size="${arg#*=}" ;;
    --repeat=*) repeat="${arg#*=}" ;;
    --idle=*) idle="${arg#*=}" ;;
    --idle_messages=*) idle_messages="${arg#*=}" ;;
    --hold=*) hold="${arg#*=}" ;;
    --no-dovecot) dovecot=0 ;;
    --smoke) smoke=1 clients=2 messages=5 repeat=1 idle=20 hold=1 dovecot=0 ;;
    --bins=*) bins="${arg#*=}" ;;
    --perf) perf=1 keep=1 ;;
    --out=*) out="${arg#*=}" ;;
    --keep) keep=1 ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "run_pop3_bench.sh: unknown argument '$arg' (--help lists them)" >&2
      exit 2
      ;;
  esac
done
for n in "$clients" "$messages" "$size" "$repeat" "$idle" "$idle_messages" "$hold"; do
  [[ $n =~ ^[0-9]+$ && $n -gt 0 ]] || { echo "run_pop3_bench.sh: '$n' is not a positive whole number" >&2; exit 2; }
done

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
die() {
  log "FAILED: $*"
  exit 1
}

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="$(mktemp -d "${TEST_TMPDIR:-/tmp}/pop3bench.XXXXXX")"
# Dovecot's mail processes run as nobody and must reach the Maildirs.
chmod 755 "$work"
mkdir -p "$work/bin"

# --- processes: only the ones this script started are ever stopped -----------
started_pids=()
dovecot_master=""
idle_fd=""
idle_pid=""
forget_pid() {
  local kept=() pid
  for pid in "${started_pids[@]}"; do [[ $pid == "$1" ]] || kept+=("$pid"); done
  started_pids=("${kept[@]}")
}
# stop_pid PID NAME: SIGTERM, up to 20 s, then SIGKILL (and say so).
stop_pid() {
  kill -TERM "$1" 2>/dev/null || true
  for _ in $(seq 200); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$1" 2>/dev/null; then
    log "WARNING: $2 (pid $1) did not exit within 20 s of SIGTERM; killing it"
    kill -KILL "$1" 2>/dev/null || true
  fi
  wait "$1" 2>/dev/null || true
  forget_pid "$1"
}
cleanup() {
  local status=$?
  set +e
  [[ -n "$idle_fd" ]] && exec {idle_fd}>&-
  for pid in "${started_pids[@]}"; do stop_pid "$pid" "process"; done
  [[ -n "$dovecot_master" ]] && stop_dovecot
  if [[ $keep == 1 || $status != 0 ]]; then
    log "temp dir kept: $work"
  else
    rm -rf "$work"
  fi
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- binaries --------------------------------------------------------------------
# Copied into the temp dir, so that a build in the shared checkout cannot
# swap them in the middle of the run.
if [[ -n "$bins" ]]; then
  IFS=, read -r b m p <<<"$bins"
else
  log "building (bazel build -c opt)"
  (cd "$root" && bazel build -c opt //bench/pop3_bench:pop3_bench //services/mailstore:mailstore //services/pop3:pop3)
  bazel_bin="$(cd "$root" && bazel info -c opt bazel-bin 2>/dev/null)"
  b="$bazel_bin/bench/pop3_bench/pop3_bench"
  m="$bazel_bin/services/mailstore/mailstore"
  p="$bazel_bin/services/pop3/pop3"
fi
cp "$b" "$work/bin/pop3_bench"
cp "$m" "$work/bin/mailstore"
cp "$p" "$work/bin/pop3"
bench="$work/bin/pop3_bench"
kurier_version="$(cd "$root" && git rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [[ -n "$(cd "$root" && git status --porcelain --untracked-files=no 2>/dev/null)" ]]; then
  kurier_version+=" + uncommitted changes"
fi

# 5,000 connections need 5,000 descriptors on each side (and Dovecot's log
# process one per mail process).
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
clk_tck="$(getconf CLK_TCK)"
password="pop3-bench-$RANDOM$RANDOM"

# --- /proc probes ----------------------------------------------------------------
# "PSS USS" in kB summed over the given pids (gone ones count 0). USS is the
# private pages only (Private_Clean + Private_Dirty).
mem_kb() {
  local files=()
  for pid in "$@"; do files+=("/proc/$pid/smaps_rollup"); done
  cat "${files[@]}" 2>/dev/null |
    awk '/^Pss:/ { p += $2 } /^Private_(Clean|Dirty):/ { u += $2 } END { print p + 0, u + 0 }'
}
# CPU seconds (user + system) of the given pids, including the children they
# have reaped (Dovecot's master reaps every pop3 process when it ends).
cpu_s() {
  local files=()
  for pid in "$@"; do files+=("/proc/$pid/stat"); done
  # The command name may hold spaces: count fields after the last ')'.
  cat "${files[@]}" 2>/dev/null | awk -v tck="$clk_tck" '{
      sub(/^.*\) /, "")
      t += $12 + $13 + $14 + $15  # utime stime cutime cstime
    } END { printf "%.2f\n", t / tck }'
}
# CPU seconds the whole machine was busy (all cores; /proc/stat, not idle
# and not iowait), to see how much of a pass went to other processes.
machine_busy_s() {
  awk -v tck="$clk_tck" '$1 == "cpu" { printf "%.2f\n", ($2 + $3 + $4 + $7 + $8 + $9) / tck; exit }' /proc/stat
}
# The pid and every descendant of it.
process_tree() {
  ps -e -o pid=,ppid= | awk -v root="$1" '
    { parent[$1] = $2; pids[NR] = $1 }
    END {
      keep[root] = 1; print root
      do {
        more = 0
        for (i in pids) { p = pids[i]; if (!(p in keep) && (parent[p] in keep)) { keep[p] = 1; print p; more = 1 } }
      } while (more)
    }'
}
# calc FORMAT EXPRESSION: arithmetic on numbers this script produced.
calc() { awk "BEGIN { printf \"$1\\n\", $2 }"; }

# Results: results[<scenario>.<server>] = value
declare -A results

# --- Kurier --------------------------------------------------------------------------
kurier_setup_done=0
start_kurier() {
  mkdir -p "$work/kurier"
  rm -f "$work/kurier/store.port" "$work/kurier/pop3.port"
  "$work/bin/mailstore" --store.data_dir="$work/kurier/store" --store.listen=127.0.0.1:0 \
    --store.port_file="$work/kurier/store.port" --store.metrics_listen=off --store.scrypt_n=1024 \
    >>"$work/kurier/mailstore.log" 2>&1 </dev/null &
  store_pid=$!
  started_pids+=("$store_pid")
  wait_port_file "$work/kurier/store.port" "$store_pid" mailstore
  store_addr="127.0.0.1:$(tr -d '[:space:]' <"$work/kurier/store.port")"
  if [[ $kurier_setup_done == 0 ]]; then
    log "Kurier: $((clients + idle)) accounts (scrypt N=1024 so that they are made quickly), $clients x $messages + $idle x $idle_messages messages of $size bytes"
    "$bench" setup-kurier --store="$store_addr" --prefix=r --users="$clients" --messages="$messages" --size="$size" \
      --password="$password" >&2
    "$bench" setup-kurier --store="$store_addr" --prefix=i --users="$idle" --messages="$idle_messages" --size="$size" \
      --password="$password" >&2
    kurier_setup_done=1
    sync
  fi
  start_kurier_pop3
}
start_kurier_pop3() {
  rm -f "$work/kurier/pop3.port"
  "$work/bin/pop3" --store_client.shards="$store_addr" --pop3.listen=127.0.0.1:0 --pop3.tls_listen=off \
    --pop3.metrics_listen=off --pop3.health_listen=off --pop3.port_file="$work/kurier/pop3.port" \
    --pop3.tls.self_signed_dir="$work/kurier/tls" --pop3.allow_plaintext_auth=true \
    --pop3.limits.max_connections_per_ip=100000 --pop3.limits.max_connections=100000 \
    >>"$work/kurier/pop3.log" 2>&1 </dev/null &
  pop3_pid=$!
  started_pids+=("$pop3_pid")
  wait_port_file "$work/kurier/pop3.port" "$pop3_pid" pop3
  port="$(awk '$1 == "pop3" { print $2 }' "$work/kurier/pop3.port")"
}
stop_kurier() {
  stop_pid "$pop3_pid" pop3
  stop_pid "$store_pid" mailstore
}
# After the first logins: a fresh pop3 (so that its heap starts clean), the
# store as it is (its caches warm).
restart_kurier() {
  stop_pid "$pop3_pid" pop3
  start_kurier_pop3
}
# "component CPU seconds": pop3, mailstore.
cpu_kurier() { echo "$(cpu_s "$pop3_pid") $(cpu_s "$store_pid")"; }
# "PSS USS PSS USS processes": pop3, then mailstore.
mem_kurier() { echo "$(mem_kb "$pop3_pid") $(mem_kb "$store_pid") 2"; }

wait_port_file() {  # FILE PID WHAT
  for _ in $(seq 600); do
    [[ -s "$1" ]] && return 0
    kill -0 "$2" 2>/dev/null || die "$3 exited at start; see $work"
    sleep 0.1
  done
  die "$3 wrote no port file within 60 s"
}

# --- Dovecot -------------------------------------------------------------------------
dovecot_setup_done=0
setup_dovecot() {
  if ! command -v dovecot >/dev/null || [[ ! -x /usr/lib/dovecot/pop3 ]]; then
    log "Dovecot: installing dovecot-core dovecot-pop3d (apt-get)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y dovecot-core dovecot-pop3d >&2 ||
      die "cannot install Dovecot (run as root, or pass --no-dovecot)"
  fi
  dovecot_bin="$(command -v dovecot)"
  dovecot_version="$("$dovecot_bin" --version)"
  d="$work/dovecot"
  mkdir -p "$d/mail" "$d/run" "$d/state"
  log "Dovecot $dovecot_version: the same accounts and messages, as Maildir files"
  "$bench" setup-maildir --dir="$d/mail" --prefix=r --users="$clients" --messages="$messages" --size="$size" >&2
  "$bench" setup-maildir --dir="$d/mail" --prefix=i --users="$idle" --messages="$idle_messages" --size="$size" >&2
  chown -R nobody:nogroup "$d/mail"
  local hash uid gid
  hash="$(doveadm pw -s SHA512-CRYPT -p "$password")"
  uid="$(id -u nobody)" gid="$(id -g nobody)"
  for prefix_count in "r $clients" "i $idle"; do
    read -r prefix count <<<"$prefix_count"
    awk -v p="$prefix" -v n="$count" -v h="$hash" -v u="$uid" -v g="$gid" -v m="$d/mail" \
      'BEGIN { for (i = 0; i < n; i++) { a = p i "@pop3-bench.invalid"; print a ":" h ":" u ":" g "::" m "/" a "::" } }'
  done >"$d/passwd"
  dovecot_port="$("$bench" free-port)"
  local procs=$((idle + 1000))
  cat >"$d/dovecot.conf" <<EOF
# Written by run_pop3_bench.sh: a private Dovecot for the benchmark.
base_dir = $d/run
state_dir = $d/state
log_path = $d/dovecot.log
protocols = pop3
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
passdb {
  driver = passwd-file
  args = $d/passwd
}
userdb {
  driver = passwd-file
  args = $d/passwd
}
mail_location = maildir:~/Maildir
# Limits raised for $idle sessions (one pop3 process each); everything else,
# fsync included, is Dovecot's default.
default_process_limit = $procs
default_client_limit = $((procs * 2))
default_vsz_limit = 1G
service pop3-login {
  inet_listener pop3 {
    port = $dovecot_port
  }
  inet_listener pop3s {
    port = 0
  }
  # High-performance mode: long-lived login processes, one per core.
  service_count = 0
  process_min_avail = $(nproc)
  client_limit = $procs
}
service pop3 {
  process_limit = $procs
}
EOF
  dovecot_setup_done=1
  sync
}
start_dovecot() {
  [[ $dovecot_setup_done == 1 ]] || setup_dovecot
  "$dovecot_bin" -F -c "$d/dovecot.conf" </dev/null >>"$d/dovecot.stdout" 2>&1 &
  dovecot_master=$!
  for _ in $(seq 300); do
    # A connection that only reads the greeting (bash's /dev/tcp).
    (exec 3<>"/dev/tcp/127.0.0.1/$dovecot_port" && head -c 3 <&3 >/dev/null) 2>/dev/null && break
    kill -0 "$dovecot_master" 2>/dev/null || { cat "$d/dovecot.stdout" "$d/dovecot.log" >&2; die "Dovecot did not start"; }
    sleep 0.1
  done
  port="$dovecot_port"
}
dovecot_pids() { process_tree "$dovecot_master"; }
stop_dovecot() {
  local pids
  pids="$(dovecot_pids)"
  "$dovecot_bin" -c "$d/dovecot.conf" stop 2>/dev/null || kill -TERM "$dovecot_master" 2>/dev/null || true
  for _ in $(seq 200); do kill -0 "$dovecot_master" 2>/dev/null || break; sleep 0.1; done
  wait "$dovecot_master" 2>/dev/null || true
  # Nothing of this instance may be left running: mail processes get 10 s
  # more to finish, then SIGKILL.
  for _ in $(seq 100); do
    local alive=0
    for pid in $pids; do kill -0 "$pid" 2>/dev/null && alive=1 && break; done
    [[ $alive == 0 ]] && break
    sleep 0.1
  done
  for pid in $pids; do
    if [[ "$(readlink "/proc/$pid/exe" 2>/dev/null)" == */dovecot* ]]; then
      log "WARNING: Dovecot process $pid still running after stop; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  dovecot_master=""
}
restart_dovecot() {
  stop_dovecot
  start_dovecot
}
cpu_dovecot() { cpu_s $(dovecot_pids); }
mem_dovecot() {
  local pids
  pids="$(dovecot_pids)"
  echo "$(mem_kb $pids) 0 0 $(wc -w <<<"$pids")"
}

# --- the two scenarios, the same for both servers ----------------------------------
# retr_pass SERVER PORT RUN: one RETR pass; appends "msgs/s MB/s elapsed
# client_cpu messages other_cpu server_cpu..." to $work/SERVER.passes.
retr_pass() {
  local server="$1" port="$2" run="$3" before after busy_before busy_after out cpu other
  before="$(cpu_"$server")" busy_before="$(machine_busy_s)"
  "$bench" retr --port="$port" --prefix=r --users="$clients" --messages="$messages" --password="$password" \
    --label="$server" >"$work/$server.retr.$run" || { cat "$work/$server.retr.$run" >&2; die "$server RETR pass $run"; }
  after="$(cpu_"$server")" busy_after="$(machine_busy_s)"
  out="$(grep '^result,' "$work/$server.retr.$run")"
  IFS=, read -r _ _ _ msgs bytes elapsed rate mb client_cpu errors <<<"$out"
  # Server CPU of this pass, one figure per component.
  cpu="$(paste -d' ' <(tr ' ' '\n' <<<"$before") <(tr ' ' '\n' <<<"$after") | awk '{ printf "%.2f ", $2 - $1 }')"
  # What the machine spent beyond server and client: other people's work.
  other="$(calc %.2f "$busy_after - $busy_before - $client_cpu - ($(tr ' ' '+' <<<"$cpu") 0)")"
  echo "$rate $mb $elapsed $client_cpu $msgs $other $cpu" >>"$work/$server.passes"
  log "$server: pass $run: $msgs messages in ${elapsed}s, $rate msg/s, $mb MB/s; CPU s: server $cpu, client $client_cpu, other processes $other"
  results["retr_pass$run.$server"]="$rate"
}

# retr: RETR throughput. The servers run side by side (each idle while it is
# not its turn) and their passes alternate, so that a change in the speed of
# the machine during the run (it is shared, and a VM) hits both alike.
retr() {
  local server run
  declare -A retr_port
  for server in "${servers[@]}"; do
    start_"$server"
    retr_port[$server]="$port"
  done
  for server in "${servers[@]}"; do
    log "$server: RETR warm-up pass"
    "$bench" retr --port="${retr_port[$server]}" --prefix=r --users="$clients" --messages="$messages" \
      --password="$password" --label="$server-warmup" >"$work/$server.retr.warmup" ||
      { cat "$work/$server.retr.warmup" >&2; die "$server warm-up"; }
  done
  for run in $(seq "$repeat"); do
    for server in "${servers[@]}"; do retr_pass "$server" "${retr_port[$server]}" "$run"; done
  done
  if [[ $perf == 1 ]] && command -v perf >/dev/null; then
    for server in "${servers[@]}"; do
      # One more pass, not counted, profiled system-wide (Dovecot forks a
      # process per session).
      perf record -a -g -o "$work/$server.perf.data" >/dev/null 2>&1 &
      local perf_pid=$!
      sleep 1
      "$bench" retr --port="${retr_port[$server]}" --prefix=r --users="$clients" --messages="$messages" \
        --password="$password" --label="$server-perf" >"$work/$server.retr.perf" || log "$server: profiled pass failed"
      kill -INT "$perf_pid"
      wait "$perf_pid" || true
      perf report -i "$work/$server.perf.data" --no-children --sort comm,dso,symbol -g none --percent-limit 0.3 \
        --stdio 2>/dev/null | grep -v '^#' | grep -v '^$' | cut -c1-200 >"$work/$server.perf.txt" || true
      log "$server: perf profile of an extra pass in $work/$server.perf.txt"
    done
  fi
  for server in "${servers[@]}"; do stop_"$server"; done

  for server in "${servers[@]}"; do
    # The median pass by messages/s, reported whole.
    local pick rate mb elapsed client_cpu msgs other cpu_a cpu_b
    pick="$(sort -g -k1,1 "$work/$server.passes" | awk -v n="$repeat" 'NR == int((n + 1) / 2)')"
    read -r rate mb elapsed client_cpu msgs other cpu_a cpu_b <<<"$pick"
    cpu_b="${cpu_b:-0}"
    results["retr_msgs.$server"]="$rate"
    results["retr_range.$server"]="$(sort -g -k1,1 "$work/$server.passes" | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.0f-%.0f", lo, hi }')"
    results["retr_mb.$server"]="$mb"
    results["retr_client_cpu.$server"]="$(calc %.0f "100 * $client_cpu / $elapsed")"
    results["retr_other_cpu.$server"]="$(calc %.0f "100 * $other / $elapsed")"
    results["retr_cpu_per_k.$server"]="$(calc %.3f "($cpu_a + $cpu_b) * 1000 / $msgs")"
    results["retr_server_cpu_pct.$server"]="$(calc %.0f "($cpu_a + $cpu_b) * 100 / $elapsed")"
    if [[ $server == kurier ]]; then
      results["retr_cpu_pop3_per_k.kurier"]="$(calc %.3f "$cpu_a * 1000 / $msgs")"
      results["retr_cpu_store_per_k.kurier"]="$(calc %.3f "$cpu_b * 1000 / $msgs")"
    fi
  done
}

# open_sessions SERVER TAG: opens and logs in --idle sessions with the idle
# client and returns once all are in; close_sessions ends them.
open_sessions() {
  local server="$1" tag="$2"
  idle_out="$work/$server.idle.$tag"
  local fifo="$idle_out.fifo"
  mkfifo "$fifo"
  "$bench" idle --port="$port" --prefix=i --users="$idle" --password="$password" <"$fifo" >"$idle_out" &
  idle_pid=$!
  started_pids+=("$idle_pid")
  exec {idle_fd}>"$fifo"
  for _ in $(seq 6000); do
    grep -q '^ready$' "$idle_out" && break
    kill -0 "$idle_pid" 2>/dev/null || { cat "$idle_out" >&2; die "$server: idle client failed"; }
    sleep 0.1
  done
  grep -q '^ready$' "$idle_out" || die "$server: $idle sessions not logged in within 600 s"
  log "$server: $(grep '^logged_in' "$idle_out")"
}
close_sessions() {
  local server="$1"
  exec {idle_fd}>&-
  idle_fd=""
  wait "$idle_pid" || { cat "$idle_out" >&2; die "$server: sessions lost while idle"; }
  forget_pid "$idle_pid"
  log "$server: $(grep '^closed' "$idle_out")"
}

# idle SERVER: memory per idle session. mem_SERVER prints "PSS USS PSS USS
# processes" in kB: Kurier pop3 then mailstore; Dovecot all processes then
# zeros.
#  1. First logins, on a freshly started server: every account logs in for
#     the first time (Dovecot builds its index files, Kurier's store fills
#     its caches). Measured too ("cold"), then closed.
#  2. The server is restarted (Kurier: pop3 only, the store keeps its warm
#     caches), 20 sessions come and go, then the measured phase: before,
#     --idle sessions held --hold seconds, after, closed, after closing.
idle() {
  local server="$1" cold_before cold_after before after closed cpu_before cpu_after
  start_"$server"
  log "$server: idle, first logins (cold)"
  cold_before="$(mem_"$server")"
  open_sessions "$server" first
  sleep 2
  cold_after="$(mem_"$server")"
  log "$server: first logins: before $cold_before, with $idle sessions $cold_after"
  close_sessions "$server"
  restart_"$server"
  "$bench" idle --port="$port" --prefix=i --users=$((idle < 20 ? idle : 20)) --password="$password" \
    </dev/null >"$work/$server.idle.warmup" || { cat "$work/$server.idle.warmup" >&2; die "$server idle warm-up"; }
  sleep 2
  before="$(mem_"$server")"
  log "$server: before: $before (kB: PSS USS of the main process(es), PSS USS of the store, processes)"
  open_sessions "$server" measured
  cpu_before="$(cpu_"$server")"
  sleep "$hold"
  cpu_after="$(cpu_"$server")"
  after="$(mem_"$server")"
  log "$server: with $idle sessions, after ${hold} s: $after"
  close_sessions "$server"
  sleep 2
  closed="$(mem_"$server")"
  log "$server: 2 s after closing them: $closed"
  stop_"$server"
  local b_pss b_uss b_spss b_suss a_pss a_uss a_spss a_suss a_procs c_pss c_spss
  read -r b_pss b_uss b_spss b_suss _ <<<"$before"
  read -r a_pss a_uss a_spss a_suss a_procs <<<"$after"
  read -r c_pss _ c_spss _ _ <<<"$closed"
  results["idle_bytes_main.$server"]="$(calc %.0f "($a_pss - $b_pss) * 1024 / $idle")"
  results["idle_bytes_main_uss.$server"]="$(calc %.0f "($a_uss - $b_uss) * 1024 / $idle")"
  results["idle_bytes_all.$server"]="$(calc %.0f "($a_pss + $a_spss - $b_pss - $b_spss) * 1024 / $idle")"
  results["idle_procs.$server"]="$a_procs"
  results["idle_before_kb.$server"]="$((b_pss + b_spss))"
  results["idle_after_kb.$server"]="$((a_pss + a_spss))"
  results["idle_closed_kb.$server"]="$((c_pss + c_spss))"
  results["idle_logins.$server"]="$(sed -n 's/.*(\([0-9]*\) logins\/s).*/\1/p' "$work/$server.idle.measured")"
  results["idle_cpu_pct.$server"]="$(paste -d' ' <(tr ' ' '\n' <<<"$cpu_before") <(tr ' ' '\n' <<<"$cpu_after") |
    awk -v h="$hold" '{ t += $2 - $1 } END { printf "%.1f", t * 100 / h }')"
  if [[ $server == kurier ]]; then
    results["idle_bytes_store.kurier"]="$(calc %.0f "($a_spss - $b_spss) * 1024 / $idle")"
    results["idle_bytes_store_uss.kurier"]="$(calc %.0f "($a_suss - $b_suss) * 1024 / $idle")"
  fi
  local cb_pss cb_spss ca_pss ca_spss
  read -r cb_pss _ cb_spss _ _ <<<"$cold_before"
  read -r ca_pss _ ca_spss _ _ <<<"$cold_after"
  results["cold_bytes_main.$server"]="$(calc %.0f "($ca_pss - $cb_pss) * 1024 / $idle")"
  results["cold_logins.$server"]="$(sed -n 's/.*(\([0-9]*\) logins\/s).*/\1/p' "$work/$server.idle.first")"
  [[ $server == kurier ]] && results["cold_bytes_store.kurier"]="$(calc %.0f "($ca_spss - $cb_spss) * 1024 / $idle")"
  return 0
}

servers=(kurier)
[[ $dovecot == 1 ]] && servers+=(dovecot)
retr
for server in "${servers[@]}"; do idle "$server"; done
if [[ $dovecot == 1 ]]; then
  if grep -Eq 'Fatal|Panic|Error' "$d/dovecot.log"; then
    grep -E 'Fatal|Panic|Error' "$d/dovecot.log" | head -5 >&2
    die "Dovecot logged errors (see $d/dovecot.log)"
  fi
  grep -E 'Warning' "$d/dovecot.log" | grep -v 'Killed with signal 15' | sed 's/^.*Warning: //' | sort | uniq -c | head -5 >&2 || true
fi

# --- the table ---------------------------------------------------------------------
stamp="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
rows=(
  "retr_msgs|RETR messages/s ($clients clients x $messages msgs x $size B; median of $repeat passes)"
  "retr_range|RETR messages/s, slowest-fastest pass"
  "retr_mb|RETR MB/s (10^6 bytes of message content; median pass)"
  "retr_cpu_per_k|RETR server CPU s per 1000 messages, all server processes"
  "retr_cpu_pop3_per_k|  of which pop3"
  "retr_cpu_store_per_k|  of which mailstore"
  "retr_server_cpu_pct|RETR server CPU, % of one core"
  "retr_client_cpu|RETR load generator CPU, % of one core"
  "retr_other_cpu|RETR other processes on the machine, % of one core (noise)"
  "idle_bytes_main|idle: bytes/session, PSS (Kurier: pop3 process; Dovecot: all processes)"
  "idle_bytes_main_uss|idle: bytes/session, private pages only (same processes)"
  "idle_bytes_store|idle: Kurier mailstore growth, bytes/session (PSS)"
  "idle_bytes_store_uss|idle: Kurier mailstore growth, bytes/session (private pages)"
  "idle_bytes_all|idle: bytes/session, PSS of all server processes"
  "idle_procs|idle: server processes with $idle sessions"
  "idle_before_kb|idle: PSS before, kB (all server processes)"
  "idle_after_kb|idle: PSS with $idle sessions, kB"
  "idle_closed_kb|idle: PSS 2 s after closing them, kB"
  "idle_cpu_pct|idle: server CPU while $idle sessions idle, % of one core"
  "idle_logins|idle: logins/s while opening them (32 at a time)"
  "cold_bytes_main|first logins (cold): bytes/session, PSS (Kurier: pop3; Dovecot: all)"
  "cold_bytes_store|first logins (cold): Kurier mailstore growth, bytes/session (PSS)"
  "cold_logins|first logins (cold): logins/s"
)
for run in $(seq "$repeat"); do rows+=("retr_pass$run|RETR pass $run, messages/s"); done

results_dir="${out:-$root/bench/results}"
mkdir -p "$results_dir"
csv="$results_dir/pop3_bench_$(date -u +%Y%m%d-%H%M%S).csv"
{
  echo "date,kurier_version,dovecot_version,scenario,kurier,dovecot,kurier/dovecot"
  for row in "${rows[@]}"; do
    key="${row%%|*}" name="${row#*|}"
    k="${results[$key.kurier]:--}" v="${results[$key.dovecot]:--}"
    ratio="-"
    [[ $k != - && $v != - && $k != *-* ]] && ratio="$(awk -v a="$k" -v b="$v" 'BEGIN { if (b + 0 == 0) print "-"; else printf "%.2f", a / b }')"
    echo "$stamp,$kurier_version,${dovecot_version:-not run},\"$name\",$k,$v,$ratio"
  done
} >"$csv"

echo
echo "POP3: Kurier $kurier_version vs Dovecot ${dovecot_version:-(not run)}; $stamp; $(nproc) cores"
awk -F'"' 'NR == 1 { printf "%-82s | %10s | %10s | %s\n", "scenario", "Kurier", "Dovecot", "ratio"; next }
  { split($3, v, ","); printf "%-82s | %10s | %10s | %s\n", $2, v[2], v[3], v[4] }' "$csv"
echo
echo "CSV: $csv"
[[ $smoke == 1 ]] && echo "smoke: PASS"
exit 0
