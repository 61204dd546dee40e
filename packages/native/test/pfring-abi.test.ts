/**
 * The PF_RING ABI pfwork declares (cpp/pfring_abi.h): its static_asserts hold
 * at compile time (the addon would not build otherwise, and the header is
 * compiled here on its own), and the values read back from the addon are
 * PF_RING's documented ones (userland/lib/pfring.h, kernel/linux/pf_ring.h).
 * Where PF_RING's own headers are installed, the layout is also compared with
 * theirs; on these machines they are not, and that test says so.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadNative } from '../src/loader.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const abiHeader = path.resolve(here, '../cpp/pfring_abi.h');
const HAVE_GXX = spawnSync('g++', ['--version']).status === 0;

const abi = loadNative().pfringAbi();
const tmp = mkdtempSync(path.join(tmpdir(), 'pfw-pfring-abi-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('struct pfring_pkthdr (stable prefix)', () => {
  it('has ts, caplen, len and the extended header at the documented offsets', () => {
    expect(abi.pktHdr).toMatchObject({
      ts: 0,
      caplen: 16,
      len: 20,
      timestampNs: 24,
      flags: 32,
      rxDirection: 36,
      ifIndex: 40,
      pktHash: 44,
    });
  });

  it('leaves room for the whole header the library writes (209 bytes on 8.9)', () => {
    expect(abi.pktHdr.size).toBeGreaterThanOrEqual(2 * 209);
  });
});

describe('pfring_stat', () => {
  it('is recv, drop, shunt as 64-bit counters', () => {
    expect(abi.stat).toEqual({ recv: 0, drop: 8, shunt: 16, size: 24 });
  });
});

describe('constants', () => {
  it('pfring_open flags', () => {
    expect(abi.flags).toEqual({
      PF_RING_REENTRANT: 1 << 1,
      PF_RING_LONG_HEADER: 1 << 2,
      PF_RING_PROMISC: 1 << 3,
      PF_RING_TIMESTAMP: 1 << 4,
      PF_RING_HW_TIMESTAMP: 1 << 5,
    });
  });

  it('cluster_type: the six seed types with their PF_RING numbers', () => {
    expect(abi.clusterTypes).toEqual({
      cluster_per_flow: 0,
      cluster_round_robin: 1,
      cluster_per_flow_2_tuple: 2,
      cluster_per_flow_4_tuple: 3,
      cluster_per_flow_5_tuple: 4,
      cluster_per_flow_tcp_5_tuple: 5,
    });
  });

  it('packet_direction and socket_mode', () => {
    expect(abi.directions).toEqual({ rx_and_tx_direction: 0, rx_only_direction: 1, tx_only_direction: 2 });
    expect(abi.socketModes).toEqual({ send_and_recv_mode: 0, send_only_mode: 1, recv_only_mode: 2 });
    expect(abi.maxClusterQueues).toBe(64);
  });
});

describe.skipIf(!HAVE_GXX)('compile-time checks', () => {
  it('pfring_abi.h compiles on its own with its static_asserts', () => {
    const src = path.join(tmp, 'abi.cc');
    writeFileSync(src, `#include "${abiHeader}"\nint main() { return 0; }\n`);
    const r = spawnSync('g++', ['-std=c++17', '-fsyntax-only', src], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  });

  it('a wrong offset fails to compile (the asserts are live)', () => {
    const src = path.join(tmp, 'wrong.cc');
    writeFileSync(
      src,
      `#include "${abiHeader}"\n#include <cstddef>\n` +
        `static_assert(offsetof(pfw::pfring_abi::PktHdr, if_index) == 44, "if_index moved");\nint main() { return 0; }\n`,
    );
    const r = spawnSync('g++', ['-std=c++17', '-fsyntax-only', src], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('if_index moved');
  });
});

// PF_RING's headers, when installed (make install in userland/lib, or ntop's
// pfring package), or a directory given by PFWORK_PFRING_INCLUDE holding
// pfring.h and linux/pf_ring.h (e.g. from a PF_RING source tree).
const includeDir = process.env.PFWORK_PFRING_INCLUDE;
const realHeader = [includeDir ? path.join(includeDir, 'pfring.h') : '', '/usr/include/pfring.h', '/usr/local/include/pfring.h']
  .filter(Boolean)
  .find((p) => existsSync(p));
describe('against PF_RING\'s own headers', () => {
  it.skipIf(!realHeader || !HAVE_GXX)(
    `matches struct pfring_pkthdr and pfring_stat of the installed pfring.h${realHeader ? '' : ' (not installed here: skipped)'}`,
    () => {
      const src = path.join(tmp, 'real.c');
      writeFileSync(
        src,
        `#include <pfring.h>\n#include <stddef.h>\n#include <stdio.h>\n` +
          `int main(void){ printf("%zu %zu %zu %zu %zu %zu %zu %zu %zu\\n",` +
          ` offsetof(struct pfring_pkthdr, caplen), offsetof(struct pfring_pkthdr, len),` +
          ` offsetof(struct pfring_pkthdr, extended_hdr.timestamp_ns), offsetof(struct pfring_pkthdr, extended_hdr.flags),` +
          ` offsetof(struct pfring_pkthdr, extended_hdr.rx_direction), offsetof(struct pfring_pkthdr, extended_hdr.if_index),` +
          ` offsetof(struct pfring_pkthdr, extended_hdr.pkt_hash), sizeof(struct pfring_pkthdr), offsetof(pfring_stat, drop)); return 0; }\n`,
      );
      const bin = path.join(tmp, 'real');
      execFileSync('gcc', ['-w', '-o', bin, src, `-I${path.dirname(realHeader!)}`]);
      const [caplen, len, tsNs, flags, rxDir, ifIndex, pktHash, size, drop] = execFileSync(bin, { encoding: 'utf8' })
        .trim()
        .split(' ')
        .map(Number);
      expect({ caplen, len, tsNs, flags, rxDir, ifIndex, pktHash, drop }).toEqual({
        caplen: abi.pktHdr.caplen,
        len: abi.pktHdr.len,
        tsNs: abi.pktHdr.timestampNs,
        flags: abi.pktHdr.flags,
        rxDir: abi.pktHdr.rxDirection,
        ifIndex: abi.pktHdr.ifIndex,
        pktHash: abi.pktHdr.pktHash,
        drop: abi.stat.drop,
      });
      expect(size).toBeLessThanOrEqual(abi.pktHdr.size);
    },
  );
});
