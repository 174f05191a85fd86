# SPDX-License-Identifier: EUPL-1.2
"""Self-test of the e2e toolkit without the daemon: tone analysis on synthesized samples, and real
SRTP senders looped straight into real receivers through an SDP written by hand."""

import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import tolkharness as th  # noqa: E402


class ToneAnalysis(unittest.TestCase):
    def test_sine_level(self):
        s = th.sine(440, 0.25, amplitude=0.3)
        self.assertAlmostEqual(th.tone_dbfs(s, 440), 20 * th.math.log10(0.3 / 2 ** 0.5), delta=0.3)
        self.assertLess(th.tone_dbfs(s, 880), -80)
        self.assertLess(th.tone_dbfs(s, 660), -80)

    def test_fast_matches_goertzel(self):
        s = th.mix(th.sine(440, 0.25, 0.3), th.sine(990, 0.25, 0.03, phase=1.0))
        for f in (440, 660, 880, 990):
            self.assertAlmostEqual(th.tone_dbfs(s, f), th.goertzel_dbfs(s, f), delta=0.2)

    def test_level_difference(self):
        s = th.mix(th.sine(880, 0.5, 0.3), th.sine(440, 0.5, 0.03))
        self.assertAlmostEqual(th.tone_dbfs(s, 880) - th.tone_dbfs(s, 440), 20.0, delta=0.5)

    def test_check_levels(self):
        s = th.mix(th.sine(440, 0.25, 0.3), th.sine(880, 0.25, 0.3))
        lv = {f: th.tone_dbfs(s, f) for f in (440, 660, 880)}
        self.assertTrue(th.check_levels(lv, [440, 880], [660]))
        self.assertFalse(th.check_levels(lv, [440], [880]))
        self.assertFalse(th.check_levels(lv, [660], []))

    def test_rms_and_silence(self):
        self.assertAlmostEqual(th.rms_dbfs_of(th.sine(440, 0.1, 1.0)), -3.01, delta=0.1)
        self.assertEqual(th.rms_dbfs_of(th.array.array('f', [0.0] * 4800)), th.FLOOR_DB)

    def test_longest_quiet_run(self):
        s = th.sine(440, 0.5)
        s[4800:4800 + 9600] = th.array.array('f', [0.0] * 9600)
        self.assertAlmostEqual(th.longest_quiet_run(s), 0.2, delta=0.011)
        self.assertEqual(th.longest_quiet_run(th.sine(440, 0.5)), 0.0)

    def test_metric_sum(self):
        text = ('# TYPE tolk_input_packets_dropped_total counter\n'
                'tolk_input_packets_dropped_total{session="s",input="floor",reason="auth"} 3\n'
                'tolk_input_packets_dropped_total{session="s",input="floor",reason="not_rtp"} 4\n'
                'tolk_input_packets_dropped_total{session="s",input="en/1",reason="auth"} 100\n'
                'tolk_input_packets_dropped_total_x{session="s",input="floor"} 100\n')
        self.assertEqual(th.metric_sum(text, 'tolk_input_packets_dropped_total',
                                       session='s', input='floor'), 7)
        self.assertEqual(th.metric_sum(text, 'tolk_input_packets_dropped_total'), 107)

    def test_sdp_round_trip(self):
        key = th.random_key()
        self.assertEqual(th.parse_sdp(th.make_sdp(40000, key, 111)), (40000, 111, key))
        self.assertEqual(len(th.key_hex(key)), 60)


class Loopback(unittest.TestCase):
    """Sender -> UDP port <- Receiver opened from a hand-written SDP: the daemon-less loop."""

    def loop(self, sender_kind, receiver_kind, pt, freq=440, others=(880, 660)):
        port, key = th.free_udp_pair(), th.random_key()
        sdp = th.make_sdp(port, key, pt)
        sender = th.Sender(port, key, freq, kind=sender_kind, pt=pt)
        recv = th.Receiver(sdp, kind=receiver_kind)
        if receiver_kind == 'gst':       # the gst receiver learns the SSRC from the first packet
            sender.start()
            recv.start()
        else:
            recv.start()
            sender.start()
        self.addCleanup(recv.stop)
        self.addCleanup(sender.stop)
        return sender, recv, recv.wait_for([freq], list(others), timeout=6)

    def test_gst_sender_ffmpeg_receiver(self):
        _, _, lv = self.loop('gst', 'ffmpeg', 96)
        self.assertAlmostEqual(lv[440], -13.5, delta=3)

    def test_ffmpeg_sender_ffmpeg_receiver(self):
        _, _, lv = self.loop('ffmpeg', 'ffmpeg', 97, freq=880, others=(440, 660))
        self.assertAlmostEqual(lv[880], -13.5, delta=3)

    def test_gst_sender_gst_receiver(self):
        self.loop('gst', 'gst', 96, freq=660, others=(440, 880))

    def test_wrong_key_yields_nothing(self):
        port = th.free_udp_pair()
        recv = th.Receiver(th.make_sdp(port, th.random_key(), 96)).start()
        self.addCleanup(recv.stop)
        sender = th.Sender(port, th.random_key(), 440).start()
        self.addCleanup(sender.stop)
        with self.assertRaises(AssertionError):
            recv.wait_for([440], [], timeout=1.5)

    def test_stop_and_restart(self):
        sender, recv, _ = self.loop('gst', 'ffmpeg', 96)
        sender.stop()
        time.sleep(0.5)
        t = time.monotonic()
        time.sleep(0.5)
        self.assertEqual(recv.received_since(t), 0, 'samples keep coming after the sender stopped')
        sender.start()
        recv.wait_for([440], [880], timeout=6)
        recv.hold([440], [880], duration=0.5)


if __name__ == '__main__':
    unittest.main(verbosity=2)
