/*
 * STAND-IN for libpfring, for pfwork's tests only. It is NOT PF_RING.
 *
 * PF_RING's kernel module cannot be loaded on the machines that run pfwork's
 * tests, so the binding (packages/native/cpp/pfring_*.cc) is exercised against
 * this library instead: it exports the libpfring functions pfwork uses, with
 * PF_RING's signatures, records every call (one JSON object per line) and
 * returns what a script tells it to. The tests build it with the machine's gcc
 * into a temporary directory and point pfwork at it with PFWORK_PFRING_LIBRARY.
 *
 * Environment:
 *   PFWORK_STANDIN_LOG     file the calls are appended to (required)
 *   PFWORK_STANDIN_SCRIPT  script, read at each pfring_open (optional)
 *
 * Script lines (blank lines and # comments ignored):
 *   fail <function> <rc> <errno>   every call to <function> returns rc with errno set
 *                                  (pfring_open: returns NULL with errno)
 *   packet <sec> <nsec> <ifindex> <rx 1|0> <len> <hex bytes>
 *                                  queued; delivered by pfring_recv once enabled
 *   delay <ms>                     packets after this line arrive <ms> after enable
 *   stats <recv> <drop>            what pfring_stats reports
 *   linktype <dlt>                 what pfring_get_link_type returns
 *
 * Build variants (compile-time), to test what the loader does with libraries
 * that lack symbols:
 *   -DSTANDIN_NO_CLUSTER_CONSUMER  no pfring_set_cluster_consumer (PF_RING < 8.7)
 *   -DSTANDIN_OLD                  also no pfring_set_socket_mode and no
 *                                  pfring_get_link_type; reports version 5.6.0
 *
 * The packet header is written with this file's own description of PF_RING
 * 8.9's packed struct pfring_pkthdr (209 bytes), independent of pfwork's
 * pfring_abi.h, so a wrong offset there shows up as a wrong field in a test.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/* libpcap, resolved from the global scope: pfwork loads libpcap with
 * RTLD_GLOBAL before libpfring, and this library is deliberately not linked
 * against it (as some libpfring builds are not). */
struct bpf_program { unsigned bf_len; void *bf_insns; };
extern int pcap_compile_nopcap(int snaplen, int linktype, struct bpf_program *prog,
                               const char *expr, int optimize, unsigned mask);
extern void pcap_freecode(struct bpf_program *prog);

#ifdef STANDIN_OLD
#define STANDIN_NO_CLUSTER_CONSUMER
#define STANDIN_VERSION 0x050600
#else
#define STANDIN_VERSION 0x080900
#endif

/* PF_RING 8.9's header, as the library copies it out of a slot. */
struct standin_pkthdr {
  struct timeval ts;
  uint32_t caplen, len;
  uint64_t timestamp_ns;
  uint32_t flags;
  uint8_t rx_direction, port_id;
  uint16_t device_id;
  int32_t if_index;
  uint32_t pkt_hash;
  uint8_t rest[209 - 48]; /* tx, process, parsed_pkt */
} __attribute__((packed));
_Static_assert(sizeof(struct standin_pkthdr) == 209, "PF_RING 8.9 pfring_pkthdr is 209 bytes");

typedef struct { uint64_t recv, drop, shunt; } standin_stat;

#define MAX_FAILS 32
#define MAX_PACKETS 256
#define RING_BYTES (1 << 20)

struct fail { char fn[64]; int rc, err; };
struct pkt { uint32_t off, caplen, len, ifindex, rx, delay_ms; uint64_t ts_ns; };

typedef struct standin_ring {
  int magic;
  int enabled, efd, nfails, npackets, next;
  struct fail fails[MAX_FAILS];
  struct pkt packets[MAX_PACKETS];
  uint64_t enabled_at_ms;
  uint64_t stat_recv, stat_drop;
  int linktype;
  pthread_t waker;
  volatile int waker_running;
  unsigned char ring[RING_BYTES]; /* packets live here; recv hands out pointers into it */
} pfring;

static FILE *log_file(void) {
  static FILE *f;
  if (!f) {
    const char *p = getenv("PFWORK_STANDIN_LOG");
    f = fopen(p && *p ? p : "/dev/null", "a");
    setvbuf(f, NULL, _IOLBF, 0);
  }
  return f;
}

static void json_str(FILE *f, const char *s) {
  fputc('"', f);
  for (; s && *s; s++) {
    if (*s == '"' || *s == '\\') fputc('\\', f);
    fputc(*s, f);
  }
  fputc('"', f);
}

static uint64_t now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

/* Scripted failure of `fn`: 1 and rc/errno set when there is one. */
static int scripted(pfring *r, const char *fn, int *rc) {
  for (int i = 0; r && i < r->nfails; i++)
    if (strcmp(r->fails[i].fn, fn) == 0) {
      *rc = r->fails[i].rc;
      errno = r->fails[i].err;
      return 1;
    }
  return 0;
}

/* Logs `{"call":fn,<extra>,"rc":rc}` and returns rc. */
static int done(const char *fn, const char *extra, int rc) {
  int saved = errno; /* the scripted errno must reach the caller */
  FILE *f = log_file();
  fprintf(f, "{\"call\":\"%s\"%s%s,\"rc\":%d}\n", fn, extra && *extra ? "," : "", extra ? extra : "", rc);
  errno = saved;
  return rc;
}

static void load_script(pfring *r, int *open_errno) {
  const char *p = getenv("PFWORK_STANDIN_SCRIPT");
  r->linktype = 1;
  if (!p || !*p) return;
  FILE *f = fopen(p, "r");
  if (!f) return;
  char line[70000];
  uint32_t off = 0, delay = 0;
  while (fgets(line, sizeof line, f)) {
    char fn[64], hex[66000];
    int rc, err;
    unsigned long long sec, nsec, a, b;
    unsigned ifindex, rx, len;
    if (line[0] == '#' || line[0] == '\n') continue;
    if (sscanf(line, "fail %63s %d %d", fn, &rc, &err) == 3) {
      if (strcmp(fn, "pfring_open") == 0) *open_errno = err;
      else if (r->nfails < MAX_FAILS) {
        struct fail *x = &r->fails[r->nfails++];
        snprintf(x->fn, sizeof x->fn, "%s", fn);
        x->rc = rc;
        x->err = err;
      }
    } else if (sscanf(line, "packet %llu %llu %u %u %u %65999s", &sec, &nsec, &ifindex, &rx, &len, hex) == 6) {
      size_t n = strlen(hex) / 2;
      if (r->npackets >= MAX_PACKETS || off + n > RING_BYTES) continue;
      struct pkt *k = &r->packets[r->npackets++];
      for (size_t i = 0; i < n; i++) sscanf(hex + 2 * i, "%2hhx", &r->ring[off + i]);
      k->off = off;
      k->caplen = (uint32_t)n;
      k->len = len;
      k->ifindex = ifindex;
      k->rx = rx;
      k->ts_ns = sec * 1000000000ull + nsec;
      k->delay_ms = delay;
      off += (uint32_t)((n + 7) & ~7u);
    } else if (sscanf(line, "delay %u", &delay) == 1) {
    } else if (sscanf(line, "stats %llu %llu", &a, &b) == 2) {
      r->stat_recv = a;
      r->stat_drop = b;
    } else if (sscanf(line, "linktype %d", &rc) == 1) {
      r->linktype = rc;
    }
  }
  fclose(f);
}

static int available(pfring *r) {
  return r->enabled && r->next < r->npackets &&
         now_ms() >= r->enabled_at_ms + r->packets[r->next].delay_ms;
}

/* The selectable fd is an eventfd holding 1 while a packet is available. */
static void sync_fd(pfring *r) {
  uint64_t v;
  while (read(r->efd, &v, sizeof v) > 0) {}
  if (available(r)) {
    v = 1;
    if (write(r->efd, &v, sizeof v) < 0) {}
  }
}

/* Makes delayed packets visible: wakes the fd when their time comes. */
static void *waker(void *arg) {
  pfring *r = arg;
  for (int i = 0; i < r->npackets && r->waker_running; i++) {
    uint64_t due = r->enabled_at_ms + r->packets[i].delay_ms;
    while (r->waker_running && now_ms() < due) usleep(1000);
    uint64_t v = 1;
    if (r->waker_running && write(r->efd, &v, sizeof v) < 0) {}
  }
  return NULL;
}

pfring *pfring_open(const char *device_name, uint32_t caplen, uint32_t flags) {
  char extra[512];
  pfring *r = calloc(1, sizeof *r);
  int open_errno = 0;
  load_script(r, &open_errno);
  snprintf(extra, sizeof extra, "\"device\":\"%s\",\"caplen\":%u,\"flags\":%u", device_name, caplen, flags);
  if (open_errno) {
    free(r);
    done("pfring_open", extra, -1);
    errno = open_errno;
    return NULL;
  }
  r->magic = 0x5f52;
  r->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  done("pfring_open", extra, 0);
  errno = 0;
  return r;
}

void pfring_close(pfring *r) {
  done("pfring_close", "", 0);
  if (r->waker_running) {
    r->waker_running = 0;
    pthread_join(r->waker, NULL);
  }
  close(r->efd);
  r->magic = 0;
  free(r);
}

int pfring_get_selectable_fd(pfring *r) {
  int rc;
  if (!scripted(r, "pfring_get_selectable_fd", &rc)) rc = r->efd;
  return done("pfring_get_selectable_fd", "", rc);
}

int pfring_set_poll_watermark(pfring *r, uint16_t watermark) {
  char extra[64];
  int rc = 0;
  scripted(r, "pfring_set_poll_watermark", &rc);
  snprintf(extra, sizeof extra, "\"watermark\":%u", watermark);
  return done("pfring_set_poll_watermark", extra, rc);
}

int pfring_enable_ring(pfring *r) {
  int rc = 0;
  if (!scripted(r, "pfring_enable_ring", &rc)) {
    r->enabled = 1;
    r->enabled_at_ms = now_ms();
    sync_fd(r);
    if (r->npackets && r->packets[r->npackets - 1].delay_ms && !r->waker_running) {
      r->waker_running = 1;
      pthread_create(&r->waker, NULL, waker, r);
    }
  }
  return done("pfring_enable_ring", "", rc);
}

int pfring_disable_ring(pfring *r) {
  int rc = 0;
  if (!scripted(r, "pfring_disable_ring", &rc)) r->enabled = 0;
  return done("pfring_disable_ring", "", rc);
}

int pfring_recv(pfring *r, unsigned char **buffer, unsigned buffer_len, struct standin_pkthdr *hdr,
                uint8_t wait) {
  char extra[160];
  int rc;
  if (scripted(r, "pfring_recv", &rc)) {
  } else if (!r->enabled) {
    rc = -12; /* PF_RING_ERROR_RING_NOT_ENABLED */
  } else if (!available(r)) {
    rc = 0;
  } else {
    struct pkt *k = &r->packets[r->next++];
    memset(hdr, 0xA5, sizeof *hdr); /* the tail is written too, as the real copy does */
    hdr->ts.tv_sec = (time_t)(k->ts_ns / 1000000000ull);
    hdr->ts.tv_usec = (suseconds_t)(k->ts_ns % 1000000000ull / 1000);
    hdr->caplen = k->caplen;
    hdr->len = k->len;
    hdr->timestamp_ns = k->ts_ns;
    hdr->flags = 0;
    hdr->rx_direction = (uint8_t)k->rx;
    hdr->port_id = 0;
    hdr->device_id = 0;
    hdr->if_index = (int32_t)k->ifindex;
    hdr->pkt_hash = 0;
    if (buffer_len == 0) {
      *buffer = &r->ring[k->off]; /* zero copy: a pointer into the ring */
    } else {
      memcpy(*buffer, &r->ring[k->off], k->caplen < buffer_len ? k->caplen : buffer_len);
    }
    rc = 1;
    sync_fd(r);
  }
  /* Empty non-blocking reads are frequent and timing-dependent: not logged. */
  if (rc == 0) return 0;
  snprintf(extra, sizeof extra, "\"buffer_len\":%u,\"wait\":%u", buffer_len, wait);
  return done("pfring_recv", extra, rc);
}

int pfring_stats(pfring *r, standin_stat *st) {
  int rc = 0;
  if (!scripted(r, "pfring_stats", &rc)) {
    st->recv = r->stat_recv;
    st->drop = r->stat_drop;
    st->shunt = 0;
  }
  return done("pfring_stats", "", rc);
}

int pfring_send(pfring *r, char *pkt, unsigned pkt_len, uint8_t flush) {
  char extra[4200];
  int rc = (int)pkt_len;
  scripted(r, "pfring_send", &rc);
  int n = snprintf(extra, sizeof extra, "\"len\":%u,\"flush\":%u,\"hex\":\"", pkt_len, flush);
  for (unsigned i = 0; i < pkt_len && n < (int)sizeof extra - 4; i++)
    n += snprintf(extra + n, sizeof extra - n, "%02x", (unsigned char)pkt[i]);
  snprintf(extra + n, sizeof extra - n, "\"");
  return done("pfring_send", extra, rc);
}

int pfring_set_cluster(pfring *r, unsigned cluster_id, int type) {
  char extra[96];
  int rc = 0;
  scripted(r, "pfring_set_cluster", &rc);
  snprintf(extra, sizeof extra, "\"cluster_id\":%u,\"type\":%d", cluster_id, type);
  return done("pfring_set_cluster", extra, rc);
}

#ifndef STANDIN_NO_CLUSTER_CONSUMER
int pfring_set_cluster_consumer(pfring *r, uint16_t cluster_id, uint16_t queue_id, int type, uint32_t options) {
  char extra[128];
  int rc = 0;
  scripted(r, "pfring_set_cluster_consumer", &rc);
  snprintf(extra, sizeof extra, "\"cluster_id\":%u,\"queue_id\":%u,\"type\":%d,\"options\":%u", cluster_id,
           queue_id, type, options);
  return done("pfring_set_cluster_consumer", extra, rc);
}
#endif

int pfring_remove_from_cluster(pfring *r) {
  int rc = 0;
  scripted(r, "pfring_remove_from_cluster", &rc);
  return done("pfring_remove_from_cluster", "", rc);
}

int pfring_set_bpf_filter(pfring *r, const char *filter) {
  char extra[1200];
  int rc = 0;
  FILE *m = fmemopen(extra, sizeof extra, "w");
  fputs("\"filter\":", m);
  json_str(m, filter);
  fclose(m);
  if (!scripted(r, "pfring_set_bpf_filter", &rc)) {
    /* As libpfring does: compile with libpcap; -1 if it does not compile. */
    struct bpf_program prog;
    if (pcap_compile_nopcap(65535, 1 /* DLT_EN10MB */, &prog, filter, 1, 0xffffffff) == -1) {
      rc = -1;
      errno = 0;
    } else {
      pcap_freecode(&prog);
    }
  }
  return done("pfring_set_bpf_filter", extra, rc);
}

int pfring_remove_bpf_filter(pfring *r) {
  int rc = 0;
  scripted(r, "pfring_remove_bpf_filter", &rc);
  return done("pfring_remove_bpf_filter", "", rc);
}

int pfring_set_direction(pfring *r, int direction) {
  char extra[64];
  int rc = 0;
  scripted(r, "pfring_set_direction", &rc);
  snprintf(extra, sizeof extra, "\"direction\":%d", direction);
  return done("pfring_set_direction", extra, rc);
}

#ifndef STANDIN_OLD
int pfring_set_socket_mode(pfring *r, int mode) {
  char extra[64];
  int rc = 0;
  scripted(r, "pfring_set_socket_mode", &rc);
  snprintf(extra, sizeof extra, "\"mode\":%d", mode);
  return done("pfring_set_socket_mode", extra, rc);
}

int pfring_get_link_type(pfring *r) {
  return done("pfring_get_link_type", "", r->linktype);
}
#endif

int pfring_set_sampling_rate(pfring *r, uint32_t rate) {
  char extra[64];
  int rc = 0;
  scripted(r, "pfring_set_sampling_rate", &rc);
  snprintf(extra, sizeof extra, "\"rate\":%u", rate);
  return done("pfring_set_sampling_rate", extra, rc);
}

int pfring_set_application_name(pfring *r, char *name) {
  char extra[600];
  int rc = 0;
  FILE *m = fmemopen(extra, sizeof extra, "w");
  fputs("\"name\":", m);
  json_str(m, name);
  fclose(m);
  scripted(r, "pfring_set_application_name", &rc);
  return done("pfring_set_application_name", extra, rc);
}

void pfring_version_noring(uint32_t *version) { *version = STANDIN_VERSION; }
