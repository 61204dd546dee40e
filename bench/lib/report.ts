/**
 * What every measured program prints as its last stdout line (one JSON
 * object), so the runner treats C baselines, node_pcap and pfwork alike.
 */
export interface ProgramReport {
  packets: number;
  /** Wall seconds from opening the input to the last packet processed. */
  seconds: number;
  /** CPU seconds (user + system) of the process(es) doing the work. */
  cpuSeconds?: number;
  /** Distinct flows counted (or finished flow records). */
  flows?: number;
  /** Peak resident set of each worker process, kB. */
  rssKb?: number[];
  /** JS heap used after a full GC at the start and at the end of the file (bytes). */
  heapStart?: number;
  heapEnd?: number;
  /** Bytes of flow-table memory per tracked flow. */
  bytesPerFlow?: number;
  /** Live rows: packets the kernel dropped, packets sent by the injector. */
  drops?: number;
  sent?: number;
  /** The row read the file this many times at once (packets counts all of them); 1 when absent. */
  copies?: number;
  /** pfwork file runs with 2+ workers: the supervisor's cluster index thread's CPU (not in cpuSeconds) and its waits for the workers. */
  indexCpuSeconds?: number;
  indexWaitedSeconds?: number;
  /** Set by the runner: the round (1..--runs) this run belongs to; a round runs every row once, back to back. */
  round?: number;
  [k: string]: unknown;
}

/** Packets per second of one run. */
export const ppsOf = (r: ProgramReport): number => r.packets / r.seconds;

/** CPU nanoseconds per packet of one run, if it reported CPU time. */
export const cpuNsOf = (r: ProgramReport): number | undefined =>
  typeof r.cpuSeconds === 'number' && r.packets > 0 ? (r.cpuSeconds * 1e9) / r.packets : undefined;

/** Prints the report as the program's last stdout line. */
export function printReport(r: ProgramReport): void {
  process.stdout.write(JSON.stringify(r) + '\n');
}

/** Peak RSS of this process in kB (getrusage ru_maxrss). */
export function maxRssKb(): number {
  return process.resourceUsage().maxRSS;
}

/** CPU seconds (user + system) of this process so far. */
export function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}
