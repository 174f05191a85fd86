# SPDX-License-Identifier: EUPL-1.2
"""WebRTC resources (issue 6, items 5 and 6), against the real daemon.

Ownership: a resource the operator or a token created cannot be trickled to or ended by anyone
else, tokenless callers included; an anonymous listener of a public channel ends its own with
the resource URL, whose id is 128 random bits and appears in no log.
Peers that never connect: a flood of tokenless WHEP offers that never do ICE is reaped after
the connect deadline (threads and peers back to the baseline), never counts as listeners while
it waits, and the caps per channel, per sitting and per client address answer 503 with a
Retry-After, one address's cap not refusing another."""

import os
import re
import sys
import time
import unittest
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import tolkharness as th  # noqa: E402
from webrtc_offer import TRICKLE_TYPE, header, post_offer, request, warm_up  # noqa: E402

SID = 'wl'
SITTING = {'id': SID, 'channels': ['en', 'fr'], 'booths': [{'language': 'en', 'consoles': 1}]}
ICE = ['--ice-address', '127.0.0.1']
WHEP_EN = th.session_path(SID, 'channels', 'en', 'whep')
WHEP_FR = th.session_path(SID, 'channels', 'fr', 'whep')
CONNECT_TIMEOUT_MS = 6000  # longer than the flood takes to be answered, also under ASan
FLOOD = 24
CANDIDATE = b'a=mid:0\r\na=candidate:1 1 udp 2122260223 127.0.0.1 9 typ host\r\n'


def threads(pid):
    return len(os.listdir('/proc/%d/task' % pid))


def start(*args):
    daemon = th.Daemon(extra_args=ICE + list(args)).start()
    api = daemon.api()
    api.expect(201, 'POST', '/api/v1/sessions', SITTING)
    for ch in ('en', 'fr'):
        api.expect(200, 'PATCH', th.session_path(SID, 'channels', ch), {'public': True})
    warm_up(daemon, WHEP_EN)
    return daemon, api


def listeners(api, channel):
    return th.find(api.expect(200, 'GET', th.session_path(SID))['channels'], 'id', channel)['listeners']


def peers(api):
    return th.metric_sum(api.metrics(), 'tolk_webrtc_peers', session=SID)


class Ownership(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon, cls.api = start()
        tok = lambda body: cls.api.expect(201, 'POST', th.session_path(SID, 'tokens'), body)['token']
        cls.listener = tok({'role': 'listener', 'channel': 'en'})
        cls.other_listener = tok({'role': 'listener', 'channel': 'en'})

    @classmethod
    def tearDownClass(cls):
        cls.daemon.stop()

    def create(self, token=None):
        status, headers, body = post_offer(self.daemon, WHEP_EN, token=token)
        self.assertEqual(status, 201, body)
        location = header(headers, 'location')
        self.assertRegex(location, r'^/api/v1/sessions/%s/webrtc/[0-9a-f]{32}$' % SID)
        return location

    def assert_refused(self, location, token):
        """Neither PATCH nor DELETE with `token` (None: none) touches the resource: 404."""
        status, _, body = request(self.daemon, 'PATCH', location, CANDIDATE, TRICKLE_TYPE, token=token)
        self.assertEqual(status, 404, body)
        status, _, body = request(self.daemon, 'DELETE', location, token=token)
        self.assertEqual(status, 404, body)

    def assert_ended_by(self, location, token):
        status, _, body = request(self.daemon, 'PATCH', location, CANDIDATE, TRICKLE_TYPE, token=token)
        self.assertEqual(status, 204, body)
        status, _, body = request(self.daemon, 'DELETE', location, token=token)
        self.assertEqual(status, 204, body)
        status, _, body = request(self.daemon, 'DELETE', location, token=self.daemon.token)
        self.assertEqual(status, 404, body)  # gone

    def test_operator_resource_is_the_operators(self):
        location = self.create(token=self.daemon.token)
        self.assert_refused(location, None)          # the attack: no token at all
        self.assert_refused(location, self.listener)
        self.assert_ended_by(location, self.daemon.token)

    def test_grant_resource_is_its_holders(self):
        location = self.create(token=self.listener)
        self.assert_refused(location, None)
        self.assert_refused(location, self.other_listener)
        self.assert_ended_by(location, self.listener)
        location = self.create(token=self.listener)
        self.assert_ended_by(location, self.daemon.token)  # and the operator's

    def test_anonymous_listener_ends_its_own_by_url(self):
        location = self.create()
        self.assert_ended_by(location, None)
        guessed = location[:-32] + '0' * 32
        self.assertEqual(request(self.daemon, 'DELETE', guessed)[0], 404)

    def test_resource_ids_never_logged(self):
        ids = [self.create(token=t).rsplit('/', 1)[1] for t in (self.daemon.token, self.listener, None)]
        for location in ids:
            request(self.daemon, 'DELETE', th.session_path(SID, 'webrtc', location), token=self.daemon.token)
        with open(self.daemon.stderr_path, encoding='utf-8', errors='replace') as f:
            log = f.read()
        self.assertIn('WHEP answered', log)  # the peers were logged, by name
        for rid in ids:
            self.assertNotIn(rid, log)
            self.assertNotIn(rid[:16], log)


class NeverConnected(unittest.TestCase):
    """The attack: many tokenless offers on a public channel, none of which ever does ICE."""

    def test_flood_reaped_after_deadline(self):
        daemon, api = start('--peer-connect-timeout-ms', str(CONNECT_TIMEOUT_MS))
        try:
            pid = daemon.proc.pid
            time.sleep(0.5)
            baseline = threads(pid)
            with ThreadPoolExecutor(8) as pool:
                answers = list(pool.map(lambda _: post_offer(daemon, WHEP_EN)[0], range(FLOOD)))
            self.assertEqual(answers, [201] * FLOOD)
            waiting = threads(pid)
            self.assertEqual(peers(api), FLOOD)
            self.assertGreater(waiting, baseline + FLOOD)  # each peer costs threads: it is real
            self.assertEqual(listeners(api, 'en'), 0)      # but no listener
            self.assertEqual(th.metric_sum(api.metrics(), 'tolk_channel_listeners', session=SID,
                                           channel='en'), 0)
            deadline = time.monotonic() + CONNECT_TIMEOUT_MS / 1000 + 5
            while time.monotonic() < deadline and (peers(api) or threads(pid) > baseline + 2):
                time.sleep(0.2)
            self.assertEqual(peers(api), 0)
            self.assertLessEqual(threads(pid), baseline + 2, 'threads: baseline %d, waiting %d'
                                 % (baseline, waiting))
            self.assertIn('not connected in time', daemon.stderr())
        finally:
            daemon.stop()


class Caps(unittest.TestCase):
    def assert_capped(self, daemon, path, what, source=None):
        status, headers, body = post_offer(daemon, path, source=source)
        self.assertEqual(status, 503, body)
        js = th.decode_json(body)
        self.assertEqual(js['error']['code'], 'too_many_peers', js)
        self.assertIn('--max-peers-per-' + what, js['error']['message'])
        self.assertRegex(header(headers, 'retry-after') or '', r'^[1-9][0-9]*$')

    def offer_ok(self, daemon, path, source=None):
        status, _, body = post_offer(daemon, path, source=source)
        self.assertEqual(status, 201, body)

    def test_per_channel(self):
        daemon, _ = start('--max-peers-per-channel', '2', '--peer-connect-timeout-ms', '4000')
        try:
            self.offer_ok(daemon, WHEP_EN)
            self.offer_ok(daemon, WHEP_EN)
            self.assert_capped(daemon, WHEP_EN, 'channel')
            self.offer_ok(daemon, WHEP_FR)   # another channel still admits
            time.sleep(5)                    # the unconnected ones are reaped: room again
            self.offer_ok(daemon, WHEP_EN)
        finally:
            daemon.stop()

    def test_per_session(self):
        daemon, _ = start('--max-peers-per-session', '3')
        try:
            for path in (WHEP_EN, WHEP_FR, WHEP_EN):
                self.offer_ok(daemon, path)
            self.assert_capped(daemon, WHEP_FR, 'session')
        finally:
            daemon.stop()

    def test_per_address(self):
        daemon, _ = start('--max-peers-per-address', '2')
        try:
            self.offer_ok(daemon, WHEP_EN)
            self.offer_ok(daemon, WHEP_FR)
            self.assert_capped(daemon, WHEP_EN, 'address')
            self.offer_ok(daemon, WHEP_EN, source='127.0.0.2')  # another address is not refused
            self.offer_ok(daemon, WHEP_FR, source='127.0.0.2')
            self.assert_capped(daemon, WHEP_EN, 'address', source='127.0.0.2')
        finally:
            daemon.stop()


if __name__ == '__main__':
    unittest.main(verbosity=2)
