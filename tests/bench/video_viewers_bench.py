# SPDX-License-Identifier: EUPL-1.2
"""The floor video benchmark of issue 11: N console viewers of one 720p VP8 floor video.

Runs the daemon with a sitting (channel en, one booth); a WHIP camera (whep-client publish:
720p VP8 at about 1.4 Mb/s, a key frame every 0.4 s, encoded once and sent in a loop, and an
Opus tone) on the floor; then one process (whep-client run --video) opens N console WHEP
sessions (Opus and VP8 in one peer connection, as the console page does), stepping N up.
At each step, over --seconds of wall time:
  - the daemon's CPU (utime+stime, /proc/<pid>/stat) and per viewer over the baseline (the
    camera on, no viewer);
  - the raw per-viewer work timed in the same run: libsrtp2 protect + sendto of a packet of
    the size the viewers received, times the video packet rate they received, plus the same
    for the audio (50 packets/s of 100 bytes): what an SFU cannot avoid; and the ratio;
  - per viewer: video packets, frames (marker bits), Mb/s, RTP sequence gaps, audio packets;
    viewers with video but no audio (and the reverse) are counted.
Then a slow viewer: one more viewer in a process of its own is stopped (SIGSTOP: it never
reads, its socket fills) for a window while the others are measured again: their rates must
not change. At the end every session is DELETEd and the daemon checked (viewers 0, threads).

Usage: python3 tests/bench/video_viewers_bench.py [--steps 24,48,72] [--seconds 10] [--json F]
                                                  [--daemon-arg=--ice-address=127.0.0.1]
   or: meson test -C build --benchmark --verbose video-viewers
Environment: TOLK_BIN, WHEP_CLIENT_BIN (both default to build/).
Exit 0 (a benchmark: no target), 2 on a harness error or a daemon fault.
"""

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, '..', '..'))
sys.path.insert(0, os.path.join(REPO, 'tests', 'e2e'))
sys.path.insert(0, HERE)
import tolkharness as th  # noqa: E402
from sitting_bench import proc_cpu, machine_idle, cpu_model  # noqa: E402
from whep_bench import Client, finish, loadavg, nthreads, rss_mb, run_main, start  # noqa: E402

SID = 'vv'
VIEW_PATH = '/api/v1/sessions/%s/booths/en/consoles/1/whep' % SID
CAMERA_PATH = '/api/v1/sessions/%s/whip/floor?name=Speaker' % SID
AUDIO_PPS, AUDIO_BYTES = 50, 100


class Publisher(Client):
    """whep-client publish: the camera; one line out at start, one per line in."""

    def __init__(self, binary, daemon):  # pylint: disable=super-init-not-called
        self.proc = subprocess.Popen([binary, 'publish', daemon.host, str(daemon.port), CAMERA_PATH, daemon.token],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        self.first = json.loads(self.proc.stdout.readline() or '{}')


class Viewers(Client):
    """whep-client run --video: console viewers receiving Opus and VP8."""

    def __init__(self, binary, daemon):  # pylint: disable=super-init-not-called
        self.proc = subprocess.Popen([binary, 'run', daemon.host, str(daemon.port), VIEW_PATH, daemon.token,
                                      '--video'], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                     bufsize=1)


def raw_cost(client_bin, packet_bytes):
    """us per packet of protect + sendto, timed here and now."""
    out = json.loads(subprocess.check_output([client_bin, 'raw-video', '3', str(int(packet_bytes))], timeout=60))
    return out['protect_us'] + out['sendto_us'], out


def video_metric(api, name):
    return th.metric_sum(api.metrics(), name, session=SID)


def measure(daemon, clients, api, seconds, camera=None):
    """The daemon's CPU and every viewer's counters over `seconds` (per viewer, deltas)."""
    pid = daemon.proc.pid
    s0 = [c.cmd('stats', 30) for c in clients]
    c0, t0 = proc_cpu(pid)
    cam0 = proc_cpu(camera.proc.pid)[0] if camera else 0.0
    i0 = machine_idle()
    k0 = video_metric(api, 'tolk_video_skipped_packets_total')
    w0 = time.monotonic()
    time.sleep(seconds)
    wall = time.monotonic() - w0
    c1, t1 = proc_cpu(pid)
    cam1 = proc_cpu(camera.proc.pid)[0] if camera else 0.0
    i1 = machine_idle()
    s1 = [c.cmd('stats', 30) for c in clients]
    k1 = video_metric(api, 'tolk_video_skipped_packets_total')
    busy = 1.0 - (i1[0] - i0[0]) / max(1, (i1[1] - i0[1]))
    peers = []
    for a, b in zip(s0, s1):
        cwall = (b['t_ms'] - a['t_ms']) / 1000.0
        for i, p in enumerate(b['peers']):
            q = a['peers'][i] if i < len(a['peers']) else [0] * len(p)
            d = [x - y for x, y in zip(p, q)]
            peers.append({'audio_pps': d[0] / cwall, 'audio_gaps': d[1], 'connected': p[4],
                          'video_pps': d[5] / cwall, 'video_gaps': d[6], 'fps': d[7] / cwall,
                          'mbps': 8 * d[8] / cwall / 1e6, 'video_bytes': d[8], 'video_packets': d[5]})
    client_cpu = sum((b['cpu'] - a['cpu']) for a, b in zip(s0, s1)) / wall
    return {'wall': wall, 'daemon': (c1 - c0) / wall, 'threads_cpu': thread_cpu(t0, t1, wall), 'busy': busy,
            'client': client_cpu, 'camera': (cam1 - cam0) / wall,
            'threads': nthreads(pid), 'rss_mb': rss_mb(pid), 'skipped': k1 - k0, 'peers': peers,
            'loadavg': loadavg()}


def thread_cpu(t0, t1, wall):
    """The hottest thread (core) and the cores by kind of thread (name with digits as N), top 5."""
    d = {k: (v - t0.get(k, 0.0)) / wall for k, v in t1.items()}
    kinds = {}
    for (_, comm), v in d.items():
        kind = re.sub(r'\d+', 'N', comm)
        kinds[kind] = kinds.get(kind, 0.0) + v
    hot = max(d.items(), key=lambda kv: kv[1]) if d else (('', ''), 0.0)
    return {'hottest': '%s %.2f' % (hot[0][1], hot[1]),
            'kinds': ', '.join('%s %.2f' % kv for kv in sorted(kinds.items(), key=lambda kv: -kv[1])[:5])}


def summarise(peers):
    if not peers:
        return {}
    key = lambda k: [p[k] for p in peers]  # noqa: E731
    vp = sum(key('video_packets'))
    return {'n': len(peers), 'connected': sum(key('connected')),
            'fps_min': min(key('fps')), 'fps_mean': sum(key('fps')) / len(peers),
            'mbps_min': min(key('mbps')), 'mbps_mean': sum(key('mbps')) / len(peers),
            'vpps_mean': sum(key('video_pps')) / len(peers), 'apps_min': min(key('audio_pps')),
            'video_gaps': sum(key('video_gaps')), 'audio_gaps': sum(key('audio_gaps')),
            'pkt_bytes': sum(key('video_bytes')) / vp if vp else 0,
            'video_no_audio': sum(1 for p in peers if p['fps'] > 1 and p['audio_pps'] < 1),
            'audio_no_video': sum(1 for p in peers if p['audio_pps'] > 1 and p['fps'] < 1)}


def slow_viewer(client_bin, daemon, api, client, seconds):
    """One viewer that never reads, in a process of its own, while the others are measured."""
    slow = Viewers(client_bin, daemon)
    slow.cmd('add 1', 60)
    time.sleep(2.0)
    os.kill(slow.proc.pid, signal.SIGSTOP)
    try:
        m = measure(daemon, [client], api, seconds)
    finally:
        os.kill(slow.proc.pid, signal.SIGCONT)
    slow.cmd('delete', 60)
    slow.close()
    return m


def run(args):
    client_bin, steps, cores, t_start = start(args)
    daemon = th.Daemon(extra_args=['--log-level', 'warn', '--max-peers-per-address', '500'] + args.daemon_arg)
    daemon.start(timeout=20)
    camera = client = None
    rows, faults, result = [], [], {}
    try:
        api = daemon.api()
        api.expect(201, 'POST', 'sessions', {'id': SID, 'name': 'Video benchmark', 'channels': ['en'],
                                             'booths': [{'language': 'en', 'consoles': 1}]})
        camera = Publisher(client_bin, daemon)
        if camera.first.get('status') != 201 or not camera.first.get('connected'):
            raise RuntimeError('the camera did not connect: %s' % camera.first)
        print('camera: WHIP on the floor, 720p VP8 %.2f Mb/s (a %d-frame clip at 30 frames/s, looped) + Opus'
              % (camera.first['encoded_bytes'] * 8 / (camera.first['frames'] / 30.0) / 1e6, camera.first['frames']))
        time.sleep(2.0)
        base_threads = nthreads(daemon.proc.pid)
        client = Viewers(client_bin, daemon)
        base = measure(daemon, [client], api, 5.0, camera)
        print('baseline, camera on, no viewer: daemon %.3f core, %d threads, RSS %.0f MB; the camera %.3f core'
              % (base['daemon'], base['threads'], base['rss_mb'], base['camera']))
        audio_us, _ = raw_cost(client_bin, AUDIO_BYTES)
        print()
        print('%4s %4s %6s %6s %8s %8s %6s %6s %9s %9s %5s %5s %5s %4s %6s %s'
              % ('N', 'conn', 'add s', 'daemon', 'ms/v/s', 'raw ms/s', 'x raw', 'fps', 'Mb/s', 'video pk/s',
                 'gaps', 'v-a', 'a-v', 'thr', 'client', 'loadavg'))
        for n in steps:
            add = n - (rows[-1]['n'] if rows else 0)
            a = client.cmd('add %d' % add, 60 + 2 * add)
            if not daemon.alive():
                faults.append('daemon died while adding viewers (N=%d)\n%s' % (n, daemon.stderr()))
                break
            time.sleep(args.settle)
            m = measure(daemon, [client], api, args.seconds, camera)
            s = summarise(m['peers'])
            video_us, raw = raw_cost(client_bin, s['pkt_bytes'] or 1200)
            raw_ms = (video_us * s['vpps_mean'] + audio_us * AUDIO_PPS) / 1000.0
            per = (m['daemon'] - base['daemon']) / n
            s.update({'add': a, 'daemon': m['daemon'], 'per_viewer_ms': 1000 * per, 'raw_ms': raw_ms,
                      'raw_video_us': video_us, 'raw_audio_us': audio_us, 'ratio': 1000 * per / raw_ms,
                      'threads': m['threads'], 'rss_mb': m['rss_mb'], 'client': m['client'], 'busy': m['busy'],
                      'skipped': m['skipped'], 'loadavg': m['loadavg'], 'threads_cpu': m['threads_cpu']})
            rows.append(s)
            print('%4d %4d %6.1f %6.3f %8.2f %8.2f %6.1f %6.1f %4.2f-%4.2f %9.0f %5d %5d %5d %4d %6.3f %s'
                  % (n, s['connected'], a['ms'] / 1000.0, m['daemon'], 1000 * per, raw_ms, s['ratio'],
                     s['fps_mean'], s['mbps_min'], s['mbps_mean'], s['vpps_mean'], s['video_gaps'],
                     s['video_no_audio'], s['audio_no_video'], m['threads'], m['client'], m['loadavg']))
            if s['video_no_audio']:
                rtp = client.cmd('rtpstats', 60)['peers']
                print('     video but no audio: %s' % '; '.join(
                    'viewer %d: %d pads, inbound RTP by SSRC %s' % (i, rtp[i]['pads'], rtp[i]['inbound'])
                    for i, p in enumerate(m['peers']) if p['fps'] > 1 and p['audio_pps'] < 1))
            print('     daemon threads: hottest %s core; by kind: %s; camera %.3f core; skipped %d packets'
                  % (m['threads_cpu']['hottest'], m['threads_cpu']['kinds'], m['camera'], m['skipped']))
        print('(daemon = cores; ms/v/s = (daemon - baseline) / N, ms of CPU per viewer per s; raw = protect + '
              'sendto of the packets a viewer got (video at its mean size, audio 50/s); fps = mean frames per '
              'viewer per s; Mb/s = min-mean per viewer; v-a = viewers with video but no audio, a-v = the reverse)')
        if rows and not args.no_slow:
            m = slow_viewer(client_bin, daemon, api, client, args.seconds)
            s = summarise(m['peers'])
            ref = rows[-1]
            print()
            print('slow viewer (one more, SIGSTOPped for %.0f s, never reading): the other %d: fps %.1f (min %.1f; '
                  'before %.1f), Mb/s min %.2f (before %.2f), gaps %d; daemon skipped %d packets'
                  % (args.seconds, s['n'], s['fps_mean'], s['fps_min'], ref['fps_mean'], s['mbps_min'],
                     ref['mbps_min'], s['video_gaps'], m['skipped']))
            result['slow'] = s
        print()
        n_last = rows[-1]['n'] if rows else 0
        d = client.cmd('delete', 120 + n_last)
        t_del = time.monotonic()
        viewers = thr = None
        while time.monotonic() - t_del < 15:
            viewers = video_metric(api, 'tolk_video_viewers')
            thr = nthreads(daemon.proc.pid)
            if viewers == 0 and thr <= base_threads + 2:
                break
            time.sleep(0.25)
        print('teardown: %d DELETE 204, %d failed in %.1f s; video viewers %s, daemon threads %d (baseline %d)'
              % (d['deleted'], d['failed'], d['ms'] / 1000.0, viewers, thr, base_threads))
        if d['failed'] or viewers != 0 or thr > base_threads + 2:
            faults.append('teardown: %d DELETEs failed, %s viewers left, %d threads (baseline %d)'
                          % (d['failed'], viewers, thr, base_threads))
        if rows:
            ref = rows[-1]
            print()
            print('== verdict ==')
            print('%d viewers: %d connected, %.1f frames/s and %.2f Mb/s each (min %.2f); daemon %.2f core '
                  '(%.0f %% of the machine); %.2f ms CPU per viewer per s vs raw protect+sendto %.2f ms/s: %.1fx; '
                  '%.1f threads per viewer'
                  % (ref['n'], ref['connected'], ref['fps_mean'], ref['mbps_mean'], ref['mbps_min'], ref['daemon'],
                     100 * ref['daemon'] / cores, ref['per_viewer_ms'], ref['raw_ms'], ref['ratio'],
                     (ref['threads'] - base_threads) / ref['n']))
        result.update({'machine': {'cores': cores, 'cpu': cpu_model()}, 'baseline': {
            k: v for k, v in base.items() if k != 'peers'}, 'steps': rows, 'faults': faults})
        client.close()
        client = None
    finally:
        if client:
            client.close()
        if camera:
            camera.close()
        rc = daemon.stop(check=False)
        if rc not in (0, None):
            faults.append('daemon exit code %s on SIGTERM:\n%s' % (rc, daemon.stderr()))
    return finish(faults, t_start, result, args.json)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--steps', default='24,48,72', help='viewer counts (default %(default)s)')
    ap.add_argument('--seconds', type=float, default=10.0, help='measured time per step (default 10)')
    ap.add_argument('--settle', type=float, default=3.0, help='wait after adding viewers (default 3)')
    ap.add_argument('--no-slow', action='store_true', help='skip the slow viewer')
    return run_main(run, ap)


if __name__ == '__main__':
    sys.exit(main())
