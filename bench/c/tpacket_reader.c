/*
 * The live baseline: a C TPACKET_V3 reader on one interface doing, per packet,
 * the same work as Baseline A and a pfwork worker with flows (locate, cluster
 * hash, flow table: flowwork.h). The runner compares its CPU time per packet
 * with a pfwork worker's on the same injected traffic.
 *
 * Usage: tpacket_reader --device IF [--count N] [--idle-ms MS] [--duration-ms MS]
 *                       [--block-size BYTES] [--block-count N] [--retire-ms MS]
 * Prints {"ready":true} once the ring is bound, then at the end one JSON line:
 * packets, drops (PACKET_STATISTICS tp_drops), flows, seconds (first to last
 * packet), cpuSeconds (user + system of this process, whole run).
 * Stops after N packets, after MS ms without a packet (once one was seen),
 * after --duration-ms, or on SIGINT/SIGTERM.
 *
 * Built by bench/run.ts with: cc -O2 -o bench/bin/tpacket_reader tpacket_reader.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "flowwork.h"

static volatile sig_atomic_t stop;
static void on_signal(int sig) { (void)sig; stop = 1; }

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static void die(const char *what) {
  perror(what);
  exit(1);
}

int main(int argc, char **argv) {
  const char *dev = NULL;
  uint64_t count = 0;
  long idle_ms = 0, duration_ms = 0;
  unsigned block_size = 1u << 20, block_nr = 32, retire_ms = 10; /* pfwork's RING_DEFAULTS */
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "--device")) dev = argv[i + 1];
    else if (!strcmp(argv[i], "--count")) count = strtoull(argv[i + 1], NULL, 10);
    else if (!strcmp(argv[i], "--idle-ms")) idle_ms = atol(argv[i + 1]);
    else if (!strcmp(argv[i], "--duration-ms")) duration_ms = atol(argv[i + 1]);
    else if (!strcmp(argv[i], "--block-size")) block_size = (unsigned)atol(argv[i + 1]);
    else if (!strcmp(argv[i], "--block-count")) block_nr = (unsigned)atol(argv[i + 1]);
    else if (!strcmp(argv[i], "--retire-ms")) retire_ms = (unsigned)atol(argv[i + 1]);
  }
  if (!dev) { fprintf(stderr, "usage: tpacket_reader --device IF [--count N] [--idle-ms MS] [--duration-ms MS]\n"); return 2; }
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);

  int fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
  if (fd < 0) die("socket(AF_PACKET) (needs CAP_NET_RAW)");
  int v = TPACKET_V3;
  if (setsockopt(fd, SOL_PACKET, PACKET_VERSION, &v, sizeof v)) die("PACKET_VERSION");
  struct tpacket_req3 req = {0};
  req.tp_block_size = block_size;
  req.tp_block_nr = block_nr;
  req.tp_frame_size = 2048;
  req.tp_frame_nr = (block_size / 2048) * block_nr;
  req.tp_retire_blk_tov = retire_ms;
  if (setsockopt(fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof req)) die("PACKET_RX_RING");
  size_t map_len = (size_t)block_size * block_nr;
  uint8_t *map = mmap(NULL, map_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_LOCKED, fd, 0);
  if (map == MAP_FAILED) map = mmap(NULL, map_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (map == MAP_FAILED) die("mmap");
  struct sockaddr_ll sll = {0};
  sll.sll_family = AF_PACKET;
  sll.sll_protocol = htons(ETH_P_ALL);
  sll.sll_ifindex = (int)if_nametoindex(dev);
  if (!sll.sll_ifindex) die(dev);
  if (bind(fd, (struct sockaddr *)&sll, sizeof sll)) die("bind");
  flow_table_init();
  printf("{\"ready\":true}\n");
  fflush(stdout);

  uint64_t packets = 0, hash_sum = 0;
  double first = 0, last = 0, started = now();
  unsigned cur = 0;
  struct pollfd pfd = {.fd = fd, .events = POLLIN | POLLERR};
  meta_t m;
  while (!stop && (!count || packets < count)) {
    struct tpacket_block_desc *b = (struct tpacket_block_desc *)(map + (size_t)cur * block_size);
    if (!(b->hdr.bh1.block_status & TP_STATUS_USER)) {
      int rc = poll(&pfd, 1, 50);
      if (rc < 0 && !stop) die("poll");
      double t = now();
      if (idle_ms && packets && (t - last) * 1000 > idle_ms) break;
      if (duration_ms && (t - started) * 1000 > duration_ms) break;
      continue;
    }
    uint32_t n = b->hdr.bh1.num_pkts;
    struct tpacket3_hdr *h = (struct tpacket3_hdr *)((uint8_t *)b + b->hdr.bh1.offset_to_first_pkt);
    for (uint32_t i = 0; i < n; i++) {
      const uint8_t *data = (const uint8_t *)h + h->tp_mac;
      int vlan_meta = (h->tp_status & TP_STATUS_VLAN_VALID) ? (int)h->hv1.tp_vlan_tci : -1;
      locate(data, h->tp_snaplen, vlan_meta, &m);
      uint32_t hash = cluster_hash(&m, PER_FLOW);
      hash_sum += hash;
      if (m.ipv) flow_update(&m, hash, (uint64_t)h->tp_sec * 1000000000ull + h->tp_nsec);
      h = (struct tpacket3_hdr *)((uint8_t *)h + h->tp_next_offset);
    }
    packets += n;
    last = now();
    if (!first) first = last;
    b->hdr.bh1.block_status = TP_STATUS_KERNEL;
    cur = (cur + 1) % block_nr;
  }
  struct tpacket_stats_v3 st = {0};
  socklen_t sl = sizeof st;
  if (getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &st, &sl)) die("PACKET_STATISTICS");
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  double cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
  printf("{\"packets\":%llu,\"drops\":%u,\"flows\":%llu,\"seconds\":%.6f,\"cpuSeconds\":%.6f,\"maxRssKb\":%ld,"
         "\"tableBytes\":%llu,\"hashSum\":\"%llu\"}\n",
         (unsigned long long)packets, st.tp_drops, (unsigned long long)used, last - first, cpu, ru.ru_maxrss,
         (unsigned long long)flow_table_bytes(), (unsigned long long)hash_sum);
  munmap(map, map_len);
  close(fd);
  return 0;
}
