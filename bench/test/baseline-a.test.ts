/**
 * Baseline A must do the same work as pfwork: it counts every packet and
 * flow of the capture, and its cluster hash is pfwork's (the sum of every
 * packet's hash equals the sum of @pfwork/native's clusterHash).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { clusterHash } from '@pfwork/native';
import { generateCapture } from '../gen/generate.js';
import { buildCPrograms } from '../lib/build-c.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'pfw-bench-a-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function frames(file: string): Uint8Array[] {
  const b = readFileSync(file);
  const out: Uint8Array[] = [];
  for (let o = 24; o < b.length; ) {
    const n = b.readUInt32LE(o + 8);
    out.push(b.subarray(o + 16, o + 16 + n));
    o += 16 + n;
  }
  return out;
}

it('counts every packet and flow and computes the cluster hash exactly as pfwork does', () => {
  const file = path.join(dir, 'a.pcap');
  generateCapture(file, { packets: 20_000, flows: 3_000, seed: 11 });
  const bins = buildCPrograms();
  const r = JSON.parse(execFileSync(bins.baseline_a!, [file], { encoding: 'utf8' })) as { packets: number; flows: number; hashSum: string };
  expect(r.packets).toBe(20_000);
  expect(r.flows).toBe(3_000);
  let sum = 0n;
  for (const f of frames(file)) sum += BigInt(clusterHash(f, 'per-flow'));
  expect(r.hashSum).toBe(sum.toString());
});
