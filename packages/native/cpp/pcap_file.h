// The capture-file backend: pcap and pcapng through libpcap, timestamps at
// nanosecond precision (pcap_open_offline_with_tstamp_precision, NANO: libpcap
// scales microsecond files up, so every file reads the same way).
//
// Classic pcap files are walked in place through a private mapping
// (pcap_map.h: no copy of any packet); libpcap reads pcapng, PPI, anything
// unusual, and whatever follows the first record the walk does not take.
// libpcap's packets are copied into a backend-owned arena (libpcap reuses its buffer on
// every pcap_next_ex), so one fetch's packets are contiguous, as backend.h
// asks. The arena is rewritten by the next fetch; the Ring detaches its views
// first.
//
// Damage: a file that libpcap cannot read further delivers every packet before
// the damage; the fetch after that throws PFW_CAPTURE_DAMAGED naming the file
// and the packet number. End of file is a clean FetchStatus::kEnd.
//
// PPI (DLT_PPI, 192): the per-packet header is stripped and the frames are
// delivered with the link type it names (taken from the first packet).
#pragma once
#include <pcap/pcap.h>

#include <memory>
#include <string>
#include <vector>

#include "backend.h"
#include "cluster_index.h"
#include "pcap_map.h"

namespace pfw {

class PcapFileBackend final : public Backend {
 public:
  // Throws PFW_NO_SUCH_FILE, PFW_FILE_ACCESS, PFW_BAD_CAPTURE_FILE,
  // PFW_UNSUPPORTED_LINKTYPE.
  explicit PcapFileBackend(const OpenOptions& opts);
  ~PcapFileBackend() override;

  const char* name() const override { return "pcap"; }
  int link_type() const override { return link_type_; }
  int fd() const override { return -1; }
  FetchStatus fetch_into(uint32_t max, std::vector<RawPacket>& out) override;
  void release() override {}
  void enable() override {}
  void disable() override {}
  void close() override;
  // Files count nothing themselves: the Ring counts what its software
  // filters accepted (there are no drops in a file).
  BackendStats stats() override { return {0, 0}; }
  bool attach_filter(const sock_fprog*) override { return false; }
  void detach_filter() override {}
  void set_direction(int dir) override;
  void set_cluster(uint32_t, int) override {}
  void remove_from_cluster() override {}
  void set_application_name(const std::string& name) override { app_name_ = name; }
  int send(const uint8_t*, uint32_t) override;
  void set_socket_mode(int mode) override;

  // True when the file records each packet's direction (Linux cooked v1/v2).
  bool has_direction() const;
  const std::string& path() const { return path_; }
  // Reads slot `slot` of `count` through the cluster index behind `index_fd`
  // (cluster_index.h) instead of walking every record. Before the first fetch
  // only; throws PFW_CLUSTER_MISMATCH when the index is not this file's,
  // type's, count's or snaplen's, or the file is not one the index covers.
  void attach_index(int index_fd, int cluster_type, uint32_t slot, uint32_t count);
  bool indexed() const { return index_ != nullptr; }
  // While a worker waits for the index to grow, the Ring asks again this often.
  int poll_interval_ms() const override { return index_ ? 1 : -1; }

 private:
  // Reads one record into `dst` (arena or carry); false at end / damage.
  bool read_one(RawPacket* p, bool into_carry);
  uint8_t* reserve(uint32_t n, bool into_carry);
  void fill(RawPacket* p, const uint8_t* data, uint32_t caplen, uint32_t len, uint64_t ts_ns) const;
  // The mapped walk (pcap_map.h): true when it delivered packets; false when
  // it has handed the file over to libpcap (or had already).
  bool fetch_mapped(uint32_t max, std::vector<RawPacket>& out);
  // Through the cluster index: true with *status set, or false once the index
  // has ended (the walk then hands over to libpcap at the index's end).
  bool fetch_indexed(uint32_t max, std::vector<RawPacket>& out, FetchStatus* status);

  std::string path_;
  pcap_t* pcap_ = nullptr;
  int file_link_type_ = 0;  // as the file says
  int link_type_ = 0;       // as delivered (PPI: the inner type)
  bool ppi_ = false;
  uint32_t snaplen_;
  std::string app_name_;

  std::unique_ptr<PcapMap> map_;
  bool mapped_ = false;     // records come from map_ (until it stops; then libpcap)
  std::unique_ptr<ClusterIndexReader> index_;  // set: map_'s records are those the index names
  struct {
    int type = -1;  // -1: no index attached
    uint32_t slot = 0, count = 0;
  } index_slot_;

  std::vector<uint8_t> arena_;
  size_t used_ = 0;
  // A record read but not yet delivered (it did not fit the arena, or it was
  // read at open to learn PPI's inner link type).
  std::vector<uint8_t> carry_buf_;
  RawPacket carry_{};
  bool has_carry_ = false;

  uint64_t read_ = 0;       // records read from the file so far
  bool ended_ = false;
  std::string damage_;      // set when libpcap reported damage; thrown on the next fetch
};

}  // namespace pfw
