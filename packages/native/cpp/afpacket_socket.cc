#include "afpacket_socket.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <linux/ethtool.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/net_tstamp.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cluster_hash.h"
#include "errors.h"
#include "cbpf_fanout.h"

namespace pfw {

namespace {

std::string quoted(const std::string& device) { return "'" + device + "'"; }

// "Linux 4.2" style comparison on uname's release ("6.18.44-fc-v595").
bool kernel_at_least(int major, int minor) {
  utsname u{};
  if (uname(&u) != 0) return true;
  int ma = 0, mi = 0;
  if (std::sscanf(u.release, "%d.%d", &ma, &mi) != 2) return true;
  return ma > major || (ma == major && mi >= minor);
}

std::string kernel_release() {
  utsname u{};
  return uname(&u) == 0 ? std::string(u.release) : std::string("unknown");
}

}  // namespace

std::string cluster_type_label(int t) {
  switch (t) {
    case kClusterPerFlow: return "per-flow";
    case kClusterRoundRobin: return "round-robin";
    case kClusterPerFlow2Tuple: return "per-flow-2-tuple";
    case kClusterPerFlow4Tuple: return "per-flow-4-tuple";
    case kClusterPerFlow5Tuple: return "per-flow-5-tuple";
    case kClusterPerFlowTcp5Tuple: return "per-flow-tcp-5-tuple";
    default: return "cluster type " + std::to_string(t);
  }
}

uint32_t page_size() {
  long p = sysconf(_SC_PAGESIZE);
  return p > 0 ? static_cast<uint32_t>(p) : 4096u;
}

int packet_socket(const std::string& device) {
  int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
  if (fd >= 0) return fd;
  int err = errno;
  if (err == EPERM || err == EACCES) {
    throw Error("PFW_NO_CAP_NET_RAW",
                "Capturing on " + quoted(device) +
                    " needs CAP_NET_RAW (opening an AF_PACKET socket was refused: " +
                    std::strerror(err) +
                    "). Run as root, grant the capability to node "
                    "(sudo setcap cap_net_raw,cap_net_admin+eip \"$(readlink -f \"$(command -v node)\")\"), "
                    "or let a supervisor that has it create the sockets (createFanoutGroup) and adopt one with Ring.open({ fd })",
                err, "socket");
  }
  if (err == EAFNOSUPPORT) {
    throw Error("PFW_NOT_SUPPORTED",
                "This kernel has no AF_PACKET sockets (CONFIG_PACKET is off): live capture on " + quoted(device) +
                    " is impossible here; read a capture file instead",
                err, "socket");
  }
  throw sys_error("PFW_SOCKET", "Could not open an AF_PACKET socket for " + quoted(device), "socket", err);
}

int packet_ifindex(const std::string& device) {
  if (device.empty() || device.size() >= IFNAMSIZ) {
    throw Error("PFW_NO_SUCH_DEVICE", "No network device named " + quoted(device) +
                                          " (interface names are 1 to 15 characters); `ip link` lists the devices");
  }
  unsigned idx = if_nametoindex(device.c_str());
  if (idx == 0) {
    int err = errno;
    throw Error("PFW_NO_SUCH_DEVICE",
                "No network device named " + quoted(device) +
                    " in this network namespace; `ip link` lists the devices that exist",
                err, "if_nametoindex");
  }
  return static_cast<int>(idx);
}

void packet_setup_rx_ring(int fd, const OpenOptions& o) {
  int version = TPACKET_V3;
  if (setsockopt(fd, SOL_PACKET, PACKET_VERSION, &version, sizeof version) != 0) {
    throw sys_error("PFW_RING_SETUP",
                    "This kernel refused TPACKET_V3 (PACKET_VERSION) on " + quoted(o.device) +
                        "; Linux 3.2 or newer is needed",
                    "setsockopt", errno);
  }
  tpacket_req3 req{};
  req.tp_block_size = o.block_size;
  req.tp_block_nr = o.block_count;
  req.tp_frame_size = o.frame_size;
  req.tp_frame_nr = (o.block_size / o.frame_size) * o.block_count;
  req.tp_retire_blk_tov = o.retire_timeout_ms;
  req.tp_sizeof_priv = 0;
  req.tp_feature_req_word = 0;
  if (setsockopt(fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof req) != 0) {
    int err = errno;
    std::string geometry = "blockSize " + std::to_string(o.block_size) + " x blockCount " +
                           std::to_string(o.block_count) + " (frameSize " + std::to_string(o.frame_size) + ")";
    if (err == ENOMEM) {
      throw sys_error("PFW_RING_SETUP",
                      "The kernel could not allocate the capture ring of " + geometry +
                          " for " + quoted(o.device) + "; lower blockCount or blockSize",
                      "setsockopt", err);
    }
    throw sys_error("PFW_RING_SETUP",
                    "The kernel rejected the ring geometry " + geometry + " for " + quoted(o.device),
                    "setsockopt", err);
  }
}

void packet_set_promiscuous(int fd, int ifindex, const std::string& device) {
  packet_mreq mr{};
  mr.mr_ifindex = ifindex;
  mr.mr_type = PACKET_MR_PROMISC;
  if (setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof mr) != 0) {
    throw sys_error("PFW_PROMISC", "Could not put " + quoted(device) + " in promiscuous mode",
                    "setsockopt", errno);
  }
}

void packet_enable_hw_timestamps(int fd, const std::string& device) {
  ethtool_ts_info info{};
  info.cmd = ETHTOOL_GET_TS_INFO;
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, device.c_str(), IFNAMSIZ - 1);
  ifr.ifr_data = reinterpret_cast<char*>(&info);
  if (ioctl(fd, SIOCETHTOOL, &ifr) != 0) {
    int err = errno;
    throw Error("PFW_NO_HW_TIMESTAMP",
                "Hardware timestamps were asked for, but the driver of " + quoted(device) +
                    " does not report its timestamping capabilities (ETHTOOL_GET_TS_INFO: " + std::strerror(err) +
                    "); open without hwTimestamp to get software timestamps",
                err, "ioctl");
  }
  bool hw_rx = (info.so_timestamping & SOF_TIMESTAMPING_RAW_HARDWARE) &&
               (info.so_timestamping & SOF_TIMESTAMPING_RX_HARDWARE);
  bool filter_all = info.rx_filters & (1u << HWTSTAMP_FILTER_ALL);
  if (!hw_rx || !filter_all) {
    throw Error("PFW_NO_HW_TIMESTAMP",
                "Hardware timestamps were asked for, but " + quoted(device) +
                    (hw_rx ? " can only timestamp some packets in hardware (no HWTSTAMP_FILTER_ALL)"
                           : " has no hardware receive timestamps (its driver offers software timestamps only)") +
                    "; `ethtool -T " + device +
                    "` shows the same. Open without hwTimestamp to get software timestamps (nanoseconds, taken when "
                    "the kernel received the packet)");
  }
  hwtstamp_config cfg{};
  cfg.tx_type = HWTSTAMP_TX_OFF;
  cfg.rx_filter = HWTSTAMP_FILTER_ALL;
  ifr.ifr_data = reinterpret_cast<char*>(&cfg);
  if (ioctl(fd, SIOCSHWTSTAMP, &ifr) != 0) {
    int err = errno;
    throw sys_error("PFW_NO_HW_TIMESTAMP",
                    "Could not turn on hardware receive timestamps on " + quoted(device) +
                        (err == EPERM ? " (SIOCSHWTSTAMP needs CAP_NET_ADMIN)" : ""),
                    "ioctl", err);
  }
  int req = SOF_TIMESTAMPING_RAW_HARDWARE;
  if (setsockopt(fd, SOL_PACKET, PACKET_TIMESTAMP, &req, sizeof req) != 0) {
    throw sys_error("PFW_NO_HW_TIMESTAMP", "The ring on " + quoted(device) + " refused hardware timestamps",
                    "setsockopt", errno);
  }
}

void packet_bind(int fd, int ifindex, const std::string& device) {
  sockaddr_ll sll{};
  sll.sll_family = AF_PACKET;
  sll.sll_protocol = htons(ETH_P_ALL);
  sll.sll_ifindex = ifindex;
  if (bind(fd, reinterpret_cast<sockaddr*>(&sll), sizeof sll) != 0) {
    int err = errno;
    if (err == ENODEV || err == ENXIO) {
      throw Error("PFW_NO_SUCH_DEVICE",
                  "Network device " + quoted(device) + " went away while the ring was being set up", err, "bind");
    }
    throw sys_error("PFW_SOCKET", "Could not bind the capture socket to " + quoted(device), "bind", err);
  }
}

void packet_attach_filter(int fd, const std::vector<sock_filter>& prog) {
  sock_fprog fp{};
  fp.len = static_cast<unsigned short>(prog.size());
  fp.filter = const_cast<sock_filter*>(prog.data());
  if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof fp) != 0) {
    int err = errno;
    throw sys_error("PFW_BPF", "The kernel rejected the BPF program (" + std::to_string(prog.size()) +
                                   " instructions)",
                    "setsockopt", err);
  }
}

std::vector<sock_filter> packet_read_filter(int fd) {
  // SO_GET_FILTER's length is counted in instructions, not bytes.
  socklen_t n = 0;
  if (getsockopt(fd, SOL_SOCKET, SO_GET_FILTER, nullptr, &n) != 0 || n == 0) return {};
  std::vector<sock_filter> prog(n);
  socklen_t got = n;
  if (getsockopt(fd, SOL_SOCKET, SO_GET_FILTER, prog.data(), &got) != 0) return {};
  prog.resize(got);
  return prog;
}

void packet_join_fanout(int fd, uint32_t cluster_id, int cluster_type, const std::string& device,
                        bool set_program) {
  const bool hashed = cluster_type != kClusterRoundRobin;
  const int kernel_type = hashed ? (PACKET_FANOUT_CBPF | PACKET_FANOUT_FLAG_DEFRAG) : PACKET_FANOUT_LB;
  int arg = static_cast<int>((cluster_id & 0xFFFF) | (static_cast<uint32_t>(kernel_type) << 16));
  const std::string what = "cluster " + std::to_string(cluster_id) + " (" + cluster_type_label(cluster_type) +
                           ", PACKET_FANOUT_" + (hashed ? "CBPF|DEFRAG" : "LB") + ") on " + quoted(device);
  if (setsockopt(fd, SOL_PACKET, PACKET_FANOUT, &arg, sizeof arg) != 0) {
    int err = errno;
    if (err == EINVAL && hashed && !kernel_at_least(4, 3)) {
      throw Error("PFW_NO_CBPF_FANOUT",
                  "Cannot join " + what + ": this kernel (" + kernel_release() +
                      ") has no PACKET_FANOUT_CBPF, which hashed cluster types need (Linux 4.3 or newer); "
                      "use round-robin or a newer kernel",
                  err, "setsockopt");
    }
    if (err == EINVAL) {
      throw Error("PFW_CLUSTER_MISMATCH",
                  "Cannot join " + what + ": fanout group " + std::to_string(cluster_id) +
                      " already exists in this network namespace with other settings (another cluster type, "
                      "or on another device); every member must use the same device and cluster type, "
                      "or pick another cluster id",
                  err, "setsockopt");
    }
    if (err == ENOSPC) {
      throw Error("PFW_CLUSTER_FULL",
                  "Cannot join " + what + ": fanout group " + std::to_string(cluster_id) +
                      " is full (the kernel allows 256 members per group)"
                      "; use fewer rings or another cluster id",
                  err, "setsockopt");
    }
    if (err == EALREADY) {
      throw Error("PFW_CLUSTER_MISMATCH", "Cannot join " + what + ": the ring is already in a cluster", err,
                  "setsockopt");
    }
    throw sys_error("PFW_CLUSTER", "Cannot join " + what, "setsockopt", err);
  }
  if (!hashed || !set_program) return;
  // Until the program is attached the kernel sends every packet to member 0.
  // A ring joining on its own cannot know whether the group has the program
  // yet, so it sets it (the same program for the same type).
  const std::vector<sock_filter> prog = fanout_program(cluster_type);
  sock_fprog fp{};
  fp.len = static_cast<unsigned short>(prog.size());
  fp.filter = const_cast<sock_filter*>(prog.data());
  if (setsockopt(fd, SOL_PACKET, PACKET_FANOUT_DATA, &fp, sizeof fp) != 0) {
    int err = errno;
    if (err == EINVAL && !kernel_at_least(4, 3)) {
      throw Error("PFW_NO_CBPF_FANOUT",
                  "Cannot set the hash program of " + what + ": this kernel (" + kernel_release() +
                      ") has no PACKET_FANOUT_DATA (Linux 4.3 or newer)",
                  err, "setsockopt");
    }
    throw sys_error("PFW_CLUSTER", "The kernel rejected the hash program (" + std::to_string(prog.size()) +
                                       " instructions) of " + what,
                    "setsockopt", err);
  }
}

bool packet_fanout_of(int fd, uint32_t* id, uint32_t* type_flags) {
  uint32_t val = 0;
  socklen_t len = sizeof val;
  if (getsockopt(fd, SOL_PACKET, PACKET_FANOUT, &val, &len) != 0 || val == 0) return false;
  // A member of group 0 with type HASH reads back as 0 as well; we never create
  // such a group (round-robin is LB = 1, hashed is CBPF = 6).
  *id = val & 0xFFFF;
  *type_flags = val >> 16;
  return true;
}

}  // namespace pfw
