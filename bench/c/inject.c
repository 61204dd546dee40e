/*
 * The live benchmark's traffic generator: sends every frame of a pcap file on
 * one interface (an AF_PACKET socket bypassing the qdisc, sendmmsg in batches)
 * at a given rate, or as fast as the kernel takes them. Run inside the test
 * namespace on the veth end there (ip netns exec NS inject ...).
 *
 * Usage: inject --device IF --file PCAP [--rate PPS] [--loops N]
 * Prints one JSON line: sent, bytes, busy (sends refused with ENOBUFS and
 * retried: a frame is counted once), seconds, pps.
 *
 * Built by bench/run.ts with: cc -O2 -o bench/bin/inject inject.c -lpcap
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 32

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static void sleep_s(double s) {
  struct timespec t = {.tv_sec = (time_t)s, .tv_nsec = (long)((s - (time_t)s) * 1e9)};
  nanosleep(&t, NULL);
}

int main(int argc, char **argv) {
  const char *dev = NULL, *file = NULL;
  double rate = 0;
  long loops = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "--device")) dev = argv[i + 1];
    else if (!strcmp(argv[i], "--file")) file = argv[i + 1];
    else if (!strcmp(argv[i], "--rate")) rate = atof(argv[i + 1]);
    else if (!strcmp(argv[i], "--loops")) loops = atol(argv[i + 1]);
  }
  if (!dev || !file) { fprintf(stderr, "usage: inject --device IF --file PCAP [--rate PPS] [--loops N]\n"); return 2; }

  /* load every frame first: reading the file must not pace the sending */
  char err[PCAP_ERRBUF_SIZE];
  pcap_t *p = pcap_open_offline(file, err);
  if (!p) { fprintf(stderr, "inject: %s\n", err); return 1; }
  size_t cap = 1 << 20, n = 0, bytes_cap = 1 << 26, used = 0;
  uint8_t *data = malloc(bytes_cap);
  size_t *off = malloc(cap * sizeof *off);
  uint32_t *len = malloc(cap * sizeof *len);
  struct pcap_pkthdr *h;
  const u_char *d;
  while (pcap_next_ex(p, &h, &d) == 1) {
    if (n == cap) { cap *= 2; off = realloc(off, cap * sizeof *off); len = realloc(len, cap * sizeof *len); }
    while (used + h->caplen > bytes_cap) { bytes_cap *= 2; data = realloc(data, bytes_cap); }
    if (!data || !off || !len) { fprintf(stderr, "inject: out of memory\n"); return 1; }
    memcpy(data + used, d, h->caplen);
    off[n] = used;
    len[n] = h->caplen;
    used += h->caplen;
    n++;
  }
  pcap_close(p);

  int fd = socket(AF_PACKET, SOCK_RAW, 0);
  if (fd < 0) { perror("inject: socket(AF_PACKET) (needs CAP_NET_RAW)"); return 1; }
  int one = 1;
  setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof one);
  int sndbuf = 1 << 24;
  setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof sndbuf);
  struct sockaddr_ll sll = {0};
  sll.sll_family = AF_PACKET;
  sll.sll_ifindex = (int)if_nametoindex(dev);
  if (!sll.sll_ifindex) { perror(dev); return 1; }
  if (bind(fd, (struct sockaddr *)&sll, sizeof sll)) { perror("inject: bind"); return 1; }

  struct mmsghdr msgs[BATCH];
  struct iovec iov[BATCH];
  uint64_t sent = 0, bytes = 0, busy = 0, total = (uint64_t)n * (uint64_t)loops;
  double start = now();
  while (sent < total) {
    if (rate > 0) {
      double due = start + sent / rate;
      double wait = due - now();
      if (wait > 0.0002) sleep_s(wait);
      else while (now() < due) {}
    }
    unsigned k = 0;
    for (; k < BATCH && sent + k < total; k++) {
      size_t i = (sent + k) % n;
      iov[k].iov_base = data + off[i];
      iov[k].iov_len = len[i];
      memset(&msgs[k], 0, sizeof msgs[k]);
      msgs[k].msg_hdr.msg_iov = &iov[k];
      msgs[k].msg_hdr.msg_iovlen = 1;
    }
    int r = sendmmsg(fd, msgs, k, 0);
    if (r < 0) {
      if (errno == ENOBUFS || errno == EAGAIN) { busy++; sleep_s(0.00002); continue; }
      perror("inject: sendmmsg");
      return 1;
    }
    for (int j = 0; j < r; j++) bytes += len[(sent + j) % n];
    sent += (uint64_t)r;
  }
  double secs = now() - start;
  printf("{\"sent\":%llu,\"bytes\":%llu,\"busy\":%llu,\"seconds\":%.6f,\"pps\":%.0f}\n", (unsigned long long)sent,
         (unsigned long long)bytes, (unsigned long long)busy, secs, secs > 0 ? sent / secs : 0.0);
  return 0;
}
