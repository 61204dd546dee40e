// JS exports of the cluster concern (clusterHash, fanoutProgram) and the
// test/debug exports (locate, readPcapForTest). Argument validation and
// defaults live in src/cluster.ts and src/locate.ts; here only invariants are
// asserted, so a wrong call from elsewhere throws instead of crashing.
#include <pcap/pcap.h>

#include <cstring>
#include <string>

#include "cluster_hash.h"
#include "errors.h"
#include "exports.h"
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

}  // namespace

void init_cluster_exports(Napi::Env env, Napi::Object exports) {
  exports.Set("clusterHash", Napi::Function::New(env, ClusterHash, "clusterHash"));
}

void init_test_exports(Napi::Env env, Napi::Object exports) {
  exports.Set("locate", Napi::Function::New(env, Locate, "locate"));
  exports.Set("readPcapForTest", Napi::Function::New(env, ReadPcapForTest, "readPcapForTest"));
}

}  // namespace pfw
