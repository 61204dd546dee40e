/**
 * Capture options: where packets come from and how the ring is shaped.
 * Each description names the kernel or PF_RING field the option sets; the
 * option table in docs/config.md is generated from these descriptions.
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
  .refine((s) => s.length >= 1 && s.length <= 15 && s !== '.' && s !== '..' && !/[/:\s]/.test(s), expecting(IFNAME_EXPECTED))
  .meta({ expected: IFNAME_EXPECTED });

export const captureSchema = section('capture', {
  interface: interfaceName
    .optional()
    .describe('Live capture from this interface (pfring_open device; the AF_PACKET socket is bound to its ifindex). Exactly one of interface and read.'),
  read: textField('a capture file path').optional().describe('Read this pcap or pcapng file (libpcap pcap_open_offline) instead of capturing live.'),
  backend: choiceField(BACKEND_NAMES)
    .default('auto')
    .describe('"auto": pfring when /proc/net/pf_ring/info exists and libpfring.so loads, else afpacket (pcap for read). The choice is logged.'),
  snaplen: intField(`an integer from 1 to ${MAX_SNAPLEN} (bytes kept per packet)`, 1, MAX_SNAPLEN)
    .default(MAX_SNAPLEN)
    .describe('Bytes kept of each packet: pfring_open caplen; AF_PACKET: the caplen of each frame (tp_snaplen). Bytes on the wire are still counted in len.'),
  bpf: z
    .string(expecting('a BPF filter expression (a string)'))
    .meta({ expected: 'a BPF filter expression (a string)' })
    .optional()
    .describe('Kernel filter in tcpdump syntax, compiled by libpcap: pfring_set_bpf_filter, or SO_ATTACH_FILTER on the AF_PACKET socket.'),
  direction: choiceField(DIRECTION_NAMES)
    .default('both')
    .describe('Packets received, sent or both: pfring_set_direction (rx_only_direction, tx_only_direction, rx_and_tx_direction); AF_PACKET: by sll_pkttype (PACKET_OUTGOING is tx).'),
  samplingRate: intField('an integer >= 1 (1 keeps every packet, N keeps 1 in N)', 1, 0xffffffff)
    .default(1)
    .describe('Keep 1 packet in N: pfring_set_sampling_rate (PF_RING); applied in software by the other backends.'),
  promiscuous: boolField().default(true).describe('Promiscuous mode: PF_RING_PROMISC; AF_PACKET: PACKET_ADD_MEMBERSHIP with PACKET_MR_PROMISC.'),
  hwTimestamp: boolField().default(false).describe('Hardware timestamps where the NIC has them: SO_TIMESTAMPING (SOF_TIMESTAMPING_RAW_HARDWARE); PF_RING_HW_TIMESTAMP.'),
  blockSize: intField('an integer from 1 to 1073741824 (bytes per ring block)', 1, 2 ** 30)
    .default(1 << 20)
    .describe('tpacket_req3.tp_block_size: bytes per ring block (a power of two, a multiple of the page size). A block holds several packets; one batch is one block.'),
  blockCount: intField('an integer from 1 to 65536 (ring blocks)', 1, 65536)
    .default(32)
    .describe('tpacket_req3.tp_block_nr: blocks in the ring. Ring memory per worker = blockSize x blockCount (32 MiB by default).'),
  retireTimeoutMs: intField('an integer from 0 to 60000 (milliseconds)', 0, 60000)
    .default(10)
    .describe('tpacket_req3.tp_retire_blk_tov: a partly filled block is handed over after this many ms (0: the kernel derives it from the link speed). Bounds latency at low rates.'),
  batchSize: intField('an integer from 1 to 65536 (packets per batch)', 1, 65536)
    .default(4096)
    .describe('The most packets one native batch returns (one N-API call per batch, at most one ring block for AF_PACKET). Each batch costs the worker some microseconds of JS whatever its size: 4096 took 0.6-0.8x the CPU per packet of 256 without a packet() hook (docs/bench.md).'),
  durationSec: numberField('a positive number of seconds', 0, false)
    .optional()
    .describe('Stop after this many seconds, draining as on SIGTERM (a file otherwise ends by itself).'),
});

/** Capture options as written by a user. */
export type CaptureOptions = z.input<typeof captureSchema>;
/** Capture options after defaults. */
export type ResolvedCaptureOptions = z.output<typeof captureSchema>;
