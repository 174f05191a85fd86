# SPDX-License-Identifier: EUPL-1.2
"""AES67 input (issue 10): the hall's floor mix as the floor, from real senders, in a hall network
of its own (hallnet.py: a network namespace whose loopback carries multicast).

- gst-launch-1.0 sends 2-channel L24 at 48 kHz, 1 ms packets (rtpL24pay min/max-ptime), 440 Hz in
  channel 1 and 660 Hz in channel 2, to a multicast group; this test announces it by SAP with an
  SDP text of its own (not Tolk's writer) every second. The floor takes it by its SAP name (set
  before the announcement appears: the input waits), and every channel hears 440 Hz; channel 2
  gives 660 Hz; a channel the stream lacks is refused naming the field.
- Unicast by SDP, L16 mono (rtpL16pay to 127.0.0.1).
- A hostile sender beside the real one (another address, random SSRCs, a wrong payload type, a
  wrong size, not RTP, as a flood): the floor keeps playing, the drops are counted by reason in
  the input's health and in /metrics.
- The AES67 source survives a restart (by SAP name: it is taken again from the announcement).
- Without --allow-plain-rtp every AES67 route is refused (403 plain_rtp_not_allowed).
- The latency the input adds: a Python sender switches from silence to a tone at a known time;
  the onset's arrival at an ffmpeg receiver of an SRTP output is printed, with the latency the
  input holds (its health).
"""
import os
import random
import socket
import struct
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import hallnet  # noqa: E402
import tolkharness as th  # noqa: E402

SID = 'hall'
SITTING = {'id': SID, 'name': 'e2e hall', 'channels': ['en', 'fr'],
           'booths': [{'language': 'en', 'consoles': 1}, {'language': 'fr', 'consoles': 1}]}
CH1, CH2, UNICAST, FFMPEG, ONSET = 440, 660, 330, 550, 1000
TONES = (CH1, CH2, UNICAST, FFMPEG)
GROUP, STREAM_PORT = '239.69.10.1', 5004
SAP_GROUP, SAP_PORT = '239.255.255.255', 9875
HALL_NAME = 'Hall floor mix'
HALL_SDP = ('v=0\r\n'
            'o=- 1731 1 IN IP4 127.0.0.1\r\n'
            's=%s\r\n'
            'c=IN IP4 %s/32\r\n'
            't=0 0\r\n'
            'm=audio %d RTP/AVP 97\r\n'
            'i=Channels 1-2\r\n'
            'a=rtpmap:97 L24/48000/2\r\n'
            'a=recvonly\r\n'
            'a=ptime:1\r\n'
            'a=ts-refclk:ptp=IEEE1588-2008:00-1D-C1-FF-FE-12-34-56:0\r\n'
            'a=mediaclk:direct=0\r\n'
            'a=source-filter: incl IN IP4 %s 127.0.0.1\r\n') % (HALL_NAME, GROUP, STREAM_PORT, GROUP)


def unicast_sdp(port, encoding='L16', pt=96):
    return ('v=0\r\no=- 42 1 IN IP4 127.0.0.1\r\ns=Unicast floor\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n'
            'm=audio %d RTP/AVP %d\r\na=rtpmap:%d %s/48000/1\r\na=ptime:1\r\n'
            'a=ts-refclk:localmac=02-00-00-00-00-01\r\na=mediaclk:direct=0\r\n') % (port, pt, pt, encoding)


def sap_packet(sdp, deletion=False):
    """RFC 2974 v1, IPv4 origin, no authentication: built here, not by Tolk's sap.c."""
    body = sdp.encode()
    msg_hash = (sum(body) % 65535) + 1
    header = struct.pack('!BBH4s', 0x20 | (0x04 if deletion else 0), 0, msg_hash, socket.inet_aton('127.0.0.1'))
    return header + b'application/sdp\0' + body


class Announcer(threading.Thread):
    """Announces one SDP by SAP every `interval` seconds until stopped."""

    def __init__(self, sdp, interval=1.0):
        super().__init__(daemon=True)
        self.packet, self.interval = sap_packet(sdp), interval
        self.stopping = threading.Event()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
        self.sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton('127.0.0.1'))

    def run(self):
        while not self.stopping.is_set():
            self.sock.sendto(self.packet, (SAP_GROUP, SAP_PORT))
            self.stopping.wait(self.interval)

    def stop(self):
        self.stopping.set()
        self.join(3)
        self.sock.close()


def gst_hall_sender():
    """2 channels, 440 Hz and 660 Hz, L24 1 ms packets to the multicast group."""
    tone = ('audiotestsrc is-live=true freq=%d volume=0.3 ! audio/x-raw,format=F32LE,rate=48000,channels=1 '
            '! i.sink_%d')
    pipeline = ('interleave name=i ! audioconvert ! audio/x-raw,format=S24BE,rate=48000,channels=2 ! '
                'rtpL24pay pt=97 min-ptime=1000000 max-ptime=1000000 ! '
                'udpsink host=%s port=%d multicast-iface=lo ttl-mc=1 auto-multicast=true sync=true '
                % (GROUP, STREAM_PORT)) + tone % (CH1, 0) + ' ' + tone % (CH2, 1)
    return subprocess.Popen(['gst-launch-1.0', '-q'] + pipeline.split(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def gst_unicast_sender(port):
    """Mono L16, 1 ms packets, to 127.0.0.1 (what the docs' sender line is)."""
    return subprocess.Popen(
        ['gst-launch-1.0', '-q', 'audiotestsrc', 'is-live=true', 'freq=%d' % UNICAST, 'volume=0.3', '!',
         'audioconvert', '!', 'audio/x-raw,format=S16BE,rate=48000,channels=1', '!',
         'rtpL16pay', 'pt=96', 'min-ptime=1000000', 'max-ptime=1000000', '!',
         'udpsink', 'host=127.0.0.1', 'port=%d' % port], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def ffmpeg_unicast_sender(port):
    """Mono L24, 1 ms packets: frames of 48 samples (else the source's 1024-sample frames end in a
    short packet, which the input drops as the wrong size), 12 bytes of header and 144 of audio."""
    return subprocess.Popen(
        ['ffmpeg', '-hide_banner', '-loglevel', 'error', '-nostdin', '-re', '-f', 'lavfi',
         '-i', 'sine=frequency=%d:sample_rate=48000:samples_per_frame=48' % FFMPEG, '-ac', '1', '-c:a', 'pcm_s24be',
         '-f', 'rtp', '-payload_type', '97', 'rtp://127.0.0.1:%d?pkt_size=156' % port],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


class PySender(threading.Thread):
    """Mono L16 1 ms packets from Python: silence, then a tone from `onset()` on (its time kept)."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.port, self.stopping, self.tone_from = port, threading.Event(), None
        self.onset_at = None
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)

    def onset(self):
        self.tone_from = True

    def run(self):
        import math
        seq, ts, ssrc, n = 0, random.getrandbits(32), 0x5EED0001, 0
        start = time.monotonic()
        k = 0
        while not self.stopping.is_set():
            if self.tone_from and self.onset_at is None:
                self.onset_at, n = time.monotonic(), 0
            loud = self.onset_at is not None
            payload = b''.join(struct.pack('!h', int(9830 * math.sin(2 * math.pi * ONSET * (n + i) / 48000))
                                           if loud else 0) for i in range(48))
            n += 48
            self.sock.sendto(struct.pack('!BBHII', 0x80, 96, seq & 0xFFFF, ts & 0xFFFFFFFF, ssrc) + payload,
                             ('127.0.0.1', self.port))
            seq, ts, k = seq + 1, ts + 48, k + 1
            delay = start + k * 0.001 - time.monotonic()
            if delay > 0:
                time.sleep(delay)

    def stop(self):
        self.stopping.set()
        self.join(3)
        self.sock.close()


def hostile_flood(port, seconds, real_ssrc=None, rate=20000):
    """Datagrams of every kind the input must drop, about `rate` a second (20 times the real
    sender's: a flood at the port's line rate fills its socket buffer, and then costs the real
    sender's packets too, which no receiver can avoid); how many were sent."""
    other = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    other.bind(('127.0.0.2', 0))
    same = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    good = bytes(96)
    start = time.monotonic()
    end, sent = start + seconds, 0
    while time.monotonic() < end:
        ts = random.getrandbits(32)
        rtp = struct.pack('!BBHII', 0x80, 96, random.getrandbits(16), ts, real_ssrc or 1)
        other.sendto(rtp + good, ('127.0.0.1', port))                                    # source
        same.sendto(struct.pack('!BBHII', 0x80, 96, 1, ts, random.getrandbits(32)) + good,
                    ('127.0.0.1', port))                                                  # ssrc
        same.sendto(struct.pack('!BBHII', 0x80, 97, 1, ts, real_ssrc or 1) + good, ('127.0.0.1', port))
        same.sendto(rtp + good[:90], ('127.0.0.1', port))                                 # size
        same.sendto(b'\x00' * 40, ('127.0.0.1', port))                                    # not RTP
        sent += 5
        ahead = start + sent / rate - time.monotonic()
        if ahead > 0:
            time.sleep(ahead)
    other.close()
    same.close()
    return sent


def floor_input(api):
    return th.find_input(api.expect(200, 'GET', 'sessions/' + SID), 'floor')


class Aes67Input(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = th.Daemon(extra_args=['--allow-plain-rtp', '--hall-address', '127.0.0.1']).start()
        cls.api = cls.daemon.api()
        cls.rx, cls.procs, cls.announcer = {}, [], None
        try:
            cls.api.expect(201, 'POST', 'sessions', SITTING)
            cls.open_receivers()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def open_receivers(cls):
        for r in cls.rx.values():
            r.stop()
        cls.rx = {}
        for ch in ('floor', 'en', 'fr'):
            cls.rx[ch], _ = cls.api.listen('sessions/%s/channels/%s/outputs' % (SID, ch), ch)

    @classmethod
    def tearDownClass(cls):
        if cls.announcer:
            cls.announcer.stop()
        for p in cls.procs:
            th.terminate(p)
        th.stop_all(list(cls.rx.values()), [], cls.daemon)

    def setUp(self):
        self.assertTrue(self.daemon.alive(), 'daemon died:\n' + self.daemon.stderr())

    def put_floor(self, body, status=200):
        got, js = self.api.request('PUT', 'sessions/%s/inputs/floor/aes67' % SID, body)
        self.assertEqual(got, status, 'PUT floor/aes67 %s -> %s' % (body, js))
        return js

    def hear_everywhere(self, present, timeout=6.0):
        absent = [f for f in TONES if f != present]
        for ch, rx in self.rx.items():
            rx.wait_for([present], absent, timeout=timeout)

    def wait_state(self, state, timeout=5.0):
        return th.wait_until(lambda: (floor_input(self.api)['aes67'] or {}).get('state') == state and
                             floor_input(self.api), timeout=timeout, message='floor aes67 state ' + state)

    def test_1_sap_multicast_floor(self):
        """By SAP name, set before the announcement: waiting, then the floor on every channel."""
        inp = self.put_floor({'sap': HALL_NAME, 'channel': 1})
        self.assertEqual(inp['aes67']['state'], 'waiting', inp)
        self.assertIsNone(inp['aes67']['sdp'])
        self.procs.append(gst_hall_sender())
        type(self).announcer = Announcer(HALL_SDP)
        self.announcer.start()
        streams = th.wait_until(lambda: self.api.expect(200, 'GET', '/api/v1/aes67/streams')['streams'],
                                timeout=5, message='the SAP directory lists the stream')
        s = th.find(streams, 'name', HALL_NAME)
        self.assertEqual((s['address'], s['port'], s['encoding'], s['channels'], s['packet_time_ms'], s['origin']),
                         (GROUP, STREAM_PORT, 'L24', 2, 1.0, '127.0.0.1'), s)
        self.hear_everywhere(CH1)
        a = self.wait_state('receiving')['aes67']
        self.assertEqual((a['sap'], a['address'], a['port'], a['encoding'], a['channels'], a['channel'],
                          a['source'], a['packet_time_ms']),
                         (HALL_NAME, GROUP, STREAM_PORT, 'L24', 2, 1, '127.0.0.1', 1.0), a)
        self.assertIn('a=rtpmap:97 L24/48000/2', a['sdp'])
        print('multicast by SAP: the AES67 input holds %.2f ms beyond the 20 ms frame (buffer now %.2f ms)'
              % (a['receive']['latency_ms'], a['receive']['fill_ms']), file=sys.stderr)

    def test_2_chosen_channel(self):
        self.put_floor({'sap': HALL_NAME, 'channel': 2})
        self.hear_everywhere(CH2)
        got, js = self.api.request('PUT', 'sessions/%s/inputs/floor/aes67' % SID, {'sap': HALL_NAME, 'channel': 3})
        self.assertEqual(got, 400, js)
        self.assertIn('Field "channel" must be 1..2', js['error']['message'])
        for body, field in (({}, 'sdp'), ({'sdp': 'v=0\r\nnonsense', 'channel': 1}, 'sdp'),
                            ({'sap': HALL_NAME, 'sdp': HALL_SDP}, 'sap'), ({'sap': HALL_NAME, 'channel': 0}, 'channel'),
                            ({'sap': HALL_NAME, 'chanel': 1}, 'chanel')):
            got, js = self.api.request('PUT', 'sessions/%s/inputs/floor/aes67' % SID, body)
            self.assertEqual(got, 400, (body, js))
            self.assertIn(field, js['error']['message'], (body, js))
        # Refused changes left the source as it was.
        self.rx['en'].wait_for([CH2], [CH1], timeout=2)
        got, js = self.api.request('PUT', 'sessions/%s/inputs/xx/1/aes67' % SID, {'sap': HALL_NAME})
        self.assertEqual(got, 404, js)
        # A console's input takes a stream the same way (its microphone is off: nobody hears it).
        path = 'sessions/%s/inputs/en/1/aes67' % SID
        inp = self.api.expect(200, 'PUT', path, {'sap': HALL_NAME, 'channel': 1})
        self.assertEqual((inp['id'], inp['aes67']['sap']), ('en/1', HALL_NAME), inp)
        th.wait_until(lambda: th.find_input(self.api.expect(200, 'GET', 'sessions/' + SID),
                                            'en/1')['aes67']['state'] == 'receiving', timeout=3,
                      message='en/1 receiving its AES67 stream')
        self.assertIsNone(self.api.expect(200, 'DELETE', path)['aes67'])

    def test_3_unicast_sdp_l16_and_hostile(self):
        port = th.free_udp_pair()
        inp = self.put_floor({'sdp': unicast_sdp(port)})
        self.assertEqual((inp['aes67']['encoding'], inp['aes67']['address'], inp['aes67']['sap']),
                         ('L16', '127.0.0.1', None), inp)
        self.procs.append(gst_unicast_sender(port))
        self.hear_everywhere(UNICAST)
        before = floor_input(self.api)['aes67']['receive']
        ssrc = before['ssrc']
        # The flood, while the floor still plays.
        done = {}
        flood = threading.Thread(target=lambda: done.setdefault('sent', hostile_flood(port, 2.5, ssrc)))
        flood.start()
        time.sleep(0.3)
        self.rx['fr'].hold([UNICAST], [CH1, CH2], duration=1.5)
        flood.join()
        a = floor_input(self.api)['aes67']
        dropped = a['receive']['dropped']
        print('hostile flood: %d datagrams sent, dropped by reason %s; the floor played on'
              % (done['sent'], dropped), file=sys.stderr)
        for reason in ('source', 'ssrc', 'payload_type', 'size', 'not_rtp'):
            self.assertGreater(dropped[reason] - before['dropped'][reason], 1000, (reason, dropped))
        self.assertEqual(a['state'], 'receiving')
        self.assertEqual(a['receive']['ssrc'], ssrc)
        health = floor_input(self.api)['health']
        self.assertGreater(health['dropped']['sender'], 0, health)
        metrics = self.api.metrics()
        self.assertGreater(th.metric_sum(metrics, 'tolk_input_aes67_packets_dropped_total', input='floor',
                                         reason='source'), 100)
        self.rx['en'].wait_for([UNICAST], [CH1, CH2], timeout=2)

    def test_3b_ffmpeg_l24_unicast(self):
        port = th.free_udp_pair()
        self.put_floor({'sdp': unicast_sdp(port, 'L24', 97)})
        sender = ffmpeg_unicast_sender(port)
        try:
            self.hear_everywhere(FFMPEG)
            a = self.wait_state('receiving')['aes67']
            self.assertEqual((a['encoding'], a['receive']['dropped']['size']), ('L24', 0), a)
        finally:
            th.terminate(sender)

    def test_4_latency(self):
        """Onset sent to (a) the first SRTP packet of the floor channel's output that carries it (a
        raw socket: the canned frame of digital silence is small, a tone's Opus frame is larger),
        (b) ffmpeg's decoded output: the arrival of the chunk holding the onset (an upper bound:
        ffmpeg writes whole frames). Three onsets."""
        port = th.free_udp_pair()
        self.put_floor({'sdp': unicast_sdp(port)})
        raw = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        raw.bind(('127.0.0.1', 0))
        out = self.api.expect(201, 'POST', 'sessions/%s/channels/floor/outputs' % SID,
                              {'host': '127.0.0.1', 'port': raw.getsockname()[1]})
        packets, wire, decoded = PacketLog(raw), [], []
        packets.start()
        try:
            for _ in range(3):
                sender = PySender(port)
                sender.start()
                try:
                    self.rx['floor'].wait_silent(timeout=5)
                    silent_size = packets.last_size()
                    sender.onset()
                    th.wait_until(lambda: sender.onset_at, timeout=1, message='the onset sent')
                    wire.append(th.wait_until(lambda: packets.first_larger(silent_size, sender.onset_at), timeout=5,
                                              message='a packet carrying the onset') - sender.onset_at)
                    rx = self.rx['floor']
                    decoded.append(th.wait_until(lambda: onset_arrival(rx, sender.onset_at), timeout=5,
                                                 message='the onset decoded')[0] - sender.onset_at)
                finally:
                    sender.stop()
        finally:
            packets.stop()
            self.api.expect(204, 'DELETE', 'sessions/%s/channels/floor/outputs/%s' % (SID, out['id']))
        a = floor_input(self.api)['aes67']['receive']
        ms = lambda xs: '/'.join('%.1f' % (x * 1000) for x in sorted(xs))  # noqa: E731
        print('latency, L16 1 ms sender: onset sent to the first SRTP packet carrying it %s ms; to ffmpeg '
              'decoding it %s ms; the AES67 input holds %.2f ms beyond the 20 ms frame the tick takes (buffer '
              '%.2f ms)' % (ms(wire), ms(decoded), a['latency_ms'], a['fill_ms']), file=sys.stderr)
        self.assertLess(max(wire), 1.0)

    def test_5_restart_and_back_to_srtp(self):
        self.put_floor({'sap': HALL_NAME, 'channel': 2})
        by_sdp = unicast_sdp(th.free_udp_pair())
        self.api.expect(200, 'PUT', 'sessions/%s/inputs/en/1/aes67' % SID, {'sdp': by_sdp})
        self.hear_everywhere(CH2)
        th.restart(self.daemon)
        a = self.wait_state('receiving', timeout=8)['aes67']
        self.assertEqual((a['sap'], a['channel']), (HALL_NAME, 2), a)
        en1 = th.find_input(self.api.expect(200, 'GET', 'sessions/' + SID), 'en/1')['aes67']
        self.assertEqual((en1['sdp'], en1['sap'], en1['channel']), (by_sdp, None, 1), en1)
        self.api.expect(200, 'DELETE', 'sessions/%s/inputs/en/1/aes67' % SID)
        self.open_receivers()
        self.hear_everywhere(CH2)
        inp = self.api.expect(200, 'DELETE', 'sessions/%s/inputs/floor/aes67' % SID)
        self.assertIsNone(inp['aes67'], inp)
        self.rx['en'].wait_silent(timeout=3)


    def test_6_create_with_floor_aes67(self):
        """POST /sessions with "floor_aes67": the new sitting's floor takes the announced stream."""
        body = dict(SITTING, id='hall2', floor_aes67={'sap': HALL_NAME, 'channel': 2})
        s = self.api.expect(201, 'POST', 'sessions', body)
        self.assertEqual(th.find_input(s, 'floor')['aes67']['sap'], HALL_NAME)
        th.wait_until(lambda: th.find_input(self.api.expect(200, 'GET', 'sessions/hall2'), 'floor')['aes67']['state']
                      == 'receiving', timeout=4, message='hall2 floor receiving')
        rx, _ = self.api.listen('sessions/hall2/channels/en/outputs', 'hall2 en')
        try:
            rx.wait_for([CH2], [CH1], timeout=6)
        finally:
            rx.stop()
        self.api.expect(204, 'DELETE', 'sessions/hall2')
        mono = unicast_sdp(th.free_udp_pair())
        got, js = self.api.request('POST', 'sessions', dict(SITTING, id='hall3', floor_aes67={'sdp': mono, 'channel': 2}))
        self.assertEqual(got, 400, js)
        self.assertIn('Field "floor_aes67.channel" must be 1..1', js['error']['message'])
        got, js = self.api.request('POST', 'sessions', dict(SITTING, id='hall3', floor_aes67={'channel': 1}))
        self.assertEqual(got, 400, js)
        self.assertIn('floor_aes67.sdp', js['error']['message'])
        self.assertEqual(self.api.request('GET', 'sessions/hall3')[0], 404)


class PacketLog(threading.Thread):
    """Arrival times and sizes of the datagrams on a socket."""

    def __init__(self, sock):
        super().__init__(daemon=True)
        self.sock, self.log, self.lock = sock, [], threading.Lock()
        self.sock.settimeout(0.2)
        self.stopping = threading.Event()

    def run(self):
        while not self.stopping.is_set():
            try:
                data = self.sock.recv(2048)
            except socket.timeout:
                continue
            with self.lock:
                self.log.append((time.monotonic(), len(data)))

    def last_size(self):
        with self.lock:
            return self.log[-1][1] if self.log else 0

    def first_larger(self, size, since):
        with self.lock:
            return next((t for t, n in self.log if t >= since and n > size), None)

    def stop(self):
        self.stopping.set()
        self.join(3)
        self.sock.close()


def onset_arrival(rx, since):
    """(arrival of the chunk holding the first loud sample after `since`, that sample's time if the
    chunk's last sample arrived then), or None."""
    with rx.lock:
        chunks = [(t, c) for t, c in rx.chunks if t >= since]
    for t, c in chunks:
        for i, x in enumerate(c):
            if abs(x) > 0.05:
                return t, t - (len(c) - i) / th.RATE
    return None


class Refused(unittest.TestCase):
    def test_without_allow_plain_rtp(self):
        with th.Daemon() as daemon:
            api = daemon.api()
            api.expect(201, 'POST', 'sessions', SITTING)
            for method, path, body in (('PUT', 'sessions/%s/inputs/floor/aes67' % SID, {'sap': HALL_NAME}),
                                       ('PUT', 'sessions/%s/inputs/en/1/aes67' % SID, {'sdp': HALL_SDP}),
                                       ('DELETE', 'sessions/%s/inputs/floor/aes67' % SID, None),
                                       ('GET', '/api/v1/aes67/streams', None)):
                got, js = api.request(method, path, body)
                self.assertEqual((got, js['error']['code']), (403, 'plain_rtp_not_allowed'), (method, path, js))
                self.assertIn('--allow-plain-rtp', js['error']['message'])
            got, js = api.request('POST', 'sessions', dict(SITTING, id='other', floor_aes67={'sap': HALL_NAME}))
            self.assertEqual((got, js['error']['code']), (403, 'plain_rtp_not_allowed'), js)
            got, js = api.request('PUT', 'sessions/%s/inputs/floor/aes67' % SID, {'sap': HALL_NAME},
                                  token='not-the-operator')
            self.assertEqual(got, 401, js)


class SessionFile(unittest.TestCase):
    def test_session_file_with_floor_aes67(self):
        """A --session file starts the plenary with the hall's floor mix; without --allow-plain-rtp the
        daemon refuses to start on it, saying why."""
        import json
        import tempfile
        port = th.free_udp_pair()
        body = dict(SITTING, id='plenary', floor_aes67={'sdp': unicast_sdp(port), 'channel': 1})
        fd, path = tempfile.mkstemp(prefix='tolk-aes67-', suffix='.json')
        with os.fdopen(fd, 'w') as f:
            json.dump(body, f)
        try:
            with th.Daemon(session_file=path, extra_args=['--allow-plain-rtp']) as daemon:
                inp = th.find_input(daemon.api().expect(200, 'GET', 'sessions/plenary'), 'floor')
                self.assertEqual((inp['aes67']['port'], inp['aes67']['encoding']), (port, 'L16'), inp)
            refused = th.Daemon(session_file=path)
            with self.assertRaises(AssertionError) as failed:
                refused.start()
            self.assertIn('--allow-plain-rtp', str(failed.exception))
        finally:
            os.unlink(path)


if __name__ == '__main__':
    if not hallnet.enter():
        print('1 skipped: the AES67 input test needs a network namespace (multicast on its loopback)')
        sys.exit(77)
    # Run inside hallnet's exec (not an imported module): the classes are named, not discovered.
    loader = unittest.defaultTestLoader
    suite = unittest.TestSuite([loader.loadTestsFromTestCase(c) for c in (Refused, SessionFile, Aes67Input)])
    sys.exit(0 if unittest.TextTestRunner(verbosity=2).run(suite).wasSuccessful() else 1)
