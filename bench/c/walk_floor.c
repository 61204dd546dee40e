/*
 * What finding every record of a classic pcap file costs, three ways: the
 * floor under the cluster index writer's pass (cpp/cluster_index.cc), which
 * must find every record before it can hash it. Maps FILE (populated from the
 * page cache up front), follows the records' lengths from the first to the
 * last and reads one byte of each record's frame, then prints seconds and
 * nanoseconds per record:
 *   prefetch   one walk, every cache line prefetched 2 KiB ahead (as
 *              PcapMap::next() does);
 *   plain      one walk, no prefetching (each header is found only once the
 *              previous one has been read);
 *   chains K   K walks at once, interleaved record by record, each over its
 *              own stretch of the file: the best case of a parallel walk (the
 *              stretches start at records found by a first walk, which is not
 *              timed).
 * docs/bench.md ("The 2-worker ratio taken apart once more") compares them:
 * none beats streaming the whole file through the cache.
 *
 * Not built by the runner: cc -O2 -o bench/bin/walk-floor bench/c/walk_floor.c
 * Usage: bench/bin/walk-floor FILE prefetch|plain|chains K
 * (drop the capture and read it back first: bench/bin/page_cache drop FILE; cat FILE >/dev/null)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>

enum { kFileHeader = 24, kRecordHeader = 16, kAhead = 2048, kMaxChains = 1024, kChainBytes = 65536 };

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static uint32_t caplen_at(const uint8_t *p, size_t off) {
  uint32_t v;
  memcpy(&v, p + off + 8, 4);  // little-endian files, as the bench's generator writes them
  return v;
}

int main(int argc, char **argv) {
  const char *mode = argc >= 3 ? argv[2] : "";
  int chains = (argc == 4 && strcmp(mode, "chains") == 0) ? atoi(argv[3]) : 0;
  if (argc < 3 || (strcmp(mode, "prefetch") && strcmp(mode, "plain") && (chains < 1 || chains > kMaxChains))) {
    fprintf(stderr, "usage: walk-floor FILE prefetch|plain|chains K   (K from 1 to %d)\n", kMaxChains);
    return 2;
  }
  int fd = open(argv[1], O_RDONLY);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0 || st.st_size <= kFileHeader) {
    perror(argv[1]);
    return 1;
  }
  size_t n = (size_t)st.st_size;
  const uint8_t *p = mmap(NULL, n, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
  if (p == MAP_FAILED) {
    perror("mmap");
    return 1;
  }
  uint64_t records = 0, sum = 0;
  double t;
  if (chains == 0) {
    const int prefetch = strcmp(mode, "prefetch") == 0;
    size_t off = kFileHeader, pf = 0;
    t = now();
    while (off + kRecordHeader <= n) {
      if (prefetch) {
        size_t want = off + kAhead < n ? off + kAhead : n;
        if (pf < off) pf = off & ~(size_t)63;
        for (; pf < want; pf += 64) __builtin_prefetch(p + pf);
      }
      uint32_t caplen = caplen_at(p, off);
      if (caplen > 0 && off + kRecordHeader < n) sum += p[off + kRecordHeader];
      off += kRecordHeader + caplen;
      records++;
    }
    t = now() - t;
  } else {
    // Stretch starts: the first record at or after every kChainBytes (untimed).
    size_t cap = n / kChainBytes + 2, count = 0;
    size_t *starts = malloc(cap * sizeof *starts);
    size_t off = kFileHeader, next = 0;
    while (off + kRecordHeader <= n) {
      if (off >= next) {
        starts[count++] = off;
        next = (off / kChainBytes + 1) * kChainBytes;
      }
      off += kRecordHeader + caplen_at(p, off);
    }
    starts[count] = off;  // the end of the last stretch
    size_t cur[kMaxChains], end[kMaxChains];
    t = now();
    for (size_t g = 0; g < count; g += (size_t)chains) {
      int k = 0;
      for (; k < chains && g + k < count; k++) {
        cur[k] = starts[g + k];
        end[k] = starts[g + k + 1];
      }
      for (int live = 1; live;) {
        live = 0;
        for (int j = 0; j < k; j++) {
          size_t o = cur[j];
          if (o >= end[j]) continue;
          live = 1;
          uint32_t caplen = caplen_at(p, o);
          if (caplen > 0 && o + kRecordHeader < n) sum += p[o + kRecordHeader];
          cur[j] = o + kRecordHeader + caplen;
          records++;
        }
      }
    }
    t = now() - t;
    free(starts);
  }
  printf("{\"mode\":\"%s\",\"chains\":%d,\"records\":%llu,\"seconds\":%.4f,\"nsPerRecord\":%.1f,\"sum\":%llu}\n", mode, chains,
         (unsigned long long)records, t, t * 1e9 / (records ? records : 1), (unsigned long long)(sum & 1));
  return 0;
}
