/**
 * Gathers emitted records as NDJSON and ships them in batches: one IPC message
 * carries up to `maxLines` lines or `maxBytes` characters, never one message per
 * record (an IPC message costs microseconds; a string append costs nanoseconds).
 *
 * The sink never sends by itself in the middle of a handler call: the loop
 * checks `full` between packets and calls flush() with the position it has
 * reached, so every RecordsMessage ends on a packet boundary and a restarted
 * file worker can resume exactly after it. A long flow delivery (the end of a
 * file flushes every open flow) is cut between flows instead, with the count
 * of that delivery's flows sent (RecordsMessage.partial), so one message
 * stays bounded and resuming stays exact.
 *
 * Flow control: at most `window` RecordsMessages may be unacknowledged by the
 * supervisor (AckMessage); the loop awaits `belowWindow()` between batches.
 */
import type { WorkerChannel } from './channel.js';

export class RecordSink {
  readonly #channel: WorkerChannel;
  readonly #maxLines: number;
  readonly #maxBytes: number;
  readonly #window: number;
  #buf = '';
  #lines = 0;
  #unacked = 0;
  #open = true;
  #waiters: (() => void)[] = [];
  /** Records emitted since the worker started. */
  total = 0;

  constructor(channel: WorkerChannel, limits: { maxLines: number; maxBytes: number; window: number }) {
    this.#channel = channel;
    this.#maxLines = limits.maxLines;
    this.#maxBytes = limits.maxBytes;
    this.#window = limits.window;
  }

  /**
   * Adds one record. Throws a TypeError naming the problem when the record
   * cannot be written as JSON (a BigInt, a cycle): the caller counts it as a
   * handler error.
   */
  emit(record: unknown): void {
    let line: string | undefined;
    try {
      line = JSON.stringify(record);
    } catch (cause) {
      throw new TypeError(`ctx.emit(): the record cannot be written as JSON: ${(cause as Error).message}`, { cause });
    }
    if (line === undefined) throw new TypeError(`ctx.emit(): the record cannot be written as JSON (got ${typeof record})`);
    this.#buf += line + '\n';
    this.#lines++;
    this.total++;
  }

  /** Adds an already serialised record (one JSON text, no newline). */
  emitLine(line: string): void {
    this.#buf += line + '\n';
    this.#lines++;
    this.total++;
  }

  /**
   * Adds `count` already serialised records at once: `text` is their NDJSON,
   * each line followed by '\n' (FlowBatch.ndjson()). Like the other emits it
   * never sends: the loop flushes between batches, so `position` stays exact.
   */
  emitLines(text: string, count: number): void {
    this.#buf += text;
    this.#lines += count;
    this.total += count;
  }

  /** True when a batch is ready to go. */
  get full(): boolean {
    return this.#lines >= this.#maxLines || this.#buf.length >= this.#maxBytes;
  }

  /**
   * Sends what is buffered (if anything) with the position reached; with
   * `partial`, cut inside a flow delivery (RecordsMessage.partial).
   */
  flush(position: number, partial?: { done: number; end: boolean }): Promise<void> {
    if (this.#lines === 0) return Promise.resolve();
    const lines = this.#buf;
    const count = this.#lines;
    this.#buf = '';
    this.#lines = 0;
    this.#unacked++;
    return this.#channel.send({
      type: 'records',
      lines,
      count,
      position,
      ...(partial ? { partial: partial.done, ...(partial.end ? { partialEnd: true } : {}) } : {}),
    });
  }

  /** The supervisor wrote `count` RecordsMessages. */
  acked(count: number): void {
    this.#unacked = Math.max(0, this.#unacked - count);
    if (this.#unacked < this.#window) this.#wake();
  }

  /** The supervisor is gone: nobody will acknowledge anything any more. */
  disconnected(): void {
    this.#open = false;
    this.#wake();
  }

  /** Resolves once fewer than `window` RecordsMessages are unacknowledged (at once if so already). */
  belowWindow(): Promise<void> | undefined {
    if (!this.#open || this.#unacked < this.#window) return undefined;
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  #wake(): void {
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  }
}
