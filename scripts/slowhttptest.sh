#!/usr/bin/env bash
# Runs Debian's slowhttptest (apt-get install -y slowhttptest) against a node-httpuv server in a
# child process, loopback only, one mode after another for a bounded time each, to show that
# slow clients cannot take the service down: slowloris (-H), slow body (-B), slow read (-X, tiny TCP
# window on a 10 MiB static file) and the range attack (-R). For each mode prints slowhttptest's
# per-second CSV condensed (connected / closed / service available) and the server's RSS and fd
# count before and after. Usage: scripts/slowhttptest.sh [seconds-per-mode (default 30)]
# Exits 1 when the service became unavailable or the server died.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
secs="${1:-30}"
command -v slowhttptest >/dev/null || { echo "slowhttptest not installed (apt-get install -y slowhttptest)" >&2; exit 2; }
[[ -f "$root/dist/index.js" ]] || { echo "dist/ missing: run npm run build" >&2; exit 2; }
work="$(mktemp -d "${TMPDIR:-/tmp}/httpuv-slowhttptest.XXXXXX")"
server_pid=""
cleanup() {
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
head -c $((10 * 1024 * 1024)) /dev/urandom > "$work/big.bin"

# Timeouts small enough for the test window: headers 5 s, whole request 10 s, keep-alive 5 s,
# send (client reads nothing) 10 s. slowloris uses 1,000 connections.
ulimit -n 65536 2>/dev/null || ulimit -n 4096 2>/dev/null || true
HTTPUV_ROOT="$root" HTTPUV_STATIC="$work" node -e '
  const h = require(process.env.HTTPUV_ROOT + "/dist/index.js");
  const s = h.startServer("127.0.0.1", 0, { call: () => ({ status: 200, body: "ok\n" }),
    staticPaths: { "/static": process.env.HTTPUV_STATIC } },
    { headersTimeoutMs: 5000, requestTimeoutMs: 10000, keepAliveTimeoutMs: 5000, sendTimeoutMs: 10000 });
  console.log(s.getPort());
  process.on("SIGTERM", () => s.stop().then(() => process.exit(0)));
' > "$work/port" &
server_pid=$!
for _ in $(seq 1 100); do [[ -s "$work/port" ]] && break; sleep 0.1; done
port="$(head -1 "$work/port")"
[[ -n "$port" ]] || { echo "server did not start" >&2; exit 1; }
echo "server pid $server_pid on 127.0.0.1:$port; $secs s per mode; headersTimeout 5 s, requestTimeout 10 s, sendTimeout 10 s"

rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$server_pid/status"; }
fds() { ls "/proc/$server_pid/fd" | wc -l; }

status=0
run_mode() {
  local name="$1"; shift
  local before_rss before_fds
  before_rss=$(rss_kb); before_fds=$(fds)
  slowhttptest "$@" -l "$secs" -g -o "$work/$name" -p 3 >"$work/$name.log" 2>&1 || true
  sleep 6  # let the timeouts reap what slowhttptest left behind
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "$name: SERVER DIED"; status=1; return
  fi
  local csv="$work/$name.csv"
  if [[ ! -f "$csv" ]]; then
    echo "$name: no CSV produced; log:"; tail -5 "$work/$name.log"; status=1; return
  fi
  # CSV columns: Seconds,Closed,Pending,Connected,Service Available
  awk -F, -v name="$name" -v brss="$before_rss" -v arss="$(rss_kb)" -v bfd="$before_fds" -v afd="$(fds)" '
    NR == 1 { next }
    { n++; if ($4 > maxc) maxc = $4; if ($2 > 0 && first_close == "") first_close = $1;
      if ($5 + 0 == 0) down++; last = $0 }
    END {
      printf "%s: %d s sampled, max connected %d, first closes at t=%s s, service unavailable %d s, last row [%s]; server RSS %.1f -> %.1f MiB, fds %d -> %d\n",
        name, n, maxc, (first_close == "" ? "never" : first_close), down, last, brss / 1024, arss / 1024, bfd, afd
      if (down > 0) exit 1
    }' "$csv" || status=1
}

url="http://127.0.0.1:$port/"
run_mode slowloris -H -c 1000 -i 2 -r 250 -u "$url"
run_mode slowbody -B -c 300 -i 2 -r 100 -s 8192 -u "${url}upload"
run_mode slowread -X -c 200 -r 100 -w 1 -y 8 -n 2 -z 32 -k 3 -u "${url}static/big.bin"
run_mode range -R -c 200 -r 100 -a 5 -b 2000 -u "${url}static/big.bin"
# A final plain request: the server must still answer.
if curl -fsS --max-time 5 "$url" >/dev/null; then echo "after all modes: server answers"; else echo "after all modes: NO ANSWER"; status=1; fi
exit $status
