// The module piscina runs in each offload thread: it loads the handler's
// offload module (TypeScript too: tsx's loader is registered here unless the
// process already runs with it) and calls its default export for every task.
// Plain JavaScript, because it is what makes TypeScript loadable.
import { workerData } from 'node:worker_threads';

const spec = workerData.pfworkOffloadModule;
// `--import tsx` (or the absolute loader URL Supervisor passes) already registered it
const tsxActive = process.execArgv.some((a, i) => {
  const v = a.startsWith('--import=') ? a.slice(9) : process.execArgv[i - 1] === '--import' ? a : '';
  return /^tsx(\/esm)?$|\/tsx\/dist\/(loader|esm\/index)\.mjs$/.test(v);
});
if (!tsxActive && /\.[cm]?tsx?$/.test(new URL(spec).pathname)) {
  const { register } = await import('tsx/esm/api');
  register();
}
const mod = await import(spec);
const run = mod.default;
if (typeof run !== 'function') {
  throw new TypeError(`offload module ${spec} must export a function as its default export (it gets the data given to ctx.offload.run())`);
}

export default function offloadTask(data) {
  return run(data);
}
