/**
 * The worker side of the custom supervisor: pfwork's own runtime. It waits
 * for the StartMessage, loads the handler, opens its ring and streams
 * records, stats and reports back over the fork channel.
 */
import { runWorker } from '@pfwork/workers';

await runWorker();
