# SPDX-License-Identifier: EUPL-1.2
"""The floor video (issue 11) through the daemon's API, with webrtcbin peers (video-peer):
a speaker's camera (a ball on red, Opus at 440 Hz) by WHIP, a second camera (on blue) by the
video-only route, console and listener viewers by WHEP. Asserted by what the viewers decode:
frames and their colour, the tone. The switch at a key frame, the channel's permission, the
roles, a camera that ends, and the codec, choice and permissions across a restart."""

import json
import os
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import tolkharness as th  # noqa: E402

SID = 'vid'
SITTING = {'id': SID, 'name': 'Video', 'channels': ['en'], 'booths': [{'language': 'en', 'consoles': 1}]}
ICE = ['--ice-address', '127.0.0.1']
RED, BLUE = '0xffff0000', '0xff0000ff'


def video_peer_bin():
    return os.environ.get('VIDEO_PEER_BIN') or os.path.join(th.REPO_ROOT, 'build', 'tests', 'webrtc', 'video-peer')


class Peer:
    """A video-peer process; its JSON lines are collected as they come."""

    def __init__(self, daemon, *args):
        self.lines = []
        self.proc = subprocess.Popen([video_peer_bin()] + [str(a) for a in args[:1]] + [str(daemon.port)] +
                                     [str(a) for a in args[1:]], stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stdout:
            try:
                self.lines.append(json.loads(line))
            except ValueError:
                pass

    def first(self, timeout=25):
        deadline = time.time() + timeout
        while time.time() < deadline and not self.lines and self.proc.poll() is None:
            time.sleep(0.05)
        time.sleep(0.1)
        return self.lines[0] if self.lines else None

    def last(self):
        return self.lines[-1] if len(self.lines) > 1 else {'frames': 0, 'red': 0, 'blue': 0, 'tone_blocks': 0}

    def wait_for(self, test, timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if len(self.lines) > 1 and test(self.lines[-1]):
                return self.lines[-1]
            time.sleep(0.1)
        return None

    def stop(self):
        th.terminate(self.proc, grace=3)


def video(api):
    return api.expect(200, 'GET', th.session_path(SID, 'video'))


def wait_video(api, test, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = video(api)
        if test(v):
            return v
        time.sleep(0.2)
    return video(api)


class FloorVideo(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = th.Daemon(extra_args=ICE).start()
        cls.api = cls.daemon.api()
        cls.api.expect(201, 'POST', '/api/v1/sessions', SITTING)
        tok = lambda body: cls.api.expect(201, 'POST', th.session_path(SID, 'tokens'), body)['token']
        cls.floor_token = tok({'role': 'floor'})
        cls.console_token = tok({'role': 'console', 'console': 'en/1'})
        cls.listener_token = tok({'role': 'listener', 'channel': 'en'})
        cls.peers = []

    @classmethod
    def tearDownClass(cls):
        for p in cls.peers:
            p.stop()
        cls.daemon.stop()

    def peer(self, *args):
        p = Peer(self.daemon, *args)
        self.peers.append(p)
        return p

    def console_view(self, seconds=30, *extra):
        return self.peer('view', th.session_path(SID, 'booths', 'en', 'consoles', '1', 'whep'), self.console_token, seconds,
                         440, *extra)

    def test_1_camera_to_console(self):
        cam = self.peer('publish', th.session_path(SID, 'whip', 'floor') + '?name=Speaker', self.floor_token, 60,
                        RED, 440)
        self.assertEqual(cam.first(), {'status': 201, 'connected': True})
        v = wait_video(self.api, lambda v: v['sources'] and v['sources'][0]['state'] == 'receiving')
        src = v['sources'][0]
        self.assertEqual((src['id'], src['name'], src['kind']), ('v1', 'Speaker', 'whip'), v)
        self.assertEqual(v['chosen'], 'v1')  # the first camera is chosen by itself
        viewer = self.console_view()
        self.assertEqual(viewer.first(), {'status': 201, 'video': True, 'connected': True})
        got = viewer.wait_for(lambda s: s['red'] >= 30 and s['tone_blocks'] > 20)
        self.assertIsNotNone(got, 'the console never saw the red camera and heard 440 Hz: %s' % viewer.last())
        self.assertEqual(got['blue'], 0)
        v = video(self.api)
        self.assertEqual(v['live'], 'v1')
        self.assertEqual(v['viewers'], 1)
        self.assertGreater(v['stats']['forwarded'], 30)
        self.assertGreaterEqual(v['stats']['keyframe_requests_sent'], 1)  # the viewer joined at a key frame asked for
        metrics = self.api.metrics()
        self.assertEqual(th.metric_sum(metrics, 'tolk_video_viewers', session=SID), 1)
        self.assertGreater(th.metric_sum(metrics, 'tolk_video_source_keyframes_total', session=SID, source='v1'), 0)
        self.assertGreater(th.metric_sum(metrics, 'tolk_video_forwarded_packets_total', session=SID), 30)
        self.__class__.camera, self.__class__.viewer = cam, viewer

    def test_2_switch_at_keyframe(self):
        room = self.peer('publish', th.session_path(SID, 'video', 'whip') + '?name=Room', self.floor_token, 60,
                         BLUE, 660)
        self.assertEqual(room.first(), {'status': 201, 'connected': True})
        v = wait_video(self.api, lambda v: len(v['sources']) == 2 and v['sources'][1]['state'] == 'receiving')
        self.assertEqual(v['sources'][1]['name'], 'Room')
        self.assertEqual(v['chosen'], 'v1')  # a second camera does not take over
        before = self.viewer.last()
        switches = v['stats']['switches']
        v = self.api.expect(200, 'PUT', th.session_path(SID, 'video', 'chosen'), {'source': 'v2'})
        self.assertEqual(v['chosen'], 'v2')
        got = self.viewer.wait_for(lambda s: s['blue'] >= 30)
        self.assertIsNotNone(got, 'the console never saw the blue camera: %s' % self.viewer.last())
        v = wait_video(self.api, lambda v: v['live'] == 'v2')
        self.assertEqual(v['live'], 'v2')
        self.assertEqual(v['stats']['switches'], switches + 1)
        # the camera was asked for a key frame for the switch (or the viewer's join)
        self.assertTrue(room.wait_for(lambda s: s['keyframe_requests'] >= 1, 5), room.last())
        red_then = self.viewer.last()['red']
        time.sleep(2)
        self.assertLessEqual(self.viewer.last()['red'] - red_then, 3, 'red frames after the switch')
        self.assertGreater(self.viewer.last()['tone_blocks'], before['tone_blocks'])  # audio goes on
        # the room camera's audio is not mixed: the floor is still the speaker's 440 Hz only
        self.__class__.room = room

    def test_3_no_picture_and_back(self):
        self.api.expect(200, 'PUT', th.session_path(SID, 'video', 'chosen'), {'source': None})
        time.sleep(1)
        frames = self.viewer.last()['frames']
        time.sleep(2)
        self.assertLessEqual(self.viewer.last()['frames'] - frames, 2)
        self.assertIsNone(video(self.api)['live'])
        self.api.expect(200, 'PUT', th.session_path(SID, 'video', 'chosen'), {'source': 'v1'})
        red = self.viewer.last()['red']
        self.assertIsNotNone(self.viewer.wait_for(lambda s: s['red'] >= red + 20), self.viewer.last())

    def test_4_bad_choices(self):
        r = self.api.request('PUT', th.session_path(SID, 'video', 'chosen'), {'source': 'v9'})
        self.assertEqual(r[0], 404)
        self.assertEqual(r[1]['error']['code'], 'video_source_not_found')
        r = self.api.request('PUT', th.session_path(SID, 'video', 'chosen'), {'source': 3})
        self.assertEqual(r[0], 400)
        self.assertIn('source', r[1]['error']['message'])
        r = self.api.request('PUT', th.session_path(SID, 'video', 'chosen'), {})
        self.assertEqual(r[0], 400)
        r = self.api.request('DELETE', th.session_path(SID, 'video', 'sources', 'v9'))
        self.assertEqual(r[0], 404)

    def test_5_roles(self):
        for token in (self.console_token, self.listener_token, self.floor_token):
            self.assertEqual(self.api.request('GET', th.session_path(SID, 'video'), token=token)[0], 403)
            self.assertEqual(self.api.request('PUT', th.session_path(SID, 'video', 'chosen'), {'source': None},
                                              token=token)[0], 403)
        # a console token of another sitting gets nothing of this one
        self.api.expect(201, 'POST', '/api/v1/sessions', dict(SITTING, id='other'))
        other = self.api.expect(201, 'POST', th.session_path('other', 'tokens'),
                                {'role': 'console', 'console': 'en/1'})['token']
        p = self.peer('view', th.session_path(SID, 'booths', 'en', 'consoles', '1', 'whep'), other, 2, 440)
        self.assertIn(p.first()['status'], (401, 403))
        # the short view: a picture, and of whom; no sources, ports or counters
        status, view = self.api.request('GET', th.session_path(SID), token=self.console_token)
        self.assertEqual(status, 200)
        self.assertEqual(view['video'], {'codec': 'vp8', 'live': True, 'live_name': 'Speaker'})

    def test_6_listeners_when_allowed(self):
        path = th.session_path(SID, 'channels', 'en', 'whep')
        p = self.peer('view', path, self.listener_token, 3, 440)
        self.assertEqual(p.first()['video'], False)  # not allowed: audio only
        ch = self.api.expect(200, 'PATCH', th.session_path(SID, 'channels', 'en'), {'video': True})
        self.assertTrue(ch['video'])
        p = self.peer('view', path, self.listener_token, 20, 440)
        self.assertEqual(p.first()['video'], True)
        self.assertIsNotNone(p.wait_for(lambda s: s['red'] >= 20), p.last())
        r = self.api.request('PATCH', th.session_path(SID, 'channels', 'en'), {'video': 'yes'})
        self.assertEqual(r[0], 400)
        self.assertIn('video', r[1]['error']['message'])

    def test_7_picture_off_console(self):
        p = self.console_view(6, 'audio-only')
        self.assertEqual(p.first()['video'], False)
        self.assertIsNotNone(p.wait_for(lambda s: s['tone_blocks'] > 20), p.last())
        self.assertEqual(p.last()['frames'], 0)

    def test_8_camera_ends(self):
        self.api.expect(204, 'DELETE', th.session_path(SID, 'video', 'sources', 'v1'))
        v = wait_video(self.api, lambda v: [s['id'] for s in v['sources']] == ['v2'])
        self.assertEqual([s['id'] for s in v['sources']], ['v2'])
        self.assertIsNone(v['chosen'])  # the chosen camera went: no picture, no guess
        self.room.stop()
        v = wait_video(self.api, lambda v: not v['sources'], timeout=20)
        self.assertEqual(v['sources'], [])


class Durable(unittest.TestCase):
    def test_codec_and_permissions_survive_a_restart(self):
        daemon = th.Daemon(extra_args=ICE).start()
        try:
            api = daemon.api()
            api.expect(201, 'POST', '/api/v1/sessions', dict(SITTING, video_codec='h264'))
            api.expect(200, 'PATCH', th.session_path(SID, 'channels', 'en'), {'video': True})
            r = api.request('POST', '/api/v1/sessions', dict(SITTING, id='bad', video_codec='av1'))
            self.assertEqual(r[0], 400)
            self.assertIn('video_codec', r[1]['error']['message'])
            daemon.stop()
            daemon.start()
            api = daemon.api()
            self.assertEqual(video(api)['codec'], 'h264')
            en = th.find(api.expect(200, 'GET', th.session_path(SID))['channels'], 'id', 'en')
            self.assertTrue(en['video'])
        finally:
            daemon.stop(check=False)


if __name__ == '__main__':
    unittest.main(verbosity=2)
