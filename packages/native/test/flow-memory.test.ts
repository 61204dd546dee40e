/**
 * The flow table at its documented size: 1,000,000 concurrent flows within
 * the documented memory (docs/flows.md: 128 bytes per flow in chunks of 65536,
 * plus 8 bytes per index slot, at least 2 slots per flow: 150,994,944 bytes
 * for 1,000,000 flows). Synthetic keys go in through a native test entry point
 * so the test stays fast; the same account() path serves real packets.
 */
import { describe, expect, it } from 'vitest';
import { FlowTable } from '../src/flows.js';
import { loadNative } from '../src/loader.js';

const T0 = 1_700_000_000;
const MILLION = 1_000_000;
const DOCUMENTED_BYTES = 150_994_944; // docs/flows.md

describe('1,000,000 concurrent flows', () => {
  it('the documented sizes are the built ones', () => {
    expect(loadNative().flowSizes).toMatchObject({ flow: 128, indexSlot: 8, maxTunnelDepth: 4 });
    expect(FlowTable.memoryBound(MILLION)).toBe(DOCUMENTED_BYTES);
    // 65536-flow chunks and a power-of-two index of at least 2 slots per flow
    expect(FlowTable.memoryBound(65536)).toBe(65536 * 128 + 131072 * 8);
    expect(FlowTable.memoryBound(1)).toBe(65536 * 128 + 1024 * 8);
  });

  it('holds them all within the documented memory, then evicts the oldest to make room', () => {
    const rssBefore = process.memoryUsage().rss;
    const t = new FlowTable({ maxFlows: MILLION });
    t.insertSyntheticForTest(MILLION, T0);
    const s = t.stats();
    expect(s).toMatchObject({ active: MILLION, created: MILLION, evicted: 0, finished: 0 });
    expect(s.memoryBytes).toBeLessThanOrEqual(DOCUMENTED_BYTES + 64 * 1024);
    // what the process really took (allocator and V8 noise allowed for)
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(DOCUMENTED_BYTES + 32 * 1024 * 1024);

    t.insertSyntheticForTest(1, T0 + 1, true); // one IPv6 flow more: the oldest IPv4 one goes
    expect(t.stats()).toMatchObject({ active: MILLION, created: MILLION + 1, evicted: 1, finished: 1 });

    const all = t.flush('end');
    expect(all.count).toBe(MILLION + 1); // the evicted one and every open one: none lost
    let evicted = 0;
    for (let i = 0; i < all.count; i++) if (all.endReason[i] === 6) evicted++;
    expect(evicted).toBe(1);
    const after = t.stats();
    expect(after.active).toBe(0);
    // the hand-over buffers of that flush are given back; the flow chunks stay for reuse
    expect(after.memoryBytes).toBeLessThanOrEqual(DOCUMENTED_BYTES + 64 * 1024);
    t.close();
  });
});
