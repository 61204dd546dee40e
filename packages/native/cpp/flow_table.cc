#include "exports.h"
namespace pfw { void init_flow_exports(Napi::Env, Napi::Object) {} }
