/**
 * `--user`: the account workers run as. The supervisor keeps its privileges
 * (it opens the capture sockets); workers are forked with this uid/gid
 * (libuv also clears their supplementary groups), so handler code never runs
 * with CAP_NET_RAW.
 */
import { readFileSync } from 'node:fs';
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
