#!/usr/bin/env bash
set -euo pipefail
echo "demo: not yet wired (the supervisor lands with the workers issue)"
