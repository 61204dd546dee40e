// JS export for the worker process itself (src/process.ts):
//   dieWithParent()  -> the parent's pid as seen now
// A worker stuck in its handler (a JS loop that never yields) cannot see its
// supervisor's IPC channel close, so a supervisor killed with SIGKILL left it
// spinning, an orphan, until someone found it. PR_SET_PDEATHSIG has the
// kernel send SIGKILL to this process when the thread that forked it exits
// (Node forks children from its main thread, which lives as long as the
// supervisor). The caller compares the pid returned with the parent it knew:
// a parent gone before the prctl() will not signal.
#include <napi.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>

#include "errors.h"
#include "exports.h"

namespace pfw {
namespace {

Napi::Value DieWithParent(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) {
    throw to_js(env, sys_error("PFW_NOT_SUPPORTED", "cannot tie this worker to its supervisor", "prctl(PR_SET_PDEATHSIG)", errno));
  }
  return Napi::Number::New(env, double(getppid()));
}

}  // namespace

void init_process_exports(Napi::Env env, Napi::Object exports) {
  exports.Set("dieWithParent", Napi::Function::New(env, DieWithParent, "dieWithParent"));
}

}  // namespace pfw
