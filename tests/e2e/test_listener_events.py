# SPDX-License-Identifier: EUPL-1.2
"""Issue 7: a WHEP listener connecting or going is no session change. Real WHEP listeners
(tests/bench/whep-client: webrtcbin offers, ICE and DTLS on loopback) join channel en and leave
again while the operator and an anonymous reader of the public session follow its events: no
`session` event either way, and the `levels` events carry the listener counts a GET shows."""

import os
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, '..', 'bench'))

import tolkharness as th  # noqa: E402
from test_events import SseClient  # noqa: E402
from whep_bench import Client  # noqa: E402

SID = 'le'
SITTING = {'id': SID, 'channels': ['en'], 'booths': [{'language': 'en', 'consoles': 1}]}
LISTENERS = 2


def client_bin():
    return os.environ.get('WHEP_CLIENT_BIN') or os.path.join(HERE, '..', '..', 'build', 'tests', 'bench',
                                                             'whep-client')


class ListenerCounts(unittest.TestCase):
    def setUp(self):
        self.daemon = th.Daemon(extra_args=['--ice-address', '127.0.0.1']).start()
        self.addCleanup(self.daemon.stop)
        self.api = self.daemon.api()
        self.api.expect(201, 'POST', '/api/v1/sessions', SITTING)
        self.api.expect(200, 'PATCH', th.session_path(SID, 'channels', 'en'), {'public': True})
        path = th.session_path(SID, 'events')
        self.streams = [SseClient(self.daemon.host, self.daemon.port, path, token=self.daemon.token,
                                  name='operator'),
                        SseClient(self.daemon.host, self.daemon.port, path, name='public')]
        for s in self.streams:
            self.addCleanup(s.close)
            self.assertEqual(s.status, 200, s.body)
            s.wait_for('session', timeout=5)

    def get_listeners(self):
        return {ch['id']: ch['listeners'] for ch in self.api.expect(200, 'GET', th.session_path(SID))['channels']}

    def counts_arrive(self, en):
        """Each stream's levels reach en listeners on channel en; no session event meanwhile."""
        for s in self.streams:
            mark = len(s.history)
            s.wait_for('levels', lambda d: d['listeners']['en'] == en, timeout=10)
            events = [m['event'] for m in s.history[mark:]]
            self.assertNotIn('session', events, '%s: %s' % (s.name, events))

    def test_counts_travel_in_levels(self):
        self.assertEqual(self.get_listeners(), {'floor': 0, 'en': 0})
        client = Client(client_bin(), self.daemon, th.session_path(SID, 'channels', 'en', 'whep'))
        self.addCleanup(client.close)
        added = client.cmd('add %d' % LISTENERS, timeout=40)
        self.assertEqual(added['connected'], LISTENERS, added)
        self.counts_arrive(LISTENERS)
        self.assertEqual(self.get_listeners(), {'floor': 0, 'en': LISTENERS})
        deleted = client.cmd('delete', timeout=30)
        self.assertEqual(deleted['deleted'], LISTENERS, deleted)
        self.counts_arrive(0)
        self.assertEqual(self.get_listeners(), {'floor': 0, 'en': 0})
        # a real change still is one: every reader gets the session
        self.api.expect(200, 'PATCH', th.session_path(SID, 'channels', 'en'), {'public': False})
        self.streams[0].wait_for('session', lambda d: not th.find(d['channels'], 'id', 'en')['public'], timeout=5)


if __name__ == '__main__':
    t0 = time.monotonic()
    try:
        unittest.main(verbosity=2)
    finally:
        print('runtime %.1f s' % (time.monotonic() - t0), file=sys.stderr)
