#include "exports.h"
namespace pfw { void init_pfring_exports(Napi::Env, Napi::Object) {} }
