// The per-concern export registrations called from addon.cc.
#pragma once
#include <napi.h>

namespace pfw {
void init_ring_exports(Napi::Env env, Napi::Object exports);
void init_cluster_exports(Napi::Env env, Napi::Object exports);
void init_flow_exports(Napi::Env env, Napi::Object exports);
void init_flow_ndjson_exports(Napi::Env env, Napi::Object exports);
void init_pfring_exports(Napi::Env env, Napi::Object exports);
void init_test_exports(Napi::Env env, Napi::Object exports);
void init_afpacket_exports(Napi::Env env, Napi::Object exports);
void init_cluster_index_exports(Napi::Env env, Napi::Object exports);
void init_process_exports(Napi::Env env, Napi::Object exports);
}  // namespace pfw
