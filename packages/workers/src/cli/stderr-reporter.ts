/**
 * What `pfwork start` writes on stderr: logs and stats. On a TTY, a live
 * status line (per-worker and total packets/s, drops, errors) that log lines
 * print above; otherwise one JSON object per line, for journald, Docker logs
 * and `jq`.
 */
import type { LogEvent, StatsSnapshot, SupervisorErrorEvent } from '../index.js';

export interface StderrReporter {
  log(e: LogEvent): void;
  error(e: SupervisorErrorEvent): void;
  stats(s: StatsSnapshot): void;
  /** Leaves the terminal clean (the status line is erased). */
  close(): void;
}

/** 1234567 -> "1.23M". */
export function si(n: number): string {
  const a = Math.abs(n);
  if (a >= 1e9) return `${(n / 1e9).toFixed(2)}G`;
  if (a >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (a >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return `${Math.round(n)}`;
}

/** The status line for a snapshot, cut to `columns`. */
export function statusLine(s: StatsSnapshot, columns = 120): string {
  const t = s.total;
  const head =
    `pfwork ${t.workers}w  ${si(t.packetsPerSec)} pkt/s  ${si(t.bytesPerSec * 8)}bit/s  ` +
    `rx ${si(t.received)}  drop ${si(t.dropped)}  err ${si(t.handlerErrors)}` +
    (t.restarts ? `  restarts ${t.restarts}` : '') +
    (t.offloadDropped ? `  offload-drop ${si(t.offloadDropped)}` : '');
  const per = s.workers
    .map((w) => {
      const mark = w.state === 'running' ? '' : `(${w.state})`;
      const extra = (w.dropped ? ` d${si(w.dropped)}` : '') + (w.handlerErrors ? ` e${si(w.handlerErrors)}` : '');
      return `w${w.worker}${mark} ${si(w.packetsPerSec)}/s${extra}`;
    })
    .join('  ');
  const line = `${head}  |  ${per}`;
  return line.length > columns - 1 ? line.slice(0, columns - 2) + '…' : line;
}

function ttyReporter(stream: NodeJS.WriteStream): StderrReporter {
  let status = '';
  const clear = () => {
    if (status) stream.write('\r\x1b[K');
  };
  const redraw = () => {
    if (status) stream.write(status);
  };
  const print = (line: string) => {
    clear();
    stream.write(line + '\n');
    redraw();
  };
  return {
    log(e) {
      const who = e.worker !== undefined ? `worker ${e.worker}: ` : '';
      const msg = e.fields?.stream ? e.msg : e.msg;
      print(`pfwork ${e.level}: ${who}${msg}`);
    },
    error(e) {
      print(`pfwork error: ${e.message}`);
    },
    stats(s) {
      clear();
      status = statusLine(s, stream.columns || 120);
      stream.write(status);
    },
    close() {
      clear();
      status = '';
    },
  };
}

function jsonReporter(stream: NodeJS.WritableStream): StderrReporter {
  const line = (o: unknown) => stream.write(JSON.stringify(o) + '\n');
  return {
    log(e) {
      line({ type: 'log', time: new Date().toISOString(), level: e.level, ...(e.worker !== undefined ? { worker: e.worker } : {}), msg: e.msg, ...e.fields });
    },
    error(e) {
      line({
        type: 'log',
        time: new Date().toISOString(),
        level: 'error',
        ...(e.worker !== undefined ? { worker: e.worker } : {}),
        code: e.code,
        msg: e.message,
        ...(e.problems ? { problems: e.problems } : {}),
      });
    },
    stats(s) {
      const { workers, total } = s;
      line({ type: 'stats', time: new Date(s.at).toISOString(), total, workers });
    },
    close() {},
  };
}

/** The reporter for this stream: a status line on a TTY, JSON lines otherwise. */
export function stderrReporter(stream: NodeJS.WriteStream = process.stderr): StderrReporter {
  return stream.isTTY ? ttyReporter(stream) : jsonReporter(stream);
}
