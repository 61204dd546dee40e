/**
 * defineHandler(): how a handler module declares itself (DESIGN section 5).
 * It returns the definition itself (with a brand the loader checks), and
 * exists for the types: the config type is inferred from the zod schema and
 * flows into every hook's ctx, and report()'s return type into merge()'s parts.
 */
import type { z } from 'zod';
import type { HandlerContext } from './context.js';
import type { FlowRecord } from './flow-record.js';
import type { Packet } from './packet.js';

/** Marks objects made by defineHandler (a registered symbol: works across copies of @pfwork/core). */
export const HANDLER_BRAND: unique symbol = Symbol.for('pfwork.handler') as never;

/** The config type of a handler without a config schema: it takes no options. */
export type NoConfig = Record<string, never>;

/** The config a handler's hooks receive, given its schema. */
export type ConfigOf<S> = S extends z.ZodType ? z.output<S> : NoConfig;

export interface HandlerHooks<C, P, M> {
  /** Once per worker, before the first packet. May be async (awaited before capture starts). */
  setup?(ctx: HandlerContext<C>): void | Promise<void>;
  /**
   * Per packet. Synchronous: a returned promise would not be awaited. Omit it
   * and the worker loop runs no JS per packet. `pkt` is valid only during the call.
   */
  packet?(pkt: Packet, ctx: HandlerContext<C>): void;
  /** Per finished flow. Flow tracking runs only when this exists or `--flows` is given. */
  flow?(flow: FlowRecord, ctx: HandlerContext<C>): void;
  /** On each stats tick and at stop: this worker's partial result (sent over IPC: plain data). */
  report?(ctx: HandlerContext<C>): P;
  /**
   * In the supervisor: combines the workers' latest partial results, one per
   * worker that has reported, in worker-index order. Without merge the
   * report is the array of parts.
   */
  merge?(parts: P[]): M;
  /** Once, after the last packet and the last flow. May be async. */
  close?(ctx: HandlerContext<C>): void | Promise<void>;
}

export interface HandlerDefinition<S extends z.ZodType | undefined = undefined, P = unknown, M = unknown>
  extends HandlerHooks<ConfigOf<S>, P, M> {
  /** Shown in logs, stats and reports. */
  name: string;
  /** The zod (v4) schema of the handler's options (`handler.config` in the config file). */
  config?: S;
  /**
   * The offload module: its default export runs in the offload pool's threads
   * (ctx.offload.run(data) calls it with data). A file URL
   * (`new URL('./heavy.js', import.meta.url)`) or a path; a relative path is
   * resolved against the handler module's directory.
   */
  offload?: string | URL;
}

/** A handler as the loader sees it: a definition with the brand. */
export type Handler<S extends z.ZodType | undefined = z.ZodType | undefined, P = unknown, M = unknown> = Readonly<HandlerDefinition<S, P, M>> & {
  readonly [HANDLER_BRAND]: true;
};

/** Any handler, whatever its config, part and merged types. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyHandler = Handler<any, any, any>;

/** The partial result type of a handler (what report() returns). */
export type ReportOf<H> = H extends Handler<z.ZodType | undefined, infer P, unknown> ? P : never;
/** The merged result type of a handler (what merge() returns). */
export type MergedOf<H> = H extends Handler<z.ZodType | undefined, unknown, infer M> ? M : never;

/**
 * Declares a handler module's default export.
 *
 * @example
 *   export default defineHandler({
 *     name: 'top-talkers',
 *     config: z.object({ top: z.number().int().positive().default(10) }),
 *     setup(ctx) { bytes.clear(); },
 *     packet(pkt, ctx) { bytes.set(pkt.srcAddr, (bytes.get(pkt.srcAddr) ?? 0) + pkt.len); },
 *     report(ctx) { return [...bytes].sort((a, b) => b[1] - a[1]).slice(0, ctx.config.top); },
 *     merge(parts) { return parts.flat().sort((a, b) => b[1] - a[1]).slice(0, 10); },
 *   });
 * @throws nothing: shape errors are reported by the loader (assertHandler), naming the file.
 */
export function defineHandler<S extends z.ZodType | undefined = undefined, P = undefined, M = P[]>(
  definition: HandlerDefinition<S, P, M>,
): Handler<S, P, M> {
  // The same object, so hooks that use `this` keep working; the brand is not enumerable.
  Object.defineProperty(definition, HANDLER_BRAND, { value: true, enumerable: false });
  return definition as Handler<S, P, M>;
}
