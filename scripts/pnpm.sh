#!/usr/bin/env bash
# Runs the pinned pnpm that scripts/ensure.sh installed into .tools/ (no global install, no root).
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec node "$root/.tools/node_modules/pnpm/bin/pnpm.cjs" "$@"
