/** defineHandler, assertHandler (the loader's check) and parseHandlerConfig. */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import {
  assertHandler,
  ConfigError,
  defineHandler,
  HANDLER_BRAND,
  HandlerError,
  isHandler,
  parseHandlerConfig,
  type FlowRecord,
  type HandlerContext,
  type NoConfig,
  type OffloadPool,
  type Packet,
} from '../src/index.js';

const FILE = '/srv/handlers/x.ts';

function assertMessage(value: unknown): string {
  try {
    assertHandler(value, FILE);
  } catch (e) {
    expect(e).toBeInstanceOf(HandlerError);
    expect((e as HandlerError).code).toBe('PFW_HANDLER_INVALID');
    expect((e as HandlerError).source).toBe(FILE);
    return (e as Error).message;
  }
  return 'no error';
}

describe('defineHandler', () => {
  it('returns the definition itself, branded, so hooks keep their `this`', () => {
    const def = {
      name: 'counter',
      n: 0,
      packet(this: { n: number }) {
        this.n++;
      },
    };
    const h = defineHandler(def as Parameters<typeof defineHandler>[0]);
    expect(h).toBe(def);
    expect((h as unknown as Record<symbol, unknown>)[HANDLER_BRAND]).toBe(true);
    expect(Object.keys(h)).toEqual(['name', 'n', 'packet']);
  });

  it('types ctx.config from the schema and merge parts from report', () => {
    const h = defineHandler({
      name: 'top',
      config: z.object({ top: z.number().int().positive().default(10), by: z.enum(['bytes', 'pkts']).default('bytes') }),
      setup(ctx) {
        expectTypeOf(ctx.config).toEqualTypeOf<{ top: number; by: 'bytes' | 'pkts' }>();
        expectTypeOf(ctx.worker.index).toBeNumber();
        expectTypeOf(ctx.offload).toEqualTypeOf<OffloadPool | undefined>();
      },
      packet(pkt, ctx) {
        expectTypeOf(pkt).toEqualTypeOf<Packet>();
        expectTypeOf(ctx).toEqualTypeOf<HandlerContext<{ top: number; by: 'bytes' | 'pkts' }>>();
      },
      flow(flow) {
        expectTypeOf(flow).toEqualTypeOf<FlowRecord>();
      },
      report(ctx) {
        return { top: ctx.config.top, hosts: [['10.0.0.1', 5]] as [string, number][] };
      },
      merge(parts) {
        expectTypeOf(parts).toEqualTypeOf<{ top: number; hosts: [string, number][] }[]>();
        return parts.flatMap((p) => p.hosts).length;
      },
    });
    expectTypeOf(h.merge).toEqualTypeOf<((parts: { top: number; hosts: [string, number][] }[]) => number) | undefined>();
    expect(h.merge?.([{ top: 1, hosts: [['a', 1]] }, { top: 1, hosts: [['b', 2]] }])).toBe(2);
  });

  it('a handler without a schema takes no options', () => {
    defineHandler({
      name: 'plain',
      packet(_pkt, ctx) {
        expectTypeOf(ctx.config).toEqualTypeOf<NoConfig>();
      },
    });
  });
});

describe('assertHandler', () => {
  it('accepts a defineHandler result and a plain object of the right shape', () => {
    expect(() => assertHandler(defineHandler({ name: 'a', packet() {} }), FILE)).not.toThrow();
    const plain = { name: 'b', async setup() {}, flow() {}, report: () => 1, merge: (p: number[]) => p.length, close() {}, offload: './heavy.js', config: z.object({}) };
    expect(() => assertHandler(plain, FILE)).not.toThrow();
    expect((plain as Record<symbol, unknown>)[HANDLER_BRAND]).toBe(true);
    expect(() => assertHandler({ name: 'c', offload: new URL('file:///x/heavy.js') }, FILE)).not.toThrow();
  });

  it.each<[string, unknown, string]>([
    [
      'no default export',
      undefined,
      "/srv/handlers/x.ts: has no default export: export default defineHandler({ name: '...', packet(pkt, ctx) { ... } }) with defineHandler from '@pfwork/core'",
    ],
    [
      'a function',
      () => {},
      "/srv/handlers/x.ts: the default export is a function, not a handler: export default defineHandler({ name: '...', packet(pkt, ctx) { ... } }) with defineHandler from '@pfwork/core'",
    ],
    [
      'a string',
      'top-talkers',
      "/srv/handlers/x.ts: the default export is not a handler (got \"top-talkers\"): export default defineHandler({ name: '...', packet(pkt, ctx) { ... } }) with defineHandler from '@pfwork/core'",
    ],
    [
      'null',
      null,
      "/srv/handlers/x.ts: the default export is not a handler (got null): export default defineHandler({ name: '...', packet(pkt, ctx) { ... } }) with defineHandler from '@pfwork/core'",
    ],
    ['missing name', { packet() {} }, '/srv/handlers/x.ts: the default export is not a valid handler:\n  name: expected a non-empty string, got nothing'],
    ['empty name', { name: ' ', packet() {} }, '/srv/handlers/x.ts: the default export is not a valid handler:\n  name: expected a non-empty string, got " "'],
    ['a hook that is not a function', { name: 'x', packet: true }, '/srv/handlers/x.ts: the default export is not a valid handler:\n  packet: expected a function, got true'],
    [
      'an async packet hook',
      { name: 'x', async packet() {} },
      '/srv/handlers/x.ts: the default export is not a valid handler:\n  packet: must be synchronous (an async function returns a promise nobody awaits): hand slow work to ctx.offload',
    ],
    [
      'an async report hook',
      { name: 'x', async report() {} },
      '/srv/handlers/x.ts: the default export is not a valid handler:\n  report: must be synchronous (an async function returns a promise nobody awaits): hand slow work to ctx.offload',
    ],
    ['merge without report', { name: 'x', merge() {} }, "/srv/handlers/x.ts: the default export is not a valid handler:\n  merge: needs report(): merge combines what each worker's report() returns"],
    [
      'config not a schema',
      { name: 'x', config: { top: 10 } },
      '/srv/handlers/x.ts: the default export is not a valid handler:\n  config: expected a zod schema such as z.object({ ... }), got an object',
    ],
    [
      'config a zod 3 schema',
      { name: 'x', config: { _def: { typeName: 'ZodObject' }, safeParse() {} } },
      '/srv/handlers/x.ts: the default export is not a valid handler:\n  config: is a zod 3 schema: pfwork needs zod 4 (install zod@4 and import { z } from "zod")',
    ],
    ['offload not a path', { name: 'x', offload: 3 }, '/srv/handlers/x.ts: the default export is not a valid handler:\n  offload: expected a module path or a file URL, got 3'],
    ['offload empty', { name: 'x', offload: '' }, '/srv/handlers/x.ts: the default export is not a valid handler:\n  offload: expected a module path or a file URL, got ""'],
    ['a misspelt hook', { name: 'x', packets() {} }, '/srv/handlers/x.ts: the default export is not a valid handler:\n  packets: unknown key (did you mean "packet"?)'],
    [
      'an unknown key',
      { name: 'x', init() {} },
      '/srv/handlers/x.ts: the default export is not a valid handler:\n  init: unknown key (a handler has: name, config, offload, setup, packet, flow, report, merge, close)',
    ],
    [
      'several problems at once',
      { flow: 'yes', close: 1, config: 5 },
      '/srv/handlers/x.ts: the default export is not a valid handler:\n' +
        '  name: expected a non-empty string, got nothing\n' +
        '  flow: expected a function, got "yes"\n' +
        '  close: expected a function, got 1\n' +
        '  config: expected a zod schema such as z.object({ ... }), got 5',
    ],
  ])('%s', (_what, value, message) => {
    expect(assertMessage(value)).toBe(message);
  });

  it('isHandler answers without throwing', () => {
    expect(isHandler(defineHandler({ name: 'a' }))).toBe(true);
    expect(isHandler({ name: 'a', packet: 1 })).toBe(false);
  });
});

describe('parseHandlerConfig', () => {
  const h = defineHandler({
    name: 'top-talkers',
    config: z.object({
      top: z.number().int().positive().default(10),
      by: z.enum(['bytes', 'pkts']).default('bytes'),
      exclude: z.array(z.string()).default([]),
      limits: z.object({ maxHosts: z.number().int().min(1).default(1000) }).default({ maxHosts: 1000 }),
    }),
  });

  it('applies defaults', () => {
    expect(parseHandlerConfig(h, undefined)).toEqual({ ok: true, config: { top: 10, by: 'bytes', exclude: [], limits: { maxHosts: 1000 } } });
    expect(parseHandlerConfig(h, { top: 3, limits: { maxHosts: 5 } })).toEqual({ ok: true, config: { top: 3, by: 'bytes', exclude: [], limits: { maxHosts: 5 } } });
  });

  it.each<[string, unknown, string[]]>([
    ['not an integer', { top: 1.5 }, ['handler.config.top: expected an integer, got 1.5']],
    ['not positive', { top: 0 }, ['handler.config.top: expected a number > 0, got 0']],
    ['wrong type', { top: 'ten' }, ['handler.config.top: expected a number, got "ten"']],
    ['not one of the values', { by: 'flows' }, ['handler.config.by: expected one of "bytes" or "pkts", got "flows"']],
    ['array element', { exclude: ['a', 2] }, ['handler.config.exclude[1]: expected a string, got 2']],
    ['nested minimum', { limits: { maxHosts: 0 } }, ['handler.config.limits.maxHosts: expected a number >= 1, got 0']],
    ['unknown key on a plain z.object', { topp: 3 }, ['handler.config.topp: unknown option (did you mean "top"?)']],
    ['unknown nested key', { limits: { maxHost: 3 } }, ['handler.config.limits.maxHost: unknown option (did you mean "maxHosts"?)']],
    ['not an object', 7, ['handler.config: expected an object, got 7']],
    ['several', { top: 0, by: 'x', extra: true }, ['handler.config.top: expected a number > 0, got 0', 'handler.config.by: expected one of "bytes" or "pkts", got "x"', 'handler.config.extra: unknown option (known options: top, by, exclude, limits)']],
  ])('%s', (_what, raw, expected) => {
    const r = parseHandlerConfig(h, raw);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => `${p.path}: ${p.message}`)).toEqual(expected);
    expect(r.error).toBeInstanceOf(ConfigError);
    expect(r.error.message.split('\n')[0]).toBe(`invalid configuration in handler "top-talkers" (${expected.length} problem${expected.length > 1 ? 's' : ''}):`);
  });

  it("keeps a schema's own messages", () => {
    const custom = defineHandler({ name: 'c', config: z.object({ port: z.number().max(65535, 'a port is at most 65535') }) });
    const r = parseHandlerConfig(custom, { port: 70000 });
    expect(r.ok ? [] : r.problems).toEqual([{ path: 'handler.config.port', message: 'a port is at most 65535' }]);
  });

  it('strict objects report unknown keys once', () => {
    const strict = defineHandler({ name: 's', config: z.strictObject({ a: z.number().default(1) }) });
    const r = parseHandlerConfig(strict, { b: 1 });
    expect(r.ok ? [] : r.problems).toEqual([{ path: 'handler.config.b', message: 'unknown option (did you mean "a"?)' }]);
  });

  it('loose objects allow extra keys', () => {
    const loose = defineHandler({ name: 'l', config: z.looseObject({ a: z.number().default(1) }) });
    expect(parseHandlerConfig(loose, { b: 1 })).toEqual({ ok: true, config: { a: 1, b: 1 } });
  });

  it('a handler without a schema takes no options', () => {
    const none = defineHandler({ name: 'none' });
    expect(parseHandlerConfig(none, {})).toEqual({ ok: true, config: {} });
    expect(parseHandlerConfig(none, undefined)).toEqual({ ok: true, config: {} });
    const r = parseHandlerConfig(none, { top: 1 });
    expect(r.ok ? [] : r.problems).toEqual([{ path: 'handler.config.top', message: 'unknown option (this handler takes no options)' }]);
  });

  it('reports an async or throwing schema instead of throwing', () => {
    const asyncSchema = defineHandler({ name: 'a', config: z.object({ a: z.number().refine(async () => true) }) });
    const r = parseHandlerConfig(asyncSchema, { a: 1 });
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.problems[0]!.path).toBe('handler.config');
    expect(r.ok ? '' : r.problems[0]!.message).toMatch(/^the handler's config schema threw \(.+\); it must be synchronous and must not throw$/);
  });

  it('reports the example of docs/handlers.md as documented', () => {
    const portWatch = defineHandler({
      name: 'port-watch',
      config: z.object({ ports: z.array(z.number().int().min(1).max(65535)).default([22]), tag: z.string().default('watch') }),
    });
    const r = parseHandlerConfig(portWatch, { ports: [22, 70000], tagg: 'x' });
    expect(r.ok ? '' : r.error.message).toBe(
      'invalid configuration in handler "port-watch" (2 problems):\n' +
        '  handler.config.ports[1]: expected a number <= 65535, got 70000\n' +
        '  handler.config.tagg: unknown option (did you mean "tag"?)',
    );
  });

  it('takes another path prefix', () => {
    const r = parseHandlerConfig(h, { top: 0 }, { path: ['config'] });
    expect(r.ok ? [] : r.problems).toEqual([{ path: 'config.top', message: 'expected a number > 0, got 0' }]);
  });
});
