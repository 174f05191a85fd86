# SPDX-License-Identifier: EUPL-1.2
"""AES67 outputs (issue 10): a channel and a console's return feed sent as plain L24 RTP, found by
their SAP announcement, played by GStreamer from the SDP this test reads itself.

Inside hallnet (a private network namespace whose loopback carries multicast): the floor sends
440 Hz (ffmpeg, SRTP), en/1 is live on en at 880 Hz (gst-launch, SRTP). The daemon runs with
--allow-plain-rtp and --hall-address 127.0.0.1. Checked: the SAP announcement on
239.255.255.255:9875 and its SDP (parsed here, not by Tolk's reader); 880 Hz from the multicast
channel output through udpsrc ! rtpjitterbuffer ! rtpL24depay; 440 Hz from a unicast L16 output
of en/1's return feed; packets 1 ms apart (kernel receive timestamps), not a 20 ms burst; RTP
timestamps on the media clock (CLOCK_TAI at 48 kHz); the SAP deletion when the output goes; the
refusals (no --allow-plain-rtp: 403; "encrypted" wrong: 400); --ptp-grandmaster in a=ts-refclk;
ffmpeg's sap:// finding the stream; a restart keeps the output, its
SSRC and its announcement. Prints the buffering the AES67 path adds (mix to wire)."""

import os
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import unittest
import wave

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import hallnet  # noqa: E402
import tolkharness as th  # noqa: E402

SID = 'hall'
FLOOR_HZ, EN_HZ = 440, 880
SITTING = {'id': SID, 'name': 'Plenary', 'floor_language': 'de', 'channels': ['en'],
           'booths': [{'language': 'en', 'consoles': 1}]}
SAP_GROUP, SAP_PORT = '239.255.255.255', 9875
GROUP = '239.69.10.1'
HALL = '127.0.0.1'
SO_TIMESTAMPNS = 35


# ---- SAP and SDP, read here without Tolk's code

def sap_socket():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((SAP_GROUP, SAP_PORT))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                 socket.inet_aton(SAP_GROUP) + socket.inet_aton(HALL))
    return s


def parse_sap(data):
    """(deletion, hash, origin, sdp text) of a SAP v1 packet (RFC 2974)."""
    if len(data) < 8 or data[0] >> 5 != 1 or data[0] & 0x10:
        raise AssertionError('not a SAP v1 IPv4 packet: %r' % data[:16])
    deletion = bool(data[0] & 0x04)
    msg_hash = struct.unpack('!H', data[2:4])[0]
    origin = socket.inet_ntoa(data[4:8])
    rest = data[8 + 4 * data[1]:]
    if not rest.startswith(b'v=0'):
        mime, _, rest = rest.partition(b'\0')
        if mime != b'application/sdp':
            raise AssertionError('SAP payload type %r' % mime)
    return deletion, msg_hash, origin, rest.decode('utf-8')


def next_sap(sock, timeout, want=lambda m: True):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sock.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            msg = parse_sap(sock.recv(4096))
        except socket.timeout:
            break
        if want(msg):
            return msg
    raise AssertionError('no SAP packet as wanted within %.0f s' % timeout)


def parse_sdp(text):
    """The parts of an SDP a receiver needs, as a hall device would read them."""
    sdp = {'attributes': {}}
    for line in text.replace('\r\n', '\n').strip().split('\n'):
        kind, _, value = line.partition('=')
        if kind == 'c':
            address = value.split()[2]
            sdp['address'], _, ttl = address.partition('/')
            sdp['ttl'] = int(ttl) if ttl else None
        elif kind == 'm':
            media, port, proto, pt = value.split()[:4]
            sdp.update(media=media, port=int(port), proto=proto, pt=int(pt))
        elif kind == 'o':
            sdp['origin'] = value.split()
        elif kind == 's':
            sdp['name'] = value
        elif kind == 'a':
            name, _, attr = value.partition(':')
            sdp['attributes'][name] = attr
    encoding, rate, channels = sdp['attributes']['rtpmap'].split()[1].split('/')
    sdp.update(encoding=encoding, rate=int(rate), channels=int(channels))
    return sdp


# ---- receivers

def gst_receive(sdp, seconds=1.5):
    """gst-launch-1.0 plays the stream the SDP describes into a WAV file; its samples."""
    out = tempfile.NamedTemporaryFile(suffix='.wav', delete=False).name
    packets = int(seconds * 1000 / float(sdp['attributes'].get('ptime', '1')))
    caps = ('application/x-rtp,media=audio,clock-rate=%d,encoding-name=%s,channels=%d,payload=%d'
            % (sdp['rate'], sdp['encoding'], sdp['channels'], sdp['pt']))
    depay = 'rtpL24depay' if sdp['encoding'] == 'L24' else 'rtpL16depay'
    argv = ['gst-launch-1.0', '-q', 'udpsrc', 'address=' + sdp['address'], 'port=%d' % sdp['port'],
            'num-buffers=%d' % packets, 'caps=' + caps, '!', 'rtpjitterbuffer', 'latency=10', '!',
            depay, '!', 'audioconvert', '!', 'audio/x-raw,format=S16LE', '!', 'wavenc', '!',
            'filesink', 'location=' + out]
    try:
        proc = subprocess.run(argv, capture_output=True, timeout=15)
        if proc.returncode != 0:
            raise AssertionError('gst-launch-1.0 failed: %s' % proc.stderr.decode(errors='replace'))
        with wave.open(out) as w:
            frames = w.readframes(w.getnframes())
            rate = w.getframerate()
        samples = [v / 32768.0 for v in struct.unpack('<%dh' % (len(frames) // 2), frames)]
        return rate, samples
    finally:
        os.unlink(out)


def capture(address, port, seconds):
    """Raw RTP packets with their kernel receive times: [(t_ns, seq, ts, ssrc, pt, payload len)]."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    s.bind((address, port))
    if int(address.split('.')[0]) >= 224:
        s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                     socket.inet_aton(address) + socket.inet_aton(HALL))
    packets = []
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            s.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                data, anc, _, _ = s.recvmsg(2048, socket.CMSG_SPACE(16))
            except socket.timeout:
                break
            t = None
            for level, kind, value in anc:
                if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
                    sec, nsec = struct.unpack('qq', value[:16])
                    t = sec * 10**9 + nsec
            seq, ts, ssrc = struct.unpack('!HII', data[2:12])
            packets.append((t, seq, ts, ssrc, data[1] & 0x7f, len(data) - 12))
    finally:
        s.close()
    return packets


def post_output(api, path, body, status=201):
    return api.expect(status, 'POST', path, body)


@unittest.skipUnless(hallnet.inside(), 'needs the hall namespace (multicast on a private loopback)')
class Aes67Output(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.state_dir = th.new_state_dir()
        cls.daemon = th.Daemon(state_dir=cls.state_dir,
                               extra_args=['--allow-plain-rtp', '--hall-address', HALL]).start()
        cls.api = cls.daemon.api()
        cls.senders = []
        cls.sap = sap_socket()
        try:
            session = cls.api.expect(201, 'POST', 'sessions', SITTING)
            cls.senders.append(th.Sender.for_input(session, 'floor', FLOOR_HZ, kind='ffmpeg').start())
            cls.senders.append(th.Sender.for_input(session, 'en/1', EN_HZ, kind='gst').start())
            cls.api.expect(200, 'PATCH', th.console_path('en/1', SID), {'mic': 'on'})
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.sap.close()
        th.stop_all([], cls.senders, cls.daemon)

    def channel_output(self, **extra):
        body = dict({'host': GROUP, 'port': th.free_udp_pair(), 'format': 'aes67', 'encrypted': False}, **extra)
        return post_output(self.api, th.session_path(SID, 'channels', 'en', 'outputs'), body)

    def announced(self, output, timeout=3.0):
        return next_sap(self.sap, timeout,
                        lambda m: not m[0] and parse_sdp(m[3])['port'] == output['port'])

    def test_01_channel_multicast_by_sap(self):
        out = self.channel_output()
        self.assertEqual((out['format'], out['encrypted'], out['encoding'], out['ttl']), ('aes67', False, 'L24', 16))
        self.assertNotIn('srtp', out)
        self.assertNotIn('a=crypto', out['sdp'])
        deletion, _, origin, text = self.announced(out)
        self.assertEqual(text, out['sdp'])
        self.assertEqual(origin, HALL)
        sdp = parse_sdp(text)
        self.assertEqual((sdp['address'], sdp['ttl'], sdp['proto'], sdp['encoding'], sdp['rate'], sdp['channels']),
                         (GROUP, 16, 'RTP/AVP', 'L24', 48000, 1))
        self.assertEqual(sdp['name'], 'Plenary en')
        self.assertEqual(sdp['attributes']['ptime'], '1')
        self.assertEqual(sdp['attributes']['mediaclk'], 'direct=0')
        self.assertTrue(sdp['attributes']['ts-refclk'].startswith('localmac='))
        rate, samples = gst_receive(sdp)
        self.assertEqual(rate, 48000)
        self.assertGreater(len(samples), 48000)
        levels = {f: th.tone_dbfs(samples[4800:], f) for f in (EN_HZ, FLOOR_HZ)}
        print('channel en as AES67 multicast: 880 Hz %.1f dBFS, 440 Hz %.1f dBFS' % (levels[EN_HZ], levels[FLOOR_HZ]))
        self.assertGreater(levels[EN_HZ], th.PRESENT_DB)
        self.assertLess(levels[FLOOR_HZ], th.ABSENT_DB)
        self.__class__.multicast = out

    def test_02_paced_on_the_media_clock(self):
        out = self.__class__.multicast
        packets = capture(GROUP, out['port'], 1.0)
        self.assertGreater(len(packets), 800, 'about 1000 packets a second')
        gaps = [(b[0] - a[0]) / 1e6 for a, b in zip(packets, packets[1:])]
        bursty = sum(1 for g in gaps if g < 0.25)
        print('AES67 pacing: %d packets in 1 s, gaps median %.3f ms, p1 %.3f ms, p99 %.3f ms, %d gaps < 0.25 ms'
              % (len(packets), statistics.median(gaps), sorted(gaps)[len(gaps) // 100],
                 sorted(gaps)[len(gaps) * 99 // 100], bursty))
        self.assertAlmostEqual(statistics.median(gaps), 1.0, delta=0.2)
        # A 20 ms frame sent at once would make 19 of every 20 gaps ~0.
        self.assertLess(bursty, len(gaps) // 10)
        for a, b in zip(packets, packets[1:]):
            self.assertEqual((b[1] - a[1]) & 0xffff, 1, 'sequence')
            self.assertEqual((b[2] - a[2]) & 0xffffffff, 48, 'timestamp: 48 samples a packet')
        self.assertEqual({p[3] for p in packets}, {out['ssrc']})
        self.assertEqual({(p[4], p[5]) for p in packets}, {(98, 144)})
        # The RTP timestamp is the media clock (TAI at 48 kHz) of the packet's first sample,
        # sent when its last sample is due.
        tai_offset = time.clock_gettime_ns(time.CLOCK_TAI) - time.time_ns()
        offsets = [(((p[0] + tai_offset) * 48 // 10**6) - p[2]) & 0xffffffff for p in packets]
        offsets = [o - 2**32 if o > 2**31 else o for o in offsets]
        print('AES67 media clock: receive time minus RTP timestamp median %.2f ms' % (statistics.median(offsets) / 48))
        self.assertTrue(0 <= statistics.median(offsets) < 48 * 5, offsets[:5])
        # Work follows use: a channel only AES67 takes is mixed and protected, never Opus-encoded.
        encoded = [th.metric_sum(self.api.metrics(), 'tolk_channel_frames_total', session=SID, channel='en')
                   for _ in range(2) if time.sleep(0.3) is None]
        self.assertEqual(encoded[0], encoded[1], 'Opus frames of a channel only AES67 takes')
        health = self.output(out['id'])['health']
        print('AES67 latency (a frame\'s first sample): tick pts to wire %.2f ms, of which mix to wire %.2f ms; '
              'underruns %d, late %d' % (health['latency_ms'], health['buffer_ms'], health['underruns'], health['late']))
        self.assertGreaterEqual(health['latency_ms'], health['buffer_ms'])
        self.assertGreater(health['packets_sent'], 800)

    def outputs(self):
        session = self.api.expect(200, 'GET', th.session_path(SID))
        return th.find(session['channels'], 'id', 'en')['outputs']

    def output(self, oid):
        return th.find(self.outputs(), 'id', oid)

    def test_03_return_feed_unicast_l16(self):
        port = th.free_udp_pair()
        out = post_output(self.api, th.console_path('en/1', SID) + '/outputs',
                          {'host': '127.0.0.1', 'port': port, 'format': 'aes67', 'encrypted': False,
                           'encoding': 'L16', 'packet_time_ms': 4, 'sap': False, 'name': 'en/1 return'})
        sdp = parse_sdp(out['sdp'])
        self.assertEqual((sdp['address'], sdp['ttl'], sdp['encoding'], sdp['attributes']['ptime'], sdp['name']),
                         ('127.0.0.1', None, 'L16', '4', 'en/1 return'))
        rate, samples = gst_receive(sdp)
        levels = {f: th.tone_dbfs(samples[4800:], f) for f in (EN_HZ, FLOOR_HZ)}
        print('return feed en/1 as AES67 unicast L16 4 ms: 440 Hz %.1f dBFS, 880 Hz %.1f dBFS'
              % (levels[FLOOR_HZ], levels[EN_HZ]))
        self.assertGreater(levels[FLOOR_HZ], th.PRESENT_DB)
        self.assertLess(levels[EN_HZ], th.ABSENT_DB)
        self.api.expect(204, 'DELETE', th.console_path('en/1', SID) + '/outputs/' + out['id'])

    def test_04_deletion_when_the_output_goes(self):
        out = self.channel_output(packet_time_ms=0.333, ttl=4)
        _, msg_hash, _, text = self.announced(out)
        self.assertEqual(parse_sdp(text)['attributes']['ptime'], '0.333')
        self.api.expect(204, 'DELETE', th.session_path(SID, 'channels', 'en', 'outputs', out['id']))
        deletion = next_sap(self.sap, 3.0, lambda m: m[0])
        self.assertEqual(deletion[1], msg_hash)
        self.assertEqual(parse_sdp(deletion[3])['port'], out['port'])

    def test_05_refusals(self):
        path = th.session_path(SID, 'channels', 'en', 'outputs')
        base = {'host': GROUP, 'port': th.free_udp_pair()}
        for body, field in ((dict(base, format='aes67'), 'encrypted'),
                            (dict(base, format='aes67', encrypted=True), 'encrypted'),
                            (dict(base, encrypted=False), 'encrypted'),
                            (dict(base, encoding='L24'), 'encoding'),
                            (dict(base, format='aes67', encrypted=False, packet_time_ms=2), 'packet_time_ms'),
                            (dict(base, format='aes67', encrypted=False, ttl=0), 'ttl'),
                            (dict(base, format='aes67', encrypted=False, key='own'), 'key'),
                            (dict(base, host='ff02::1', format='aes67', encrypted=False), 'host'),
                            (dict(base, format='opus'), 'format')):
            status, js = self.api.post(path, body)
            self.assertEqual(status, 400, (body, js))
            self.assertIn('"%s"' % field, js['error']['message'], (body, js))
        # Sloppy and hurried: outputs made and deleted as fast as the API answers, while the
        # multicast one plays on without a gap.
        before = self.output(self.__class__.multicast['id'])['health']['underruns']
        for i in range(20):
            made = post_output(self.api, path, {'host': '127.0.0.1', 'port': 40000 + i, 'format': 'aes67',
                                                'encrypted': False, 'sap': i % 2 == 0, 'packet_time_ms': 0.125})
            self.api.expect(204, 'DELETE', path + '/' + made['id'])
        self.assertEqual(self.output(self.__class__.multicast['id'])['health']['underruns'], before)
        status, js = self.api.post(path, dict(base, format='aes67', encrypted=False))
        self.assertEqual(status, 201, js)
        self.assertEqual(self.output(js['id'])['format'], 'aes67')
        self.api.expect(204, 'DELETE', path + '/' + js['id'])
        self.assertTrue(self.daemon.alive())

    def test_06_restart_keeps_it(self):
        out = self.__class__.multicast
        self.daemon.stop()
        deletion = next_sap(self.sap, 3.0, lambda m: m[0] and parse_sdp(m[3])['port'] == out['port'])
        self.assertTrue(deletion[0])
        th.start_again(self.daemon)
        again = self.output(out['id'])
        self.assertEqual((again['ssrc'], again['sdp']), (out['ssrc'], out['sdp']))
        _, _, _, text = self.announced(out, timeout=5.0)
        self.assertEqual(text, out['sdp'])
        rate, samples = gst_receive(parse_sdp(text), seconds=1.0)
        self.assertGreater(th.tone_dbfs(samples[4800:], EN_HZ), th.PRESENT_DB)

    def test_07_ffmpeg_finds_it_by_sap(self):
        out = tempfile.NamedTemporaryFile(suffix='.wav', delete=False).name
        ff = subprocess.Popen(['ffmpeg', '-hide_banner', '-loglevel', 'error', '-nostdin', '-y',
                               '-i', 'sap://%s:%d' % (SAP_GROUP, SAP_PORT), '-t', '1.5', '-ac', '1', '-ar', '48000', out],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            time.sleep(0.5)
            made = self.channel_output(name='ffmpeg by SAP')  # announced at once
            _, err = ff.communicate(timeout=15)
            self.assertEqual(ff.returncode, 0, err.decode(errors='replace'))
            with wave.open(out) as w:
                frames = w.readframes(w.getnframes())
            samples = [v / 32768.0 for v in struct.unpack('<%dh' % (len(frames) // 2), frames)]
            level = th.tone_dbfs(samples[4800:], EN_HZ)
            print('ffmpeg sap://: channel en at 880 Hz %.1f dBFS' % level)
            self.assertGreater(level, th.PRESENT_DB)
            self.api.expect(204, 'DELETE', th.session_path(SID, 'channels', 'en', 'outputs', made['id']))
        finally:
            if ff.poll() is None:
                ff.kill()
                ff.wait()
            os.unlink(out)


class PlainRefused(unittest.TestCase):
    def test_refused_without_the_option(self):
        with th.Daemon() as daemon:
            api = daemon.api()
            api.expect(201, 'POST', 'sessions', SITTING)
            for path in (th.session_path(SID, 'channels', 'en', 'outputs'), th.console_path('en/1', SID) + '/outputs'):
                status, js = api.post(path, {'host': '127.0.0.1', 'port': 5004, 'format': 'aes67',
                                             'encrypted': False})
                self.assertEqual(status, 403, js)
                self.assertEqual(js['error']['code'], 'plain_rtp_not_allowed')
                self.assertIn('--allow-plain-rtp', js['error']['message'])
            srtp = api.expect(201, 'POST', th.session_path(SID, 'channels', 'en', 'outputs'),
                              {'host': '127.0.0.1', 'port': 5004})
            self.assertEqual((srtp['format'], srtp['encrypted']), ('srtp', True))
            self.assertIn('srtp', srtp)

    def test_ptp_grandmaster_in_the_sdp(self):
        # Unicast on loopback, no SAP: safe on the host's network too.
        args = ['--allow-plain-rtp', '--ptp-grandmaster', '00-1d-c1-ff-fe-12-34-56', '--ptp-domain', '5']
        with th.Daemon(extra_args=args) as daemon:
            api = daemon.api()
            api.expect(201, 'POST', 'sessions', SITTING)
            out = api.expect(201, 'POST', th.session_path(SID, 'channels', 'en', 'outputs'),
                             {'host': '127.0.0.1', 'port': th.free_udp_pair(), 'format': 'aes67',
                              'encrypted': False, 'sap': False})
            sdp = parse_sdp(out['sdp'])
            self.assertEqual(sdp['attributes']['ts-refclk'], 'ptp=IEEE1588-2008:00-1D-C1-FF-FE-12-34-56:5')
            self.assertEqual(sdp['attributes']['mediaclk'], 'direct=0')


def main():
    hallnet.enter()
    # Not unittest.main(): inside the namespace this file runs by exec (hallnet), not as __main__'s module.
    loader = unittest.defaultTestLoader
    suite = unittest.TestSuite([loader.loadTestsFromTestCase(Aes67Output), loader.loadTestsFromTestCase(PlainRefused)])
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    sys.exit(0 if result.wasSuccessful() else 1)


if __name__ == '__main__':
    main()
