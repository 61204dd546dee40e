// Module entry: each concern registers its own exports.
#include <napi.h>
#include "exports.h"

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  pfw::init_ring_exports(env, exports);      // ring_wrap.cc: Ring class, constants
  pfw::init_cluster_exports(env, exports);   // cluster_hash.h / cbpf_fanout.cc: clusterHash, fanout programs
  pfw::init_flow_exports(env, exports);      // flow_table.cc: FlowTable
  pfw::init_flow_ndjson_exports(env, exports);  // flow_ndjson_exports.cc: flowNdjson (--flows text)
  pfw::init_pfring_exports(env, exports);    // pfring_ring.cc: PF_RING probe
  pfw::init_test_exports(env, exports);      // exports_test.cc: locate() etc. for tests
  pfw::init_afpacket_exports(env, exports);  // afpacket_exports.cc: createFanoutGroup, pageSize
  pfw::init_cluster_index_exports(env, exports);  // cluster_index_exports.cc: NativeClusterIndex (file clusters)
  pfw::init_process_exports(env, exports);   // process_exports.cc: dieWithParent (workers)
  return exports;
}

NODE_API_MODULE(pfwork_native, Init)
