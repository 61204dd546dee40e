/** The committed hand-computed hash vectors (fixtures/hash-vectors.json) as frames. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildFrame } from './frames.js';
import type { FrameSpec } from './frames.js';

type JsonSpec = Omit<FrameSpec, 'payload' | 'body'> & { payloadLen?: number };

export interface HashVector {
  name: string;
  spec: JsonSpec;
  vlanTci?: number;
  hashes: Record<string, number>;
  why: string;
}

const file = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/hash-vectors.json');
export const hashVectors: HashVector[] = JSON.parse(readFileSync(file, 'utf8')).vectors;

export function vectorFrame(spec: JsonSpec): Uint8Array {
  const { payloadLen, ...rest } = spec;
  return buildFrame({ ...rest, payload: new Uint8Array(payloadLen ?? 0) } as FrameSpec);
}

/** The same flow in the other direction: addresses and ports swapped. */
export function swapped(spec: JsonSpec): JsonSpec {
  const out = structuredClone(spec);
  if (out.ip) [out.ip.src, out.ip.dst] = [out.ip.dst, out.ip.src];
  if (out.l4 && 'sport' in out.l4) [out.l4.sport, out.l4.dport] = [out.l4.dport, out.l4.sport];
  return out;
}
