/*
 * The memory floor of one pass over a capture: maps FILE (populated from the
 * page cache up front) and reads one byte of every cache line, three times,
 * printing seconds and GB/s per pass. Any walk over every record of the file
 * (the cluster index writer, a 1-worker read) pays at least this much on one
 * core; docs/bench.md, "What bounds the targets", compares the writer with it.
 *
 * Not built by the runner: cc -O2 -o bench/bin/stream-read bench/c/stream_read.c
 * Usage: bench/bin/stream-read FILE
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: stream-read FILE\n");
    return 2;
  }
  int fd = open(argv[1], O_RDONLY);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0 || st.st_size == 0) {
    perror(argv[1]);
    return 1;
  }
  size_t n = (size_t)st.st_size;
  const volatile uint8_t *p = mmap(NULL, n, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
  if (p == MAP_FAILED) {
    perror("mmap");
    return 1;
  }
  for (int pass = 1; pass <= 3; pass++) {
    double t = now();
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i += 64) sum += p[i];
    double s = now() - t;
    printf("{\"pass\":%d,\"bytes\":%zu,\"seconds\":%.4f,\"gbPerSecond\":%.2f,\"sum\":%llu}\n", pass, n, s, n / s / 1e9,
           (unsigned long long)(sum & 1));
  }
  return 0;
}
