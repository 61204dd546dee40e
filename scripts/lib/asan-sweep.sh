# Shared by scripts/asan-*.sh: builds one sweep harness of packages/native/test/native
# with AddressSanitizer + UndefinedBehaviorSanitizer and runs it over the given
# captures (default: every capture of ../shared/pcaps, when present).
# Exit 0: clean; 1: a sanitizer or check failed; 77: the compiler cannot build
# with the sanitizers (the caller's test skips).
# Usage (sourced): asan_sweep NAME HARNESS.cc "cpp sources..." [capture files...]
asan_sweep() {
  local name="$1" harness="$2" sources="$3"
  shift 3
  local root native cxx
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
  native="$root/packages/native"
  cxx="${CXX:-g++}"
  # global, not local: the EXIT trap runs after this function has returned
  work="$(mktemp -d "${TMPDIR:-/tmp}/pfw-asan-$name.XXXXXX")"
  trap 'rm -rf "$work"' EXIT

  local flags=(-std=c++17 -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all)
  if ! echo 'int main() { return 0; }' | "$cxx" "${flags[@]}" -x c++ - -o "$work/probe" >/dev/null 2>&1 || ! "$work/probe"; then
    echo "asan-$name: $cxx cannot build or run with -fsanitize=address,undefined; skipping" >&2
    exit 77
  fi

  local srcs=() s
  for s in $sources; do srcs+=("$native/cpp/$s"); done
  "$cxx" "${flags[@]}" -I "$native/cpp" -o "$work/sweep" "$native/test/native/$harness" "${srcs[@]}" -lpcap

  local captures=("$@") f
  if [ ${#captures[@]} -eq 0 ] && [ -d "$root/../shared/pcaps" ]; then
    while IFS= read -r -d '' f; do captures+=("$f"); done < <(find "$root/../shared/pcaps" -type f \( -name '*.pcap' -o -name '*.pcapng' \) -print0 | sort -z)
  fi
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 "$work/sweep" "${captures[@]}"
}
