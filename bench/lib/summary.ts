/** A row's runs reduced to the figures the tables print (medians; worst case for drops and heap). */
import { cpuNsOf, ppsOf, type ProgramReport } from './report.js';
import { median } from './stats.js';

export interface RowSummary {
  id: string;
  title: string;
  section: 'file' | 'live';
  skipped?: string;
  error?: string;
  runs: ProgramReport[];
  pps?: number;
  cpuNsPerPacket?: number;
  /** Worst run. */
  drops?: number;
  heapGrowth?: number;
  minorGcs?: number;
  majorGcs?: number;
  /** Largest peak RSS of any worker over the runs (kB). */
  rssKb?: number;
  workers?: number;
  flows?: number;
  bytesPerFlow?: number;
  /** Median rate the injector reached (live rows). */
  injectPps?: number;
  sent?: number;
}

export function summarize(id: string, title: string, section: 'file' | 'live', runs: ProgramReport[]): RowSummary {
  const s: RowSummary = { id, title, section, runs };
  if (runs.length === 0) return s;
  s.pps = median(runs.map(ppsOf));
  const cpuNs = runs.map(cpuNsOf);
  if (cpuNs.every((v) => v !== undefined)) s.cpuNsPerPacket = median(cpuNs as number[]);
  if (runs.every((r) => typeof r.drops === 'number')) s.drops = Math.max(...runs.map((r) => r.drops!));
  if (runs.every((r) => typeof r.heapGrowth === 'number')) s.heapGrowth = Math.max(...runs.map((r) => r.heapGrowth as number));
  if (runs.every((r) => typeof r.minorGcs === 'number')) {
    s.minorGcs = median(runs.map((r) => r.minorGcs as number));
    s.majorGcs = median(runs.map((r) => r.majorGcs as number));
  }
  const rss = runs.flatMap((r) => r.rssKb ?? (typeof r.maxRssKb === 'number' ? [r.maxRssKb] : []));
  if (rss.length) s.rssKb = Math.max(...rss);
  s.workers = runs[0]!.rssKb?.length ?? 1;
  const last = runs[runs.length - 1]!;
  s.flows = last.flows;
  if (typeof last.tableBytes === 'number' && last.flows) s.bytesPerFlow = (last.tableBytes as number) / last.flows;
  if (typeof last.bytesPerFlow === 'number') s.bytesPerFlow = last.bytesPerFlow;
  if (runs.every((r) => typeof r.injectPps === 'number')) s.injectPps = median(runs.map((r) => r.injectPps as number));
  if (typeof last.sent === 'number') s.sent = last.sent;
  return s;
}
