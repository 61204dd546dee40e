/**
 * The flow record handed to handler.flow() and emitted by `--flows`
 * (DESIGN section 6): Zeek conn.log field names where a field means the same.
 *
 * @example
 *   {"type":"flow","worker":0,"ts":1700000000.123456,"duration":0.25,"proto":"tcp",
 *    "id.orig_h":"10.0.0.1","id.orig_p":51000,"id.resp_h":"10.0.0.2","id.resp_p":80,
 *    "vlan":0,"orig_pkts":6,"orig_ip_bytes":520,"resp_pkts":4,"resp_ip_bytes":3120,
 *    "history":"ShADadfF","end_reason":"fin"}
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

export interface FlowRecord {
  readonly type: 'flow';
  /** Index of the worker that tracked the flow. */
  readonly worker: number;
  /** First packet's time, seconds since the epoch (microsecond precision, as Zeek prints it). */
  readonly ts: number;
  /** Seconds from the first to the last packet. */
  readonly duration: number;
  /** 'tcp', 'udp', 'icmp', 'icmp6', or the IP protocol number as text for the rest. */
  readonly proto: string;
  /** Originator (sender of the first packet seen) address, RFC 5952 text for IPv6. */
  readonly 'id.orig_h': string;
  /** Originator port; ICMP: the type (as Zeek does). */
  readonly 'id.orig_p': number;
  readonly 'id.resp_h': string;
  /** Responder port; ICMP: the code. */
  readonly 'id.resp_p': number;
  readonly vlan: number;
  readonly orig_pkts: number;
  /** IP-level bytes (sum of IP total lengths) sent by the originator. */
  readonly orig_ip_bytes: number;
  readonly resp_pkts: number;
  readonly resp_ip_bytes: number;
  /** Zeek's TCP history letters (S h A D F R, lower case for the responder); '' for other protocols. */
  readonly history: string;
  readonly end_reason: FlowEndReason;
  /** Outer endpoints when the flow was carried in a tunnel, outermost first (Zeek's tunnel_parents, as text). */
  readonly tunnel_parents?: readonly string[];
}
