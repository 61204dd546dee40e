#include "exports.h"
namespace pfw { void init_ring_exports(Napi::Env, Napi::Object) {} }
