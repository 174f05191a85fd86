# SPDX-License-Identifier: EUPL-1.2
"""The floor video in the record (issue 11), against the real daemon: a speaker's camera (a
ball on red, VP8, by WHIP with video-peer) and the sitting recorded through the API. The
listing has the video file beside the audio ("kind": "video", in the sitting's "video" folder),
the download is video/webm, ffprobe finds VP8 with the duration recorded, the listing's
duration is the file's, and the frames decode to the camera's red; a kill -9 mid-recording
leaves a file that plays, and the restarted daemon records the picture again in a new file;
the free-space warning of /healthz reckons with the picture's hour; a full disk (a small tmpfs
as --recordings-dir) marks the video's recording failing (the session view, /healthz) while
the console's picture goes on, and it writes again once there is room. An h264 sitting fed by
ffmpeg's SRTP H.264 (an SRTP video source) records a fragmented MP4 that plays red."""
import json
import os
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tolkharness as th  # noqa: E402
from test_recording import wait_until  # noqa: E402
from test_state_faults import fill, private_dir  # noqa: E402
from test_video import ICE, RED, Peer  # noqa: E402
from test_video_rtp import ffmpeg_h264  # noqa: E402

SID = 'vrec'
SITTING = {'id': SID, 'name': 'Video recording', 'channels': ['en'], 'booths': [{'language': 'en', 'consoles': 1}]}
RECORD_S = 4.0
DURATION_TOLERANCE = 0.6    # s: the file starts at the first key frame after the start
KILL_FRAMES = 60            # of 90 sent in 3 s (30 fps): a cluster in the making may be lost


def ffprobe(path):
    out = subprocess.run(['ffprobe', '-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries',
                          'stream=codec_name,nb_read_frames,width,height:format=duration,format_name',
                          '-of', 'json', path], capture_output=True, text=True, check=True).stdout
    js = json.loads(out)
    return js['streams'][0], js['format']


def red_share(path):
    """The share of reddish pixels in the first frame (16x16): the ball is small, the ground red."""
    raw = subprocess.run(['ffmpeg', '-nostdin', '-v', 'error', '-i', path, '-frames:v', '1', '-vf', 'scale=16:16',
                          '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], capture_output=True, check=True).stdout
    pixels = [raw[i:i + 3] for i in range(0, len(raw), 3)]
    return sum(1 for r, g, b in pixels if r > 160 and g < 90 and b < 90) / max(len(pixels), 1)


def download(test, api, rec, content_type):
    """The recording's file through the API, checked for its type and size, into a temporary file
    (removed at the test's end): its path."""
    status, headers, data = api.raw('GET', '/api/v1/recordings/%s/video/%s' % (SID, rec['name']))
    test.assertEqual((status, headers.get('content-type')), (200, content_type), data[:200])
    test.assertEqual(len(data), rec['bytes'])
    fd, local = tempfile.mkstemp(suffix='.' + content_type.split('/')[1])
    with os.fdopen(fd, 'wb') as f:
        f.write(data)
    test.addCleanup(os.unlink, local)
    return local


class Camera:
    """A daemon with the sitting and a speaker's camera on red."""

    def __init__(self, test, recordings_dir):
        self.daemon = th.Daemon(extra_args=ICE + ['--recordings-dir', recordings_dir]).start()
        self.api = self.daemon.api()
        self.peers = []
        test.addCleanup(self.stop)
        self.api.expect(201, 'POST', '/api/v1/sessions', SITTING)
        tok = lambda body: self.api.expect(201, 'POST', th.session_path(SID, 'tokens'), body)['token']
        self.floor_token = tok({'role': 'floor'})
        self.console_token = tok({'role': 'console', 'console': 'en/1'})
        self.publish()

    def publish(self):
        """The speaker's camera on red, until it sends in real time."""
        for attempt in range(2):  # a 503 (the audio did not take the change in time) on a loaded machine: again
            cam = self.peer('publish', th.session_path(SID, 'whip', 'floor') + '?name=Speaker', self.floor_token,
                            120, RED, 440)
            first = cam.first()
            if (first or {}).get('status') != 503:
                break
        assert first == {'status': 201, 'connected': True}, (first, self.daemon.stderr()[-2000:])
        wait_until('the camera received', lambda: [s for s in self.video()['sources'] if s['state'] == 'receiving'])
        # The camera's first two seconds come faster than real time (its encoder catching up
        # on the frames of the connection's set-up): the file's time is the camera's, so the
        # recordings begin once it sends in real time.
        time.sleep(2.5)

    def peer(self, *args):
        p = Peer(self.daemon, *args)
        self.peers.append(p)
        return p

    def stop(self):
        for p in self.peers:
            p.stop()
        if self.daemon.proc and self.daemon.proc.poll() is None:
            self.daemon.stop()

    def video(self):
        return self.api.expect(200, 'GET', th.session_path(SID))['video']

    def video_recording(self):
        return self.video()['recording']

    def video_files(self):
        return [r for r in self.api.expect(200, 'GET', 'recordings?session=%s' % SID)['recordings']
                if r['kind'] == 'video']


class VideoRecording(unittest.TestCase):
    def setUp(self):
        self.dir = private_dir(self, 'tolk-recordings-')
        self.cam = Camera(self, self.dir)
        self.api = self.cam.api

    def test_record_and_download(self):
        path = th.session_path(SID, 'recording')
        start = time.monotonic()
        self.api.expect(200, 'POST', path, {})
        wait_until('video written', lambda: self.cam.video_recording()['bytes'] > 0)
        state = self.cam.video_recording()
        self.assertEqual(state['state'], 'recording', state)
        self.assertTrue(state['file'].endswith('.webm'), state)
        current = self.cam.video_files()
        self.assertEqual([(r['channel'], r['name'], r['recording']) for r in current],
                         [('video', state['file'], True)], current)
        metrics = self.api.metrics()
        self.assertEqual(th.metric_sum(metrics, 'tolk_video_recording_active', session=SID), 1)
        self.assertGreater(th.metric_sum(metrics, 'tolk_video_recording_bytes_total', session=SID), 0)
        self.assertEqual(th.metric_sum(metrics, 'tolk_video_recording_write_errors_total', session=SID), 0)
        self.assertIn('tolk_video_recording_lost_packets_total{session="%s"} ' % SID, metrics)
        time.sleep(RECORD_S - (time.monotonic() - start))
        self.api.expect(200, 'DELETE', path)
        recorded = time.monotonic() - start
        self.assertEqual(self.cam.video_recording()['state'], 'off')
        metrics = self.api.metrics()
        self.assertEqual(th.metric_sum(metrics, 'tolk_video_recording_active', session=SID), 0)
        self.assertGreaterEqual(th.metric_sum(metrics, 'tolk_video_recording_bytes_total', session=SID),
                                self.cam.video_recording()['bytes'])
        files = self.api.expect(200, 'GET', 'recordings?session=%s' % SID)['recordings']
        self.assertEqual(sorted(r['kind'] for r in files), ['audio', 'audio', 'video'], files)
        rec = wait_until('the file finished', lambda: [r for r in self.cam.video_files() if not r['recording']])[0]
        local = download(self, self.api, rec, 'video/webm')
        stream, fmt = ffprobe(local)
        duration = float(fmt['duration'])
        print('a %.2f s recording: the video file plays %.2f s, %s frames, %d bytes; the listing says %.3f s'
              % (recorded, duration, stream['nb_read_frames'], rec['bytes'], rec['duration_s']), file=sys.stderr)
        self.assertEqual((stream['codec_name'], stream['width'], stream['height']), ('vp8', 320, 240), stream)
        self.assertIn('webm', fmt['format_name'])
        self.assertAlmostEqual(duration, recorded, delta=DURATION_TOLERANCE)
        self.assertAlmostEqual(rec['duration_s'], duration, delta=0.1)
        self.assertGreater(int(stream['nb_read_frames']), (recorded - DURATION_TOLERANCE) * 30 - 5)
        self.assertGreater(red_share(local), 0.7)
        status, headers, data = self.api.raw('GET', '/api/v1/recordings/%s/video/%s' % (SID, rec['name']),
                                             headers={'Range': 'bytes=0-3'})
        self.assertEqual((status, data), (206, b'\x1a\x45\xdf\xa3'))  # EBML: a WebM from its first byte

    def test_kill_leaves_a_playable_file(self):
        self.api.expect(200, 'POST', th.session_path(SID, 'recording'), {'channels': ['en']})
        name = wait_until('a video file', lambda: self.cam.video_recording()['file'])
        start = time.monotonic()
        wait_until('video written', lambda: self.cam.video_recording()['bytes'] > 0)
        time.sleep(3.0 - (time.monotonic() - start))
        self.cam.daemon.proc.kill()          # kill -9
        recorded = time.monotonic() - start
        self.cam.daemon.proc.wait(5)
        local = os.path.join(self.dir, SID, 'video', name)
        stream, fmt = ffprobe(local)
        print('kill -9 after %.2f s of video: %s frames play' % (recorded, stream['nb_read_frames']), file=sys.stderr)
        self.assertEqual(stream['codec_name'], 'vp8')
        self.assertGreaterEqual(int(stream['nb_read_frames']), KILL_FRAMES)
        self.assertGreater(red_share(local), 0.7)
        # restarted, the sitting records again (its durable state), and so does its picture, in a
        # new file, once a camera sends again
        time.sleep(1.1)          # a new second: the new file's name differs
        self.cam.daemon.start()
        self.api = self.cam.api = self.cam.daemon.api()
        self.cam.publish()
        state = wait_until('the video recorded again', lambda: (lambda r: r if r['bytes'] > 0 and r['file'] else None)(
            self.cam.video_recording()), timeout=10.0)
        self.assertEqual(state['state'], 'recording', state)
        self.assertNotEqual(state['file'], name, state)
        self.assertEqual(sorted(r['name'] for r in self.cam.video_files()), sorted([name, state['file']]))


class FullDisk(unittest.TestCase):
    """The recordings folder is a small tmpfs that fills up while the video records."""

    def mount(self, size):
        rec_dir = private_dir(self, 'tolk-recordings-')
        res = subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=%s,mode=0750' % size, 'tolk-e2e-vrec', rec_dir],
                             capture_output=True, text=True)
        if res.returncode != 0:
            self.skipTest('cannot mount a tmpfs as the recordings folder (needs root): %s' % res.stderr.strip())
        self.addCleanup(subprocess.run, ['umount', rec_dir])
        return rec_dir

    def test_space_warning_reckons_with_the_video(self):
        """400 MB free: room for an hour of one channel (30 MB, and the 256 MiB floor), not for
        the hour of picture (675 MB) that records with it."""
        cam = Camera(self, self.mount('400m'))
        space = lambda: [p for p in th.health(cam.daemon)[1].get('problems', []) if p['what'] == 'recordings_space']
        cam.api.expect(200, 'POST', th.session_path(SID, 'channels', 'en', 'recording'))
        problem = wait_until('the space warning', space, timeout=8.0)
        self.assertIn('MiB free', problem[0]['message'], problem)
        cam.api.expect(200, 'DELETE', th.session_path(SID, 'channels', 'en', 'recording'))
        self.assertEqual(space(), [])   # nothing records: no warning

    def test_full_then_room_again(self):
        rec_dir = self.mount('3m')
        cam = Camera(self, rec_dir)
        viewer = cam.peer('view', th.session_path(SID, 'booths', 'en', 'consoles', '1', 'whep'), cam.console_token,
                          60, 440)
        self.assertEqual(viewer.first(), {'status': 201, 'video': True, 'connected': True})
        self.assertIsNotNone(viewer.wait_for(lambda s: s['red'] >= 30), viewer.last())
        cam.api.expect(200, 'POST', th.session_path(SID, 'channels', 'en', 'recording'))
        wait_until('video written', lambda: cam.video_recording()['bytes'] > 0)
        filler = fill(rec_dir)
        state = wait_until('failing', lambda: (lambda r: r if r['state'] == 'failing' else None)(
            cam.video_recording()), timeout=10.0)
        self.assertEqual(state['last_error'], 'ENOSPC', state)
        self.assertGreater(state['write_errors'], 0, state)
        red = viewer.last()['red']
        self.assertIsNotNone(viewer.wait_for(lambda s: s['red'] >= red + 45, timeout=4),  # 1.5 s of picture
                             'the console lost its picture while the disk was full: %s' % viewer.last())
        status, health = th.health(cam.daemon)
        problems = [(p['channel'], p['error']) for p in health.get('problems', []) if p.get('what') == 'recording']
        self.assertIn(('video', 'ENOSPC'), problems, health)
        os.unlink(filler)
        wait_until('writing again', lambda: (lambda r: r if r['state'] == 'recording' else None)(
            cam.video_recording()), timeout=10.0)
        time.sleep(1.5)
        cam.api.expect(200, 'DELETE', th.session_path(SID, 'channels', 'en', 'recording'))
        files = wait_until('finished', lambda: (lambda f: f if f and not any(r['recording'] for r in f) else None)(
            cam.video_files()))
        self.assertGreaterEqual(len(files), 2, files)   # the file cut by the full disk, and the one after
        for rec in files:
            stream, _ = ffprobe(os.path.join(rec_dir, SID, 'video', rec['name']))
            self.assertEqual(stream['codec_name'], 'vp8', rec)
            self.assertGreater(int(stream['nb_read_frames']), 0, rec)
        log = cam.daemon.stderr()
        self.assertIn('recording: cannot write the video', log)
        self.assertIn('recording: writing the video again', log)


class H264Recording(unittest.TestCase):
    """An h264 sitting fed by a hall encoder's SRTP (ffmpeg, libx264, on red): its picture is
    recorded as a fragmented MP4, depayloaded and never decoded."""

    def test_srtp_h264_into_mp4(self):
        rec_dir = private_dir(self, 'tolk-recordings-')
        daemon = th.Daemon(extra_args=ICE + ['--recordings-dir', rec_dir]).start()
        self.addCleanup(daemon.stop)
        api = daemon.api()
        api.expect(201, 'POST', '/api/v1/sessions', dict(SITTING, video_codec='h264'))
        src = api.expect(201, 'POST', th.session_path(SID, 'video', 'sources'), {'name': 'Hall'})
        sender = ffmpeg_h264(src['srtp']['key'], src['port'])
        self.addCleanup(sender.kill)
        video = lambda: api.expect(200, 'GET', th.session_path(SID))['video']
        wait_until('the encoder received', lambda: video()['live'] == src['id'] or None, timeout=10.0)
        path = th.session_path(SID, 'recording')
        start = time.monotonic()
        api.expect(200, 'POST', path, {'channels': ['en']})
        state = wait_until('video written', lambda: (lambda r: r if r['bytes'] > 0 else None)(video()['recording']))
        self.assertTrue(state['file'].endswith('.mp4'), state)
        time.sleep(RECORD_S - (time.monotonic() - start))
        api.expect(200, 'DELETE', path)
        recorded = time.monotonic() - start
        files = lambda: [r for r in api.expect(200, 'GET', 'recordings?session=%s' % SID)['recordings']
                         if r['kind'] == 'video' and not r['recording']]
        rec = wait_until('the file finished', files)[0]
        local = download(self, api, rec, 'video/mp4')
        stream, fmt = ffprobe(local)
        duration = float(fmt['duration'])
        print('a %.2f s H.264 recording: the MP4 plays %.2f s, %s frames; the listing says %.3f s'
              % (recorded, duration, stream['nb_read_frames'], rec['duration_s']), file=sys.stderr)
        self.assertEqual((stream['codec_name'], stream['width'], stream['height']), ('h264', 320, 240), stream)
        self.assertIn('mp4', fmt['format_name'])
        # the last fragment (1 s) may still be open when the recording stops
        self.assertAlmostEqual(duration, recorded, delta=DURATION_TOLERANCE + 1.0)
        self.assertAlmostEqual(rec['duration_s'], duration, delta=0.1)
        self.assertGreater(red_share(local), 0.7)


if __name__ == '__main__':
    unittest.main(verbosity=2)
