import { describe, expect, test } from 'vitest';
import { defineHandler } from '@pfwork/core';
import { ReportMerger } from '../src/supervisor/report-merger.js';

const summing = defineHandler({
  name: 'sum',
  report: () => 0,
  merge: (parts: number[]) => parts.reduce((a, b) => a + b, 0),
});

describe('ReportMerger', () => {
  test('merges the latest part of each worker with the handler\'s merge()', () => {
    const m = new ReportMerger(3, summing);
    expect(m.any).toBe(false);
    m.update(0, 5);
    m.update(2, 7);
    m.update(0, 6);
    expect(m.parts()).toEqual([6, 7]);
    expect(m.merged()).toEqual({ report: 13 });
  });

  test('a restarted worker\'s last part is kept beside the new process\'s', () => {
    const m = new ReportMerger(2, summing);
    m.update(0, 10);
    m.update(1, 1);
    m.retire(0);
    m.update(0, 3);
    expect(m.parts()).toEqual([10, 3, 1]);
    expect(m.merged().report).toBe(14);
  });

  test('without merge() the report is the parts; a throwing merge() is reported, not fatal', () => {
    expect(new ReportMerger(1, defineHandler({ name: 'x', report: () => 1 })).merged()).toEqual({ report: [] });
    const bad = new ReportMerger(1, defineHandler({ name: 'y', report: () => 1, merge: () => { throw new Error('nope'); } }));
    bad.update(0, 1);
    expect(bad.merged()).toEqual({ report: null, error: 'merge() threw: nope' });
  });
});
