# SPDX-License-Identifier: EUPL-1.2
"""Return feeds as an interpreter hears them (issue 8): a change of listen source is a ramp
with no gap, no step and no swell, and partner listen adds the live colleague.

One daemon, one sitting: channels en, fr; booths en (2 consoles), fr (1 console). Floor 440 Hz
at amplitude 0.3, fr/1 live on fr at 880 Hz and 0.1 (a relay channel, 9.5 dB below the floor),
en/1 660 Hz, en/2 990 Hz. Receivers on the return feeds of en/1 and en/2.

These tests pass only on an engine that mixes every return feed itself (issue 8); on one that
switches the channels' encoded streams they fail in test_01 (gaps, steps) and test_02
(partner listen)."""

import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import feed_audio as fa  # noqa: E402
import tolkharness as th  # noqa: E402

SID = 'feeds'
FLOOR, FR1, EN1, EN2 = 440, 880, 660, 990
ALL = (FLOOR, FR1, EN1, EN2)
SITTING = {
    'id': SID, 'name': 'e2e return feeds', 'floor_language': 'de', 'channels': ['en', 'fr'],
    'booths': [{'language': 'en', 'consoles': 2}, {'language': 'fr', 'consoles': 1}],
}
SENDERS = (('floor', FLOOR, 'gst', 0.3), ('fr/1', FR1, 'ffmpeg', 0.1), ('en/1', EN1, 'gst', 0.3),
           ('en/2', EN2, 'ffmpeg', 0.3))
SWITCHES = 16
DWELL_S = 0.35          # between two switches: long enough for both tones to settle
RAMP_S = 0.010          # rule 7's ramp as issue 8 asks it
GAP_S = 0.010           # no gap this long
DOMINATE_S = 0.030 + 0.020  # new tone on top within 30 ms, plus the one frame in flight at the 200
PEAK_MARGIN_DB = 0.5


def console_path(cid):
    return th.console_path(cid, SID)


class Feeds(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = th.Daemon().start()
        cls.api = cls.daemon.api()
        cls.senders, cls.rx = [], {}
        try:
            cls.session = cls.api.expect(201, 'POST', 'sessions', SITTING)
            for input_id, freq, kind, volume in SENDERS:
                cls.senders.append(th.Sender.for_input(cls.session, input_id, freq, kind=kind,
                                                       volume=volume).start())
            for cid in ('en/1', 'en/2'):
                cls.rx[cid] = cls.api.listen(console_path(cid) + '/outputs', 'feed ' + cid)[0]
                cls.rx[cid].keep = int((SWITCHES * DWELL_S + 4) * th.RATE)
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        th.stop_all(cls.rx.values(), cls.senders, cls.daemon)

    def setUp(self):
        for cid in ('en/1', 'en/2', 'fr/1'):
            self.patch(cid, {'mic': 'off'})
        for cid in ('en/1', 'en/2'):
            self.patch(cid, {'listen': 'floor', 'partner_listen': False})
        self.patch('fr/1', {'mic': 'on'})

    def patch(self, cid, body):
        return self.api.expect(200, 'PATCH', console_path(cid), body)

    def hears(self, cid, *present, timeout=3.0):
        absent = [f for f in ALL if f not in present]
        return self.rx[cid].wait_for(list(present), absent, timeout=timeout)

    # -- (a) switching a return feed between two tones

    def test_01_listen_switches_are_ramps(self):
        rx = self.rx['en/1']
        self.hears('en/1', FLOOR)
        start = time.monotonic()
        time.sleep(DWELL_S)
        switches = []  # (stream position at the 200, new tone, old tone)
        for i in range(SWITCHES):
            listen, new, old = ('fr', FR1, FLOOR) if i % 2 == 0 else ('floor', FLOOR, FR1)
            self.patch('en/1', {'listen': listen})
            switches.append((time.monotonic(), new, old))
            time.sleep(DWELL_S)
        time.sleep(0.2)
        end = time.monotonic()
        samples, arrivals = fa.timed_samples(rx, start)
        self.assertGreater(len(samples), 0.9 * (end - start) * th.RATE,
                           'feed delivered %d samples in %.2f s\n%s' % (len(samples), end - start, rx.describe()))
        self.check_continuity(samples, arrivals)
        self.check_switch_audio(samples, [(fa.position_at(arrivals, t), new, old) for t, new, old in switches])

    def check_continuity(self, samples, arrivals):
        """No run of silence and no samples missing: the decoder got every packet in time."""
        quiet = fa.longest_near_zero_run(samples)
        self.assertLess(quiet, GAP_S * th.RATE, 'a gap of %.1f ms in the return feed' % (quiet * 1000 / th.RATE))
        # Arrival jitter moves the two ends by a frame or two; a hole of a packet shows beyond that.
        first, last = arrivals[0][1], arrivals[-1][1]
        expected = (last - first) * th.RATE + (len(samples) - arrivals[-1][0])
        missing_ms = (expected - len(samples)) * 1000 / th.RATE
        self.assertLess(missing_ms, 45, 'the feed lacks %.0f ms of audio over %.1f s' % (missing_ms, last - first))

    def check_switch_audio(self, samples, switches):
        # The two tones alone, in the middle of their dwell: their own peaks and steps.
        steady = {FLOOR: [], FR1: []}
        for pos, new, _ in switches:
            mid = pos + int(DWELL_S * th.RATE / 2)
            steady[new].extend(samples[mid:mid + int(0.1 * th.RATE)])
        peak = {f: fa.sample_peak(s) for f, s in steady.items()}
        step = {f: max(fa.steps(s)) for f, s in steady.items()}
        loud = max(peak.values())
        # A linear 10 ms crossfade moves each gain by 1/480 per sample: beyond the tones' own
        # steps it adds at most (peak_a + peak_b) / 480. A cut between the tones jumps by up to
        # peak_a + peak_b. 25 % for the codec's noise on top.
        step_limit = 1.25 * (step[FLOOR] + step[FR1] + (peak[FLOOR] + peak[FR1]) / (RAMP_S * th.RATE))
        peak_limit = loud * 10 ** (PEAK_MARGIN_DB / 20)
        worst_step = worst_peak = worst_delay = 0.0
        for n, (pos, new, old) in enumerate(switches):
            around = samples[max(0, pos - int(0.1 * th.RATE)):pos + int(0.2 * th.RATE)]
            worst_step = max(worst_step, max(fa.steps(around)))
            worst_peak = max(worst_peak, fa.sample_peak(around))
            at = fa.first_dominant(samples, pos, new, old, limit=int(0.3 * th.RATE))
            self.assertIsNotNone(at, 'switch %d: %d Hz never dominated %d Hz' % (n, new, old))
            worst_delay = max(worst_delay, (at - pos) / th.RATE)
        print('switches: worst step %.4f (limit %.4f), worst peak %.1f dBFS (limit %.1f), '
              'new tone on top within %.0f ms' % (worst_step, step_limit, fa.dbfs(worst_peak),
                                                 fa.dbfs(peak_limit), worst_delay * 1000), file=sys.stderr)
        self.assertLess(worst_step, step_limit, 'a step beyond a %g ms ramp' % (RAMP_S * 1000))
        self.assertLess(worst_peak, peak_limit, 'a peak above the louder tone')
        self.assertLess(worst_delay, DOMINATE_S, 'the new tone came late')

    # -- (c) partner listen

    def test_02_partner_listen(self):
        self.patch('en/1', {'mic': 'on'})
        self.hears('en/2', FLOOR)
        got = self.patch('en/2', {'partner_listen': True})
        self.assertIs(got['partner_listen'], True)
        self.hears('en/2', FLOOR, EN1)
        self.assertIs(th.console_of(self.api.expect(200, 'GET', 'sessions/' + SID), 'en/2')['partner_listen'], True)
        # A coughing partner is silence, not the partner.
        self.patch('en/1', {'mic': 'muted'})
        self.hears('en/2', FLOOR)
        self.patch('en/1', {'mic': 'on'})
        self.hears('en/2', FLOOR, EN1)
        self.patch('en/2', {'partner_listen': False})
        self.hears('en/2', FLOOR)
        # Live itself (en/1 goes off by handover): the feed never carries its own microphone.
        self.patch('en/2', {'partner_listen': True, 'mic': 'on'})
        self.rx['en/2'].hold([FLOOR], [EN1, EN2, FR1], duration=1.0)
        # ...while the partner now hears en/2 if it asks to.
        self.patch('en/1', {'partner_listen': True})
        self.hears('en/1', FLOOR, EN2)

    def test_03_partner_listen_field(self):
        for bad in ('yes', 1, None, ['true']):
            status, js = self.api.patch(console_path('en/1'), {'partner_listen': bad})
            self.assertEqual(status, 400, js)
            self.assertIn('partner_listen', js['error']['message'])
        self.assertIs(th.console_of(self.api.expect(200, 'GET', 'sessions/' + SID), 'en/1')['partner_listen'], False)
        token = self.api.expect(201, 'POST', 'sessions/%s/tokens' % SID, {'role': 'console', 'console': 'en/1'})['token']
        status, js = self.api.request('PATCH', console_path('en/1'), {'partner_listen': True}, token=token)
        self.assertEqual(status, 200, js)
        self.assertIs(js['partner_listen'], True)
        public = self.api.request('GET', 'sessions/' + SID, token=token)[1]
        self.assertIs(th.console_of(public, 'en/1')['partner_listen'], True)


if __name__ == '__main__':
    unittest.main(verbosity=2)
