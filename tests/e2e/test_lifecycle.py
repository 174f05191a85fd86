# SPDX-License-Identifier: EUPL-1.2
"""Many sittings at once stay apart, and deleting one gives back what it took: its threads,
its sockets and file descriptors, its memory."""
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tolkharness as th  # noqa: E402


def sitting(sid):
    return {"id": sid, "channels": ["de", "en", "fr"],
            "booths": [{"language": "en", "consoles": 2, "b_channels": ["fr"]},
                       {"language": "fr", "consoles": 2}]}


def resources(pid):
    threads = len(os.listdir('/proc/%d/task' % pid))
    fds = len(os.listdir('/proc/%d/fd' % pid))
    with open('/proc/%d/status' % pid) as f:
        rss_kb = next(int(line.split()[1]) for line in f if line.startswith('VmRSS:'))
    return threads, fds, rss_kb


def settle(pid, baseline_threads, baseline_fds=10**6, timeout=5.0):
    """Threads of a stopped pipeline end shortly after DELETE returns, and the server closes
    the connection of the last request once it sees the client's FIN (CLOSE_WAIT until then)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and (resources(pid)[0] > baseline_threads or
                                           resources(pid)[1] > baseline_fds):
        time.sleep(0.1)
    return resources(pid)


class Lifecycle(unittest.TestCase):
    def test_delete_gives_back_threads_fds_and_memory(self):
        with th.Daemon() as daemon:
            api = daemon.api()
            pid = daemon.proc.pid
            # One warm-up round: GStreamer loads its plugins and caches once.
            self.cycle(api, 'warm')
            threads0, fds0, rss0 = settle(pid, 10**6, timeout=1.0)
            for n in range(8):
                self.cycle(api, 'round%d' % n)
            threads, fds, rss = settle(pid, threads0, fds0)
        self.assertLessEqual(threads, threads0, 'threads left behind by deleted sessions')
        self.assertLessEqual(fds, fds0, 'file descriptors left behind by deleted sessions')
        if 'ASAN_OPTIONS' not in os.environ:  # AddressSanitizer keeps freed memory in quarantine
            self.assertLess(rss - rss0, 20 * 1024, 'memory grew by %d KiB over 8 sessions' % (rss - rss0))

    def cycle(self, api, sid):
        status, session = api.post('sessions', sitting(sid))
        self.assertEqual(status, 201, session)
        for ch in ('floor', 'en'):
            status, out = api.post('sessions/%s/channels/%s/outputs' % (sid, ch),
                                   {'host': '127.0.0.1', 'port': th.free_udp_pair()})
            self.assertEqual(status, 201, out)
        floor = th.find_input(session, 'floor')
        with th.Sender(floor['port'], floor['srtp']['key'], 440):
            time.sleep(0.5)
        self.assertEqual(api.patch('sessions/%s/booths/en/consoles/1' % sid, {'mic': 'on'})[0], 200)
        self.assertEqual(api.delete('sessions/' + sid)[0], 204)

    def test_sittings_are_isolated(self):
        """A change in one sitting never shows in another with the same booths."""
        with th.Daemon() as daemon:
            api = daemon.api()
            for sid in ('a', 'b'):
                self.assertEqual(api.post('sessions', sitting(sid))[0], 201)
            self.assertEqual(api.patch('sessions/a/booths/en/consoles/1', {'mic': 'on'})[0], 200)
            self.assertEqual(api.patch('sessions/b', {'interlock': 'free'})[0], 200)
            a, b = api.get('sessions/a')[1], api.get('sessions/b')[1]
            self.assertEqual(a['booths'][0]['consoles'][0]['mic'], 'on')
            self.assertEqual(b['booths'][0]['consoles'][0]['mic'], 'off')
            self.assertEqual(a['interlock'], 'no-override')
            self.assertEqual(b['interlock'], 'free')
            ports_a = {i['port'] for i in a['inputs']}
            ports_b = {i['port'] for i in b['inputs']}
            self.assertFalse(ports_a & ports_b, 'two sittings share an input port')
            self.assertEqual(api.delete('sessions/a')[0], 204)
            self.assertEqual(api.get('sessions/b')[0], 200)
            self.assertEqual(api.get('sessions/a')[0], 404)


class SenderRestart(unittest.TestCase):
    def test_sender_restarting_with_the_same_ssrc_needs_a_rekey(self):
        """A hardware encoder that reboots keeps its SSRC but starts a new sequence: SRTP's replay
        protection refuses it (it cannot be told from a replay) until the operator re-keys the
        input; with the new key the same SSRC and sequence are heard again."""
        with th.Daemon() as daemon:
            api = daemon.api()
            status, session = api.post('sessions', {'id': 'p', 'channels': ['en'],
                                                    'booths': [{'language': 'en', 'consoles': 1}]})
            self.assertEqual(status, 201, session)
            console = th.find_input(session, 'en/1')
            status, out = api.post('sessions/p/channels/en/outputs', {'host': '127.0.0.1', 'port': th.free_udp_pair()})
            self.assertEqual(status, 201, out)
            key = console['srtp']['key']
            with th.Receiver(out['sdp']) as rx:
                with th.Sender(console['port'], key, 880, ssrc=0x5eed, seq=30000):
                    time.sleep(0.5)
                    self.assertEqual(api.patch('sessions/p/booths/en/consoles/1', {'mic': 'on'})[0], 200)
                    rx.wait_for([880], [], timeout=5)
                with th.Sender(console['port'], key, 880, ssrc=0x5eed, seq=1000):
                    self.assertEqual(api.patch('sessions/p/booths/en/consoles/1', {'mic': 'on'})[0], 200)
                    t0 = time.monotonic()
                    time.sleep(1.5)
                    lv = rx.levels([880], window_s=0.75, since=t0 + 0.5)
                    self.assertTrue(th.check_levels(lv, [], [880]), 'the restart was heard: ' + th.format_levels(lv))
                    health = th.find_input(api.get('sessions/p')[1], 'en/1')['health']
                    self.assertGreater(health['dropped']['replay'], 40, health)
                status, fresh = api.post('sessions/p/inputs/en/1/rekey')
                self.assertEqual(status, 200, fresh)
                with th.Sender(console['port'], fresh['srtp']['key'], 880, ssrc=0x5eed, seq=1000):
                    time.sleep(0.5)
                    self.assertEqual(api.patch('sessions/p/booths/en/consoles/1', {'mic': 'on'})[0], 200)
                    rx.wait_for([880], [], timeout=5)


if __name__ == '__main__':
    unittest.main(verbosity=2)
