// The JS face of the flow table (class NativeFlowTable; packages/native/src/flows.ts
// wraps it). Arguments were validated in TypeScript; here only invariants are
// asserted, so a wrong call from elsewhere throws instead of crashing.
#include <pcap/pcap.h>

#include <memory>
#include <string>
#include <vector>

#include "errors.h"
#include "exports.h"
#include "flow_pack.h"
#include "flow_table.h"
#include "locate.h"
#include "ring_wrap.h"

namespace pfw {
namespace {

template <typename T> T typed(const Napi::CallbackInfo& info, size_t i, napi_typedarray_type want, const char* name) {
  if (info.Length() <= i || !info[i].IsTypedArray() || info[i].As<Napi::TypedArray>().TypedArrayType() != want) {
    throw_invalid(info.Env(), std::string("FlowTable.update: ") + name + " has the wrong type");
  }
  return info[i].As<T>();
}

double num(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (info.Length() <= i || !info[i].IsNumber()) throw_invalid(info.Env(), std::string(what) + " must be a number");
  return info[i].As<Napi::Number>().DoubleValue();
}

uint64_t ts_of(double sec, double nsec) {
  if (!(sec >= 0)) return 0;
  return uint64_t(sec) * 1000000000ull + uint64_t(nsec);
}

// The Ring's per-packet hook (batch.h): every delivered packet, already
// located, goes to the table while the batch is built; no JS per packet.
class TableVisitor : public PacketVisitor {
 public:
  explicit TableVisitor(FlowTable* t) : t_(t) {}
  void visit_batch(const RawPacket* pkts, const uint32_t* rows, const PacketMeta* metas, size_t count) override {
    in_.resize(count);
    for (size_t i = 0; i < count; i++) {
      const RawPacket& p = pkts[i];
      FlowInput& f = in_[i];
      f.ts_ns = p.ts_ns;
      f.data = p.data;
      f.caplen = p.caplen;
      f.meta = rows[i] == kNoRow ? nullptr : &metas[rows[i]];  // not delivered: the clock only
    }
    t_->update_batch(in_.data(), count);
  }

 private:
  FlowTable* t_;
  std::vector<FlowInput> in_;
};

class NativeFlowTable : public Napi::ObjectWrap<NativeFlowTable> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NativeFlowTable",
                       {
                           InstanceMethod<&NativeFlowTable::Update>("update"),
                           InstanceMethod<&NativeFlowTable::Advance>("advance"),
                           InstanceMethod<&NativeFlowTable::Flush>("flush"),
                           InstanceMethod<&NativeFlowTable::Stats>("stats"),
                           InstanceMethod<&NativeFlowTable::Close>("close"),
                           InstanceMethod<&NativeFlowTable::Take>("take"),
                           InstanceMethod<&NativeFlowTable::AttachToRing>("attachToRing"),
                           InstanceMethod<&NativeFlowTable::FeedPcapForTest>("feedPcapForTest"),
                           InstanceMethod<&NativeFlowTable::InsertSyntheticForTest>("insertSyntheticForTest"),
                           StaticMethod<&NativeFlowTable::MemoryBound>("flowMemoryBound"),
                       });
  }

  ~NativeFlowTable() override { detach(); }

  explicit NativeFlowTable(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeFlowTable>(info) {
    if (info.Length() < 1 || !info[0].IsObject()) throw_invalid(info.Env(), "FlowTable: options must be an object");
    table_ = std::make_unique<FlowTable>(flow_options_from_js(info[0].As<Napi::Object>()));
  }

 private:
  FlowTable& table(Napi::Env env) {
    if (!table_) throw to_js(env, Error("PFW_CLOSED", "this FlowTable was closed: create a new one"));
    return *table_;
  }

  // update(linkType, data, dataOff, caplen, tsSec, tsNsec, count, flags|null, vlan|null)
  Napi::Value Update(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    FlowTable& t = table(env);
    int link = int(num(info, 0, "linkType"));
    auto data = typed<Napi::Uint8Array>(info, 1, napi_uint8_array, "data");
    auto off = typed<Napi::Uint32Array>(info, 2, napi_uint32_array, "dataOff");
    auto cap = typed<Napi::Uint32Array>(info, 3, napi_uint32_array, "caplen");
    auto sec = typed<Napi::Float64Array>(info, 4, napi_float64_array, "tsSec");
    auto nsec = typed<Napi::Uint32Array>(info, 5, napi_uint32_array, "tsNsec");
    size_t count = size_t(num(info, 6, "count"));
    bool meta_vlan = info.Length() > 8 && info[7].IsTypedArray() && info[8].IsTypedArray();
    const uint16_t* flags = meta_vlan ? info[7].As<Napi::Uint16Array>().Data() : nullptr;
    const uint16_t* vlan = meta_vlan ? info[8].As<Napi::Uint16Array>().Data() : nullptr;
    if (count > off.ElementLength() || count > cap.ElementLength() || count > sec.ElementLength() ||
        count > nsec.ElementLength() || (meta_vlan && (count > info[7].As<Napi::Uint16Array>().ElementLength() ||
                                                       count > info[8].As<Napi::Uint16Array>().ElementLength()))) {
      throw_invalid(env, "FlowTable.update: count is larger than a column");
    }
    const uint8_t* d = data.Data();
    size_t dlen = data.ByteLength();
    for (size_t i = 0; i < count; ++i) {
      uint32_t o = off[i], c = cap[i];
      if (o > dlen || c > dlen - o) throw_invalid(env, "FlowTable.update: packet " + std::to_string(i) + " lies outside data");
      int tci = flags && (flags[i] & kMetaVlanFromMeta) ? int(vlan[i]) : -1;
      PacketMeta m;
      locate(d + o, c, link, tci, &m);
      t.update(d + o, c, m, ts_of(sec[i], nsec[i]));
    }
    return take_finished_js(env, t);
  }

  Napi::Value Advance(const Napi::CallbackInfo& info) {
    FlowTable& t = table(info.Env());
    t.advance(ts_of(num(info, 0, "tsSec"), num(info, 1, "tsNsec")));
    return take_finished_js(info.Env(), t);
  }

  Napi::Value Flush(const Napi::CallbackInfo& info) {
    FlowTable& t = table(info.Env());
    int why = int(num(info, 0, "reason"));
    if (why != kEndEnd && why != kEndStop) throw_invalid(info.Env(), "FlowTable.flush: reason must be end or stop");
    t.flush(FlowEnd(why));
    return take_finished_js(info.Env(), t);
  }

  Napi::Value Stats(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    FlowTableStats s = table(env).stats();
    Napi::Object o = Napi::Object::New(env);
    auto n = [&](const char* k, double v) { o.Set(k, Napi::Number::New(env, v)); };
    n("packets", double(s.packets));
    n("ipPackets", double(s.ip_packets));
    n("tunneled", double(s.tunneled));
    n("created", double(s.created));
    n("finished", double(s.finished));
    n("evicted", double(s.evicted));
    n("fragmentsHeld", double(s.frag_pending));
    n("fragmentsUnmatched", double(s.frag_unmatched));
    n("fragmentEntriesDropped", double(s.frag_dropped_entries));
    n("active", double(s.active));
    n("maxFlows", double(s.max_flows));
    n("memoryBytes", double(s.memory_bytes));
    return o;
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    detach();
    table_.reset();
    return info.Env().Undefined();
  }

  // take() -> the flows that finished since the last hand-over (the Ring's
  // visitor feeds the table while a batch is built).
  Napi::Value Take(const Napi::CallbackInfo& info) { return take_finished_js(info.Env(), table(info.Env())); }

  // attachToRing(nativeRing): the ring feeds this table from now on. The ring
  // object is kept alive by this table; a closed ring simply stops feeding.
  Napi::Value AttachToRing(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    FlowTable& t = table(env);
    if (info.Length() < 1 || !info[0].IsObject()) throw_invalid(env, "attachToRing: ring must be a NativeRing");
    Napi::Object obj = info[0].As<Napi::Object>();
    RingWrap* ring = Napi::ObjectWrap<RingWrap>::Unwrap(obj);
    if (!ring || !ring->builder()) throw to_js(env, Error("PFW_RING_CLOSED", "attachToRing: the ring is closed"));
    detach();
    visitor_ = std::make_unique<TableVisitor>(&t);
    ring->builder()->set_visitor(visitor_.get());
    ring_ = Napi::Persistent(obj);
    ring_ptr_ = ring;
    return env.Undefined();
  }

  // The RingWrap stays alive while ring_ holds it, so ring_ptr_ is valid
  // until the reset below (no JS call needed: safe from a finalizer too).
  void detach() {
    if (!ring_ptr_) return;
    if (ring_ptr_->builder()) ring_ptr_->builder()->set_visitor(nullptr);
    ring_ptr_ = nullptr;
    ring_.Reset();
  }

  // Test entry point: feeds a whole capture (libpcap, nanosecond timestamps).
  Napi::Value FeedPcapForTest(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    FlowTable& t = table(env);
    if (info.Length() < 1 || !info[0].IsString()) throw_invalid(env, "feedPcapForTest: path must be a string");
    std::string path = info[0].As<Napi::String>();
    char errbuf[PCAP_ERRBUF_SIZE] = {0};
    pcap_t* p = pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, errbuf);
    if (!p) throw to_js(env, Error("PFW_FILE_OPEN", "cannot read " + path + ": " + errbuf));
    int link = pcap_datalink(p);
    double n = 0;
    Napi::Value error = env.Null();
    for (;;) {
      pcap_pkthdr* h;
      const u_char* d;
      int rc = pcap_next_ex(p, &h, &d);
      if (rc != 1) {
        if (rc == PCAP_ERROR) error = Napi::String::New(env, pcap_geterr(p));
        break;
      }
      PacketMeta m;
      locate(d, h->caplen, link, -1, &m);
      int64_t ns = int64_t(h->ts.tv_sec) * 1000000000LL + h->ts.tv_usec;
      t.update(d, h->caplen, m, uint64_t(ns < 0 ? 0 : ns));
      n++;
    }
    pcap_close(p);
    Napi::Object o = Napi::Object::New(env);
    o.Set("packets", Napi::Number::New(env, n));
    o.Set("linkType", Napi::Number::New(env, link));
    o.Set("error", error);
    return o;
  }

  Napi::Value InsertSyntheticForTest(const Napi::CallbackInfo& info) {
    FlowTable& t = table(info.Env());
    double n = num(info, 0, "n");
    double sec = num(info, 1, "tsSec");
    bool v6 = info.Length() > 2 && info[2].ToBoolean();
    t.insert_synthetic(uint32_t(n), ts_of(sec, 0), v6);
    return info.Env().Undefined();
  }

  static Napi::Value MemoryBound(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), double(FlowTable::flow_memory_bound(uint32_t(num(info, 0, "maxFlows")))));
  }

  std::unique_ptr<FlowTable> table_;
  std::unique_ptr<TableVisitor> visitor_;
  Napi::ObjectReference ring_;
  RingWrap* ring_ptr_ = nullptr;
};

}  // namespace

void init_flow_exports(Napi::Env env, Napi::Object exports) {
  exports.Set("NativeFlowTable", NativeFlowTable::Define(env));
  exports.Set("flowColumns", flow_columns_js(env));
  exports.Set("tunnelColumns", tunnel_columns_js(env));
  Napi::Object sizes = Napi::Object::New(env);
  sizes.Set("flow", Napi::Number::New(env, double(sizeof(Flow))));
  sizes.Set("indexSlot", Napi::Number::New(env, 8));
  sizes.Set("tunnelStack", Napi::Number::New(env, double(sizeof(TunnelStack))));
  sizes.Set("maxTunnelDepth", Napi::Number::New(env, kMaxTunnelDepth));
  exports.Set("flowSizes", sizes);
}

}  // namespace pfw
