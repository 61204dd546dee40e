/**
 * The packet a handler's packet() hook receives: a flyweight view over one
 * row of the native batch's descriptor table (the worker implements it; core
 * only defines its shape). Nothing is allocated per packet: numbers are read
 * from typed arrays, address strings are built only when read.
 */

export interface Packet {
  /** Capture time, nanoseconds since the epoch (exact). Reading it builds a bigint: prefer tsSec/tsNsec on the hot path. */
  readonly ts: bigint;
  /** Whole seconds since the epoch (an integer held exactly in a float64). */
  readonly tsSec: number;
  /** Nanoseconds within the second, 0..999_999_999. */
  readonly tsNsec: number;
  /** Bytes captured (data.length). */
  readonly caplen: number;
  /**
   * Bytes on the wire (larger than caplen when snaplen cut the packet). On live
   * AF_PACKET capture a VLAN tag the kernel stripped into metadata is counted
   * here, as libpcap does, though it is not in `data` (see `vlan`): len is then
   * caplen + 4 for an uncut frame.
   */
  readonly len: number;
  /**
   * The captured bytes. VALID ONLY DURING THE CALL that received this packet:
   * the ring memory goes back to the kernel after the batch, and the next
   * packet reuses this view. Keep bytes with copy(). Reading it again in the
   * same call returns the same view (no new allocation).
   */
  readonly data: Uint8Array;
  /**
   * Outer VLAN id (from the bytes or from kernel metadata), 0 if untagged. A tag
   * taken from kernel metadata (live AF_PACKET) is not in `data`; l3Off accounts
   * for that.
   */
  readonly vlan: number;
  /** IP protocol number (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6...), 0 if not IP. */
  readonly proto: number;
  /** 4, 6, or 0 if not IP. */
  readonly ipVersion: number;
  /**
   * IPv4 addresses as host-order u32 (10.0.0.1 = 0x0a000001), 0 when not IPv4:
   * map keys without building a string per packet (formatIPv4 makes the text).
   */
  readonly src4: number;
  readonly dst4: number;
  /** Source address text (dotted quad or RFC 5952 IPv6), '' if not IP. Built when read. */
  readonly srcAddr: string;
  /** Destination address text, '' if not IP. Built when read. */
  readonly dstAddr: string;
  /**
   * Transport ports (TCP, UDP, SCTP); 0 for protocols without ports, for ICMP
   * (see icmpType/icmpCode) and when the port bytes were not captured.
   */
  readonly srcPort: number;
  readonly dstPort: number;
  /** ICMP/ICMPv6 message type (e.g. 8 echo request, 128 ICMPv6 echo request); -1 if not ICMP. */
  readonly icmpType: number;
  /** ICMP/ICMPv6 code; -1 if not ICMP. */
  readonly icmpCode: number;
  /**
   * Locate's bit flags for this packet: the MetaFlag values of `@pfwork/native`
   * (1 IPv4, 2 IPv6, 4 has ports, 8 fragment, 16 first fragment, 32 truncated,
   * 64 malformed, 128 VLAN from metadata, 256 ICMP, 512 more fragments, ...).
   * Core does not import native: test bits against those constants there.
   */
  readonly flags: number;
  /** The cluster hash (DESIGN section 4) that chose this worker. */
  readonly hash: number;
  /** Offset of the IP header in data, OFFSET_ABSENT (0xffff) if none. Start decodeIPv4/decodeIPv6 here. */
  readonly l3Off: number;
  /** Offset of the transport header, OFFSET_ABSENT if none (or a non-first fragment). */
  readonly l4Off: number;
  /** Offset of the transport payload, OFFSET_ABSENT if none. */
  readonly payloadOff: number;
  /** The interface index the packet was captured on (0 for files). */
  readonly ifindex: number;
  /** 0 received, 1 sent (live capture with direction "tx" or "both"); 0 for files. */
  readonly direction: number;
  /** A copy of the captured bytes that stays valid after the call. */
  copy(): Uint8Array;
}
