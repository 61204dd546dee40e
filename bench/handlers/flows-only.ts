/**
 * Bench row "flows only": no packet() hook, so the worker loop runs no JS per
 * packet; flow tracking is native (the run passes --flows). Only measures.
 */
import { defineHandler } from '@pfwork/core';
import { z } from 'zod';
import { startProbe } from './probe.js';

let probe: Awaited<ReturnType<typeof startProbe>> | undefined;

export default defineHandler({
  name: 'bench-flows-only',
  config: z.object({ out: z.string(), cpuProfDir: z.string().optional() }),
  async setup(ctx) {
    probe = await startProbe(ctx.worker.index, ctx.worker.count, ctx.config.out, ctx.config.cpuProfDir);
  },
  async close() {
    await probe?.finish();
  },
});
