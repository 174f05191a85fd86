# SPDX-License-Identifier: EUPL-1.2
"""Many open event streams: what N server-sent event streams cost the daemon.

Starts the daemon with a small sitting, opens N streams (GET /api/v1/sessions/{sid}/events,
operator token) from four client addresses (127.0.0.2-5, so that the default per-address cap
of 512 holds), waits until each got its first event, then reports:
  - the daemon's threads and RSS before and with the streams open;
  - its CPU (utime+stime, /proc/<pid>/stat) over --idle seconds before the streams and with
    them open and quiet: no change, but the "levels" event every 250 ms goes to every
    stream (the keepalive, every 15 s, only to a stream that had nothing else);
  - one PATCH of the sitting's name: the time until the event reached every stream (measured
    by this client, which shares the machine), and how many got it.

Usage: python3 tests/bench/event_streams_bench.py [--streams 2000] [--idle 20]
Environment: TOLK_BIN (daemon), defaults to build/.
Exit 0 (a benchmark: no target), 2 when a stream failed or the event did not reach all.
"""

import argparse
import os
import re
import selectors
import socket
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, '..', '..'))
sys.path.insert(0, os.path.join(REPO, 'tests', 'e2e'))
import tolkharness as th  # noqa: E402

SID = 'streams'
SITTING = {'id': SID, 'name': 'streams', 'floor_language': 'de', 'channels': ['de', 'en']}
ADDRESSES = ['127.0.0.%d' % i for i in range(2, 6)]
TICKS = os.sysconf('SC_CLK_TCK')


def status_field(pid, name):
    with open('/proc/%d/status' % pid) as f:
        return int(re.search(r'^%s:\s+(\d+)' % name, f.read(), re.M).group(1))


def cpu_seconds(pid):
    with open('/proc/%d/stat' % pid) as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def open_streams(daemon, count, sel):
    request = ('GET /api/v1/sessions/%s/events HTTP/1.1\r\nHost: x\r\n'
               'Authorization: Bearer %s\r\n\r\n' % (SID, daemon.token)).encode()
    got = {}
    for i in range(count):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind((ADDRESSES[i % len(ADDRESSES)], 0))
        s.settimeout(5)
        s.connect((daemon.host, daemon.port))
        s.sendall(request)
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ)
        got[s] = b''
    return got


def read_until(sel, got, marker, limit_s):
    """Reads every stream until each has marker; returns (seconds to the last, missing)."""
    start = time.monotonic()
    pending = {s for s in got if marker not in got[s]}
    while pending and time.monotonic() - start < limit_s:
        for key, _ in sel.select(timeout=0.5):
            s = key.fileobj
            try:
                data = s.recv(65536)
            except BlockingIOError:
                continue
            if not data:
                sel.unregister(s)
                pending.discard(s)
                continue
            got[s] += data
            if marker in got[s]:
                pending.discard(s)
    missing = sum(1 for s in got if marker not in got[s])
    return time.monotonic() - start, missing


def drain(sel, got, seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for key, _ in sel.select(timeout=max(0.0, end - time.monotonic())):
            try:
                got[key.fileobj] += key.fileobj.recv(65536)
            except BlockingIOError:
                pass


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--streams', type=int, default=2000)
    parser.add_argument('--idle', type=float, default=20.0)
    args = parser.parse_args()
    with th.Daemon() as daemon:
        api = daemon.api()
        api.expect(201, 'POST', 'sessions', SITTING)
        pid = daemon.proc.pid
        time.sleep(1)
        threads0, rss0 = status_field(pid, 'Threads'), status_field(pid, 'VmRSS')
        cpu_a, wall_a = cpu_seconds(pid), time.monotonic()
        time.sleep(args.idle)
        base = (cpu_seconds(pid) - cpu_a) / (time.monotonic() - wall_a)
        sel = selectors.DefaultSelector()
        t0 = time.monotonic()
        got = open_streams(daemon, args.streams, sel)
        took, missing = read_until(sel, got, b'event: session', 60)
        print('opened %d streams in %.1f s, %d without their first event'
              % (args.streams, time.monotonic() - t0, missing))
        if missing:
            return 2
        time.sleep(1)
        threads1, rss1 = status_field(pid, 'Threads'), status_field(pid, 'VmRSS')
        for s in got:
            got[s] = b''
        cpu_a, wall_a = cpu_seconds(pid), time.monotonic()
        drain(sel, got, args.idle)
        cpu_b, wall_b = cpu_seconds(pid), time.monotonic()
        levels = sum(got[s].count(b'event: levels') for s in got)
        for s in got:
            got[s] = b''
        start = time.monotonic()
        api.expect(200, 'PATCH', 'sessions/' + SID, {'name': 'renamed'})
        took, missing = read_until(sel, got, b'"renamed"', 60)
        print('daemon threads %d -> %d, RSS %.1f -> %.1f MB (%.1f KB per stream)'
              % (threads0, threads1, rss0 / 1024, rss1 / 1024, (rss1 - rss0) / args.streams))
        print('quiet %.0f s: daemon CPU %.4f core without streams, %.4f with them; '
              '%.0f levels events per second received'
              % (wall_b - wall_a, base, (cpu_b - cpu_a) / (wall_b - wall_a), levels / (wall_b - wall_a)))
        print('one event: reached %d of %d streams in %.3f s (as this client read them)'
              % (args.streams - missing, args.streams, took))
        for s in got:
            s.close()
        return 2 if missing else 0


if __name__ == '__main__':
    sys.exit(main())
