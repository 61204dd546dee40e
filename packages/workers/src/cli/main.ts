/**
 * The `pfwork` command (DESIGN section 7): `start`, `check`, `--help`,
 * `--version`. Flags become core Options (optionsFromFlags), are laid over the
 * `--config` file (mergeOptions) and checked by the same schemas as the
 * library API, so every problem is listed at once (exit 78). Bad usage exits 2.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { CLUSTER_TYPE_NAMES, BACKEND_NAMES, DIRECTION_NAMES } from '@pfwork/core';
import { ExitCode } from './exit-codes.js';
import { runCheck } from './check-command.js';
import { runStart } from './start-command.js';

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** Streams the command writes to (tests pass their own). */
export interface CliIo {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  cwd: string;
}

/** Thrown through commander to carry an exit code out of an action. */
class Exit {
  constructor(readonly code: number) {}
}

function buildProgram(io: CliIo): Command {
  const program = new Command('pfwork')
    .description('cluster-aware multi-process packet analysis: N workers, one capture ring each, every flow on exactly one worker')
    .version(version(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s, write) => write(s.startsWith('error:') ? `pfwork: ${s}` : s),
    });

  program
    .command('start')
    .description('capture with N workers and run a handler in each')
    .addOption(new Option('--workers <N|auto>', 'worker processes, "auto" = one per CPU (default: auto)'))
    .addOption(new Option('--interface <IF>', 'capture live from this interface'))
    .addOption(new Option('--read <FILE>', 'read a pcap/pcapng file; the run ends when every worker reaches its end'))
    .addOption(new Option('--backend <name>', `capture backend: ${BACKEND_NAMES.join(', ')} (default: auto)`))
    .addOption(new Option('--cluster-id <ID>', 'PF_RING cluster id / PACKET_FANOUT group id (default: 99)'))
    .addOption(new Option('--cluster-type <type>', `how packets are balanced over workers: ${CLUSTER_TYPE_NAMES.join(', ')} (default: per-flow)`))
    .addOption(new Option('--bpf <EXPR>', 'BPF filter expression (libpcap syntax)'))
    .addOption(new Option('--snaplen <N>', 'bytes kept per packet (default: 262144)'))
    .addOption(new Option('--direction <dir>', `${DIRECTION_NAMES.join(', ')} (default: both)`))
    .addOption(new Option('--sampling-rate <N>', 'keep 1 packet in N (default: 1)'))
    .addOption(new Option('--handler <PATH>', 'handler module (.ts, .js, .mjs) or a directory holding one'))
    .addOption(new Option('--config <FILE.json>', 'options file; flags override it field by field'))
    .addOption(new Option('--flows', 'emit a flow record for every flow (with or without a handler)'))
    .addOption(new Option('--output <-|FILE>', 'where NDJSON records go (default: - = stdout)'))
    .addOption(new Option('--duration <SECONDS>', 'stop a live capture after this long'))
    .addOption(new Option('--stats-interval <SECONDS>', 'seconds between stats lines and report() calls (default: 1)'))
    .addOption(new Option('--user <USER>', 'run workers as this user (the supervisor keeps the capture privileges)'))
    .allowExcessArguments(false)
    .addHelpText('after', '\nRecords go to stdout as NDJSON (or --output); logs and stats go to stderr.\nExit codes: 0 done (also after Ctrl-C), 1 runtime failure, 2 usage error, 78 configuration error.')
    .action(async (flags: Record<string, unknown>) => {
      throw new Exit(await runStart(flags, io));
    });

  program
    .command('check')
    .description('load the handler and check it and the options; opens nothing')
    .requiredOption('--handler <PATH>', 'handler module (.ts, .js, .mjs) or a directory holding one')
    .addOption(new Option('--config <FILE.json>', 'options file (its handler.config is checked against the handler\'s schema)'))
    .allowExcessArguments(false)
    .action(async (flags: Record<string, unknown>) => {
      throw new Exit(await runCheck(flags, io));
    });

  return program;
}

/**
 * Runs the command line and returns the exit code (never calls process.exit).
 *
 * @example process.exitCode = await main(process.argv.slice(2));
 */
export async function main(args: string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() }): Promise<number> {
  const program = buildProgram(io);
  if (args.length === 0) {
    program.outputHelp({ error: true });
    return ExitCode.usage;
  }
  try {
    await program.parseAsync(args, { from: 'user' });
    return ExitCode.ok;
  } catch (err) {
    if (err instanceof Exit) return err.code;
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return ExitCode.ok;
      return ExitCode.usage;
    }
    io.stderr.write(`pfwork: ${(err as Error)?.stack ?? String(err)}\n`);
    return ExitCode.failure;
  }
}
