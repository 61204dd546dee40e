// Errors: backends throw pfw::Error (no Node types, so they can run anywhere);
// the JS boundary (ring_wrap.cc and the other exports) turns it into a JS Error
// with `code` (PFW_*), `errno`/`syscall` where a system call failed, and a
// message that says what to do about it.
#pragma once
#include <napi.h>
#include <stdexcept>
#include <string>

namespace pfw {

struct Error : std::runtime_error {
  std::string code;     // PFW_... (see packages/native/src/errors.ts)
  int sys_errno = 0;    // errno of the failed call, 0 if none
  std::string syscall;  // the failed call, '' if none
  Error(std::string code_, std::string message, int err = 0, std::string call = "")
      : std::runtime_error(std::move(message)), code(std::move(code_)), sys_errno(err),
        syscall(std::move(call)) {}
};

// A file's path as messages show it: in double quotes.
inline std::string quoted_path(const std::string& path) { return "\"" + path + "\""; }

// Error for a failed system call: message "<what>: <strerror(err)>".
Error sys_error(const std::string& code, const std::string& what, const char* call, int err);

// Converts a pfw::Error to a JS Error object (code, errno, syscall set).
Napi::Error to_js(Napi::Env env, const Error& e);

// Throws a JS TypeError with code PFW_INVALID_ARGUMENT.
[[noreturn]] void throw_invalid(Napi::Env env, const std::string& message);

}  // namespace pfw
