/**
 * The frame injector of the live tests: sends the frames of a pcap file (written
 * by the test with @pfwork/core's PcapWriter) on one interface with the
 * project's own `Ring.writePacketData`, as fast as possible or at a given rate,
 * and reports exactly how many frames the kernel accepted.
 *
 * Run inside the test's namespace (test/support/netns.ts):
 *
 *   ip netns exec <ns> node --import tsx test/support/inject.ts --device <if> --file <pcap> [--rate <pps>]
 *       -> prints one JSON line: {"type":"report","sent":...,"bytes":...,"busy":...,"elapsedMs":...,"pps":...}
 *   ip netns exec <ns> node --import tsx test/support/inject.ts --device <if> --serve
 *       -> reads requests, one JSON line each ({"file":...,"rate":...}) on stdin, answers each with a report line
 *
 * From a test: `runInject(pair, { file, rate })` (one process per call) or
 * `startInjector(pair)` (one process, many calls: cheaper when a test injects
 * many times).
 *
 * Accounting: a frame counts as sent when send() succeeded. On a veth (no
 * queue) that means the peer took it into its receive backlog, so every sent
 * frame reaches the capture end's packet taps. When the peer's backlog is full
 * the kernel refuses the frame (ENOBUFS, PFW_TX_BUSY): the injector waits
 * 50 microseconds and sends it again, counting `busy`; it is never counted twice.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { VethPair } from './netns.js';

export interface InjectRequest {
  /** pcap file (classic format, Ethernet, either timestamp resolution). */
  file: string;
  /** Serve mode only: send on this interface of the namespace instead of the one the injector started with. */
  device?: string;
  /** Frames per second; omitted or 0 = as fast as the kernel takes them. */
  rate?: number;
}

export interface InjectReport {
  type: 'report';
  device: string;
  /** Frames the kernel accepted (each frame of the file exactly once). */
  sent: number;
  /** Bytes of those frames. */
  bytes: number;
  /** Times a frame was refused for a full backlog and sent again. */
  busy: number;
  elapsedMs: number;
  /** sent / elapsed. */
  pps: number;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const scriptPath = path.join(here, 'inject.ts');

/** Reads the frames of a classic pcap file (little- or big-endian, µs or ns). */
export function readPcapFrames(file: string): Uint8Array[] {
  const buf = readFileSync(file);
  if (buf.length < 24) throw new Error(`${file}: not a pcap file (${buf.length} bytes)`);
  const magicLE = buf.readUInt32LE(0);
  let le: boolean;
  if (magicLE === 0xa1b2c3d4 || magicLE === 0xa1b23c4d) le = true;
  else if (buf.readUInt32BE(0) === 0xa1b2c3d4 || buf.readUInt32BE(0) === 0xa1b23c4d) le = false;
  else throw new Error(`${file}: not a classic pcap file (magic 0x${magicLE.toString(16)})`);
  const u32 = (o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const frames: Uint8Array[] = [];
  let off = 24;
  while (off + 16 <= buf.length) {
    const incl = u32(off + 8);
    if (off + 16 + incl > buf.length) throw new Error(`${file}: record ${frames.length + 1} is cut short`);
    frames.push(buf.subarray(off + 16, off + 16 + incl));
    off += 16 + incl;
  }
  return frames;
}

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

interface Writer {
  writePacketData(data: Uint8Array): unknown;
}

/** Sends frames on an open ring; the loop behind the script (exported for reuse). */
export function sendFrames(ring: Writer, device: string, frames: Uint8Array[], rate = 0): InjectReport {
  const start = process.hrtime.bigint();
  const startNs = Number(start);
  const gapNs = rate > 0 ? 1e9 / rate : 0;
  let sent = 0;
  let bytes = 0;
  let busy = 0;
  for (const frame of frames) {
    if (gapNs) {
      const due = startNs + sent * gapNs;
      const wait = due - Number(process.hrtime.bigint());
      // Sleep off long gaps; short ones are sent in the same burst (the
      // average rate is what is asked for, bursts last under a millisecond).
      if (wait > 200_000) sleepMs(wait / 1e6);
    }
    for (;;) {
      try {
        ring.writePacketData(frame);
        break;
      } catch (err) {
        if ((err as { code?: string }).code !== 'PFW_TX_BUSY') throw err;
        busy++;
        sleepMs(0.05);
      }
    }
    sent++;
    bytes += frame.length;
  }
  const elapsedNs = Number(process.hrtime.bigint() - start);
  return {
    type: 'report',
    device,
    sent,
    bytes,
    busy,
    elapsedMs: elapsedNs / 1e6,
    pps: elapsedNs > 0 ? Math.round((sent * 1e9) / elapsedNs) : sent,
  };
}

function injectArgs(pair: VethPair, extra: string[]): string[] {
  return ['netns', 'exec', pair.ns, process.execPath, '--import', 'tsx', scriptPath, '--device', pair.injectIf, ...extra];
}

function parseReport(line: string, stderr: string): InjectReport {
  try {
    const r = JSON.parse(line) as InjectReport | { type: 'error'; message: string; code?: string };
    if (r.type === 'report') return r;
    throw new Error(`injector failed: ${r.message}${r.code ? ` (${r.code})` : ''}`);
  } catch (err) {
    if (err instanceof SyntaxError) throw new Error(`injector printed no report: ${line}\n${stderr}`);
    throw err;
  }
}

/**
 * Injects the frames of `req.file` from the namespace end of `pair` in a new
 * process and resolves with its report. Rejects with the injector's error.
 * @example const r = await runInject(pair, { file, rate: 100_000 }); expect(r.sent).toBe(frames)
 */
export function runInject(pair: VethPair, req: InjectRequest): Promise<InjectReport> {
  const extra = ['--file', req.file, ...(req.rate ? ['--rate', String(req.rate)] : [])];
  return new Promise((resolve, reject) => {
    const child = spawn('ip', injectArgs(pair, extra), { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      try {
        resolve(parseReport(line, err));
      } catch (e) {
        reject(code === 0 ? e : new Error(`injector exited with ${code}: ${err || out}`));
      }
    });
  });
}

export interface Injector {
  /** Injects one file; resolves with its report. Calls are served in order. */
  inject(req: InjectRequest): Promise<InjectReport>;
  /** Ends the injector process. Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts one long-lived injector process in the namespace of `pair` (the Ring
 * opens once; each inject() costs no process start).
 */
export function startInjector(pair: VethPair): Injector {
  const child: ChildProcess = spawn('ip', injectArgs(pair, ['--serve']), { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d));
  const waiting: { resolve: (r: InjectReport) => void; reject: (e: Error) => void }[] = [];
  const lines = createInterface({ input: child.stdout! });
  lines.on('line', (line) => {
    const w = waiting.shift();
    if (!w) return;
    try {
      w.resolve(parseReport(line, stderr));
    } catch (e) {
      w.reject(e as Error);
    }
  });
  const exited = new Promise<void>((resolve) =>
    child.on('close', (code) => {
      for (const w of waiting.splice(0)) w.reject(new Error(`injector exited with ${code}: ${stderr}`));
      resolve();
    }),
  );
  return {
    inject(req) {
      return new Promise((resolve, reject) => {
        waiting.push({ resolve, reject });
        child.stdin!.write(JSON.stringify(req) + '\n');
      });
    },
    async close() {
      if (child.exitCode === null && !child.stdin!.destroyed) child.stdin!.end();
      await exited;
    },
  };
}

function argValue(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

async function main(argv: string[]): Promise<void> {
  const device = argValue(argv, '--device');
  if (!device) throw new Error('usage: inject.ts --device <if> (--file <pcap> [--rate <pps>] | --serve)');
  const { Ring } = await import('@pfwork/native');
  const rings = new Map<string, ReturnType<typeof Ring.open>>();
  // Write-only rings: the kernel accepts (and copies) nothing into them.
  const ringOn = (dev: string) => {
    let r = rings.get(dev);
    if (!r) {
      r = Ring.open({ device: dev, snaplen: 128, blockSize: 1 << 16, blockCount: 1, enabled: false });
      r.setSocketMode('write');
      rings.set(dev, r);
    }
    return r;
  };
  const print = (o: object) => process.stdout.write(JSON.stringify(o) + '\n');
  try {
    ringOn(device);
    if (argv.includes('--serve')) {
      for await (const line of createInterface({ input: process.stdin })) {
        if (!line.trim()) continue;
        try {
          const req = JSON.parse(line) as InjectRequest;
          const dev = req.device ?? device;
          print(sendFrames(ringOn(dev), dev, readPcapFrames(req.file), req.rate ?? 0));
        } catch (err) {
          const e = err as Error & { code?: string };
          print({ type: 'error', message: e.message, code: e.code });
        }
      }
    } else {
      const file = argValue(argv, '--file');
      if (!file) throw new Error('inject.ts: --file <pcap> or --serve is required');
      const rate = Number(argValue(argv, '--rate') ?? 0);
      print(sendFrames(ringOn(device), device, readPcapFrames(file), rate));
    }
  } finally {
    for (const r of rings.values()) r.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((err: Error & { code?: string }) => {
    process.stdout.write(JSON.stringify({ type: 'error', message: err.message, code: err.code }) + '\n');
    process.exitCode = 1;
  });
}
