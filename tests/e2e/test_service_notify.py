# SPDX-License-Identifier: EUPL-1.2
"""sd_notify: under a Type=notify unit the daemon says READY=1 only once the HTTP server
answers and the start-up sittings run, pings WATCHDOG=1 at half of WATCHDOG_USEC, and says
STOPPING=1 on SIGTERM. systemd's side is played by a datagram socket ($NOTIFY_SOCKET)."""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import tolkharness as th  # noqa: E402

SITTING = {'id': 'at-start', 'name': 'Created at start', 'channels': ['de', 'en'],
           'booths': [{'language': 'en', 'consoles': 1}]}


class Notify(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix='tolk-notify-')
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.socket_path = os.path.join(self.dir, 'notify')
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.socket_path)
        self.addCleanup(self.sock.close)
        self.proc = None

    def start(self, watchdog_usec=None):
        self.port = th.free_tcp_port()
        lo, hi = th.free_rtp_range()
        sitting = os.path.join(self.dir, 'sitting.json')
        with open(sitting, 'w') as f:
            json.dump(SITTING, f)
        env = dict(os.environ, NOTIFY_SOCKET=self.socket_path)
        env.pop('WATCHDOG_USEC', None)
        env.pop('WATCHDOG_PID', None)
        if watchdog_usec:
            env['WATCHDOG_USEC'] = str(watchdog_usec)
        self.log = open(os.path.join(self.dir, 'stderr'), 'wb')
        self.addCleanup(self.log.close)
        self.proc = subprocess.Popen(
            [th.tolk_bin(), '--listen', '127.0.0.1:%d' % self.port, '--media-address', '127.0.0.1',
             '--rtp-ports', '%d-%d' % (lo, hi), '--token', 't', '--session', sitting,
             '--state-dir', th.new_state_dir()],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log, env=env)
        self.addCleanup(self.stop)
        self.api = th.Api('127.0.0.1', self.port, 't')

    def stop(self):
        if self.proc and self.proc.poll() is None:
            th.terminate(self.proc, grace=10)

    def receive(self, timeout):
        """The next message as {field: value} with its arrival time, or None."""
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(4096).decode()
        except socket.timeout:
            return None, None
        return dict(line.split('=', 1) for line in data.splitlines() if '=' in line), time.monotonic()

    def next_with(self, field, timeout=10.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            msg, at = self.receive(deadline - time.monotonic())
            if msg and field in msg:
                return msg, at
        self.fail('no %s within %.0f s' % (field, timeout))

    def test_ready_once_serving_then_stopping(self):
        self.start()
        msg, _ = self.next_with('READY')
        self.assertEqual(msg['READY'], '1')
        # At READY=1 the API answers at once, with the start-up sitting in it.
        status, body = self.api.get('/api/v1/sessions/at-start')
        self.assertEqual(status, 200, body)
        self.assertIn('serving on port %d' % self.port, msg.get('STATUS', ''))
        self.assertIn('1 sitting', msg['STATUS'])
        # A sitting created through the API: the status line follows.
        status, body = self.api.post('/api/v1/sessions', {'id': 'second', 'channels': ['de', 'en']})
        self.assertEqual(status, 201, body)
        msg, _ = self.next_with('STATUS', timeout=3)
        self.assertEqual(msg['STATUS'], 'serving on port %d, 2 sittings' % self.port)
        self.proc.send_signal(15)
        msg, _ = self.next_with('STOPPING')
        self.assertEqual(msg['STOPPING'], '1')
        self.assertEqual(self.proc.wait(10), 0)

    def test_watchdog_pings_at_half_the_interval(self):
        self.start(watchdog_usec=1_000_000)
        self.next_with('READY')
        times = []
        deadline = time.monotonic() + 2.6
        while time.monotonic() < deadline:
            msg, at = self.receive(deadline - time.monotonic())
            if msg and msg.get('WATCHDOG') == '1':
                times.append(at)
        self.assertGreaterEqual(len(times), 4, 'pings in 2.6 s at a 1 s watchdog: %d' % len(times))
        gaps = [b - a for a, b in zip(times, times[1:])]
        self.assertLess(max(gaps), 0.75, 'a gap of %.2f s between pings (want 0.5 s)' % max(gaps))

    def test_no_watchdog_no_pings(self):
        self.start()
        self.next_with('READY')
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline:
            msg, _ = self.receive(deadline - time.monotonic())
            self.assertFalse(msg and 'WATCHDOG' in msg, 'a ping without WATCHDOG_USEC: %r' % msg)


if __name__ == '__main__':
    unittest.main(verbosity=2)
