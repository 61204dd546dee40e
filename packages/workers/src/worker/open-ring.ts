/**
 * The worker's one contact point for opening @pfwork/native's Ring: a file
 * with its cluster slot, a device, or an inherited fanout member (`fd`).
 */
import { Ring, type RingOptions } from '@pfwork/native';

/**
 * Opens the ring described by `options`.
 *
 * @throws whatever Ring.open throws (PFW_NO_SUCH_FILE, PFW_UNSUPPORTED_LINKTYPE,
 *   PFW_NO_CAP_NET_RAW, PFW_INVALID_OPTION, ...).
 */
export function openRing(options: RingOptions): Ring {
  return Ring.open(options);
}
