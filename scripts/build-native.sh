#!/usr/bin/env bash
# Builds packages/native's addon with node-gyp. With --if-stale, only when the
# .node is missing or older than any C++ source or binding.gyp.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
native="$root/packages/native"
out="$native/build/Release/pfwork_native.node"
if [ "${1:-}" = "--if-stale" ] && [ -f "$out" ]; then
  newer=$(find "$native/cpp" "$native/binding.gyp" -newer "$out" -print -quit)
  [ -z "$newer" ] && exit 0
fi
# Node's headers ship under /usr on Debian's nodejs; without this node-gyp
# would try to download them (there is no network here). pnpm 12 ignores
# nodedir in .npmrc, so it is set in the environment.
if [ -f /usr/include/node/node_api.h ]; then export npm_config_nodedir=/usr; fi
echo "pfwork setup: building the native addon" >&2
cd "$native"
"$native/node_modules/.bin/node-gyp" rebuild -j 2 >"$native/build.log" 2>&1 || {
  cat "$native/build.log" >&2; echo "pfwork setup: native build failed (log above)" >&2; exit 1; }
