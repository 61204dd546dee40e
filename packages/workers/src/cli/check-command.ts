/**
 * `pfwork check --handler H [--config C]`: loads the handler, checks it and
 * its config (and the rest of the options), opens nothing. Prints what it
 * found on stdout and exits 0, or lists every problem and exits 78.
 */
import { checkOptions, formatConfigProblems, type ConfigProblem } from '@pfwork/core';
import { errorMessage } from '../errors.js';
import { loadHandler } from '../worker/load-handler.js';
import type { CliIo } from './main.js';
import { ExitCode, exitCodeFor } from './exit-codes.js';
import { optionsFromCommandLine } from './start-command.js';

export async function runCheck(flags: Record<string, unknown>, io: CliIo): Promise<number> {
  try {
    const { options, source } = optionsFromCommandLine(flags, io.cwd);
    // check validates a handler, not a capture: a missing --interface/--read is fine here
    const r = checkOptions(options, source ? { source } : {});
    const problems: ConfigProblem[] = r.ok ? [] : r.problems.filter((p) => !(p.path === 'capture' && !options.capture?.interface && !options.capture?.read));
    if (problems.length) {
      io.stderr.write(`pfwork: invalid configuration${source ? ` in ${source}` : ''} (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${formatConfigProblems(problems, '  ')}\n`);
      return ExitCode.config;
    }
    const loaded = await loadHandler(String(flags.handler), options.handler?.config ?? {}, io.cwd);
    const h = loaded.handler;
    const hooks = (['setup', 'packet', 'flow', 'report', 'merge', 'close'] as const).filter((k) => typeof h[k] === 'function');
    io.stdout.write(
      JSON.stringify({ type: 'check', ok: true, handler: h.name, path: loaded.path, hooks, offload: h.offload ? String(h.offload) : null, config: loaded.config }) + '\n',
    );
    return ExitCode.ok;
  } catch (err) {
    io.stderr.write(`pfwork: ${errorMessage(err)}\n`);
    return exitCodeFor(err);
  }
}
