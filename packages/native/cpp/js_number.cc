// Numbers as JavaScript writes them: see js_number.h.
#include "js_number.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace pfw {
namespace {

char* copy(char* out, const char* s) {
  size_t n = std::strlen(s);
  std::memcpy(out, s, n);
  return out + n;
}

}  // namespace

char* write_u64(char* out, uint64_t v) {
  char tmp[20];
  int n = 0;
  do {
    tmp[n++] = char('0' + v % 10);
    v /= 10;
  } while (v);
  while (n) *out++ = tmp[--n];
  return out;
}

char* js_number_text(double v, char* out) {
  if (std::isnan(v)) return copy(out, "NaN");
  if (std::isinf(v)) return copy(out, v > 0 ? "Infinity" : "-Infinity");
  if (v == 0) return copy(out, "0");  // also -0, which JS writes as "0"
  if (v < 0) {
    *out++ = '-';
    v = -v;
  }
  // Integers below 2^53 are exact, and no shorter digit string reads back as
  // the same double (its neighbours are the adjacent integers): the common case
  // (counters, ports, seconds) skips the shortest-digits search.
  if (v < 9007199254740992.0 && v == std::floor(v)) return write_u64(out, uint64_t(v));

  // Shortest round-trip digits, nearest to v on a tie of length, the last digit
  // rounded to even on an exact tie: the same choice ECMAScript's Number::toString
  // prescribes. to_chars writes them as d[.ddd]e±XX.
  char sci[kJsNumberMaxChars];
  auto r = std::to_chars(sci, sci + sizeof sci, v, std::chars_format::scientific);
  char digits[20];
  int k = 0;  // number of significant digits
  const char* p = sci;
  for (; p < r.ptr && *p != 'e'; ++p)
    if (*p != '.') digits[k++] = *p;
  int exp10 = 0;
  std::from_chars(p + 1 + (p[1] == '+'), r.ptr, exp10);
  int n = exp10 + 1;  // v = 0.d1d2...dk * 10^n

  if (k <= n && n <= 21) {  // an integer: digits, then zeros
    std::memcpy(out, digits, size_t(k));
    out += k;
    for (int i = k; i < n; ++i) *out++ = '0';
    return out;
  }
  if (0 < n && n <= 21) {  // the point falls inside the digits
    std::memcpy(out, digits, size_t(n));
    out += n;
    *out++ = '.';
    std::memcpy(out, digits + n, size_t(k - n));
    return out + (k - n);
  }
  if (-6 < n && n <= 0) {  // 0.000ddd
    *out++ = '0';
    *out++ = '.';
    for (int i = n; i < 0; ++i) *out++ = '0';
    std::memcpy(out, digits, size_t(k));
    return out + k;
  }
  // d[.ddd]e±x
  *out++ = digits[0];
  if (k > 1) {
    *out++ = '.';
    std::memcpy(out, digits + 1, size_t(k - 1));
    out += k - 1;
  }
  *out++ = 'e';
  int e = n - 1;
  *out++ = e < 0 ? '-' : '+';
  return write_u64(out, uint64_t(e < 0 ? -e : e));
}

char* json_number_text(double v, char* out) {
  if (!std::isfinite(v)) return copy(out, "null");
  return js_number_text(v, out);
}

}  // namespace pfw
