/**
 * Renders the run's tables as plain text (stdout) and Markdown (docs,
 * --markdown). Rates and CPU figures are medians over the runs; the "vs"
 * columns are medians of the ratios within each round (lib/paired.ts), as the
 * targets are, so they can differ from the ratio of the printed medians.
 */
import { pairedRatio } from './paired.js';
import { cpuNsOf, ppsOf } from './report.js';
import type { RowSummary } from './summary.js';
import type { TargetResult } from './targets.js';

function mpps(v: number | undefined): string {
  if (v === undefined) return '-';
  return v >= 1e6 ? `${(v / 1e6).toFixed(2)} M` : `${(v / 1e3).toFixed(0)} k`;
}

function times(r: number | undefined): string {
  return r === undefined ? '-' : `${r.toFixed(2)}x`;
}

function kb(v: number | undefined): string {
  if (v === undefined) return '-';
  return v >= 10240 ? `${(v / 1024).toFixed(0)} MB` : `${v} kB`;
}

function targetCells(targets: TargetResult[], id: string): [string, string] {
  const mine = targets.filter((t) => t.row === id);
  if (!mine.length) return ['', ''];
  const text = mine.map((t) => `${t.text}${t.measured ? ` (${t.measured})` : ''}`).join('; ');
  const verdict = mine.some((t) => t.verdict === 'MISS') ? 'MISS' : mine.some((t) => t.verdict === 'n/a') ? 'n/a' : 'PASS';
  return [text, verdict];
}

/** A failure's gist for a table cell (the whole message is in the log above the table and in --json). */
function firstWords(msg: string): string {
  const line = msg.split('\n').find((l) => l.trim()) ?? '';
  return line.length > 90 ? `${line.slice(0, 87)}...` : line;
}

export interface Table {
  title: string;
  head: string[];
  rows: string[][];
}

export function buildTables(rows: RowSummary[], targets: TargetResult[]): Table[] {
  const by = new Map(rows.map((r) => [r.id, r]));
  const a = by.get('a');
  const b = by.get('b');
  const note = (r: RowSummary) => (r.skipped ? `skipped: ${r.skipped}` : r.error ? `FAILED: ${firstWords(r.error)}` : '');
  const fileTargets = targets.filter((t) => t.text !== 'JS heap flat');
  const file: Table = {
    title: 'Capture file',
    head: ['row', 'packets/s', 'vs A', 'vs B', 'CPU ns/packet', 'target', 'result'],
    rows: rows
      .filter((r) => r.section === 'file')
      .map((r) => {
        if (r.pps === undefined) return [r.title, '-', '-', '-', '-', note(r), ''];
        const cpu = r.cpuNsPerPacket === undefined ? '-' : r.cpuNsPerPacket.toFixed(0);
        return [r.title, mpps(r.pps), times(pairedRatio(r, a, ppsOf)), times(pairedRatio(r, b, ppsOf)), cpu, ...targetCells(fileTargets, r.id)];
      }),
  };
  const c = by.get('live-c');
  const live: Table = {
    title: 'Live (veth in a namespace, AF_PACKET)',
    head: ['row', 'offered', 'received', 'dropped', 'CPU ns/packet', 'vs C reader', 'target', 'result'],
    rows: rows
      .filter((r) => r.section === 'live')
      .map((r) => {
        if (!r.runs.length) return [r.title, '-', '-', '-', '-', '-', note(r), ''];
        const received = r.runs[r.runs.length - 1]!.packets;
        return [
          r.title,
          r.injectPps === undefined ? '-' : `${mpps(r.injectPps)}pps`,
          String(received),
          r.drops === undefined ? '-' : String(r.drops),
          r.cpuNsPerPacket === undefined ? '-' : r.cpuNsPerPacket.toFixed(0),
          times(pairedRatio(r, c, cpuNsOf)),
          ...targetCells(fileTargets, r.id),
        ];
      }),
  };
  const heapTargets = targets.filter((t) => t.text === 'JS heap flat');
  const memory: Table = {
    title: 'Memory',
    head: ['row', 'JS heap growth', 'GCs minor/major', 'peak RSS per worker', 'bytes per flow', 'target', 'result'],
    rows: rows
      .filter((r) => r.runs.length && (r.rssKb !== undefined || r.heapGrowth !== undefined))
      .map((r) => [
        r.title,
        r.heapGrowth === undefined ? '-' : `${r.heapGrowth >= 0 ? '+' : ''}${(r.heapGrowth / 1024).toFixed(0)} kB`,
        r.minorGcs === undefined ? '-' : `${r.minorGcs}/${r.majorGcs}`,
        kb(r.rssKb),
        r.bytesPerFlow === undefined ? '-' : r.bytesPerFlow.toFixed(0),
        ...targetCells(heapTargets, r.id),
      ]),
  };
  return [file, live, memory].filter((t) => t.rows.length);
}

export function renderText(t: Table): string {
  const widths = t.head.map((h, i) => Math.max(h.length, ...t.rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [t.title, line(t.head), widths.map((w) => '-'.repeat(w)).join('  '), ...t.rows.map(line)].join('\n');
}

export function renderMarkdown(t: Table): string {
  const esc = (s: string) => s.replaceAll('|', '\\|');
  return [`**${t.title}**`, '', `| ${t.head.join(' | ')} |`, `|${t.head.map(() => '---').join('|')}|`, ...t.rows.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
}
