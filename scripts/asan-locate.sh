#!/usr/bin/env bash
# Runs packages/native/test/native/locate_sweep.cc under AddressSanitizer and
# UndefinedBehaviorSanitizer over every truncation and random mutations of
# hand-built frames and of every packet of the shared captures (../shared/pcaps,
# when present). Exit 0: clean; 1: a sanitizer or check failed; 77: skip.
# Usage: bash scripts/asan-locate.sh [capture files...]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/asan-sweep.sh"
asan_sweep locate locate_sweep.cc "locate.cc frag_cache.cc" "$@"
