/** `npm run bench` options: parsed and checked together, with messages that say what to pass. */
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { RunOptions } from '../rows/types.js';

export const USAGE = `usage: npm run bench -- [options]

  --packets N       packets in the generated capture (default 5000000)
  --flows N         bidirectional flows in it (default 100000)
  --seed N          generator seed (default 1); the capture is cached per (packets, flows, seed)
  --runs N          runs per row; each figure is the median (default 5)
  --only IDS        comma-separated row ids to run (see --list); targets whose rows are absent print n/a
  --live-rate PPS   injection rate of the live rows (default 300000)
  --live-packets N  packets injected per live run (default 1000000)
  --live-flows N    flows in the live capture (default: as many packets per flow as the file)
  --json FILE       also write every run's raw figures as JSON
  --markdown        print the tables as Markdown too (for docs/bench.md and the README)
  --cpu-prof DIR    write a V8 CPU profile of every pfwork worker's capture window into DIR
  --keep-page-cache do not drop the capture from the page cache before each file run (it is
                    then only read through): run on the page cache as the file's history left
                    it (docs/bench.md, "The page cache's folios")
  --list            list the rows and exit
`;

export interface ParsedArgs extends RunOptions {
  list: boolean;
  markdown: boolean;
  help: boolean;
}

function int(name: string, text: string, min: number): number {
  const n = Number(text.replaceAll('_', ''));
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} (${text}) must be an integer >= ${min}`);
  return n;
}

export function parseOptions(argv: string[]): ParsedArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      packets: { type: 'string', default: '5000000' },
      flows: { type: 'string', default: '100000' },
      seed: { type: 'string', default: '1' },
      runs: { type: 'string', default: '5' },
      only: { type: 'string' },
      'live-rate': { type: 'string', default: '300000' },
      'live-packets': { type: 'string', default: '1000000' },
      'live-flows': { type: 'string' },
      json: { type: 'string' },
      markdown: { type: 'boolean', default: false },
      'cpu-prof': { type: 'string' },
      'keep-page-cache': { type: 'boolean', default: false },
      list: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  const o: ParsedArgs = {
    packets: int('packets', values.packets, 1),
    flows: int('flows', values.flows, 1),
    seed: int('seed', values.seed, 0),
    runs: int('runs', values.runs, 1),
    only: values.only ? values.only.split(',').map((s) => s.trim()).filter(Boolean) : null,
    liveRate: int('live-rate', values['live-rate'], 1),
    livePackets: int('live-packets', values['live-packets'], 1),
    liveFlows: 0,
    json: values.json ?? null,
    cpuProfDir: values['cpu-prof'] ? path.resolve(values['cpu-prof']) : null,
    keepPageCache: values['keep-page-cache'],
    markdown: values.markdown,
    list: values.list,
    help: values.help,
  };
  if (o.flows > o.packets) throw new Error(`--flows (${o.flows}) must not exceed --packets (${o.packets}): every flow has at least one packet`);
  o.liveFlows = values['live-flows']
    ? int('live-flows', values['live-flows'], 1)
    : Math.max(1, Math.round((o.flows * o.livePackets) / o.packets));
  if (o.liveFlows > o.livePackets) {
    throw new Error(`--live-flows (${o.liveFlows}) must not exceed --live-packets (${o.livePackets}): every flow has at least one packet`);
  }
  return o;
}
