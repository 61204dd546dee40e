/**
 * The traffic mix of the benchmark capture, in one place so docs/bench.md and
 * the generator cannot disagree. Shares are of flows (protocol, IPv6, VLAN)
 * or of packets (sizes).
 */
export const MIX = {
  /** Share of flows per transport: the rest is ICMP / ICMPv6 echo. */
  tcp: 0.75,
  udp: 0.2,
  /** Share of flows over IPv6 (the rest IPv4). */
  ipv6: 0.25,
  /** Share of flows carrying one 802.1Q tag (VLAN id 1..4094). */
  vlan: 0.15,
  /** Share of data packets that are small (a 64..100 byte frame); then IP length 576, the rest IP length 1500. */
  small: 0.7,
  medium: 0.15,
  smallFrameMin: 64,
  smallFrameMax: 100,
  mediumIpLen: 576,
  largeIpLen: 1500,
  /** ICMP echo payload (ping's default). */
  icmpPayload: 56,
  /** Concurrently active flows, as a share of all flows (flows start and finish across the file). */
  activeShare: 0.25,
  /** Mean gap between packets in capture time (ns): a 1 Mpps link. */
  meanGapNs: 1000,
  /** Pareto shape and cap of flow sizes (a few elephants, many mice). */
  paretoAlpha: 1.5,
  paretoCap: 500,
  /** Distinct servers per address family. */
  servers: 2000,
  tcpPorts: [443, 443, 443, 443, 443, 80, 80, 80, 22, 25, 8080, 3306, 5432, 993],
  udpPorts: [53, 53, 53, 53, 443, 443, 123, 5060, 514, 4789],
  /** The capture's first timestamp (s since the epoch). */
  startSec: 1_700_000_000,
} as const;

/** 0 TCP, 1 UDP, 2 ICMP. */
export const TCP = 0;
export const UDP = 1;
export const ICMP = 2;
