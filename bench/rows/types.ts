/**
 * A benchmark row: one thing measured, run `--runs` times on the same input,
 * its figure the median. Each row is a small object so a pfwork row can be
 * wired (or skipped, with the reason) independently of the others.
 */
import type { CachedCapture } from '../gen/cache.js';
import type { ProgramReport } from '../lib/report.js';
import type { LiveLink } from '../lib/live-link.js';

export interface RunOptions {
  packets: number;
  flows: number;
  seed: number;
  runs: number;
  only: string[] | null;
  liveRate: number;
  livePackets: number;
  /** Flows in the live capture (default: the file's packets per flow). */
  liveFlows: number;
  json: string | null;
  /** Profile the Node processes of pfwork rows (--cpu-prof) into this directory. */
  cpuProfDir: string | null;
  /** Leave the capture's page cache as it is instead of reading the file from disk before each file run. */
  keepPageCache: boolean;
}

export interface RowEnv {
  options: RunOptions;
  /** The file every file row reads. */
  capture: CachedCapture;
  /** The (smaller) file injected on the live link. */
  liveCapture?: CachedCapture;
  /** The veth pair in a namespace, when root. */
  link?: LiveLink;
  bins: Record<string, string>;
  /** Scratch directory for this run (outputs, probes, configs). */
  tmp: string;
  log: (msg: string) => void;
}

export type Section = 'file' | 'live';

export interface Row {
  id: string;
  title: string;
  section: Section;
  /** Why this row cannot run here (a branch not merged yet, not root...), or undefined. */
  skipReason(env: RowEnv): string | undefined;
  runOnce(env: RowEnv): Promise<ProgramReport>;
}
