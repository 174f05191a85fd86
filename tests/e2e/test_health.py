# SPDX-License-Identifier: EUPL-1.2
"""Health you can see (issue 9): one input goes through its states with a real SRTP sender
(gst-launch-1.0), and each state shows in the session view, the event stream (input_state),
the levels event and the /metrics gauges; /healthz is degraded while the input fails. The
read-only metrics token reads /metrics and nothing else.

One daemon (--lost-timeout-ms 1500), one sitting: channels en; booth en with 2 consoles. The
input en/1 is fed a tone (receiving), then digital silence (silent), then nothing (lost), then
packets under a wrong key (failing), then nothing again (lost, /healthz ok).

Without the four-state watch the silence stays "receiving" and the stop "silent" (test_02,
test_03 fail); without the problems list /healthz stays "ok" (test_04); without the metrics
role the metrics token gets 401 (test_06)."""

import os
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import tolkharness as th  # noqa: E402
from test_events import SseClient  # noqa: E402

SID = 'health'
SITTING = {'id': SID, 'name': 'e2e health', 'floor_language': 'en', 'channels': ['en'],
           'booths': [{'language': 'en', 'consoles': 2}]}
INPUT = 'en/1'
TONE = 440
LOST_TIMEOUT_S = 1.5
METRICS_TOKEN = 'e2e-metrics-token-read-only'
STATES = ('receiving', 'silent', 'lost', 'failing')


class HealthTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = th.Daemon(extra_args=['--lost-timeout-ms', str(int(LOST_TIMEOUT_S * 1000)),
                                           '--metrics-token', METRICS_TOKEN]).start()
        cls.api = cls.daemon.api()
        cls.session = cls.api.expect(201, 'POST', 'sessions', SITTING)
        cls.events = SseClient(cls.daemon.host, cls.daemon.port, th.session_path(SID, 'events'),
                               token=cls.daemon.token, name='operator')
        cls.sender = None

    @classmethod
    def tearDownClass(cls):
        if cls.sender:
            cls.sender.stop()
        cls.events.close()
        cls.daemon.stop()

    # -- what each view says

    def state(self):
        return th.find_input(self.api.expect(200, 'GET', th.session_path(SID)), INPUT)['health']['state']

    def wait_state(self, state, timeout):
        th.wait_until(lambda: self.state() == state, timeout=timeout, interval=0.1,
                      message='%s %s (now %s)' % (INPUT, state, self.state()))

    def assert_event(self, state):
        msg = self.events.wait_for('input_state', lambda d: d['input'] == INPUT and d['state'] == state,
                                   timeout=3)
        self.assertIn(msg['data']['previous'], STATES, msg)
        self.assertNotEqual(msg['data']['previous'], state, msg)

    def assert_gauges(self, state):
        text = self.api.metrics()
        for s in STATES:
            value = th.metric_sum(text, 'tolk_input_state', session=SID, input=INPUT, state=s)
            self.assertEqual(value, 1.0 if s == state else 0.0, '%s: tolk_input_state{state="%s"} %s' % (state, s, value))

    def assert_levels(self, state):
        self.events.wait_for('levels', lambda d: d['input_states'][INPUT] == state, timeout=3)

    def assert_everywhere(self, state):
        self.assertEqual(self.state(), state)
        self.assert_event(state)
        self.assert_levels(state)
        self.assert_gauges(state)

    def healthz(self):
        status, _, body = self.api.raw('GET', '/healthz', token='')
        self.assertEqual(status, 200, body)
        return th.decode_json(body)

    def send(self, key=None, volume=0.3):
        """Replaces the sender: a tone (or silence) under the input's key, or another key."""
        if self.sender:
            self.sender.stop()
        inp = th.find_input(self.session, INPUT)
        self.__class__.sender = th.Sender(inp['port'], key or inp['srtp']['key'], TONE, volume=volume).start()

    def stop_sender(self):
        self.sender.stop()
        self.__class__.sender = None

    # -- the states, in order

    def test_00_never_sent_is_silent(self):
        self.assertEqual(self.state(), 'silent')
        self.assert_gauges('silent')
        self.assertEqual(self.healthz(), {'status': 'ok'})

    def test_01_fed_is_receiving(self):
        self.send()
        self.wait_state('receiving', timeout=5)
        self.assert_everywhere('receiving')
        health = th.find_input(self.api.expect(200, 'GET', th.session_path(SID)), INPUT)['health']
        self.assertGreater(health['received'], 5, health)
        text = self.api.metrics()
        for name in ('tolk_input_lost_packets_total', 'tolk_input_late_packets_total',
                     'tolk_input_undecodable_packets_total', 'tolk_input_jitter_ms'):
            self.assertRegex(text, r'(?m)^%s\{session="%s",input="%s"\} [0-9.]+$' % (name, SID, INPUT), name)
        self.assertEqual(self.healthz(), {'status': 'ok'})

    def test_02_silence_is_silent(self):
        self.send(volume=0.0)
        self.wait_state('silent', timeout=4)
        self.assert_everywhere('silent')
        received = th.find_input(self.api.expect(200, 'GET', th.session_path(SID)), INPUT)['health']['received']
        time.sleep(0.6)
        health = th.find_input(self.api.expect(200, 'GET', th.session_path(SID)), INPUT)['health']
        self.assertGreater(health['received'], received + 20, 'packets still arrive: %s' % health)
        self.assertEqual(health['state'], 'silent', health)

    def test_03_stopped_is_lost_after_the_timeout(self):
        t0 = time.monotonic()
        self.stop_sender()
        time.sleep(1.0)
        self.assertEqual(self.state(), 'silent', 'lost before --lost-timeout-ms')
        self.wait_state('lost', timeout=3)
        self.assertGreaterEqual(time.monotonic() - t0, LOST_TIMEOUT_S - 0.1)
        self.assert_everywhere('lost')
        self.assertEqual(self.healthz(), {'status': 'ok'}, 'a lost input is no fault of the daemon')
        logged = [line for line in self.daemon.stderr().splitlines() if INPUT in line and '-> lost' in line]
        self.assertEqual(len(logged), 1, self.daemon.stderr())

    def test_04_wrong_key_is_failing_and_degrades_healthz(self):
        self.send(key=th.random_key())
        self.wait_state('failing', timeout=4)
        self.assert_everywhere('failing')
        body = self.healthz()
        self.assertEqual(body['status'], 'degraded', body)
        self.assertIn({'what': 'input', 'sitting': SID, 'input': INPUT, 'state': 'failing'}, body['problems'])
        self.assertEqual(len(body['problems']), 1, body)
        health = th.find_input(self.api.expect(200, 'GET', th.session_path(SID)), INPUT)['health']
        self.assertGreater(health['dropped']['auth'], 20, health)
        self.assertEqual(th.find_input(self.api.expect(200, 'GET', th.session_path(SID)), 'en/2')['health']['state'],
                         'silent')

    def test_05_ok_again_after_the_failing_sender_stops(self):
        self.stop_sender()
        th.wait_until(lambda: self.healthz() == {'status': 'ok'}, timeout=3, message='/healthz ok again')
        self.wait_state('lost', timeout=2)
        self.assert_event('lost')

    def test_06_metrics_token_reads_metrics_only(self):
        status, headers, body = self.api.raw('GET', '/metrics', token=METRICS_TOKEN)
        self.assertEqual(status, 200, body[:200])
        self.assertIn(b'tolk_input_state{session="health",input="en/1",state="lost"} 1', body)
        for name in (b'tolk_channel_level_dbfs', b'tolk_channel_listeners', b'tolk_output_send_errors_total'):
            self.assertIn(b'\n' + name + b'{session="health",channel="en"} ', body)
        refused = [('GET', '/api/v1/sessions'), ('GET', th.session_path(SID)), ('DELETE', th.session_path(SID)),
                   ('POST', th.session_path(SID, 'tokens')), ('GET', th.session_path(SID, 'events'))]
        for method, path in refused:
            body, headers = (b'{}', {'Content-Type': 'application/json'}) if method == 'POST' else (None, None)
            status, _, body = self.api.raw(method, path, body, headers, token=METRICS_TOKEN)
            self.assertEqual(status, 403, '%s %s with the metrics token: %d %s' % (method, path, status, body))
        status, _, _ = self.api.raw('GET', '/metrics', token=METRICS_TOKEN + 'x')
        self.assertEqual(status, 401)
        status, _, _ = self.api.raw('GET', '/metrics', token='')
        self.assertEqual(status, 401)
        self.api.expect(200, 'GET', th.session_path(SID))  # the sitting is still there

    def test_07_operator_view_has_channel_and_feed_health(self):
        s = self.api.expect(200, 'GET', th.session_path(SID))
        for ch in s['channels']:
            self.assertEqual(set(ch['health']), {'level_dbfs', 'listeners', 'packets_sent', 'send_errors'}, ch)
            self.assertEqual(ch['health']['listeners'], ch['listeners'])
            self.assertEqual(ch['health']['send_errors'], 0, ch)
        console = th.console_of(s, 'en/2')
        self.assertEqual(set(console['feed_health']), {'packets_sent', 'send_errors'}, console)

    def test_09_output_the_kernel_refuses_is_failing(self):
        """A careless destination (broadcast, which the kernel refuses without SO_BROADCAST):
        the output is failing in its object, its event and /healthz, its errors counted per
        output; a sound output beside it stays sending. Once it is gone, /healthz is ok."""
        good = self.api.expect(201, 'POST', th.session_path(SID, 'channels', 'en', 'outputs'),
                               {'host': '127.0.0.1', 'port': th.free_udp_pair()})
        bad = self.api.expect(201, 'POST', th.session_path(SID, 'channels', 'en', 'outputs'),
                              {'host': '255.255.255.255', 'port': 5004})
        msg = self.events.wait_for('output_state', lambda d: d['output'] == bad['id'], timeout=3)
        self.assertEqual(msg['data']['state'], 'failing', msg)
        self.assertGreater(msg['data']['send_errors'], 0, msg)
        outputs = {o['id']: o for ch in self.api.expect(200, 'GET', th.session_path(SID))['channels']
                   for o in ch['outputs']}
        self.assertEqual(outputs[bad['id']]['health']['state'], 'failing')
        self.assertEqual(outputs[good['id']]['health'], {'state': 'sending', 'send_errors': 0})
        problems = self.healthz().get('problems', [])
        self.assertIn({'what': 'output', 'sitting': SID, 'output': bad['id'], 'state': 'failing'}, problems)
        text = self.api.metrics()
        self.assertGreater(th.metric_sum(text, 'tolk_output_destination_send_errors_total', session=SID,
                                         output=bad['id']), 0)
        self.assertEqual(th.metric_sum(text, 'tolk_output_destination_send_errors_total', session=SID,
                                       output=good['id']), 0)
        for o in (bad, good):
            self.api.expect(204, 'DELETE', th.session_path(SID, 'channels', 'en', 'outputs', o['id']))
        self.assertEqual(self.healthz(), {'status': 'ok'})

    def test_08_metrics_token_must_differ_from_the_operator_token(self):
        proc = subprocess.run([th.tolk_bin(), '--listen', '127.0.0.1:%d' % th.free_tcp_port(), '--token', 'same-token',
                               '--metrics-token', 'same-token'], stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=10)
        self.assertEqual(proc.returncode, 1, proc.stderr)
        self.assertIn(b'--metrics-token must differ from the operator token', proc.stderr)
        self.assertNotIn(b'same-token\n', proc.stderr)


if __name__ == '__main__':
    unittest.main(verbosity=2)
