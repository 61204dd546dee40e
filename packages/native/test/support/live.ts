/**
 * Helpers of the live-capture tests: a reader that drains a Ring through the
 * event loop (nextBatch, i.e. uv_poll on the ring's descriptor) and copies what
 * each packet says, and small waiting utilities.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Batch } from '../../src/types.js';

/** What a test keeps of one received packet (copied out of the batch). */
export interface Got {
  bytes: Uint8Array;
  tsSec: number;
  tsNsec: number;
  caplen: number;
  len: number;
  vlan: number;
  direction: number;
  hash: number;
  ifindex: number;
  proto: number;
  sport: number;
  dport: number;
  l3Off: number;
  l4Off: number;
}

export function copyPacket(b: Batch, i: number): Got {
  const off = b.dataOff[i]!;
  return {
    bytes: b.data.slice(off, off + b.caplen[i]!),
    tsSec: b.tsSec[i]!,
    tsNsec: b.tsNsec[i]!,
    caplen: b.caplen[i]!,
    len: b.len[i]!,
    vlan: b.vlan[i]!,
    direction: b.direction[i]!,
    hash: b.hash[i]!,
    ifindex: b.ifindex[i]!,
    proto: b.proto[i]!,
    sport: b.sport[i]!,
    dport: b.dport[i]!,
    l3Off: b.l3Off[i]!,
    l4Off: b.l4Off[i]!,
  };
}

interface BatchSource {
  nextBatch(): Promise<Batch | null>;
}

export interface Reader {
  /** Packets read so far (copied). */
  readonly got: Got[];
  /** Batches read so far. */
  readonly batches: number;
  /** Resolves when the ring is closed (nextBatch resolves null); rejects with a read error. */
  readonly done: Promise<void>;
}

/**
 * Reads `ring` batch by batch until it is closed, copying every packet
 * (`keep` false: only counts them, in `got.length` - no copies).
 */
export function startReader(ring: BatchSource, keep = true): Reader {
  const got: Got[] = [];
  const state = { batches: 0 };
  const done = (async () => {
    for (;;) {
      const b = await ring.nextBatch();
      if (b === null) return;
      state.batches++;
      if (keep) for (let i = 0; i < b.count; i++) got.push(copyPacket(b, i));
      else got.length += b.count;
    }
  })();
  return {
    got,
    get batches() {
      return state.batches;
    },
    done,
  };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Waits until `cond()` holds or `timeoutMs` passes; returns whether it held. */
export async function waitFor(cond: () => boolean, timeoutMs: number, stepMs = 5): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) return false;
    await sleep(stepMs);
  }
  return true;
}

/** The interface index of a device in this namespace. */
export function ifindexOf(device: string): number {
  return Number(readFileSync(`/sys/class/net/${device}/ifindex`, 'utf8').trim());
}

/** A scratch directory removed by the returned cleanup. */
export function scratchDir(tag: string): { dir: string; file(name: string): string; cleanup(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), `pfw-${tag}-`));
  return { dir, file: (name) => path.join(dir, name), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The wall clock in nanoseconds, at millisecond resolution (to bracket packet timestamps). */
export function wallNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

export function tsNs(g: { tsSec: number; tsNsec: number }): bigint {
  return BigInt(g.tsSec) * 1_000_000_000n + BigInt(g.tsNsec);
}
