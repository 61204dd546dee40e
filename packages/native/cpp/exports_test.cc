// JS exports of the cluster concern (clusterHash, fanoutProgram) and the
// test/debug exports (locate, readPcapForTest). Argument validation and
// defaults live in src/cluster.ts and src/locate.ts; here only invariants are
// asserted, so a wrong call from elsewhere throws instead of crashing.
#include <pcap/pcap.h>

#include <cstring>
#include <string>
#include <vector>

#include "cbpf_fanout.h"
#include "cluster_hash.h"
#include "cluster_hash_shortcut.h"
#include "errors.h"
#include "exports.h"
#include "flow_key.h"
#include "frag_cache.h"
#include "locate.h"

namespace pfw {
namespace {

struct Bytes {
  const uint8_t* data;
  uint32_t len;
};

Bytes bytes_arg(const Napi::CallbackInfo& info, size_t i, const char* fn) {
  if (info.Length() <= i || !info[i].IsTypedArray() ||
      info[i].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    throw_invalid(info.Env(), std::string(fn) + ": bytes must be a Uint8Array");
  }
  auto a = info[i].As<Napi::Uint8Array>();
  if (a.ByteLength() > 0xFFFFFFFFu) throw_invalid(info.Env(), std::string(fn) + ": bytes is too large");
  return {a.Data(), uint32_t(a.ByteLength())};
}

int int_arg(const Napi::CallbackInfo& info, size_t i, int dflt, const char* fn, const char* name) {
  if (info.Length() <= i || info[i].IsUndefined()) return dflt;
  if (!info[i].IsNumber()) throw_invalid(info.Env(), std::string(fn) + ": " + name + " must be an integer");
  double v = info[i].As<Napi::Number>().DoubleValue();
  if (v != static_cast<double>(static_cast<int>(v))) {
    throw_invalid(info.Env(), std::string(fn) + ": " + name + " must be an integer");
  }
  return static_cast<int>(v);
}

// A plain Uint8Array (not a Buffer) holding a copy of the bytes.
Napi::Uint8Array copy_bytes(Napi::Env env, const uint8_t* p, size_t n) {
  Napi::Uint8Array a = Napi::Uint8Array::New(env, n);
  if (n) std::memcpy(a.Data(), p, n);
  return a;
}

// clusterHash(bytes, type, linkType = 1, vlanTciFromMeta = -1) -> u32
Napi::Value ClusterHash(const Napi::CallbackInfo& info) {
  Bytes b = bytes_arg(info, 0, "clusterHash");
  int type = int_arg(info, 1, -1, "clusterHash", "type");
  if (!cluster_type_valid(type)) throw_invalid(info.Env(), "clusterHash: unknown cluster type " + std::to_string(type));
  int link = int_arg(info, 2, kLinkEthernet, "clusterHash", "linkType");
  int tci = int_arg(info, 3, -1, "clusterHash", "vlanTciFromMeta");
  PacketMeta m;
  locate(b.data, b.len, link, tci < 0 ? -1 : (tci & 0xFFFF), &m);
  return Napi::Number::New(info.Env(), cluster_hash(m, type));
}

// fanoutProgram(type) -> Array<[code, jt, jf, k]>
Napi::Value FanoutProgram(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int type = int_arg(info, 0, -1, "fanoutProgram", "type");
  std::vector<sock_filter> prog;
  try {
    prog = fanout_program(type);
  } catch (const Error& e) {
    throw_invalid(env, std::string("fanoutProgram: ") + e.what());
  }
  Napi::Array out = Napi::Array::New(env, prog.size());
  for (uint32_t i = 0; i < prog.size(); ++i) {
    Napi::Array insn = Napi::Array::New(env, 4);
    insn.Set(0u, Napi::Number::New(env, prog[i].code));
    insn.Set(1u, Napi::Number::New(env, prog[i].jt));
    insn.Set(2u, Napi::Number::New(env, prog[i].jf));
    insn.Set(3u, Napi::Number::New(env, prog[i].k));
    out.Set(i, insn);
  }
  return out;
}

Napi::Value Locate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Bytes b = bytes_arg(info, 0, "locate");
  int link = int_arg(info, 1, kLinkEthernet, "locate", "linkType");
  int tci = int_arg(info, 2, -1, "locate", "vlanTci");
  PacketMeta m;
  locate(b.data, b.len, link, tci < 0 ? -1 : (tci & 0xFFFF), &m);
  Napi::Object o = Napi::Object::New(env);
  auto n = [&](const char* k, double v) { o.Set(k, Napi::Number::New(env, v)); };
  n("flags", m.flags);
  n("ethType", m.eth_type);
  n("vlanId", m.vlan_id);
  n("innerVlanId", m.inner_vlan_id);
  n("vlanCount", m.vlan_count);
  n("ipVersion", m.ip_version);
  n("proto", m.proto);
  n("ttl", m.ttl);
  n("l3Off", m.l3_off);
  n("l4Off", m.l4_off);
  n("payloadOff", m.payload_off);
  n("sport", m.sport);
  n("dport", m.dport);
  n("ipLen", m.ip_len);
  n("tcpFlags", m.tcp_flags);
  n("fragId", m.frag_id);
  n("fragOff", m.frag_off);
  n("fragLen", m.frag_len);
  n("src4", m.src4);
  n("dst4", m.dst4);
  o.Set("src6", copy_bytes(env, m.src6, 16));
  o.Set("dst6", copy_bytes(env, m.dst6, 16));
  return o;
}

// readPcapForTest(path) -> { linkType, packets: Uint8Array[], error: string | null }
// Test-only: reads a whole capture with libpcap so tests can feed every packet
// to locate/clusterHash/the cBPF interpreter. The real file backend is pcap_file.cc.
Napi::Value ReadPcapForTest(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) throw_invalid(env, "readPcapForTest: path must be a string");
  std::string path = info[0].As<Napi::String>();
  char errbuf[PCAP_ERRBUF_SIZE] = {0};
  pcap_t* p = pcap_open_offline(path.c_str(), errbuf);
  if (!p) throw to_js(env, Error("PFW_FILE_OPEN", "cannot read " + path + ": " + errbuf));
  Napi::Object out = Napi::Object::New(env);
  out.Set("linkType", Napi::Number::New(env, pcap_datalink(p)));
  Napi::Array pkts = Napi::Array::New(env);
  uint32_t n = 0;
  Napi::Value error = env.Null();
  for (;;) {
    pcap_pkthdr* h;
    const u_char* d;
    int rc = pcap_next_ex(p, &h, &d);
    if (rc == 1) {
      pkts.Set(n++, copy_bytes(env, d, h->caplen));
    } else {
      if (rc == PCAP_ERROR) error = Napi::String::New(env, pcap_geterr(p));
      break;
    }
  }
  pcap_close(p);
  out.Set("packets", pkts);
  out.Set("error", error);
  return out;
}

// softwareClusterForTest(packets, linkType, type, count, tsNs?: number[], opts?: {maxEntries, timeoutNs})
//   -> { hashes: number[], queues: number[], size, stats }
// Test-only: runs a FragCache (hashes) and a SoftwareCluster (queues) over a
// packet sequence, as the pcap backend does for one ring.
Napi::Value SoftwareClusterForTest(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* fn = "softwareClusterForTest";
  if (info.Length() < 1 || !info[0].IsArray()) throw_invalid(env, std::string(fn) + ": packets must be an array");
  Napi::Array pkts = info[0].As<Napi::Array>();
  int link = int_arg(info, 1, kLinkEthernet, fn, "linkType");
  int type = int_arg(info, 2, -1, fn, "type");
  if (!cluster_type_valid(type)) throw_invalid(env, std::string(fn) + ": unknown cluster type");
  int count = int_arg(info, 3, 1, fn, "count");
  if (count < 1) throw_invalid(env, std::string(fn) + ": count must be >= 1");
  Napi::Array ts = info.Length() > 4 && info[4].IsArray() ? info[4].As<Napi::Array>() : Napi::Array::New(env);
  FragCacheOptions opts;
  if (info.Length() > 5 && info[5].IsObject()) {
    Napi::Object o = info[5].As<Napi::Object>();
    if (o.Has("maxEntries")) opts.max_entries = size_t(o.Get("maxEntries").As<Napi::Number>().Int64Value());
    if (o.Has("timeoutNs")) opts.timeout_ns = uint64_t(o.Get("timeoutNs").As<Napi::Number>().Int64Value());
  }
  FragCache cache(opts);
  SoftwareCluster cluster(type, uint32_t(count), opts);
  Napi::Array hashes = Napi::Array::New(env, pkts.Length());
  Napi::Array queues = Napi::Array::New(env, pkts.Length());
  for (uint32_t i = 0; i < pkts.Length(); ++i) {
    Napi::Value v = pkts.Get(i);
    if (!v.IsTypedArray()) throw_invalid(env, std::string(fn) + ": packets must be Uint8Arrays");
    Napi::Uint8Array b = v.As<Napi::Uint8Array>();
    uint64_t t = i < ts.Length() ? uint64_t(ts.Get(i).As<Napi::Number>().Int64Value()) : 0;
    PacketMeta m;
    locate(b.Data(), uint32_t(b.ByteLength()), link, -1, &m);
    hashes.Set(i, Napi::Number::New(env, cache.resolve(m, cluster_hash(m, type), t)));
    queues.Set(i, Napi::Number::New(env, cluster.queue(m, t, i)));
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("hashes", hashes);
  out.Set("queues", queues);
  out.Set("size", Napi::Number::New(env, double(cache.size())));
  const FragCacheStats& st = cache.stats();
  Napi::Object stats = Napi::Object::New(env);
  stats.Set("followed", Napi::Number::New(env, double(st.followed)));
  stats.Set("firsts", Napi::Number::New(env, double(st.firsts)));
  stats.Set("orphans", Napi::Number::New(env, double(st.orphans)));
  stats.Set("completed", Napi::Number::New(env, double(st.completed)));
  stats.Set("expired", Napi::Number::New(env, double(st.expired)));
  stats.Set("evicted", Napi::Number::New(env, double(st.evicted)));
  out.Set("stats", stats);
  return out;
}

// Calls visit(i, bytes, length) for every frame of info[0], an array of
// Uint8Arrays (the differential tests below compare two paths on each).
template <typename Visit>
void for_each_frame(const Napi::CallbackInfo& info, const char* fn, Visit visit) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsArray()) throw_invalid(env, std::string(fn) + ": packets must be an array");
  Napi::Array pkts = info[0].As<Napi::Array>();
  for (uint32_t i = 0; i < pkts.Length(); ++i) {
    Napi::Value v = pkts.Get(i);
    if (!v.IsTypedArray()) throw_invalid(env, std::string(fn) + ": packets must be Uint8Arrays");
    Napi::Uint8Array b = v.As<Napi::Uint8Array>();
    visit(i, b.Data(), uint32_t(b.ByteLength()));
  }
}

Napi::Object taken_and_mismatches(Napi::Env env, uint32_t taken, Napi::Array mismatches) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("taken", Napi::Number::New(env, taken));
  out.Set("mismatches", mismatches);
  return out;
}

// clusterHashShortcutForTest(packets, type) -> { taken, mismatches: [index, shortcut, full][] }
// Test-only: ethernet_cluster_hash() (the index writer's shortcut) against
// cluster_hash(locate()) on every Ethernet frame given.
Napi::Value ClusterHashShortcutForTest(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* fn = "clusterHashShortcutForTest";
  int type = int_arg(info, 1, -1, fn, "type");
  if (!cluster_type_hashed(type)) throw_invalid(env, std::string(fn) + ": not a hashed cluster type");
  uint32_t taken = 0;
  Napi::Array mismatches = Napi::Array::New(env);
  for_each_frame(info, fn, [&](uint32_t i, const uint8_t* d, uint32_t n) {
    uint32_t fast;
    if (!ethernet_cluster_hash(d, n, type, &fast)) return;
    taken++;
    PacketMeta m;
    locate(d, n, kLinkEthernet, -1, &m);
    const uint32_t full = cluster_hash(m, type);
    if (fast != full || (m.flags & kMetaFragment)) {
      Napi::Array row = Napi::Array::New(env, 3);
      row.Set(0u, Napi::Number::New(env, i));
      row.Set(1u, Napi::Number::New(env, fast));
      // A fragment must never take the shortcut (the fragment cache decides its hash): reported as -1.
      row.Set(2u, Napi::Number::New(env, (m.flags & kMetaFragment) ? -1.0 : double(full)));
      mismatches.Set(mismatches.Length(), row);
    }
  });
  return taken_and_mismatches(env, taken, mismatches);
}

// locateFastForTest(packets, vlanTci) -> { taken, mismatches: number[] }
// Test-only: locate()'s fast path for common Ethernet frames against its
// general walk, on every frame given: where the fast path answers, the two
// PacketMetas must be equal byte for byte; where it does not, it must not
// have written anything. Lists the indexes of the frames where either fails.
Napi::Value LocateFastForTest(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* fn = "locateFastForTest";
  int tci = int_arg(info, 1, -1, fn, "vlanTci");
  tci = tci < 0 ? -1 : (tci & 0xFFFF);
  uint32_t taken = 0;
  Napi::Array mismatches = Napi::Array::New(env);
  for_each_frame(info, fn, [&](uint32_t i, const uint8_t* d, uint32_t n) {
    PacketMeta fast, walked, untouched;
    std::memset(&fast, 0xA5, sizeof(fast));
    std::memcpy(&untouched, &fast, sizeof(fast));
    bool ok;
    if (locate_ethernet_fast(d, n, tci, &fast)) {
      taken++;
      locate_walk(d, n, kLinkEthernet, tci, &walked);
      ok = std::memcmp(&fast, &walked, sizeof(fast)) == 0;
    } else {
      ok = std::memcmp(&fast, &untouched, sizeof(fast)) == 0;
    }
    if (!ok) mismatches.Set(mismatches.Length(), Napi::Number::New(env, i));
  });
  return taken_and_mismatches(env, taken, mismatches);
}

// flowKeyFastForTest(packets) -> { taken, mismatches: number[] }
// Test-only: make_flow_key() against make_flow_key_general() on every
// Ethernet frame given that locates as IP (taken: the IPv4 ones the shortcut
// keys). The keys and the sender side must be equal.
Napi::Value FlowKeyFastForTest(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint32_t taken = 0;
  Napi::Array mismatches = Napi::Array::New(env);
  for_each_frame(info, "flowKeyFastForTest", [&](uint32_t i, const uint8_t* d, uint32_t n) {
    PacketMeta m;
    locate(d, n, kLinkEthernet, -1, &m);
    if (!(m.flags & (kMetaIPv4 | kMetaIPv6))) return;
    if (m.ip_version == 4 && !(m.flags & kMetaIcmp)) taken++;
    FlowKey fast, general;
    bool fast_lo, general_lo;
    make_flow_key(m, m.vlan_id, m.inner_vlan_id, &fast, &fast_lo);
    make_flow_key_general(m, m.vlan_id, m.inner_vlan_id, &general, &general_lo);
    if (!(fast == general) || fast_lo != general_lo) mismatches.Set(mismatches.Length(), Napi::Number::New(env, i));
  });
  return taken_and_mismatches(env, taken, mismatches);
}

}  // namespace

void init_cluster_exports(Napi::Env env, Napi::Object exports) {
  exports.Set("clusterHash", Napi::Function::New(env, ClusterHash, "clusterHash"));
  exports.Set("fanoutProgram", Napi::Function::New(env, FanoutProgram, "fanoutProgram"));
}

void init_test_exports(Napi::Env env, Napi::Object exports) {
  exports.Set("locate", Napi::Function::New(env, Locate, "locate"));
  exports.Set("readPcapForTest", Napi::Function::New(env, ReadPcapForTest, "readPcapForTest"));
  exports.Set("softwareClusterForTest", Napi::Function::New(env, SoftwareClusterForTest, "softwareClusterForTest"));
  exports.Set("flowKeyFastForTest", Napi::Function::New(env, FlowKeyFastForTest, "flowKeyFastForTest"));
  exports.Set("locateFastForTest", Napi::Function::New(env, LocateFastForTest, "locateFastForTest"));
  exports.Set("clusterHashShortcutForTest",
              Napi::Function::New(env, ClusterHashShortcutForTest, "clusterHashShortcutForTest"));
}

}  // namespace pfw
