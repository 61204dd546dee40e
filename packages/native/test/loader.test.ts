import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ADDON_PATH, loadAddonAt, loadFailure, loadNative } from '../src/loader.js';

const dir = mkdtempSync(path.join(tmpdir(), 'pfw-loader-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loader', () => {
  it('loads the addon once, with the Ring inside', () => {
    const addon = loadNative();
    expect(typeof addon.NativeRing).toBe('function');
    expect(typeof addon.pageSize).toBe('function');
    expect(loadNative()).toBe(addon);
  });

  it('a missing addon: one message with possible solutions', () => {
    const missing = path.join(dir, 'nowhere', 'pfwork_native.node');
    let err: (Error & { code?: string }) | undefined;
    try {
      loadAddonAt(missing);
    } catch (e) {
      err = e as typeof err;
    }
    expect(err?.code).toBe('PFW_NATIVE_LOAD');
    const [first, ...rest] = err!.message.split('\n');
    expect(first).toMatch(/^Could not load pfwork's native addon: Cannot find module '.*pfwork_native\.node'/);
    expect(rest).toEqual([
      'Possible solutions:',
      `- Build the addon: npm run build:native (it was expected at ${missing})`,
      '- Run npm test or npm run demo once: they install and build everything that is missing',
    ]);
  });

  it('a file that is not an addon', () => {
    const bogus = path.join(dir, 'bogus.node');
    writeFileSync(bogus, 'not an ELF file');
    expect(() => loadAddonAt(bogus)).toThrow(`- The file at ${bogus} is not an addon for this machine: npm run build:native`);
  });

  it('a missing libpcap: the install command', () => {
    const reason = new Error('libpcap.so.0.8: cannot open shared object file: No such file or directory');
    expect(loadFailure(reason, ADDON_PATH).message).toBe(
      "Could not load pfwork's native addon: libpcap.so.0.8: cannot open shared object file: No such file or directory\n" +
        'Possible solutions:\n' +
        '- Install libpcap: sudo apt-get install -y libpcap0.8 (Debian/Ubuntu)\n' +
        '- Run npm test or npm run demo once: they install and build everything that is missing',
    );
  });
});
