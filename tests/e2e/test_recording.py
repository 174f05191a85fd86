# SPDX-License-Identifier: EUPL-1.2
"""Recording (issue 10), against the real daemon: a sitting with the floor at 440 Hz and the en
channel live at 880 Hz (ffmpeg SRTP senders) is recorded through the API; each file ffprobe
accepts with the duration recorded (within 0.5 s), the tags TOLK_SITTING, TOLK_CHANNEL, LANGUAGE
and DATE, and the channel's tone (decoded with ffmpeg); a kill -9 mid-recording leaves a
playable file short of at most about a second, and the restarted daemon records on in a new
segment; a Range download answers 206 with the file's bytes; names that are not the folder's
are refused (.., %2f, a symbolic link); a full disk (a small tmpfs as --recordings-dir) is
reported in the channel's state, /healthz and /metrics while the channel's output carries its
audio on, and clears once there is room."""
import array
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tolkharness as th  # noqa: E402
from test_state_faults import fill, private_dir  # noqa: E402

SID = 'rec'
FLOOR, EN1 = 440, 880
SITTING = {'id': SID, 'name': 'e2e recording', 'floor_language': 'de', 'channels': ['en'],
           'booths': [{'language': 'en', 'consoles': 1}]}
RECORD_S = 3.0          # s of audio each recording takes
DURATION_TOLERANCE = 0.5
KILL_LOSS_S = 1.3       # s a kill -9 may cost: the page of the last second, and the queue


def ffprobe(path):
    res = subprocess.run(['ffprobe', '-v', 'error', '-show_format', '-show_streams', '-of', 'json', path],
                         capture_output=True, text=True, timeout=20)
    if res.returncode != 0:
        raise AssertionError('ffprobe refused %s: %s' % (path, res.stderr))
    return json.loads(res.stdout)


def decode(path):
    """The file as 48 kHz mono float samples, decoded by ffmpeg."""
    res = subprocess.run(['ffmpeg', '-v', 'error', '-nostdin', '-i', path, '-f', 'f32le', '-ac', '1', '-ar',
                          str(th.RATE), 'pipe:1'], capture_output=True, timeout=20)
    if res.returncode != 0:
        raise AssertionError('ffmpeg cannot decode %s: %s' % (path, res.stderr.decode(errors='replace')))
    data = res.stdout[:len(res.stdout) - len(res.stdout) % 4]
    return array.array('f', data)


def tags_of(probe):
    tags = dict(probe['format'].get('tags', {}))
    for stream in probe['streams']:
        tags.update(stream.get('tags', {}))
    return {k.upper(): v for k, v in tags.items()}


def wait_until(what, check, timeout=5.0, step=0.1):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(step)
    raise AssertionError('%s: not within %.1f s (last: %r)' % (what, timeout, last))


class Sitting:
    """A daemon with the sitting, its two ffmpeg senders and the console live."""

    def __init__(self, cleanup, recordings_dir, state_dir=None):
        self.recordings_dir = recordings_dir
        self.daemon = th.Daemon(state_dir=state_dir,
                                extra_args=['--recordings-dir', recordings_dir]).start()
        self.api = self.daemon.api()
        self.senders, self.receivers = [], []
        cleanup(lambda: th.stop_all(self.receivers, self.senders, self.daemon))

    def create(self):
        s = self.api.expect(201, 'POST', 'sessions', SITTING)
        self.senders += [th.Sender.for_input(s, 'floor', FLOOR, kind='ffmpeg').start(),
                         th.Sender.for_input(s, 'en/1', EN1, kind='ffmpeg').start()]
        self.api.expect(200, 'PATCH', th.console_path('en/1', SID), {'mic': 'on'})
        return s

    def listen_en(self):
        rx, _ = self.api.listen(th.session_path(SID, 'channels', 'en', 'outputs'), 'en output')
        self.receivers.append(rx)
        rx.wait_for([EN1], [FLOOR], timeout=8.0)
        return rx

    def channel(self, name):
        s = self.api.expect(200, 'GET', th.session_path(SID))
        return th.find(s['channels'], 'id', name)

    def recordings(self, **query):
        q = '?' + '&'.join('%s=%s' % kv for kv in query.items()) if query else ''
        return self.api.expect(200, 'GET', 'recordings' + q)['recordings']

    def download(self, rec, headers=None):
        path = '/api/v1/recordings/%s/%s/%s' % (rec['session'], rec['channel'], rec['name'])
        return self.api.raw('GET', path, headers=headers)


class Recording(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix='tolk-recordings-')
        cls.addClassCleanup(shutil.rmtree, cls.dir, True)   # last: after the daemon stopped
        cls.state_dir = th.new_state_dir()
        cls.sitting = Sitting(cls.addClassCleanup, cls.dir, cls.state_dir)
        cls.api = cls.sitting.api
        cls.sitting.create()
        cls.sitting.listen_en()   # the tones flow: what is recorded from now on is the tone

    def record(self, seconds, body=None):
        """Records the sitting for about `seconds`; returns the time between the answers."""
        path = th.session_path(SID, 'recording')
        start = time.monotonic()
        view = self.api.expect(200, 'POST', path, body) if body is not None else \
            th.decode_json(self.api.raw('POST', path)[2])
        self.assertEqual(th.find(view['channels'], 'id', 'en')['recording']['state'], 'recording', view)
        time.sleep(seconds)
        self.api.expect(200, 'DELETE', path)
        return time.monotonic() - start

    def fetch(self, rec):
        status, headers, data = self.sitting.download(rec)
        self.assertEqual(status, 200, data[:200])
        self.assertEqual(headers.get('content-type'), 'audio/ogg')
        self.assertEqual(len(data), rec['bytes'])
        fd, path = tempfile.mkstemp(suffix='.opus')
        with os.fdopen(fd, 'wb') as f:
            f.write(data)
        self.addCleanup(os.unlink, path)
        return path, data

    def check_file(self, rec, seconds, tone, other, language):
        path, _ = self.fetch(rec)
        probe = ffprobe(path)
        self.assertEqual(probe['streams'][0]['codec_name'], 'opus', probe)
        duration = float(probe['format']['duration'])
        self.assertAlmostEqual(duration, seconds, delta=DURATION_TOLERANCE, msg=rec)
        self.assertAlmostEqual(rec['duration_s'], duration, delta=0.1, msg=rec)
        tags = tags_of(probe)
        self.assertEqual(tags.get('TOLK_SITTING'), SID, tags)
        self.assertEqual(tags.get('TOLK_CHANNEL'), rec['channel'], tags)
        self.assertEqual(tags.get('LANGUAGE'), language, tags)
        self.assertEqual(tags.get('DATE', '')[:16], rec['start'][:16], (tags, rec))
        samples = decode(path)
        middle = samples[len(samples) // 4: 3 * len(samples) // 4]
        th.check_levels({tone: th.tone_dbfs(middle, tone), other: th.tone_dbfs(middle, other)},
                        [tone], [other])
        return path

    def test_1_record_and_stop(self):
        seconds = self.record(RECORD_S)
        files = self.sitting.recordings(session=SID)
        by_channel = {r['channel']: r for r in files}
        self.assertEqual(sorted(by_channel), ['en', 'floor'], files)
        for rec in files:
            self.assertFalse(rec['recording'], rec)
        self.check_file(by_channel['floor'], seconds, FLOOR, EN1, 'de')
        self.check_file(by_channel['en'], seconds, EN1, FLOOR, 'en')
        mode = os.stat(os.path.join(self.dir, SID, 'en', by_channel['en']['name'])).st_mode & 0o777
        self.assertEqual(mode, 0o640)
        en = self.sitting.channel('en')['recording']
        self.assertEqual((en['state'], en['file'], en['since'], en['last_error']), ('off', None, None, None), en)
        self.assertGreater(en['bytes'], 10000, en)
        metrics = self.api.metrics()
        self.assertGreater(th.metric_sum(metrics, 'tolk_recording_bytes_total', session=SID, channel='en'), 10000)

    def test_2_one_channel_and_range(self):
        path = th.session_path(SID, 'channels', 'en', 'recording')
        ch = self.api.expect(200, 'POST', path)
        self.addCleanup(self.api.request, 'DELETE', path)
        self.assertEqual(ch['recording']['state'], 'recording', ch)
        self.assertEqual(self.sitting.channel('floor')['recording']['state'], 'off')
        state = wait_until('a file', lambda: self.sitting.channel('en')['recording']['file'])
        time.sleep(1.5)
        live = [r for r in self.sitting.recordings() if r['recording']]
        self.assertEqual([(r['channel'], r['name']) for r in live], [('en', state)], live)
        self.api.expect(200, 'DELETE', path)
        rec = th.find(self.sitting.recordings(session=SID), 'name', state)
        _, whole = self.fetch(rec)
        size = len(whole)
        for spec, first, last in (('bytes=100-199', 100, 199), ('bytes=-50', size - 50, size - 1),
                                  ('bytes=%d-' % (size - 10), size - 10, size - 1),
                                  ('bytes=0-%d' % (size * 2), 0, size - 1)):
            status, headers, data = self.sitting.download(rec, {'Range': spec})
            self.assertEqual(status, 206, spec)
            self.assertEqual(headers.get('content-range'), 'bytes %d-%d/%d' % (first, last, size), spec)
            self.assertEqual(data, whole[first:last + 1], spec)
        for spec in ('bytes=%d-' % size, 'bytes=%d-%d' % (size + 5, size + 9)):
            status, headers, _ = self.sitting.download(rec, {'Range': spec})
            self.assertEqual(status, 416, spec)
            self.assertEqual(headers.get('content-range'), 'bytes */%d' % size, spec)
        status, _, data = self.sitting.download(rec, {'Range': 'bytes=0-1,5-9'})   # several: the whole file
        self.assertEqual((status, data), (200, whole))

    def test_3_bad_names_refused(self):
        en_dir = os.path.join(self.dir, SID, 'en')
        os.makedirs(en_dir, exist_ok=True)
        link = os.path.join(en_dir, '2026-01-01T00-00-00Z.opus')
        os.symlink(os.path.join(self.state_dir, 'tolk.db'), link)
        self.addCleanup(os.unlink, link)
        os.symlink(self.state_dir, os.path.join(self.dir, SID, 'de'))
        self.addCleanup(os.unlink, os.path.join(self.dir, SID, 'de'))
        names = [r['name'] for r in self.sitting.recordings()]
        self.assertNotIn('2026-01-01T00-00-00Z.opus', names)
        for path in ('rec/en/2026-01-01T00-00-00Z.opus',          # a link to the state file
                     'rec/de/tolk.db', 'rec/en/..%2f..%2f..%2fetc%2fpasswd', 'rec/en/..', 'rec/../en/x.opus',
                     'rec/en/%2e%2e', '..%2f/en/2026-01-01T00-00-00Z.opus', 'rec/en/2026-01-01T00-00-00Z.opus%00',
                     'rec/EN/2026-01-01T00-00-00Z.opus', 'rec/en/2026-13-01T00-00-00Z.opus'):
            status, _, body = self.api.raw('GET', '/api/v1/recordings/' + path)
            self.assertIn(status, (400, 404), (path, body))
            self.assertNotIn(b'SQLite', body, path)
        rec = self.sitting.recordings(session=SID)[0]
        for token in ('', 'wrong'):
            status, _, _ = self.sitting.api.raw('GET', '/api/v1/recordings', token=token)
            self.assertEqual(status, 401)
            status, _, _ = self.api.raw('GET', '/api/v1/recordings/%s/%s/%s' % (
                rec['session'], rec['channel'], rec['name']), token=token)
            self.assertEqual(status, 401)
        status, js = self.api.post(th.session_path(SID, 'recording'), {'channels': ['xx']})
        self.assertEqual((status, js['error']['code']), (400, 'invalid_value'), js)
        status, js = self.api.post(th.session_path(SID, 'recording'), {'channels': 'en'})
        self.assertEqual(status, 400, js)
        self.assertEqual(self.sitting.channel('en')['recording']['state'], 'off')

    def test_4_kill_and_resume(self):
        self.api.expect(200, 'POST', th.session_path(SID, 'recording'), {'channels': ['en']})
        started = time.monotonic()
        first = wait_until('a file', lambda: self.sitting.channel('en')['recording']['file'])
        time.sleep(RECORD_S)
        self.sitting.daemon.proc.kill()          # kill -9
        recorded = time.monotonic() - started
        self.sitting.daemon.proc.wait(5)
        path = os.path.join(self.dir, SID, 'en', first)
        probe = ffprobe(path)
        duration = float(probe['format']['duration'])
        print('kill -9 after %.2f s of recording: the file plays %.2f s' % (recorded, duration), file=sys.stderr)
        self.assertGreater(duration, recorded - KILL_LOSS_S, probe['format'])
        self.assertLess(duration, recorded + DURATION_TOLERANCE, probe['format'])
        samples = decode(path)
        th.check_levels({EN1: th.tone_dbfs(samples[len(samples) // 4:], EN1),
                         FLOOR: th.tone_dbfs(samples[len(samples) // 4:], FLOOR)}, [EN1], [FLOOR])
        time.sleep(1.1)          # a new second: the new segment's name differs
        self.sitting.daemon.start()
        self.api = self.sitting.api = self.sitting.daemon.api()
        type(self).api = self.api
        state = wait_until('recording resumed', lambda: (lambda r: r if r['state'] == 'recording' and r['file']
                                                         else None)(self.sitting.channel('en')['recording']))
        self.assertNotEqual(state['file'], first, state)
        self.assertEqual(self.sitting.channel('floor')['recording']['state'], 'off')
        time.sleep(1.5)
        files = [r for r in self.sitting.recordings(session=SID) if r['channel'] == 'en']
        current = th.find(files, 'name', state['file'])
        self.assertTrue(current['recording'], current)
        self.api.expect(200, 'DELETE', th.session_path(SID, 'recording'))
        probe = ffprobe(os.path.join(self.dir, SID, 'en', state['file']))
        self.assertGreater(float(probe['format']['duration']), 1.0, probe['format'])


class FullDisk(unittest.TestCase):
    """The recordings folder is a small tmpfs that fills up while a channel records."""

    def test_full_then_room_again(self):
        rec_dir = private_dir(self, 'tolk-recordings-')
        res = subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=2m,mode=0750', 'tolk-e2e-rec', rec_dir],
                             capture_output=True, text=True)
        if res.returncode != 0:
            self.skipTest('cannot mount a tmpfs as the recordings folder (needs root): %s' % res.stderr.strip())
        self.addCleanup(subprocess.run, ['umount', rec_dir])
        sitting = Sitting(self.addCleanup, rec_dir)
        api = sitting.api
        sitting.create()
        rx = sitting.listen_en()
        api.expect(200, 'POST', th.session_path(SID, 'channels', 'en', 'recording'))
        wait_until('a file', lambda: sitting.channel('en')['recording']['file'])
        filler = fill(rec_dir)          # mid-file: the next pages cannot be written
        state = wait_until('failing', lambda: (lambda r: r if r['state'] == 'failing' else None)(
            sitting.channel('en')['recording']), timeout=6.0)
        self.assertEqual(state['last_error'], 'ENOSPC', state)
        rx.wait_for([EN1], [FLOOR], timeout=2.0)      # the audio goes on
        status, health = th.health(sitting.daemon)
        problems = [p for p in health.get('problems', []) if p.get('what') == 'recording']
        self.assertEqual([(p['channel'], p['error']) for p in problems], [('en', 'ENOSPC')], health)
        self.assertTrue([p for p in health['problems'] if p['what'] == 'recordings_space'], health)
        metrics = api.metrics()
        lost = th.metric_sum(metrics, 'tolk_recording_lost_frames_total', session=SID, channel='en')
        self.assertGreater(th.metric_sum(metrics, 'tolk_recording_write_errors_total', session=SID, channel='en')
                           + lost, 0, metrics)
        os.unlink(filler)
        state = wait_until('writing again', lambda: (lambda r: r if r['state'] == 'recording' else None)(
            sitting.channel('en')['recording']), timeout=6.0)
        self.assertGreater(state['lost'], 0, state)
        time.sleep(2.5)
        api.expect(200, 'DELETE', th.session_path(SID, 'channels', 'en', 'recording'))
        rx.wait_for([EN1], [FLOOR], timeout=2.0)
        for rec in sitting.recordings(session=SID):
            probe = ffprobe(os.path.join(rec_dir, SID, rec['channel'], rec['name']))
            self.assertGreater(float(probe['format']['duration']), 1.5, (rec, probe['format']))
        self.assertIn('recording: cannot write', sitting.daemon.stderr())
        self.assertIn('recording: writing again', sitting.daemon.stderr())


if __name__ == '__main__':
    unittest.main(verbosity=2)
