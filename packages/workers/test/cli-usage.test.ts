/**
 * `pfwork` refuses bad input before anything is opened, with the documented
 * exit code (2 usage, 78 configuration) and a message naming the problem.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { fixtures, pfwork, repoRoot } from '../../../test/support/run-pfwork.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'pfw-cli-usage-'));
const json = (name: string, value: unknown) => {
  const f = path.join(tmp, name);
  writeFileSync(f, typeof value === 'string' ? value : JSON.stringify(value));
  return f;
};
const scriptable = path.join(fixtures, 'scriptable-handler.ts');
const somePcap = path.join(repoRoot, 'examples/data/demo.pcap');

describe.concurrent('pfwork command line', () => {
  test('--help lists the commands and exits 0', async () => {
    const r = await pfwork(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('start [options]');
    expect(r.stdout).toContain('check [options]');
  });

  test('`npm run pfwork -- ...` from the repo root runs the command', async () => {
    const r = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
      execFile('npm', ['run', '--silent', 'pfwork', '--', '--help'], { cwd: repoRoot }, (err, stdout) => {
        if (err && typeof err.code !== 'number') reject(err);
        else resolve({ code: err ? (err.code as number) : 0, stdout });
      });
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('start [options]');
  });

  test('start --help lists exactly the flags of DESIGN section 7 plus --user', async () => {
    const r = await pfwork(['start', '--help']);
    expect(r.code).toBe(0);
    const flags = [...r.stdout.matchAll(/^\s+(--[a-z-]+)/gm)].map((m) => m[1]);
    expect(flags.sort()).toEqual(
      [
        '--workers', '--interface', '--read', '--backend', '--cluster-id', '--cluster-type', '--bpf', '--snaplen',
        '--direction', '--sampling-rate', '--handler', '--config', '--flows', '--output', '--duration',
        '--stats-interval', '--user',
      ].sort(),
    );
  });

  test('--version prints the package version', async () => {
    const r = await pfwork(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  test('an unknown flag is a usage error: exit 2, naming the flag', async () => {
    const r = await pfwork(['start', '--read', somePcap, '--wrokers', '2']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("pfwork: error: unknown option '--wrokers'");
    expect(r.stderr).toContain('(Did you mean --workers?)');
  });

  test('an unknown command is a usage error: exit 2', async () => {
    const r = await pfwork(['stat']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'stat'");
  });

  test('no arguments prints help on stderr and exits 2', async () => {
    const r = await pfwork([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Usage: pfwork');
  });

  test('--workers 0 is a configuration error: exit 78, naming workers.count', async () => {
    const r = await pfwork(['start', '--read', somePcap, '--workers', '0']);
    expect(r.code).toBe(78);
    expect(r.stderr).toBe('pfwork: invalid configuration (1 problem):\n  workers.count: expected a positive integer or "auto", got 0\n');
  });

  test('every problem is listed at once, flags and config file together', async () => {
    const cfg = json('two-problems.json', { capture: { snaplen: 0 }, workers: { count: 'many' } });
    const r = await pfwork(['start', '--config', cfg, '--cluster-type', 'per-packet']);
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/^pfwork: invalid configuration in .*two-problems\.json and the command line \(4 problems\):\n/);
    expect(r.stderr).toContain('  capture: give exactly one of capture.interface');
    expect(r.stderr).toContain('  capture.snaplen: ');
    expect(r.stderr).toContain('  cluster.type: ');
    expect(r.stderr).toContain('  workers.count: expected a positive integer or "auto", got "many"');
  });

  test('an unknown config key is a configuration error: exit 78, naming the key', async () => {
    const cfg = json('unknown-key.json', { capture: { read: somePcap, snaplenn: 100 } });
    const r = await pfwork(['start', '--config', cfg]);
    expect(r.code).toBe(78);
    expect(r.stderr).toContain('capture.snaplenn: unknown option (did you mean "snaplen"?)');
  });

  test('a config file that is not JSON: exit 78', async () => {
    const cfg = json('broken.json', '{ "workers": ');
    const r = await pfwork(['start', '--config', cfg]);
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/^pfwork: config file .*broken\.json is not valid JSON: /);
  });

  test('a missing config file: exit 78', async () => {
    const r = await pfwork(['start', '--config', path.join(tmp, 'nope.json')]);
    expect(r.code).toBe(78);
    expect(r.stderr).toBe(`pfwork: cannot read config file ${path.join(tmp, 'nope.json')}: no such file\n`);
  });

  test('a missing handler: exit 78, naming the path, before anything is opened', async () => {
    const r = await pfwork(['start', '--read', somePcap, '--handler', 'handlers/nope.ts']);
    expect(r.code).toBe(78);
    expect(r.stderr).toBe(
      `pfwork: handler module not found: ${path.join(repoRoot, 'handlers/nope.ts')} (from --handler handlers/nope.ts); check the path, it is resolved from ${repoRoot}\n`,
    );
  });

  test('a handler whose config fails its schema: exit 78, field by field', async () => {
    const cfg = json('bad-handler-config.json', { handler: { config: { emit: 'all', slowMs: -1, extra: true } } });
    const r = await pfwork(['start', '--read', somePcap, '--handler', scriptable, '--config', cfg]);
    expect(r.code).toBe(78);
    expect(r.stderr).toContain('invalid configuration in handler "scriptable"');
    expect(r.stderr).toContain('  handler.config.emit: ');
    expect(r.stderr).toContain('  handler.config.slowMs: ');
    expect(r.stderr).toContain('  handler.config.extra: ');
    expect(r.stdout).toBe('');
  });

  test('a module without a default export: exit 78', async () => {
    const r = await pfwork(['start', '--read', somePcap, '--handler', path.join(fixtures, 'no-default.ts')]);
    expect(r.code).toBe(78);
    expect(r.stderr).toContain(`${path.join(fixtures, 'no-default.ts')}: has no default export`);
  });

  test('a default export that is not a handler: exit 78, naming the bad hook', async () => {
    const r = await pfwork(['start', '--read', somePcap, '--handler', path.join(fixtures, 'not-a-handler.mjs')]);
    expect(r.code).toBe(78);
    expect(r.stderr).toContain('the default export is not a valid handler');
    expect(r.stderr).toContain('  packet: expected a function, got "yes"');
  });

  test('a handler that does not compile: exit 78, naming the file', async () => {
    const file = json('broken-handler.ts', "export default { name: 'x', packet(pkt) { return pkt. } };\n");
    const r = await pfwork(['start', '--read', somePcap, '--handler', file]);
    expect(r.code).toBe(78);
    expect(r.stderr).toContain(`pfwork: could not load handler module ${file}: `);
  });
});

describe.concurrent('pfwork check', () => {
  test('a good TypeScript handler: exit 0 and a summary, nothing opened', async () => {
    const r = await pfwork(['check', '--handler', scriptable]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(out).toMatchObject({ type: 'check', ok: true, handler: 'scriptable', hooks: ['setup', 'packet', 'report', 'merge'] });
    expect(out.config).toMatchObject({ emit: 'packet', slowMs: 0, failSetup: false });
  });

  test('a plain .mjs handler and a directory holding one', async () => {
    const a = await pfwork(['check', '--handler', path.join(fixtures, 'plain.mjs')]);
    expect(a.code).toBe(0);
    expect(JSON.parse(a.stdout)).toMatchObject({ handler: 'plain-js' });
    const b = await pfwork(['check', '--handler', 'examples/top-talkers']);
    expect(b.code).toBe(0);
    expect(JSON.parse(b.stdout)).toMatchObject({ handler: 'top-talkers', path: path.join(repoRoot, 'examples/top-talkers/handler.ts') });
  });

  test('config checked against the handler schema: exit 78 with every problem', async () => {
    const cfg = json('check-bad.json', { handler: { config: { throwEvery: 0, exitOn: { packet: 1, bogus: 1 } } } });
    const r = await pfwork(['check', '--handler', scriptable, '--config', cfg]);
    expect(r.code).toBe(78);
    expect(r.stderr).toContain('  handler.config.throwEvery: ');
    expect(r.stderr).toContain('  handler.config.exitOn.bogus: ');
  });

  test('check without --handler is a usage error', async () => {
    const r = await pfwork(['check']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("required option '--handler <PATH>' not specified");
  });
});
