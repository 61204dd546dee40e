#include "exports.h"
namespace pfw {
void init_cluster_exports(Napi::Env, Napi::Object) {}
void init_test_exports(Napi::Env, Napi::Object) {}
}
