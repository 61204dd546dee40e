/**
 * The `ctx` every handler hook receives (core's HandlerContext): who this
 * worker is, the parsed config, emit(), a structured logger and the offload
 * pool. One object per worker, made once.
 */
import type { HandlerContext, LogFields, Logger, OffloadPool } from '@pfwork/core';
import type { LogLevel } from '../protocol.js';
import type { WorkerChannel } from './channel.js';
import type { RecordSink } from './record-sink.js';

/**
 * A logger that sends LogMessages to the supervisor (which prints them on
 * stderr, around the status line). Fields are made JSON-safe here so a log
 * call never breaks the channel.
 */
export function channelLogger(channel: WorkerChannel, worker: number, handler: string | null): Logger {
  const send = (level: LogLevel, msg: string, fields?: LogFields) => {
    let safe: Record<string, unknown> | undefined;
    if (fields) {
      try {
        safe = JSON.parse(JSON.stringify(fields)) as Record<string, unknown>;
      } catch {
        safe = { fields: String(fields) };
      }
    }
    void channel.send({ type: 'log', level, msg: String(msg), fields: { worker, ...(handler ? { handler } : {}), ...safe } });
  };
  return {
    debug: (m, f) => send('debug', m, f),
    info: (m, f) => send('info', m, f),
    warn: (m, f) => send('warn', m, f),
    error: (m, f) => send('error', m, f),
  };
}

export function makeContext<C>(parts: {
  index: number;
  count: number;
  config: C;
  sink: RecordSink;
  log: Logger;
  offload: OffloadPool | undefined;
}): HandlerContext<C> {
  const sink = parts.sink;
  return Object.freeze({
    worker: Object.freeze({ index: parts.index, count: parts.count, pid: process.pid }),
    config: parts.config,
    emit: (record: object) => sink.emit(record),
    log: parts.log,
    offload: parts.offload,
  });
}
