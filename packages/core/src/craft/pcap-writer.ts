/**
 * Writes classic pcap files (microsecond or nanosecond magic) - for generated
 * fixtures, the demo capture and the benchmark input. libpcap reads what this
 * writes; nothing here reads files.
 */
import { openSync, writeSync, closeSync } from 'node:fs';

export interface PcapRecord {
  /** Whole seconds since the epoch. */
  tsSec: number;
  /** Nanoseconds within the second (0..999_999_999). */
  tsNsec: number;
  data: Uint8Array;
  /** Original length on the wire (defaults to data.length). */
  len?: number;
}

export interface PcapWriterOptions {
  /** LINKTYPE_ value (1 = Ethernet). */
  linkType?: number;
  /** Nanosecond timestamps (magic 0xa1b23c4d) - the default - or microseconds (0xa1b2c3d4). */
  nanosecond?: boolean;
  snaplen?: number;
}

/** Streams pcap records to a file with buffered writes. Call close() at the end. */
export class PcapWriter {
  readonly #fd: number;
  readonly #nano: boolean;
  #buf = Buffer.allocUnsafe(1 << 20);
  #used = 0;

  constructor(path: string, opts: PcapWriterOptions = {}) {
    this.#fd = openSync(path, 'w');
    this.#nano = opts.nanosecond ?? true;
    const h = Buffer.alloc(24);
    h.writeUInt32LE(this.#nano ? 0xa1b23c4d : 0xa1b2c3d4, 0);
    h.writeUInt16LE(2, 4);
    h.writeUInt16LE(4, 6);
    h.writeUInt32LE(opts.snaplen ?? 262144, 16);
    h.writeUInt32LE(opts.linkType ?? 1, 20);
    writeSync(this.#fd, h);
  }

  write(rec: PcapRecord): void {
    const need = 16 + rec.data.length;
    if (this.#used + need > this.#buf.length) this.flush();
    if (need > this.#buf.length) this.#buf = Buffer.allocUnsafe(need);
    const b = this.#buf;
    const frac = this.#nano ? rec.tsNsec : Math.floor(rec.tsNsec / 1000);
    b.writeUInt32LE(rec.tsSec >>> 0, this.#used);
    b.writeUInt32LE(frac >>> 0, this.#used + 4);
    b.writeUInt32LE(rec.data.length, this.#used + 8);
    b.writeUInt32LE(rec.len ?? rec.data.length, this.#used + 12);
    b.set(rec.data, this.#used + 16);
    this.#used += need;
  }

  flush(): void {
    if (this.#used) writeSync(this.#fd, this.#buf, 0, this.#used);
    this.#used = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.#fd);
  }
}

/** Writes all records to a pcap file at once. */
export function writePcapFile(path: string, records: Iterable<PcapRecord>, opts?: PcapWriterOptions): void {
  const w = new PcapWriter(path, opts);
  try {
    for (const r of records) w.write(r);
  } finally {
    w.close();
  }
}
