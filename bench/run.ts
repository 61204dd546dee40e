/**
 * `npm run bench`: generates (once) the benchmark capture, builds the C
 * baselines and node_pcap, runs every row --runs times on the same input
 * (rows interleaved, so a noisy moment hits all rows alike), and prints the
 * tables with the medians, the ratios and the issue's targets.
 * Progress goes to stderr, the tables to stdout. docs/bench.md says what each
 * row measures.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CACHE_DIR, ensureCapture } from './gen/cache.js';
import { buildCPrograms } from './lib/build-c.js';
import { prepareCapture, type CacheState } from './lib/page-cache.js';
import { createLiveLink, type LiveLink } from './lib/live-link.js';
import { describeMachine, machineInfo } from './lib/machine.js';
import { loadNativeExports } from './lib/native-probe.js';
import { ensureNodePcap } from './lib/node-pcap.js';
import { parseOptions, USAGE } from './lib/options.js';
import { ppsOf, type ProgramReport } from './lib/report.js';
import { summarize, type RowSummary } from './lib/summary.js';
import { buildTables, renderMarkdown, renderText } from './lib/table.js';
import { evaluateTargets } from './lib/targets.js';
import { ROWS, inRunOrder } from './rows/index.js';
import type { Row, RowEnv } from './rows/types.js';

const log = (m: string) => process.stderr.write(`bench: ${m}\n`);

/** Rows whose flow count must be the generator's exactly (they count distinct 5-tuples). */
const EXACT_FLOWS = new Set(['a', 'a-2', 'b', 'handler-1', 'handler-2']);

function checkCounts(row: Row, env: RowEnv, r: ProgramReport): string | undefined {
  const want = env.capture.summary;
  const copies = r.copies ?? 1;
  if (row.section === 'file' && r.packets !== want.packets * copies) {
    return `counted ${r.packets} packets, the file has ${want.packets}${copies > 1 ? ` (read ${copies} times)` : ''}`;
  }
  if (row.section === 'file' && typeof r.flows === 'number' && r.flows !== want.flows) {
    // 2 workers counting more flows than there are means a flow was split between workers
    const msg = `counted ${r.flows} flows, the file has ${want.flows}`;
    if (EXACT_FLOWS.has(row.id)) return msg;
    log(`  note: ${row.id} ${msg} (flow records: timeouts or closes may split a flow)`);
  }
  if (row.section === 'live' && typeof r.sent === 'number' && r.packets + (r.drops ?? 0) !== r.sent) {
    return `received ${r.packets} + dropped ${r.drops ?? 0} != sent ${r.sent}`;
  }
  return undefined;
}

/** "100% of it cached, 97-98% mapped in 2 MB entries" over the file runs. */
function describeCache(states: CacheState[]): string {
  const range = (shares: number[]) => {
    const lo = Math.round(100 * Math.min(...shares));
    const hi = Math.round(100 * Math.max(...shares));
    return lo === hi ? `${lo}%` : `${lo}-${hi}%`;
  };
  const cached = range(states.map((s) => s.resident / Math.max(1, s.pages)));
  const pmd = states.filter((s) => s.pmdMappedBytes !== undefined && s.pmdMappedBytes >= 0);
  return (
    `${cached} of it cached` +
    (pmd.length ? `, ${range(pmd.map((s) => s.pmdMappedBytes! / Math.max(1, s.pages * s.pageSize)))} mapped in 2 MB entries` : '')
  );
}

async function main(): Promise<number> {
  let opts;
  try {
    opts = parseOptions(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (opts.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (opts.list) {
    for (const r of ROWS) process.stdout.write(`${r.id.padEnd(12)} ${r.section.padEnd(5)} ${r.title}\n`);
    return 0;
  }
  const unknown = opts.only?.filter((id) => !ROWS.some((r) => r.id === id)) ?? [];
  if (unknown.length) {
    process.stderr.write(`unknown row id(s): ${unknown.join(', ')} (known: ${ROWS.map((r) => r.id).join(', ')})\n`);
    return 2;
  }
  const selected = ROWS.filter((r) => !opts.only || opts.only.includes(r.id));
  const machine = machineInfo();
  await loadNativeExports();
  const bins = buildCPrograms(log);
  if (selected.some((r) => r.id.startsWith('b'))) ensureNodePcap(log);
  const capture = ensureCapture({ packets: opts.packets, flows: opts.flows, seed: opts.seed }, CACHE_DIR, log);
  mkdirSync(CACHE_DIR, { recursive: true });
  const tmp = mkdtempSync(path.join(CACHE_DIR, 'run-'));
  const env: RowEnv = { options: opts, capture, bins, tmp, log };

  const skips = new Map<string, string>();
  for (const r of selected) {
    const why = r.skipReason(env);
    if (why) skips.set(r.id, why);
  }
  const cacheStates: CacheState[] = [];
  let link: LiveLink | undefined;
  const runsOf = new Map<string, ProgramReport[]>(selected.map((r) => [r.id, []]));
  const errors = new Map<string, string>();
  try {
    if (selected.some((r) => r.section === 'live' && !skips.has(r.id))) {
      env.liveCapture = ensureCapture({ packets: opts.livePackets, flows: opts.liveFlows, seed: opts.seed }, CACHE_DIR, log);
      link = await createLiveLink();
      env.link = link;
      log(`live link: ${link.captureIf} (capture) <-> ${link.injectIf} in namespace ${link.ns}`);
    }
    for (let run = 1; run <= opts.runs; run++) {
      for (const row of inRunOrder(selected)) {
        if (skips.has(row.id) || errors.has(row.id)) continue;
        log(`run ${run}/${opts.runs}: ${row.id} (${row.title})`);
        try {
          if (row.section === 'file') {
            const p = prepareCapture(bins.page_cache!, env.capture.path, !opts.keepPageCache);
            cacheStates.push(p.state);
            if (p.leftCached) log(`  ${p.leftCached} pages of the capture stayed cached when dropped (mapped by a running process?)`);
            if (opts.keepPageCache && p.read.wasCold) log(`  the capture had left the page cache: read it back in ${p.read.seconds.toFixed(2)} s before the run`);
          }
          const r = { ...(await row.runOnce(env)), round: run };
          const bad = checkCounts(row, env, r);
          if (bad) throw new Error(bad);
          runsOf.get(row.id)!.push(r);
          const rate = ppsOf(r);
          const index = typeof r.indexCpuSeconds === 'number' ? ` + index thread ${r.indexCpuSeconds.toFixed(3)} s` : '';
          log(`  ${r.packets} packets in ${r.seconds.toFixed(3)} s = ${(rate / 1e6).toFixed(3)} Mpps${r.cpuSeconds !== undefined ? `, CPU ${r.cpuSeconds.toFixed(3)} s${index}` : ''}${r.drops ? `, ${r.drops} dropped` : ''}`);
        } catch (err) {
          errors.set(row.id, (err as Error).message);
          log(`  ${row.id} FAILED: ${(err as Error).message}`);
        }
      }
    }
  } finally {
    link?.cleanup();
    rmSync(tmp, { recursive: true, force: true });
  }

  const summaries: RowSummary[] = selected.map((r) => {
    const s = summarize(r.id, r.title, r.section, runsOf.get(r.id)!);
    if (skips.has(r.id)) s.skipped = skips.get(r.id);
    if (errors.has(r.id)) s.error = errors.get(r.id);
    return s;
  });
  const targets = evaluateTargets(new Map(summaries.map((s) => [s.id, s])), opts.liveRate);
  const tables = buildTables(summaries, targets);
  const c = capture.summary;
  const header =
    `pfwork benchmark: ${c.packets.toLocaleString('en')} packets, ${c.flows.toLocaleString('en')} flows, seed ${c.seed}, ` +
    `median of ${opts.runs} run${opts.runs > 1 ? 's' : ''}` +
    (selected.some((r) => r.section === 'live') ? `; live: ${opts.livePackets.toLocaleString('en')} packets, ${opts.liveFlows.toLocaleString('en')} flows, at ${opts.liveRate.toLocaleString('en')} pps` : '');
  const footer = [
    `machine: ${describeMachine(machine)}`,
    ...(cacheStates.length
      ? [`page cache: before every file run the capture was ${opts.keepPageCache ? 'read through as its history left it (--keep-page-cache)' : 'read from disk (dropped, read back)'}: ${describeCache(cacheStates)}`]
      : []),
  ].join('\n');
  const out = [header, ...tables.map(renderText), footer].join('\n\n');
  process.stdout.write(out + '\n');
  if (opts.markdown) process.stdout.write('\n' + [header, ...tables.map(renderMarkdown), footer.replaceAll('\n', '  \n')].join('\n\n') + '\n');
  if (opts.json) {
    writeFileSync(opts.json, JSON.stringify({ options: opts, machine, capture: c, pageCache: cacheStates, rows: summaries, targets }, null, 2) + '\n');
    log(`raw figures written to ${opts.json}`);
  }
  return errors.size ? 1 : 0;
}

main().then(
  (code) => (process.exitCode = code),
  (err: Error) => {
    process.stderr.write(`bench: ${err.stack ?? err.message}\n`);
    process.exitCode = 1;
  },
);
