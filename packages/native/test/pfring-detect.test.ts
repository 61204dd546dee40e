/**
 * PF_RING detection: the module (/proc/net/pf_ring/info), the library
 * (dlopen, libpcap made global first), the exact errors, and the `auto` choice.
 * On machines without PF_RING (these) the absent path is the real one; the
 * library paths are exercised with the stand-in (test/pfring/pfring-standin.c).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PFRING_LIBRARY_ENV,
  chooseLiveBackend,
  parsePfringInfoVersion,
  pfringCandidatePaths,
  pfringLoadError,
  probePfring,
} from '../src/pfring.js';
import { HAVE_GCC, STANDIN_SKIP, buildStandin, type Standin } from './pfring/standin.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const addonPath = path.resolve(here, '../build/Release/pfwork_native.node');

// A real /proc/net/pf_ring/info starts like this (kernel/pf_ring.c, 8.9.0).
const INFO_8_9 = `PF_RING Version          : 8.9.0 (8.9.0-stable:0c2a0a3a7c5b)
Total rings              : 2

Standard (non ZC) Options
Ring slots               : 4096
Slot version             : 21
Capture TX               : Yes [RX+TX]
IP Defragment            : No
Socket Mode              : Standard
Cluster Fragment Queue   : 0
Cluster Fragment Discard : 0
`;

const DEFAULT_PATHS = [
  'libpfring.so',
  'libpfring.so.9',
  'libpfring.so.8',
  'libpfring.so.7',
  'libpfring.so.6',
  '/usr/local/lib/libpfring.so',
  '/usr/local/lib64/libpfring.so',
  '/usr/lib/libpfring.so',
  '/usr/lib64/libpfring.so',
  '/opt/pfring/lib/libpfring.so',
];

const SOLUTIONS =
  'Possible solutions:\n' +
  '- Install PF_RING (library and kernel module): https://www.ntop.org/guides/pf_ring/get_started/ ' +
  '(Debian/Ubuntu: add the packages.ntop.org repository, then apt-get install pfring pfring-dkms; ' +
  'or build github.com/ntop/PF_RING: kernel/ then userland/lib/ with ./configure && make && make install)\n' +
  '- If libpfring is installed elsewhere, set PFWORK_PFRING_LIBRARY to its path\n' +
  "- Use backend 'afpacket' (what 'auto' picks when PF_RING is absent)";

const NOT_FOUND = 'cannot open shared object file: No such file or directory';

// Is PF_RING installed on this machine? (Then the "absent" tests do not apply.)
const savedEnv = process.env[PFRING_LIBRARY_ENV];
delete process.env[PFRING_LIBRARY_ENV];
const realProbe = probePfring();
const PFRING_HERE = realProbe.module.present || realProbe.library.loaded;
const ABSENT_SKIP = 'PF_RING is installed on this machine: the "absent" errors cannot be observed';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'pfw-pfring-detect-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
  if (savedEnv === undefined) delete process.env[PFRING_LIBRARY_ENV];
  else process.env[PFRING_LIBRARY_ENV] = savedEnv;
});

describe('PF_RING on this machine', () => {
  it.skipIf(PFRING_HERE)('reports the module as not loaded', () => {
    expect(existsSync('/proc/net/pf_ring/info')).toBe(false);
    expect(realProbe.module).toEqual({ present: false, path: '/proc/net/pf_ring/info', version: '' });
  });

  it.skipIf(PFRING_HERE)('fails to load libpfring with PFW_PFRING_ABSENT, listing every path tried and how to install', () => {
    expect(realProbe.library.loaded).toBe(false);
    expect(realProbe.library.error).toEqual({
      code: 'PFW_PFRING_ABSENT',
      message:
        "PF_RING's library (libpfring) could not be loaded. Paths tried:\n" +
        DEFAULT_PATHS.map((p) => `  ${p}: ${NOT_FOUND}\n`).join('') +
        SOLUTIONS,
    });
    const err = pfringLoadError(realProbe)!;
    expect(err).toBeInstanceOf(Error);
    expect(err.code).toBe('PFW_PFRING_ABSENT');
  });

  it.skipIf(PFRING_HERE)("auto picks afpacket and says why", () => {
    expect(chooseLiveBackend()).toEqual({
      backend: 'afpacket',
      reason: 'afpacket: PF_RING is not loaded (/proc/net/pf_ring/info does not exist)',
    });
  });
});

describe('library search', () => {
  it('tries the plain names, the versioned names, then the usual directories', () => {
    expect(pfringCandidatePaths()).toEqual(DEFAULT_PATHS);
  });

  it('tries only PFWORK_PFRING_LIBRARY when it is set, and says so', () => {
    expect(pfringCandidatePaths('/x/libpfring.so')).toEqual(['/x/libpfring.so']);
    const missing = path.join(tmp, 'nowhere', 'libpfring.so');
    process.env[PFRING_LIBRARY_ENV] = missing;
    try {
      const p = probePfring();
      expect(p.library.error).toEqual({
        code: 'PFW_PFRING_ABSENT',
        message:
          "PF_RING's library (libpfring) could not be loaded. Paths tried (from PFWORK_PFRING_LIBRARY):\n" +
          `  ${missing}: ${NOT_FOUND}\n` +
          SOLUTIONS,
      });
    } finally {
      delete process.env[PFRING_LIBRARY_ENV];
    }
  });

  it('reports a file that is not a shared library with the loader\'s reason', () => {
    const bogus = path.join(tmp, 'libpfring.so');
    writeFileSync(bogus, 'not an ELF file');
    const p = probePfring({ library: bogus });
    expect(p.library.error!.code).toBe('PFW_PFRING_ABSENT');
    expect(p.library.error!.message).toContain(`Paths tried:\n  ${bogus}: `);
    expect(p.library.error!.message).toMatch(/invalid ELF header|file too short/);
  });
});

describe('/proc/net/pf_ring/info', () => {
  it('parses the version line', () => {
    expect(parsePfringInfoVersion(INFO_8_9)).toBe('8.9.0');
    expect(parsePfringInfoVersion('PF_RING Version     : 7.8.0 ($Revision: 7.8.0-stable$)\n')).toBe('7.8.0');
    expect(parsePfringInfoVersion('PF_RING Version : 6.0.3\nTotal rings : 0\n')).toBe('6.0.3');
  });

  it('gives an empty version when there is no version line', () => {
    expect(parsePfringInfoVersion('Total rings : 0\n')).toBe('');
    expect(parsePfringInfoVersion('')).toBe('');
  });

  it('reads the module version from the info file', () => {
    const info = path.join(tmp, 'info');
    writeFileSync(info, INFO_8_9);
    expect(probePfring({ infoPath: info }).module).toEqual({ present: true, path: info, version: '8.9.0' });
  });

  it.skipIf(PFRING_HERE)('auto: module present but no library -> afpacket, with the reason', () => {
    const info = path.join(tmp, 'info');
    writeFileSync(info, INFO_8_9);
    expect(chooseLiveBackend({ infoPath: info })).toEqual({
      backend: 'afpacket',
      reason:
        'afpacket: the pf_ring kernel module is loaded (PF_RING 8.9.0) but libpfring is not usable ' +
        '(PFW_PFRING_ABSENT; set PFWORK_PFRING_LIBRARY to its path)',
    });
  });
});

describe.skipIf(!HAVE_GCC)(`loading a library (the stand-in)${HAVE_GCC ? '' : ` (skipped: ${STANDIN_SKIP})`}`, () => {
  let s: Standin;
  beforeAll(() => {
    s = buildStandin();
  });
  afterAll(() => s?.cleanup());

  it('loads it and resolves the optional symbols it has', () => {
    const p = probePfring({ library: s.lib('full') });
    expect(p.library).toEqual({ loaded: true, path: s.lib('full'), version: '8.9.0', clusterConsumer: true, linkType: true });
  });

  it('loads a library without pfring_set_cluster_consumer (PF_RING < 8.7): it is optional', () => {
    const p = probePfring({ library: s.lib('no-consumer') });
    expect(p.library.loaded).toBe(true);
    expect(p.library.clusterConsumer).toBe(false);
  });

  it('rejects a library that lacks a required symbol with PFW_PFRING_VERSION, naming it and the version found', () => {
    const p = probePfring({ library: s.lib('old') });
    expect(p.library.loaded).toBe(false);
    expect(p.library.error).toEqual({
      code: 'PFW_PFRING_VERSION',
      message:
        `libpfring at ${s.lib('old')} lacks pfring_set_socket_mode (found PF_RING 5.6.0); ` +
        'pfwork needs PF_RING 6.0 or later: upgrade PF_RING (library and kernel module together)',
    });
  });

  it('auto: module present and the library loads -> pfring, with the reason', () => {
    const info = path.join(tmp, 'info');
    writeFileSync(info, INFO_8_9);
    expect(chooseLiveBackend({ infoPath: info, library: s.lib('full') })).toEqual({
      backend: 'pfring',
      reason: `pfring: the pf_ring kernel module is loaded (PF_RING 8.9.0) and libpfring loaded from ${s.lib('full')}`,
    });
  });

  it('auto: module present but the library is too old -> afpacket, naming the missing symbol', () => {
    const info = path.join(tmp, 'info');
    writeFileSync(info, INFO_8_9);
    const c = chooseLiveBackend({ infoPath: info, library: s.lib('old') });
    expect(c.backend).toBe('afpacket');
    expect(c.reason).toBe(
      'afpacket: the pf_ring kernel module is loaded (PF_RING 8.9.0) but libpfring is not usable ' +
        `(PFW_PFRING_VERSION: libpfring at ${s.lib('old')} lacks pfring_set_socket_mode (found PF_RING 5.6.0); ` +
        'pfwork needs PF_RING 6.0 or later: upgrade PF_RING (library and kernel module together))',
    );
  });

  it('makes libpcap global before loading libpfring (a library that is not linked with libpcap still loads)', () => {
    // In a fresh process: with only the addon loaded (it links libpcap, but
    // in its own local scope), the stand-in cannot resolve pcap_* symbols;
    // after pfringProbe() has promoted libpcap to the global scope it can.
    const child = `
      const os = require('node:os');
      const addon = require(${JSON.stringify(addonPath)});
      const lib = ${JSON.stringify(s.lib('full'))};
      let before;
      try { process.dlopen({ exports: {} }, lib, os.constants.dlopen.RTLD_NOW); before = 'loaded'; }
      catch (e) { before = e.message; }
      const p = addon.pfringProbe({ library: lib });
      console.log(JSON.stringify({ before, after: p.library.loaded }));
    `;
    const r = spawnSync(process.execPath, ['-e', child], { encoding: 'utf8', env: { ...process.env } });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim());
    expect(out.before).toContain('undefined symbol: pcap_');
    expect(out.after).toBe(true);
  });
});
