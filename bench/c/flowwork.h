/*
 * The per-packet work both C baselines do, the same work pfwork does natively:
 * locate L2-L4 (Ethernet, up to two VLAN tags, MPLS, PPPoE, IPv4 with
 * fragments, IPv6 extension headers, ports), the PF_RING cluster hash (DESIGN
 * section 4) and a bidirectional open-addressing flow table (packets and IP
 * bytes per direction, first/last time, TCP flags).
 *
 * Header-only (static functions): included by baseline_a.c (files, libpcap)
 * and tpacket_reader.c (live, TPACKET_V3).
 */
#ifndef PFW_BENCH_FLOWWORK_H
#define PFW_BENCH_FLOWWORK_H
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { PER_FLOW = 0, ROUND_ROBIN = 1, TUPLE_2 = 2, TUPLE_4 = 3, TUPLE_5 = 4, TCP_5 = 5 };

typedef struct {
  int ipv; /* 0, 4, 6 */
  uint8_t proto;
  int has_ports;
  uint16_t vlan, sport, dport;
  uint32_t ip_len;
  uint8_t src[16], dst[16]; /* IPv4 in the first 4 bytes */
  uint8_t tcp_flags;
} meta_t;

static inline uint16_t be16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }
static inline uint32_t be32(const uint8_t *p) {
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}
static inline uint32_t le32(const uint8_t *p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static void l4(const uint8_t *d, uint32_t cap, uint32_t off, meta_t *m) {
  uint8_t p = m->proto;
  if (p == 6 || p == 17 || p == 132) {
    if (off + 4 > cap) return;
    m->sport = be16(d + off);
    m->dport = be16(d + off + 2);
    m->has_ports = 1;
    if (p == 6 && off + 14 <= cap) m->tcp_flags = d[off + 13];
  }
}

/*
 * Ethernet only (the benchmark's link type). vlan_meta: a tag the kernel
 * stripped into metadata (TPACKET_V3 tp_vlan_tci), -1 if none; it counts as
 * the outer tag, as in pfwork's locate.
 */
static void locate(const uint8_t *d, uint32_t cap, int vlan_meta, meta_t *m) {
  memset(m, 0, sizeof *m);
  if (cap < 14) return;
  uint16_t type = be16(d + 12);
  uint32_t off = 14;
  int tags = 0;
  if (vlan_meta >= 0) {
    m->vlan = vlan_meta & 0x0FFF;
    tags = 1;
  }
  while ((type == 0x8100 || type == 0x88A8 || type == 0x9100) && tags < 2) {
    if (off + 4 > cap) return;
    if (tags == 0) m->vlan = be16(d + off) & 0x0FFF;
    tags++;
    type = be16(d + off + 2);
    off += 4;
  }
  if (type == 0x8847 || type == 0x8848) {
    for (int i = 0;; i++) {
      if (i == 8 || off + 4 > cap) return;
      uint32_t lse = be32(d + off);
      off += 4;
      if (lse & 0x100) break;
    }
    if (off + 1 > cap) return;
    uint8_t v = d[off] >> 4;
    type = v == 4 ? 0x0800 : v == 6 ? 0x86DD : 0;
  } else if (type == 0x8864) {
    if (off + 8 > cap) return;
    uint16_t ppp = be16(d + off + 6);
    off += 8;
    type = ppp == 0x0021 ? 0x0800 : ppp == 0x0057 ? 0x86DD : 0;
  }
  if (type == 0x0800) {
    if (off + 20 > cap || (d[off] >> 4) != 4) return;
    const uint8_t *h = d + off;
    uint32_t ihl = (h[0] & 0x0F) * 4u;
    m->ipv = 4;
    m->ip_len = be16(h + 2);
    m->proto = h[9];
    memcpy(m->src, h + 12, 4);
    memcpy(m->dst, h + 16, 4);
    if ((be16(h + 6) & 0x1FFF) != 0 || ihl < 20) return; /* later fragment: no ports */
    l4(d, cap, off + ihl, m);
  } else if (type == 0x86DD) {
    if (off + 40 > cap || (d[off] >> 4) != 6) return;
    const uint8_t *h = d + off;
    m->ipv = 6;
    m->ip_len = 40u + be16(h + 4);
    memcpy(m->src, h + 8, 16);
    memcpy(m->dst, h + 24, 16);
    uint8_t nh = h[6];
    uint32_t pos = off + 40;
    for (int n = 0; nh == 0 || nh == 43 || nh == 44 || nh == 60 || nh == 51; n++) {
      if (n == 8 || pos + 8 > cap) break;
      if (nh == 44) {
        uint16_t fo = be16(d + pos + 2);
        nh = d[pos];
        pos += 8;
        if (fo & 0xFFF8u) { m->proto = nh; return; }
        continue;
      }
      uint32_t len = nh == 51 ? (d[pos + 1] + 2u) * 4u : (d[pos + 1] + 1u) * 8u;
      nh = d[pos];
      pos += len;
    }
    m->proto = nh;
    l4(d, cap, pos, m);
  }
}

static uint32_t addr_sum(const meta_t *m, const uint8_t *a) {
  if (m->ipv == 4) return be32(a);
  return le32(a) + le32(a + 4) + le32(a + 8) + le32(a + 12);
}

static uint32_t cluster_hash(const meta_t *m, int type) {
  if (m->ipv == 0 || type == ROUND_ROBIN) return 0;
  uint32_t h = addr_sum(m, m->src) + addr_sum(m, m->dst);
  if (type == TUPLE_2) return h;
  if (type == TCP_5 && m->proto != 6) return h;
  if (type == PER_FLOW) h += m->vlan & 0x0FFF;
  if (type != TUPLE_4) h += m->proto;
  if (m->has_ports) h += (uint32_t)m->sport + m->dport;
  return h;
}

/* One flow: the key in canonical order (lower endpoint first) and counters. */
typedef struct {
  uint8_t lo[16], hi[16];
  uint16_t lo_port, hi_port, vlan;
  uint8_t proto, ipv; /* ipv 0 = empty slot */
  uint8_t orig_is_lo, flags;
  uint32_t hash;
  uint64_t pkts[2], ip_bytes[2];
  uint64_t first_ns, last_ns;
} flow_t;

static flow_t *table;
static uint64_t cap_mask, used;

static int endpoint_cmp(const uint8_t *a, uint16_t ap, const uint8_t *b, uint16_t bp) {
  int c = memcmp(a, b, 16);
  if (c) return c;
  return (int)ap - (int)bp;
}

static void grow(void);

static void flow_update(const meta_t *m, uint32_t hash, uint64_t ts_ns) {
  int src_lo = endpoint_cmp(m->src, m->sport, m->dst, m->dport) <= 0;
  const uint8_t *lo = src_lo ? m->src : m->dst, *hi = src_lo ? m->dst : m->src;
  uint16_t lop = src_lo ? m->sport : m->dport, hip = src_lo ? m->dport : m->sport;
  /* the cluster hash is symmetric and already mixes the tuple; spread it with a multiply */
  uint64_t i = ((uint64_t)hash * 0x9E3779B97F4A7C15ull) >> 20;
  for (;; i++) {
    flow_t *f = &table[i & cap_mask];
    if (f->ipv == 0) {
      memcpy(f->lo, lo, 16);
      memcpy(f->hi, hi, 16);
      f->lo_port = lop;
      f->hi_port = hip;
      f->vlan = m->vlan;
      f->proto = m->proto;
      f->ipv = (uint8_t)m->ipv;
      f->orig_is_lo = (uint8_t)src_lo;
      f->hash = hash;
      f->first_ns = ts_ns;
      used++;
    } else if (f->hash != hash || f->ipv != m->ipv || f->proto != m->proto || f->vlan != m->vlan || f->lo_port != lop ||
               f->hi_port != hip || memcmp(f->lo, lo, 16) || memcmp(f->hi, hi, 16)) {
      continue;
    }
    int dir = src_lo == f->orig_is_lo ? 0 : 1;
    f->pkts[dir]++;
    f->ip_bytes[dir] += m->ip_len;
    f->last_ns = ts_ns;
    f->flags |= m->tcp_flags;
    break;
  }
  if (used * 2 > cap_mask + 1) grow();
}

static void grow(void) {
  flow_t *old = table;
  uint64_t old_n = cap_mask + 1;
  cap_mask = old_n * 2 - 1;
  table = calloc(old_n * 2, sizeof(flow_t));
  if (!table) { fprintf(stderr, "flow table: out of memory\n"); exit(1); }
  for (uint64_t j = 0; j < old_n; j++) {
    if (!old[j].ipv) continue;
    uint64_t i = ((uint64_t)old[j].hash * 0x9E3779B97F4A7C15ull) >> 20;
    while (table[i & cap_mask].ipv) i++;
    table[i & cap_mask] = old[j];
  }
  free(old);
}


/* Call once before flow_update. */
static void flow_table_init(void) {
  cap_mask = (1u << 17) - 1;
  table = calloc(cap_mask + 1, sizeof(flow_t));
  if (!table) { fprintf(stderr, "flow table: out of memory\n"); exit(1); }
}

static uint64_t flow_table_bytes(void) { return (cap_mask + 1) * sizeof(flow_t); }

#endif
