# SPDX-License-Identifier: EUPL-1.2
"""Durable sittings (issue 9): the daemon is killed (kill -9) and stopped (SIGTERM) in the middle
of a sitting while its ffmpeg senders and its ffmpeg receiver keep running untouched; started
again with the same arguments on the same --state-dir it must give back everything made through
the API (ports and keys, outputs, tokens, console states, public flags, open signals), the
receiver must decode the live console's tone again within 3 s of the new start, the output's
packet index must continue forward (same SSRC, sequence number forward by less than 3000,
timestamps forward), packets replayed from before the restart must still be refused, and ids
made after it must be fresh. A change is in the state file when the API answers it, so a kill -9
right after the answer keeps it. A --session sitting comes back from the state, not the file.

One sitting 'durable': channels de, en, fr; booth en with 2 consoles (B: fr). The floor sends
440 Hz and console en/1 880 Hz (both ffmpeg); en/1 is live on en, so the en output carries
880 Hz only."""
import contextlib
import os
import sqlite3
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tolkharness as th  # noqa: E402
from test_input_attacks import Relay, send_paced  # noqa: E402

SID = 'durable'
FLOOR, EN1, EN2 = 440, 880, 990
SITTING = {'id': SID, 'name': 'e2e restart', 'floor_language': 'de', 'channels': ['de', 'en', 'fr'],
           'booths': [{'language': 'en', 'consoles': 2, 'b_channels': ['fr']}]}
CONSOLE_STATES = {'en/1': {'mic': 'on', 'listen': 'fr', 'partner_listen': True},
                  'en/2': {'output': 'B', 'b_channel': 'fr', 'listen': 'auto'}}
BACK_WITHIN = 3.0       # s from the new start until the receiver decodes en/1 again
INPUTS_WITHIN = 2.0     # s from the new start until the restored inputs are receiving
SEQ_MARGIN = 3000       # packets an output's sequence may jump forward across a restart
REPLAY_AGE = 2.0        # s: packets this old at the kill must be refused after it


def sp(*parts):
    return th.session_path(SID, *parts)


def console_view(con):
    return {k: con.get(k) for k in ('id', 'mic', 'output', 'b_channel', 'listen', 'hears',
                                    'partner_listen')}


def output_view(out):
    return {k: out.get(k) for k in ('id', 'host', 'port', 'key', 'ssrc')} | {
        'srtp_key': out['srtp']['key']}


def durable_state(api):
    """What must survive a restart, from the operator's answers, without counters and levels."""
    s = api.expect(200, 'GET', sp())
    return {
        'settings': {k: s.get(k) for k in ('name', 'floor_language', 'interlock', 'idle_channel',
                                           'original_under_db', 'sound_check')},
        'inputs': {i['id']: (i['port'], i['srtp']['key']) for i in s['inputs']},
        'channels': {c['id']: {'public': c['public'], 'source': c['source'],
                               'outputs': [output_view(o) for o in c['outputs']]}
                     for c in s['channels']},
        'consoles': {c['id']: dict(console_view(c), outputs=[output_view(o) for o in c['outputs']])
                     for b in s['booths'] for c in b['consoles']},
        'tokens': api.expect(200, 'GET', sp('tokens'))['tokens'],
        'signals': api.expect(200, 'GET', sp('signals'))['signals'],
    }


def state_file_text(state_dir):
    """Every value of every table of DIR/tolk.db as one text, read as another process would
    (with the WAL): what a kill -9 now would leave. A secret the daemon keeps (a token, an own
    output key) must be in it once the API has answered."""
    uri = 'file:%s?mode=ro' % os.path.join(state_dir, 'tolk.db')
    with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=2)) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        text = '\n'.join(str(v) for t in tables for row in db.execute('SELECT * FROM "%s"' % t)
                         for v in row)
    return text.replace('\\/', '/')       # JSON may escape the slashes of base64


@contextlib.contextmanager
def state_file_busy(state_dir, seconds=0.3):
    """Holds the state file's write lock for `seconds` from now, as a backup tool or a slow disk
    would: the daemon's commit has to wait that long, and so must its answer."""
    db = sqlite3.connect(os.path.join(state_dir, 'tolk.db'), isolation_level=None,
                         check_same_thread=False, timeout=2)
    db.execute('BEGIN IMMEDIATE')
    release = threading.Timer(seconds, lambda: (db.rollback(), db.close()))
    release.start()
    try:
        yield
    finally:
        release.join()


class Restart(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = th.Daemon().start()
        cls.state_dir = cls.daemon.state_dir
        cls.api = cls.daemon.api()
        cls.senders, cls.receivers, cls.capture = [], [], None
        try:
            cls.build_sitting()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def build_sitting(cls):
        api = cls.api
        session = api.expect(201, 'POST', 'sessions', SITTING)
        cls.senders = [th.Sender.for_input(session, 'floor', FLOOR, kind='ffmpeg').start(),
                       th.Sender.for_input(session, 'en/1', EN1, kind='ffmpeg').start()]
        cls.sender_pids = [s.proc.pid for s in cls.senders]
        for cid, change in CONSOLE_STATES.items():
            api.expect(200, 'PATCH', th.console_path(cid, SID), change)
        api.expect(200, 'PATCH', sp('channels', 'fr'), {'public': True})
        cls.tokens = {
            'console': api.expect(201, 'POST', sp('tokens'), {'role': 'console', 'console': 'en/1'}),
            'listener': api.expect(201, 'POST', sp('tokens'), {'role': 'listener', 'channel': 'en'}),
            'floor': api.expect(201, 'POST', sp('tokens'), {'role': 'floor'}),
        }
        cls.revoked = api.expect(201, 'POST', sp('tokens'), {'role': 'listener', 'channel': 'de'})
        api.expect(204, 'DELETE', sp('tokens', cls.revoked['id']))
        api.expect(201, 'POST', sp('signals'), {'kind': 'technician', 'console': 'en/2'})
        cls.cleared = api.expect(201, 'POST', sp('signals'), {'kind': 'slower', 'console': 'en/1'})
        api.expect(204, 'DELETE', sp('signals', str(cls.cleared['id'])))
        rx, cls.out = api.listen(sp('channels', 'en', 'outputs'), 'en output')
        cls.receivers.append(rx)
        cls.rx = rx
        cls.capture = th.RtpCapture()
        cls.captured_out = api.expect(201, 'POST', sp('channels', 'en', 'outputs'),
                                      {'host': '127.0.0.1', 'port': cls.capture.port, 'key': 'own'})
        api.expect(201, 'POST', th.console_path('en/1', SID) + '/outputs',
                   {'host': '127.0.0.1', 'port': th.free_udp_pair()})
        cls.rx.wait_for([EN1], [FLOOR], timeout=8.0)
        cls.record_en2_input(session)

    @classmethod
    def record_en2_input(cls, session):
        """A real sender on en/2's input through a relay that keeps its packets: the capture an
        attacker would replay after the restart. en/2 stays off and its input quiet after."""
        inp = th.find_input(session, 'en/2')
        relay = Relay(inp['port'])
        try:
            with th.Sender(relay.port, inp['srtp']['key'], EN2, kind='gst'):
                th.wait_until(lambda: len(relay.captured) > 100, timeout=5.0,
                              message='the relay to catch 100 packets of en/2')
        finally:
            relay.close()
        cls.en2_packets = list(relay.captured)
        cls.en2_port = inp['port']
        cls.en2_recorded = time.monotonic()

    @classmethod
    def tearDownClass(cls):
        if cls.capture is not None:
            cls.capture.close()
        th.stop_all(cls.receivers, cls.senders, cls.daemon)

    def setUp(self):
        self.assertTrue(self.daemon.alive(), 'daemon died:\n' + self.daemon.stderr())

    # -- the checks around one restart

    def restart_case(self, hard):
        what = 'kill -9' if hard else 'SIGTERM'
        before = durable_state(self.api)
        self.assertEqual(before['consoles']['en/1']['mic'], 'on', before['consoles'])
        if time.monotonic() - self.en2_recorded < REPLAY_AGE:
            time.sleep(REPLAY_AGE - (time.monotonic() - self.en2_recorded))
        stopped, started = th.restart(self.daemon, hard=hard)
        self.assert_back(stopped, started, what)
        self.assertEqual(durable_state(self.api), before, 'the state after %s' % what)
        self.assert_tokens_work()
        self.assert_output_continues(started, what)
        self.assert_replay_refused(what)
        self.assertEqual([s.proc.pid for s in self.senders if s.running()], self.sender_pids,
                         'a sender stopped or was restarted')
        self.assert_new_ids_fresh(before)

    def assert_back(self, stopped, started, what):
        """The untouched ffmpeg receiver decodes en/1 again (and not the floor) within 3 s of
        the start: the output kept its port, key and SSRC and its index moved forward."""
        window = 0.2
        try:
            self.rx.wait_for([EN1], [FLOOR], timeout=BACK_WITHIN - (time.monotonic() - started),
                             window_s=window)
        except AssertionError as e:
            raise AssertionError('after %s, the receiver did not decode %d Hz within %.1f s of '
                                 'the new start: %s\n--- daemon log ---\n%s'
                                 % (what, EN1, BACK_WITHIN, e, self.daemon.stderr())) from None
        back = time.monotonic() - window
        # The old process is gone: what plays now comes from the new one, and keeps playing.
        self.rx.hold([EN1], [FLOOR], duration=1.0)
        print('%s: daemon down %.2f s (stop to new start), %d Hz decoded again %.2f s after the '
              'new start, audio gap %.2f s' % (what, started - stopped, EN1, back - started,
                                               back - stopped), file=sys.stderr)
        self.assertLess(back - started, BACK_WITHIN)
        self.assert_inputs_receiving(started)

    def assert_inputs_receiving(self, started):
        """Within 2 s of the start the restored inputs play their senders again."""
        def states():
            s = self.api.expect(200, 'GET', sp())
            got = {i: th.find_input(s, i)['health']['state'] for i in ('floor', 'en/1')}
            return got if set(got.values()) == {'receiving'} else None
        th.wait_until(states, timeout=max(0.0, INPUTS_WITHIN - (time.monotonic() - started)),
                      message='floor and en/1 receiving within %.0f s of the start' % INPUTS_WITHIN)

    def assert_tokens_work(self):
        api = self.api
        con = api.get(th.console_path('en/1', SID), token=self.tokens['console']['token'])
        self.assertEqual(con[0], 200, con)
        self.assertEqual((con[1]['mic'], con[1]['listen'], con[1]['partner_listen']),
                         ('on', 'fr', True), con[1])
        for role in ('listener', 'floor'):
            status, view = api.get(sp(), token=self.tokens[role]['token'])
            self.assertEqual(status, 200, '%s token after the restart: %s' % (role, view))
            self.assertNotIn('inputs', view, 'the %s token got the operator view' % role)
        self.assertEqual(api.get(sp(), token=self.revoked['token'])[0], 401,
                         'a token revoked before the restart works again')
        self.assertEqual(api.get(sp(), token='not-a-token')[0], 401)
        # The floor token still refuses what a console may do: the grants came back too.
        status, _ = api.patch(th.console_path('en/1', SID), {}, token=self.tokens['floor']['token'])
        self.assertEqual(status, 403)

    def assert_new_ids_fresh(self, before):
        """Ids made after the restart are not those of before it, not even those of a token
        revoked or a signal cleared before it (the access log names tokens by their ids)."""
        api = self.api
        out = api.expect(201, 'POST', sp('channels', 'fr', 'outputs'),
                         {'host': '127.0.0.1', 'port': th.free_udp_pair()})
        api.expect(204, 'DELETE', sp('channels', 'fr', 'outputs', out['id']))
        used = [o['id'] for c in before['channels'].values() for o in c['outputs']]
        used += [o['id'] for c in before['consoles'].values() for o in c['outputs']]
        self.assertNotIn(out['id'], used)
        token = api.expect(201, 'POST', sp('tokens'), {'role': 'listener', 'channel': 'fr'})
        api.expect(204, 'DELETE', sp('tokens', token['id']))
        self.assertNotIn(token['id'], [t['id'] for t in before['tokens']] + [self.revoked['id']])
        signal = api.expect(201, 'POST', sp('signals'), {'kind': 'slower', 'console': 'en/1'})
        api.expect(204, 'DELETE', sp('signals', str(signal['id'])))
        self.assertNotIn(signal['id'], [g['id'] for g in before['signals']] + [self.cleared['id']])

    def assert_output_continues(self, started, what):
        """The own-key output's packets across the restart: same SSRC, sequence forward by less
        than SEQ_MARGIN (ffmpeg keeps its sequence, libsrtp's rollover guess holds), timestamp
        forward: no packet index, so no keystream, is used twice."""
        last = self.capture.last_before(started)      # the old process's last, whenever it died
        first = th.wait_until(lambda: self.capture.first_after(started), timeout=2.0,
                              message='a packet of the restored own-key output')
        self.assertIsNotNone(last, 'no packet of the own-key output before the restart')
        _, ssrc0, seq0, ts0 = last
        _, ssrc1, seq1, ts1 = first
        seq_step = (seq1 - seq0) % 65536
        ts_step = (ts1 - ts0) % 2**32
        print('%s: own-key output ssrc %08x -> %08x, seq %d -> %d (+%d), timestamp +%d'
              % (what, ssrc0, ssrc1, seq0, seq1, seq_step, ts_step), file=sys.stderr)
        self.assertEqual(ssrc1, ssrc0, 'the output changed its SSRC across %s' % what)
        self.assertTrue(0 < seq_step < SEQ_MARGIN,
                        'sequence %d -> %d across %s: not forward by 1..%d'
                        % (seq0, seq1, what, SEQ_MARGIN - 1))
        self.assertTrue(0 < ts_step < 2**31, 'timestamp %d -> %d across %s: not forward'
                        % (ts0, ts1, what))

    def assert_replay_refused(self, what):
        """en/2's packets recorded before the restart, sent again to its (quiet) input after it,
        are refused as replays: the replay floor was stored with the key."""
        before = th.find_input(self.api.expect(200, 'GET', sp()), 'en/2')['health']
        send_paced(self.en2_port, self.en2_packets, 200)
        time.sleep(0.3)
        after = th.find_input(self.api.expect(200, 'GET', sp()), 'en/2')['health']
        sent = len(self.en2_packets)
        replayed = after['dropped']['replay'] - before['dropped']['replay']
        self.assertGreaterEqual(after['received'] - before['received'], sent - 5,
                                'the replayed packets did not reach en/2')
        self.assertGreaterEqual(replayed, sent - 2,
                                'after %s, %d of %d packets recorded before it were accepted '
                                'again by en/2: %s' % (what, sent - replayed, sent, after))

    # -- the tests (in this order, on the same daemon, receivers and senders)

    def test_1_kill_9(self):
        self.restart_case(hard=True)

    def test_2_sigterm(self):
        self.restart_case(hard=False)

    def test_3_state_file_private(self):
        db = os.path.join(self.state_dir, 'tolk.db')
        self.assertTrue(os.path.isfile(db), 'no %s' % db)
        self.assertEqual(os.stat(db).st_mode & 0o777, 0o600, oct(os.stat(db).st_mode))
        self.assertEqual(os.stat(self.state_dir).st_mode & 0o077, 0, oct(os.stat(self.state_dir).st_mode))

    def test_4_answered_change_survives_kill_9(self):
        """A change is on disk once the API has answered it: in the state file at the answer
        (even when the commit has to wait for the file), and after a kill -9 right after it."""
        api = self.api
        api.expect(200, 'PATCH', th.console_path('en/2', SID), {'listen': 'de'})
        api.expect(200, 'PATCH', sp('channels', 'de'), {'public': True})
        with state_file_busy(self.state_dir):
            token = api.expect(201, 'POST', sp('tokens'), {'role': 'console', 'console': 'en/2'})
            self.assertTrue(token['token'] in state_file_text(self.state_dir),
                            'the token was answered before it was in the state file')
        with state_file_busy(self.state_dir):
            out = api.expect(201, 'POST', sp('channels', 'de', 'outputs'),
                             {'host': '127.0.0.1', 'port': th.free_udp_pair(), 'key': 'own'})
            self.assertTrue(out['srtp']['key'] in state_file_text(self.state_dir),
                            'the output was answered before it was in the state file')
        self.daemon.kill()
        self.daemon.proc = None
        th.start_again(self.daemon)
        state = durable_state(api)
        self.assertEqual(state['consoles']['en/2']['listen'], 'de')
        self.assertTrue(state['channels']['de']['public'])
        self.assertIn(token, state['tokens'])
        self.assertIn(output_view(out), state['channels']['de']['outputs'])
        self.assertEqual(api.get(th.console_path('en/2', SID), token=token['token'])[0], 200)
        self.rx.wait_for([EN1], [FLOOR], timeout=BACK_WITHIN)


class SessionFileRestart(unittest.TestCase):
    """A sitting from a --session file that is in the state is restored from it (same keys,
    the operator's changes kept), not made again from the file."""

    def test_session_file_restored_from_state(self):
        fd, path = tempfile.mkstemp(prefix='tolk-session-', suffix='.json')
        self.addCleanup(os.unlink, path)
        with os.fdopen(fd, 'w') as f:
            f.write('{"id":"filed","channels":["en"],"booths":[{"language":"en","consoles":1}]}')
        daemon = th.Daemon(session_file=path).start()
        self.addCleanup(daemon.stop, False)
        api = daemon.api()
        path_ = th.session_path('filed')
        api.expect(200, 'PATCH', th.console_path('en/1', 'filed'), {'listen': 'auto', 'mic': 'on'})
        out = api.expect(201, 'POST', path_ + '/channels/en/outputs',
                         {'host': '127.0.0.1', 'port': th.free_udp_pair()})
        before = api.expect(200, 'GET', path_)
        for hard in (True, False):
            th.restart(daemon, hard=hard)
            after = api.expect(200, 'GET', path_)
            self.assertEqual({i['id']: (i['port'], i['srtp']['key']) for i in after['inputs']},
                             {i['id']: (i['port'], i['srtp']['key']) for i in before['inputs']},
                             'the --session sitting came back with other ports or keys')
            con = th.console_of(after, 'en/1')
            self.assertEqual((con['mic'], con['listen']), ('on', 'auto'))
            outs = th.find(after['channels'], 'id', 'en')['outputs']
            self.assertEqual([(o['id'], o['srtp']['key']) for o in outs],
                             [(out['id'], out['srtp']['key'])])
            self.assertEqual([s['id'] for s in api.expect(200, 'GET', 'sessions')['sessions']],
                             ['filed'], 'the sitting is there twice')


if __name__ == '__main__':
    unittest.main(verbosity=2)
