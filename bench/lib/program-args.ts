/**
 * Command-line arguments of the measured programs (bench/programs): one FILE
 * and the options given. Anything else (no file, two files, an unknown flag)
 * prints the program's usage line and exits 2; `check` adds the program's own
 * rules on the values.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export function programArgs<O extends NonNullable<ParseArgsConfig['options']>>(
  usage: string,
  options: O,
  check: (values: ReturnType<typeof parseArgs<{ options: O; allowPositionals: true }>>['values']) => boolean = () => true,
) {
  const fail = (): never => {
    console.error(usage);
    process.exit(2);
  };
  let parsed;
  try {
    parsed = parseArgs({ options, allowPositionals: true });
  } catch {
    return fail();
  }
  const [file] = parsed.positionals;
  if (!file || parsed.positionals.length !== 1 || !check(parsed.values)) return fail();
  return { file, values: parsed.values };
}
