// Capture files through libpcap; see pcap_file.h.
#include "pcap_file.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "byte_order.h"
#include "errors.h"
#include "locate.h"

namespace pfw {
namespace {

// One fetch's packets share this buffer; 4 MiB is an AF_PACKET block's size,
// so a file batch and a live batch have the same scale. A record larger than
// what is left waits for the next fetch (carry); one larger than the whole
// arena grows it while nothing points into it.
constexpr size_t kArenaSize = 4u << 20;

std::string link_name(int dlt) {
  const char* n = pcap_datalink_val_to_name(dlt);
  return n ? std::string(n) + " (" + std::to_string(dlt) + ")" : "LINKTYPE " + std::to_string(dlt);
}

uint16_t le16(const uint8_t* p) { return uint16_t(p[0] | (p[1] << 8)); }
uint32_t le32(const uint8_t* p) {
  return uint32_t(p[0]) | (uint32_t(p[1]) << 8) | (uint32_t(p[2]) << 16) | (uint32_t(p[3]) << 24);
}

constexpr uint16_t kPacketOutgoing = 4;  // sll_pkttype PACKET_OUTGOING

// fetch_indexed(): how far ahead in the index a record's header is prefetched
// (the offsets are known, so the walk does not have to find them first).
constexpr size_t kIndexPrefetchAhead = 8;
// A worker that has caught up with the index waits for the writer this many
// times this long before it reports "nothing now" (the Ring then retries
// after 1 ms, and the event loop runs in between).
constexpr int kIndexWaits = 4;
constexpr uint64_t kIndexWaitNs = 500000;

}  // namespace

PcapFileBackend::PcapFileBackend(const OpenOptions& opts) : path_(opts.device), snaplen_(opts.snaplen) {
  struct stat st;
  if (::stat(path_.c_str(), &st) != 0) {
    int err = errno;
    if (err == ENOENT || err == ENOTDIR) {
      throw Error("PFW_NO_SUCH_FILE", "capture file " + quoted_path(path_) + " does not exist", err, "stat");
    }
    if (err == EACCES) {
      throw Error("PFW_FILE_ACCESS", "cannot read capture file " + quoted_path(path_) + ": permission denied", err, "stat");
    }
    throw sys_error("PFW_BAD_CAPTURE_FILE", "cannot open capture file " + quoted_path(path_), "stat", err);
  }
  if (S_ISDIR(st.st_mode)) {
    throw Error("PFW_BAD_CAPTURE_FILE", "capture file " + quoted_path(path_) + " is a directory, not a pcap or pcapng file");
  }
  char errbuf[PCAP_ERRBUF_SIZE] = {0};
  pcap_ = pcap_open_offline_with_tstamp_precision(path_.c_str(), PCAP_TSTAMP_PRECISION_NANO, errbuf);
  if (!pcap_) {
    if (errno == EACCES) {
      throw Error("PFW_FILE_ACCESS", "cannot read capture file " + quoted_path(path_) + ": permission denied", EACCES, "open");
    }
    throw Error("PFW_BAD_CAPTURE_FILE",
                "capture file " + quoted_path(path_) + " is not a pcap or pcapng file that libpcap can read: " + errbuf);
  }
  file_link_type_ = link_type_ = pcap_datalink(pcap_);
  if (file_link_type_ == kDltPpi) {
    ppi_ = true;
    link_type_ = kLinkEthernet;  // for an empty file; the first record says
    RawPacket first;
    if (read_one(&first, true)) {
      carry_ = first;
      has_carry_ = true;
    }
  }
  if (!link_type_supported(link_type_)) {
    std::string name = link_name(link_type_);
    if (ppi_) name += " inside PPI";
    pcap_close(pcap_);
    pcap_ = nullptr;
    throw Error("PFW_UNSUPPORTED_LINKTYPE",
                "capture file " + quoted_path(path_) + " has link type " + name +
                    ", which pfwork cannot decode; supported link types: EN10MB (1), LINUX_SLL (113), "
                    "LINUX_SLL2 (276), RAW (12, 14, 101), IPV4 (228), IPV6 (229), NULL (0), LOOP (108), PPI (192) "
                    "around any of these");
  }
  arena_.resize(kArenaSize);
  // The fast path (pcap_map.h), unless PFWORK_PCAP_NO_MAP is set.
  if (!ppi_ && !pcap_map_disabled()) {
    map_ = std::make_unique<PcapMap>(fileno(pcap_file(pcap_)), uint32_t(pcap_snapshot(pcap_)));
    mapped_ = map_->active();
    if (!mapped_) map_.reset();
  }
}

PcapFileBackend::~PcapFileBackend() { close(); }

void PcapFileBackend::close() {
  index_.reset();
  map_.reset();
  mapped_ = false;
  if (pcap_) pcap_close(pcap_);
  pcap_ = nullptr;
  std::vector<uint8_t>().swap(arena_);
  std::vector<uint8_t>().swap(carry_buf_);
  has_carry_ = false;
}

bool PcapFileBackend::has_direction() const {
  return link_type_ == kLinkLinuxSll || link_type_ == kLinkLinuxSll2;
}

void PcapFileBackend::set_direction(int dir) {
  if (dir == 2 || has_direction()) return;
  throw Error("PFW_NOT_SUPPORTED",
              "setDirection(" + std::string(dir == 0 ? "'rx'" : "'tx'") + ") cannot apply to capture file " + quoted_path(path_) +
                  ": its link type " + link_name(link_type_) +
                  " records no direction (only Linux cooked captures do); use 'both'");
}

void PcapFileBackend::set_socket_mode(int mode) {
  if (mode == 0) return;
  throw Error("PFW_NOT_SUPPORTED", "a capture-file ring can only read: socket mode " +
                                       std::string(mode == 1 ? "'write'" : "'both'") + " needs a live ring");
}

int PcapFileBackend::send(const uint8_t*, uint32_t) {
  throw Error("PFW_NOT_SUPPORTED", "writePacketData() needs a live ring: capture file " + quoted_path(path_) +
                                       " cannot send packets");
}

uint8_t* PcapFileBackend::reserve(uint32_t n, bool into_carry) {
  if (into_carry) {
    carry_buf_.resize(n ? n : 1);
    return carry_buf_.data();
  }
  if (arena_.size() - used_ < n) return nullptr;
  uint8_t* p = arena_.data() + used_;
  used_ += n;
  return p;
}

// Inline: every packet of a file comes through here.
inline void PcapFileBackend::fill(RawPacket* p, const uint8_t* data, uint32_t caplen, uint32_t len, uint64_t ts_ns) const {
  p->data = data;
  p->caplen = caplen;
  p->len = len;
  p->ts_ns = ts_ns;
  p->ifindex = 0;
  p->vlan_tci = -1;
  p->direction = kPacketDirUnknown;
  if (link_type_ == kLinkLinuxSll && caplen >= 16) {
    p->direction = be16(data) == kPacketOutgoing ? kPacketTx : kPacketRx;
  } else if (link_type_ == kLinkLinuxSll2 && caplen >= 20) {
    p->direction = data[10] == kPacketOutgoing ? kPacketTx : kPacketRx;
    p->ifindex = be32(data + 4);
  }
}

bool PcapFileBackend::read_one(RawPacket* p, bool into_carry) {
  struct pcap_pkthdr* h;
  const u_char* bytes;
  int rc = pcap_next_ex(pcap_, &h, &bytes);
  if (rc == PCAP_ERROR_BREAK) {
    ended_ = true;
    return false;
  }
  if (rc != 1) {
    // 0 (timeout) never happens on a file; anything else is damage.
    damage_ = "capture file " + quoted_path(path_) + " is damaged at packet " + std::to_string(read_ + 1) + ": " +
              pcap_geterr(pcap_) + " (" + std::to_string(read_) + (read_ == 1 ? " packet before it was read)" : " packets before it were read)");
    ended_ = true;
    return false;
  }
  read_++;
  const uint8_t* data = bytes;
  uint32_t caplen = h->caplen;
  uint32_t len = h->len;
  if (ppi_ && caplen >= 8) {
    uint32_t hl = le16(data + 2);
    if (read_ == 1) link_type_ = int(le32(data + 4));
    if (hl <= caplen) {
      data += hl;
      caplen -= hl;
      len = len >= hl ? len - hl : caplen;
    }
  }
  if (caplen > snaplen_) caplen = snaplen_;
  uint8_t* dst = reserve(caplen, into_carry);
  if (!dst) {
    // Does not fit what is left of the arena: keep it for the next fetch.
    dst = reserve(caplen, true);
    into_carry = true;
  }
  if (caplen) std::memcpy(dst, data, caplen);
  // libpcap reads a classic pcap's ts_sec as signed 32 bits; the format says
  // unsigned, so a time after 2038 comes back negative: take the 32 bits back.
  const uint64_t sec = h->ts.tv_sec < 0 ? uint64_t(uint32_t(h->ts.tv_sec)) : uint64_t(h->ts.tv_sec);
  // A damaged record's fraction can reach a second or more: it carries into
  // the seconds (the split into tsSec/tsNsec is normalised).
  fill(p, dst, caplen, len, sec * 1000000000ull + uint64_t(uint32_t(h->ts.tv_usec)));
  if (into_carry) {
    carry_ = *p;
    has_carry_ = true;
    return false;  // not delivered now
  }
  return true;
}

bool PcapFileBackend::fetch_mapped(uint32_t max, std::vector<RawPacket>& out) {
  if (!map_->active()) {
    // The walk stopped at a record libpcap must read (pcap_map.h): it goes on
    // from that record's offset, through its own FILE.
    if (std::fseek(pcap_file(pcap_), long(map_->offset()), SEEK_SET) != 0) {
      damage_ = "capture file " + quoted_path(path_) + " could not be read on after packet " + std::to_string(read_) +
                ": " + std::strerror(errno);
      ended_ = true;
    }
    mapped_ = false;
    map_.reset();  // a new fetch: nothing the caller holds points into the mapping any more
    return false;
  }
  map_->advance_window();
  size_t before = out.size();
  MappedRecord r;
  while (out.size() - before < max && map_->next(&r)) {
    read_++;
    RawPacket p;
    fill(&p, r.data, r.caplen > snaplen_ ? snaplen_ : r.caplen, r.len, r.ts_ns);
    out.push_back(p);
  }
  if (out.size() > before) return true;
  return fetch_mapped(max, out);  // stopped before the first record of this fetch: hand over now
}

void PcapFileBackend::attach_index(int index_fd, int cluster_type, uint32_t slot, uint32_t count) {
  if (index_slot_.type >= 0) {
    if (index_slot_.type == cluster_type && index_slot_.slot == slot && index_slot_.count == count) return;
    throw Error("PFW_CLUSTER_MISMATCH", "capture file " + quoted_path(path_) + " is read through a cluster index built for cluster type " +
                                            std::to_string(index_slot_.type) + ", slot " + std::to_string(index_slot_.slot) +
                                            " of " + std::to_string(index_slot_.count) + ": the ring cannot change its cluster");
  }
  if (!mapped_ || read_ != 0) {
    throw Error("PFW_CLUSTER_MISMATCH",
                "capture file " + quoted_path(path_) + " cannot be read through a cluster index: " +
                    (read_ != 0 ? "packets were already read" : "it is not a classic pcap file this process maps "
                                                                 "(pcapng, PPI, or PFWORK_PCAP_NO_MAP is set)"));
  }
  index_ = std::make_unique<ClusterIndexReader>(index_fd, path_, fileno(pcap_file(pcap_)), cluster_type, slot, count,
                                                snaplen_);
  index_slot_ = {cluster_type, slot, count};
}

bool PcapFileBackend::fetch_indexed(uint32_t max, std::vector<RawPacket>& out, FetchStatus* status) {
  const uint64_t* w;
  size_t n = index_->available(&w);
  // Caught up with the writer: sleep until it publishes, up to a few ms in
  // all (the JS thread waits here rather than on a 1 ms timer per retry).
  for (int i = 0; n == 0 && !index_->finished() && i < kIndexWaits; i++) {
    index_->wait(kIndexWaitNs);
    n = index_->available(&w);
  }
  if (n == 0) {
    if (!index_->finished()) {
      *status = FetchStatus::kNone;
      return true;
    }
    // The index ends here: read on through libpcap, from its offset.
    map_->stop_at(index_->handover_offset());
    read_ = index_->handover_record();
    index_.reset();
    return false;
  }
  map_->advance_window();
  const size_t before = out.size();
  size_t i = 0;
  for (; i < n && out.size() - before < max; i++) {
    if (i + kIndexPrefetchAhead < n && !(w[i + kIndexPrefetchAhead] & kIndexClock)) {
      __builtin_prefetch(map_->at(w[i + kIndexPrefetchAhead]));
    }
    const uint64_t word = w[i];
    RawPacket p{};
    if (word & kIndexClock) {
      // No packet: the time other slots' records brought (batch.cc hands it
      // to the flow table only).
      p.ts_ns = word & ~kIndexClock;
      p.vlan_tci = -1;
      p.direction = kPacketDirUnknown;
      out.push_back(p);
      continue;
    }
    MappedRecord r;
    if (!map_->record_at(word, &r)) {
      throw Error("PFW_CAPTURE_DAMAGED", "capture file " + quoted_path(path_) + " changed while it was read: its cluster index " +
                                             "names a record at offset " + std::to_string(word) + " that is not there");
    }
    fill(&p, r.data, r.caplen > snaplen_ ? snaplen_ : r.caplen, r.len, r.ts_ns);
    p.in_slot = true;
    out.push_back(p);
  }
  index_->consume(i);
  *status = FetchStatus::kPackets;
  return true;
}

FetchStatus PcapFileBackend::fetch_into(uint32_t max, std::vector<RawPacket>& out) {
  if (!pcap_) throw Error("PFW_RING_CLOSED", "the ring is closed");
  used_ = 0;  // the previous fetch's packets are no longer the caller's
  if (index_) {
    FetchStatus s;
    if (fetch_indexed(max, out, &s)) return s;
  }
  if (mapped_ && fetch_mapped(max, out)) return FetchStatus::kPackets;
  size_t before = out.size();
  if (has_carry_) {
    if (carry_.caplen > arena_.size()) arena_.resize(carry_.caplen);
    uint8_t* dst = reserve(carry_.caplen, false);
    if (carry_.caplen) std::memcpy(dst, carry_.data, carry_.caplen);
    RawPacket p = carry_;
    p.data = dst;
    out.push_back(p);
    has_carry_ = false;
  }
  while (out.size() - before < max && !ended_ && !has_carry_) {
    RawPacket p;
    if (read_one(&p, false)) out.push_back(p);
  }
  if (out.size() > before) return FetchStatus::kPackets;
  if (!damage_.empty()) {
    std::string msg;
    msg.swap(damage_);
    throw Error("PFW_CAPTURE_DAMAGED", msg);
  }
  return FetchStatus::kEnd;
}

}  // namespace pfw
