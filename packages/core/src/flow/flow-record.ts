/**
 * The flow record handed to handler.flow() and emitted by `--flows`
 * (DESIGN section 6): Zeek conn.log field names where a field means the same.
 * docs/flows.md explains every field and counting rule.
 *
 * @example
 *   {"type":"flow","worker":0,"ts":1700000000.123456,"ts_ns":"1700000000123456000",
 *    "duration":0.25,"proto":"tcp",
 *    "id.orig_h":"10.0.0.1","id.orig_p":51000,"id.resp_h":"10.0.0.2","id.resp_p":80,
 *    "vlan":0,"orig_pkts":6,"orig_ip_bytes":520,"resp_pkts":4,"resp_ip_bytes":3120,
 *    "history":"ShADadFf","end_reason":"fin"}
 */

/** Why a flow record was produced. */
export type FlowEndReason =
  /** TCP: both FINs seen and acknowledged. */
  | 'fin'
  /** TCP: a RST. */
  | 'rst'
  /** No packet for the protocol's idle timeout. */
  | 'idle'
  /** Open longer than the active timeout: reported, and counting starts afresh. */
  | 'active'
  /** The capture file ended. */
  | 'end'
  /** The run was stopped (SIGINT/SIGTERM, --duration). */
  | 'stop'
  /** The flow table was full: the oldest idle flow made room. */
  | 'evicted';

/** Every end reason, in the order of their native codes (FlowEndCode in @pfwork/native). */
export const FLOW_END_REASONS: readonly FlowEndReason[] = ['fin', 'rst', 'idle', 'active', 'end', 'stop', 'evicted'];

export interface FlowRecord {
  readonly type: 'flow';
  /** Index of the worker that tracked the flow. */
  readonly worker: number;
  /**
   * First packet's time, seconds since the epoch (a float64: about 0.2 µs
   * resolution today). The exact time is `ts_ns`.
   */
  readonly ts: number;
  /** First packet's time, nanoseconds since the epoch, exact, as a decimal string (int64 in JSON, as protobuf does). */
  readonly ts_ns: string;
  /** Seconds from the first to the last packet (exact to the nanosecond when multiplied back by 1e9 and rounded). */
  readonly duration: number;
  /** 'tcp', 'udp', 'icmp', 'icmp6', 'sctp', or the IP protocol number as text for the rest ('47'). */
  readonly proto: string;
  /** Originator (sender of the first packet seen) address: dotted quad, or RFC 5952 text for IPv6. */
  readonly 'id.orig_h': string;
  /** Originator port; ICMP: the type of the originator's first message (as Zeek does); 0 without ports. */
  readonly 'id.orig_p': number;
  readonly 'id.resp_h': string;
  /** Responder port; ICMP: the counterpart type (echo 8 -> 0) or the code (as Zeek does). */
  readonly 'id.resp_p': number;
  /** Outer VLAN id of the flow's packets, 0 if untagged. */
  readonly vlan: number;
  /** Second (inner, QinQ) VLAN id; present only when the packets had two tags. */
  readonly inner_vlan?: number;
  readonly orig_pkts: number;
  /** IP-level bytes (sum of IP total lengths) sent by the originator. */
  readonly orig_ip_bytes: number;
  readonly resp_pkts: number;
  readonly resp_ip_bytes: number;
  /**
   * Zeek's TCP history letters in the order first seen: S (SYN), H (SYN+ACK),
   * A (pure ACK), D (payload), F (FIN), R (RST), Q (SYN with FIN or RST),
   * I (FIN+RST); upper case for the originator, lower for the responder.
   * '' for other protocols.
   */
  readonly history: string;
  readonly end_reason: FlowEndReason;
  /**
   * The flow was tracked inside tunnels: the outer layers of its first packet,
   * outermost first, one string each: `<type> <src> <dst>[ <id>=<n>]`, e.g.
   * `vxlan 10.0.0.1:52102 10.0.0.2:4789 vni=42`, `ip 69.67.35.146 41.202.46.110`.
   * Types: ip, gre, erspan, vxlan, geneve, gtp-u, teredo. Absent when not tunneled
   * (Zeek's tunnel_parents lists tunnel uids; these are the tunnels themselves).
   */
  readonly tunnel_parents?: readonly string[];
}
