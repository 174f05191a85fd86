# SPDX-License-Identifier: EUPL-1.2
"""Limits per token and per session (issue 6, item 10) against the real daemon.

The attack: one console token raising 20,000 signals, all kept (GET /signals 1.9 MB), and
creations without bound. The defence: one open signal per console and kind (raised again, it
is refreshed), a token bucket per console and kind (429 with Retry-After past it), and caps
on tokens, outputs and sessions (409 limit_reached)."""
import json
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tolkharness as th  # noqa: E402

SID = 'limits'
SITTING = {'id': SID, 'channels': ['de', 'en'], 'booths': [{'language': 'en', 'consoles': 3}]}
RATE, BURST = 2, 10
FLOOD = 300


def sp(*parts):
    return th.session_path(SID, *parts)


class Signals(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = th.Daemon(extra_args=['--signal-rate', str(RATE), '--signal-burst', str(BURST)]).start()
        cls.api = cls.daemon.api()
        cls.api.expect(201, 'POST', 'sessions', SITTING)
        cls.en1 = cls.daemon.api(cls.api.expect(201, 'POST', sp('tokens'),
                                                {'role': 'console', 'console': 'en/1'})['token'])
        cls.en2 = cls.daemon.api(cls.api.expect(201, 'POST', sp('tokens'),
                                                {'role': 'console', 'console': 'en/2'})['token'])
        cls.en3 = cls.daemon.api(cls.api.expect(201, 'POST', sp('tokens'),
                                                {'role': 'console', 'console': 'en/3'})['token'])

    @classmethod
    def tearDownClass(cls):
        cls.daemon.stop()

    def setUp(self):
        for g in self.api.expect(200, 'GET', sp('signals'))['signals']:
            self.api.expect(204, 'DELETE', sp('signals', str(g['id'])))

    def raw_signal(self, api, kind):
        body = json.dumps({'kind': kind}).encode()
        status, headers, data = api.raw('POST', sp('signals'), body, {'Content-Type': 'application/json'})
        return status, headers, th.decode_json(data)

    def test_flood_from_one_console_is_limited(self):
        started = time.monotonic()
        statuses, limited = [], None
        for i in range(FLOOD):
            status, headers, body = self.raw_signal(self.en1, ('slower', 'technician')[i % 2])
            statuses.append(status)
            if status == 429 and limited is None:
                limited = (headers, body)
        elapsed = time.monotonic() - started
        accepted = sum(s in (200, 201) for s in statuses)
        # Two kinds, each a burst plus the rate over the flood's duration (and one for rounding).
        self.assertLessEqual(accepted, 2 * (BURST + RATE * elapsed + 1),
                             '%d of %d accepted in %.1f s' % (accepted, FLOOD, elapsed))
        self.assertGreaterEqual(accepted, 2 * BURST)
        self.assertEqual(set(statuses) - {200, 201, 429}, set())
        self.assertEqual(statuses.count(201), 2, 'one new signal per kind, the rest refreshed, not %d'
                         % statuses.count(201))
        headers, body = limited
        self.assertEqual(body['error']['code'], 'rate_limited')
        message = body['error']['message']
        self.assertIn('en/1', message)
        self.assertIn('%d per second' % RATE, message)
        self.assertIn('at most %d' % BURST, message)
        self.assertGreaterEqual(int(headers['retry-after']), 1)
        # The queue stays small: one open signal per kind, refreshed.
        status, _, raw = self.api.raw('GET', sp('signals'))
        self.assertEqual(status, 200)
        self.assertLess(len(raw), 1024, raw)
        signals = th.decode_json(raw)['signals']
        self.assertEqual(sorted(g['kind'] for g in signals), ['slower', 'technician'])
        self.assertTrue(all(g['repeats'] >= BURST for g in signals), signals)
        # Another console is not limited by the flood.
        status, _, body = self.raw_signal(self.en2, 'technician')
        self.assertEqual(status, 201, body)
        self.assertEqual(body['console'], 'en/2')
        # And en/1 may signal again once Retry-After has passed.
        time.sleep(int(headers['retry-after']))
        self.assertEqual(self.raw_signal(self.en1, 'technician')[0], 200)

    def test_repeated_signal_is_refreshed_not_queued(self):
        first = self.raw_signal(self.en3, 'slower')
        self.assertEqual(first[0], 201, first)
        again = self.raw_signal(self.en3, 'slower')
        self.assertEqual(again[0], 200, again)
        self.assertEqual(again[2]['id'], first[2]['id'])
        self.assertEqual(again[2]['repeats'], 2)
        self.assertEqual(again[1]['content-location'], sp('signals', str(first[2]['id'])))
        self.assertIsNone(again[2]['console'], 'slower stays anonymous')
        # A technician call of the same console is a signal of its own, never merged away.
        tech = self.raw_signal(self.en3, 'technician')
        self.assertEqual(tech[0], 201, tech)
        self.assertEqual(len(self.api.expect(200, 'GET', sp('signals'))['signals']), 2)
        # Once cleared, the next one is new again.
        self.api.expect(204, 'DELETE', sp('signals', str(first[2]['id'])))
        self.assertEqual(self.raw_signal(self.en3, 'slower')[0], 201)

    def test_operator_is_not_rate_limited(self):
        for _ in range(BURST + 5):
            status, body = self.api.post(sp('signals'), {'kind': 'technician', 'console': 'en/2'})
            self.assertIn(status, (200, 201), body)


class Caps(unittest.TestCase):
    def test_handover_signals_capped_technician_kept(self):
        with th.Daemon(extra_args=['--signal-rate', '100', '--signal-burst', '1000']) as daemon:
            api = daemon.api()
            api.expect(201, 'POST', 'sessions', SITTING)
            tok = {c: daemon.api(api.expect(201, 'POST', sp('tokens'), {'role': 'console', 'console': c})['token'])
                   for c in ('en/1', 'en/2')}
            tech = tok['en/1'].expect(201, 'POST', sp('signals'), {'kind': 'technician'})
            api.expect(200, 'PATCH', sp('booths', 'en', 'consoles', '1'), {'mic': 'on'})
            live, partner = 'en/1', 'en/2'
            for _ in range(50):
                tok[partner].expect(201, 'POST', sp('signals'), {'kind': 'handover_request'})
                tok[live].expect(201, 'POST', sp('signals'), {'kind': 'handover_accept'})
                live, partner = partner, live
            signals = api.expect(200, 'GET', sp('signals'))['signals']
            kinds = [g['kind'] for g in signals]
            self.assertEqual(len(signals), 65, kinds)
            self.assertEqual(signals[0]['id'], tech['id'], 'the technician call was pushed out')
            self.assertEqual(signals[-1]['kind'], 'handover_accept')


    def test_outputs_per_channel_and_session(self):
        with th.Daemon() as daemon:
            api = daemon.api()
            api.expect(201, 'POST', 'sessions', dict(SITTING, channels=['de', 'en', 'fr', 'it', 'es']))
            created = 0
            for ch in ('floor', 'de', 'en', 'fr'):
                for i in range(64):
                    api.expect(201, 'POST', sp('channels', ch, 'outputs'),
                               {'host': '127.0.0.%d' % (i + 2), 'port': 9})
                    created += 1
                if ch == 'floor':
                    status, body = api.post(sp('channels', ch, 'outputs'), {'host': '127.0.0.100', 'port': 10})
                    self.assertEqual(status, 409, body)
                    self.assertEqual(body['error']['code'], 'limit_reached')
                    self.assertIn('64 outputs', body['error']['message'])
            status, body = api.post(sp('channels', 'es', 'outputs'), {'host': '127.0.0.2', 'port': 9})
            self.assertEqual(status, 409, body)
            self.assertIn('256 outputs', body['error']['message'])
            status, body = api.post(sp('booths', 'en', 'consoles', '1', 'outputs'), {'host': '127.0.0.2', 'port': 9})
            self.assertEqual(status, 409, body)
            self.assertEqual(created, 256)

    def test_tokens_per_session(self):
        with th.Daemon() as daemon:
            api = daemon.api()
            api.expect(201, 'POST', 'sessions', SITTING)
            for _ in range(1000):
                api.expect(201, 'POST', sp('tokens'), {'role': 'listener', 'channel': 'en'})
            status, body = api.post(sp('tokens'), {'role': 'floor'})
            self.assertEqual(status, 409, body)
            self.assertEqual(body['error']['code'], 'limit_reached')
            self.assertIn('1000 tokens', body['error']['message'])
            tid = api.expect(200, 'GET', sp('tokens'))['tokens'][0]['id']
            api.expect(204, 'DELETE', sp('tokens', tid))
            api.expect(201, 'POST', sp('tokens'), {'role': 'floor'})

    def test_sessions_per_daemon(self):
        with th.Daemon(extra_args=['--max-sessions', '2']) as daemon:
            api = daemon.api()
            api.expect(201, 'POST', 'sessions', dict(SITTING, id='a'))
            api.expect(201, 'POST', 'sessions', dict(SITTING, id='b'))
            status, body = api.post('sessions', dict(SITTING, id='c'))
            self.assertEqual(status, 409, body)
            self.assertEqual(body['error']['code'], 'limit_reached')
            self.assertIn('--max-sessions', body['error']['message'])
            api.expect(204, 'DELETE', 'sessions/a')
            api.expect(201, 'POST', 'sessions', dict(SITTING, id='c'))


if __name__ == '__main__':
    unittest.main(verbosity=2)
