# SPDX-License-Identifier: EUPL-1.2
"""The floor video's viewers and cameras as the 72-viewer benchmark found them (issue 11), with
whep-client (tests/bench/whep_client.c: webrtcbin peers that count RTP without decoding):
a console whose max-bundle offer puts video first (its audio then has port 0, bundle-only)
gets audio and video; a hall camera that sends no audio is taken by the video-only route
(and only there); viewers flooding key frame requests (PLIs) cost the camera at most one
request per 500 ms; a viewer that never reads leaves the others' rates alone."""

import json
import os
import signal
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import tolkharness as th  # noqa: E402

SID = 'vv'
SITTING = {'id': SID, 'name': 'Viewers', 'channels': ['en'], 'booths': [{'language': 'en', 'consoles': 1}]}
VIEW = '/api/v1/sessions/%s/booths/en/consoles/1/whep' % SID
MERGE_S = 0.5  # docs/video.md: at most one key frame request per 500 ms reaches the source


def client_bin():
    return os.environ.get('WHEP_CLIENT_BIN') or os.path.join(th.REPO_ROOT, 'build', 'tests', 'bench', 'whep-client')


class Proc:
    """A whep-client process: one line in, one JSON line out."""

    def __init__(self, daemon, *args):
        self.proc = subprocess.Popen([client_bin(), args[0], daemon.host, str(daemon.port), args[1], daemon.token] +
                                     list(args[2:]), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, bufsize=1)

    def line(self):
        out = self.proc.stdout.readline()
        return json.loads(out) if out else None

    def cmd(self, line):
        self.proc.stdin.write(line + '\n')
        self.proc.stdin.flush()
        return self.line()

    def stop(self):
        """quit (it DELETEs its sessions), then SIGTERM if it takes long; its stderr."""
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write('quit\n')
                self.proc.stdin.close()
                self.proc.wait(10)
            except (OSError, ValueError, subprocess.TimeoutExpired):
                pass
        th.terminate(self.proc, grace=5)
        return self.proc.stderr.read() if not self.proc.stderr.closed else ''

    def __del__(self):
        for f in (self.proc.stdout, self.proc.stderr):
            if f and not f.closed:
                f.close()


def camera(daemon, path, *extra):
    cam = Proc(daemon, 'publish', path, *extra)
    return cam, cam.line()


def viewers(daemon, n, *extra):
    v = Proc(daemon, 'run', VIEW, *(extra or ('--video',)))
    return v, v.cmd('add %d' % n)


def rates(v, seconds):
    """Per peer: (audio packets/s, video frames/s, video bytes/s) over `seconds`."""
    a = v.cmd('stats')
    time.sleep(seconds)
    b = v.cmd('stats')
    wall = (b['t_ms'] - a['t_ms']) / 1000.0
    return [((p[0] - q[0]) / wall, (p[7] - q[7]) / wall, (p[8] - q[8]) / wall) for p, q in zip(b['peers'], a['peers'])]


class VideoViewers(unittest.TestCase):
    def setUp(self):
        self.daemon = th.Daemon(extra_args=['--ice-address', '127.0.0.1']).start()
        self.api = self.daemon.api()
        self.api.expect(201, 'POST', '/api/v1/sessions', SITTING)
        self.procs = []

    def tearDown(self):
        for p in self.procs:
            p.stop()
        self.daemon.stop()

    def video(self):
        return self.api.expect(200, 'GET', th.session_path(SID, 'video'))

    def wait_receiving(self):
        deadline = time.time() + 10
        while time.time() < deadline:
            v = self.video()
            if v['sources'] and v['sources'][0]['state'] == 'receiving':
                return v
            time.sleep(0.2)
        self.fail('no camera receiving: %s' % self.video())

    def camera(self, path, *extra, tries=2):
        """A camera; on a busy machine the daemon may answer 503 (webrtcbin too slow): once more."""
        for _ in range(tries):
            cam, first = camera(self.daemon, path, *extra)
            self.procs.append(cam)
            if first and first['status'] == 201:
                break
            first = dict(first or {}, stderr=cam.stop())
        return cam, first

    def floor_camera(self, *extra, tries=2):
        return self.camera(th.session_path(SID, 'whip', 'floor') + '?name=Speaker', *extra, tries=tries)

    def camera_and_viewers(self, n):
        """The floor camera, receiving, and n console viewers, all connected."""
        cam, first = self.floor_camera()
        self.assertTrue(first['connected'], first)
        self.wait_receiving()
        v, added = viewers(self.daemon, n)
        self.procs.append(v)
        self.assertEqual(added['connected'], n, added)
        return cam, v

    def test_video_first_offer(self):
        cam, first = self.floor_camera()
        self.assertEqual((first['status'], first['connected']), (201, True), first)
        self.wait_receiving()
        v, added = viewers(self.daemon, 6, '--video-first')
        self.procs.append(v)
        self.assertEqual((added['ok'], added['connected']), (6, 6), added)  # was 400: "no audio m-line"
        got = rates(v, 3.0)
        for audio_pps, fps, _ in got:
            self.assertGreater(fps, 15, got)  # 30 frames/s
            # 50 Opus packets/s on every viewer: before the audio was held back during
            # negotiation, about 1 viewer in 25 (1 in 6 with the daemon under ASan) got video and
            # no audio at all (docs/performance.md), so 6 viewers fail now and then without it.
            self.assertGreater(audio_pps, 30, got)

    def test_video_only_camera(self):
        cam, first = self.camera(th.session_path(SID, 'video', 'whip') + '?name=Room', '--video-only')
        self.assertEqual((first['status'], first['connected']), (201, True), first)  # was 400
        src = self.wait_receiving()['sources'][0]
        self.assertEqual((src['name'], src['kind']), ('Room', 'whip'))
        v, added = viewers(self.daemon, 1)
        self.procs.append(v)
        self.assertEqual(added['connected'], 1, added)
        [(audio_pps, fps, bps)] = rates(v, 3.0)
        self.assertGreater(fps, 15)
        self.assertGreater(bps * 8, 0.5e6)  # the 720p clip, about 1.4 Mb/s
        self.assertGreater(audio_pps, 30)  # the console's return feed (no booth live: the floor's)

    def test_video_only_offer_needs_the_video_route(self):
        _, first = self.floor_camera('--video-only', tries=1)
        self.assertNotEqual(first['status'], 201)
        self.assertIn('400', first['stderr'])
        self.assertIn('no audio m-line', first['stderr'])

    def test_keyframe_request_flood_is_merged(self):
        cam, v = self.camera_and_viewers(8)
        time.sleep(1.5)  # the joins' requests are merged and answered
        k0 = cam.cmd('count')['keyframe_requests']
        r0 = self.video()['stats']
        seconds = 4.0
        flood = v.cmd('flood 10 %.1f' % seconds)  # every viewer, 100 requests/s
        k1 = cam.cmd('count')['keyframe_requests']
        r1 = self.video()['stats']
        heard = r1['keyframe_requests'] - r0['keyframe_requests']
        reached = k1 - k0
        print('flood: %d requests sent by 8 viewers in %.0f s, %d PLIs heard by the daemon, %d reached the camera'
              % (flood['flood_sent'], seconds, heard, reached), file=sys.stderr)
        self.assertGreater(flood['flood_sent'], 8 * 100)
        self.assertGreater(heard, 8, (r0, r1))  # the daemon did hear a flood of PLIs
        self.assertLessEqual(r1['keyframe_requests_sent'] - r0['keyframe_requests_sent'], seconds / MERGE_S + 2)
        self.assertLessEqual(reached, seconds / MERGE_S + 2, (heard, reached))
        self.assertGreaterEqual(reached, 1)  # merged, not lost

    def test_viewer_that_never_reads(self):
        _, v = self.camera_and_viewers(3)
        slow, slow_added = viewers(self.daemon, 1)
        self.procs.append(slow)
        self.assertEqual(slow_added['connected'], 1, slow_added)
        time.sleep(1.0)
        before = rates(v, 3.0)
        os.kill(slow.proc.pid, signal.SIGSTOP)  # never reads again: its socket fills
        try:
            during = rates(v, 4.0)
        finally:
            os.kill(slow.proc.pid, signal.SIGCONT)
        for (_, fps0, bps0), (_, fps1, bps1) in zip(before, during):
            self.assertGreater(fps1, 0.8 * fps0, (before, during))
            self.assertGreater(bps1, 0.7 * bps0, (before, during))
        self.assertTrue(self.daemon.alive())


if __name__ == '__main__':
    unittest.main()
