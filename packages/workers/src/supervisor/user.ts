/**
 * `--user`: the account workers run as. The supervisor keeps its privileges
 * (it opens the capture sockets); workers are forked with this uid/gid
 * (libuv also clears their supplementary groups), so handler code never runs
 * with CAP_NET_RAW.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pfwError } from '../errors.js';

export interface UserIds {
  uid: number;
  gid: number;
  name: string;
}

/**
 * Looks a user up in /etc/passwd (by name or numeric uid).
 *
 * @throws PFW_USER_UNKNOWN when there is no such user; PFW_USER_NOT_ROOT when this
 *   process is not root (only root can start processes as another user).
 * @example resolveUser('nobody') // { uid: 65534, gid: 65534, name: 'nobody' }
 */
export function resolveUser(user: string | number, passwdFile = '/etc/passwd'): UserIds {
  let entries: string[][] = [];
  try {
    entries = readFileSync(passwdFile, 'utf8')
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => l.split(':'));
  } catch {
    // no passwd file: only numeric ids can work
  }
  const byUid = typeof user === 'number' || /^\d+$/.test(user);
  const row = entries.find((f) => (byUid ? f[2] === String(user) : f[0] === user));
  let ids: UserIds;
  if (row) ids = { name: row[0]!, uid: Number(row[2]), gid: Number(row[3]) };
  else if (byUid) ids = { name: String(user), uid: Number(user), gid: Number(user) };
  else throw pfwError('PFW_USER_UNKNOWN', `--user ${user}: no such user in ${passwdFile}; give an existing user name or a numeric uid`);
  const me = process.getuid?.();
  if (me !== undefined && me !== 0 && me !== ids.uid) {
    throw pfwError('PFW_USER_NOT_ROOT', `--user ${user}: only root can run workers as another user (this process runs as uid ${me})`);
  }
  return ids;
}

// Run as the user: the first file it cannot read, and the highest directory
// above it that does not let it in (or the file itself), as JSON.
const PROBE = `
const fs = require('fs'), path = require('path');
for (const f of JSON.parse(process.argv[1])) {
  try { fs.accessSync(f, fs.constants.R_OK); continue; } catch (e) {
    let stop = f;
    for (let d = path.dirname(f); ; d = path.dirname(d)) {
      try { fs.accessSync(d, fs.constants.X_OK); } catch { stop = d; }
      if (d === path.dirname(d)) break;
    }
    process.stdout.write(JSON.stringify({ file: f, stop, code: e.code }));
    process.exit(3);
  }
}`;

/**
 * Checks, before any worker starts, that `user` can read `files` (the worker
 * code, tsx, the handler, the capture): the kernel is asked by a short node
 * process running as that user. Without this a worker that cannot load its
 * code crashes at start, is restarted, crashes again until the restart
 * budget gives up, and the reason is buried in its stderr.
 *
 * @throws PFW_USER_ACCESS naming the file and the directory that stops the user
 * @example checkUserCanRead(resolveUser('nobody'), ['/opt/pfwork/packages/workers/src/worker/entry.ts'])
 */
export function checkUserCanRead(ids: UserIds, files: readonly string[]): void {
  const r = spawnSync(process.execPath, ['-e', PROBE, JSON.stringify(files)], {
    uid: ids.uid,
    gid: ids.gid,
    encoding: 'utf8',
    timeout: 30_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (r.error) {
    throw pfwError('PFW_USER_ACCESS', `--user ${ids.name}: cannot run ${process.execPath} as that user (${r.error.message}); workers run the same node binary`);
  }
  if (r.status === 0) return;
  let found: { file: string; stop: string; code: string } | undefined;
  try {
    found = JSON.parse(r.stdout) as typeof found;
  } catch {
    // the probe itself failed (e.g. node cannot start as that user): say what it said
  }
  if (!found) {
    throw pfwError('PFW_USER_ACCESS', `--user ${ids.name}: node does not run as that user (exit ${r.status ?? r.signal}): ${(r.stderr || r.stdout).trim().split('\n')[0]}`);
  }
  const fileItself = found.stop === found.file;
  const why = fileItself ? `the file is not readable by it (${found.code})` : `directory ${found.stop} does not let it in`;
  const fix = fileItself ? `chmod o+r ${found.file}` : `chmod o+x ${found.stop}`;
  throw pfwError(
    'PFW_USER_ACCESS',
    `--user ${ids.name} cannot read ${found.file}: ${why}. Workers run as that user and load pfwork, the handler and ` +
      `the capture from there: open the way (e.g. ${fix}) or choose another user`,
  );
}
