// JS export of the cluster index writer (cluster_index.h):
//   new NativeClusterIndex(path, clusterType, count, snaplen, slotBytes)  opens and maps the file, takes the rings
//   .start()   starts indexing (idempotent)
//   .fd()      the index's descriptor (give it to the workers)
//   .status()  { done, records, handoverOffset, bytes, waitingFor, seconds, cpuSeconds, waitedSeconds }
//   .release(slot)  after slot's ring closed or died: true if it may be read through the index again
//   .detach(slot)   no ring reads slot through the index: the writer stops waiting for it
//   .close()   stops the writer and closes this process's descriptor
// Arguments arrive validated from src/cluster-index.ts.
#include <napi.h>

#include <memory>

#include "cluster_index.h"
#include "errors.h"
#include "exports.h"

namespace pfw {
namespace {

class NativeClusterIndex : public Napi::ObjectWrap<NativeClusterIndex> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NativeClusterIndex",
                       {
                           InstanceMethod<&NativeClusterIndex::Fd>("fd"),
                           InstanceMethod<&NativeClusterIndex::Start>("start"),
                           InstanceMethod<&NativeClusterIndex::Status>("status"),
                           InstanceMethod<&NativeClusterIndex::Release>("release"),
                           InstanceMethod<&NativeClusterIndex::Detach>("detach"),
                           InstanceMethod<&NativeClusterIndex::Close>("close"),
                       });
  }

  explicit NativeClusterIndex(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeClusterIndex>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 5 || !info[0].IsString() || !info[1].IsNumber() || !info[2].IsNumber() || !info[3].IsNumber() ||
        !info[4].IsNumber()) {
      throw_invalid(env, "NativeClusterIndex(path, clusterType, count, snaplen, slotBytes)");
    }
    try {
      writer_ = std::make_unique<ClusterIndexWriter>(info[0].As<Napi::String>().Utf8Value(),
                                                     info[1].As<Napi::Number>().Int32Value(),
                                                     info[2].As<Napi::Number>().Uint32Value(),
                                                     info[3].As<Napi::Number>().Uint32Value(),
                                                     uint64_t(info[4].As<Napi::Number>().DoubleValue()));
    } catch (const Error& e) {
      throw to_js(env, e);
    }
  }

 private:
  Napi::Value Fd(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), writer_ ? writer_->fd() : -1); }

  Napi::Value Status(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Napi::Object o = Napi::Object::New(env);
    ClusterIndexStatus s = writer_ ? writer_->status() : ClusterIndexStatus{};
    o.Set("done", Napi::Boolean::New(env, s.done));
    o.Set("records", Napi::Number::New(env, double(s.records)));
    o.Set("handoverOffset", Napi::Number::New(env, double(s.handover_offset)));
    o.Set("bytes", Napi::Number::New(env, double(s.bytes)));
    o.Set("waitingFor", s.waiting_for >= 0 ? Napi::Number::New(env, s.waiting_for) : env.Null());
    o.Set("seconds", Napi::Number::New(env, double(s.elapsed_ns) / 1e9));
    o.Set("cpuSeconds", Napi::Number::New(env, double(s.cpu_ns) / 1e9));
    o.Set("waitedSeconds", Napi::Number::New(env, double(s.waited_ns) / 1e9));
    return o;
  }

  Napi::Value Release(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsNumber()) throw_invalid(env, "release(slot)");
    return Napi::Boolean::New(env, writer_ && writer_->release(info[0].As<Napi::Number>().Uint32Value()));
  }

  void Detach(const Napi::CallbackInfo& info) {
    if (info.Length() < 1 || !info[0].IsNumber()) throw_invalid(info.Env(), "detach(slot)");
    if (writer_) writer_->detach(info[0].As<Napi::Number>().Uint32Value());
  }

  void Start(const Napi::CallbackInfo&) {
    if (writer_) writer_->start();
  }

  void Close(const Napi::CallbackInfo&) { writer_.reset(); }

  std::unique_ptr<ClusterIndexWriter> writer_;
};

}  // namespace

void init_cluster_index_exports(Napi::Env env, Napi::Object exports) {
  exports.Set("NativeClusterIndex", NativeClusterIndex::Define(env));
}

}  // namespace pfw
