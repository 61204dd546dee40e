// PfringBackend: a capture ring over libpfring (loaded with dlopen, see
// pfring_loader.h). Each Backend method is one libpfring call; the mapping is
// listed in docs/pfring.md.
//
// Waiting: pfring_get_selectable_fd() is the Backend's fd(); the Ring polls it
// with uv_poll (as it does for AF_PACKET) and reads with non-blocking
// pfring_recv(). The poll watermark is set to 1 so one queued packet makes the
// socket readable. No thread is started: libpfring is then used from one
// thread only, which is what its non-reentrant (fast) mode requires, and zero
// copy (buffer_len 0) is not allowed with PF_RING_REENTRANT anyway.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>
#include "backend.h"
#include "errors.h"
#include "pfring_loader.h"

namespace pfw {

// What only the PF_RING backend takes (resolved in src/pfring.ts).
struct PfringOptions {
  // pfring_set_cluster_consumer() queue id: the worker's index, so a worker
  // that restarts gets its slot back. -1 = the first free queue (and what
  // pfring_set_cluster() does on libraries without set_cluster_consumer).
  int cluster_queue = -1;
  // Library to load; '' = PFWORK_PFRING_LIBRARY or the standard paths.
  std::string library;
  // Copy each packet into a backend-owned buffer (pfring_recv with a buffer)
  // instead of zero copy. Always on for PF_RING module devices ("zc:eth1",
  // "multi:...", ...): their zero-copy buffer is only valid until the next
  // pfring_recv, so a batch of them cannot be zero copy.
  bool copy = false;
};

// True for a device handled by a PF_RING module ("zc:eth1", "dag:0", ...):
// "<letters/digits/_>:" before the name. Standard kernel devices have none.
bool pfring_module_device(const std::string& device);

class PfringBackend final : public Backend {
 public:
  // pfring_open() + pfring_get_selectable_fd() + pfring_set_poll_watermark(1).
  // Throws pfw::Error: PFW_PFRING_ABSENT / PFW_PFRING_VERSION (loader),
  // PFW_PFRING_MODULE (EAFNOSUPPORT), PFW_NO_CAP_NET_RAW (EPERM/EACCES),
  // PFW_NO_SUCH_DEVICE (ENODEV/ENXIO), PFW_PFRING_OPEN (anything else).
  PfringBackend(const OpenOptions& opts, const PfringOptions& pf);
  ~PfringBackend() override;

  const char* name() const override { return "pfring"; }
  int link_type() const override { return link_type_; }
  int fd() const override { return fd_; }
  // Up to `max` non-blocking pfring_recv() calls. Zero copy (buffer_len 0):
  // each RawPacket points into its ring slot; all slots are in the one ring
  // mapping, so the batch span is mapped memory. PF_RING hands a slot back to
  // the kernel when pfring_recv() returns: the bytes stay mapped until close()
  // but, on a full ring, a new packet may overwrite them (docs/pfring.md).
  // Copy mode: packets are copied by libpfring into this backend's buffer,
  // valid until the next fetch.
  FetchStatus fetch_into(uint32_t max, std::vector<RawPacket>& out) override;
  void release() override {}  // nothing to hand back: pfring_recv() did it
  void enable() override;     // pfring_enable_ring
  void disable() override;    // pfring_disable_ring
  void close() override;      // pfring_close; idempotent
  BackendStats stats() override;  // pfring_stats: recv, drop (kernel running totals)
  // PF_RING takes BPF as an expression (pfring_set_bpf_filter); a compiled
  // program is not accepted, so this returns false and set_bpf_expression()
  // is the kernel-side path.
  bool attach_filter(const sock_fprog* prog) override { return false; }
  void detach_filter() override;  // pfring_remove_bpf_filter
  void set_direction(int dir) override;  // pfring_set_direction (0 rx, 1 tx, 2 both)
  // pfring_set_cluster_consumer(id, queue, type, 0) where the library has it
  // and a queue was given, else pfring_set_cluster(id, type).
  void set_cluster(uint32_t id, int type) override;
  void remove_from_cluster() override;  // pfring_remove_from_cluster
  void set_application_name(const std::string& name) override;  // pfring_set_application_name
  int send(const uint8_t* data, uint32_t len) override;  // pfring_send(..., flush 1)

  // pfring_set_bpf_filter(expr): PF_RING compiles it with libpcap and attaches it. Always true.
  bool set_bpf_expression(const std::string& expr) override;
  bool set_sampling_rate(uint32_t rate) override;  // pfring_set_sampling_rate (in the kernel); true
  void set_socket_mode(int mode) override;         // pfring_set_socket_mode (0 read, 1 write, 2 both)
  // The Ring also retries a read every 50 ms while it waits on fd(): a safety
  // net for PF_RING modules whose descriptor does not wake (ZC devices).
  int poll_interval_ms() const override { return 50; }

  const PfringLib& lib() const { return *lib_; }
  bool copies() const { return copy_; }
  bool uses_cluster_consumer() const { return lib_->set_cluster_consumer && pf_.cluster_queue >= 0; }

 private:
  void check(int rc, int err, const char* call, const char* code, const std::string& what) const;
  pfring_abi::pfring* live(const char* call) const;

  const PfringLib* lib_;
  PfringOptions pf_;
  std::string device_;
  pfring_abi::pfring* ring_ = nullptr;
  int fd_ = -1;
  int link_type_ = 1;  // DLT_EN10MB
  uint32_t snaplen_;
  bool copy_;
  std::vector<uint8_t> arena_;  // copy mode: this fetch's packets
};

// The factory's entry (backend_factory.cc): OpenOptions -> PfringOptions
// (cluster_queue; library from PFWORK_PFRING_LIBRARY or the standard paths).
std::unique_ptr<Backend> make_pfring_backend(const OpenOptions& opts);

// Turns a negative pfring_* return value (with the errno seen right after the
// call) into pfw::Error: "<what>: <strerror>" when errno is set, else
// "<what>: <call> returned PF_RING_ERROR_<NAME> (<rc>)".
Error pfring_call_error(const char* code, const std::string& what, const char* call, int rc, int err);

// PF_RING_ERROR_* name of a return value ('' for an unknown one).
const char* pfring_error_name(int rc);

}  // namespace pfw
