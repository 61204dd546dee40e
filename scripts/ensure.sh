#!/usr/bin/env bash
# Installs whatever a fresh machine lacks, then returns. Idempotent and quick when
# everything is already there. Used by `npm test`, `npm run demo` and `npm run bench`.
#   1. libpcap headers (Debian: libpcap-dev) and iproute2 - apt-get as root, else the exact command
#   2. the pnpm pinned in package.json, into .tools/ (no root, no global install)
#   3. the workspace's packages (frozen lock file)
#   4. the native addon, rebuilt when a C++ source is newer than the build
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
say() { printf 'pfwork setup: %s\n' "$*" >&2; }

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then say "Node.js >= 20 is required (found $(node -v))"; exit 1; fi

missing=()
[ -f /usr/include/pcap/pcap.h ] || missing+=(libpcap-dev)
command -v ip >/dev/null 2>&1 || [ -x /usr/sbin/ip ] || [ -x /sbin/ip ] || missing+=(iproute2)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    say "installing ${missing[*]} from Debian's archive"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq "${missing[@]}" >&2
  else
    say "missing system packages: ${missing[*]}"
    say "run:  sudo apt-get update && sudo apt-get install -y ${missing[*]}"
    exit 1
  fi
fi

pnpm_version=$(node -p 'require("./package.json").packageManager.split("@")[1]')
have=$(node -p 'try{require("./.tools/node_modules/pnpm/package.json").version}catch{""}')
if [ "$have" != "$pnpm_version" ]; then
  say "installing pnpm $pnpm_version into .tools/"
  mkdir -p .tools
  npm install --silent --no-audit --no-fund --prefix .tools "pnpm@$pnpm_version" >&2
fi

# Node's headers ship under /usr on Debian's nodejs: without this, node-gyp (run
# by pnpm for native packages) would try to download them, and there may be no
# network. Root's ~/.npmrc may say so already; other users' does not.
if [ -f /usr/include/node/node_api.h ]; then export npm_config_nodedir=/usr; fi

stamp=node_modules/.pfwork-install-stamp
if [ ! -f "$stamp" ] || [ pnpm-lock.yaml -nt "$stamp" ] || [ package.json -nt "$stamp" ]; then
  say "installing the workspace's packages"
  if [ -f pnpm-lock.yaml ]; then lockflag=--frozen-lockfile; else lockflag=; fi
  CI=true bash scripts/pnpm.sh install $lockflag > .tools/install.log 2>&1 || {
    cat .tools/install.log >&2; say "pnpm install failed (log above)"; exit 1; }
  touch "$stamp"
fi

bash scripts/build-native.sh --if-stale
