/**
 * Network namespaces and veth pairs for live-capture tests.
 *
 * `createVethPair(tag)` makes a namespace and a veth pair whose names are
 * unique per test file and process: the capture end stays in the root
 * namespace (where the test opens its rings), the inject end is moved into the
 * namespace (where test/support/inject.ts sends from). IPv6 is disabled on
 * both ends before they come up, and no address is assigned, so the kernel
 * sends nothing of its own (no router solicitations, MLD reports or ARP): the
 * only frames on the link are the ones a test injects.
 *
 * Needs root (CAP_NET_ADMIN for the namespace and the links, CAP_NET_RAW to
 * capture). Tests check `isRoot()` and skip with `NEEDS_ROOT`.
 *
 * @example
 *   const pair = isRoot() ? createVethPair('basic') : null;
 *   afterAll(() => pair?.cleanup());
 *   // capture on pair.captureIf; inject with runInject(pair, { file })
 */
import { execFileSync } from 'node:child_process';
import { processAlive } from './proc.js';

/** The skip message of every test that needs root. */
export const NEEDS_ROOT =
  'needs root: live capture creates a network namespace and a veth pair (CAP_NET_ADMIN) and opens AF_PACKET ' +
  'sockets (CAP_NET_RAW); run the tests as root (CI does)';

/** True when this process runs as root (uid 0). */
export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

export interface VethPair {
  /** The namespace holding the inject end, e.g. `pfw-basic-12345-0`. */
  readonly ns: string;
  /** Interface name in the root namespace: capture here. */
  readonly captureIf: string;
  /** Interface name inside `ns`: inject here. */
  readonly injectIf: string;
  /** Runs a command inside the namespace (`ip netns exec`); returns stdout. */
  exec(cmd: string, args: string[]): string;
  /** Deletes the namespace and both interfaces. Idempotent; never throws. */
  cleanup(): void;
}

const live = new Set<VethPair>();
let counter = 0;
let exitHookInstalled = false;

function ip(args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function setSysctl(key: string, value: string, ns?: string): void {
  const file = `/proc/sys/${key.replaceAll('.', '/')}`;
  // Inside the namespace /proc/sys/net shows that namespace's settings.
  const args = ns ? ['netns', 'exec', ns, 'sh', '-c', `echo ${value} > ${file}`] : null;
  if (args) ip(args);
  else execFileSync('sh', ['-c', `echo ${value} > ${file}`]);
}

/** The namespaces this module names (`pfw-TAG-PID-N`), with the process id that made them. */
const OUR_NAMESPACE = /^pfw-[a-z0-9]+-(\d+)-\d+$/;

/**
 * Deletes the namespaces (and with them their veth pairs) that a test or
 * bench process made and could not remove because it died first: SIGKILL, a
 * timeout, the OOM killer skip the exit hook below, and the pairs stayed
 * forever. Only those whose process is gone: a live one is still using its
 * own. Returns the names deleted.
 */
export function removeStaleNamespaces(): string[] {
  let list: string;
  try {
    list = ip(['netns', 'list']);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const line of list.split('\n')) {
    const name = line.split(' ')[0]!;
    const m = OUR_NAMESPACE.exec(name);
    if (!m || processAlive(Number(m[1]))) continue;
    try {
      ip(['netns', 'del', name]);
      removed.push(name);
    } catch {
      /* another process removed it meanwhile */
    }
  }
  return removed;
}

export interface VethPairOptions {
  /**
   * Put the inject end into this existing namespace (another pair's `ns`)
   * instead of a new one: one injector process can then send on several
   * pairs. cleanup() of such a pair removes its links, not the namespace.
   */
  namespace?: string;
}

/**
 * Creates a namespace and a veth pair for one test file. `tag` (letters and
 * digits, at most 5 used in interface names) makes the names recognisable;
 * the process id and a counter make them unique. Interface names stay within
 * Linux's 15 characters. Throws if `ip` fails (with its stderr).
 */
export function createVethPair(tag: string, options: VethPairOptions = {}): VethPair {
  removeStaleNamespaces();
  const clean = tag.replace(/[^a-z0-9]/gi, '').toLowerCase() || 't';
  const n = counter++;
  const id = `${process.pid.toString(36)}${n.toString(36)}`;
  const short = clean.slice(0, Math.max(1, 12 - id.length));
  const captureIf = `p${short}${id}c`.slice(0, 15);
  const injectIf = `p${short}${id}i`.slice(0, 15);
  const ownNs = options.namespace === undefined;
  const ns = options.namespace ?? `pfw-${clean}-${process.pid}-${n}`;
  const pair: VethPair = {
    ns,
    captureIf,
    injectIf,
    exec(cmd, args) {
      return ip(['netns', 'exec', ns, cmd, ...args]);
    },
    cleanup() {
      if (!live.delete(pair)) return;
      if (ownNs) {
        try {
          ip(['netns', 'del', ns]);
        } catch {
          /* already gone */
        }
      }
      try {
        ip(['link', 'del', captureIf]);
      } catch {
        /* removing the namespace removed the pair */
      }
    },
  };
  live.add(pair);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // A test run that dies early still removes what it made.
    process.once('exit', () => {
      for (const p of [...live]) p.cleanup();
    });
  }
  try {
    if (ownNs) ip(['netns', 'add', ns]);
    ip(['link', 'add', captureIf, 'type', 'veth', 'peer', 'name', injectIf, 'netns', ns]);
    // Before the links come up: no IPv6 means no link-local address, no DAD,
    // no router solicitation, no MLD report.
    setSysctl(`net.ipv6.conf.${captureIf}.disable_ipv6`, '1');
    setSysctl(`net.ipv6.conf.${injectIf}.disable_ipv6`, '1', ns);
    if (ownNs) setSysctl('net.ipv6.conf.all.disable_ipv6', '1', ns);
    ip(['link', 'set', captureIf, 'up']);
    ip(['-n', ns, 'link', 'set', injectIf, 'up']);
    ip(['-n', ns, 'link', 'set', 'lo', 'up']);
  } catch (err) {
    pair.cleanup();
    const e = err as Error & { stderr?: string };
    throw new Error(`could not create veth pair ${captureIf}/${injectIf} in namespace ${ns}: ${e.stderr || e.message}`, {
      cause: err,
    });
  }
  return pair;
}
