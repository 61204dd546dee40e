#!/usr/bin/env python3
"""Runs the fanout cBPF programs in the real kernel, for cbpf-fanout-kernel.test.ts.

Must run as root inside a fresh network namespace (the test starts it with
`unshare -n`), so the veth pair it creates and every frame it sends stay there.
Input JSON: {"programs": {type: [[code, jt, jf, k], ...]}, "members": N, "frames": [hex, ...]}.
For each type it builds a PACKET_FANOUT_CBPF group of N members (with
PACKET_FANOUT_FLAG_DEFRAG) on the receiving end of the veth pair, sends every
frame, then does the same on the sending end (which sees the frames as
outgoing), and writes what each member got: {"type", "side", "member", "pkttype", "hex", "vlanTci", "vlanTpid"}.
"""
import ctypes
import json
import socket
import struct
import subprocess
import sys
import time

SOL_PACKET = 263
PACKET_AUXDATA = 8
PACKET_FANOUT = 18
PACKET_FANOUT_DATA = 22
PACKET_FANOUT_CBPF = 6
PACKET_FANOUT_FLAG_DEFRAG = 0x8000
TP_STATUS_VLAN_VALID = 1 << 4
ETH_P_ALL = 3


def sh(*args):
    subprocess.run(args, check=True)


def group(ifname, fanout_id, members, prog):
    socks = []
    insns = b''.join(struct.pack('=HBBI', c, jt, jf, k) for c, jt, jf, k in prog)
    buf = ctypes.create_string_buffer(insns, len(insns))
    for i in range(members):
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        s.bind((ifname, 0))
        s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
        s.setsockopt(SOL_PACKET, PACKET_FANOUT, struct.pack('=HH', fanout_id, PACKET_FANOUT_CBPF | PACKET_FANOUT_FLAG_DEFRAG))
        if i == 0:
            # Until a program is set the kernel sends everything to member 0:
            # set it while the group has one member, so no packet is misplaced.
            s.setsockopt(SOL_PACKET, PACKET_FANOUT_DATA, struct.pack('=HxxxxxxQ', len(prog), ctypes.addressof(buf)))
        socks.append(s)
    # Packets that arrived while members were joining were spread over fewer members: drop them.
    for s in socks:
        s.setblocking(False)
        try:
            while True:
                s.recv(65535)
        except BlockingIOError:
            pass
    return socks


def drain(socks, side, type_, out):
    for member, s in enumerate(socks):
        s.setblocking(False)
        while True:
            try:
                data, anc, _flags, addr = s.recvmsg(65535, socket.CMSG_SPACE(20))
            except BlockingIOError:
                break
            tci, tpid = -1, 0
            for level, kind, value in anc:
                if level == SOL_PACKET and kind == PACKET_AUXDATA and len(value) >= 20:
                    status, _len, _snaplen, _mac, _net, vlan_tci, vlan_tpid = struct.unpack('=IIIHHHH', value[:20])
                    if status & TP_STATUS_VLAN_VALID:
                        tci, tpid = vlan_tci, vlan_tpid
            out.append({'type': type_, 'side': side, 'member': member, 'pkttype': addr[2], 'hex': data.hex(),
                        'vlanTci': tci, 'vlanTpid': tpid})


def main():
    spec = json.load(open(sys.argv[1]))
    sh('ip', 'link', 'set', 'lo', 'up')
    sh('ip', 'link', 'add', 'pfwfa', 'type', 'veth', 'peer', 'name', 'pfwfb')
    for dev in ('pfwfa', 'pfwfb'):
        sh('ip', 'link', 'set', dev, 'up')
    time.sleep(0.3)
    sender = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    sender.bind(('pfwfa', 0))
    out = []
    n = spec['members']
    for t, prog in spec['programs'].items():
        # One side at a time: both groups reassemble fragments with the same
        # defrag user (IP_DEFRAG_AF_PACKET), so together they would share queues.
        for side, ifname, base in (('rx', 'pfwfb', 1000), ('tx', 'pfwfa', 2000)):
            socks = group(ifname, base + int(t), n, prog)
            for h in spec['frames']:
                sender.send(bytes.fromhex(h))
            time.sleep(0.3)
            drain(socks, side, int(t), out)
            for s in socks:
                s.close()
    json.dump(out, open(sys.argv[2], 'w'))


main()
