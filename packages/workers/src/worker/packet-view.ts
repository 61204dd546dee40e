/**
 * The flyweight Packet: ONE object per worker, moved over the rows of each
 * batch's descriptor table. Reading a number field is a typed-array read;
 * nothing is allocated per packet unless the handler reads `data`, an address
 * string, `ts` (a bigint) or calls copy().
 *
 * VALIDITY (DESIGN section 2): a packet's bytes are valid only during the
 * handler call that receives them; the ring gives the memory back after the
 * batch. `copy()` returns bytes to keep.
 */
import { MetaFlag, type Batch } from '@pfwork/native';
import { formatIPv4, formatIPv6, type Packet } from '@pfwork/core';

const NO_OFFSET = 0xffff;

export class PacketView implements Packet {
  #b: Batch;
  #i = 0;
  /** Start of the current packet in `#b.data`. */
  #at = 0;
  /**
   * The current packet's `data` view, made on its first read: a handler that
   * reads `data` more than once per packet (a decoder per layer, an address
   * and then the payload) gets one view instead of one allocation per read.
   */
  #data: Uint8Array | undefined = undefined;

  constructor(batch: Batch) {
    this.#b = batch;
  }

  /** Points the view at row `i` of `batch` (the loop calls this; handlers never do). */
  moveTo(batch: Batch, i: number): this {
    this.#b = batch;
    this.#i = i;
    this.#at = batch.dataOff[i]!;
    this.#data = undefined;
    return this;
  }

  /** Whole seconds since the epoch. */
  get tsSec(): number {
    return this.#b.tsSec[this.#i]!;
  }

  /** Nanoseconds within the second (0..999_999_999). */
  get tsNsec(): number {
    return this.#b.tsNsec[this.#i]!;
  }

  /** Nanoseconds since the epoch, exact (a bigint, made when read). */
  get ts(): bigint {
    return BigInt(this.#b.tsSec[this.#i]!) * 1_000_000_000n + BigInt(this.#b.tsNsec[this.#i]!);
  }

  /** Seconds since the epoch as a float (microsecond precision), as Zeek prints `ts`. */
  get time(): number {
    return this.#b.tsSec[this.#i]! + this.#b.tsNsec[this.#i]! / 1e9;
  }

  /** Captured length (bytes in `data`). */
  get caplen(): number {
    return this.#b.caplen[this.#i]!;
  }

  /** Length on the wire. */
  get len(): number {
    return this.#b.len[this.#i]!;
  }

  /** The captured bytes; a view into ring memory, valid only during this call (the same view on every read in it). */
  get data(): Uint8Array {
    return (this.#data ??= this.#b.data.subarray(this.#at, this.#at + this.#b.caplen[this.#i]!));
  }

  /** Outer VLAN id, 0 if untagged. */
  get vlan(): number {
    return this.#b.vlan[this.#i]!;
  }

  /** 4, 6 or 0. */
  get ipVersion(): number {
    return this.#b.ipVersion[this.#i]!;
  }

  /** IP protocol number of the transport header, 0 if not IP. */
  get proto(): number {
    return this.#b.proto[this.#i]!;
  }

  /**
   * Transport source port; 0 unless the packet has real ports (the batch's
   * sport/dport columns carry ICMP type/code, Zeek's flow-record convention).
   */
  get srcPort(): number {
    return this.#b.flags[this.#i]! & MetaFlag.HasPorts ? this.#b.sport[this.#i]! : 0;
  }

  /** Transport destination port; 0 unless the packet has real ports. */
  get dstPort(): number {
    return this.#b.flags[this.#i]! & MetaFlag.HasPorts ? this.#b.dport[this.#i]! : 0;
  }

  /** ICMP/ICMPv6 type, -1 if not ICMP (or its header was not captured). */
  get icmpType(): number {
    return this.#b.flags[this.#i]! & MetaFlag.Icmp ? this.#b.sport[this.#i]! : -1;
  }

  /** ICMP/ICMPv6 code, -1 if not ICMP (or its header was not captured). */
  get icmpCode(): number {
    return this.#b.flags[this.#i]! & MetaFlag.Icmp ? this.#b.dport[this.#i]! : -1;
  }

  /** IPv4 source as a host-order u32 (0 when not IPv4): compare numbers, not strings, in hot code. */
  get src4(): number {
    return this.#b.src4[this.#i]!;
  }

  get dst4(): number {
    return this.#b.dst4[this.#i]!;
  }

  /** Source address text ('' if not IP). Built when read. */
  get srcAddr(): string {
    return this.#addr(0);
  }

  /** Destination address text ('' if not IP). Built when read. */
  get dstAddr(): string {
    return this.#addr(1);
  }

  /** The cluster hash (DESIGN section 4) of this packet. */
  get hash(): number {
    return this.#b.hash[this.#i]!;
  }

  /** Offsets into `data` where the decoders start; 0xFFFF when absent. */
  get l3Off(): number {
    return this.#b.l3Off[this.#i]!;
  }

  get l4Off(): number {
    return this.#b.l4Off[this.#i]!;
  }

  get payloadOff(): number {
    return this.#b.payloadOff[this.#i]!;
  }

  /** Locate's flag bits (IPv4, IPv6, has ports, fragment, truncated, ...). */
  get flags(): number {
    return this.#b.flags[this.#i]!;
  }

  get ifindex(): number {
    return this.#b.ifindex[this.#i]!;
  }

  /** 0 received, 1 sent by this host. */
  get direction(): number {
    return this.#b.direction[this.#i]!;
  }

  /** A copy of the captured bytes, safe to keep after the call. */
  copy(): Uint8Array {
    return this.#b.data.slice(this.#at, this.#at + this.#b.caplen[this.#i]!);
  }

  #addr(which: 0 | 1): string {
    const v = this.#b.ipVersion[this.#i];
    if (v === 4) return formatIPv4(which === 0 ? this.#b.src4[this.#i]! : this.#b.dst4[this.#i]!);
    const l3 = this.#b.l3Off[this.#i]!;
    if (v !== 6 || l3 === NO_OFFSET) return '';
    return formatIPv6(this.#b.data, this.#at + l3 + (which === 0 ? 8 : 24));
  }

  toJSON(): Record<string, unknown> {
    return {
      tsSec: this.tsSec,
      tsNsec: this.tsNsec,
      caplen: this.caplen,
      len: this.len,
      vlan: this.vlan,
      proto: this.proto,
      srcAddr: this.srcAddr,
      dstAddr: this.dstAddr,
      srcPort: this.srcPort,
      dstPort: this.dstPort,
      icmpType: this.icmpType,
      icmpCode: this.icmpCode,
      hash: this.hash,
    };
  }
}
