# SPDX-License-Identifier: EUPL-1.2
"""SRTP video sources of the floor video (issue 11, source kind (b)) through the daemon's API:
gst-launch-1.0 (VP8, on red) and ffmpeg (H.264, libx264) send SRTP to the port the API gave;
a console viewer (video-peer, webrtcbin) decodes the frames and their colour. Switching between
a WHIP camera (on blue) and the SRTP source at a key frame; the key frame request (an SRTCP
PLI and FIR) reaching the sender's address; replayed, forged, truncated and flooded packets
refused and counted while the picture goes on; plain RTP refused without --allow-plain-rtp;
and the source's port and key kept across a restart, the sender never told."""

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

import tolkharness as th  # noqa: E402
from test_video import Peer  # noqa: E402

SID = 'vrtp'
SITTING = {'id': SID, 'name': 'Video RTP', 'channels': ['en'], 'booths': [{'language': 'en', 'consoles': 1}]}
ICE = ['--ice-address', '127.0.0.1']
RED, BLUE = '0xffff0000', '0xff0000ff'
SUITE = 'AES_CM_128_HMAC_SHA1_80'


def gst_vp8(key_b64, port, colour=RED, ssrc=None):
    """A live solid colour in VP8, a key frame every 15 frames, as SRTP to 127.0.0.1:port (plain
    RTP when key_b64 is None)."""
    srtp = ('srtpenc key=%s rtp-cipher=aes-128-icm rtp-auth=hmac-sha1-80 rtcp-cipher=aes-128-icm '
            'rtcp-auth=hmac-sha1-80 ! ' % th.key_hex(key_b64)) if key_b64 else ''
    pipeline = ('videotestsrc pattern=solid-color foreground-color={c} is-live=true ! '
                'video/x-raw,width=320,height=240,framerate=30/1 ! vp8enc keyframe-max-dist=15 deadline=1 ! '
                'rtpvp8pay pt=96 ssrc={ssrc} mtu=1200 ! {srtp}udpsink host=127.0.0.1 port={port} sync=false '
                'async=false').format(c=colour, ssrc=ssrc or random.randrange(1, 2**31), srtp=srtp, port=port)
    return subprocess.Popen(['gst-launch-1.0', '-q'] + pipeline.split(), stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def ffmpeg_h264(key_b64, port):
    """A red picture in H.264 (libx264, a key frame every 15 frames, SPS/PPS before each) as SRTP,
    its RTCP multiplexed on the same port."""
    return subprocess.Popen(
        ['ffmpeg', '-hide_banner', '-loglevel', 'error', '-nostdin', '-re', '-f', 'lavfi', '-i',
         'color=c=red:size=320x240:rate=30', '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency',
         '-profile:v', 'baseline', '-pix_fmt', 'yuv420p', '-g', '15', '-bsf:v', 'dump_extra',
         '-payload_type', '102', '-f', 'rtp', '-srtp_out_suite', SUITE, '-srtp_out_params', key_b64,
         'srtp://127.0.0.1:%d?rtcpport=%d&pkt_size=1200' % (port, port)],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


class Relay:
    """Between a sender and the daemon: forwards the sender's datagrams from a socket of its own
    (so the daemon's feedback comes back here), keeps the last ones (to replay them) and what
    the daemon sent back."""

    def __init__(self, daemon_port):
        self.target = ('127.0.0.1', daemon_port)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(('127.0.0.1', 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.captured, self.feedback, self.forwarded = [], [], 0
        self.running = True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while self.running:
            try:
                data, addr = self.sock.recvfrom(4096)
            except socket.timeout:
                continue
            except OSError:
                return
            if addr == self.target:
                self.feedback.append(data)
                continue
            self.sock.sendto(data, self.target)
            self.forwarded += 1
            self.captured.append(data)
            del self.captured[:-600]

    def send(self, data):
        self.sock.sendto(data, self.target)

    def stop(self):
        self.running = False
        self.thread.join(2)
        self.sock.close()


def connected_viewer(make, attempts=3):
    """A viewer that connected: a loaded machine (six test runs on two cores) may let a WHEP
    negotiation time out, which is not what these tests are about; a refusal (4xx) is final."""
    for _ in range(attempts):
        p = make()
        first = p.first()
        if first and (first.get('connected') or 400 <= first.get('status', 0) < 500):
            return p, first
        p.stop()
    return p, first


def paced(relay, packets):
    for i, p in enumerate(packets):
        relay.send(p)
        if i % 20 == 19:
            time.sleep(0.002)


def is_pli_fir(packet):
    """An SRTCP compound of a PLI then a FIR: their headers are in the clear (RFC 3711 3.4
    encrypts from the first packet's ninth byte on), 12 + 20 bytes, then the index and the tag."""
    return (len(packet) == 12 + 20 + 4 + 10 and packet[0] == 0x81 and packet[1] == 206 and
            struct.unpack('!H', packet[2:4])[0] == 2)


def video(api, sid=SID):
    return api.expect(200, 'GET', th.session_path(sid, 'video'))


def source_of(api, vid, sid=SID):
    return th.find(video(api, sid)['sources'], 'id', vid)


def wait_source(api, vid, test, timeout=10, sid=SID):
    deadline = time.time() + timeout
    while time.time() < deadline:
        s = source_of(api, vid, sid)
        if s and test(s):
            return s
        time.sleep(0.2)
    return source_of(api, vid, sid)


class SrtpSource(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = th.Daemon(extra_args=ICE).start()
        cls.api = cls.daemon.api()
        cls.api.expect(201, 'POST', '/api/v1/sessions', dict(SITTING, video_codec='vp8'))
        tok = lambda body: cls.api.expect(201, 'POST', th.session_path(SID, 'tokens'), body)['token']
        cls.floor_token = tok({'role': 'floor'})
        cls.console_token = tok({'role': 'console', 'console': 'en/1'})
        cls.procs, cls.peers = [], []

    @classmethod
    def tearDownClass(cls):
        for p in cls.peers:
            p.stop()
        for p in cls.procs:
            th.terminate(p, grace=3)
        if getattr(cls, 'relay', None):
            cls.relay.stop()
        cls.daemon.stop()

    def peer(self, *args):
        p = Peer(self.daemon, *args)
        self.peers.append(p)
        return p

    def console_view(self, seconds=40, *extra, sid=SID, token=None):
        return self.peer('view', th.session_path(sid, 'booths', 'en', 'consoles', '1', 'whep'),
                         token or self.console_token, seconds, 440, *extra)

    def test_1_srtp_vp8_to_console(self):
        src = self.api.expect(201, 'POST', th.session_path(SID, 'video', 'sources'), {'name': 'Room'})
        self.assertEqual((src['id'], src['name'], src['kind'], src['state']), ('v1', 'Room', 'rtp', 'waiting'))
        self.assertEqual(src['srtp']['suite'], SUITE)
        self.assertEqual(src['payload_type'], 96)
        self.assertIn('m=video %d RTP/SAVP 96' % src['port'], src['sdp'])
        self.assertIn('a=rtpmap:96 VP8/90000', src['sdp'])
        self.assertIn('a=crypto:1 %s inline:%s' % (SUITE, src['srtp']['key']), src['sdp'])
        self.assertIn('a=rtcp-mux', src['sdp'])
        self.assertEqual(video(self.api)['chosen'], 'v1')  # the first source is chosen by itself
        relay = self.__class__.relay = Relay(src['port'])
        self.procs.append(gst_vp8(src['srtp']['key'], relay.port))
        s = wait_source(self.api, 'v1', lambda s: s['state'] == 'receiving')
        self.assertEqual(s['state'], 'receiving', s)
        viewer, first = connected_viewer(self.console_view)
        self.__class__.viewer = viewer
        self.assertEqual(first, {'status': 201, 'video': True, 'connected': True})
        got = viewer.wait_for(lambda s: s['red'] >= 30)
        self.assertIsNotNone(got, 'the console never saw the red SRTP source: %s' % viewer.last())
        self.assertEqual(got['blue'], 0)
        s = source_of(self.api, 'v1')
        self.assertGreater(s['input']['media'], 30, s)
        self.assertEqual(s['invalid'], 0, s)
        self.assertGreater(s['keyframes'], 2, s)
        self.__class__.key, self.__class__.port = src['srtp']['key'], src['port']

    def test_2_keyframe_request_reaches_sender(self):
        # the viewer's join asked; ask again by its PLI-equivalent: choosing the source again
        self.api.expect(200, 'PUT', th.session_path(SID, 'video', 'chosen'), {'source': 'v1'})
        deadline = time.time() + 5
        while time.time() < deadline and not any(is_pli_fir(p) for p in self.relay.feedback):
            time.sleep(0.1)
        self.assertTrue(any(is_pli_fir(p) for p in self.relay.feedback),
                        'no SRTCP PLI+FIR came back to the sender: %r' % self.relay.feedback[:3])
        s = source_of(self.api, 'v1')
        self.assertGreaterEqual(s['input']['keyframe_requests_sent'], 1, s)
        time.sleep(0.3)  # one counted just before the read may still be on its way
        self.assertTrue(all(is_pli_fir(p) for p in self.relay.feedback), self.relay.feedback)
        self.assertLessEqual(abs(s['input']['keyframe_requests_sent'] - len(self.relay.feedback)), 1, s)

    def test_3_switch_between_whip_camera_and_srtp(self):
        path = th.session_path(SID, 'video', 'whip') + '?name=Chair'
        cam, first = connected_viewer(lambda: self.peer('publish', path, self.floor_token, 60, BLUE, 660))
        self.assertEqual(first, {'status': 201, 'connected': True})
        self.assertEqual(wait_source(self.api, 'v2', lambda s: s['state'] == 'receiving')['state'], 'receiving')
        self.api.expect(200, 'PUT', th.session_path(SID, 'video', 'chosen'), {'source': 'v2'})
        got = self.viewer.wait_for(lambda s: s['blue'] >= 30)
        self.assertIsNotNone(got, 'the console never saw the blue camera: %s' % self.viewer.last())
        red = self.viewer.last()['red']
        time.sleep(1)
        self.assertLessEqual(self.viewer.last()['red'] - red, 3, 'red frames after the switch to blue')
        self.api.expect(200, 'PUT', th.session_path(SID, 'video', 'chosen'), {'source': 'v1'})
        got = self.viewer.wait_for(lambda s: s['red'] >= red + 30)
        self.assertIsNotNone(got, 'the console never saw red again: %s' % self.viewer.last())
        blue = self.viewer.last()['blue']
        time.sleep(1)
        self.assertLessEqual(self.viewer.last()['blue'] - blue, 3, 'blue frames after the switch to red')
        self.assertEqual(video(self.api)['live'], 'v1')
        self.api.expect(204, 'DELETE', th.session_path(SID, 'video', 'sources', 'v2'))
        cam.stop()

    def test_4_hostile_input_refused_and_counted(self):
        before = source_of(self.api, 'v1')['input']
        frames = self.viewer.last()['frames']
        captured = list(self.relay.captured)
        self.assertGreater(len(captured), 200)
        garbage = [bytes([0x80, 96]) + os.urandom(2) + os.urandom(4) + os.urandom(4) + os.urandom(200)
                   for _ in range(300)]  # RTP headers of random SSRCs, no valid tag
        # paced, so the port's socket buffer never overflows and every one is judged
        paced(self.relay, captured)  # replays: they authenticate, but were seen
        paced(self.relay, garbage)
        paced(self.relay, [p[:len(p) // 2] for p in captured[-100:]])  # truncated: the tag no longer fits
        paced(self.relay, [b'', b'\x00', b'\xff' * 3, b'x' * 1500])
        flood = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)  # another address, a burst
        start = time.time()
        sent = 0
        while time.time() - start < 1.0:
            flood.sendto(random.choice(garbage), ('127.0.0.1', self.port))
            sent += 1
        flood.close()
        time.sleep(1)
        after = source_of(self.api, 'v1')['input']
        self.assertGreaterEqual(after['replayed'] - before['replayed'], len(captured) * 0.95, after)
        self.assertGreaterEqual(after['auth_failed'] - before['auth_failed'], (300 + 100) * 0.95, after)
        self.assertGreater(after['received'] - before['received'], len(captured) + 400, after)
        self.assertEqual(source_of(self.api, 'v1')['invalid'], 0)  # nothing refused reached the feed
        got = self.viewer.wait_for(lambda s: s['frames'] >= frames + 40, 10)
        self.assertIsNotNone(got, 'the picture stopped under the hostile input: %s' % self.viewer.last())
        self.assertEqual(self.api.raw('GET', '/healthz', token='')[0], 200)
        metrics = self.api.metrics()
        self.assertEqual(th.metric_sum(metrics, 'tolk_video_source_dropped_packets_total', session=SID, source='v1',
                                       cause='replayed'), after['replayed'])
        self.assertGreaterEqual(th.metric_sum(metrics, 'tolk_video_source_dropped_packets_total', session=SID,
                                              source='v1', cause='auth_failed'), after['auth_failed'])
        print('flood: %d datagrams in 1 s; replays %d, forged and truncated %d refused' %
              (sent, after['replayed'] - before['replayed'], after['auth_failed'] - before['auth_failed']))

    def test_5_bad_requests(self):
        path = th.session_path(SID, 'video', 'sources')
        r = self.api.request('POST', path, {'name': 'Plain', 'encrypted': False})
        self.assertEqual(r[0], 403)
        self.assertEqual(r[1]['error']['code'], 'plain_rtp_not_allowed')
        r = self.api.request('POST', path, {'name': 7})
        self.assertEqual(r[0], 400)
        self.assertIn('"name"', r[1]['error']['message'])
        r = self.api.request('POST', path, {'name': 'x' * 64})
        self.assertEqual(r[0], 400)
        self.assertIn('"name"', r[1]['error']['message'])
        r = self.api.request('POST', path, {'encrypted': 'yes'})
        self.assertEqual(r[0], 400)
        self.assertIn('"encrypted"', r[1]['error']['message'])
        r = self.api.request('POST', path, {'name': 'Room', 'port': 5000})
        self.assertEqual(r[0], 400)
        self.assertEqual(self.api.request('POST', path, {}, token=self.console_token)[0], 403)
        self.assertEqual(self.api.request('POST', path, {}, token=self.floor_token)[0], 403)
        made = [self.api.expect(201, 'POST', path, {})['id'] for _ in range(7)]  # 8 with v1
        r = self.api.request('POST', path, {'name': 'Ninth'})
        self.assertEqual(r[0], 409)
        self.assertEqual(r[1]['error']['code'], 'too_many_video_sources')
        ports = [source_of(self.api, vid)['port'] for vid in made]
        for vid in made:
            self.api.expect(204, 'DELETE', th.session_path(SID, 'video', 'sources', vid))
        for port in ports:  # the inputs are gone and their ports free
            self.assertTrue(th.udp_port_free(port), port)
        self.assertEqual([s['id'] for s in video(self.api)['sources']], ['v1'])

    def test_6_rekey(self):
        r = self.api.request('POST', th.session_path(SID, 'video', 'sources', 'v1', 'rekey'))
        self.assertEqual(r[0], 200, r)
        self.assertNotEqual(r[1]['srtp']['key'], self.key)
        self.assertIn('inline:' + r[1]['srtp']['key'], r[1]['sdp'])
        time.sleep(0.5)
        before = source_of(self.api, 'v1')['input']
        time.sleep(1)
        after = source_of(self.api, 'v1')['input']
        self.assertLessEqual(after['media'] - before['media'], 2, 'the old key still let packets in')
        self.assertGreater(after['auth_failed'], before['auth_failed'])
        self.assertEqual(self.api.request('POST', th.session_path(SID, 'video', 'sources', 'v9', 'rekey'))[0], 404)

    def test_7_h264_by_ffmpeg(self):
        sid = 'vh264'
        self.api.expect(201, 'POST', '/api/v1/sessions', dict(SITTING, id=sid, video_codec='h264'))
        token = self.api.expect(201, 'POST', th.session_path(sid, 'tokens'),
                                {'role': 'console', 'console': 'en/1'})['token']
        src = self.api.expect(201, 'POST', th.session_path(sid, 'video', 'sources'), {'name': 'Hall encoder'})
        self.assertEqual(src['payload_type'], 102)
        self.assertIn('a=rtpmap:102 H264/90000', src['sdp'])
        self.assertIn('a=fmtp:102 packetization-mode=1', src['sdp'])
        self.procs.append(ffmpeg_h264(src['srtp']['key'], src['port']))
        s = wait_source(self.api, src['id'], lambda s: s['state'] == 'receiving', sid=sid)
        self.assertEqual(s['state'], 'receiving', s)
        viewer, first = connected_viewer(lambda: self.console_view(30, 'h264', sid=sid, token=token))
        self.assertEqual(first, {'status': 201, 'video': True, 'connected': True})
        got = viewer.wait_for(lambda s: s['red'] >= 30)
        self.assertIsNotNone(got, 'the console never decoded the red H.264 source: %s' % viewer.last())
        s = source_of(self.api, src['id'], sid)
        self.assertEqual(s['invalid'], 0, s)
        self.assertGreater(s['keyframes'], 2, s)
        self.assertGreater(s['input']['rtcp'], 0, s)  # ffmpeg's sender reports, on the same port
        self.assertEqual(s['input']['rtcp_failed'], 0, s)


class Durable(unittest.TestCase):
    def test_port_and_key_survive_a_restart(self):
        daemon = th.Daemon(extra_args=ICE + ['--allow-plain-rtp']).start()
        procs, peers = [], []
        try:
            api = daemon.api()
            api.expect(201, 'POST', '/api/v1/sessions', SITTING)
            token = api.expect(201, 'POST', th.session_path(SID, 'tokens'),
                               {'role': 'console', 'console': 'en/1'})['token']
            src = api.expect(201, 'POST', th.session_path(SID, 'video', 'sources'), {'name': 'Room'})
            plain = api.expect(201, 'POST', th.session_path(SID, 'video', 'sources'),
                               {'name': 'Closed hall', 'encrypted': False})
            self.assertIsNone(plain['srtp'])
            self.assertIn('RTP/AVP 96', plain['sdp'])
            self.assertNotIn('a=crypto', plain['sdp'])
            procs.append(gst_vp8(src['srtp']['key'], src['port']))
            procs.append(gst_vp8(None, plain['port'], colour=BLUE))
            self.assertEqual(wait_source(api, 'v1', lambda s: s['state'] == 'receiving')['state'], 'receiving')
            s = wait_source(api, 'v2', lambda s: s['keyframes'] > 2)
            self.assertEqual((s['state'], s['invalid'], s['input']['auth_failed']), ('receiving', 0, 0), s)
            time.sleep(1.5)  # the counters record has the sender's position
            daemon.stop()
            daemon.start()
            api = daemon.api()
            v = video(api)
            self.assertEqual([(s['id'], s['name'], s['port']) for s in v['sources']],
                             [('v1', 'Room', src['port']), ('v2', 'Closed hall', plain['port'])])
            self.assertEqual(v['sources'][0]['srtp']['key'], src['srtp']['key'])
            self.assertEqual(v['chosen'], 'v1')
            token = api.expect(201, 'POST', th.session_path(SID, 'tokens'),
                               {'role': 'console', 'console': 'en/1'})['token']
            def view():
                peers.append(Peer(daemon, 'view', th.session_path(SID, 'booths', 'en', 'consoles', '1', 'whep'),
                                  token, 20, 440))
                return peers[-1]
            p, first = connected_viewer(view)
            self.assertEqual(first, {'status': 201, 'video': True, 'connected': True}, daemon.stderr())
            self.assertIsNotNone(p.wait_for(lambda s: s['red'] >= 30), p.last())
            s = source_of(api, 'v1')
            self.assertGreater(s['input']['media'], 30, s)
            self.assertEqual(wait_source(api, 'v2', lambda s: s['state'] == 'receiving')['state'], 'receiving')
            # a new source after the restart takes a new id, never v1 or v2 again
            self.assertEqual(api.expect(201, 'POST', th.session_path(SID, 'video', 'sources'), {})['id'], 'v3')
        finally:
            for p in peers:
                p.stop()
            for p in procs:
                th.terminate(p, grace=3)
            daemon.stop(check=False)


if __name__ == '__main__':
    unittest.main(verbosity=2)
