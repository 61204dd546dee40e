#!/usr/bin/env bash
# Builds packages/native/test/native/flow_sweep.cc (the flow table, fragment
# cache and tunnel walk) with AddressSanitizer and UndefinedBehaviorSanitizer,
# and runs it over every truncation and random mutations of hand-built tunnel
# frames and of every packet of the shared captures (../shared/pcaps, when present). Exit 0: clean; 1: a sanitizer or check
# failed; 77: the compiler cannot build with the sanitizers (skip).
# Usage: bash scripts/asan-flows.sh [capture files...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
native="$root/packages/native"
cxx="${CXX:-g++}"
work="$(mktemp -d "${TMPDIR:-/tmp}/pfw-asan-flows.XXXXXX")"
trap 'rm -rf "$work"' EXIT

flags=(-std=c++17 -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all)
if ! echo 'int main() { return 0; }' | "$cxx" "${flags[@]}" -x c++ - -o "$work/probe" >/dev/null 2>&1 || ! "$work/probe"; then
  echo "asan-flows: $cxx cannot build or run with -fsanitize=address,undefined; skipping" >&2
  exit 77
fi

"$cxx" "${flags[@]}" -I "$native/cpp" -o "$work/flow_sweep" \
  "$native/test/native/flow_sweep.cc" "$native/cpp/locate.cc" "$native/cpp/flow_table.cc" "$native/cpp/flow_key.cc" \
  "$native/cpp/flow_frags.cc" "$native/cpp/tunnel.cc" -lpcap

captures=("$@")
if [ ${#captures[@]} -eq 0 ] && [ -d "$root/../shared/pcaps" ]; then
  while IFS= read -r -d '' f; do captures+=("$f"); done < <(find "$root/../shared/pcaps" -type f \( -name '*.pcap' -o -name '*.pcapng' \) -print0 | sort -z)
fi
ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 "$work/flow_sweep" "${captures[@]}"
