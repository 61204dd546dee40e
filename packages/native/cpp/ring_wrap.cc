// See ring_wrap.h. Every method turns pfw::Error into a JS error with its
// code (errors.h); argument checks are assertions (ring.ts validated them).
#include "ring_wrap.h"

#include <pcap/pcap.h>
#include <unistd.h>

#include "cluster_hash.h"
#include "errors.h"
#include "exports.h"
#include "pcap_file.h"

namespace pfw {

namespace {

// NextResult values (constants.ts): PF_RING's where it has one.
constexpr int kNextNoPacket = 0;
constexpr int kNextNotEnabled = -12;  // PF_RING_ERROR_RING_NOT_ENABLED
constexpr int kNextEnd = -100;        // ours: PF_RING has no end of input

uint32_t u32(const Napi::Object& o, const char* key) {
  Napi::Value v = o.Get(key);
  if (!v.IsNumber()) throw_invalid(o.Env(), std::string("NativeRing: ") + key + " must be a number");
  return v.As<Napi::Number>().Uint32Value();
}

bool boolean(const Napi::Object& o, const char* key) {
  Napi::Value v = o.Get(key);
  if (!v.IsBoolean()) throw_invalid(o.Env(), std::string("NativeRing: ") + key + " must be a boolean");
  return v.As<Napi::Boolean>().Value();
}

std::string str(const Napi::Object& o, const char* key) {
  Napi::Value v = o.Get(key);
  if (!v.IsString()) throw_invalid(o.Env(), std::string("NativeRing: ") + key + " must be a string");
  return v.As<Napi::String>().Utf8Value();
}

int int_arg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (info.Length() <= i || !info[i].IsNumber()) throw_invalid(info.Env(), std::string(what) + " must be a number");
  return info[i].As<Napi::Number>().Int32Value();
}

// Runs f, turning a pfw::Error into a JS exception with its code.
template <typename F> auto guarded(Napi::Env env, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const Error& e) {
    throw to_js(env, e);
  }
}

void noop_finalize(Napi::Env, void*) {}

}  // namespace

struct RingWrap::Poller {
  uv_poll_t poll;
  uv_timer_t timer;
  RingWrap* owner;
  bool polling = false;
  bool timing = false;
  int open_handles = 0;
};

Napi::Function RingWrap::Define(Napi::Env env) {
  return DefineClass(env, "NativeRing",
                     {
                         InstanceMethod<&RingWrap::Table>("table"),
                         InstanceMethod<&RingWrap::Info>("info"),
                         InstanceMethod<&RingWrap::Enable>("enable"),
                         InstanceMethod<&RingWrap::Disable>("disable"),
                         InstanceMethod<&RingWrap::Close>("close"),
                         InstanceMethod<&RingWrap::ReadBatch>("readBatch"),
                         InstanceMethod<&RingWrap::Release>("release"),
                         InstanceMethod<&RingWrap::SetBpf>("setBpf"),
                         InstanceMethod<&RingWrap::RemoveBpf>("removeBpf"),
                         InstanceMethod<&RingWrap::SetDirection>("setDirection"),
                         InstanceMethod<&RingWrap::SetSocketMode>("setSocketMode"),
                         InstanceMethod<&RingWrap::SetSampling>("setSampling"),
                         InstanceMethod<&RingWrap::SetApplicationName>("setApplicationName"),
                         InstanceMethod<&RingWrap::SetCluster>("setCluster"),
                         InstanceMethod<&RingWrap::RemoveFromCluster>("removeFromCluster"),
                         InstanceMethod<&RingWrap::Stats>("stats"),
                         InstanceMethod<&RingWrap::Send>("send"),
                         InstanceMethod<&RingWrap::Wait>("wait"),
                         InstanceMethod<&RingWrap::CancelWait>("cancelWait"),
                     });
}

// new NativeRing(resolved): { backend, device, snaplen, promiscuous,
// hwTimestamp, blockSize, blockCount, frameSize, retireTimeoutMs, fd, maxBatch, rows }
RingWrap::RingWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<RingWrap>(info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) throw_invalid(env, "NativeRing: options must be an object");
  Napi::Object o = info[0].As<Napi::Object>();
  OpenOptions opts;
  std::string kind = str(o, "backend");
  opts.device = str(o, "device");
  opts.snaplen = u32(o, "snaplen");
  opts.promiscuous = boolean(o, "promiscuous");
  opts.hw_timestamp = boolean(o, "hwTimestamp");
  opts.block_size = u32(o, "blockSize");
  opts.block_count = u32(o, "blockCount");
  opts.frame_size = u32(o, "frameSize");
  opts.retire_timeout_ms = u32(o, "retireTimeoutMs");
  opts.fd = o.Get("fd").As<Napi::Number>().Int32Value();
  if (o.Get("clusterQueue").IsNumber()) opts.cluster_queue = o.Get("clusterQueue").As<Napi::Number>().Int32Value();
  if (o.Get("clusterIndexFd").IsNumber()) index_fd_ = o.Get("clusterIndexFd").As<Napi::Number>().Int32Value();
  uint32_t max_batch = u32(o, "maxBatch");
  snaplen_ = opts.snaplen;
  backend_ = guarded(env, [&] { return make_backend(kind, opts); });
  is_file_ = std::string(backend_->name()) == "pcap";
  table_ = std::make_unique<DescriptorTable>(max_batch);
  builder_ = std::make_unique<BatchBuilder>(table_.get(), backend_->link_type());
  builder_->set_rows(!o.Get("rows").IsBoolean() || o.Get("rows").As<Napi::Boolean>().Value());
  // The table's memory now belongs to its ArrayBuffer (freed when that is
  // collected after close() detached it).
  uint8_t* mem = table_->release_ownership();
  Napi::ArrayBuffer ab = Napi::ArrayBuffer::New(env, mem, table_->size(),
                                                [](Napi::Env, void* p) { DescriptorTable::free_memory(static_cast<uint8_t*>(p)); });
  table_ab_ = Napi::Persistent(ab);
}

RingWrap::~RingWrap() { close_all(); }

void RingWrap::check_open(Napi::Env env) {
  if (closed_) throw to_js(env, Error("PFW_RING_CLOSED", "the ring is closed: open a new one with Ring.open()"));
}

// { buffer, capacity, columns: { name: byteOffset } }
Napi::Value RingWrap::Table(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  check_open(env);
  Napi::Object out = Napi::Object::New(env);
  out.Set("buffer", table_ab_.Value());
  out.Set("capacity", Napi::Number::New(env, table_->capacity()));
  Napi::Object cols = Napi::Object::New(env);
  for (const auto& c : table_->layout()) cols.Set(c.first, Napi::Number::New(env, double(c.second)));
  out.Set("columns", cols);
  return out;
}

// { backend, linkType, linkTypeName, fd }
Napi::Value RingWrap::Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  check_open(env);
  Napi::Object out = Napi::Object::New(env);
  out.Set("backend", Napi::String::New(env, backend_->name()));
  int lt = backend_->link_type();
  out.Set("linkType", Napi::Number::New(env, lt));
  const char* name = pcap_datalink_val_to_name(lt);
  out.Set("linkTypeName", Napi::String::New(env, name ? name : ("LINKTYPE " + std::to_string(lt)).c_str()));
  out.Set("fd", Napi::Number::New(env, backend_->fd()));
  return out;
}

void RingWrap::Enable(const Napi::CallbackInfo& info) {
  check_open(info.Env());
  guarded(info.Env(), [&] { backend_->enable(); });
  enabled_ = true;
}

void RingWrap::Disable(const Napi::CallbackInfo& info) {
  check_open(info.Env());
  detach_batch(true);
  guarded(info.Env(), [&] { backend_->disable(); });
  enabled_ = false;
}

void RingWrap::Close(const Napi::CallbackInfo& info) { close_all(); }

void RingWrap::close_all() {
  if (closed_) return;
  closed_ = true;
  stop_poller();
  wait_cb_.Reset();
  detach_batch(false);
  if (backend_) {
    try {
      backend_->close();
    } catch (...) {
      // close() is idempotent and must not throw; a failing close leaves
      // nothing the user could act on.
    }
  }
  builder_.reset();
  if (!table_ab_.IsEmpty()) {
    table_ab_.Value().Detach();
    table_ab_.Reset();
  }
  table_.reset();
}

void RingWrap::detach_batch(bool release_backend) {
  if (!batch_ab_.IsEmpty()) {
    Napi::ArrayBuffer ab = batch_ab_.Value();
    if (!ab.IsDetached()) ab.Detach();
    batch_ab_.Reset();
  }
  if (has_batch_ && release_backend && backend_) backend_->release();
  has_batch_ = false;
}

// readBatch(max) -> Uint8Array (the batch's bytes; count and bytes are in the
// table header) | NextResult number
Napi::Value RingWrap::ReadBatch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  check_open(env);
  uint32_t max = uint32_t(int_arg(info, 0, "readBatch: max"));
  detach_batch(true);
  if (!enabled_) return Napi::Number::New(env, kNextNotEnabled);
  BatchResult r = guarded(env, [&] { return builder_->build(*backend_, max); });
  if (r.count == 0) {
    return Napi::Number::New(env, r.status == FetchStatus::kEnd ? kNextEnd : kNextNoPacket);
  }
  has_batch_ = true;
  Napi::ArrayBuffer ab = r.span ? Napi::ArrayBuffer::New(env, const_cast<uint8_t*>(r.base), r.span, noop_finalize)
                                : Napi::ArrayBuffer::New(env, 0);
  batch_ab_ = Napi::Persistent(ab);
  return Napi::Uint8Array::New(env, r.span, ab, 0);
}

void RingWrap::Release(const Napi::CallbackInfo& info) {
  if (closed_) return;
  detach_batch(true);
}

void RingWrap::SetBpf(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  check_open(env);
  if (info.Length() < 1 || !info[0].IsString()) throw_invalid(env, "setBPFFilter: expression must be a string");
  std::string expr = info[0].As<Napi::String>().Utf8Value();
  guarded(env, [&] {
    auto prog = std::make_unique<BpfProgram>(compile_bpf(expr, backend_->link_type(), snaplen_));
    sock_fprog fp = prog->fprog();
    if (backend_->set_bpf_expression(expr) || backend_->attach_filter(&fp)) {
      builder_->set_software_filter(nullptr);
    } else {
      builder_->set_software_filter(std::move(prog));
    }
  });
}

void RingWrap::RemoveBpf(const Napi::CallbackInfo& info) {
  check_open(info.Env());
  guarded(info.Env(), [&] { backend_->detach_filter(); });
  builder_->set_software_filter(nullptr);
}

// setDirection(d): d in the backend's values (0 rx, 1 tx, 2 both).
void RingWrap::SetDirection(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  check_open(env);
  int d = int_arg(info, 0, "setDirection: direction");
  guarded(env, [&] { backend_->set_direction(d); });
  if (is_file_) builder_->set_direction_filter(d == 2 ? -1 : d);
}

// setSocketMode(m): m in the backend's values (0 read, 1 write, 2 both).
void RingWrap::SetSocketMode(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  check_open(env);
  int m = int_arg(info, 0, "setSocketMode: mode");
  guarded(env, [&] { backend_->set_socket_mode(m); });
}

void RingWrap::SetSampling(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  check_open(env);
  uint32_t n = uint32_t(int_arg(info, 0, "setSamplingRate: rate"));
  bool in_backend = guarded(env, [&] { return backend_->set_sampling_rate(n); });
  builder_->set_sampling(in_backend ? 1 : n);
}

void RingWrap::SetApplicationName(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  check_open(env);
  if (info.Length() < 1 || !info[0].IsString()) throw_invalid(env, "setApplicationName: name must be a string");
  std::string name = info[0].As<Napi::String>().Utf8Value();
  guarded(env, [&] { backend_->set_application_name(name); });
}

// setCluster(id, type, index, count): files keep slot index of count in
// software; live backends join the kernel cluster (index/count unused).
void RingWrap::SetCluster(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  check_open(env);
  uint32_t id = uint32_t(int_arg(info, 0, "setCluster: id"));
  int type = int_arg(info, 1, "setCluster: type");
  uint32_t index = uint32_t(int_arg(info, 2, "setCluster: index"));
  uint32_t count = uint32_t(int_arg(info, 3, "setCluster: count"));
  if (!cluster_type_valid(type)) throw_invalid(env, "setCluster: unknown cluster type " + std::to_string(type));
  if (is_file_) {
    if (index_fd_ >= 0) {
      guarded(env, [&] { static_cast<PcapFileBackend*>(backend_.get())->attach_index(index_fd_, type, index, count); });
    }
    builder_->set_slot(type, index, count);
  } else {
    guarded(env, [&] { backend_->set_cluster(id, type); });
  }
  builder_->set_hash_type(type);
}

void RingWrap::RemoveFromCluster(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  check_open(env);
  if (is_file_) {
    if (index_fd_ >= 0) {
      throw to_js(env, Error("PFW_NOT_SUPPORTED", "removeFromCluster(): this ring reads its cluster slot through a "
                                                  "cluster index (clusterIndexFd) and keeps it until it is closed"));
    }
    builder_->set_slot(-1, 0, 1);
  } else {
    // The afpacket backend may replace its socket (same number): never poll
    // across that.
    stop_poller();
    detach_batch(true);
    guarded(env, [&] { backend_->remove_from_cluster(); });
  }
  builder_->set_hash_type(-1);
}

// stats() -> [received, dropped, delivered]
Napi::Value RingWrap::Stats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  check_open(env);
  BackendStats s = guarded(env, [&] { return backend_->stats(); });
  const BatchCounters& c = builder_->counters();
  if (is_file_) s.received = c.accepted;
  Napi::Array out = Napi::Array::New(env, 3);
  out.Set(0u, Napi::Number::New(env, double(s.received)));
  out.Set(1u, Napi::Number::New(env, double(s.dropped)));
  out.Set(2u, Napi::Number::New(env, double(c.delivered)));
  return out;
}

Napi::Value RingWrap::Send(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  check_open(env);
  if (info.Length() < 1 || !info[0].IsTypedArray()) throw_invalid(env, "writePacketData: bytes must be a Uint8Array");
  Napi::Uint8Array a = info[0].As<Napi::Uint8Array>();
  int n = guarded(env, [&] { return backend_->send(a.Data(), uint32_t(a.ByteLength())); });
  return Napi::Number::New(env, n);
}

// wait(cb) -> true when cb will be called once the backend may have packets;
// false when the backend has nothing to wait on (files): ask again at once.
Napi::Value RingWrap::Wait(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  check_open(env);
  if (info.Length() < 1 || !info[0].IsFunction()) throw_invalid(env, "wait: callback must be a function");
  int fd = backend_->fd();
  int interval = backend_->poll_interval_ms();
  if (fd < 0 && interval < 0) return Napi::Boolean::New(env, false);
  wait_cb_ = Napi::Persistent(info[0].As<Napi::Function>());
  uv_loop_t* loop = nullptr;
  napi_get_uv_event_loop(env, &loop);
  if (!poller_) {
    poller_ = new Poller();
    poller_->owner = this;
    if (fd >= 0) {
      int rc = uv_poll_init(loop, &poller_->poll, fd);
      if (rc != 0) {
        delete poller_;
        poller_ = nullptr;
        throw to_js(env, Error("PFW_POLL", std::string("cannot watch the capture descriptor: ") + uv_strerror(rc), -rc,
                               "uv_poll_init"));
      }
      poller_->poll.data = poller_;
      poller_->open_handles++;
    }
    uv_timer_init(loop, &poller_->timer);
    poller_->timer.data = poller_;
    poller_->open_handles++;
  }
  if (fd >= 0 && !poller_->polling) {
    uv_poll_start(&poller_->poll, UV_READABLE, [](uv_poll_t* h, int, int) {
      static_cast<Poller*>(h->data)->owner->on_ready();
    });
    poller_->polling = true;
  }
  if (interval >= 0 && !poller_->timing) {
    uv_timer_start(&poller_->timer, [](uv_timer_t* h) { static_cast<Poller*>(h->data)->owner->on_ready(); },
                   uint64_t(interval), 0);
    poller_->timing = true;
  }
  return Napi::Boolean::New(env, true);
}

void RingWrap::CancelWait(const Napi::CallbackInfo& info) {
  if (poller_) {
    if (poller_->polling) uv_poll_stop(&poller_->poll);
    if (poller_->timing) uv_timer_stop(&poller_->timer);
    poller_->polling = poller_->timing = false;
  }
  wait_cb_.Reset();
}

// Called from the event loop: stop watching, then call the JS callback once.
void RingWrap::on_ready() {
  if (poller_) {
    if (poller_->polling) uv_poll_stop(&poller_->poll);
    if (poller_->timing) uv_timer_stop(&poller_->timer);
    poller_->polling = poller_->timing = false;
  }
  if (wait_cb_.IsEmpty()) return;
  Napi::Env env = wait_cb_.Env();
  Napi::HandleScope scope(env);
  Napi::Function cb = wait_cb_.Value();
  wait_cb_.Reset();
  try {
    cb.MakeCallback(env.Global(), {});
  } catch (const Napi::Error& e) {
    napi_fatal_exception(env, e.Value());
  }
}

void RingWrap::stop_poller() {
  if (!poller_) return;
  Poller* p = poller_;
  poller_ = nullptr;
  if (p->polling) uv_poll_stop(&p->poll);
  if (p->timing) uv_timer_stop(&p->timer);
  p->owner = nullptr;
  auto closed = [](uv_handle_t* h) {
    Poller* q = static_cast<Poller*>(h->data);
    if (--q->open_handles == 0) delete q;
  };
  // poll.data is set only when the poll handle was initialised (fd >= 0).
  bool has_poll = p->poll.data == p;
  if (has_poll) uv_close(reinterpret_cast<uv_handle_t*>(&p->poll), closed);
  uv_close(reinterpret_cast<uv_handle_t*>(&p->timer), closed);
}

void init_ring_exports(Napi::Env env, Napi::Object exports) {
  exports.Set("NativeRing", RingWrap::Define(env));
  // The page size ring geometry is checked against (options.ts).
  exports.Set("pageSize", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
                return Napi::Number::New(info.Env(), double(sysconf(_SC_PAGESIZE)));
              }));
}

}  // namespace pfw
