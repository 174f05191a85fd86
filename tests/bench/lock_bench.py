# SPDX-License-Identifier: EUPL-1.2
"""The app lock under routing changes: how long a GET of a 12-language sitting takes while
another client changes the routing (PATCH console in a loop).

Every handler runs under the app lock, so whatever a PATCH holds it for, a GET waits for.
The lock guards short state changes only (docs/architecture.md): a PATCH waits for the
mixers to take its gains after the unlock, so the GET stays fast.

Starts the daemon, creates a sitting of 12 channels with a booth of two consoles each,
starts one thread that toggles a console's microphone (PATCH, keep-alive connection, as
fast as the daemon answers), and times --gets GETs of the sitting from the main thread on a
second connection. Prints median and p99 of the GETs, and the PATCHes' median (each
answers after the audio carries its change: about one mixer cycle).

With --create, the writer thread instead creates and deletes a 24-language sitting (24
channels and the floor, a booth of three consoles each: 73 inputs, a plenary) in a loop, and the GETs show whether a
creation, which builds and starts a whole pipeline, holds the lock meanwhile.

Usage: python3 tests/bench/lock_bench.py [--gets 300] [--no-patch | --create]
Environment: TOLK_BIN (daemon), defaults to build/.
Exit 0 (a benchmark: no target), 2 when a request failed.
"""

import argparse
import http.client
import json
import os
import statistics
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, '..', '..'))
sys.path.insert(0, os.path.join(REPO, 'tests', 'e2e'))
import tolkharness as th  # noqa: E402

SID = 'lock'
LANGS = ['de', 'en', 'fr', 'it', 'es', 'nl', 'pl', 'pt', 'sv', 'da', 'fi', 'el']


BIG_SID = 'big'
BIG_LANGS = LANGS + ['cs', 'sk', 'sl', 'hu', 'ro', 'bg', 'hr', 'et', 'lv', 'lt', 'mt', 'ga']


def session_body(sid=SID, langs=LANGS, consoles=2):
    return {'id': sid, 'name': 'lock benchmark', 'floor_language': langs[0], 'channels': langs,
            'booths': [{'language': lang, 'consoles': consoles} for lang in langs]}


class Client:
    """One keep-alive connection, so that the figures are the daemon's, not connect()'s."""

    def __init__(self, daemon):
        self.conn = http.client.HTTPConnection(daemon.host, daemon.port, timeout=10)
        self.headers = {'Authorization': 'Bearer ' + daemon.token, 'Content-Type': 'application/json'}

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        start = time.perf_counter()
        self.conn.request(method, '/api/v1/' + path, body=data, headers=self.headers)
        resp = self.conn.getresponse()
        resp.read()
        return resp.status, time.perf_counter() - start


def patch_loop(daemon, stop, times, failures):
    client = Client(daemon)
    mic = 'on'
    while not stop.is_set():
        status, took = client.call('PATCH', 'sessions/%s/booths/en/consoles/1' % SID, {'mic': mic})
        if status != 200:
            failures.append(('PATCH', status))
            return
        times.append(took)
        mic = 'off' if mic == 'on' else 'on'


def create_loop(daemon, stop, times, failures):
    """Creates and deletes the 24-language sitting; times holds the creations."""
    client = Client(daemon)
    while not stop.is_set():
        status, took = client.call('POST', 'sessions', session_body(BIG_SID, BIG_LANGS, 3))
        if status != 201:
            failures.append(('POST', status))
            return
        times.append(took)
        status, _ = client.call('DELETE', 'sessions/' + BIG_SID)
        if status != 204:
            failures.append(('DELETE', status))
            return


def p99(values):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--gets', type=int, default=300)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument('--no-patch', action='store_true',
                      help='the GETs alone: what the machine gives without routing changes')
    mode.add_argument('--create', action='store_true',
                      help='create and delete a 24-language sitting in a loop instead of PATCH console')
    args = parser.parse_args()
    with th.Daemon() as daemon:
        daemon.api().expect(201, 'POST', 'sessions', session_body())
        stop, patches, failures = threading.Event(), [], []
        loop = create_loop if args.create else patch_loop
        writer = threading.Thread(target=loop, args=(daemon, stop, patches, failures))
        if not args.no_patch:
            writer.start()
        reader, gets = Client(daemon), []
        time.sleep(0.2)  # the loop is running
        for _ in range(args.gets):
            status, took = reader.call('GET', 'sessions/' + SID)
            if status != 200:
                failures.append(('GET', status))
                break
            gets.append(took)
        stop.set()
        if not args.no_patch:
            writer.join()
    if failures or not (patches or args.no_patch):
        print('failed: %s' % (failures or 'no %s answered' % ('POST' if args.create else 'PATCH')))
        return 2
    ms = lambda s: s * 1000.0  # noqa: E731
    beside = ('alone' if args.no_patch else 'while POST/DELETE of a 24-language sitting loops'
              if args.create else 'while PATCH console loops')
    print('GET  %s %s: n=%d  median %.2f ms  p99 %.2f ms  max %.2f ms'
          % ('/sessions/' + SID, beside, len(gets), ms(statistics.median(gets)), ms(p99(gets)), ms(max(gets))))
    if patches:
        what = ('POST sessions (24 languages, answers once the pipeline runs)' if args.create
                else 'PATCH console (answers after the audio change)')
        print('%s: n=%d  median %.2f ms  p99 %.2f ms'
              % (what, len(patches), ms(statistics.median(patches)), ms(p99(patches))))
    return 0


if __name__ == '__main__':
    sys.exit(main())
