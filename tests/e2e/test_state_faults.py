# SPDX-License-Identifier: EUPL-1.2
"""Faults of the durable state (issue 9), against the real daemon: a state folder or file open
to group or other is refused at start; a corrupt state file or one of a newer schema leaves the
daemon serving its --session sitting, degraded, refusing changes it cannot store and leaving the
file as it was; a full disk at run time never takes the audio or the consoles down, is reported
(health, metrics, event) and clears by itself once there is room, the pending state then
written."""
import errno
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tolkharness as th  # noqa: E402
from test_events import SseClient  # noqa: E402

SESSION = '{"id":"filed","channels":["en"],"booths":[{"language":"en","consoles":1}]}'
NEW_SITTING = {'id': 'fresh', 'channels': ['en'], 'booths': [{'language': 'en', 'consoles': 1}]}
FLOOR, EN1 = 440, 880
CLEARS_WITHIN = 8.0     # s: "within ~5 s" with room for a busy machine


def private_dir(test, prefix='tolk-state-'):
    path = tempfile.mkdtemp(prefix=prefix)
    test.addCleanup(shutil.rmtree, path, True)
    return path


def session_file(test):
    fd, path = tempfile.mkstemp(prefix='tolk-session-', suffix='.json')
    with os.fdopen(fd, 'w') as f:
        f.write(SESSION)
    test.addCleanup(os.unlink, path)
    return path


def unstarted(state_dir, **kw):
    """A Daemon on state_dir with its ports chosen, for a command line that should not start."""
    d = th.Daemon(state_dir=state_dir, **kw)
    d.port, d.rtp_range = th.free_tcp_port(), th.free_rtp_range()
    return d


def state_ok(api):
    return th.metric_sum(api.metrics(), 'tolk_state_ok')


def file_bytes(path):
    with open(path, 'rb') as f:
        return f.read()


class Permissions(unittest.TestCase):
    def assert_refused(self, state_dir, path, mode):
        rc, out = th.run_to_exit(unstarted(state_dir).argv())
        self.assertEqual(rc, 1, 'started with %s at %o:\n%s' % (path, mode, out))
        self.assertIn(path, out, 'the message does not name %s:\n%s' % (path, out))
        self.assertIn('chmod', out, 'the message does not say how to fix it:\n%s' % out)

    def test_missing_dir_is_created_private(self):
        parent = private_dir(self)
        state_dir = os.path.join(parent, 'nested', 'state')
        daemon = th.Daemon(state_dir=state_dir).start()
        self.addCleanup(daemon.stop, False)
        daemon.api().expect(201, 'POST', 'sessions', NEW_SITTING)
        self.assertEqual(os.stat(state_dir).st_mode & 0o777, 0o700)
        db = os.path.join(state_dir, 'tolk.db')
        self.assertEqual(os.stat(db).st_mode & 0o777, 0o600)

    def test_open_dir_refused(self):
        for mode in (0o750, 0o705, 0o702):
            state_dir = private_dir(self)
            os.chmod(state_dir, mode)
            self.assert_refused(state_dir, state_dir, mode)

    def test_open_file_refused(self):
        state_dir = private_dir(self)
        daemon = th.Daemon(state_dir=state_dir).start()
        daemon.api().expect(201, 'POST', 'sessions', NEW_SITTING)
        daemon.stop()
        db = os.path.join(state_dir, 'tolk.db')
        for mode in (0o640, 0o604, 0o620):
            os.chmod(db, mode)
            self.assert_refused(state_dir, db, mode)
        # Made private again, the state is there as it was.
        os.chmod(db, 0o600)
        daemon = th.Daemon(state_dir=state_dir).start()
        self.addCleanup(daemon.stop, False)
        daemon.api().expect(200, 'GET', th.session_path('fresh'))


class BadStateFile(unittest.TestCase):
    """A state file the daemon cannot use at start: it serves what it has without it."""

    def start_on(self, state_dir):
        daemon = unstarted(state_dir, session_file=session_file(self))
        th.start_again(daemon, healthy=False)
        self.addCleanup(daemon.stop, False)
        return daemon

    def assert_degraded_serving(self, daemon, db):
        status, body = th.health(daemon)
        self.assertEqual(body.get('status'), 'degraded', (status, body))
        self.assertIn('state', str(body).lower(), 'healthz does not name the state: %s' % body)
        api = daemon.api()
        self.assertEqual(state_ok(api), 0)
        self.assertIn(db, daemon.stderr(), 'the log does not name the state file')
        # The --session sitting runs; nothing was restored.
        ids = [s['id'] for s in api.expect(200, 'GET', 'sessions')['sessions']]
        self.assertEqual(ids, ['filed'])
        # A change it cannot store is refused, clearly.
        status, js = api.post('sessions', NEW_SITTING)
        self.assertEqual(status, 503, js)
        self.assertEqual(js['error']['code'], 'state_unwritable', js)
        self.assertIn(db, js['error']['message'])
        self.assertEqual(api.get(th.session_path('fresh'))[0], 404)

    def test_corrupt_file(self):
        state_dir = private_dir(self)
        db = os.path.join(state_dir, 'tolk.db')
        garbage = b'this is not a database\n' + os.urandom(8192)
        with open(db, 'wb') as f:
            f.write(garbage)
        os.chmod(db, 0o600)
        daemon = self.start_on(state_dir)
        self.assert_degraded_serving(daemon, db)
        daemon.stop()
        self.assertEqual(file_bytes(db), garbage, 'the corrupt state file was overwritten')

    def test_newer_schema(self):
        state_dir = private_dir(self)
        db = os.path.join(state_dir, 'tolk.db')
        with sqlite3.connect(db) as conn:
            conn.execute('CREATE TABLE from_the_future (x)')
            conn.execute('PRAGMA user_version = 999999')
        conn.close()
        os.chmod(db, 0o600)
        before = file_bytes(db)
        daemon = self.start_on(state_dir)
        self.assert_degraded_serving(daemon, db)
        self.assertRegex(daemon.stderr().lower(), r'newer|version 999999',
                         'the log does not say the state is from a newer version')
        daemon.stop()
        self.assertEqual(file_bytes(db), before, 'the newer state file was changed')


def fill(path):
    """Writes zeros to a file under path until the file system has not one byte left;
    returns its name."""
    name = os.path.join(path, 'filler')
    fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        for size in (1 << 16, 1 << 12, 1):
            try:
                while True:
                    os.write(fd, bytes(size))
            except OSError as e:
                if e.errno != errno.ENOSPC:
                    raise
    finally:
        os.close(fd)
    return name


class FullDisk(unittest.TestCase):
    """The state folder is a small tmpfs, filled up while a sitting runs."""

    def mount_small(self):
        state_dir = private_dir(self)
        res = subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=4m,mode=0700', 'tolk-e2e-full',
                              state_dir], capture_output=True, text=True)
        if res.returncode != 0:
            self.skipTest('cannot mount a tmpfs as the state folder (needs root): %s'
                          % res.stderr.strip())
        self.addCleanup(subprocess.run, ['umount', state_dir])
        return state_dir

    def setUp(self):
        self.state_dir = self.mount_small()
        self.daemon = th.Daemon(state_dir=self.state_dir).start()
        self.api = self.daemon.api()
        self.senders, self.receivers = [], []
        self.addCleanup(lambda: th.stop_all(self.receivers, self.senders, self.daemon))
        sitting = {'id': 'full', 'channels': ['en', 'fr'],
                   'booths': [{'language': 'en', 'consoles': 1}]}
        s = self.api.expect(201, 'POST', 'sessions', sitting)
        self.senders = [th.Sender.for_input(s, 'floor', FLOOR, kind='ffmpeg').start(),
                        th.Sender.for_input(s, 'en/1', EN1, kind='ffmpeg').start()]
        rx, _ = self.api.listen(th.session_path('full', 'channels', 'en', 'outputs'), 'en output')
        self.receivers.append(rx)
        self.rx = rx
        self.mic('on')
        rx.wait_for([EN1], [FLOOR], timeout=8.0)

    def mic(self, mic, listen=None):
        body = {'mic': mic} if listen is None else {'mic': mic, 'listen': listen}
        return self.api.expect(200, 'PATCH', th.console_path('en/1', 'full'), body)

    def refused_change(self):
        """Tokens until one cannot be stored (a database may have free pages left when the
        disk fills); returns the 503 answer."""
        path = th.session_path('full', 'tokens')
        for _ in range(300):
            status, js = self.api.post(path, {'role': 'listener', 'channel': 'en'})
            if status == 503:
                return js
            self.assertEqual(status, 201, js)
        self.fail('300 tokens were stored on a full disk')

    def test_full_then_room_again(self):
        api = self.api
        events = SseClient(self.daemon.host, self.daemon.port, th.session_path('full', 'events'),
                           token=self.daemon.token, name='events')
        self.addCleanup(events.close)
        events.wait_for('session')
        filler = fill(self.state_dir)
        js = self.refused_change()
        self.assertEqual(js['error']['code'], 'state_unwritable', js)
        self.assertIn(os.path.join(self.state_dir, 'tolk.db'), js['error']['message'])
        status, js = api.post('sessions', NEW_SITTING)
        self.assertEqual((status, js['error']['code']), (503, 'state_unwritable'), js)
        msg = events.wait_for('state', lambda d: d.get('ok') is False, timeout=5.0)
        self.assertTrue(msg['data'].get('error'), msg)
        status, body = th.health(self.daemon)
        self.assertEqual(body.get('status'), 'degraded', (status, body))
        self.assertEqual(state_ok(api), 0)
        # A live sitting is never stopped by a full disk: the audio and the consoles go on.
        self.rx.hold([EN1], [FLOOR], duration=1.0)
        self.mic('off')
        self.rx.wait_for([FLOOR], [EN1], timeout=3.0)
        con = self.mic('on', listen='fr')
        self.assertEqual((con['mic'], con['listen']), ('on', 'fr'))
        self.rx.wait_for([EN1], [FLOOR], timeout=3.0)
        self.assertTrue(self.daemon.alive())
        # Room again: the fault clears by itself and what was pending is written.
        os.unlink(filler)
        cleared = time.monotonic()
        th.wait_until(lambda: th.health(self.daemon)[1] == {'status': 'ok'}, timeout=CLEARS_WITHIN,
                      message='/healthz ok again once the disk has room')
        print('full disk: fault cleared %.2f s after room was made' % (time.monotonic() - cleared),
              file=sys.stderr)
        self.assertEqual(state_ok(api), 1)
        api.expect(201, 'POST', 'sessions', NEW_SITTING)
        th.restart(self.daemon, hard=False)
        con = th.console_of(api.expect(200, 'GET', th.session_path('full')), 'en/1')
        self.assertEqual((con['mic'], con['listen']), ('on', 'fr'),
                         'the console change made on the full disk was not stored once room came')
        api.expect(200, 'GET', th.session_path('fresh'))
        self.rx.wait_for([EN1], [FLOOR], timeout=3.0)


if __name__ == '__main__':
    unittest.main(verbosity=2)
