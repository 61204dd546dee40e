/**
 * The worker process and its supervisor (cpp/process_exports.cc).
 *
 * A worker stuck in a handler that never yields cannot see its supervisor's
 * IPC channel close; if the supervisor is killed outright (SIGKILL, the OOM
 * killer) such a worker would spin on as an orphan. dieWithParent() asks the
 * kernel (Linux PR_SET_PDEATHSIG) to kill this process with SIGKILL when its
 * parent exits.
 */
import { fromNative } from './errors.js';
import { loadNative } from './loader.js';

/**
 * From now on this process gets SIGKILL when its parent exits. Returns false
 * (and sets nothing that matters) if the parent is already gone: its pid
 * differs from `parentPid`, the parent this process was started by.
 * @throws PfwError PFW_NOT_SUPPORTED where prctl() refuses
 */
export function dieWithParent(parentPid: number): boolean {
  let now: number;
  try {
    now = loadNative().dieWithParent() as number;
  } catch (err) {
    throw fromNative(err);
  }
  return now === parentPid;
}
