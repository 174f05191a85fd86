# SPDX-License-Identifier: EUPL-1.2
"""Slow clients and many event streams against the real daemon (issue 6, item 7).

The attacks: one client address (the sockets are bound to 127.0.0.2) opens far more
connections than its cap and trickles its request heads a byte at a time, or its bodies;
the defence: the connections over the cap are refused at once, the trickling ones are
closed at the request deadline, and the operator (from 127.0.0.1) is answered fast all
along. Then hundreds of open event streams: the daemon's thread count does not grow with
them, and the next event reaches every one."""

import os
import re
import selectors
import socket
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import tolkharness as th  # noqa: E402

ATTACKER = '127.0.0.2'
CAP = 40            # --max-connections-per-address in the attack tests
ATTACK = 120        # connections the attacker opens: three times its cap
DEADLINE_S = 2      # --request-timeout in the attack tests
TRICKLE_S = 0.4     # a byte this often: far under the 30 s idle timeout
STREAMS = 300
SITTING = {'id': 'many', 'name': 'many streams', 'floor_language': 'de', 'channels': ['de', 'en']}


def attacker_socket(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((ATTACKER, 0))
    s.settimeout(2)
    s.connect(('127.0.0.1', port))
    s.setblocking(False)
    return s


def closed_by_peer(s):
    """True when the server closed s (EOF or reset); False while it is open and silent."""
    try:
        data = s.recv(4096)
    except BlockingIOError:
        return False
    except OSError:
        return True
    return data == b'' or data.startswith(b'HTTP/1.1 4') or data.startswith(b'HTTP/1.1 5')


def trickle(socks, byte):
    """Sends one more byte on every socket still open; returns the ones that are."""
    alive = []
    for s in socks:
        try:
            s.send(byte)
            alive.append(s)
        except OSError:
            s.close()
    return alive


def daemon_threads(pid):
    with open('/proc/%d/status' % pid) as f:
        return int(re.search(r'^Threads:\s+(\d+)', f.read(), re.M).group(1))


class SlowClients(unittest.TestCase):
    """One daemon with a small per-address cap and a short request deadline."""

    @classmethod
    def setUpClass(cls):
        cls.daemon = th.Daemon(extra_args=['--max-connections-per-address', str(CAP),
                                           '--request-timeout', str(DEADLINE_S)]).start()
        cls.api = cls.daemon.api()

    @classmethod
    def tearDownClass(cls):
        cls.daemon.stop()

    def operator_is_served(self, budget_s=0.5):
        start = time.monotonic()
        status, js = self.api.get('sessions')
        took = time.monotonic() - start
        self.assertEqual(status, 200, js)
        self.assertLess(took, budget_s, 'the operator waited %.2f s' % took)

    def open_attack(self, first_bytes):
        socks = [attacker_socket(self.daemon.port) for _ in range(ATTACK)]
        for s in socks:
            s.send(first_bytes)
        time.sleep(0.5)
        open_now = [s for s in socks if not closed_by_peer(s)]
        for s in socks:
            if s not in open_now:
                s.close()
        return open_now

    def hold_until_closed(self, socks, byte, limit_s):
        """Trickles byte on socks, asking the operator's API meanwhile; returns the seconds
        until the server closed the last of them (or limit_s)."""
        start = time.monotonic()
        while socks and time.monotonic() - start < limit_s:
            still = []
            for s in trickle(socks, byte):
                if closed_by_peer(s):
                    s.close()
                else:
                    still.append(s)
            socks = still
            self.operator_is_served()
            time.sleep(TRICKLE_S)
        for s in socks:
            s.close()
        return time.monotonic() - start, len(socks)

    def test_trickled_heads_are_capped_and_closed_at_the_deadline(self):
        start = time.monotonic()
        held = self.open_attack(b'GET /api/v1/sessions HTTP/1.1\r\nHost: x\r\nX-Slow: ')
        # The cap: the address holds at most CAP connections, the rest were closed at once.
        self.assertLessEqual(len(held), CAP)
        self.assertGreaterEqual(len(held), CAP // 2)
        self.operator_is_served()
        took, left = self.hold_until_closed(held, b'a', DEADLINE_S + 4)
        self.assertEqual(left, 0, '%d trickling connections still open after %.1f s' % (left, took))
        since_open = time.monotonic() - start
        self.assertLess(since_open, DEADLINE_S + 3, 'closed only after %.1f s' % since_open)
        # The address is free again once its connections are gone.
        s = attacker_socket(self.daemon.port)
        s.setblocking(True)
        s.sendall(b'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
        self.assertTrue(s.recv(100).startswith(b'HTTP/1.1 200'))
        s.close()

    def test_trickled_bodies_are_closed_at_the_deadline(self):
        head = ('POST /api/v1/sessions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n'
                'Content-Type: application/json\r\nContent-Length: 5000\r\n\r\n{"id": "'
                % self.daemon.token).encode()
        held = self.open_attack(head)
        self.assertLessEqual(len(held), CAP)
        self.assertGreaterEqual(len(held), CAP // 2)
        took, left = self.hold_until_closed(held, b'x', DEADLINE_S + 4)
        self.assertEqual(left, 0, '%d trickling bodies still open after %.1f s' % (left, took))
        self.assertLess(took, DEADLINE_S + 2.5)
        status, js = self.api.get('sessions')
        self.assertEqual((status, js), (200, {'sessions': []}))  # nothing half-created

    def test_a_slow_but_timely_request_is_answered(self):
        """The deadline is for the whole head, not a byte: a head that arrives within it,
        however slowly, is served."""
        s = attacker_socket(self.daemon.port)
        request = b'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'
        step = (DEADLINE_S * 0.5) / len(request)
        for i in range(len(request)):
            s.send(request[i:i + 1])
            time.sleep(step)
        s.setblocking(True)
        s.settimeout(2)
        self.assertTrue(s.recv(100).startswith(b'HTTP/1.1 200'))
        s.close()


class ManyEventStreams(unittest.TestCase):
    """STREAMS open event streams on one daemon: no thread each, and every one gets the
    next event."""

    def test_streams_cost_no_thread_and_all_get_the_event(self):
        with th.Daemon() as daemon:
            api = daemon.api()
            api.expect(201, 'POST', 'sessions', SITTING)
            pid = daemon.proc.pid
            before = daemon_threads(pid)
            sel = selectors.DefaultSelector()
            got = {}
            request = ('GET /api/v1/sessions/many/events HTTP/1.1\r\nHost: x\r\n'
                       'Authorization: Bearer %s\r\n\r\n' % daemon.token).encode()
            for _ in range(STREAMS):
                s = socket.create_connection(('127.0.0.1', daemon.port), timeout=5)
                s.sendall(request)
                s.setblocking(False)
                sel.register(s, selectors.EVENT_READ)
                got[s] = b''
            try:
                self.read_until(sel, got, lambda text: text.count(b'event: session') >= 1, 10)
                time.sleep(0.5)  # the last readers park
                during = daemon_threads(pid)
                self.assertLess(during - before, 10,
                                '%d streams took %d threads' % (STREAMS, during - before))
                for s in got:
                    got[s] = b''
                start = time.monotonic()
                api.expect(200, 'PATCH', 'sessions/many', {'name': 'renamed'})
                self.read_until(sel, got, lambda text: b'"renamed"' in text, 10)
                took = time.monotonic() - start
                self.assertLess(took, 5, 'the event took %.2f s to reach %d streams' % (took, STREAMS))
                print('%d streams: threads %d -> %d, the event reached all in %.3f s'
                      % (STREAMS, before, during, took))
            finally:
                for s in got:
                    s.close()

    def read_until(self, sel, got, done, limit_s):
        deadline = time.monotonic() + limit_s
        pending = {s for s in got if not done(got[s])}
        while pending and time.monotonic() < deadline:
            for key, _ in sel.select(timeout=0.5):
                try:
                    data = key.fileobj.recv(65536)
                except BlockingIOError:
                    continue
                self.assertNotEqual(data, b'', 'the server closed an event stream')
                got[key.fileobj] += data
                if done(got[key.fileobj]):
                    pending.discard(key.fileobj)
        self.assertEqual(len(pending), 0, '%d of %d streams got nothing' % (len(pending), len(got)))


if __name__ == '__main__':
    unittest.main(verbosity=2)
