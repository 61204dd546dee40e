#include "errors.h"
#include <cstring>

namespace pfw {

Error sys_error(const std::string& code, const std::string& what, const char* call, int err) {
  return Error(code, what + ": " + std::strerror(err), err, call ? call : "");
}

Napi::Error to_js(Napi::Env env, const Error& e) {
  Napi::Error js = Napi::Error::New(env, e.what());
  js.Set("code", Napi::String::New(env, e.code));
  if (e.sys_errno) js.Set("errno", Napi::Number::New(env, e.sys_errno));
  if (!e.syscall.empty()) js.Set("syscall", Napi::String::New(env, e.syscall));
  return js;
}

void throw_invalid(Napi::Env env, const std::string& message) {
  Napi::TypeError err = Napi::TypeError::New(env, message);
  err.Set("code", Napi::String::New(env, "PFW_INVALID_ARGUMENT"));
  throw err;
}

}  // namespace pfw
