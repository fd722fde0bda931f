#!/usr/bin/env bash
# Runs the test suite against an ASan+UBSan (default) or TSan build of the addon inside stock
# Node, preloading the sanitizer runtime. Usage:
#   scripts/test-sanitizers.sh [address|thread] [test dirs under build-test/test/ ...]
# Rebuilds build/ with the sanitizer and restores a normal build at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
kind="${1:-address}"
shift || true
dirs=("$@")
[ ${#dirs[@]} -eq 0 ] && dirs=(unit http static websocket lifecycle regressions)
# The sanitizer runtime must not be preloaded into the rebuild (dash under libtsan segfaults, and
# then the normal build was silently not restored); the test status is the script's status.
restore() {
  local rc=$?
  env -u LD_PRELOAD -u TSAN_OPTIONS -u ASAN_OPTIONS -u UBSAN_OPTIONS npx node-gyp rebuild -j 2 >/dev/null 2>&1 ||
    echo "test-sanitizers.sh: could not restore the normal build (run npm run build)" >&2
  exit "$rc"
}
trap restore EXIT
CXXFLAGS="-D_GLIBCXX_ASSERTIONS" npx node-gyp rebuild -j 2 -- -Dhttpuv_sanitize="$kind" >/dev/null
npm run --silent build:ts
npm run --silent build:test
filters=()
for d in "${dirs[@]}"; do [ -d "build-test/test/$d" ] && filters+=("$d/"); done
if [ "$kind" = address ]; then
  export LD_PRELOAD="$(gcc -print-file-name=libasan.so) $(gcc -print-file-name=libubsan.so)"
  export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:halt_on_error=1"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
else
  export LD_PRELOAD="$(gcc -print-file-name=libtsan.so)"
  export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$PWD/scripts/tsan-suppressions.txt"
fi
# Tests that spawn outside programs (curl, chromium) drop LD_PRELOAD for them (test/helpers).
export HTTPUV_SANITIZER="$kind"
node scripts/run-tests.mjs --concurrency=1 --timeout=300000 "${filters[@]}"
