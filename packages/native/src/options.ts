/**
 * Ring.open() options: defaults and validation, in one place, before any
 * system call (the C++ side receives one resolved plain object and only
 * asserts). The whole set is checked together; every problem is reported at
 * once, naming the values that conflict, e.g.
 * `blockSize (5000) must be a multiple of the page size (4096)`.
 */
import path from 'node:path';
import { CLUSTER_TYPE_NAMES, ClusterType } from './cluster.js';
import { Direction, Flag, KNOWN_FLAGS, SocketMode } from './constants.js';
import { invalidOptions } from './errors.js';
import { PFRING_MAX_CLUSTER_QUEUES } from './pfring.js';
import { flowTableOptionProblems, resolveFlowTableOptions, type ResolvedFlowTableOptions } from './flows.js';
import type { BackendName, ClusterTypeName, DirectionName, RingOptions, SocketModeName } from './types.js';

/** libpcap's MAXIMUM_SNAPLEN: the default snaplen (nothing is cut) and the largest allowed. */
export const MAX_SNAPLEN = 262144;

/** Defaults of every option that has one. */
export const RING_DEFAULTS = {
  snaplen: MAX_SNAPLEN,
  promiscuous: true,
  hwTimestamp: false,
  /** tp_block_size: 1 MiB. */
  blockSize: 1 << 20,
  /** tp_block_nr. */
  blockCount: 32,
  /** tp_frame_size (a hint for TPACKET_V3). */
  frameSize: 2048,
  /** tp_retire_blk_tov (ms). */
  retireTimeoutMs: 10,
  maxBatch: 256,
  samplingRate: 1,
  direction: 'both' as DirectionName,
  applicationName: 'pfwork',
  enabled: true,
  rows: true,
} as const;

/** Largest maxBatch (descriptor rows per batch). */
export const MAX_BATCH = 65536;

/**
 * TPACKET3_HDRLEN rounded as the kernel does (48-byte tpacket3_hdr aligned to
 * 16, then sockaddr_ll) plus the 16-byte alignment of the frame: what a block
 * needs besides the packet's own bytes, with the block's own header (48).
 */
const TPACKET3_OVERHEAD = 48 + 48 + 20 + 16;

/** What options are resolved against (the running machine; injectable for tests). */
export interface OptionsEnv {
  pageSize: number;
  /** True when PF_RING is loaded (auto then picks pfring). */
  pfringAvailable: boolean;
  /** Why (pfring.ts chooseLiveBackend), e.g. "afpacket: PF_RING is not loaded (...)"; goes into backendReason. */
  pfringReason?: string;
}

/** Options after defaults and validation: what the Ring and the addon use. */
export interface ResolvedRingOptions {
  backend: BackendName;
  /** Why this backend (for logs): e.g. "auto: PF_RING is not loaded". */
  backendReason: string;
  /** 'file' for capture files, 'device' for live capture. */
  source: 'file' | 'device';
  /** Interface name, or the file's absolute path. */
  device: string;
  snaplen: number;
  promiscuous: boolean;
  hwTimestamp: boolean;
  /** PF_RING flag bits equivalent to the options. */
  flags: number;
  blockSize: number;
  blockCount: number;
  frameSize: number;
  retireTimeoutMs: number;
  /** -1 when none. */
  fd: number;
  maxBatch: number;
  bpf: string | null;
  /** PF_RING's Direction number. */
  direction: number;
  /** PF_RING's SocketMode number. */
  socketMode: number;
  samplingRate: number;
  cluster: { id: number; type: number } | null;
  clusterSlot: { index: number; count: number };
  /** Files: the cluster index descriptor the slot is read through, -1 = none (every record is read). */
  clusterIndexFd: number;
  /** pfring: the cluster queue id to join with (clusterSlot.index when given), -1 = the first free one. */
  clusterQueue: number;
  applicationName: string;
  enabled: boolean;
  /** Flow tracking (flows branch): the FlowTable options, or null when off. */
  flows: ResolvedFlowTableOptions | null;
  /** Whether batches carry descriptor rows (false: count, bytes, data and flows only). */
  rows: boolean;
  /** Options given that have no effect on this backend (e.g. promiscuous on a file). */
  ignored: string[];
  /** Explicitly requested things that have no effect here: emitted as warnings (PFW_OPTION_IGNORED). */
  warnings: string[];
}

const OPTION_NAMES = new Set([
  'device', 'file', 'backend', 'snaplen', 'promiscuous', 'hwTimestamp', 'blockSize', 'blockCount',
  'retireTimeoutMs', 'maxBatch', 'fd', 'clusterSlot', 'frameSize', 'flags', 'bpf', 'direction',
  'socketMode', 'samplingRate', 'cluster', 'applicationName', 'enabled', 'clusterIndexFd',
  'flows', // flows branch
  'rows',
]);

const show = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isPow2 = (n: number): boolean => n > 0 && (n & (n - 1)) === 0;

/** A Direction given by name or PF_RING number -> the number, or null. */
export function directionNumber(d: unknown): number | null {
  if (typeof d === 'string' && (d === 'rx' || d === 'tx' || d === 'both')) return Direction[d];
  if (d === 0 || d === 1 || d === 2) return d;
  return null;
}

/** A SocketMode given by name or PF_RING number -> the number, or null. */
export function socketModeNumber(m: unknown): number | null {
  if (typeof m === 'string' && (m === 'read' || m === 'write' || m === 'both')) return SocketMode[m];
  if (m === 0 || m === 1 || m === 2) return m;
  return null;
}

/** Direction number -> name. */
export function directionName(n: number): DirectionName {
  return n === Direction.Rx ? 'rx' : n === Direction.Tx ? 'tx' : 'both';
}

/** SocketMode number -> name. */
export function socketModeName(n: number): SocketModeName {
  return n === SocketMode.Read ? 'read' : n === SocketMode.Write ? 'write' : 'both';
}

/** A cluster type by name or number -> the number, or null. */
export function clusterTypeOf(t: unknown): number | null {
  if (isInt(t) && t >= 0 && t < CLUSTER_TYPE_NAMES.length) return t;
  if (typeof t === 'string') {
    const i = CLUSTER_TYPE_NAMES.indexOf(t as ClusterTypeName);
    if (i >= 0) return i;
  }
  return null;
}

const CLUSTER_TYPES_TEXT = CLUSTER_TYPE_NAMES.map((n, i) => `${n} (${i})`).join(', ');

/**
 * Applies defaults to `options` and checks them all together.
 *
 * Defaults: backend 'auto' (pcap for a file; pfring when PF_RING is loaded,
 * else afpacket), snaplen 262144, promiscuous true, hwTimestamp false,
 * blockSize 1 MiB, blockCount 32, frameSize 2048, retireTimeoutMs 10,
 * maxBatch 256, direction 'both', socketMode 'read' (files) / 'both' (live),
 * samplingRate 1, no BPF, no cluster, applicationName 'pfwork', enabled true,
 * rows true.
 *
 * @throws PfwArgumentError (code PFW_INVALID_OPTION) listing every problem in
 *   its message and in `problems`
 * @example resolveRingOptions({ file: 'trace.pcap' }, { pageSize: 4096, pfringAvailable: false })
 */
export function resolveRingOptions(options: RingOptions, env: OptionsEnv): ResolvedRingOptions {
  const problems: string[] = [];
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw invalidOptions([`options must be an object such as { file: 'trace.pcap' } or { device: 'eth0' }, got ${show(options)}`]);
  }
  const o = options as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!OPTION_NAMES.has(k) && o[k] !== undefined) problems.push(`unknown option ${JSON.stringify(k)}`);
  }

  // --- source and backend ---
  const hasDevice = o.device !== undefined;
  const hasFile = o.file !== undefined;
  const hasFd = o.fd !== undefined;
  if (hasDevice && (typeof o.device !== 'string' || o.device === '')) problems.push(`device must be an interface name (a non-empty string), got ${show(o.device)}`);
  if (hasFile && (typeof o.file !== 'string' || o.file === '')) problems.push(`file must be a path (a non-empty string), got ${show(o.file)}`);
  if (hasDevice && hasFile) problems.push(`give either device (${show(o.device)}) or file (${show(o.file)}), not both`);
  if (!hasDevice && !hasFile && !hasFd) problems.push('give device (an interface to capture on) or file (a pcap or pcapng file to read)');
  if (hasFd && (!isInt(o.fd) || o.fd < 0)) problems.push(`fd must be a file descriptor (an integer >= 0), got ${show(o.fd)}`);
  if (hasFd && hasFile) problems.push(`fd (${show(o.fd)}) adopts a live AF_PACKET socket; it cannot go with file (${show(o.file)})`);
  const source: 'file' | 'device' = hasFile ? 'file' : 'device';

  let backend: BackendName = source === 'file' ? 'pcap' : 'afpacket';
  let backendReason = '';
  const b = o.backend ?? 'auto';
  if (b !== 'auto' && b !== 'afpacket' && b !== 'pfring' && b !== 'pcap') {
    problems.push(`backend must be 'auto', 'afpacket', 'pfring' or 'pcap', got ${show(b)}`);
  } else if (b === 'auto') {
    if (source === 'file') {
      backend = 'pcap';
      backendReason = 'auto: reading a file';
    } else if (hasFd) {
      backend = 'afpacket';
      backendReason = 'auto: adopting an AF_PACKET socket (fd)';
    } else {
      backend = env.pfringAvailable ? 'pfring' : 'afpacket';
      backendReason = env.pfringReason
        ? `auto picked ${env.pfringReason}`
        : env.pfringAvailable ? 'auto: PF_RING is loaded' : 'auto: PF_RING is not loaded';
    }
  } else {
    backend = b;
    backendReason = `backend '${b}' asked for`;
    if (source === 'file' && b !== 'pcap') problems.push(`backend '${b}' captures live; file (${show(o.file)}) needs backend 'pcap' or 'auto'`);
    if (source === 'device' && b === 'pcap') problems.push(`backend 'pcap' reads files; device (${show(o.device ?? o.fd)}) needs backend 'auto', 'afpacket' or 'pfring'`);
    if (hasFd && b === 'pfring') problems.push(`fd (${show(o.fd)}) adopts an AF_PACKET socket; it needs backend 'afpacket' or 'auto', not 'pfring'`);
  }
  const live = source === 'device';

  // --- numbers ---
  // An invalid number is reported once and then left out of the checks that combine it with others.
  const bad = new Set<string>();
  const intIn = (name: string, lo: number, hi: number, dflt: number, what: string): number => {
    const v = o[name];
    if (v === undefined) return dflt;
    if (!isInt(v) || v < lo || v > hi) {
      problems.push(`${name} must be ${what}, got ${show(v)}`);
      bad.add(name);
      return dflt;
    }
    return v;
  };
  const snaplen = intIn('snaplen', 1, MAX_SNAPLEN, RING_DEFAULTS.snaplen, `an integer from 1 to ${MAX_SNAPLEN}`);
  const blockSize = intIn('blockSize', 1, 2 ** 30, RING_DEFAULTS.blockSize, 'an integer from 1 to 1073741824 (bytes)');
  const blockCount = intIn('blockCount', 1, 65536, RING_DEFAULTS.blockCount, 'an integer from 1 to 65536');
  const frameSize = intIn('frameSize', 1, 2 ** 30, RING_DEFAULTS.frameSize, 'an integer from 1 to 1073741824 (bytes)');
  const retireTimeoutMs = intIn('retireTimeoutMs', 0, 60000, RING_DEFAULTS.retireTimeoutMs, 'an integer from 0 to 60000 (milliseconds)');
  const maxBatch = intIn('maxBatch', 1, MAX_BATCH, RING_DEFAULTS.maxBatch, `an integer from 1 to ${MAX_BATCH}`);
  const samplingRate = intIn('samplingRate', 1, 0xffffffff, RING_DEFAULTS.samplingRate, 'an integer >= 1 (1 keeps every packet, n keeps 1 of every n)');

  // AF_PACKET geometry, checked together (gopacket's rules, the kernel's limits).
  const ps = env.pageSize;
  if (backend === 'afpacket') {
    // A block size that is itself wrong is reported alone, not again in every rule that uses it.
    let okBlock = !bad.has('blockSize');
    if (okBlock && blockSize % ps !== 0) {
      problems.push(`blockSize (${blockSize}) must be a multiple of the page size (${ps})`);
      okBlock = false;
    } else if (okBlock && !isPow2(blockSize / ps)) {
      problems.push(`blockSize (${blockSize}) must be a power-of-two number of pages (${ps} bytes each): the kernel allocates blocks that way`);
      okBlock = false;
    }
    if (!bad.has('frameSize')) {
      if (frameSize % 16 !== 0) problems.push(`frameSize (${frameSize}) must be a multiple of 16 (TPACKET_ALIGNMENT)`);
      else if (okBlock && blockSize % frameSize !== 0) problems.push(`frameSize (${frameSize}) must divide blockSize (${blockSize})`);
    }
    if (okBlock && !bad.has('snaplen') && blockSize < snaplen + TPACKET3_OVERHEAD) {
      problems.push(`blockSize (${blockSize}) must hold one packet of snaplen (${snaplen}) plus ${TPACKET3_OVERHEAD} bytes of headers: raise blockSize or lower snaplen`);
    }
  }

  // --- flags and booleans ---
  let flags = 0;
  if (o.flags !== undefined) {
    if (!isInt(o.flags) || o.flags < 0) problems.push(`flags must be a sum of Flag values (an integer >= 0), got ${show(o.flags)}`);
    else if ((o.flags & ~KNOWN_FLAGS) !== 0) {
      problems.push(`flags (0x${o.flags.toString(16)}) has bits pfwork does not know (0x${(o.flags & ~KNOWN_FLAGS).toString(16)}); use Flag.Reentrant, Flag.LongHeader, Flag.Promisc, Flag.Timestamp, Flag.HwTimestamp`);
    } else flags = o.flags;
  }
  const bool = (name: 'promiscuous' | 'hwTimestamp' | 'enabled' | 'rows', flag: number, dflt: boolean): boolean => {
    const v = o[name];
    if (v !== undefined && typeof v !== 'boolean') {
      problems.push(`${name} must be true or false, got ${show(v)}`);
      return dflt;
    }
    // With `flags`, the flag bits say it (PF_RING's way); the boolean may repeat it but not contradict it.
    const fromFlags = flag !== 0 && o.flags !== undefined ? (flags & flag) !== 0 : undefined;
    if (v !== undefined && fromFlags !== undefined && v !== fromFlags) {
      const bit = name === 'promiscuous' ? 'Flag.Promisc' : 'Flag.HwTimestamp';
      problems.push(`${name} (${v}) contradicts flags (0x${flags.toString(16)}), which ${fromFlags ? 'sets' : 'does not set'} ${bit}`);
    }
    if (v !== undefined) return v;
    return fromFlags ?? dflt;
  };
  const promiscuous = bool('promiscuous', Flag.Promisc, RING_DEFAULTS.promiscuous);
  const hwTimestamp = bool('hwTimestamp', Flag.HwTimestamp, RING_DEFAULTS.hwTimestamp);
  const enabled = bool('enabled', 0, RING_DEFAULTS.enabled);
  const rows = bool('rows', 0, RING_DEFAULTS.rows);
  flags = (flags & ~(Flag.Promisc | Flag.HwTimestamp)) | (promiscuous ? Flag.Promisc : 0) | (hwTimestamp ? Flag.HwTimestamp : 0);

  // --- direction, socket mode ---
  let direction: number = Direction.Both;
  if (o.direction !== undefined) {
    const d = directionNumber(o.direction);
    if (d === null) problems.push(`direction must be 'rx', 'tx' or 'both' (or Direction.Rx, .Tx, .Both), got ${show(o.direction)}`);
    else direction = d;
  }
  let socketMode: number = live ? SocketMode.Both : SocketMode.Read;
  if (o.socketMode !== undefined) {
    const m = socketModeNumber(o.socketMode);
    if (m === null) problems.push(`socketMode must be 'read', 'write' or 'both' (or SocketMode.Read, .Write, .Both), got ${show(o.socketMode)}`);
    else if (!live && m !== SocketMode.Read) problems.push(`socketMode ('${socketModeName(m)}') must be 'read' for a file (${show(o.file)}): a file cannot send`);
    else socketMode = m;
  }

  // --- bpf, name ---
  let bpf: string | null = null;
  if (o.bpf !== undefined) {
    if (typeof o.bpf !== 'string') problems.push(`bpf must be a filter expression (a string), got ${show(o.bpf)}`);
    else if (o.bpf.trim() !== '') bpf = o.bpf;
  }
  let applicationName: string = RING_DEFAULTS.applicationName;
  if (o.applicationName !== undefined) {
    if (typeof o.applicationName !== 'string') problems.push(`applicationName must be a string, got ${show(o.applicationName)}`);
    else applicationName = o.applicationName;
  }

  // --- cluster ---
  let cluster: { id: number; type: number } | null = null;
  if (o.cluster !== undefined) {
    const c = o.cluster as { id?: unknown; type?: unknown };
    if (typeof c !== 'object' || c === null) problems.push(`cluster must be { id, type }, got ${show(o.cluster)}`);
    else {
      const maxId = backend === 'afpacket' ? 0xffff : 0xffffffff;
      const t = clusterTypeOf(c.type);
      if (backend === 'pfring') {
        if (!isInt(c.id) || c.id < 1 || c.id > 0xffff) {
          problems.push(`cluster.id must be an integer from 1 to 65535 on pfring (PF_RING keeps 16 bits and 0 means "no cluster"), got ${show(c.id)}`);
        }
      } else if (!isInt(c.id) || c.id < 0 || c.id > maxId) {
        problems.push(backend === 'afpacket'
          ? `cluster.id must be an integer from 0 to 65535 on afpacket (the PACKET_FANOUT group id is 16 bits), got ${show(c.id)}`
          : `cluster.id must be an integer from 0 to 4294967295, got ${show(c.id)}`);
      }
      if (t === null) problems.push(`cluster.type must be one of ${CLUSTER_TYPES_TEXT}, got ${show(c.type)}`);
      if (isInt(c.id) && t !== null) cluster = { id: c.id, type: t };
    }
  }
  let clusterSlot = { index: 0, count: 1 };
  if (o.clusterSlot !== undefined) {
    const s = o.clusterSlot as { index?: unknown; count?: unknown };
    if (typeof s !== 'object' || s === null) problems.push(`clusterSlot must be { index, count }, got ${show(o.clusterSlot)}`);
    else if (!isInt(s.count) || s.count < 1) problems.push(`clusterSlot.count must be an integer >= 1, got ${show(s.count)}`);
    else if (!isInt(s.index) || s.index < 0) problems.push(`clusterSlot.index must be an integer >= 0, got ${show(s.index)}`);
    else if (s.index >= s.count) problems.push(`clusterSlot.index (${s.index}) must be below clusterSlot.count (${s.count})`);
    else clusterSlot = { index: s.index, count: s.count };
    if (live && backend !== 'pfring') problems.push(`clusterSlot is for capture files; a live ring's place in its cluster is set by cluster ({ id, type }) and the kernel`);
    else if (live && isInt(s.index) && s.index >= PFRING_MAX_CLUSTER_QUEUES) {
      problems.push(`clusterSlot.index (${s.index}) is PF_RING's cluster queue id: it must be below ${PFRING_MAX_CLUSTER_QUEUES} (MAX_CLUSTER_QUEUES)`);
    }
    else if (o.cluster === undefined) problems.push('clusterSlot needs cluster ({ id, type }): the cluster type decides which packets are in a slot');
  }

  let clusterIndexFd = -1;
  if (o.clusterIndexFd !== undefined) {
    const fd = o.clusterIndexFd;
    if (!isInt(fd) || fd < 0) problems.push(`clusterIndexFd must be a file descriptor (an integer >= 0), got ${show(fd)}`);
    else if (live) problems.push('clusterIndexFd is for capture files: a live ring is balanced by the kernel');
    else if (o.clusterSlot === undefined || clusterSlot.count < 2) {
      problems.push(`clusterIndexFd needs clusterSlot with a count of 2 or more, got ${show(o.clusterSlot)}`);
    } else if (o.cluster !== undefined && cluster !== null && cluster.type === ClusterType.RoundRobin) {
      problems.push('clusterIndexFd needs a hashed cluster type: round-robin slots need no index');
    } else clusterIndexFd = fd;
  }

  // --- flow tracking (flows branch) ---
  let flows: ResolvedFlowTableOptions | null = null;
  if (o.flows !== undefined && o.flows !== false) {
    const given = o.flows === true ? {} : o.flows;
    const fp = flowTableOptionProblems(given);
    if (fp.length) problems.push(...fp);
    else flows = resolveFlowTableOptions(given as Record<string, number>);
  }

  if (problems.length) throw invalidOptions(problems);

  // --- what has no effect here ---
  const ignored: string[] = [];
  const warnings: string[] = [];
  if (!live) {
    if (promiscuous) ignored.push('promiscuous');
    for (const k of ['blockSize', 'blockCount', 'frameSize', 'retireTimeoutMs'] as const) if (o[k] !== undefined) ignored.push(k);
    if (hwTimestamp) warnings.push('hwTimestamp has no effect on a capture file: its timestamps are the ones the file recorded');
  }
  if ((flags & Flag.Reentrant) !== 0 && backend !== 'pfring') {
    warnings.push(`Flag.Reentrant has no effect on backend '${backend}': a Ring is used only from the JS thread`);
  }
  if (backend === 'pfring') {
    for (const k of ['blockSize', 'blockCount', 'frameSize', 'retireTimeoutMs'] as const) if (o[k] !== undefined) ignored.push(k);
  }

  return {
    backend,
    backendReason,
    source,
    device: live ? ((o.device as string | undefined) ?? `fd:${o.fd as number}`) : path.resolve(o.file as string),
    snaplen,
    promiscuous,
    hwTimestamp,
    flags,
    blockSize,
    blockCount,
    frameSize,
    retireTimeoutMs,
    fd: hasFd ? (o.fd as number) : -1,
    maxBatch,
    bpf,
    direction,
    socketMode,
    samplingRate,
    cluster,
    clusterSlot,
    clusterQueue: backend === 'pfring' && o.clusterSlot !== undefined ? clusterSlot.index : -1,
    clusterIndexFd,
    applicationName,
    enabled,
    flows,
    rows,
    ignored,
    warnings,
  };
}
