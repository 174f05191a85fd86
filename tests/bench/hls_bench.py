# SPDX-License-Identifier: EUPL-1.2
"""HLS figures for docs/hls.md: the CPU one HLS channel costs, and the latency HLS adds.

CPU: a sitting of 4 channels, each live and sent to an SRTP output (so each is encoded with or
without HLS); the daemon's CPU time over 20 s without HLS, with HLS on one channel, on all 4.
Latency: en switched between the interpreter's tone and the floor's at a random moment in the
segment (the PATCH answers once the mix carries it), and the time until ffmpeg, playing the
playlist from Tolk's URL, has the new tone; for 1 s and 2 s segments.

Not a test: python3 tests/bench/hls_bench.py [cpu|latency] (after a build in build/); or
  meson test -C build --benchmark --verbose hls"""

import os
import random
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'e2e'))

import test_hls as T  # noqa: E402
import tolkharness as th  # noqa: E402

CHANNELS = ['en', 'fr', 'it', 'es']


def daemon():
    hls_dir = tempfile.mkdtemp(prefix='tolk-hls-bench-')
    os.chmod(hls_dir, 0o755)
    return th.Daemon(extra_args=['--hls-dir', hls_dir]).start()


def cpu_seconds(pid):
    fields = open('/proc/%d/stat' % pid).read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


def measure(d, label, seconds=20):
    time.sleep(3)
    c0, t0 = cpu_seconds(d.proc.pid), time.monotonic()
    time.sleep(seconds)
    pct = 100 * (cpu_seconds(d.proc.pid) - c0) / (time.monotonic() - t0)
    print('%-28s %5.2f %% of a core, %d threads' % (label, pct, len(os.listdir('/proc/%d/task' % d.proc.pid))),
          flush=True)
    return pct


def bench_cpu():
    d, senders = daemon(), []
    try:
        api = d.api()
        s = api.expect(201, 'POST', 'sessions', {'id': 'c', 'name': 'HLS CPU', 'floor_language': 'de',
                                                 'channels': CHANNELS,
                                                 'booths': [{'language': c, 'consoles': 1} for c in CHANNELS]})
        senders.append(th.Sender.for_input(s, 'floor', 440, kind='ffmpeg').start())
        for i, c in enumerate(CHANNELS):
            senders.append(th.Sender.for_input(s, c + '/1', 500 + 100 * i).start())
            api.expect(200, 'PATCH', th.console_path(c + '/1', 'c'), {'mic': 'on'})
            api.expect(200, 'PATCH', th.session_path('c', 'channels', c), {'public': True})
            api.expect(201, 'POST', th.session_path('c', 'channels', c, 'outputs'), {'host': '127.0.0.1', 'port': 9})
        base = measure(d, '4 channels, no HLS')
        api.expect(200, 'PUT', th.session_path('c', 'channels', 'en', 'hls'))
        one = measure(d, 'HLS on 1 channel')
        for c in CHANNELS[1:]:
            api.expect(200, 'PUT', th.session_path('c', 'channels', c, 'hls'))
        four = measure(d, 'HLS on 4 channels')
        print('per HLS channel: %.2f %% of a core (1 channel), %.2f %% (mean of 4)'
              % (one - base, (four - base) / 4), flush=True)
    finally:
        th.stop_all([], senders, d)


def bench_latency(segment_s, switches=8):
    d, senders, player = daemon(), [], None
    try:
        api = d.api()
        s = api.expect(201, 'POST', 'sessions', T.SITTING)
        senders = [th.Sender.for_input(s, 'floor', T.FLOOR, kind='ffmpeg').start(),
                   th.Sender.for_input(s, 'en/1', T.EN).start()]
        console = th.console_path('en/1', T.SID)
        api.expect(200, 'PATCH', console, {'mic': 'on'})
        api.expect(200, 'PATCH', T.CHANNEL_PATH, {'public': True})
        api.expect(200, 'PUT', T.HLS_PATH, {'segment_seconds': segment_s})
        time.sleep(3 * segment_s)
        player = T.ffmpeg_player('http://127.0.0.1:%d%s' % (d.port, T.PLAYLIST))
        player.keep = 60 * th.RATE
        player.start()
        player.wait_for([T.EN], [], timeout=30, window_s=0.5)
        results = []
        for k in range(switches):
            live = k % 2 == 0  # en/1 live now: off gives the floor's tone
            want, other = (T.FLOOR, T.EN) if live else (T.EN, T.FLOOR)
            time.sleep(2 * segment_s + random.uniform(0, segment_s))
            t0 = time.monotonic()
            api.expect(200, 'PATCH', console, {'mic': 'off' if live else 'on'})
            t0 = (t0 + time.monotonic()) / 2
            player.wait_for([want], [other], timeout=30, window_s=0.25)
            results.append(T.Hls.first_arrival(player, t0, want, other) - t0)
        print('%d s segments: switch -> ffmpeg from the playlist: min %.2f s, mean %.2f s, max %.2f s (%d switches)'
              % (segment_s, min(results), sum(results) / len(results), max(results), len(results)), flush=True)
    finally:
        th.stop_all([player] if player else [], senders, d)


if __name__ == '__main__':
    what = sys.argv[1] if len(sys.argv) > 1 else 'all'
    if what in ('all', 'cpu'):
        bench_cpu()
    if what in ('all', 'latency'):
        bench_latency(1)
        bench_latency(2)
