# SPDX-License-Identifier: EUPL-1.2
"""Attacks on the media inputs (issue 6, items 1-4), performed against the real daemon:
replayed SRTP, floods of random SSRCs with and without the key, SRTCP multiplexed on the RTP
port, a non-Opus payload under a valid key, and re-keying an input.

One daemon, one sitting 'atk': channel en, booth en with 2 consoles; the floor sends 440 Hz
(ffmpeg) and every check listens on the floor and en outputs (ffmpeg receivers)."""
import base64
import hashlib
import hmac
import os
import random
import socket
import subprocess
import sys
import threading
import time
import unittest

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tolkharness as th  # noqa: E402
from test_events import SseClient  # noqa: E402

SID = 'atk'
SITTING = {'id': SID, 'channels': ['en'], 'booths': [{'language': 'en', 'consoles': 2}]}
FLOOR, TONE = 440, 880
OPUS_SILENCE = b'\xf8\xff\xfe'


# ---------------------------------------------------------------------------------------------
# SRTP (RFC 3711, AES_CM_128_HMAC_SHA1_80) for packets no real client would send

def _aes_cm(key, iv_int, data):
    enc = Cipher(algorithms.AES(key), modes.CTR(iv_int.to_bytes(16, 'big'))).encryptor()
    return enc.update(data) + enc.finalize()


class Srtp:
    def __init__(self, key_b64):
        raw = base64.b64decode(key_b64)
        self.master, salt = raw[:16], int.from_bytes(raw[16:30], 'big')

        def derive(label, n):
            return _aes_cm(self.master, ((label << 48) ^ salt) << 16, bytes(n))
        self.rtp_key, self.rtp_auth, self.rtp_salt = derive(0, 16), derive(1, 20), derive(2, 14)
        self.rtcp_key, self.rtcp_auth, self.rtcp_salt = derive(3, 16), derive(4, 20), derive(5, 14)
        self.rtcp_index = 0

    @staticmethod
    def _iv(salt, ssrc, index):
        return (int.from_bytes(salt, 'big') << 16) ^ (ssrc << 64) ^ (index << 16)

    def protect(self, ssrc, seq, ts, payload, pt=96, first=0x80):
        header = bytes([first, pt]) + seq.to_bytes(2, 'big') + ts.to_bytes(4, 'big') + ssrc.to_bytes(4, 'big')
        body = header + _aes_cm(self.rtp_key, self._iv(self.rtp_salt, ssrc, seq), payload)
        return body + hmac.new(self.rtp_auth, body + bytes(4), hashlib.sha1).digest()[:10]

    def protect_sender_report(self, ssrc, ntp, rtp_ts):
        self.rtcp_index += 1
        header = bytes([0x80, 200, 0, 6]) + ssrc.to_bytes(4, 'big')
        rest = ntp.to_bytes(8, 'big') + rtp_ts.to_bytes(4, 'big') + bytes(8)
        body = header + _aes_cm(self.rtcp_key, self._iv(self.rtcp_salt, ssrc, self.rtcp_index), rest)
        body += (0x80000000 | self.rtcp_index).to_bytes(4, 'big')
        return body + hmac.new(self.rtcp_auth, body, hashlib.sha1).digest()[:10]


def forged(ssrc, seq):
    """An SRTP-shaped packet under no key: header, 'encrypted' payload, 10-byte tag."""
    return bytes([0x80, 96]) + seq.to_bytes(2, 'big') + os.urandom(4) + ssrc.to_bytes(4, 'big') + os.urandom(60)


def send_paced(port, packets, pps, host='127.0.0.1'):
    """Sends the packets at pps, on the clock (not drifting behind it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        t0 = time.monotonic()
        for i, p in enumerate(packets):
            delay = t0 + i / pps - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            s.sendto(p, (host, port))


class Relay:
    """Forwards datagrams from a local port to an input and keeps a copy of each: a passive
    attacker's capture of a real sender's SRTP."""

    def __init__(self, to_port):
        self.to_port, self.captured = to_port, []
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(('127.0.0.1', 0))
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.running = True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while self.running:
            try:
                data = self.sock.recv(2048)
            except socket.timeout:
                continue
            self.captured.append(data)
            self.sock.sendto(data, ('127.0.0.1', self.to_port))

    def close(self):
        self.running = False
        self.thread.join()
        self.sock.close()


# AddressSanitizer keeps freed memory in quarantine: RSS says nothing under it.
MEASURE_RSS = 'ASAN_OPTIONS' not in os.environ


def rss_kb(pid):
    with open('/proc/%d/status' % pid) as f:
        return next(int(line.split()[1]) for line in f if line.startswith('VmRSS:'))


class InputAttacks(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = th.Daemon().start()
        cls.api = cls.daemon.api()
        cls.rx, cls.senders = {}, []
        try:
            cls.session = cls.api.expect(201, 'POST', 'sessions', SITTING)
            cls.senders.append(th.Sender.for_input(cls.session, 'floor', FLOOR, kind='ffmpeg').start())
            for ch in ('floor', 'en'):
                cls.rx[ch] = cls.api.listen('sessions/%s/channels/%s/outputs' % (SID, ch), ch)[0]
            cls.rx['floor'].wait_for([FLOOR], timeout=5)
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        th.stop_all(cls.rx.values(), cls.senders, cls.daemon)

    def setUp(self):
        self.assertTrue(self.daemon.alive(), 'daemon died:\n' + self.daemon.stderr())

    def tearDown(self):
        for cid in ('en/1', 'en/2'):
            self.api.patch('sessions/%s/booths/en/consoles/%s' % (SID, cid[-1]), {'mic': 'off'})

    # helpers

    def input(self, cid):
        return th.find_input(self.api.expect(200, 'GET', 'sessions/' + SID), cid)

    def health(self, cid):
        return self.input(cid)['health']

    def metric(self, name, **labels):
        return th.metric_sum(self.api.metrics(), name, session=SID, **labels)

    def mic(self, cid, mic):
        self.api.expect(200, 'PATCH', 'sessions/%s/booths/en/consoles/%s' % (SID, cid[-1]), {'mic': mic})

    def assert_tone_held(self, rx, freq, since):
        """rx carried freq from since until now (or as far back as it keeps): >= 99 % of the
        audio, no gap over 100 ms."""
        since = max(since, time.monotonic() - rx.keep / th.RATE + 0.5)
        elapsed = time.monotonic() - since
        s = rx.samples(since=since)
        self.assertGreaterEqual(len(s), 0.99 * (elapsed - 0.2) * th.RATE,
                                '%s: %d samples in %.2f s' % (rx.name, len(s), elapsed))
        gap = th.longest_quiet_run(s)
        self.assertLessEqual(gap, 0.1, '%s: a %.2f s gap' % (rx.name, gap))
        n = th.RATE // 4
        for i in range(0, len(s) - n + 1, n):
            lv = {freq: th.tone_dbfs(s[i:i + n], freq)}
            self.assertTrue(th.check_levels(lv, [freq], []),
                            '%s at %.2f s: %s' % (rx.name, i / th.RATE, th.format_levels(lv)))

    def floor_packets(self):
        return self.metric('tolk_output_packets_sent_total', channel='floor')

    # the attacks

    def test_replay_after_quiet_is_not_played(self):
        """Packets captured from a real sender and replayed once the input has gone quiet are
        refused (the replay window is never reset) and counted."""
        inp = self.input('en/1')
        relay = Relay(inp['port'])
        try:
            with th.Sender(relay.port, inp['srtp']['key'], TONE, kind='gst'):
                time.sleep(0.5)
                self.mic('en/1', 'on')
                self.rx['en'].wait_for([TONE], timeout=5)
                time.sleep(2.0)
        finally:
            relay.close()
        captured = list(relay.captured)
        self.assertGreater(len(captured), 80, 'the capture is too short')
        time.sleep(1.5)  # quiet: the old receiver forgot the sender after 0.5 s
        replay0 = self.health('en/1')['dropped']['replay']
        with SseClient(self.daemon.host, self.daemon.port, th.session_path(SID, 'events'),
                       token=self.daemon.token, name='levels') as events:
            replay = threading.Thread(target=send_paced, args=(inp['port'], captured, 50))
            replay.start()
            levels = events.collect('levels', len(captured) / 50)
            replay.join()
        # The input's own level, whatever rule 8 does to the console meanwhile.
        loudest = max(m['data']['inputs']['en/1'] for m in levels)
        self.assertLess(loudest, -60, 'the replay was played: en/1 input at %.1f dBFS' % loudest)
        replayed = self.health('en/1')['dropped']['replay'] - replay0
        self.assertGreaterEqual(replayed, len(captured) - 5, 'replays not counted')

    def test_random_ssrc_flood_without_key(self):
        """500 pps of random-SSRC packets at a console for 10 s: RSS flat, the floor output keeps
        >= 99 % of its packets and its tone."""
        port = self.input('en/2')['port']
        pid = self.daemon.proc.pid
        send_paced(port, [forged(random.randrange(2**32), i) for i in range(500)], 500)  # warm-up
        rss0, packets0, auth0 = rss_kb(pid), self.floor_packets(), self.health('en/2')['dropped']['auth']
        t0 = time.monotonic()
        send_paced(port, [forged(random.randrange(2**32), i % 65536) for i in range(5000)], 500)
        elapsed = time.monotonic() - t0
        time.sleep(0.2)
        self.assertTrue(self.daemon.alive(), 'daemon died:\n' + self.daemon.stderr())
        rss, packets = rss_kb(pid), self.floor_packets()
        if MEASURE_RSS:
            self.assertLess(rss - rss0, 4 * 1024, 'RSS grew by %d KiB under the flood' % (rss - rss0))
        self.assertGreaterEqual(packets - packets0, 0.99 * 50 * elapsed,
                                'floor output: %d packets in %.1f s' % (packets - packets0, elapsed))
        self.assert_tone_held(self.rx['floor'], FLOOR, t0)
        self.assertGreaterEqual(self.health('en/2')['dropped']['auth'] - auth0, 5000)
        self.assertEqual(self.health('en/2')['state'], 'failing')

    def test_random_ssrc_flood_with_key_stays_bounded(self):
        """A holder of a console key sending from 20,000 SSRCs: memory stays bounded, the extra
        senders are refused and counted."""
        inp = self.input('en/2')
        srtp = Srtp(inp['srtp']['key'])
        pid = self.daemon.proc.pid
        refused0 = self.health('en/2')['dropped']['sender']
        packets = [srtp.protect(random.randrange(2**32), 1, 0, OPUS_SILENCE) for _ in range(2000)]
        send_paced(inp['port'], packets, 2000)  # warm-up
        rss0 = rss_kb(pid)
        packets = [srtp.protect(random.randrange(2**32), 1, 0, OPUS_SILENCE) for _ in range(20000)]
        send_paced(inp['port'], packets, 2000)
        time.sleep(0.3)
        rss = rss_kb(pid)
        if MEASURE_RSS:
            self.assertLess(rss - rss0, 4 * 1024, 'RSS grew by %d KiB for 20,000 keyed SSRCs' % (rss - rss0))
        self.assertGreaterEqual(self.health('en/2')['dropped']['sender'] - refused0, 19000)

    def test_muxed_srtcp_does_not_stop_the_input(self):
        """One valid SRTCP sender report on the RTP port: counted, and the input still plays."""
        inp = self.input('en/1')
        sender = th.Sender(inp['port'], inp['srtp']['key'], TONE, kind='gst')
        with sender:
            time.sleep(0.5)
            self.mic('en/1', 'on')
            self.rx['en'].wait_for([TONE], timeout=5)
            rtcp0 = self.health('en/1')['rtcp']['ok']
            report = Srtp(inp['srtp']['key']).protect_sender_report(sender.ssrc, 0x1234 << 32, 4242)
            send_paced(inp['port'], [report], 10)
            th.wait_until(lambda: self.health('en/1')['rtcp']['ok'] == rtcp0 + 1, timeout=2,
                          message='SRTCP counted')
            t0 = time.monotonic()
            time.sleep(2.0)
            self.assert_tone_held(self.rx['en'], TONE, t0)
            self.assertEqual(self.health('en/1')['state'], 'receiving')

    def test_l24_under_valid_key_is_undecodable(self):
        """An AES67-style L24 stream (1 ms packets) under the console's key is counted as
        undecodable, logged once, and never played."""
        inp = self.input('en/1')
        und0 = self.health('en/1')['dropped']['undecodable']
        argv = ['gst-launch-1.0', '-q'] + (
            'audiotestsrc is-live=true wave=sine freq=%d volume=0.3 ! audioconvert ! '
            'audio/x-raw,rate=48000,channels=1 ! rtpL24pay pt=96 min-ptime=1000000 max-ptime=1000000 ! '
            'srtpenc key=%s rtp-cipher=aes-128-icm rtp-auth=hmac-sha1-80 rtcp-cipher=aes-128-icm '
            'rtcp-auth=hmac-sha1-80 ! udpsink host=127.0.0.1 port=%d sync=false async=false'
            % (TONE, th.key_hex(inp['srtp']['key']), inp['port'])).split()
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        try:
            time.sleep(0.5)
            self.mic('en/1', 'on')
            t0 = time.monotonic()
            time.sleep(2.0)
            health = self.health('en/1')
        finally:
            th.terminate(proc)
        self.assertGreater(health['dropped']['undecodable'] - und0, 1000, health)
        lv = self.rx['en'].levels([TONE], window_s=1.2, since=t0 + 0.3)
        self.assertTrue(th.check_levels(lv, [], [TONE]), 'L24 played: ' + th.format_levels(lv))
        self.assertIn(health['state'], ('failing', 'silent'))
        metric = self.metric('tolk_input_packets_dropped_total', input='en/1', reason='undecodable')
        self.assertGreaterEqual(metric, health['dropped']['undecodable'])
        logged = [line for line in self.daemon.stderr().splitlines() if 'undecodable' in line and 'en/1' in line]
        self.assertLessEqual(len(logged), 4, 'logged per packet:\n' + '\n'.join(logged[:10]))
        self.assertGreaterEqual(len(logged), 1, 'not logged')

    def test_bogus_padding_is_counted_and_logged_once(self):
        """RTP under a valid key whose padding count is longer than the packet: each packet
        dropped and counted as undecodable, one log line for all (GStreamer's jitter buffer
        used to warn once per packet)."""
        inp = self.input('en/2')
        srtp = Srtp(inp['srtp']['key'])
        und0 = self.health('en/2')['dropped']['undecodable']
        ssrc = random.randrange(2**32)
        packets = [srtp.protect(ssrc, 100 + i, 960 * i, OPUS_SILENCE + b'\xff', first=0xa0) for i in range(60)]
        send_paced(inp['port'], packets, 100)
        th.wait_until(lambda: self.health('en/2')['dropped']['undecodable'] >= und0 + 60, timeout=2,
                      message='bad padding counted')
        logged = [line for line in self.daemon.stderr().splitlines()
                  if 'en/2' in line and ('padding' in line or 'invalid RTP' in line)]
        self.assertEqual(len(logged), 1, 'logged:\n' + '\n'.join(logged[:10]))

    def test_rekey(self):
        """POST .../inputs/en/1/rekey: a new key, the same port, an event; the old key refused,
        the new one heard, and a sender restarting with its SSRC refused until then."""
        old = self.input('en/1')
        with SseClient(self.daemon.host, self.daemon.port, th.session_path(SID, 'events'),
                       token=self.daemon.token, name='op') as events:
            sender = th.Sender(old['port'], old['srtp']['key'], TONE, kind='gst', ssrc=0x5eed, seq=30000)
            with sender:
                time.sleep(0.5)
                self.mic('en/1', 'on')
                self.rx['en'].wait_for([TONE], timeout=5)
            # The encoder reboots: same key and SSRC, a sequence behind the old one.
            replay0 = self.health('en/1')['dropped']['replay']
            with th.Sender(old['port'], old['srtp']['key'], TONE, kind='gst', ssrc=0x5eed, seq=1000):
                self.mic('en/1', 'on')
                t0 = time.monotonic()
                time.sleep(1.5)
                lv = self.rx['en'].levels([TONE], window_s=0.75, since=t0 + 0.5)
                self.assertTrue(th.check_levels(lv, [], [TONE]), 'restart heard: ' + th.format_levels(lv))
                self.assertGreater(self.health('en/1')['dropped']['replay'] - replay0, 40)
                status, new = self.api.post('sessions/%s/inputs/en/1/rekey' % SID)
                self.assertEqual(status, 200, new)
                self.assertEqual(new['id'], 'en/1')
                self.assertEqual(new['port'], old['port'])
                self.assertNotEqual(new['srtp']['key'], old['srtp']['key'])
                self.assertIn(new['srtp']['key'], new['sdp'])
                self.assertEqual(self.input('en/1')['srtp']['key'], new['srtp']['key'])
                msg = events.wait_for('input_rekeyed', lambda d: d == {'input': 'en/1'}, timeout=3)
                self.assertIsNotNone(msg)
                auth0 = self.health('en/1')['dropped']['auth']
                th.wait_until(lambda: self.health('en/1')['dropped']['auth'] > auth0 + 20, timeout=3,
                              message='the old key refused')
            with th.Sender(new['port'], new['srtp']['key'], TONE, kind='gst', ssrc=0x5eed, seq=1000):
                time.sleep(0.5)
                self.mic('en/1', 'on')
                self.rx['en'].wait_for([TONE], timeout=5)
        status, floor = self.api.post('sessions/%s/inputs/floor/rekey' % SID)
        self.assertEqual(status, 200, floor)
        self.assertEqual(floor['id'], 'floor')
        self.senders[0].stop()  # the floor sender has the old key now
        self.senders[0] = th.Sender(floor['port'], floor['srtp']['key'], FLOOR, kind='ffmpeg').start()
        self.rx['floor'].wait_for([FLOOR], timeout=5)

    def test_rekey_errors_and_roles(self):
        self.assertEqual(self.api.post('sessions/%s/inputs/de/1/rekey' % SID)[0], 404)
        self.assertEqual(self.api.post('sessions/%s/inputs/en/3/rekey' % SID)[0], 404)
        self.assertEqual(self.api.post('sessions/nope/inputs/floor/rekey')[0], 404)
        status, tok = self.api.post('sessions/%s/tokens' % SID, {'role': 'console', 'console': 'en/1'})
        self.assertEqual(status, 201, tok)
        self.assertEqual(self.api.post('sessions/%s/inputs/en/1/rekey' % SID, token=tok['token'])[0], 403)
        self.assertEqual(self.api.post('sessions/%s/inputs/en/1/rekey' % SID, token='')[0], 401)


if __name__ == '__main__':
    unittest.main(verbosity=2)
