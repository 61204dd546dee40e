// The module piscina runs in each offload thread: it loads the handler's
// offload module and calls its default export for every task. A TypeScript
// module loads through tsx's loader, registered here when the thread does not
// have it (a process's --import hooks do not always reach worker threads).
// Plain JavaScript, because it is what makes TypeScript loadable.
import { workerData } from 'node:worker_threads';

const spec = workerData.pfworkOffloadModule;

async function load() {
  try {
    return await import(spec);
  } catch (err) {
    if (err?.code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw err;
    const { register } = await import('tsx/esm/api');
    register();
    // a failed import stays failed in the module map: load it under a fresh URL
    return await import(`${spec}${spec.includes('?') ? '&' : '?'}pfwork-tsx`);
  }
}

const mod = await load();
const run = mod.default;
if (typeof run !== 'function') {
  throw new TypeError(`offload module ${spec} must export a function as its default export (it gets the data given to ctx.offload.run())`);
}

export default function offloadTask(data) {
  return run(data);
}
