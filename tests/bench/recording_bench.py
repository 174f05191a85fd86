# SPDX-License-Identifier: EUPL-1.2
"""What recording costs (issue 10, docs/recording.md): one sitting with the floor and N language
channels (default 24), a 440 Hz floor (ffmpeg SRTP sender) that every channel carries, an
output on every channel so that each is encoded in both phases. The daemon's CPU and its
recorder thread's over --seconds, first without recording, then with the floor and every channel
recording; the bytes written per channel and second; every output keeps flowing (packets,
gaps, the longest wait between two packets while recording). Prints figures, asserts nothing
about time (a benchmark, not a test); exit status 2 on a harness error.

Usage: python3 tests/bench/recording_bench.py [--channels 24] [--seconds 20] [--settle 3]
           [--recordings-dir DIR] [--json FILE]
Environment: TOLK_BIN (daemon), defaults to build/.
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import idle_bench as ib  # noqa: E402
sb = ib.sb
th = sb.th

LANGUAGES = ['bg', 'cs', 'da', 'de', 'el', 'en', 'es', 'et', 'fi', 'fr', 'ga', 'hr', 'hu', 'it', 'lt', 'lv',
             'mt', 'nl', 'pl', 'pt', 'ro', 'sk', 'sl', 'sv']


def recorder_cpu(pid):
    """Seconds of CPU of the recorder thread (tolk-record)."""
    _, threads = sb.proc_cpu(pid)
    return sum(t for (_, comm), t in threads.items() if comm.startswith('tolk-record'))


def phase(pid, listener, seconds):
    r0 = recorder_cpu(pid)
    listener.begin()
    core, switches, busy = ib.measure_cpu(pid, seconds)
    listener.end()
    return {'core': core, 'recorder_core': (recorder_cpu(pid) - r0) / seconds, 'switches_per_s': switches,
            'machine_busy': busy, 'packets': sum(s['packets'] for s in listener.stats),
            'gaps': sum(s['gaps'] for s in listener.stats),
            'max_wait_ms': max(s['max_wait_ms'] for s in listener.stats)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--channels', type=int, default=24)
    ap.add_argument('--seconds', type=float, default=20.0)
    ap.add_argument('--settle', type=float, default=3.0)
    ap.add_argument('--recordings-dir')
    ap.add_argument('--json')
    args = ap.parse_args()
    channels = LANGUAGES[:max(1, min(args.channels, len(LANGUAGES)))]
    rec_dir = args.recordings_dir or tempfile.mkdtemp(prefix='tolk-rec-bench-')
    daemon = th.Daemon(extra_args=['--log-level', 'warn', '--recordings-dir', rec_dir]).start()
    listener = ib.Listener(len(channels) + 1)
    sender = None
    try:
        api = daemon.api()
        s = api.expect(201, 'POST', 'sessions', {'id': 'bench', 'floor_language': 'de', 'channels': channels,
                                                   'booths': []})
        sender = th.Sender.for_input(s, 'floor', 440, kind='ffmpeg').start()
        listener.start()
        for port, ch in zip(listener.ports(), ['floor'] + channels):
            api.expect(201, 'POST', th.session_path('bench', 'channels', ch, 'outputs'),
                       {'host': '127.0.0.1', 'port': port})
        time.sleep(args.settle)
        pid = daemon.proc.pid
        before = phase(pid, listener, args.seconds)
        api.expect(200, 'POST', th.session_path('bench', 'recording'))
        time.sleep(args.settle)
        view = api.expect(200, 'GET', th.session_path('bench'))
        bytes0 = sum(c['recording']['bytes'] for c in view['channels'])
        t0 = time.monotonic()
        during = phase(pid, listener, args.seconds)
        view = api.expect(200, 'GET', th.session_path('bench'))
        rate = (sum(c['recording']['bytes'] for c in view['channels']) - bytes0) / (time.monotonic() - t0)
        lost = sum(c['recording']['lost'] + c['recording']['write_errors'] for c in view['channels'])
        api.expect(200, 'DELETE', th.session_path('bench', 'recording'))
    except Exception as e:  # noqa: BLE001 - a harness error, not a measurement
        print('recording bench: %s\n%s' % (e, daemon.stderr()), file=sys.stderr)
        return 2
    finally:
        listener.stop()
        if sender:
            sender.stop()
        daemon.stop(check=False)
        if not args.recordings_dir:
            shutil.rmtree(rec_dir, ignore_errors=True)
    n = len(channels) + 1
    result = {'streams': n, 'seconds': args.seconds, 'without': before, 'with': during,
              'bytes_per_s_per_stream': rate / n, 'lost_or_errors': lost, 'cpu': sb.cpu_model()}
    print('recording %d streams (floor + %d channels), %.0f s each phase, %s' % (n, n - 1, args.seconds,
                                                                              result['cpu']))
    for name, p in (('without recording', before), ('recording all', during)):
        print('  %-18s daemon %5.1f %% of a core, recorder thread %5.2f %%, %6.0f switches/s, '
              'outputs: %d packets, %d gaps, longest wait %.0f ms'
              % (name, 100 * p['core'], 100 * p['recorder_core'], p['switches_per_s'], p['packets'], p['gaps'],
                 p['max_wait_ms']))
    print('  recording adds %.2f %% of a core (%.3f %% per stream); %.0f bytes/s per stream on disk; '
          '%d frames lost or writes failed'
          % (100 * (during['core'] - before['core']), 100 * (during['core'] - before['core']) / n,
             result['bytes_per_s_per_stream'], lost))
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(result, f, indent=2)
    return 0


if __name__ == '__main__':
    sys.exit(main())
