/**
 * The live benchmark's link: a veth pair whose inject end sits in a network
 * namespace of its own (test/support/netns.ts, shared with the live tests), so
 * the benchmark sends traffic nowhere but interfaces it created. Traffic is
 * sent by bench/c/inject.c inside the namespace.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './paths.js';
import { runProgram } from './spawn.js';

export interface LiveLink {
  ns: string;
  captureIf: string;
  injectIf: string;
  cleanup(): void;
}

export interface InjectResult {
  sent: number;
  bytes: number;
  busy: number;
  seconds: number;
  pps: number;
}

const NETNS_MODULE = path.join(REPO_ROOT, 'test/support/netns.ts');

/** Why live rows cannot run here, or undefined. */
export function liveSkipReason(): string | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    return 'needs root: the live rows create a network namespace and a veth pair and open AF_PACKET sockets';
  }
  if (!existsSync(NETNS_MODULE)) return 'test/support/netns.ts is not in this checkout (branch afpacket not merged)';
  return undefined;
}

/** Creates the pair (call liveSkipReason first). */
export async function createLiveLink(): Promise<LiveLink> {
  const { createVethPair } = (await import(NETNS_MODULE)) as {
    createVethPair(tag: string): { ns: string; captureIf: string; injectIf: string; cleanup(): void };
  };
  const pair = createVethPair('bench');
  return { ns: pair.ns, captureIf: pair.captureIf, injectIf: pair.injectIf, cleanup: () => pair.cleanup() };
}

/** Sends every frame of `file` from the namespace end at `rate` packets/s (0 = as fast as possible). */
export async function inject(link: LiveLink, injectBin: string, file: string, rate: number): Promise<InjectResult> {
  const r = await runProgram('the injector', 'ip', ['netns', 'exec', link.ns, injectBin, '--device', link.injectIf, '--file', file, '--rate', String(rate)]);
  return r as unknown as InjectResult;
}
