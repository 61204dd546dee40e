// What the page cache holds of a file, and dropping it (bench/lib/page-cache.ts).
//
//   page_cache resident FILE   {"pages":N,"pageSize":P,"resident":R,"pmdMappedBytes":B,
//                               "mapSeconds":M,"unmapSeconds":U}
//   page_cache drop FILE       writes back and drops the file's pages, then
//                              {"pages":N,"pageSize":P,"resident":R} (R: what stayed)
//
// Why the benchmark cares: pfwork maps capture files (pcap_map.h), and what a
// mapping costs the kernel depends on the size of the page-cache folios
// holding the file. A file read in through readahead sits in large (up to
// 2 MB) folios that one page-table entry each maps; a file just written by a
// program (the benchmark's generator, tcpdump) sits in folios no larger than
// its writes, and every 4 KiB page of every process mapping it costs a
// page-table entry to map and another to unmap. So the runner reads the
// capture from disk before every file run (drop, then read), whatever the
// file's history was.
//
// pmdMappedBytes: the bytes a fresh private mapping of the file gets as 2 MB
// entries once populated (FilePmdMapped in /proc/self/smaps_rollup), the
// folio state the rows will see. Populating maps pages already in the cache
// (and reads the rest from disk, so `drop` does not measure it).
// mapSeconds, unmapSeconds: what populating that mapping and unmapping it
// took, the kernel's share of every process that maps the file.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif

static int fail(const char* what, const char* file) {
  fprintf(stderr, "page_cache: %s %s: %s\n", what, file, strerror(errno));
  return 1;
}

// Pages of the file resident in the page cache (mincore over a mapping that
// is never touched, so counting does not read anything in).
static int resident(int fd, size_t size, size_t page, unsigned long* out) {
  *out = 0;
  if (size == 0) return 0;
  void* p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) return -1;
  size_t pages = (size + page - 1) / page;
  unsigned char* vec = malloc(pages);
  if (!vec || mincore(p, size, vec) != 0) {
    free(vec);
    munmap(p, size);
    return -1;
  }
  for (size_t i = 0; i < pages; i++) *out += vec[i] & 1;
  free(vec);
  munmap(p, size);
  return 0;
}

// FilePmdMapped of this process (kB) from smaps_rollup; -1 if unreadable.
static long pmd_mapped_kb(void) {
  FILE* f = fopen("/proc/self/smaps_rollup", "r");
  if (!f) return -1;
  char line[256];
  long kb = -1;
  while (fgets(line, sizeof(line), f)) {
    if (sscanf(line, "FilePmdMapped: %ld kB", &kb) == 1) break;
  }
  fclose(f);
  return kb;
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

struct mapping_cost {
  long long pmd_bytes;  // -1: not measured
  double map_s, unmap_s;
};

static struct mapping_cost map_whole(int fd, size_t size) {
  struct mapping_cost c = {-1, 0, 0};
  if (size == 0) {
    c.pmd_bytes = 0;
    return c;
  }
  void* p = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (p == MAP_FAILED) return c;
  long before = pmd_mapped_kb();
  double t0 = now();
  int populated = madvise(p, size, MADV_POPULATE_READ) == 0;
  c.map_s = now() - t0;
  long after = populated && before >= 0 ? pmd_mapped_kb() : -1;
  t0 = now();
  munmap(p, size);
  c.unmap_s = now() - t0;
  if (after >= 0) c.pmd_bytes = (long long)(after - before) * 1024;
  return c;
}

int main(int argc, char** argv) {
  if (argc != 3 || (strcmp(argv[1], "resident") != 0 && strcmp(argv[1], "drop") != 0)) {
    fprintf(stderr, "usage: page_cache resident|drop FILE\n");
    return 2;
  }
  const char* file = argv[2];
  int fd = open(file, O_RDONLY);
  if (fd < 0) return fail("cannot open", file);
  struct stat st;
  if (fstat(fd, &st) != 0) return fail("cannot stat", file);
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  size_t size = (size_t)st.st_size;
  if (strcmp(argv[1], "drop") == 0) {
    // Dirty pages are not dropped: write them back first.
    if (fdatasync(fd) != 0) return fail("cannot write back", file);
    int err = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    if (err != 0) {
      errno = err;
      return fail("cannot drop the page cache of", file);
    }
  }
  unsigned long res;
  if (resident(fd, size, page, &res) != 0) return fail("cannot count the cached pages of", file);
  printf("{\"pages\":%zu,\"pageSize\":%zu,\"resident\":%lu", (size + page - 1) / page, page, res);
  // After counting: populating reads in what is not cached.
  if (strcmp(argv[1], "resident") == 0) {
    struct mapping_cost c = map_whole(fd, size);
    // Nanoseconds: a small file read from disk maps in 2 MB entries in tens of microseconds.
    printf(",\"pmdMappedBytes\":%lld,\"mapSeconds\":%.9f,\"unmapSeconds\":%.9f", c.pmd_bytes, c.map_s, c.unmap_s);
  }
  printf("}\n");
  close(fd);
  return 0;
}
