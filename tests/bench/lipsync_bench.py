# SPDX-License-Identifier: EUPL-1.2
"""Lip sync of the floor video (issue 11, docs/video.md "Lip sync"): a flash and a click emitted
together at the source, timed at the receiving page.

The daemon runs a sitting with channel en and one booth (en, 1 console); the floor and en
channels allow video. Headless Chromium (tests/bench/lipsync_browser.mjs, lipsync_page.js: one
page, one clock) publishes the floor by WHIP as the speaker page does: a canvas camera flashing
white for 100 ms once a second and a WebAudio microphone clicking (30 ms at 1 kHz) at the same
moment. Three receivers in the same page, each by WHEP with audio and video in one connection:
  console      the booth's console (its return feed: the floor, and the floor video);
  floor        a listener on channel floor;
  interpreted  a listener on channel en, which carries the console's microphone: the console sends
               what it hears back by its WHIP (an interpreter repeating the floor with no delay
               of its own), so en's clicks come one relay (console receive + send + mix) later;
  direct       the reference, no Tolk: the same tracks straight to a peer connection in the page,
               lip-synced by the browser on the sender's own reports (what the source itself adds).
Per receiver: picture - sound (ms; + means the sound comes first) for each flash/click pair,
median, p10/p90, min/max, against the bar of issue 11 (-125..+45 ms), and the raw latency from
the source of the picture and of the sound.

Usage: python3 tests/bench/lipsync_bench.py [--seconds 40] [--check] [--json FILE]
  --check: a short run that fails (exit 1) when the console's median is outside generous bounds
           (-200..+120 ms), or when too few flashes/clicks arrive.
Environment: TOLK_BIN (default build/), CHROMIUM (default /usr/bin/chromium).
Exit 0 (a benchmark: no target), 1 on a failed --check, 2 on a harness error, 77 when
playwright-core or Chromium is missing."""

import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, '..', '..'))
sys.path.insert(0, os.path.join(REPO, 'tests', 'e2e'))
import tolkharness as th  # noqa: E402

SID = 'lipsync'
SITTING = {'id': SID, 'name': 'Lip sync', 'channels': ['en'], 'booths': [{'language': 'en', 'consoles': 1}]}
BAR = (-125.0, 45.0)         # issue 11: audio late at most 125 ms, early at most 45 ms
CHECK_BOUNDS = (-200.0, 120.0)
PAIR_WINDOW_MS = 900.0       # a flash or click belongs to the mark before it (one a second)
RECEIVERS = ('console', 'floor', 'interpreted', 'direct')


def percentile(values, p):
    s = sorted(values)
    k = (len(s) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def loadavg():
    with open('/proc/loadavg') as f:
        return f.read().split()[0]


def first_after(times, mark):
    later = [t for t in times if mark <= t < mark + PAIR_WINDOW_MS]
    return min(later) if later else None


def pairs(marks, got, skip):
    """[(picture latency, sound latency)] per source mark that both reached, after `skip` marks."""
    out = []
    for mark in marks[skip:]:
        f, c = first_after(got['flashes'], mark), first_after(got['clicks'], mark)
        if f is not None and c is not None:
            out.append((f - mark, c - mark))
    return out


def summary(name, measured, marks_used):
    if not measured:
        return {'name': name, 'pairs': 0, 'of': marks_used}
    skew = [f - c for f, c in measured]
    return {'name': name, 'pairs': len(measured), 'of': marks_used,
            'median': statistics.median(skew), 'p10': percentile(skew, 0.1), 'p90': percentile(skew, 0.9),
            'min': min(skew), 'max': max(skew),
            'within_bar': sum(BAR[0] <= s <= BAR[1] for s in skew) / len(skew),
            'picture_ms': statistics.median(f for f, _ in measured),
            'sound_ms': statistics.median(c for _, c in measured)}


def print_table(rows, seconds):
    print('lip sync, picture - sound in ms (+: the sound comes first); bar of issue 11: %+.0f..%+.0f; %d s'
          % (BAR[0], BAR[1], seconds))
    print('%-12s %5s %8s %8s %8s %8s %8s %7s %10s %10s  %s' % ('receiver', 'pairs', 'median', 'p10', 'p90', 'min',
                                                              'max', 'in bar', 'picture', 'sound', 'median in bar'))
    for r in rows:
        if not r['pairs']:
            print('%-12s %5s (nothing paired of %d flashes)' % (r['name'], 0, r['of']))
            continue
        ok = BAR[0] <= r['median'] <= BAR[1]
        print('%-12s %2d/%-2d %+8.1f %+8.1f %+8.1f %+8.1f %+8.1f %6.0f%% %8.1fms %8.1fms  %s'
              % (r['name'], r['pairs'], r['of'], r['median'], r['p10'], r['p90'], r['min'], r['max'],
                 100 * r['within_bar'], r['picture_ms'], r['sound_ms'], 'yes' if ok else 'NO'))
    print('picture, sound: median latency from the source (the page that flashes and clicks) to the '
          'receiving page, as shown and as heard')
    direct = next((r for r in rows if r['name'] == 'direct' and r['pairs']), None)
    if direct:
        print('against the direct reference (what Tolk adds to the browser\'s own skew): ' + ', '.join(
            '%s %+.1f ms' % (r['name'], r['median'] - direct['median']) for r in rows if r['pairs'] and r is not direct))


def browser_config(daemon, api, seconds):
    tok = lambda body: api.expect(201, 'POST', th.session_path(SID, 'tokens'), body)['token']
    console = th.session_path(SID, 'booths', 'en', 'consoles', '1')
    listener_floor, listener_en = tok({'role': 'listener', 'channel': 'floor'}), tok({'role': 'listener', 'channel': 'en'})
    console_token = tok({'role': 'console', 'console': 'en/1'})
    return {
        'base': 'http://%s:%d' % (daemon.host, daemon.port), 'seconds': seconds,
        'floorWhip': th.session_path(SID, 'whip', 'floor') + '?name=Speaker', 'floorToken': tok({'role': 'floor'}),
        'consoleWhip': console + '/whip', 'consolePatch': console, 'consoleToken': console_token,
        'receivers': [
            {'name': 'console', 'url': console + '/whep', 'token': console_token, 'interprets': True},
            {'name': 'floor', 'url': th.session_path(SID, 'channels', 'floor', 'whep'), 'token': listener_floor},
            {'name': 'interpreted', 'url': th.session_path(SID, 'channels', 'en', 'whep'), 'token': listener_en},
        ],
    }


def run_browser(cfg, seconds):
    cmd = ['node', os.path.join(HERE, 'lipsync_browser.mjs'), json.dumps(cfg)]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=seconds + 90)
    if p.stderr.strip():
        sys.stderr.write(p.stderr[-3000:])
    if p.returncode != 0:
        raise RuntimeError('the browser half failed (%d)' % p.returncode)
    return json.loads(p.stdout.strip().splitlines()[-1])


def measure(seconds, warmup):
    daemon = th.Daemon(extra_args=['--ice-address', '127.0.0.1']).start()
    try:
        api = daemon.api()
        api.expect(201, 'POST', '/api/v1/sessions', SITTING)
        for ch in ('floor', 'en'):
            api.expect(200, 'PATCH', th.session_path(SID, 'channels', ch), {'video': True})
        result = run_browser(browser_config(daemon, api, seconds + warmup), seconds + warmup)
        video = api.expect(200, 'GET', th.session_path(SID, 'video'))
        if not daemon.alive():
            raise RuntimeError('the daemon died:\n' + daemon.stderr())
    finally:
        daemon.stop(check=False)
    marks = result['marks']
    rows = [summary(name, pairs(marks, result['receivers'][name], warmup), max(0, len(marks) - warmup))
            for name in RECEIVERS]
    return result, rows, video


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--seconds', type=int, default=40, help='flash/click pairs measured (one a second)')
    ap.add_argument('--warmup', type=int, default=10, help='pairs ignored first, while the browsers sync')
    ap.add_argument('--check', action='store_true', help='a short run with generous bounds, as a test')
    ap.add_argument('--json', help='write the raw times and the figures here')
    args = ap.parse_args()
    if not os.path.isdir(os.path.join(REPO, 'tests', 'browser', 'node_modules', 'playwright-core')) or \
            not os.access(os.environ.get('CHROMIUM', '/usr/bin/chromium'), os.X_OK):
        print('lipsync skipped: needs chromium and npm ci --prefix tests/browser')
        return 77
    if args.check:
        args.seconds = min(args.seconds, 12)
    load_before = loadavg()
    try:
        result, rows, video = measure(args.seconds, args.warmup)
    except (RuntimeError, AssertionError, subprocess.TimeoutExpired, ValueError) as e:
        print('harness error: %s' % e)
        return 2
    print('machine load (1-minute average) before %s, after %s, on %d cores' % (load_before, loadavg(), os.cpu_count()))
    print_table(rows, args.seconds)
    print("the browser's jitter buffers at the end (ms, averaged: delay/target/minimum): " + '; '.join(
        '%s %s' % (name, ' '.join('%s %d/%d/%d' % (kind, b['delay'], b['target'], b['minimum'])
                                  for kind, b in sorted(result['receivers'][name].get('buffers', {}).items())))
        for name in RECEIVERS))
    print('links: floor %s, interpreter %s (mic PATCH %s); video: live %s'
          % (result['floorLink']['state'], result['interpreter']['state'], result['interpreter'].get('mic'),
             video.get('live')))
    if args.json:
        with open(args.json, 'w') as f:
            json.dump({'raw': result, 'figures': rows}, f, indent=1)
    if args.check:
        console = rows[0]
        if console['pairs'] < args.seconds // 2:
            print('check FAILED: only %d of %d flashes and clicks reached the console' % (console['pairs'], console['of']))
            return 1
        if not CHECK_BOUNDS[0] <= console['median'] <= CHECK_BOUNDS[1]:
            print('check FAILED: console median %+.1f ms outside %+.0f..%+.0f' % ((console['median'],) + CHECK_BOUNDS))
            return 1
        print('check passed: console median %+.1f ms within %+.0f..%+.0f' % ((console['median'],) + CHECK_BOUNDS))
    return 0


if __name__ == '__main__':
    sys.exit(main())
