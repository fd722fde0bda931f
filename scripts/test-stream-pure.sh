#!/usr/bin/env bash
# Builds the streamed-response encoder (src-native/http/stream_encoder.cc: chunked coding,
# enforced Content-Length, gzip per chunk) with its standalone driver
# test/native/cpp/http_stream_pure_test.cc under AddressSanitizer + UBSan, and runs it. Pure: no
# addon, no libuv. `npm run test:native-pure` and `npm test` (test/native/native-pure.test.ts)
# call it; HTTPUV_PURE_BUILD_DIR as in test-native-pure.sh.
set -euo pipefail
# shellcheck source=pure-build.sh
. "$(dirname "$0")/pure-build.sh"

root="$(cd "$(dirname "$0")/.." && pwd)"
cxx="${CXX:-g++}"
work="$(mktemp -d "${TMPDIR:-/tmp}/httpuv-stream-test.XXXXXX")"
trap 'rm -rf "$work"' EXIT

zinc=()
for d in "${NODE_INCLUDE_DIR:-}" /usr/include/node /usr/local/include/node; do
  if [ -n "$d" ] && [ -f "$d/zlib.h" ]; then zinc=(-isystem "$d"); break; fi
done
zlib=(-lz)
if ! echo 'int main(){return 0;}' | "$cxx" -x c++ - -lz -o "$work/probe" 2>/dev/null; then
  so="$(ldconfig -p 2>/dev/null | awk '/libz\.so\.1 /{print $NF; exit}')"
  if [ -z "$so" ]; then
    so="$(find /usr/lib /lib /usr/local/lib -name 'libz.so.1*' 2>/dev/null | head -n 1)"
  fi
  if [ -z "$so" ]; then echo "test-stream-pure: no libz found" >&2; exit 1; fi
  zlib=("$so")
fi

pure_build "${HTTPUV_PURE_BUILD_DIR:-$work}" http_stream_pure_test "$cxx" \
  -std=c++17 -Wall -Wextra -Werror -g -O1 -fno-omit-frame-pointer \
  -fsanitize=address,undefined -fno-sanitize-recover=all \
  -I "$root/src-native" "${zinc[@]}" \
  "$root/src-native/http/stream_encoder.cc" "$root/test/native/cpp/http_stream_pure_test.cc" \
  "${zlib[@]}"

ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:${ASAN_OPTIONS:-}" \
UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}" \
  "$built"
