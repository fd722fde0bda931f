#!/usr/bin/env bash
# Builds the libFuzzer targets under fuzz/targets/ with clang-14, ASan + UBSan (every UBSan report
# is fatal), into fuzz/out/<target>. No Node, no libuv: the harnesses link the pure protocol files
# of src-native/ directly. Usage: fuzz/build.sh [target...] (default: every target whose sources
# exist). Needs: apt-get install -y clang-14 libclang-rt-14-dev llvm-14.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/fuzz/out"
mkdir -p "$out/obj"
cxx="${FUZZ_CXX:-clang++-14}"
cc="${FUZZ_CC:-clang-14}"
command -v "$cxx" >/dev/null || { echo "fuzz/build.sh: $cxx not found (apt-get install -y clang-14 libclang-rt-14-dev llvm-14)" >&2; exit 2; }

san=(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -g -O1)
inc=(-I "$root/src-native" -I "$root/deps/llhttp/include" -isystem "$root/deps")
sn="$root/src-native"

# Sources per target (paths relative to the repo); a target is skipped when one is missing.
sources_for() {
  case "$1" in
    http_parser) echo "src-native/http/parser.cc src-native/http/request.cc src-native/util/ascii.cc" ;;
    static_path | static_rules) echo "src-native/static/static_files.cc src-native/static/static_resolve.cc src-native/static/static_negotiation.cc src-native/static/static_listing.cc src-native/static/mime_types.cc src-native/util/ascii.cc src-native/util/reason_phrase.cc src-native/util/utf8.cc src-native/util/byte_kernels.cc" ;;
    ws_frames) echo "src-native/ws/frame_parser.cc src-native/ws/frame_writer.cc src-native/ws/permessage_deflate.cc src-native/util/utf8.cc src-native/util/byte_kernels.cc src-native/util/buffer_pool.cc" ;;
    byte_kernels) echo "src-native/util/byte_kernels.cc src-native/util/utf8.cc" ;;
    pmd_inflate) echo "src-native/ws/permessage_deflate.cc" ;;
    *) return 1 ;;
  esac
}
libs_for() {
  case "$1" in
    ws_frames | pmd_inflate) echo "-lz" ;;
    *) echo "" ;;
  esac
}
all_targets() { for f in "$root"/fuzz/targets/*.cc; do basename "$f" .cc; done; }

# llhttp, instrumented for coverage too (the interesting branches are in llhttp.c).
llhttp_obj() {
  local o="$out/obj/llhttp"
  mkdir -p "$o"
  local f
  for f in llhttp api http; do
    local src="$root/deps/llhttp/src/$f.c"
    if [[ ! -f "$o/$f.o" || "$src" -nt "$o/$f.o" ]]; then
      "$cc" "${san[@]}" -fsanitize=fuzzer-no-link -I "$root/deps/llhttp/include" -c "$src" -o "$o/$f.o"
    fi
  done
  echo "$o/llhttp.o $o/api.o $o/http.o"
}

build_one() {
  local t="$1" srcs extra=() missing=0 s
  srcs="$(sources_for "$t")" || { echo "unknown target $t" >&2; return 1; }
  for s in $srcs; do [[ -f "$root/$s" ]] || { echo "skip $t: $s not present yet" >&2; missing=1; }; done
  [[ $missing -eq 0 ]] || return 3
  local bin="$out/$t" newest="$root/fuzz/targets/$t.cc"
  for s in $srcs; do [[ "$root/$s" -nt "$newest" ]] && newest="$root/$s"; done
  # Rebuild when any source or header under src-native/ is newer than the binary.
  if [[ -x "$bin" && "$bin" -nt "$newest" && "$bin" -nt "$0" ]] &&
     [[ -z "$(find "$sn" -name '*.h' -newer "$bin" -print -quit)" ]]; then
    return 0
  fi
  [[ "$t" == http_parser ]] && extra=($(llhttp_obj))
  local abs=()
  for s in $srcs; do abs+=("$root/$s"); done
  echo "building fuzz target $t" >&2
  "$cxx" -std=c++17 "${san[@]}" -fsanitize=fuzzer "${inc[@]}" "$root/fuzz/targets/$t.cc" \
    "${abs[@]}" "${extra[@]}" $(libs_for "$t") -o "$bin.tmp"
  mv "$bin.tmp" "$bin"
}

targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=($(all_targets))
rc=0
for t in "${targets[@]}"; do
  build_one "$t" || { r=$?; [[ $r -eq 3 && $# -eq 0 ]] || rc=$r; }
done
exit $rc
