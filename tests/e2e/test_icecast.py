# SPDX-License-Identifier: EUPL-1.2
"""Public streams through Icecast (issue 10): a public channel's Ogg/Opus source to Icecast2 from
Debian, played from the mount by ffmpeg, cvlc (as nobody), GStreamer and mpv, and from a relay
icecast2; the listener count in Tolk's view; Icecast killed and restarted; a wrong password; a
channel made non-public; the source kept across a daemon restart; the latency it adds, printed.

One sitting: channel en, booth en with one console. Floor 440 Hz (ffmpeg SRTP sender), en/1
880 Hz live (gst sender), so the channel en carries 880 Hz and, with en/1 off, the floor's 440."""

import os
import socket
import sys
import threading
import time
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import icecastharness as ih  # noqa: E402
import tolkharness as th  # noqa: E402

SID = 'ice'
FLOOR, EN = 440, 880
SITTING = {'id': SID, 'channels': ['en'], 'booths': [{'language': 'en', 'consoles': 1}]}
MOUNT = '/en.opus'
ICECAST = th.session_path(SID, 'channels', 'en', 'icecast')[len('/api/v1/'):]
CONSOLE = 'sessions/%s/booths/en/consoles/1' % SID


def tones(samples):
    return {f: th.tone_dbfs(samples, f) for f in (FLOOR, EN)}


class IcecastSource(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ice = ih.Icecast().start()
        cls.relay = None
        cls.readers = []
        cls.daemon = th.Daemon().start()
        cls.api = cls.daemon.api()
        try:
            cls.session = cls.api.expect(201, 'POST', 'sessions', SITTING)
            cls.senders = [th.Sender.for_input(cls.session, 'floor', FLOOR, kind='ffmpeg').start(),
                           th.Sender.for_input(cls.session, 'en/1', EN, kind='gst').start()]
            cls.api.expect(200, 'PATCH', CONSOLE, {'mic': 'on'})
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        for r in cls.readers:
            r.stop()
        for s in getattr(cls, 'senders', []):
            s.stop()
        cls.daemon.stop(check=False)
        if cls.relay:
            cls.relay.cleanup()
        cls.ice.cleanup()

    # -- helpers

    def icecast_view(self, token=None):
        _, js = self.api.request('GET', 'sessions/' + SID, token=token)
        return th.find(js['channels'], 'id', 'en')['icecast']

    def wait_state(self, state, timeout=15.0):
        deadline = time.monotonic() + timeout
        view = None
        while time.monotonic() < deadline:
            view = self.icecast_view()
            if view and view['state'] == state:
                return view
            time.sleep(0.1)
        self.fail('icecast not %s in %.0f s: %r\n%s' % (state, timeout, view, self.daemon.stderr()))

    def put(self, password=None, status=200, **extra):
        body = {'url': self.ice.url(MOUNT), 'password': password or self.ice.password,
                'name': 'Tolk e2e en', 'description': 'the English channel'}
        body.update(extra)
        got, js = self.api.request('PUT', ICECAST, body)
        self.assertEqual(got, status, js)
        return js

    def reader(self, argv, name):
        r = ih.StreamReader(argv, name).start()
        self.readers.append(r)
        return r

    def assert_tone(self, samples, name, tone=EN, other=FLOOR):
        levels = tones(samples)
        print('%s: %s' % (name, th.format_levels(levels)))
        self.assertGreater(levels[tone], th.PRESENT_DB, '%s: %r' % (name, levels))
        self.assertLess(levels[other], th.ABSENT_DB, '%s: %r' % (name, levels))

    def ensure_streaming(self):
        view = self.icecast_view()
        if not view or view['state'] != 'streaming':
            self.api.expect(200, 'PATCH', 'sessions/%s/channels/en' % SID, {'public': True})
            self.put()
            self.wait_state('streaming')
        self.ice.wait_mount(MOUNT)

    # -- the tests, in order

    def test_01_refusals(self):
        got, js = self.api.request('PUT', ICECAST, {'url': self.ice.url(MOUNT), 'password': 'x'})
        self.assertEqual(got, 409, js)
        self.assertEqual(js['error']['code'], 'channel_not_public')
        self.assertIn('channel en', js['error']['message'])
        self.api.expect(200, 'PATCH', 'sessions/%s/channels/en' % SID, {'public': True})
        for body, field in (({'url': 'ftp://127.0.0.1/en.opus', 'password': 'x'}, 'url'),
                            ({'url': 'http://127.0.0.1:8000', 'password': 'x'}, 'url'),
                            ({'url': 'http://u:p@127.0.0.1:8000/en.opus', 'password': 'x'}, 'url'),
                            ({'url': 'http://127.0.0.1:99999/en.opus', 'password': 'x'}, 'url'),
                            ({'url': 'http://127.0.0.1:8000/en opus', 'password': 'x'}, 'url'),
                            ({'url': 'http://127.0.0.1:8000/en.opus'}, 'password'),
                            ({'url': 'http://127.0.0.1:8000/en.opus', 'password': 'x', 'user': 'a:b'}, 'user'),
                            ({'url': 'http://127.0.0.1:8000/en.opus', 'password': 'x', 'port': 1}, 'port'),
                            ({'url': 7, 'password': 'x'}, 'url')):
            got, js = self.api.request('PUT', ICECAST, body)
            self.assertEqual(got, 400, (body, js))
            self.assertIn('"%s"' % field, js['error']['message'], (body, js))
        got, js = self.api.request('DELETE', ICECAST)
        self.assertEqual((got, js['error']['code']), (404, 'icecast_not_found'), js)
        self.assertIsNone(self.icecast_view())

    def test_02_stream_to_players(self):
        self.api.expect(200, 'PATCH', 'sessions/%s/channels/en' % SID, {'public': True})
        view = self.put()
        self.assertNotIn('password', view)
        self.assertIn(view['state'], ('connecting', 'streaming'), view)
        self.assertEqual(view['listen_url'], self.ice.url(MOUNT))
        self.wait_state('streaming')
        self.ice.wait_mount(MOUNT)
        url = self.ice.url(MOUNT)
        ff = self.reader(ih.ffmpeg_argv(url), 'ffmpeg')
        gst = self.reader(ih.gst_argv(url), 'gst souphttpsrc')
        home = ih.as_nobody_home()
        vlc_wav, mpv_raw = os.path.join(home, 'vlc.wav'), os.path.join(home, 'mpv.s16')
        vlc = th.subprocess.Popen(ih.vlc_argv(url, vlc_wav, 4), env=dict(os.environ, HOME=home),
                                  stdout=th.subprocess.DEVNULL, stderr=th.subprocess.PIPE)
        # mpv is not in tolk.sh's PACKAGES: played when installed (docs/clients.md says so)
        mpv = th.subprocess.Popen(ih.mpv_argv(url, mpv_raw, 4), stdout=th.subprocess.DEVNULL,
                                  stderr=th.subprocess.PIPE) if th.shutil.which('mpv') else None
        self.assert_tone(ff.wait_samples(3, 15), 'ffmpeg from Icecast')
        self.assert_tone(gst.wait_samples(3, 15), 'GStreamer from Icecast')
        if mpv is None:
            print('mpv: not installed, not played')
        for name, proc, path, read in (('cvlc as nobody', vlc, vlc_wav, ih.read_wav),
                                       ('mpv', mpv, mpv_raw, ih.read_s16)):
            if proc is None:
                continue
            try:
                _, err = proc.communicate(timeout=20)
            except th.subprocess.TimeoutExpired:
                th.terminate(proc)
                err = b'(timed out)'
            samples = read(path)
            self.assertTrue(samples is not None and len(samples) > th.RATE,
                            '%s wrote no audio: %s' % (name, err.decode(errors='replace')[-2000:]))
            self.assert_tone(samples[-2 * th.RATE:], name)
        th.shutil.rmtree(home, ignore_errors=True)

    def test_03_public_view_and_listeners(self):
        self.ensure_streaming()
        _, tok = self.api.post('sessions/%s/tokens' % SID, {'role': 'listener', 'channel': 'en'})
        self.__class__.listener_token = tok['token']
        self.assertEqual(self.icecast_view(token=tok['token']), {'listen_url': self.ice.url(MOUNT)})
        self.assertEqual(self.icecast_view(token=''), {'listen_url': self.ice.url(MOUNT)})
        if not any(r.proc for r in self.readers):
            self.reader(ih.ffmpeg_argv(self.ice.url(MOUNT)), 'ffmpeg listener')
        deadline = time.monotonic() + 25
        view = None
        while time.monotonic() < deadline:
            view = self.icecast_view()
            if view['listeners']:
                break
            time.sleep(0.5)
        self.assertGreaterEqual(view['listeners'] or 0, 1, view)
        print('listeners in Tolk view: %d' % view['listeners'])
        metrics = self.api.metrics()
        self.assertGreater(th.metric_sum(metrics, 'tolk_icecast_bytes_total', channel='en'), 0)
        self.assertEqual(th.metric_sum(metrics, 'tolk_icecast_state', channel='en', state='streaming'), 1)
        self.assertGreaterEqual(th.metric_sum(metrics, 'tolk_icecast_listeners', channel='en'), 1)

    def test_04_relay(self):
        self.ensure_streaming()
        self.__class__.relay = ih.Icecast(relay_of=(self.ice.port, MOUNT)).start()
        self.relay.wait_mount(MOUNT)
        r = self.reader(ih.ffmpeg_argv(self.relay.url(MOUNT)), 'ffmpeg from the relay')
        self.assert_tone(r.wait_samples(3, 15), 'ffmpeg from the relay')

    def test_05_latency(self):
        """A tone switch at the source (en/1 off: en carries the floor) to its arrival at ffmpeg
        reading the mount, and at ffmpeg reading an SRTP output of the same channel."""
        self.ensure_streaming()
        time.sleep(float(os.environ.get('TOLK_E2E_ICECAST_WARM_S', '0')))  # a mount that has run a while
        ice_rx = self.reader(ih.ffmpeg_argv(self.ice.url(MOUNT)), 'ffmpeg latency')
        player_rx = self.reader(ih.ffmpeg_argv(self.ice.url(MOUNT), realtime=True), 'ffmpeg -re latency')
        srtp_rx, _ = self.api.listen('sessions/%s/channels/en/outputs' % SID, 'srtp en')
        self.readers.append(srtp_rx)
        ice_rx.wait_samples(2, 15)
        player_rx.wait_samples(2, 15)
        time.sleep(1.0)
        t0 = time.monotonic()
        self.api.expect(200, 'PATCH', CONSOLE, {'mic': 'off'})
        arrived = {}
        deadline = t0 + 15
        while len(arrived) < 3 and time.monotonic() < deadline:
            for name, rx in (('icecast', ice_rx), ('player', player_rx), ('srtp', srtp_rx)):
                if name not in arrived:
                    t = self.switch_time(rx, t0)
                    if t is not None:
                        arrived[name] = t - t0
            time.sleep(0.02)
        self.api.expect(200, 'PATCH', CONSOLE, {'mic': 'on'})
        self.assertEqual(set(arrived), {'icecast', 'player', 'srtp'}, arrived)
        print('latency: tone switch to arrival: SRTP output %.0f ms; through Icecast (burst-size %d) '
              'decoded as it comes %.0f ms (+%.0f ms), played at its pace from the burst (-re) %.0f ms '
              '(+%.0f ms)'
              % (arrived['srtp'] * 1000, ih.BURST_SIZE, arrived['icecast'] * 1000,
                 (arrived['icecast'] - arrived['srtp']) * 1000, arrived['player'] * 1000,
                 (arrived['player'] - arrived['srtp']) * 1000))

    @staticmethod
    def switch_time(rx, t0):
        """The arrival time of the first 100 ms block after t0 where the floor's tone leads."""
        with rx.lock:
            chunks = [(t, c) for t, c in rx.chunks if t >= t0]
        block = th.array.array('f')
        for t, c in chunks:
            block.extend(c)
            if len(block) >= 4800:
                lv = tones(block[-4800:])
                if lv[FLOOR] > th.PRESENT_DB and lv[EN] < lv[FLOOR]:
                    return t
                block = block[-4800:]
        return None

    def test_06_icecast_restart(self):
        self.ensure_streaming()
        before = self.icecast_view()['reconnects']
        self.ice.kill()
        view = self.wait_state('failing')
        self.assertIn('port %d' % self.ice.port, view['last_error'])
        _, _, raw = self.api.raw('GET', '/healthz', token='')
        health = th.decode_json(raw)
        self.assertEqual(health['status'], 'degraded', health)
        self.assertTrue(any(p['what'] == 'icecast' and p['channel'] == 'en' for p in health['problems']), health)
        self.ice.start()
        view = self.wait_state('streaming', timeout=40)
        self.assertGreater(view['reconnects'], before, view)
        r = self.reader(ih.ffmpeg_argv(self.ice.url(MOUNT)), 'ffmpeg after the restart')
        self.assert_tone(r.wait_samples(2, 15), 'ffmpeg after the Icecast restart')
        self.assertIn('Icecast %s lost' % self.ice.url(MOUNT), self.daemon.stderr())

    def test_07_wrong_password(self):
        self.ensure_streaming()
        self.put(password='not-the-password')
        view = self.wait_state('failing')
        self.assertIn('refused the source login', view['last_error'], view)
        stderr = self.daemon.stderr()
        self.assertNotIn('not-the-password', stderr)
        self.assertNotIn(self.ice.password, stderr)
        self.put()
        self.wait_state('streaming', timeout=20)

    def test_08_not_public_pauses(self):
        self.ensure_streaming()
        self.api.expect(200, 'PATCH', 'sessions/%s/channels/en' % SID, {'public': False})
        self.wait_state('paused')
        deadline = time.monotonic() + 10
        while self.ice.mount_up(MOUNT) and time.monotonic() < deadline:
            time.sleep(0.2)
        self.assertFalse(self.ice.mount_up(MOUNT), 'the mount stays up while the channel is not public')
        self.assertIsNone(self.icecast_view(token=self.listener_token))
        self.api.expect(200, 'PATCH', 'sessions/%s/channels/en' % SID, {'public': True})
        self.wait_state('streaming')

    def test_09_restart_and_delete(self):
        self.ensure_streaming()
        state_dir = self.daemon.state_dir
        self.daemon.stop()
        self.assertIn(self.ice.password.encode(), self.stored(state_dir))  # kept: the file is private (0600)
        self.__class__.daemon = th.Daemon(state_dir=state_dir).start()
        self.__class__.api = self.daemon.api()
        self.wait_state('streaming')
        self.ice.wait_mount(MOUNT)
        self.assertIn('Tolk e2e en', urllib.request.urlopen(self.ice.url('/status-json.xsl'), timeout=5)
                      .read().decode())
        self.api.expect(204, 'DELETE', ICECAST)
        self.assertIsNone(self.icecast_view())
        deadline = time.monotonic() + 10
        while self.ice.mount_up(MOUNT) and time.monotonic() < deadline:
            time.sleep(0.2)
        self.assertFalse(self.ice.mount_up(MOUNT))
        self.api.expect(200, 'GET', 'sessions/' + SID)
        self.daemon.stop()  # a clean stop checkpoints the state: the password is gone from its files
        self.assertNotIn(self.ice.password.encode(), self.stored(state_dir))
        self.__class__.daemon = th.Daemon(state_dir=state_dir).start()
        self.__class__.api = self.daemon.api()
        self.assertIsNone(self.icecast_view())

    @staticmethod
    def stored(state_dir):
        stored = b''
        for name in os.listdir(state_dir):
            if name.startswith('tolk.db'):
                with open(os.path.join(state_dir, name), 'rb') as f:
                    stored += f.read()
        return stored

    def test_10_hostile_servers(self):
        """A server that answers garbage, and one that takes the connection and says nothing: the
        source fails with a reason, and the channel's audio (an SRTP output) never stalls."""
        self.api.expect(200, 'PATCH', 'sessions/%s/channels/en' % SID, {'public': True})
        rx, _ = self.api.listen('sessions/%s/channels/en/outputs' % SID, 'srtp during hostile servers')
        self.readers.append(rx)
        garbage = socket.socket()
        garbage.bind(('127.0.0.1', 0))
        garbage.listen(8)
        stop = threading.Event()

        def serve():
            while not stop.is_set():
                try:
                    conn, _ = garbage.accept()
                except OSError:
                    return
                conn.sendall(b'\x00\xffnot HTTP at all\r\n\r\n' * 50)
                conn.close()
        threading.Thread(target=serve, daemon=True).start()
        tarpit = socket.socket()
        tarpit.bind(('127.0.0.1', 0))
        tarpit.listen(8)  # accepted by the kernel, never read nor answered
        try:
            self.put(url='http://127.0.0.1:%d/en.opus' % garbage.getsockname()[1])
            view = self.wait_state('failing')
            print('garbage server: %s' % view['last_error'])
            self.put(url='http://127.0.0.1:%d/en.opus' % tarpit.getsockname()[1])
            view = self.wait_state('failing', timeout=20)
            self.assertIn('did not answer', view['last_error'], view)
            samples = rx.samples(5)  # the last 5 s, while the source waited on the tarpit
            self.assertEqual(len(samples), 5 * th.RATE, rx.describe())
            self.assertLess(th.longest_quiet_run(samples), 0.1, 'the channel stalled')
            self.assert_tone(samples, 'SRTP output while Icecast hangs')
            self.assertTrue(self.daemon.alive())
        finally:
            stop.set()
            garbage.close()
            tarpit.close()
            self.api.request('DELETE', ICECAST)


if __name__ == '__main__':
    unittest.main(verbosity=2)
