// Numbers as JavaScript writes them (Number.prototype.toString, which is what
// JSON.stringify and template strings use): the shortest digits that read
// back as the same double, laid out by ECMAScript's Number::toString rules
// (plain digits up to 1e21, "0.000001", then exponent form "1e-7", "1.5e+21").
// Native text that must equal what JS code would have written uses these.
#pragma once
#include <cstddef>
#include <cstdint>

namespace pfw {

// Longest text js_number_text writes is 25 ("-0.0000012345678901234567").
constexpr size_t kJsNumberMaxChars = 32;

// Writes Number::toString(v) at out (no terminator) and returns the end:
// "NaN", "Infinity", "-Infinity"; -0 is "0". out needs kJsNumberMaxChars.
char* js_number_text(double v, char* out);

// The same as JSON.stringify writes a number: non-finite values are "null".
char* json_number_text(double v, char* out);

// The decimal digits of an unsigned integer, most significant first (no
// terminator); returns the end. At most 20 characters.
char* write_u64(char* out, uint64_t v);

}  // namespace pfw
