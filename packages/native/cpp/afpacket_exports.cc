// JS exports of the AF_PACKET side that are not the Ring itself:
//   pageSize()            the page size ring geometry is checked against
//   createFanoutGroup(resolved)   supervisor-owned member sockets (fanout_group.h)
// Options arrive fully resolved and validated from src/fanout.ts; this file
// only asserts their types.
#include <napi.h>

#include "afpacket_socket.h"
#include "bpf_compile.h"
#include "errors.h"
#include "exports.h"
#include "fanout_group.h"

namespace pfw {

namespace {

uint32_t u32(const Napi::Object& o, const char* key) {
  Napi::Value v = o.Get(key);
  if (!v.IsNumber()) throw_invalid(o.Env(), std::string("createFanoutGroup: ") + key + " must be a number");
  return v.As<Napi::Number>().Uint32Value();
}

bool flag(const Napi::Object& o, const char* key) {
  Napi::Value v = o.Get(key);
  return v.IsBoolean() && v.As<Napi::Boolean>().Value();
}

Napi::Value PageSize(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), page_size());
}

Napi::Value CreateFanoutGroup(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) throw_invalid(env, "createFanoutGroup: expected an options object");
  Napi::Object o = info[0].As<Napi::Object>();
  FanoutGroupOptions g;
  Napi::Value dev = o.Get("device");
  if (!dev.IsString()) throw_invalid(env, "createFanoutGroup: device must be a string");
  g.ring.device = dev.As<Napi::String>().Utf8Value();
  g.ring.snaplen = u32(o, "snaplen");
  g.ring.promiscuous = flag(o, "promiscuous");
  g.ring.hw_timestamp = flag(o, "hwTimestamp");
  g.ring.block_size = u32(o, "blockSize");
  g.ring.block_count = u32(o, "blockCount");
  g.ring.frame_size = u32(o, "frameSize");
  g.ring.retire_timeout_ms = u32(o, "retireTimeoutMs");
  g.count = u32(o, "count");
  g.cluster_id = u32(o, "clusterId");
  g.cluster_type = static_cast<int>(u32(o, "clusterType"));
  g.direction = static_cast<int>(u32(o, "direction"));
  Napi::Value bpf = o.Get("bpf");
  std::vector<int> fds;
  try {
    if (bpf.IsString()) {
      // Compiled for Ethernet, as the Ring compiles for its link type.
      g.bpf = compile_bpf(bpf.As<Napi::String>().Utf8Value(), 1, g.ring.snaplen).insns;
      g.has_bpf = true;
    }
    fds = create_fanout_group(g);
  } catch (const Error& e) {
    throw to_js(env, e);
  }
  Napi::Array out = Napi::Array::New(env, fds.size());
  for (size_t i = 0; i < fds.size(); i++) out.Set(static_cast<uint32_t>(i), Napi::Number::New(env, fds[i]));
  return out;
}

}  // namespace

void init_afpacket_exports(Napi::Env env, Napi::Object exports) {
  exports.Set("pageSize", Napi::Function::New(env, PageSize, "pageSize"));
  exports.Set("createFanoutGroup", Napi::Function::New(env, CreateFanoutGroup, "createFanoutGroup"));
}

}  // namespace pfw
