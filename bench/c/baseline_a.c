/*
 * Baseline A: the work pfwork does natively for a capture file, in plain C
 * without Node. Reads the file with libpcap, locates L2-L4 (Ethernet, up to two
 * VLAN tags, MPLS, PPPoE, IPv4 with fragments, IPv6 extension headers, ports),
 * computes the PF_RING cluster hash (DESIGN section 4, the per-flow type unless
 * --cluster-type says otherwise) and updates a bidirectional open-addressing
 * flow table (packets, IP bytes per direction, first/last time, TCP flags).
 *
 * Usage: baseline_a FILE [--cluster-type N]
 * Prints one JSON line: packets, flows, seconds (wall, open to last packet),
 * cpuSeconds, maxRssKb, tableBytes, hashSum (sum of every packet's hash, mod
 * 2^64, which the bench tests compare with pfwork's clusterHash).
 *
 * Built by bench/run.ts with: cc -O2 -o bench/bin/baseline_a baseline_a.c -lpcap
 */
#include <pcap/pcap.h>
#include <sys/resource.h>
#include <time.h>

#include "flowwork.h"

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  if (argc < 2) { fprintf(stderr, "usage: baseline_a FILE [--cluster-type N]\n"); return 2; }
  int type = PER_FLOW;
  for (int i = 2; i + 1 < argc; i += 2)
    if (!strcmp(argv[i], "--cluster-type")) type = atoi(argv[i + 1]);
  char err[PCAP_ERRBUF_SIZE];
  double t0 = now();
  pcap_t *p = pcap_open_offline_with_tstamp_precision(argv[1], PCAP_TSTAMP_PRECISION_NANO, err);
  if (!p) { fprintf(stderr, "baseline_a: %s\n", err); return 1; }
  if (pcap_datalink(p) != DLT_EN10MB) { fprintf(stderr, "baseline_a: only Ethernet captures\n"); return 1; }
  flow_table_init();
  struct pcap_pkthdr *hdr;
  const u_char *data;
  uint64_t packets = 0, hash_sum = 0;
  meta_t m;
  int rc;
  while ((rc = pcap_next_ex(p, &hdr, &data)) == 1) {
    packets++;
    locate(data, hdr->caplen, -1, &m);
    uint32_t h = cluster_hash(&m, type);
    hash_sum += h;
    if (m.ipv) flow_update(&m, h, (uint64_t)hdr->ts.tv_sec * 1000000000ull + (uint64_t)hdr->ts.tv_usec);
  }
  if (rc == -1) { fprintf(stderr, "baseline_a: %s\n", pcap_geterr(p)); return 1; }
  double secs = now() - t0;
  pcap_close(p);
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  double cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
  printf("{\"packets\":%llu,\"flows\":%llu,\"seconds\":%.6f,\"cpuSeconds\":%.6f,\"maxRssKb\":%ld,"
         "\"tableBytes\":%llu,\"hashSum\":\"%llu\"}\n",
         (unsigned long long)packets, (unsigned long long)used, secs, cpu, ru.ru_maxrss,
         (unsigned long long)flow_table_bytes(), (unsigned long long)hash_sum);
  return 0;
}
