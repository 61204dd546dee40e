/**
 * Capture options: where packets come from and how the ring is shaped.
 * Names follow the kernel/PF_RING field each one sets (see docs/config.md).
 */
import { z } from 'zod';
import { boolField, choiceField, expecting, intField, numberField, section, textField } from './fields.js';

/** libpcap's MAXIMUM_SNAPLEN: the largest snapshot length tcpdump accepts. */
export const MAX_SNAPLEN = 262144;

export const BACKEND_NAMES = ['auto', 'pfring', 'afpacket', 'pcap'] as const;
export const DIRECTION_NAMES = ['rx', 'tx', 'both'] as const;

/** The kernel's dev_valid_name(): 1-15 bytes (IFNAMSIZ - 1), not "." or "..", no "/", ":" or whitespace. */
const IFNAME_EXPECTED = 'an interface name (1 to 15 characters, no "/", ":" or spaces)';
const interfaceName = z
  .string(expecting(IFNAME_EXPECTED))
  .refine((s) => s.length >= 1 && s.length <= 15 && s !== '.' && s !== '..' && !/[/:\s]/.test(s), expecting(IFNAME_EXPECTED));

export const captureSchema = section('capture', {
  /** Live capture from this interface. Exactly one of interface / read. */
  interface: interfaceName.optional(),
  /** Read this pcap or pcapng file instead (libpcap). */
  read: textField('a capture file path').optional(),
  /** auto: pfring when PF_RING is loaded, else afpacket; pcap for files. */
  backend: choiceField(BACKEND_NAMES).default('auto'),
  /** Bytes kept per packet (pfring_open caplen, tpacket snaplen). */
  snaplen: intField(`an integer from 1 to ${MAX_SNAPLEN} (bytes kept per packet)`, 1, MAX_SNAPLEN).default(MAX_SNAPLEN),
  /** Kernel filter, compiled by libpcap (pfring_set_bpf_filter, SO_ATTACH_FILTER). */
  bpf: z.string(expecting('a BPF filter expression (a string)')).optional(),
  /** pfring_set_direction / PACKET_IGNORE_OUTGOING. */
  direction: choiceField(DIRECTION_NAMES).default('both'),
  /** Keep 1 packet in N (pfring_set_sampling_rate); 1 keeps every packet. */
  samplingRate: intField('an integer >= 1 (1 keeps every packet, N keeps 1 in N)', 1, 0xffffffff).default(1),
  /** PF_RING_PROMISC / PACKET_MR_PROMISC. */
  promiscuous: boolField().default(true),
  /** Hardware timestamps (SO_TIMESTAMPING) where the NIC has them. */
  hwTimestamp: boolField().default(false),
  /** tpacket_req3.tp_block_size: bytes per ring block (a power of two, a multiple of the page size). */
  blockSize: intField('an integer from 1 to 1073741824 (bytes per ring block)', 1, 2 ** 30).default(1 << 20),
  /** tpacket_req3.tp_block_nr: blocks in the ring. */
  blockCount: intField('an integer from 1 to 65536 (ring blocks)', 1, 65536).default(32),
  /** tpacket_req3.tp_retire_blk_tov: ms before a partly filled block is handed over (0: the kernel derives it from the link speed). */
  retireTimeoutMs: intField('an integer from 0 to 60000 (milliseconds)', 0, 60000).default(10),
  /** The most packets one native batch returns (one N-API call per batch). */
  batchSize: intField('an integer from 1 to 65536 (packets per batch)', 1, 65536).default(256),
  /** Stop a live capture after this many seconds (files end by themselves). */
  durationSec: numberField('a positive number of seconds', 0, false).optional(),
});

/** Capture options as written by a user. */
export type CaptureOptions = z.input<typeof captureSchema>;
/** Capture options after defaults. */
export type ResolvedCaptureOptions = z.output<typeof captureSchema>;
