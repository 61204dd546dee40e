import { describe, expect, it } from 'vitest';
import * as cluster from '../src/cluster.js';
import * as constants from '../src/constants.js';
import { Direction, Flag, KNOWN_FLAGS, NextResult, PacketDirection, SocketMode } from '../src/index.js';

describe('constants carry PF_RING\'s numbers', () => {
  it('Flag: the PF_RING_* bits of pfring.h', () => {
    expect(Flag).toEqual({ Reentrant: 2, LongHeader: 4, Promisc: 8, Timestamp: 16, HwTimestamp: 32 });
    expect(KNOWN_FLAGS).toBe(2 | 4 | 8 | 16 | 32);
  });

  it('Direction: packet_direction (rx_and_tx 0, rx_only 1, tx_only 2), by name too', () => {
    expect([Direction.Both, Direction.Rx, Direction.Tx]).toEqual([0, 1, 2]);
    expect([Direction.both, Direction.rx, Direction.tx]).toEqual([0, 1, 2]);
  });

  it('SocketMode: socket_mode (send_and_recv 0, send_only 1, recv_only 2), by name too', () => {
    expect([SocketMode.Both, SocketMode.Write, SocketMode.Read]).toEqual([0, 1, 2]);
    expect([SocketMode.both, SocketMode.write, SocketMode.read]).toEqual([0, 1, 2]);
  });

  it('NextResult: pfring_recv\'s 1 / 0 / PF_RING_ERROR_RING_NOT_ENABLED (-12), and a distinct End', () => {
    expect(NextResult).toEqual({ Ok: 1, NoPacket: 0, NotEnabled: -12, End: -100 });
    expect(new Set(Object.values(NextResult)).size).toBe(4);
  });

  it('PacketDirection: the batch column values', () => {
    expect(PacketDirection).toEqual({ Rx: 0, Tx: 1, Unknown: 2 });
  });

  it('ClusterType is the cluster module\'s, re-exported (one definition)', () => {
    expect(constants.ClusterType).toBe(cluster.ClusterType);
    expect(constants.CLUSTER_TYPE_NAMES).toBe(cluster.CLUSTER_TYPE_NAMES);
  });
});
