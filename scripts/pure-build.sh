# Sourced by scripts/test-native-pure.sh and scripts/test-static-pure.sh (runs on the calling
# shell): compiles a standalone C++ test driver once per distinct input, so `npm test` (which runs
# both scripts from test/native/native-pure.test.ts) pays the ~1 minute sanitizer compile only
# when a source, a header, a flag or the compiler changed.
#
# pure_build OUT NAME CXX ARG...
#   Sets `built` to OUT/NAME-<key>, compiling `CXX ARG... -o` it when it is not there yet; <key> is
#   the SHA-256 of the compiler's version line, the arguments, and the contents of every file
#   among the arguments plus every header under src-native/ and test/native/cpp/ (more than a
#   driver includes: a header change costs a rebuild, never a stale binary). Older NAME-* files in
#   OUT are removed. OUT="" compiles into a temporary file every time (no cache).
pure_build() {
  local out="$1" name="$2" cxx="$3"
  shift 3
  local root_dir
  root_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  mkdir -p "$out"
  local key
  key="$(
    {
      "$cxx" --version | head -n 1
      printf '%s\n' "$@"
      for a in "$@"; do [ -f "$a" ] && cat "$a"; done
      find "$root_dir/src-native" "$root_dir/test/native/cpp" -name '*.h' | LC_ALL=C sort | xargs cat
    } | sha256sum | cut -c1-16
  )"
  built="$out/$name-$key"
  if [ -x "$built" ]; then
    echo "$name: reusing $(basename "$built") (sources unchanged)"
    return
  fi
  local t0=$SECONDS
  "$cxx" "$@" -o "$built.tmp$$"
  find "$out" -maxdepth 1 -name "$name-*" ! -name "$(basename "$built").tmp$$" -delete
  mv "$built.tmp$$" "$built"
  echo "$name: compiled $(basename "$built") in $((SECONDS - t0)) s"
}
