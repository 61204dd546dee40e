/**
 * pfwork rows over the capture file: `pfwork start --read FILE` with 1 or 2
 * workers, either flows only (--flows, a handler without packet(): no JS per
 * packet) or a per-packet handler counting per 5-tuple in JS.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { HANDLERS, PFWORK_BIN, startPfwork } from '../lib/pfwork-run.js';
import { nativeHas } from '../lib/native-probe.js';
import type { Row } from './types.js';

export function pfworkFileRow(id: string, workers: number, mode: 'flows' | 'handler'): Row {
  const title =
    mode === 'flows'
      ? `pfwork ${workers} worker${workers > 1 ? 's' : ''}, flows only (no per-packet JS)`
      : `pfwork ${workers} worker${workers > 1 ? 's' : ''}, per-packet JS handler (5-tuple counts)`;
  return {
    id,
    title,
    section: 'file',
    skipReason() {
      if (!existsSync(PFWORK_BIN)) return 'the pfwork command is not in this checkout (branch workers not merged)';
      if (!nativeHas('Ring')) return '@pfwork/native has no Ring yet (branch ring not merged)';
      if (mode === 'flows' && !nativeHas('FlowTable')) return '@pfwork/native has no FlowTable yet (branch flows not merged)';
      return undefined;
    },
    async runOnce(env) {
      const prefix = path.join(env.tmp, `${id}-${Date.now()}`);
      const run = startPfwork({
        input: { read: env.capture.path },
        workers,
        handler: mode === 'flows' ? HANDLERS.flowsOnly : HANDLERS.count5tuple,
        flows: mode === 'flows',
        prefix,
        cpuProfDir: env.options.cpuProfDir,
      });
      return run.done;
    },
  };
}
