# SPDX-License-Identifier: EUPL-1.2
"""Hearing protection as the listener decodes it (issue 8), and the loudness guard's warnings
as events and metrics.

One daemon, one sitting: channels de, fr; booths de (1 console), fr (1 console). de/1 is live
on de, fr/1 listens to de, the floor is idle on fr. Each input sends a recorded programme:
a quiet tone, a 200 ms full-scale square burst, then the tone again (de/1 goes on loud enough
for the one-minute guard to warn). Receivers: channels floor, de, fr, and the return feeds of
fr/1 (hears de) and de/1 (hears the floor).

On an engine whose protection sits before the encoder the bursts decode above -1 dBFS
(test_01, test_02 fail), and an engine that does not count loudness warnings fails test_03."""

import array
import os
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import feed_audio as fa  # noqa: E402
import tolkharness as th  # noqa: E402
from test_events import SseClient  # noqa: E402

SID = 'bursts'
SITTING = {
    'id': SID, 'name': 'e2e bursts', 'floor_language': 'en', 'channels': ['de', 'fr'],
    'booths': [{'language': 'de', 'consoles': 1}, {'language': 'fr', 'consoles': 1}],
}
CEILING_DB = -1.0
BURST_S = 0.2


def programme(freq, before_s, after_s, after_amplitude, amplitude=0.1):
    """Raw 48 kHz mono float: a tone, a full-scale square burst, the tone again."""
    tone = th.sine(freq, before_s, amplitude)
    half = th.RATE // (2 * 100)  # a 100 Hz square
    burst = array.array('f', (1.0 if (i // half) % 2 == 0 else -1.0 for i in range(int(BURST_S * th.RATE))))
    return tone + burst + th.sine(freq, after_s, after_amplitude)


class FileSender(th.Sender):
    """Sends a raw programme once, in real time, as SRTP Opus (ffmpeg)."""

    def __init__(self, port, key_b64, samples):
        super().__init__(port, key_b64, 0, kind='ffmpeg')
        fd, self.raw_path = tempfile.mkstemp(prefix='tolk-programme-', suffix='.f32')
        with os.fdopen(fd, 'wb') as f:
            samples.tofile(f)

    def argv(self):
        return ['ffmpeg', '-hide_banner', '-loglevel', 'error', '-nostdin', '-re',
                '-f', 'f32le', '-ar', str(th.RATE), '-ac', '1', '-i', self.raw_path,
                '-c:a', 'libopus', '-frame_duration', '20', '-f', 'rtp',
                '-srtp_out_suite', th.SUITE, '-srtp_out_params', self.key,
                'srtp://%s:%d' % (self.host, self.port)]

    def stop(self):
        super().stop()
        if os.path.exists(self.raw_path):
            os.unlink(self.raw_path)


def console_path(cid):
    return th.console_path(cid, SID)


class Bursts(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = th.Daemon().start()
        cls.api = cls.daemon.api()
        cls.senders, cls.rx = [], {}
        try:
            cls.session = cls.api.expect(201, 'POST', 'sessions', SITTING)
            cls.api.expect(200, 'PATCH', console_path('fr/1'), {'listen': 'de'})
            for ch in ('floor', 'de', 'fr'):
                cls.rx[ch] = cls.api.listen('sessions/%s/channels/%s/outputs' % (SID, ch), 'channel ' + ch)[0]
            for cid in ('fr/1', 'de/1'):
                cls.rx[cid] = cls.api.listen(console_path(cid) + '/outputs', 'feed ' + cid)[0]
            cls.events = SseClient(cls.daemon.host, cls.daemon.port, '/api/v1/sessions/%s/events' % SID,
                                   token=cls.daemon.token, name='operator events')
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        if getattr(cls, 'events', None):
            cls.events.close()
        th.stop_all(cls.rx.values(), cls.senders, cls.daemon)

    def send(self, input_id, samples):
        """Starts the programme; once the input receives, de/1 goes live (again: a console whose
        previous programme ended was taken off air by rule 8)."""
        inp = th.find_input(self.session, input_id)
        sender = FileSender(inp['port'], inp['srtp']['key'], samples).start()
        self.senders.append(sender)
        th.wait_until(lambda: self.input_state(input_id) == 'receiving', timeout=3,
                      message='input %s receiving' % input_id)
        self.api.expect(200, 'PATCH', console_path('de/1'), {'mic': 'on'})
        return sender

    def input_state(self, input_id):
        session = self.api.expect(200, 'GET', 'sessions/' + SID)
        return th.find_input(session, input_id)['health']['state']

    def assert_protected(self, names, since):
        """Every stream carried the burst (it is loud) and decodes at <= CEILING_DB true peak."""
        for name in names:
            samples, _ = fa.timed_samples(self.rx[name], since)
            self.assertGreater(len(samples), th.RATE, '%s: too little audio\n%s' % (name, self.rx[name].describe()))
            peak = fa.true_peak(samples)
            print('%s: true peak %.2f dBFS' % (name, fa.dbfs(peak)), file=sys.stderr)
            self.assertGreater(fa.dbfs(peak), -12.0, '%s: the burst never came through' % name)
            self.assertLessEqual(fa.dbfs(peak), CEILING_DB, '%s: the burst decodes above the ceiling' % name)

    def test_01_console_burst(self):
        since = time.monotonic()
        sender = self.send('de/1', programme(660, 1.5, 1.2, 0.1))
        th.wait_until(lambda: not sender.running(), timeout=8, message='the programme to end')
        time.sleep(0.3)
        self.assert_protected(('de', 'fr/1'), since)

    def test_02_floor_burst(self):
        since = time.monotonic()
        sender = self.send('floor', programme(440, 1.5, 1.2, 0.1))
        th.wait_until(lambda: not sender.running(), timeout=8, message='the programme to end')
        time.sleep(0.3)
        # fr is idle and carries the floor; de/1 listens to the floor.
        self.assert_protected(('floor', 'fr', 'de/1'), since)

    def test_03_loudness_warnings(self):
        # -9 dBFS RMS: under the short-term ceiling, far over the one-minute warning level.
        sender = self.send('de/1', programme(660, 0.2, 9.0, 0.5))
        wanted = {('channel', 'de'), ('console', 'fr/1')}
        seen = {}
        deadline = time.monotonic() + 12
        try:
            while not wanted <= set(seen) and time.monotonic() < deadline:
                msg = self.events.wait_for('loudness_warning', timeout=max(0.1, deadline - time.monotonic()))
                seen.update({(k, msg['data'][k]): msg for k in ('channel', 'console') if k in msg['data']})
        finally:
            sender.stop()
        self.assertLessEqual(wanted, set(seen), 'loudness warnings seen: %s' % sorted(seen))
        self.assertNotIn(('channel', 'floor'), seen)
        for msg in seen.values():
            self.assertGreaterEqual(msg['data']['level_db'], -20.05, msg)  # at or past the -20 dBFS warning level
            self.assertLess(msg['data']['level_db'], 0.0, msg)
        metrics = self.api.metrics()
        self.assertGreaterEqual(th.metric_sum(metrics, 'tolk_loudness_warnings_total', session=SID, channel='de'), 1)
        self.assertGreaterEqual(th.metric_sum(metrics, 'tolk_loudness_warnings_total', session=SID, console='fr/1'), 1)
        self.assertEqual(th.metric_sum(metrics, 'tolk_loudness_warnings_total', session=SID, channel='floor'), 0)


if __name__ == '__main__':
    unittest.main(verbosity=2)
