#!/usr/bin/env bash
# Builds the pure WebSocket layer (src-native/util/*.cc, src-native/ws/{handshake,frame_parser,
# frame_writer,permessage_deflate,ws_session}.cc; the session runs over a fake transport) with its
# standalone C++ test driver
# (test/native/cpp/ws_pure_*test.cc, sharing ws_test_support.h) under AddressSanitizer + UBSan,
# runs it, and exits non-zero on any compile error, failed check or sanitizer report. No addon, no libuv, no Node runtime:
# zlib's header is the vendored one (deps/zlib, what the addon compiles and links), and the driver
# links against the system libz (same API; the addon's copy is built only by node-gyp). `npm run test:native-pure` and `npm test` (test/native/native-pure.test.ts)
# call it. HTTPUV_PURE_BUILD_DIR=DIR keeps the compiled driver in DIR and reuses it while its
# inputs are unchanged (scripts/pure-build.sh); unset, it compiles into a temporary directory.
set -euo pipefail
# shellcheck source=pure-build.sh
. "$(dirname "$0")/pure-build.sh"

root="$(cd "$(dirname "$0")/.." && pwd)"
cxx="${CXX:-g++}"
work="$(mktemp -d "${TMPDIR:-/tmp}/httpuv-ws-test.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# zlib headers: the vendored copy, included as <zlib/zlib.h> (as the addon does).
zinc=(-isystem "$root/deps")

# zlib library: -lz when the linker finds libz.so, else link a libz.so.1 by path.
zlib=(-lz)
if ! echo 'int main(){return 0;}' | "$cxx" -x c++ - -lz -o "$work/probe" 2>/dev/null; then
  so="$(ldconfig -p 2>/dev/null | awk '/libz\.so\.1 /{print $NF; exit}')"
  if [ -z "$so" ]; then
    so="$(find /usr/lib /lib /usr/local/lib -name 'libz.so.1*' 2>/dev/null | head -n 1)"
  fi
  if [ -z "$so" ]; then echo "test-native-pure: no libz found" >&2; exit 1; fi
  zlib=("$so")
fi

sources=("$root"/src-native/util/*.cc)
for f in handshake frame_parser frame_writer permessage_deflate ws_session; do
  sources+=("$root/src-native/ws/$f.cc")
done

pure_build "${HTTPUV_PURE_BUILD_DIR:-$work}" ws_pure_test "$cxx" \
  -std=c++17 -Wall -Wextra -Werror -g -O1 -fno-omit-frame-pointer \
  -fsanitize=address,undefined -fno-sanitize-recover=all \
  -I "$root/src-native" "${zinc[@]}" \
  "${sources[@]}" "$root"/test/native/cpp/ws_pure_*test.cc \
  "${zlib[@]}"

ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:${ASAN_OPTIONS:-}" \
UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}" \
  "$built"
