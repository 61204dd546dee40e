// NativeRing: the JS-facing object over one Backend (packages/native/src/ring.ts
// is its only user). Options arrive resolved and validated from options.ts;
// here they are only asserted.
//
// Memory rules (DESIGN section 2):
//  - the descriptor table is one native allocation exposed ONCE as an external
//    ArrayBuffer; it is detached at close();
//  - each batch's bytes are exposed as a new external ArrayBuffer over the
//    backend's memory, detached before the backend gets that memory back
//    (release(), the next readBatch(), close(), or this object's collection),
//    so a stale view reads as empty instead of touching unmapped memory.
//
// Waiting never blocks the JS thread: wait(cb) arms a uv_poll on the backend's
// descriptor (plus a uv_timer when the backend asks for one) and calls cb once.
#pragma once
#include <napi.h>
#include <uv.h>

#include <memory>

#include "backend.h"
#include "batch.h"

namespace pfw {

class RingWrap : public Napi::ObjectWrap<RingWrap> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit RingWrap(const Napi::CallbackInfo& info);
  ~RingWrap() override;

  // The flow-table hook point (flow_table.cc may install one per ring).
  BatchBuilder* builder() { return builder_.get(); }

 private:
  struct Poller;

  Napi::Value Table(const Napi::CallbackInfo& info);
  Napi::Value Info(const Napi::CallbackInfo& info);
  void Enable(const Napi::CallbackInfo& info);
  void Disable(const Napi::CallbackInfo& info);
  void Close(const Napi::CallbackInfo& info);
  Napi::Value ReadBatch(const Napi::CallbackInfo& info);
  void Release(const Napi::CallbackInfo& info);
  void SetBpf(const Napi::CallbackInfo& info);
  void RemoveBpf(const Napi::CallbackInfo& info);
  void SetDirection(const Napi::CallbackInfo& info);
  void SetSocketMode(const Napi::CallbackInfo& info);
  void SetSampling(const Napi::CallbackInfo& info);
  void SetApplicationName(const Napi::CallbackInfo& info);
  void SetCluster(const Napi::CallbackInfo& info);
  void RemoveFromCluster(const Napi::CallbackInfo& info);
  Napi::Value Stats(const Napi::CallbackInfo& info);
  Napi::Value Send(const Napi::CallbackInfo& info);
  Napi::Value Wait(const Napi::CallbackInfo& info);
  void CancelWait(const Napi::CallbackInfo& info);

  void check_open(Napi::Env env);
  void detach_batch(bool release_backend);
  void stop_poller();
  void on_ready();
  void close_all();

  std::unique_ptr<Backend> backend_;
  std::unique_ptr<DescriptorTable> table_;
  std::unique_ptr<BatchBuilder> builder_;
  Napi::Reference<Napi::ArrayBuffer> table_ab_;
  Napi::Reference<Napi::ArrayBuffer> batch_ab_;
  bool has_batch_ = false;
  bool enabled_ = false;
  bool closed_ = false;
  bool is_file_ = false;
  // A file ring reading its cluster slot through a cluster index
  // (cluster_index.h): the index's descriptor, attached at setCluster(); -1 = none.
  int index_fd_ = -1;
  uint32_t snaplen_ = 65535;
  Poller* poller_ = nullptr;
  Napi::FunctionReference wait_cb_;
};

}  // namespace pfw
