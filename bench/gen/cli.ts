/**
 * Generates (or finds in the cache) a benchmark capture and prints its path and
 * summary. Usage: tsx bench/gen/cli.ts [--packets N] [--flows N] [--seed N] [--out FILE]
 * With --out the capture is written there instead of the cache.
 */
import { parseArgs } from 'node:util';
import { ensureCapture } from './cache.js';
import { generateCapture } from './generate.js';

const { values } = parseArgs({
  options: {
    packets: { type: 'string', default: '5000000' },
    flows: { type: 'string', default: '100000' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string' },
  },
});
const opts = { packets: Number(values.packets), flows: Number(values.flows), seed: Number(values.seed) };
if (values.out) {
  console.log(JSON.stringify({ path: values.out, ...generateCapture(values.out, opts) }, null, 2));
} else {
  const c = ensureCapture(opts, undefined, (m) => console.error(`bench: ${m}`));
  console.log(JSON.stringify({ path: c.path, generated: c.generated, ...c.summary }, null, 2));
}
