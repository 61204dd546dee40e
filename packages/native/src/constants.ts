/**
 * The Ring's constants, with PF_RING's numeric values (pf_ring.h / pfring.h)
 * so that code and habits from PF_RING and gopacket/pfring carry over. Each
 * entry says what it does on each backend: afpacket (AF_PACKET TPACKET_V3),
 * pfring (libpfring) and pcap (capture files). See docs/ring.md for the table.
 */
export { ClusterType, CLUSTER_TYPE_NAMES } from './cluster.js';

/**
 * pfring_open() flag bits (`Ring.open({ flags })`), PF_RING's PF_RING_* values.
 * The boolean options `promiscuous` and `hwTimestamp` set the same things; a
 * contradiction between the two is an error.
 */
export const Flag = {
  /**
   * PF_RING_REENTRANT (1 << 1): PF_RING locks the ring for multithreaded use.
   * afpacket, pcap: no effect — a Ring is used only from the JS thread; a
   * warning (PFW_OPTION_IGNORED) says so.
   */
  Reentrant: 1 << 1,
  /**
   * PF_RING_LONG_HEADER (1 << 2): PF_RING fills the extended header (if_index,
   * nanosecond timestamp, parsed offsets). afpacket, pcap: always on — every
   * batch carries ifindex, nanosecond timestamps and located offsets.
   */
  LongHeader: 1 << 2,
  /**
   * PF_RING_PROMISC (1 << 3), the `promiscuous` option. afpacket: PACKET_MR_PROMISC
   * membership (dropped with the socket). pcap: not applicable (a file has no
   * interface); listed in `ring.ignoredOptions`.
   */
  Promisc: 1 << 3,
  /**
   * PF_RING_TIMESTAMP (1 << 4): force software timestamps. afpacket: always on
   * (the kernel stamps every packet, nanoseconds). pcap: always on (the file's
   * timestamps, at nanosecond precision).
   */
  Timestamp: 1 << 4,
  /**
   * PF_RING_HW_TIMESTAMP (1 << 5), the `hwTimestamp` option. afpacket:
   * SO_TIMESTAMPING with raw hardware stamps where the NIC offers them.
   * pcap: no effect (the file's timestamps are what they are); a warning says so.
   */
  HwTimestamp: 1 << 5,
} as const;

/** Every bit of {@link Flag}. */
export const KNOWN_FLAGS = Flag.Reentrant | Flag.LongHeader | Flag.Promisc | Flag.Timestamp | Flag.HwTimestamp;

/**
 * Which packets a ring receives: PF_RING's packet_direction enum
 * (rx_and_tx_direction = 0, rx_only_direction = 1, tx_only_direction = 2).
 * afpacket: a socket-filter prefix on the packet type (PACKET_OUTGOING), plus
 * PACKET_IGNORE_OUTGOING for rx. pfring: pfring_set_direction. pcap: only Linux
 * cooked captures (LINUX_SLL, LINUX_SLL2) record a direction, and are
 * filtered on it; on other files 'rx' and 'tx' throw PFW_NOT_SUPPORTED.
 */
export const Direction = {
  Both: 0,
  Rx: 1,
  Tx: 2,
  both: 0,
  rx: 1,
  tx: 2,
} as const;

/**
 * What a ring is used for: PF_RING's socket_mode enum (send_and_recv_mode = 0,
 * send_only_mode = 1, recv_only_mode = 2). On every backend the Ring refuses
 * reads on a 'write' ring and writePacketData() on a 'read' ring
 * (PFW_WRONG_SOCKET_MODE). pcap: only 'read' (a file cannot send); the
 * default for files. Live rings default to 'both'.
 */
export const SocketMode = {
  Both: 0,
  Write: 1,
  Read: 2,
  both: 0,
  write: 1,
  read: 2,
} as const;

/**
 * The outcome of a non-waiting read (readBatch, readPacketData,
 * readPacketDataTo) when no packet is returned. PF_RING's pfring_recv values
 * where it has one (1 ok, 0 nothing now, -12 PF_RING_ERROR_RING_NOT_ENABLED);
 * End is pfwork's (PF_RING has no end of input). Errors are thrown, never
 * returned.
 */
export const NextResult = {
  /** A packet / batch was returned (never returned as a number). */
  Ok: 1,
  /** Nothing now (live: wait and ask again; files: a long filtered stretch, ask again). */
  NoPacket: 0,
  /** The ring is disabled (call enable()). */
  NotEnabled: -12,
  /** End of input: the file is read to its end; nothing more will come. */
  End: -100,
} as const;

/** The numbers readBatch()/readPacketData() return instead of data. */
export type NextOutcome = typeof NextResult.NoPacket | typeof NextResult.NotEnabled | typeof NextResult.End;

/** Per-packet direction in the batch `direction` column. */
export const PacketDirection = {
  /** Received (to this host, or seen on the wire). */
  Rx: 0,
  /** Sent by this host (PACKET_OUTGOING). */
  Tx: 1,
  /** Unknown: a capture file that records no direction. */
  Unknown: 2,
} as const;

export { LinkType, MetaFlag, NO_OFFSET } from './locate.js';
