/**
 * The only place that loads the compiled addon. Every way loading can fail
 * becomes one error (code PFW_NATIVE_LOAD) with "Possible solutions:".
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { PfwError } from './errors.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** Where the build puts the addon. */
export const ADDON_PATH = path.resolve(here, '../build/Release/pfwork_native.node');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type NativeAddon = Record<string, any>;

let cached: NativeAddon | undefined;

/**
 * The error for a failed load of the addon at `addonPath`: what failed and
 * "Possible solutions:", one per line, most specific first.
 */
export function loadFailure(cause: unknown, addonPath: string): PfwError {
  // Node appends a "Require stack:" listing to a missing module: the first line says it all.
  const reason = (cause instanceof Error ? cause.message : String(cause)).split('\n')[0]!;
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
  if (/invalid ELF header|file too short|wrong ELF class/.test(reason)) {
    solutions.push(`The file at ${addonPath} is not an addon for this machine: npm run build:native`);
  }
  solutions.push('Run npm test or npm run demo once: they install and build everything that is missing');
  return new PfwError(
    'PFW_NATIVE_LOAD',
    `Could not load pfwork's native addon: ${reason}\nPossible solutions:\n` + solutions.map((s) => `- ${s}`).join('\n'),
    { cause },
  );
}

/** Loads the addon at `file` (no cache). Throws {@link loadFailure}'s error. */
export function loadAddonAt(file: string): NativeAddon {
  const require = createRequire(import.meta.url);
  try {
    return require(file) as NativeAddon;
  } catch (cause) {
    throw loadFailure(cause, file);
  }
}

/** Loads (once) and returns the native addon. Throws PFW_NATIVE_LOAD with possible solutions. */
export function loadNative(): NativeAddon {
  cached ??= loadAddonAt(ADDON_PATH);
  return cached;
}
