# SPDX-License-Identifier: EUPL-1.2
"""HLS of a public channel (issue 10, docs/hls.md), played by real clients.

One daemon, one sitting: channel en with en/1 live at 880 Hz (gst-launch SRTP sender), the
floor at 440 Hz (ffmpeg SRTP sender). HLS of en is played from Tolk's own URL by ffmpeg, by
GStreamer (souphttpsrc ! hlsdemux) and by VLC (cvlc as the user nobody, into a WAV file), and
from an nginx (nginx-light, started here with a config of its own, workers as nobody) that
serves the --hls-dir folder. Then: old segments go, hostile names are refused, the latency HLS
adds is measured and printed, a disk fault is shown and outlived, non-public ends the stream
(and public again resumes it), DELETE ends it, and a restart brings it back. A second daemon
without libav's AAC encoder shows the failing state and the restarts."""

import array
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import wave

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import tolkharness as th  # noqa: E402

SID = 'hls'
FLOOR, EN = 440, 880
SITTING = {'id': SID, 'name': 'e2e HLS', 'floor_language': 'de', 'channels': ['en'],
           'booths': [{'language': 'en', 'consoles': 1}]}
SEGMENT_S, LISTED = 1, 3
KEPT = LISTED + 4  # what Tolk keeps on disk for players that read an older playlist
PLAYLIST = '/hls/%s/en/index.m3u8' % SID
HLS_PATH = th.session_path(SID, 'channels', 'en', 'hls')
CHANNEL_PATH = th.session_path(SID, 'channels', 'en')


class Player(th.Receiver):
    """A client playing a URL to 48 kHz mono float on its stdout (argv), kept as a Receiver
    keeps its audio, with arrival times."""

    def __init__(self, argv, name, keep_s=30.0):
        self._argv, self.kind, self.name, self.ssrc = argv, 'ffmpeg', name, None
        self.keep = int(keep_s * th.RATE)
        self.proc = self.thread = self.last_arrival = None
        self.lock = threading.Lock()
        self.chunks = collections.deque()
        self.buffered = self.total = 0
        fd, self.log_path = tempfile.mkstemp(prefix='tolk-hls-player-', suffix='.log')
        os.close(fd)

    def argv(self):
        return self._argv


def ffmpeg_player(url, name='ffmpeg'):
    # The exact command of docs/clients.md, with raw output for the tone check.
    return Player(['ffmpeg', '-hide_banner', '-loglevel', 'warning', '-nostdin', '-i', url,
                   '-af', 'pan=mono|c0=c0', '-f', 'f32le', '-ar', str(th.RATE), 'pipe:1'], name)


def gst_player(url):
    return Player(['gst-launch-1.0', '-q', 'souphttpsrc', 'location=' + url, '!', 'hlsdemux', '!',
                   'tsdemux', '!', 'aacparse', '!', 'avdec_aac', '!', 'audioconvert', '!',
                   'audioresample', '!', 'audio/x-raw,format=F32LE,rate=48000,channels=1', '!',
                   'fdsink', 'fd=1', 'sync=false'], 'gstreamer')


NGINX_CONF = """user nobody nogroup;
worker_processes 1;
daemon off;
pid {dir}/nginx.pid;
events {{ worker_connections 64; }}
http {{
    access_log {dir}/access.log;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    types {{ application/vnd.apple.mpegurl m3u8; video/mp2t ts; }}
    server {{
        listen 127.0.0.1:{port};
        root {root};
        location ~ \\.m3u8$ {{ add_header Cache-Control "max-age=1"; }}
        location ~ \\.ts$ {{ add_header Cache-Control "public, max-age=3600"; }}
    }}
}}
"""


class Nginx:
    """nginx-light on a free port, its config, logs and temp files in a folder of its own,
    serving root (Tolk's --hls-dir) through workers running as nobody."""

    def __init__(self, root):
        self.dir = tempfile.mkdtemp(prefix='tolk-nginx-')
        self.port = th.free_tcp_port()
        with open(os.path.join(self.dir, 'nginx.conf'), 'w') as f:
            f.write(NGINX_CONF.format(dir=self.dir, port=self.port, root=root))
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(['nginx', '-p', self.dir, '-e', self.dir + '/error.log',
                                      '-c', self.dir + '/nginx.conf'],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 5
        while th.tcp_port_free(self.port) and time.monotonic() < deadline:
            time.sleep(0.05)
        return self

    def url(self, path):
        return 'http://127.0.0.1:%d%s' % (self.port, path)

    def stop(self):
        if self.proc:
            th.terminate(self.proc)
            self.proc = None
        shutil.rmtree(self.dir, ignore_errors=True)


def segments_of(text):
    return [line for line in text.splitlines() if line and not line.startswith('#')]


class Hls(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # A folder every user may read (nginx's workers run as nobody); the state stays private.
        cls.hls_dir = tempfile.mkdtemp(prefix='tolk-hls-')
        os.chmod(cls.hls_dir, 0o755)
        cls.daemon = th.Daemon(extra_args=['--hls-dir', cls.hls_dir]).start()
        cls.api = cls.daemon.api()
        cls.senders, cls.players = [], []
        try:
            cls.session = cls.api.expect(201, 'POST', 'sessions', SITTING)
            cls.senders.append(th.Sender.for_input(cls.session, 'floor', FLOOR, kind='ffmpeg').start())
            cls.senders.append(th.Sender.for_input(cls.session, 'en/1', EN).start())
            cls.api.expect(200, 'PATCH', th.console_path('en/1', SID), {'mic': 'on'})
            # Not public yet: refused, and nothing is written.
            status, body = cls.api.request('PUT', HLS_PATH, {})
            assert status == 409 and body['error']['code'] == 'channel_not_public', (status, body)
            cls.api.expect(200, 'PATCH', CHANNEL_PATH, {'public': True})
            cls.hls = cls.api.expect(200, 'PUT', HLS_PATH,
                                     {'segment_seconds': SEGMENT_S, 'playlist_segments': LISTED})
            cls.wait_segments(2)
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        th.stop_all(cls.players, cls.senders, cls.daemon)
        shutil.rmtree(cls.hls_dir, ignore_errors=True)

    @classmethod
    def url(cls, path=PLAYLIST):
        return 'http://%s:%d%s' % (cls.daemon.host, cls.daemon.port, path)

    @classmethod
    def fetch(cls, path=PLAYLIST):
        status, headers, body = cls.api.raw('GET', path, token='')
        return status, headers, body

    @classmethod
    def wait_segments(cls, n, timeout=15.0):
        deadline = time.monotonic() + timeout
        while True:
            status, _, body = cls.fetch()
            if status == 200 and len(segments_of(body.decode())) >= n:
                return body.decode()
            if time.monotonic() > deadline:
                raise AssertionError('no playlist with %d segments at %s (last %s %r):\n%s'
                                     % (n, PLAYLIST, status, body[:300], cls.daemon.stderr()))
            time.sleep(0.1)

    def hls_view(self):
        return th.find(self.api.get(th.session_path(SID))[1]['channels'], 'id', 'en')['hls']

    def play(self, player, timeout=12.0):
        self.players.append(player)
        player.start()
        try:
            return player.wait_for([EN], [FLOOR], timeout=timeout, window_s=1.0)
        finally:
            player.stop()
            self.players.remove(player)

    # -- the playlist and its files

    def test_01_playlist_and_view(self):
        self.assertEqual(self.hls['playlist'], PLAYLIST)
        text = self.wait_segments(2)
        self.assertTrue(text.startswith('#EXTM3U\n'), text)
        self.assertIn('#EXT-X-TARGETDURATION:%d\n' % SEGMENT_S, text)
        self.assertIn('#EXT-X-PROGRAM-DATE-TIME:', text)
        self.assertNotIn('#EXT-X-ENDLIST', text)
        status, headers, _ = self.fetch()
        self.assertEqual(headers['content-type'], 'application/vnd.apple.mpegurl')
        self.assertEqual(headers['cache-control'], 'max-age=1')
        seg = segments_of(text)[-1]
        status, headers, body = self.fetch('/hls/%s/en/%s' % (SID, seg))
        self.assertEqual(status, 200)
        self.assertEqual(headers['content-type'], 'video/mp2t')
        self.assertIn('max-age=3600', headers['cache-control'])
        self.assertEqual(body[0], 0x47)  # an MPEG-TS sync byte
        folder = os.path.join(self.hls_dir, SID, 'en')
        for name in os.listdir(folder):
            self.assertEqual(os.stat(os.path.join(folder, name)).st_mode & 0o777, 0o644, name)
        self.assertEqual(os.stat(folder).st_mode & 0o777, 0o755)
        hls = self.hls_view()
        self.assertEqual(hls['state'], 'running')
        self.assertGreaterEqual(hls['segments'], 2)
        self.assertGreaterEqual(hls['fetches'], 2)
        # A listener's view (no token, the channel is public) shows the playlist only.
        public = th.find(self.api.get(th.session_path(SID), token='')[1]['channels'], 'id', 'en')
        self.assertEqual(public['hls'], {'playlist': PLAYLIST})
        metrics = self.api.metrics()
        self.assertGreater(th.metric_sum(metrics, 'tolk_hls_segments_total', session=SID), 0)
        self.assertGreater(th.metric_sum(metrics, 'tolk_hls_fetches_total', session=SID), 0)

    def test_02_bad_requests(self):
        for body in ({'segment_seconds': 0}, {'segment_seconds': 11}, {'playlist_segments': 2},
                     {'bitrate': 1000}, {'bitrate': '96000'}, {'codec': 'opus'}):
            status, reply = self.api.request('PUT', HLS_PATH, body)
            self.assertEqual(status, 400, (body, reply))
        status, reply = self.api.request('PUT', th.session_path(SID, 'channels', 'xx', 'hls'), {})
        self.assertEqual(status, 404, reply)
        self.assertEqual(self.api.request('PUT', HLS_PATH, {}, token='')[0], 401)
        for path in ('/hls/%s/en/../../tolk.db' % SID, '/hls/%s/en/%%2e%%2e' % SID,
                     '/hls/%s/en/%%2e%%2e%%2f%%2e%%2e%%2fstate%%2ftolk.db' % SID,
                     '/hls/%s/en/index.m3u8.tmp' % SID, '/hls/%s/en/index.m3u8%%00' % SID,
                     '/hls/%s/en/%%2fetc%%2fpasswd' % SID, '/hls/%s/floor/index.m3u8' % SID,
                     '/hls/nosuch/en/index.m3u8', '/hls/%s/en/s1-999999999.ts' % SID,
                     '/hls/%s/en/' % SID):
            status, _, body = self.fetch(path)
            self.assertIn(status, (400, 404), (path, body[:200]))
        self.assertTrue(self.daemon.alive())

    def test_03_old_segments_removed(self):
        first = segments_of(self.wait_segments(1))[0]
        folder = os.path.join(self.hls_dir, SID, 'en')
        deadline = time.monotonic() + (KEPT + 4) * SEGMENT_S + 8
        while os.path.exists(os.path.join(folder, first)):
            self.assertLess(time.monotonic(), deadline, 'segment %s never removed' % first)
            time.sleep(0.2)
        on_disk = [n for n in os.listdir(folder) if n.endswith('.ts')]
        self.assertLessEqual(len(on_disk), KEPT + 1, on_disk)  # + the one being written
        self.assertEqual(len(segments_of(self.wait_segments(LISTED))), LISTED)

    # -- the clients

    def test_04_ffmpeg_from_tolk(self):
        self.play(ffmpeg_player(self.url()))

    def test_05_gstreamer_from_tolk(self):
        self.play(gst_player(self.url()))

    def test_06_vlc_as_nobody(self):
        work = tempfile.mkdtemp(prefix='tolk-vlc-')
        os.chmod(work, 0o777)
        wav = os.path.join(work, 'en.wav')
        try:
            # The command of docs/clients.md, as a user without rights to anything of Tolk's.
            subprocess.run(['runuser', '-u', 'nobody', '--', 'env', 'HOME=' + work, 'cvlc', '-q',
                            '--no-video', '--play-and-exit', '--run-time', '5', self.url(),
                            '--sout', '#transcode{acodec=s16l,channels=1,samplerate=48000}'
                            ':std{access=file,mux=wav,dst=%s}' % wav],
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=30, check=False)
            with wave.open(wav) as w:
                self.assertEqual((w.getnchannels(), w.getframerate()), (1, th.RATE))
                pcm = array.array('h', w.readframes(w.getnframes()))
            samples = [x / 32768.0 for x in pcm[-2 * th.RATE:]]
            self.assertGreaterEqual(len(samples), th.RATE, 'VLC wrote %d samples' % len(pcm))
            levels = {f: th.tone_dbfs(samples, f) for f in (EN, FLOOR)}
            self.assertTrue(th.check_levels(levels, [EN], [FLOOR]), th.format_levels(levels))
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def test_07_ffmpeg_from_nginx(self):
        nginx = Nginx(self.hls_dir).start()
        try:
            url = nginx.url('/%s/en/index.m3u8' % SID)
            status, headers, _ = th.Api('127.0.0.1', nginx.port, '').raw('GET', '/%s/en/index.m3u8' % SID,
                                                                         token='')
            self.assertEqual(status, 200)
            self.assertEqual(headers['content-type'], 'application/vnd.apple.mpegurl')
            self.play(ffmpeg_player(url, 'ffmpeg via nginx'))
        finally:
            nginx.stop()

    # -- latency: a switch at the source to its arrival through the playlist

    def test_08_latency(self):
        player = ffmpeg_player(self.url(), 'ffmpeg latency')
        self.players.append(player)
        player.start()
        try:
            player.wait_for([EN], [FLOOR], timeout=12.0, window_s=0.5)
            time.sleep(1.0)  # past the first burst: the player now waits for new segments
            switched = time.monotonic()
            # en/1 off: en is idle and carries the floor; the PATCH answers once the mix has it.
            self.api.expect(200, 'PATCH', th.console_path('en/1', SID), {'mic': 'off'})
            switched = (switched + time.monotonic()) / 2
            player.wait_for([FLOOR], [EN], timeout=8 * SEGMENT_S + 10, window_s=0.25)
            arrived = self.first_arrival(player, switched)
            print('\nHLS latency (%d s segments, %d listed): the source switched, ffmpeg playing '
                  'from the playlist had it %.2f s later' % (SEGMENT_S, LISTED, arrived - switched),
                  file=sys.stderr)
        finally:
            player.stop()
            self.players.remove(player)
            self.api.expect(200, 'PATCH', th.console_path('en/1', SID), {'mic': 'on'})

    @staticmethod
    def first_arrival(player, since, want=FLOOR, other=EN):
        """Arrival time of the first 50 ms block after `since` where `want` leads `other` (a
        read from the pipe may be shorter than a block: blocks span reads)."""
        with player.lock:
            chunks = [(t, c) for t, c in player.chunks if t >= since]
        block, pending = th.RATE // 20, array.array('f')
        for t, c in chunks:
            pending.extend(c)
            while len(pending) >= block:
                part, pending = pending[:block], pending[block:]
                if th.tone_dbfs(part, want) > th.tone_dbfs(part, other) + 10:
                    return t
        raise AssertionError('the switch never arrived')

    # -- a disk fault: failing and a /healthz problem, the pipeline runs on; the audio never stops

    def test_09_disk_fault(self):
        folder = os.path.join(self.hls_dir, SID, 'en')
        rx = self.api.listen(CHANNEL_PATH + '/outputs', 'en over SRTP')[0]
        self.players.append(rx)
        try:
            shutil.rmtree(folder)
            with open(folder, 'w') as f:  # a file where the folder was: no segment can be made
                f.write('not a folder')
            deadline = time.monotonic() + 10 * SEGMENT_S + 15
            while self.hls_view()['state'] != 'failing':
                self.assertLess(time.monotonic(), deadline, self.hls_view())
                time.sleep(0.2)
            hls = self.hls_view()
            self.assertTrue(hls['last_error'], hls)
            health = self.api.get('/healthz', token='')[1]
            self.assertEqual(health['status'], 'degraded')
            self.assertIn({'what': 'hls', 'sitting': SID, 'channel': 'en', 'state': 'failing',
                           'message': hls['last_error']}, health['problems'])
            rx.hold([EN], [FLOOR], duration=1.0)  # the channel plays on meanwhile
            os.unlink(folder)
            os.mkdir(folder, 0o755)
            self.wait_segments(2, timeout=40)
            hls = self.hls_view()
            self.assertEqual(hls['state'], 'running')
            self.assertEqual(hls['restarts'], 0)  # the disk's fault, not the pipeline's
            self.assertIn('#EXT-X-DISCONTINUITY', self.fetch()[2].decode())  # the gap
            self.assertEqual(self.api.get('/healthz', token='')[1], {'status': 'ok'})
        finally:
            rx.stop()
            self.players.remove(rx)

    # -- the channel leaves the public, comes back; DELETE; restart

    def test_10_not_public_ends_and_resumes(self):
        folder = os.path.join(self.hls_dir, SID, 'en')
        self.api.expect(200, 'PATCH', CHANNEL_PATH, {'public': False})
        with open(os.path.join(folder, 'index.m3u8')) as f:
            self.assertTrue(f.read().endswith('#EXT-X-ENDLIST\n'))
        self.assertEqual(self.fetch()[0], 404)
        self.assertEqual(self.hls_view()['state'], 'paused')
        status, reply = self.api.request('PUT', HLS_PATH, {})
        self.assertEqual((status, reply['error']['code']), (409, 'channel_not_public'))
        self.api.expect(200, 'PATCH', CHANNEL_PATH, {'public': True})
        text = self.wait_segments(1)
        self.assertNotIn('#EXT-X-ENDLIST', text)
        self.assertEqual(self.hls_view()['state'], 'running')

    def test_11_delete_and_restart(self):
        self.api.expect(204, 'DELETE', HLS_PATH)
        self.assertIsNone(self.hls_view())
        self.assertEqual(self.api.request('DELETE', HLS_PATH)[0], 404)
        with open(os.path.join(self.hls_dir, SID, 'en', 'index.m3u8')) as f:
            self.assertTrue(f.read().endswith('#EXT-X-ENDLIST\n'))
        self.assertEqual(self.fetch()[0], 404)
        # Configured again (defaults), it survives a restart of the daemon.
        hls = self.api.expect(200, 'PUT', HLS_PATH)
        self.assertEqual((hls['segment_seconds'], hls['playlist_segments'], hls['bitrate']), (2, 6, 96000))
        self.wait_segments(1)
        # Another configuration replaces the run; the old one's end mark never lands on the new playlist.
        self.api.expect(200, 'PUT', HLS_PATH, {'segment_seconds': SEGMENT_S, 'playlist_segments': LISTED})
        self.wait_segments(1)
        time.sleep(2.5)
        text = self.wait_segments(2)
        self.assertIn('#EXT-X-TARGETDURATION:%d\n' % SEGMENT_S, text)
        self.assertNotIn('#EXT-X-ENDLIST', text)
        self.daemon.stop()
        self.daemon.start()
        self.api = type(self).api = self.daemon.api()
        hls = self.hls_view()
        self.assertEqual((hls['segment_seconds'], hls['playlist_segments']), (SEGMENT_S, LISTED))
        self.wait_segments(1)
        self.assertEqual(self.hls_view()['restarts'], 0)


GST_PLUGINS = '/usr/lib/x86_64-linux-gnu/gstreamer-1.0'


class HlsWithoutEncoder(unittest.TestCase):
    """A daemon whose GStreamer lacks libav's AAC encoder (its plugins but libgstlibav): the
    channel's HLS fails, restarts with a growing pause, counted, and /healthz says so; the
    rest of the daemon is untouched."""

    @classmethod
    def setUpClass(cls):
        cls.plugins = tempfile.mkdtemp(prefix='tolk-gst-plugins-')
        for name in os.listdir(GST_PLUGINS):
            if name.endswith('.so') and name != 'libgstlibav.so':
                os.symlink(os.path.join(GST_PLUGINS, name), os.path.join(cls.plugins, name))
        saved = dict(os.environ)
        os.environ.update({'GST_PLUGIN_SYSTEM_PATH_1_0': cls.plugins,
                           'GST_REGISTRY_1_0': os.path.join(cls.plugins, 'registry.bin')})
        os.environ.pop('GST_PLUGIN_PATH_1_0', None)
        os.environ.pop('GST_PLUGIN_PATH', None)
        cls.hls_dir = tempfile.mkdtemp(prefix='tolk-hls-')
        try:
            cls.daemon = th.Daemon(extra_args=['--hls-dir', cls.hls_dir]).start(timeout=60)
        finally:
            os.environ.clear()
            os.environ.update(saved)
        cls.api = cls.daemon.api()

    @classmethod
    def tearDownClass(cls):
        cls.daemon.stop()
        shutil.rmtree(cls.plugins, ignore_errors=True)
        shutil.rmtree(cls.hls_dir, ignore_errors=True)

    def test_failing_restarts(self):
        self.api.expect(201, 'POST', 'sessions', SITTING)
        self.api.expect(200, 'PATCH', CHANNEL_PATH, {'public': True})
        self.api.expect(200, 'PUT', HLS_PATH, {})
        deadline = time.monotonic() + 15
        while True:
            hls = th.find(self.api.get(th.session_path(SID))[1]['channels'], 'id', 'en')['hls']
            if hls['restarts'] >= 2:
                break
            self.assertLess(time.monotonic(), deadline, hls)
            time.sleep(0.2)
        self.assertEqual(hls['state'], 'failing')
        self.assertIn('avenc_aac', hls['last_error'])
        health = self.api.get('/healthz', token='')[1]
        self.assertEqual(health['status'], 'degraded')
        self.assertEqual([p['what'] for p in health['problems']], ['hls'])
        self.assertGreaterEqual(th.metric_sum(self.api.metrics(), 'tolk_hls_restarts_total', session=SID), 2)
        self.assertEqual(self.fetch_status(), 404)  # nothing to serve
        self.api.expect(204, 'DELETE', HLS_PATH)
        self.assertEqual(self.api.get('/healthz', token='')[1], {'status': 'ok'})

    def fetch_status(self):
        return self.api.raw('GET', PLAYLIST, token='')[0]


if __name__ == '__main__':
    unittest.main(verbosity=2)
