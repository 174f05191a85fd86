# SPDX-License-Identifier: EUPL-1.2
"""docs/clients.md, as tested: each player the page lists opens a channel's SRTP/Opus output
from its SDP and decodes the channel's tone (the floor, 440 Hz, with nothing live), or is known
to refuse it (VLC 3.0 from Debian has no SRTP in its SDP reader: if a later one plays it, the
page must say so). The Icecast and HLS rows are run by test_icecast.py and test_hls.py with the
same players (players.py)."""
import os
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import players  # noqa: E402
import tolkharness as th  # noqa: E402

SID = 'clients'
FLOOR_HZ = 440
PRESENT_DB = -30.0


class SrtpOutputClients(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = th.Daemon().start()
        cls.api = cls.daemon.api()
        session = cls.api.expect(201, 'POST', '/api/v1/sessions', {'id': SID, 'channels': ['en']})
        cls.sender = th.Sender.for_input(session, 'floor', FLOOR_HZ, kind='ffmpeg').start()
        out = cls.api.expect(201, 'POST', th.session_path(SID, 'channels', 'en', 'outputs'),
                             {'host': '127.0.0.1', 'port': th.free_udp_pair()})
        cls.sdp = os.path.join(tempfile.mkdtemp(prefix='tolk-clients-'), 'en.sdp')
        cls.sdp_text = out['sdp']
        with open(cls.sdp, 'w') as f:
            f.write(cls.sdp_text)
        os.chmod(os.path.dirname(cls.sdp), 0o755)
        os.chmod(cls.sdp, 0o644)

    @classmethod
    def tearDownClass(cls):
        cls.sender.stop()
        cls.daemon.stop()

    def assert_plays(self, kind):
        started = time.monotonic()
        wav, log = players.play(kind, self.sdp, seconds=4)
        level = players.tone_dbfs(wav, FLOOR_HZ)
        print('%s: %.1f s decoded, 440 Hz at %.1f dBFS (%.1f s)' %
              (kind, players.seconds_of(wav), level, time.monotonic() - started))
        self.assertGreater(level, PRESENT_DB, '%s did not decode the floor tone:\n%s' % (kind, log[-2000:]))

    def test_ffmpeg(self):
        self.assert_plays('ffmpeg')

    def test_mpv(self):
        self.assert_plays('mpv')

    def test_gstreamer(self):
        with th.Receiver(self.sdp_text, kind='gst', name='gst') as receiver:
            receiver.wait_for(present=[FLOOR_HZ], timeout=8.0)

    def test_vlc_refuses_srtp(self):
        # Its reason is a debug line.
        wav, log = players.play('vlc', self.sdp, seconds=3, extra=['--verbose=2'])
        self.assertLess(players.seconds_of(wav), 0.5, 'VLC now plays SRTP: update docs/clients.md')
        self.assertIn('unknown SDP media protocol: RTP/SAVP', log)


if __name__ == '__main__':
    unittest.main(verbosity=2)
