// The JS face of flow_ndjson.h (packages/native/src/flow-ndjson.ts wraps it):
//   flowNdjson(buffer, count, tunnelCount, worker, from, to) -> string
// reads a FlowBatch's buffer by the layout of flow_pack.h and returns rows
// [from, to) as NDJSON in ONE Latin-1 string (one N-API call per batch or
// chunk, never per record). TypeScript validated the arguments; here they are
// checked again so a wrong call from elsewhere throws instead of reading
// outside the buffer.
//   jsNumberTextForTest(Float64Array) -> string
// writes each number as js_number.h does, one per line, for the tests.
#include <string>

#include "errors.h"
#include "exports.h"
#include "flow_ndjson.h"
#include "flow_pack.h"
#include "js_number.h"

namespace pfw {
namespace {

// v8::String::kMaxLength on 64-bit: a longer text cannot become one JS string.
constexpr size_t kMaxJsStringLength = (size_t(1) << 29) - 24;

// The columns the record reads, found by name once (their place in the
// layout's lists) and checked against the element type the reader assumes.
enum Col {
  kFirstSec, kFirstNsec, kLastSec, kLastNsec, kOrigPkts, kOrigBytes, kRespPkts, kRespBytes, kOrigAddr, kRespAddr,
  kOrigPort, kRespPort, kVlan, kInnerVlan, kProto, kIpVersion, kEndReason, kHistory, kTunnelStart, kTunnelCount,
  kTId, kTSport, kTDport, kTSrc, kTDst, kTType, kTIpVersion, kTHasId, kNCols
};
struct Want {
  const char* name;
  bool tunnel;
  uint8_t size;
  uint8_t per;
};
const Want kWant[kNCols] = {
    {"firstSec", false, 8, 1},  {"firstNsec", false, 4, 1},   {"lastSec", false, 8, 1},    {"lastNsec", false, 4, 1},
    {"origPkts", false, 8, 1},  {"origBytes", false, 8, 1},   {"respPkts", false, 8, 1},   {"respBytes", false, 8, 1},
    {"origAddr", false, 1, 16}, {"respAddr", false, 1, 16},   {"origPort", false, 2, 1},   {"respPort", false, 2, 1},
    {"vlan", false, 2, 1},      {"innerVlan", false, 2, 1},   {"proto", false, 1, 1},      {"ipVersion", false, 1, 1},
    {"endReason", false, 1, 1}, {"history", false, 1, 16},    {"tunnelStart", false, 4, 1}, {"tunnelCount", false, 1, 1},
    {"id", true, 4, 1},         {"sport", true, 2, 1},        {"dport", true, 2, 1},       {"src", true, 1, 16},
    {"dst", true, 1, 16},       {"type", true, 1, 1},         {"ipVersion", true, 1, 1},   {"hasId", true, 1, 1},
};

// Index of each wanted column in its list, or an error when the layout no
// longer has it as the reader expects (a programming error: flow_pack.cc changed).
struct Resolved {
  int index[kNCols];
  std::string error;
};
const Resolved& resolved() {
  static const Resolved r = [] {
    Resolved out;
    PackedLayout l = packed_layout(0, 0);
    for (int w = 0; w < kNCols; ++w) {
      const PackedColumn* cols = kWant[w].tunnel ? l.tunnels : l.flows;
      size_t n = kWant[w].tunnel ? l.n_tunnels : l.n_flows;
      out.index[w] = -1;
      for (size_t i = 0; i < n; ++i)
        if (std::string(cols[i].name) == kWant[w].name) out.index[w] = int(i);
      int i = out.index[w];
      if (i < 0 || cols[i].size != kWant[w].size || cols[i].per != kWant[w].per) {
        out.error = std::string("flowNdjson: column ") + kWant[w].name + " is missing or has another type in flow_pack.cc";
      }
    }
    return out;
  }();
  return r;
}

size_t index_arg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (info.Length() <= i || !info[i].IsNumber()) throw_invalid(info.Env(), std::string("flowNdjson: ") + what + " must be a number");
  double v = info[i].As<Napi::Number>().DoubleValue();
  if (!(v >= 0 && v <= 9007199254740991.0) || v != double(size_t(v))) {
    throw_invalid(info.Env(), std::string("flowNdjson: ") + what + " must be a non-negative integer");
  }
  return size_t(v);
}

Napi::Value FlowNdjson(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsArrayBuffer()) throw_invalid(env, "flowNdjson: buffer must be an ArrayBuffer");
  Napi::ArrayBuffer buf = info[0].As<Napi::ArrayBuffer>();
  size_t count = index_arg(info, 1, "count");
  size_t tunnel_count = index_arg(info, 2, "tunnelCount");
  if (info.Length() < 4 || !info[3].IsNumber()) throw_invalid(env, "flowNdjson: worker must be a number");
  double worker = info[3].As<Napi::Number>().DoubleValue();
  size_t from = index_arg(info, 4, "from");
  size_t to = index_arg(info, 5, "to");
  if (from > to || to > count) {
    throw_invalid(env, "flowNdjson: rows must satisfy 0 <= from <= to <= count (" + std::to_string(count) + "), got from " +
                           std::to_string(from) + ", to " + std::to_string(to));
  }
  if (from == to) return Napi::String::New(env, "");
  const Resolved& r = resolved();
  if (!r.error.empty()) throw to_js(env, Error("PFW_INTERNAL", r.error));
  if (buf.IsDetached()) {
    throw_invalid(env, "flowNdjson: the FlowBatch's buffer was detached (transferred to another thread?): format the batch before transferring it");
  }
  PackedLayout l = packed_layout(count, tunnel_count);
  if (buf.ByteLength() < l.bytes) {
    throw_invalid(env, "flowNdjson: the buffer holds " + std::to_string(buf.ByteLength()) + " bytes; a FlowBatch of " +
                           std::to_string(count) + " flows and " + std::to_string(tunnel_count) + " tunnel layers needs " +
                           std::to_string(l.bytes));
  }
  const uint8_t* b = static_cast<const uint8_t*>(buf.Data());
  auto at = [&](Col c) -> const void* {
    const PackedColumn& pc = kWant[c].tunnel ? l.tunnels[r.index[c]] : l.flows[r.index[c]];
    return b + pc.offset;
  };
  FlowRecordColumns c;
  c.rows = count;
  c.first_sec = static_cast<const double*>(at(kFirstSec));
  c.first_nsec = static_cast<const uint32_t*>(at(kFirstNsec));
  c.last_sec = static_cast<const double*>(at(kLastSec));
  c.last_nsec = static_cast<const uint32_t*>(at(kLastNsec));
  c.orig_pkts = static_cast<const double*>(at(kOrigPkts));
  c.orig_bytes = static_cast<const double*>(at(kOrigBytes));
  c.resp_pkts = static_cast<const double*>(at(kRespPkts));
  c.resp_bytes = static_cast<const double*>(at(kRespBytes));
  c.orig_addr = static_cast<const uint8_t*>(at(kOrigAddr));
  c.resp_addr = static_cast<const uint8_t*>(at(kRespAddr));
  c.orig_port = static_cast<const uint16_t*>(at(kOrigPort));
  c.resp_port = static_cast<const uint16_t*>(at(kRespPort));
  c.vlan = static_cast<const uint16_t*>(at(kVlan));
  c.inner_vlan = static_cast<const uint16_t*>(at(kInnerVlan));
  c.proto = static_cast<const uint8_t*>(at(kProto));
  c.ip_version = static_cast<const uint8_t*>(at(kIpVersion));
  c.end_reason = static_cast<const uint8_t*>(at(kEndReason));
  c.history = static_cast<const uint8_t*>(at(kHistory));
  c.tunnel_start = static_cast<const uint32_t*>(at(kTunnelStart));
  c.tunnel_count = static_cast<const uint8_t*>(at(kTunnelCount));
  c.tunnel_rows = tunnel_count;
  c.t_id = static_cast<const uint32_t*>(at(kTId));
  c.t_sport = static_cast<const uint16_t*>(at(kTSport));
  c.t_dport = static_cast<const uint16_t*>(at(kTDport));
  c.t_src = static_cast<const uint8_t*>(at(kTSrc));
  c.t_dst = static_cast<const uint8_t*>(at(kTDst));
  c.t_type = static_cast<const uint8_t*>(at(kTType));
  c.t_ip_version = static_cast<const uint8_t*>(at(kTIpVersion));
  c.t_has_id = static_cast<const uint8_t*>(at(kTHasId));

  // One buffer per thread, reused: a batch's text is built without growing
  // from zero each time; a huge one is not kept afterwards.
  thread_local TextBuffer text;
  struct Trim {
    ~Trim() {
      if (text.capacity() > (size_t(64) << 20)) text.release();
    }
  } trim;
  text.clear();
  std::string error;
  bool ok = append_flow_ndjson(c, from, to, worker, &text, &error);
  if (!ok) throw_invalid(env, "flowNdjson: " + error + ": not a FlowBatch hand-over");
  if (text.size() > kMaxJsStringLength) {
    throw_invalid(env, "flowNdjson: rows " + std::to_string(from) + " to " + std::to_string(to) + " make " +
                           std::to_string(text.size()) + " characters, more than one JS string holds (" +
                           std::to_string(kMaxJsStringLength) + "): format fewer rows per call");
  }
  napi_value s;
  napi_status st = napi_create_string_latin1(env, text.data(), text.size(), &s);
  if (st != napi_ok) throw to_js(env, Error("PFW_NO_MEMORY", "flowNdjson: cannot create a string of " + std::to_string(text.size()) + " characters: format fewer rows per call"));
  return Napi::Value(env, s);
}

Napi::Value JsNumberTextForTest(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array) {
    throw_invalid(env, "jsNumberTextForTest: values must be a Float64Array");
  }
  Napi::Float64Array v = info[0].As<Napi::Float64Array>();
  std::string out;
  char tmp[kJsNumberMaxChars];
  for (size_t i = 0; i < v.ElementLength(); ++i) {
    out.append(tmp, size_t(js_number_text(v[i], tmp) - tmp));
    out.push_back('\n');
  }
  return Napi::String::New(env, out);
}

}  // namespace

void init_flow_ndjson_exports(Napi::Env env, Napi::Object exports) {
  exports.Set("flowNdjson", Napi::Function::New<FlowNdjson>(env, "flowNdjson"));
  exports.Set("jsNumberTextForTest", Napi::Function::New<JsNumberTextForTest>(env, "jsNumberTextForTest"));
}

}  // namespace pfw
