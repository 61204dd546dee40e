/**
 * `pfwork start`: flags + --config -> Options -> Supervisor; records to
 * stdout (or --output), logs and stats to stderr; Ctrl-C drains, a second
 * Ctrl-C kills.
 */
import { mergeOptions, optionsFromFlags, type Options } from '@pfwork/core';
import { errorMessage } from '../errors.js';
import { Supervisor } from '../supervisor/supervisor.js';
import type { CliIo } from './main.js';
import { readConfigFile } from './config-file.js';
import { ExitCode, exitCodeFor } from './exit-codes.js';
import { stderrReporter } from './stderr-reporter.js';

/** Flags + config file as Options (throws PFW_CONFIG_FILE). */
export function optionsFromCommandLine(flags: Record<string, unknown>, cwd: string): { options: Options; source: string | undefined } {
  const { config, ...rest } = flags;
  const file = typeof config === 'string' ? readConfigFile(config, cwd) : undefined;
  return {
    options: mergeOptions(file, optionsFromFlags(rest)),
    source: typeof config === 'string' ? `${config} and the command line` : undefined,
  };
}

export async function runStart(flags: Record<string, unknown>, io: CliIo): Promise<number> {
  const fail = (err: unknown) => {
    io.stderr.write(`pfwork: ${errorMessage(err)}\n`);
    return exitCodeFor(err);
  };
  let sup: Supervisor;
  try {
    const { options, source } = optionsFromCommandLine(flags, io.cwd);
    sup = new Supervisor(options, { cwd: io.cwd, stdout: io.stdout, ...(source ? { source } : {}) });
  } catch (err) {
    return fail(err);
  }
  const reporter = stderrReporter(io.stderr);
  sup.on('log', (e) => reporter.log(e));
  sup.on('error', (e) => reporter.error(e));
  sup.on('stats', (s) => reporter.stats(s));

  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      reporter.log({ level: 'info', msg: `${signal}: stopping; workers finish their batch, flush flows and report (${signal === 'SIGINT' ? 'Ctrl-C' : signal} again to kill them now)` });
      void sup.stop('signal');
    } else {
      reporter.log({ level: 'warn', msg: `${signal} again: killing the workers now` });
      void sup.kill();
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    try {
      await sup.start();
    } catch (err) {
      if (!sup.forked) return fail(err);
      // a worker could not start: the error was reported; wait for the others to stop
    }
    const result = await sup.wait();
    return result.code === 0 ? ExitCode.ok : ExitCode.failure;
  } finally {
    reporter.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
