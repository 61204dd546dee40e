/**
 * The only place that loads the compiled addon. Every way loading can fail
 * becomes one error (code PFW_NATIVE_LOAD) with "Possible solutions:".
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const addonPath = path.resolve(here, '../build/Release/pfwork_native.node');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type NativeAddon = Record<string, any>;

let cached: NativeAddon | undefined;

/** Loads (once) and returns the native addon. Throws PFW_NATIVE_LOAD with possible solutions. */
export function loadNative(): NativeAddon {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  try {
    cached = require(addonPath) as NativeAddon;
    return cached;
  } catch (cause) {
    const reason = (cause as Error).message;
    const solutions: string[] = [];
    if (!existsSync(addonPath)) {
      solutions.push(`Build the addon: npm run build:native (it was expected at ${addonPath})`);
    }
    if (/libpcap/.test(reason)) {
      solutions.push('Install libpcap: sudo apt-get install -y libpcap0.8 (Debian/Ubuntu)');
    }
    if (/NODE_MODULE_VERSION|was compiled against/.test(reason)) {
      solutions.push('Rebuild for this Node.js: npm run build:native');
    }
    solutions.push('Run npm test or npm run demo once: they install and build everything that is missing');
    const err = new Error(
      `Could not load pfwork's native addon: ${reason}\nPossible solutions:\n` +
        solutions.map((s) => `- ${s}`).join('\n'),
      { cause },
    ) as Error & { code: string };
    err.code = 'PFW_NATIVE_LOAD';
    throw err;
  }
}
