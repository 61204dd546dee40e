// JS exports for PF_RING detection: pfringProbe (is the module loaded, does
// libpfring load, which version), pfringAbi (the layout pfring_abi.h declares,
// read back by the ABI test) and the loader's candidate paths. The ring itself
// is opened through the Ring (backend_factory.cc).
#include <napi.h>
#include <cstddef>
#include "errors.h"
#include "exports.h"
#include "pfring_abi.h"
#include "pfring_loader.h"

namespace pfw {

namespace {

namespace abi = pfring_abi;

std::string opt_string(const Napi::Object& o, const char* key) {
  Napi::Value v = o.Get(key);
  return v.IsString() ? v.As<Napi::String>().Utf8Value() : std::string();
}

// pfringProbe({ library?, infoPath? }) -> { info, library }. Never throws for
// an absent PF_RING: the load error is returned, code and message intact.
Napi::Value Probe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string library, info_path = kPfringInfoPath;
  if (info.Length() > 0 && info[0].IsObject()) {
    Napi::Object o = info[0].As<Napi::Object>();
    library = opt_string(o, "library");
    std::string p = opt_string(o, "infoPath");
    if (!p.empty()) info_path = p;
  }
  Napi::Object out = Napi::Object::New(env);

  PfringInfo pi = read_pfring_info(info_path);
  Napi::Object mod = Napi::Object::New(env);
  mod.Set("present", pi.present);
  mod.Set("path", pi.path);
  mod.Set("version", pi.version);
  out.Set("module", mod);

  Napi::Object lib = Napi::Object::New(env);
  try {
    const PfringLib& l = load_pfring(library);
    lib.Set("loaded", true);
    lib.Set("path", l.path);
    lib.Set("version", l.version ? format_pfring_version(l.version) : std::string());
    lib.Set("clusterConsumer", l.set_cluster_consumer != nullptr);
    lib.Set("linkType", l.get_link_type != nullptr);
  } catch (const Error& e) {
    lib.Set("loaded", false);
    Napi::Object err = Napi::Object::New(env);
    err.Set("code", e.code);
    err.Set("message", e.what());
    lib.Set("error", err);
  }
  out.Set("library", lib);
  return out;
}

Napi::Value Abi(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  Napi::Object hdr = Napi::Object::New(env);
  hdr.Set("ts", double(offsetof(abi::PktHdr, ts)));
  hdr.Set("caplen", double(offsetof(abi::PktHdr, caplen)));
  hdr.Set("len", double(offsetof(abi::PktHdr, len)));
  hdr.Set("timestampNs", double(offsetof(abi::PktHdr, timestamp_ns)));
  hdr.Set("flags", double(offsetof(abi::PktHdr, flags)));
  hdr.Set("rxDirection", double(offsetof(abi::PktHdr, rx_direction)));
  hdr.Set("ifIndex", double(offsetof(abi::PktHdr, if_index)));
  hdr.Set("pktHash", double(offsetof(abi::PktHdr, pkt_hash)));
  hdr.Set("size", double(sizeof(abi::PktHdr)));
  o.Set("pktHdr", hdr);
  Napi::Object st = Napi::Object::New(env);
  st.Set("recv", double(offsetof(abi::Stat, recv)));
  st.Set("drop", double(offsetof(abi::Stat, drop)));
  st.Set("shunt", double(offsetof(abi::Stat, shunt)));
  st.Set("size", double(sizeof(abi::Stat)));
  o.Set("stat", st);
  Napi::Object flags = Napi::Object::New(env);
  flags.Set("PF_RING_REENTRANT", double(abi::kFlagReentrant));
  flags.Set("PF_RING_LONG_HEADER", double(abi::kFlagLongHeader));
  flags.Set("PF_RING_PROMISC", double(abi::kFlagPromisc));
  flags.Set("PF_RING_TIMESTAMP", double(abi::kFlagTimestamp));
  flags.Set("PF_RING_HW_TIMESTAMP", double(abi::kFlagHwTimestamp));
  o.Set("flags", flags);
  Napi::Object ct = Napi::Object::New(env);
  ct.Set("cluster_per_flow", double(abi::kClusterPerFlow));
  ct.Set("cluster_round_robin", double(abi::kClusterRoundRobin));
  ct.Set("cluster_per_flow_2_tuple", double(abi::kClusterPerFlow2Tuple));
  ct.Set("cluster_per_flow_4_tuple", double(abi::kClusterPerFlow4Tuple));
  ct.Set("cluster_per_flow_5_tuple", double(abi::kClusterPerFlow5Tuple));
  ct.Set("cluster_per_flow_tcp_5_tuple", double(abi::kClusterPerFlowTcp5Tuple));
  o.Set("clusterTypes", ct);
  Napi::Object dir = Napi::Object::New(env);
  dir.Set("rx_and_tx_direction", double(abi::kRxAndTxDirection));
  dir.Set("rx_only_direction", double(abi::kRxOnlyDirection));
  dir.Set("tx_only_direction", double(abi::kTxOnlyDirection));
  o.Set("directions", dir);
  Napi::Object sm = Napi::Object::New(env);
  sm.Set("send_and_recv_mode", double(abi::kSendAndRecvMode));
  sm.Set("send_only_mode", double(abi::kSendOnlyMode));
  sm.Set("recv_only_mode", double(abi::kRecvOnlyMode));
  o.Set("socketModes", sm);
  o.Set("maxClusterQueues", double(abi::kMaxClusterQueues));
  return o;
}

// pfringAutoChoice({ library?, infoPath? }) -> { backend, reason }
Napi::Value AutoChoice(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string library, info_path = kPfringInfoPath;
  if (info.Length() > 0 && info[0].IsObject()) {
    Napi::Object o = info[0].As<Napi::Object>();
    library = opt_string(o, "library");
    std::string p = opt_string(o, "infoPath");
    if (!p.empty()) info_path = p;
  }
  LiveBackendChoice c = choose_live_backend(info_path, library);
  Napi::Object out = Napi::Object::New(env);
  out.Set("backend", c.pfring ? "pfring" : "afpacket");
  out.Set("reason", c.reason);
  return out;
}

Napi::Value CandidatePaths(const Napi::CallbackInfo& info) {
  std::string env_override = info.Length() > 0 && info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : "";
  std::vector<std::string> paths = pfring_candidate_paths(env_override.c_str());
  Napi::Array a = Napi::Array::New(info.Env(), paths.size());
  for (size_t i = 0; i < paths.size(); ++i) a.Set(uint32_t(i), paths[i]);
  return a;
}

Napi::Value ParseInfoVersion(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsString()) throw_invalid(info.Env(), "pfringParseInfoVersion(text): text must be a string");
  return Napi::String::New(info.Env(), parse_pfring_info_version(info[0].As<Napi::String>().Utf8Value()));
}

}  // namespace

void init_pfring_exports(Napi::Env env, Napi::Object exports) {
  exports.Set("pfringProbe", Napi::Function::New(env, Probe, "pfringProbe"));
  exports.Set("pfringAbi", Napi::Function::New(env, Abi, "pfringAbi"));
  exports.Set("pfringAutoChoice", Napi::Function::New(env, AutoChoice, "pfringAutoChoice"));
  exports.Set("pfringCandidatePaths", Napi::Function::New(env, CandidatePaths, "pfringCandidatePaths"));
  exports.Set("pfringParseInfoVersion", Napi::Function::New(env, ParseInfoVersion, "pfringParseInfoVersion"));
}

}  // namespace pfw
