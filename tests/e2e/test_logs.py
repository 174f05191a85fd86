# SPDX-License-Identifier: EUPL-1.2
"""Logs a technician can use (issue 9): every line dated (UTC, milliseconds) with its level, naming
the sitting, console, channel or output in words and never a GStreamer element; one line per
event, so floods of bad packets give a bounded number of lines; an access log of the API changes
that names the operator or the grant, never a token; --log-format json and journal.

A daemon per format; its start banner (stdout, not a log line) is set apart from the log. The journal is faked: in a user and mount namespace a tmpfs over /run holds a datagram
socket at journald's fixed path, and the daemon's native journal fields are read from it."""

import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import tolkharness as th  # noqa: E402
from test_input_attacks import OPUS_SILENCE, Srtp, forged, send_paced  # noqa: E402

SID = 'plenary'
SESSIONS = '/api/v1/sessions'
SITTING = {'id': SID, 'channels': ['en', 'fr'], 'booths': [{'language': 'en', 'consoles': 2}]}
FLOOD = 2000
FLOOD_LINES_MAX = 5
TEXT_LINE = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (error|warn |info |debug) \S+ +\S')
# What no line may name: GStreamer elements by their numbered names, pads, pointers.
INTERNAL = re.compile(r'\b(udpsrc|udpsink|webrtcbin|appsrc|appsink|rtpbin|opusdec|opusenc|srtpdec|srtpenc|'
                      r'queue|fakesink|pipeline|capsfilter|tee|nicesrc|nicesink|dtlssrtpdec|dtlssrtpenc|'
                      r'rtpjitterbuffer|rtpopuspay|rtpopusdepay|filesrc|decodebin)\d+|'
                      r'\b\w+:(src|sink)(_\d+)?\b|0x[0-9a-f]{6,}')
JSON_KEYS = {'time', 'level', 'module', 'message'}
BANNER = re.compile(r'^Tolk \S+: API on https?://')
LSAN_RULE = '-' * 53


class LoggedDaemon(th.Daemon):
    """The harness daemon; its output file holds the log (stderr) and the start banner, which
    goes to stdout by design and is not a log line."""

    def lines(self):
        with open(self.stderr_path, 'rb') as f:
            lines = [line for line in f.read().decode('utf-8').splitlines() if not BANNER.match(line)]
        # Under AddressSanitizer, LeakSanitizer's table of the suppressions it used ends the
        # output (a leak itself fails the exit status, which stop() checks).
        if 'ASAN_OPTIONS' in os.environ and LSAN_RULE in lines:
            lines = lines[:lines.index(LSAN_RULE)]
        return lines


def console_path(cid):
    return th.console_path(cid, SID)


def wait_dropped(api, cid, at_least):
    def dropped():
        health = th.find_input(api.expect(200, 'GET', th.session_path(SID)), cid)['health']
        return sum(health['dropped'].values())
    th.wait_until(lambda: dropped() >= at_least, timeout=10, message='%d drops counted on %s' % (at_least, cid))


def changes(test, daemon):
    """The API changes every format's test makes: operator, a console token, a refusal."""
    api = daemon.api()
    session = api.expect(201, 'POST', SESSIONS, SITTING)
    grant = api.expect(201, 'POST', th.session_path(SID, 'tokens'), {'role': 'console', 'console': 'en/2'})
    console = daemon.api(grant['token'])
    console.expect(200, 'PATCH', console_path('en/2'), {'mic': 'on'})
    status, _ = console.patch(console_path('en/1'), {'mic': 'on'})
    test.assertEqual(status, 403)
    console.expect(200, 'GET', console_path('en/2'))  # reads are not in the access log
    return session, grant


class TextLogs(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix='tolk-logs-')
        cls.access = os.path.join(cls.dir, 'access.log')
        cls.daemon = LoggedDaemon(extra_args=['--access-log', cls.access]).start()

    @classmethod
    def tearDownClass(cls):
        cls.daemon.stop(check=False)
        shutil.rmtree(cls.dir, ignore_errors=True)

    def test_lines(self):
        api = self.daemon.api()
        session, grant = changes(self, self.daemon)
        out_port = th.free_udp_pair()
        output = api.expect(201, 'POST', th.session_path(SID, 'channels', 'fr', 'outputs'),
                            {'host': '127.0.0.1', 'port': out_port})

        # Floods: 50 requests guessing a token, 2000 forged datagrams, then 2000 authentic packets
        # with a bad padding count.
        port = th.find_input(session, 'en/1')['port']
        before = len(self.daemon.lines())
        guess = self.daemon.api('guessed-token-%d' % random.randrange(10**9))
        for _ in range(50):
            self.assertEqual(guess.patch(console_path('en/2'), {'mic': 'off'})[0], 401)
        send_paced(port, [forged(random.randrange(2**32), i) for i in range(FLOOD)], 2000)
        wait_dropped(api, 'en/1', FLOOD)
        srtp = Srtp(th.find_input(session, 'en/1')['srtp']['key'])
        ssrc = random.randrange(2**32)
        send_paced(port, [srtp.protect(ssrc, 100 + i, 960 * i, OPUS_SILENCE + b'\xff', first=0xa0)
                          for i in range(FLOOD)], 2000)
        wait_dropped(api, 'en/1', 2 * FLOOD)
        flood_lines = self.daemon.lines()[before:]

        # SIGHUP: logrotate moved the file; the next change goes to a new one under its name.
        os.rename(self.access, self.access + '.1')
        self.daemon.proc.send_signal(signal.SIGHUP)
        th.wait_until(lambda: os.path.exists(self.access), timeout=3, message='access log reopened')
        api.expect(204, 'DELETE', th.session_path(SID, 'channels', 'fr', 'outputs', output['id']))
        self.daemon.stop()
        lines = self.daemon.lines()

        for line in lines:
            self.assertRegex(line, TEXT_LINE)
            self.assertNotRegex(line, INTERNAL)
            self.assertNotIn(grant['token'], line)
            self.assertNotIn(self.daemon.token, line)
            self.assertNotIn(guess.token, line)
        self.assertLessEqual(len(flood_lines), FLOOD_LINES_MAX, 'the floods logged:\n' + '\n'.join(flood_lines))
        self.assertEqual(sum('en/1' in line and 'refused by SRTP' in line for line in flood_lines), 1,
                         '\n'.join(flood_lines))
        self.assertEqual(sum('en/1' in line and 'padding' in line for line in flood_lines), 1,
                         '\n'.join(flood_lines))
        self.assertEqual(sum('PATCH request from 127.0.0.1 presented a token nobody knows' in line
                             for line in flood_lines), 1, '\n'.join(flood_lines))

        text = '\n'.join(lines)
        self.assertIn('sitting plenary: started', text)
        self.assertRegex(text, r'sitting plenary, console en/2: .*mic on')
        self.assertIn('sitting plenary, channel fr, output %s to 127.0.0.1:%d: opened' % (output['id'], out_port),
                      text)
        self.assertIn('sitting plenary, channel fr, output %s to 127.0.0.1:%d: closed' % (output['id'], out_port),
                      text)

        access = [line for line in lines if ' access ' in line]
        who = 'console token %s (en/2)' % grant['id']
        expected = [
            # POST /sessions has no {sid} in its path: the new sitting's Location names it.
            'sitting plenary: operator from 127.0.0.1: POST /api/v1/sessions -> 201',
            'sitting plenary: operator from 127.0.0.1: POST /api/v1/sessions/plenary/tokens -> 201',
            'sitting plenary, console en/2: %s from 127.0.0.1: PATCH %s -> 200' % (who, console_path('en/2')),
            'sitting plenary, console en/1: %s from 127.0.0.1: PATCH %s -> 403' % (who, console_path('en/1')),
        ]
        for want in expected:
            self.assertTrue(any(line.endswith(' ' + want) for line in access), '%r not in\n%s'
                            % (want, '\n'.join(access)))
        self.assertFalse(any(' GET ' in line for line in access), '\n'.join(access))

        with open(self.access + '.1', encoding='utf-8') as f:
            rotated = f.read().splitlines()
        with open(self.access, encoding='utf-8') as f:
            reopened = f.read().splitlines()
        self.assertEqual(rotated + reopened, access)
        self.assertEqual(len(reopened), 1)
        self.assertIn('DELETE /api/v1/sessions/plenary/channels/fr/outputs/%s -> 204' % output['id'], reopened[0])


class JsonLogs(unittest.TestCase):
    def test_lines(self):
        with tempfile.TemporaryDirectory(prefix='tolk-logs-') as folder:
            access = os.path.join(folder, 'access.log')
            daemon = LoggedDaemon(extra_args=['--log-format', 'json', '--access-log', access]).start()
            try:
                session, grant = changes(self, daemon)
                port = th.find_input(session, 'en/1')['port']
                send_paced(port, [forged(random.randrange(2**32), i) for i in range(200)], 2000)
                wait_dropped(daemon.api(), 'en/1', 200)
            finally:
                daemon.stop()
            records = [json.loads(line) for line in daemon.lines()]
            with open(access, encoding='utf-8') as f:
                in_file = [json.loads(line) for line in f]
        for r in records:
            self.assertLessEqual(JSON_KEYS, set(r), r)
            self.assertRegex(r['time'], r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$')
            self.assertIn(r['level'], ('error', 'warn', 'info', 'debug'))
        started = [r for r in records if r['message'] == 'started: 2 channels, 1 booths, floor on port %d'
                   % th.find_input(session, 'floor')['port']]
        self.assertEqual([r.get('sitting') for r in started], [SID], records)
        refused = [r for r in records if 'refused by SRTP' in r['message']]
        self.assertEqual([(r['sitting'], r['console'], r['level']) for r in refused], [(SID, 'en/1', 'warn')])
        access = [r for r in records if r['module'] == 'access']
        self.assertEqual(access, in_file)
        patch = [r for r in access if r['method'] == 'PATCH' and r['status'] == '200']
        self.assertEqual(len(patch), 1, access)
        self.assertEqual((patch[0]['who'], patch[0]['sitting'], patch[0]['console'], patch[0]['address']),
                         ('console token %s (en/2)' % grant['id'], SID, 'en/2', '127.0.0.1'))
        self.assertEqual(patch[0]['path'], console_path('en/2'))
        self.assertNotIn(grant['token'], json.dumps(records))


# Runs inside `unshare -rm`: a tmpfs over /run, journald's socket faked, the daemon logging to it.
JOURNAL_CHILD = r'''
import json, os, socket, subprocess, sys
sys.path.insert(0, sys.argv[1])
import tolkharness as th
subprocess.run(['mount', '-t', 'tmpfs', 'tmpfs', '/run'], check=True)
os.makedirs('/run/systemd/journal')
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind('/run/systemd/journal/socket')
sock.settimeout(0.5)
daemon = th.Daemon(extra_args=['--log-format', 'journal']).start()
api = daemon.api()
api.expect(201, 'POST', '/api/v1/sessions', {'id': 'plenary', 'channels': ['en'], 'booths': [{'language': 'en', 'consoles': 1}]})
api.expect(200, 'PATCH', th.console_path('en/1', 'plenary'), {'mic': 'on'})
daemon.stop()
entries = []
while True:
    try:
        data = sock.recv(1 << 16)
    except socket.timeout:
        break
    fields, i = {}, 0
    while i < len(data):
        nl = data.index(b'\n', i)
        line = data[i:nl]
        if b'=' in line:
            key, value = line.split(b'=', 1)
            i = nl + 1
        else:  # binary-safe form: KEY\n, a 64-bit little-endian length, the value, \n
            key, size = line, int.from_bytes(data[nl + 1:nl + 9], 'little')
            value = data[nl + 9:nl + 9 + size]
            i = nl + 9 + size + 1
        if key.decode() in fields:
            fields.setdefault('DUPLICATED', []).append(key.decode())
        fields[key.decode()] = value.decode()
    entries.append(fields)
with open(daemon.stderr_path, encoding='utf-8') as f:
    stderr = f.read()
print(json.dumps({'entries': entries, 'stderr': stderr}))
'''


def can_fake_journal():
    return shutil.which('unshare') and subprocess.run(
        ['unshare', '-rm', 'mount', '-t', 'tmpfs', 'tmpfs', '/run'], stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL).returncode == 0


class JournalLogs(unittest.TestCase):
    @unittest.skipUnless(can_fake_journal(), 'no unprivileged user and mount namespaces to fake the journal in')
    def test_native_fields(self):
        here = os.path.dirname(os.path.abspath(__file__))
        run = subprocess.run(['unshare', '-rm', sys.executable, '-c', JOURNAL_CHILD, here], capture_output=True,
                             timeout=60)
        self.assertEqual(run.returncode, 0, run.stderr.decode())
        got = json.loads(run.stdout.decode().splitlines()[-1])
        entries = got['entries']
        # The log went to the journal: stderr holds only the start banner of stdout.
        self.assertNotRegex(got['stderr'], r'(?m)^\d{4}-\d\d-\d\dT', got['stderr'])
        for e in entries:
            self.assertLessEqual({'MESSAGE', 'PRIORITY', 'SYSLOG_IDENTIFIER', 'TOLK_MODULE', 'CODE_FILE',
                                  'CODE_LINE', 'CODE_FUNC'}, set(e), e)
            self.assertIn(e['PRIORITY'], ('3', '4', '6', '7'))
            self.assertNotIn('DUPLICATED', e)
            self.assertNotRegex(e['MESSAGE'], INTERNAL)
        mic = [e for e in entries if e.get('TOLK_CONSOLE') == 'en/1' and 'mic on' in e['MESSAGE']
               and e['TOLK_MODULE'] != 'access']
        self.assertEqual(len(mic), 1, entries)
        self.assertEqual((mic[0]['TOLK_SITTING'], mic[0]['PRIORITY']), (SID, '6'))
        self.assertTrue(mic[0]['MESSAGE'].startswith('sitting plenary, console en/1: '), mic[0])
        # Where the line was logged, not where the logger sends it.
        self.assertEqual((mic[0]['CODE_FILE'], mic[0]['CODE_FUNC']), ('mixer/sitting/session.c', 'log_console_event'))
        access = [e for e in entries if e['TOLK_MODULE'] == 'access' and e.get('TOLK_METHOD') == 'PATCH']
        self.assertEqual([(e['TOLK_WHO'], e['TOLK_STATUS'], e['TOLK_CONSOLE']) for e in access],
                         [('operator', '200', 'en/1')])

    @unittest.skipIf(os.path.exists('/run/systemd/journal/socket'), 'this machine has a journal')
    def test_without_a_journal_text_on_stderr(self):
        daemon = LoggedDaemon(extra_args=['--log-format', 'journal']).start()
        try:
            daemon.api().expect(201, 'POST', SESSIONS, SITTING)
        finally:
            daemon.stop()
        lines = daemon.lines()
        for line in lines:
            self.assertRegex(line, TEXT_LINE)
        self.assertEqual(sum('the journal cannot be reached' in line for line in lines), 1, lines)
        self.assertTrue(any('sitting plenary: started' in line for line in lines), lines)


if __name__ == '__main__':
    unittest.main(verbosity=2)
