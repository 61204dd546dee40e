/**
 * Live rows on a veth pair in a namespace: the same injected traffic captured
 * by the C TPACKET_V3 reader, by pfwork's native path alone (context: with and
 * without its flow table) and by pfwork workers (afpacket backend, flows
 * only), comparing CPU time per packet and counting kernel drops.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { inject, liveSkipReason } from '../lib/live-link.js';
import { nativeHas } from '../lib/native-probe.js';
import { HANDLERS, startPfwork } from '../lib/pfwork-run.js';
import type { ProgramReport } from '../lib/report.js';
import { lastJsonWith } from '../lib/spawn.js';
import { PROGRAMS_DIR, REPO_ROOT } from '../lib/paths.js';
import type { Row, RowEnv } from './types.js';

const DRAIN_MS = 1000;

function liveEnv(env: RowEnv) {
  if (!env.link || !env.liveCapture) throw new Error('live rows need the veth pair and the live capture');
  return { link: env.link, file: env.liveCapture.path };
}

/**
 * A program on the capture end (`args` given the capture interface) that
 * prints {"ready":true} once its ring is bound and a report line once
 * --idle-ms pass without packets: started, ready, injected into, stopped by itself.
 */
async function runCaptureProgram(env: RowEnv, what: string, cmd: string, args: (captureIf: string) => string[]): Promise<ProgramReport> {
  const { link, file } = liveEnv(env);
  const child = spawn(cmd, args(link.captureIf), { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d));
  const lines = createInterface({ input: child.stdout! });
  const ready = new Promise<void>((resolve, reject) => {
    lines.on('line', (l) => {
      out += l + '\n';
      if (l.includes('"ready"')) resolve();
    });
    child.on('close', (code) => reject(new Error(`${what} exited (${code}) before it was ready: ${err}`)));
  });
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  await ready;
  const sent = await inject(link, env.bins.inject!, file, env.options.liveRate);
  const code = await closed;
  const r = lastJsonWith<ProgramReport>(out, 'packets');
  if (code !== 0 || !r) throw new Error(`${what} failed (${code}): ${err}`);
  return { ...r, sent: sent.sent, injectPps: sent.pps };
}

/** The C reader: Baseline A's work on a TPACKET_V3 ring. */
export const liveC: Row = {
  id: 'live-c',
  title: 'C TPACKET_V3 reader (locate + hash + flow table)',
  section: 'live',
  skipReason: () => liveSkipReason(),
  runOnce: (env) =>
    runCaptureProgram(env, 'tpacket_reader', env.bins.tpacket_reader!, (dev) => ['--device', dev, '--idle-ms', String(DRAIN_MS)]),
};

/** Why the rows that capture with pfwork cannot run here, or undefined. */
function pfworkLiveSkipReason(): string | undefined {
  const live = liveSkipReason();
  if (live) return live;
  if (!nativeHas('Ring') || !nativeHas('FlowTable')) return '@pfwork/native lacks Ring or FlowTable (branches ring/flows not merged)';
  return undefined;
}

/** Context: pfwork's native path alone on the same traffic (programs/live-native-path.ts), with or without the flow table. */
export function liveNativeRow(id: string, flows: boolean): Row {
  return {
    id,
    title: flows
      ? 'pfwork native path alone: Ring + FlowTable, 1 process (context)'
      : 'pfwork Ring alone, no flow table, 1 process (context)',
    section: 'live',
    skipReason: pfworkLiveSkipReason,
    runOnce: (env) =>
      runCaptureProgram(env, 'the live native path', process.execPath, (dev) => [
        '--import', 'tsx', path.join(PROGRAMS_DIR, 'live-native-path.ts'),
        '--device', dev, '--idle-ms', String(DRAIN_MS),
        ...(flows ? [] : ['--no-flows']),
      ]),
  };
}

/** pfwork workers on the capture end; rate 0 = as fast as the injector goes. */
export function livePfworkRow(id: string, workers: number, rate: 'live-rate' | 'max'): Row {
  return {
    id,
    title:
      rate === 'max'
        ? `pfwork ${workers} workers, flows only, at the injector's top rate`
        : `pfwork ${workers} worker${workers > 1 ? 's' : ''}, flows only (afpacket)`,
    section: 'live',
    skipReason: pfworkLiveSkipReason,
    async runOnce(env) {
      const { link, file } = liveEnv(env);
      const run = startPfwork({
        input: { interface: link.captureIf },
        workers,
        handler: HANDLERS.flowsOnly,
        flows: true,
        prefix: path.join(env.tmp, `${id}-${Date.now()}`),
        cpuProfDir: env.options.cpuProfDir,
      });
      try {
        await run.ready;
        const sent = await inject(link, env.bins.inject!, file, rate === 'max' ? 0 : env.options.liveRate);
        await new Promise((r) => setTimeout(r, DRAIN_MS));
        run.child.kill('SIGINT');
        const r = await run.done;
        return { ...r, sent: sent.sent, injectPps: sent.pps };
      } catch (err) {
        run.child.kill('SIGKILL');
        throw err;
      }
    },
  };
}
