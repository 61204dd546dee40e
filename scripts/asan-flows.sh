#!/usr/bin/env bash
# Runs packages/native/test/native/flow_sweep.cc (the flow table, fragment cache
# and tunnel walk) under AddressSanitizer and UndefinedBehaviorSanitizer over
# every truncation and random mutations of hand-built tunnel frames and of every
# packet of the shared captures (../shared/pcaps, when present).
# Exit 0: clean; 1: a sanitizer or check failed; 77: skip.
# Usage: bash scripts/asan-flows.sh [capture files...]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/asan-sweep.sh"
asan_sweep flows flow_sweep.cc "locate.cc flow_table.cc flow_key.cc flow_frags.cc tunnel.cc huge_buffer.cc" "$@"
