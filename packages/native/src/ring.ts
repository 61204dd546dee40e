/**
 * Ring: a capture ring in TypeScript idiom over the native NativeRing — the
 * API of gopacket/pfring's Ring (enable, disable, BPF, direction, socket mode,
 * sampling, stats, injection, single-packet reads) plus the batch API that is
 * pfwork's hot path (nextBatch / readBatch / for await).
 *
 * @example
 *   const ring = Ring.open({ file: 'trace.pcap', bpf: 'tcp' });
 *   for await (const batch of ring) {
 *     for (let i = 0; i < batch.count; i++) console.log(batch.tsSec[i], batch.caplen[i], batch.proto[i]);
 *   }
 *   ring.close();
 */
import { emptyColumns, makeColumns, RingBatch, type Columns } from './batch.js';
import { CLUSTER_TYPE_NAMES } from './cluster.js';
import { Direction, NextResult, SocketMode, type NextOutcome } from './constants.js';
import {
  fromNative, invalidArgument, ringBusy, ringClosed, ringNotEnabled, wrongSocketMode,
} from './errors.js';
import { loadNative, type NativeAddon } from './loader.js';
import { chooseLiveBackend } from './pfring.js';
import { FlowTable, emptyFlowBatch, type FlowBatch } from './flows.js';
import {
  clusterTypeOf, directionName, directionNumber, resolveRingOptions, socketModeName, socketModeNumber,
  type ResolvedRingOptions,
} from './options.js';
import type {
  BackendName, CaptureInfo, ClusterTypeName, DirectionName, PacketData, RingOptions, RingStats, SocketModeName,
} from './types.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type NativeRing = any;

// PF_RING's Direction / SocketMode numbers -> the backend's (cpp/backend.h).
const BACKEND_DIRECTION: Record<number, number> = { [Direction.Rx]: 0, [Direction.Tx]: 1, [Direction.Both]: 2 };
const BACKEND_SOCKET_MODE: Record<number, number> = { [SocketMode.Read]: 0, [SocketMode.Write]: 1, [SocketMode.Both]: 2 };

const warned = new Set<string>();
function warnOnce(message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  process.emitWarning(message, { code: 'PFW_OPTION_IGNORED' });
}

function call<T>(f: () => T): T {
  try {
    return f();
  } catch (err) {
    throw fromNative(err);
  }
}

export class Ring {
  readonly #native: NativeRing;
  readonly #columns: Columns;
  readonly #header: Float64Array;
  readonly #maxBatch: number;
  readonly #slot: { index: number; count: number };
  #closed = false;
  #enabled = false;
  #pending = false;
  #wake: (() => void) | null = null;
  #direction: number;
  #socketMode: number;
  #samplingRate: number;
  #bpf: string | null = null;
  #applicationName: string;
  #cluster: { id: number; type: number } | null = null;
  #lastStats: RingStats = { received: 0, dropped: 0, delivered: 0 };
  // --- flows branch: the ring's flow table (fed in C++ while batches are built) ---
  #flowTable: FlowTable | null = null;
  #flowsAtEnd = false;             // the end-of-file flush was handed over
  #flowsAtClose: FlowBatch | null = null;  // flows flushed by close(), for flushFlows()

  /** The options after defaults (what this ring was opened with). */
  readonly options: ResolvedRingOptions;
  /** The backend in use: 'afpacket' | 'pfring' | 'pcap'. */
  readonly backend: BackendName;
  /** Why that backend (e.g. "auto: PF_RING is not loaded"), for logs. */
  readonly backendReason: string;
  /** The link type (libpcap DLT) of the frames delivered. */
  readonly linkType: number;
  /** libpcap's name of the link type, e.g. "EN10MB". */
  readonly linkTypeName: string;
  /** Options given that have no effect on this backend (e.g. promiscuous on a file). */
  readonly ignoredOptions: readonly string[];

  private constructor(resolved: ResolvedRingOptions, addon: NativeAddon) {
    this.options = resolved;
    this.#maxBatch = resolved.maxBatch;
    this.#slot = resolved.clusterSlot;
    this.#direction = Direction.Both;
    this.#socketMode = resolved.source === 'file' ? SocketMode.Read : SocketMode.Both;
    this.#samplingRate = 1;
    this.#applicationName = '';
    this.ignoredOptions = resolved.ignored;
    this.#native = call(() => new addon.NativeRing({
      backend: resolved.backend,
      device: resolved.device,
      snaplen: resolved.snaplen,
      promiscuous: resolved.promiscuous,
      hwTimestamp: resolved.hwTimestamp,
      blockSize: resolved.blockSize,
      blockCount: resolved.blockCount,
      frameSize: resolved.frameSize,
      retireTimeoutMs: resolved.retireTimeoutMs,
      fd: resolved.fd,
      clusterQueue: resolved.clusterQueue,
      clusterIndexFd: resolved.clusterIndexFd,
      maxBatch: resolved.maxBatch,
      rows: resolved.rows,
    }));
    const info = this.#native.info() as { backend: BackendName; linkType: number; linkTypeName: string };
    this.backend = info.backend;
    this.backendReason = resolved.backendReason;
    this.linkType = info.linkType;
    this.linkTypeName = info.linkTypeName;
    const { columns, header } = makeColumns(this.#native.table());
    this.#columns = resolved.rows ? columns : emptyColumns();
    this.#header = header;
    if (resolved.flows) {
      // flows branch: the table sees every delivered packet, located, in C++.
      this.#flowTable = new FlowTable(resolved.flows);
      this.#flowTable.attachToRing(this.#native);
    }
  }

  /** The ring's flow table (Ring.open({ flows })), or null: for stats() and advance() on quiet live links. */
  get flowTable(): FlowTable | null {
    return this.#flowTable;
  }

  /**
   * Ends every open flow and returns them (none is lost): at the end of
   * input ('end', readBatch() users; nextBatch() hands these over by itself
   * in a last batch of count 0) or when stopping ('stop'). After close(),
   * returns the flows close() ended (once).
   * @throws PFW_INVALID_ARGUMENT when the ring was opened without `flows`, or for another reason
   */
  flushFlows(reason: 'end' | 'stop' = 'end'): FlowBatch {
    if (!this.#flowTable) throw invalidArgument('flushFlows: this ring was opened without flows (Ring.open({ ..., flows: true }))');
    if (this.#closed) {
      const b = this.#flowsAtClose ?? emptyFlowBatch();
      this.#flowsAtClose = null;
      return b;
    }
    return this.#flowTable.flush(reason);
  }

  /**
   * Opens a ring on a device (live) or a capture file, applies the options
   * (application name, socket mode, direction, sampling, cluster, BPF) and —
   * unless `enabled: false` — enables it. See options.ts for every default.
   *
   * @throws PfwArgumentError PFW_INVALID_OPTION (every problem listed) before any system call;
   *   PfwError from the backend: PFW_NO_SUCH_FILE, PFW_FILE_ACCESS, PFW_BAD_CAPTURE_FILE,
   *   PFW_UNSUPPORTED_LINKTYPE, PFW_BPF_INVALID, PFW_NOT_SUPPORTED, PFW_BACKEND_UNAVAILABLE,
   *   and the live backends' (PFW_NO_CAP_NET_RAW, PFW_NO_SUCH_DEVICE, ...)
   * @example const ring = Ring.open({ file: 'trace.pcap', cluster: { id: 1, type: 'per-flow' }, clusterSlot: { index: 0, count: 4 } });
   */
  static open(options: RingOptions): Ring {
    const addon = loadNative();
    // Only a live ring with backend 'auto' looks for PF_RING (that loads libpfring).
    const o = (options ?? {}) as RingOptions;
    const auto = typeof o === 'object' && (o.backend ?? 'auto') === 'auto' && o.file === undefined && o.fd === undefined
      ? chooseLiveBackend()
      : null;
    const resolved = resolveRingOptions(options, {
      pageSize: typeof addon.pageSize === 'function' ? (addon.pageSize() as number) : 4096,
      pfringAvailable: auto?.backend === 'pfring',
      ...(auto ? { pfringReason: auto.reason } : {}),
    });
    for (const w of resolved.warnings) warnOnce(w);
    const ring = new Ring(resolved, addon);
    try {
      ring.setApplicationName(resolved.applicationName);
      if (resolved.socketMode !== ring.#socketMode) ring.setSocketMode(resolved.socketMode);
      if (resolved.direction !== Direction.Both) ring.setDirection(resolved.direction);
      if (resolved.samplingRate !== 1) ring.setSamplingRate(resolved.samplingRate);
      if (resolved.cluster) ring.setCluster(resolved.cluster.id, resolved.cluster.type);
      if (resolved.bpf !== null) ring.setBPFFilter(resolved.bpf);
      if (resolved.enabled) ring.enable();
    } catch (err) {
      ring.close();
      throw err;
    }
    return ring;
  }

  /** True between enable() and disable()/close(). */
  get enabled(): boolean {
    return this.#enabled;
  }

  /** True after close(). */
  get closed(): boolean {
    return this.#closed;
  }

  /** The direction set (setDirection), by name. */
  get direction(): DirectionName {
    return directionName(this.#direction);
  }

  /** The socket mode set (setSocketMode), by name. */
  get socketMode(): SocketModeName {
    return socketModeName(this.#socketMode);
  }

  /** The sampling rate set (setSamplingRate); 1 keeps every packet. */
  get samplingRate(): number {
    return this.#samplingRate;
  }

  /** The BPF expression in force, or null. */
  get bpfFilter(): string | null {
    return this.#bpf;
  }

  /** The application name set (setApplicationName). */
  get applicationName(): string {
    return this.#applicationName;
  }

  /** The cluster joined (id, type name), or null. */
  get cluster(): { id: number; type: ClusterTypeName } | null {
    return this.#cluster ? { id: this.#cluster.id, type: CLUSTER_TYPE_NAMES[this.#cluster.type]! } : null;
  }

  #check(what: string): void {
    if (this.#closed) throw ringClosed(what);
  }

  /**
   * Starts delivering packets (pfring_enable_ring). Ring.open() calls it unless
   * `enabled: false`. Idempotent.
   * @throws PFW_RING_CLOSED
   */
  enable(): void {
    this.#check('enable()');
    call(() => this.#native.enable());
    this.#enabled = true;
  }

  /**
   * Stops delivering packets (pfring_disable_ring): a disabled ring receives
   * nothing (afpacket: the kernel filter rejects everything; files: reading
   * pauses). Releases the current batch; a pending nextBatch() rejects with
   * PFW_RING_NOT_ENABLED. Idempotent.
   * @throws PFW_RING_CLOSED
   */
  disable(): void {
    this.#check('disable()');
    call(() => this.#native.disable());
    this.#enabled = false;
    this.#wakeWaiter();
  }

  /**
   * Closes the ring: detaches every view into its memory (the current batch's
   * `data` and the descriptor columns read as empty afterwards, never crash),
   * then releases the backend. A pending nextBatch() resolves with null.
   * Idempotent; every other method throws PFW_RING_CLOSED afterwards, except
   * stats() (the last totals) and release() (nothing to do).
   */
  close(): void {
    if (this.#closed) return;
    try {
      this.#lastStats = this.#readStats();
    } catch {
      // keep the totals read last
    }
    this.#closed = true;
    this.#enabled = false;
    if (this.#flowTable) {
      // flows branch: nothing is lost; flushFlows() returns these.
      this.#flowsAtClose = this.#flowTable.flush('stop');
      this.#flowTable.close();
    }
    this.#native.close();
    this.#wakeWaiter();
  }

  /**
   * Filters packets with a BPF expression (libpcap syntax, compiled by libpcap
   * for this ring's link type and snaplen). Live backends run it in the kernel
   * (SO_ATTACH_FILTER / pfring_set_bpf_filter); files run it on each packet.
   * Replaces any previous filter.
   * @throws PFW_INVALID_ARGUMENT (not a non-empty string), PFW_BPF_INVALID (libpcap's reason), PFW_RING_CLOSED
   * @example ring.setBPFFilter('tcp port 443 or udp port 53');
   */
  setBPFFilter(expr: string): void {
    this.#check('setBPFFilter()');
    if (typeof expr !== 'string' || expr.trim() === '') {
      throw invalidArgument(`setBPFFilter: expr must be a non-empty BPF expression such as 'tcp port 80', got ${JSON.stringify(expr)}`);
    }
    call(() => this.#native.setBpf(expr));
    this.#bpf = expr;
  }

  /** Removes the BPF filter (no-op without one). @throws PFW_RING_CLOSED */
  removeBPFFilter(): void {
    this.#check('removeBPFFilter()');
    call(() => this.#native.removeBpf());
    this.#bpf = null;
  }

  /**
   * Which packets to receive: 'rx' (to this host), 'tx' (sent by it) or 'both'
   * (Direction.*, PF_RING's values). Files: only Linux cooked captures record a
   * direction.
   * @throws PFW_INVALID_ARGUMENT, PFW_NOT_SUPPORTED (a file without direction), PFW_RING_CLOSED
   */
  setDirection(direction: DirectionName | number): void {
    this.#check('setDirection()');
    const d = directionNumber(direction);
    if (d === null) throw invalidArgument(`setDirection: direction must be 'rx', 'tx' or 'both' (or Direction.Rx, .Tx, .Both), got ${JSON.stringify(direction)}`);
    call(() => this.#native.setDirection(BACKEND_DIRECTION[d]));
    this.#direction = d;
  }

  /**
   * What the ring is for: 'read', 'write' or 'both' (SocketMode.*, PF_RING's
   * values). Reads on a 'write' ring and writes on a 'read' ring throw
   * PFW_WRONG_SOCKET_MODE. Files: 'read' only.
   * @throws PFW_INVALID_ARGUMENT, PFW_NOT_SUPPORTED, PFW_RING_CLOSED
   */
  setSocketMode(mode: SocketModeName | number): void {
    this.#check('setSocketMode()');
    const m = socketModeNumber(mode);
    if (m === null) throw invalidArgument(`setSocketMode: mode must be 'read', 'write' or 'both' (or SocketMode.Read, .Write, .Both), got ${JSON.stringify(mode)}`);
    call(() => this.#native.setSocketMode(BACKEND_SOCKET_MODE[m]));
    this.#socketMode = m;
  }

  /**
   * Keeps 1 of every `rate` packets: the first, then every rate-th (PF_RING's
   * way). pfring samples in the kernel; the other backends in the Ring, after
   * the BPF filter. 1 keeps every packet.
   * @throws PFW_INVALID_ARGUMENT (not an integer >= 1), PFW_RING_CLOSED
   */
  setSamplingRate(rate: number): void {
    this.#check('setSamplingRate()');
    if (!Number.isInteger(rate) || rate < 1 || rate > 0xffffffff) {
      throw invalidArgument(`setSamplingRate: rate must be an integer >= 1 (1 keeps every packet, n keeps 1 of every n), got ${JSON.stringify(rate)}`);
    }
    call(() => this.#native.setSampling(rate));
    this.#samplingRate = rate;
  }

  /**
   * Names the application (pfring_set_application_name: shown in
   * /proc/net/pf_ring). afpacket and files keep it for `applicationName` only.
   * @throws PFW_INVALID_ARGUMENT, PFW_RING_CLOSED
   */
  setApplicationName(name: string): void {
    this.#check('setApplicationName()');
    if (typeof name !== 'string') throw invalidArgument(`setApplicationName: name must be a string, got ${JSON.stringify(name)}`);
    call(() => this.#native.setApplicationName(name));
    this.#applicationName = name;
  }

  /**
   * Joins cluster `id` with a balancing `type` (ClusterType, by name or PF_RING
   * number). afpacket: a PACKET_FANOUT group; pfring: pfring_set_cluster;
   * files: this ring keeps the packets of its `clusterSlot` (Ring.open option):
   * queue = hash mod count (round-robin: packet number mod count). The batch
   * `hash` column then uses this type.
   * @throws PFW_INVALID_ARGUMENT, the backend's errors, PFW_RING_CLOSED
   */
  setCluster(id: number, type: ClusterTypeName | number): void {
    this.#check('setCluster()');
    const t = clusterTypeOf(type);
    if (t === null) {
      throw invalidArgument(`setCluster: type must be one of ${CLUSTER_TYPE_NAMES.map((n, i) => `${n} (${i})`).join(', ')}, got ${JSON.stringify(type)}`);
    }
    if (!Number.isInteger(id) || id < 0 || id > 0xffffffff) throw invalidArgument(`setCluster: id must be an integer >= 0, got ${JSON.stringify(id)}`);
    call(() => this.#native.setCluster(id, t, this.#slot.index, this.#slot.count));
    this.#cluster = { id, type: t };
  }

  /** Leaves the cluster: this ring receives everything again. @throws PFW_RING_CLOSED */
  removeFromCluster(): void {
    this.#check('removeFromCluster()');
    call(() => this.#native.removeFromCluster());
    this.#cluster = null;
  }

  #readStats(): RingStats {
    const [received, dropped, delivered] = call(() => this.#native.stats()) as [number, number, number];
    return { received, dropped, delivered };
  }

  /**
   * Running totals since open (the kernel's counters reset on every read; the
   * Ring adds them up). After close(): the totals at close.
   */
  stats(): RingStats {
    if (this.#closed) return { ...this.#lastStats };
    this.#lastStats = this.#readStats();
    return { ...this.#lastStats };
  }

  /**
   * Injects one frame (link-layer header included) on a live ring.
   * @throws PFW_INVALID_ARGUMENT, PFW_WRONG_SOCKET_MODE (a 'read' ring), PFW_NOT_SUPPORTED (files), PFW_RING_CLOSED
   */
  writePacketData(bytes: Uint8Array): void {
    this.#check('writePacketData()');
    if (!(bytes instanceof Uint8Array)) throw invalidArgument('writePacketData: bytes must be a Uint8Array (or Buffer)');
    if (this.#socketMode === SocketMode.Read) throw wrongSocketMode('writePacketData()', 'read');
    call(() => this.#native.send(bytes));
  }

  #checkRead(what: string): void {
    this.#check(what);
    if (this.#socketMode === SocketMode.Write) throw wrongSocketMode(what, 'write');
  }

  /**
   * The next batch, without waiting: a Batch, or NextResult.NoPacket (nothing
   * now), NextResult.NotEnabled, NextResult.End (end of the file). Releases the
   * previous batch first (its `data` is detached).
   * @throws PFW_CAPTURE_DAMAGED (after every readable packet), the backend's errors, PFW_RING_CLOSED
   */
  readBatch(): RingBatch | NextOutcome {
    this.#checkRead('readBatch()');
    return this.#read(this.#maxBatch);
  }

  #read(max: number): RingBatch | NextOutcome {
    const data = call(() => this.#native.readBatch(max)) as Uint8Array | number;
    if (typeof data === 'number') return data as NextOutcome;
    const h = this.#header;
    return new RingBatch(this.#columns, h[0]!, h[1]!, data, this.#flowTable?.take());
  }

  /**
   * The next batch, waiting through the event loop (uv_poll on the ring's
   * descriptor; files never wait). Resolves null at the end of the input, and
   * when close() is called while it waits. Releases the previous batch first.
   * @throws (rejects) PFW_RING_NOT_ENABLED when the ring is or becomes disabled,
   *   PFW_RING_BUSY when another nextBatch() is pending, PFW_RING_CLOSED,
   *   PFW_CAPTURE_DAMAGED and the backend's errors
   */
  async nextBatch(): Promise<RingBatch | null> {
    this.#checkRead('nextBatch()');
    if (this.#pending) throw ringBusy();
    this.#pending = true;
    try {
      for (;;) {
        const r = this.#read(this.#maxBatch);
        if (typeof r !== 'number') return r;
        if (r === NextResult.End) {
          // flows branch: one last batch (count 0) carries the flows still open.
          if (this.#flowTable && !this.#flowsAtEnd) {
            this.#flowsAtEnd = true;
            return new RingBatch(this.#columns, 0, 0, new Uint8Array(0), this.#flowTable.flush('end'));
          }
          return null;
        }
        if (r === NextResult.NotEnabled) throw ringNotEnabled('nextBatch()');
        await this.#waitForPackets();
        if (this.#closed) return null;
      }
    } finally {
      this.#pending = false;
    }
  }

  #waitForPackets(): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        if (this.#wake === done) this.#wake = null;
        resolve();
      };
      this.#wake = done;
      const armed = call(() => this.#native.wait(done)) as boolean;
      if (!armed) setImmediate(done);
    });
  }

  #wakeWaiter(): void {
    const w = this.#wake;
    this.#wake = null;
    if (w) {
      if (!this.#closed) this.#native.cancelWait();
      w();
    }
  }

  /**
   * Hands the current batch back (ring memory to the kernel) and detaches its
   * `data`. The next read does this implicitly. No-op after close.
   */
  release(): void {
    if (this.#closed) return;
    this.#native.release();
  }

  /**
   * One packet, copied: its bytes and capture info; or NextResult.NoPacket,
   * .NotEnabled, .End. Releases the current batch. For the hot path use batches.
   * @throws PFW_CAPTURE_DAMAGED, the backend's errors, PFW_RING_CLOSED, PFW_WRONG_SOCKET_MODE
   * @example
   *   const p = ring.readPacketData();
   *   if (typeof p !== 'number') console.log(p.tsSec, p.tsNsec, p.caplen, p.len);
   */
  readPacketData(): PacketData | NextOutcome {
    this.#checkRead('readPacketData()');
    const b = this.#read(1);
    if (typeof b === 'number') return b;
    const off = b.dataOff[0]!;
    const caplen = b.caplen[0]!;
    const out: PacketData = {
      data: b.data.slice(off, off + caplen),
      tsSec: b.tsSec[0]!,
      tsNsec: b.tsNsec[0]!,
      caplen,
      len: b.len[0]!,
      ifindex: b.ifindex[0]!,
    };
    this.#native.release();
    return out;
  }

  /**
   * Like readPacketData, into `buffer`: copies min(caplen, buffer.length)
   * bytes and returns the capture info (caplen is the packet's, so a short
   * buffer shows), or NextResult.NoPacket, .NotEnabled, .End.
   * @throws PFW_INVALID_ARGUMENT, and as readPacketData
   */
  readPacketDataTo(buffer: Uint8Array): CaptureInfo | NextOutcome {
    this.#checkRead('readPacketDataTo()');
    if (!(buffer instanceof Uint8Array)) throw invalidArgument('readPacketDataTo: buffer must be a Uint8Array (or Buffer)');
    const b = this.#read(1);
    if (typeof b === 'number') return b;
    const off = b.dataOff[0]!;
    const caplen = b.caplen[0]!;
    buffer.set(b.data.subarray(off, off + Math.min(caplen, buffer.length)));
    const info: CaptureInfo = { tsSec: b.tsSec[0]!, tsNsec: b.tsNsec[0]!, caplen, len: b.len[0]!, ifindex: b.ifindex[0]! };
    this.#native.release();
    return info;
  }

  /**
   * Batches until the end of the input (`for await (const batch of ring)`).
   * Errors reject the loop (never dropped). Leaving the loop early releases
   * the current batch; closing the ring stays the caller's job.
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<RingBatch, void, undefined> {
    try {
      for (;;) {
        const batch = await this.nextBatch();
        if (batch === null) return;
        yield batch;
      }
    } finally {
      this.release();
    }
  }
}

