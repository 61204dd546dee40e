/**
 * What /proc says about other processes, for tests that check what a user
 * sees in ps and top, or whether a process is still there.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** True while process `pid` exists (a zombie counts; so does someone else's: EPERM). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The command names (/proc/PID/comm, what ps and top show) of the processes whose parent is `pid`, sorted. */
export function childNames(pid: number): string[] {
  const names: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // "PID (COMM) STATE PPID ...": COMM may hold spaces and parentheses, so split after the last ')'
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) names.push(stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')));
    } catch {
      // the process ended meanwhile
    }
  }
  return names.sort();
}

/** The names of the threads of process `pid` (top -H, ps -L). */
export function threadNames(pid: number): string[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    try {
      return readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
    } catch {
      return ''; // the thread ended meanwhile
    }
  });
}
