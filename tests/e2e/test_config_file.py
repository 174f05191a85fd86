# SPDX-License-Identifier: EUPL-1.2
"""The configuration file (--config): its settings reach the daemon, the command line wins
(a repeatable option's values replace the file's), and what it refuses names the file, the
line and the key."""

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import tolkharness as th  # noqa: E402

SITTING_A = {'id': 'from-file', 'name': 'Named in the file', 'channels': ['de', 'en'],
             'booths': [{'language': 'en', 'consoles': 1}]}
SITTING_B = {'id': 'from-command-line', 'name': 'Named on the command line', 'channels': ['de', 'fr'],
             'booths': [{'language': 'fr', 'consoles': 1}]}


def run_tolk(args, timeout=5.0):
    try:
        return subprocess.run([th.tolk_bin()] + list(args), stdin=subprocess.DEVNULL,
                              capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        raise AssertionError('tolk %s did not exit within %.0f s' % (' '.join(args), timeout)) \
            from e


class ConfigFile(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix='tolk-config-')
        self.addCleanup(shutil.rmtree, self.dir, True)

    def write(self, name, text, mode=0o600):
        path = os.path.join(self.dir, name)
        with open(path, 'w') as f:
            f.write(text)
        os.chmod(path, mode)
        return path

    def sitting_file(self, name, body):
        return self.write(name, json.dumps(body))

    def session_ids(self, api):
        status, body = api.get('/api/v1/sessions')
        self.assertEqual(status, 200, body)
        items = body if isinstance(body, list) else body.get('sessions', body.get('items', []))
        return sorted(s['id'] for s in items)

    def assert_refused(self, text, *mentions):
        path = self.write('bad.conf', text)
        proc = run_tolk(['--config', path, '--listen', '127.0.0.1:%d' % th.free_tcp_port()])
        err = proc.stderr.decode('utf-8', 'replace')
        self.assertEqual(proc.returncode, 2, 'exit %d for %r:\n%s' % (proc.returncode, text, err))
        for m in (path,) + mentions:
            self.assertIn(m, err, 'the message for %r does not name %r' % (text, m))
        return err

    def test_file_alone_configures_the_daemon(self):
        port = th.free_tcp_port()
        lo, hi = th.free_rtp_range()
        sitting = self.sitting_file('a.json', SITTING_A)
        conf = self.write('tolk.conf', (
            '# every setting from the file\n'
            'listen = 127.0.0.1:%d\n'
            'media_address = 127.0.0.1   # an underscore reads as a dash\n'
            'rtp-ports = %d-%d\n'
            'token = "file-token-1"  # quoted\n'
            'session = %s\n'
            'max-sessions = 1\n'
            'state-dir = %s\n') % (port, lo, hi, sitting, th.new_state_dir()))
        proc = subprocess.Popen([th.tolk_bin(), '--config', conf], stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            api = th.Api('127.0.0.1', port, 'file-token-1')
            th.wait_until(lambda: th.healthz_answers(api), timeout=10, message='/healthz on the file\'s port')
            self.assertEqual(self.session_ids(api), ['from-file'])
            status, _ = th.Api('127.0.0.1', port, 'wrong').get('/api/v1/sessions')
            self.assertEqual(status, 401)
            # max-sessions = 1 from the file: a second sitting is refused.
            status, body = api.post('/api/v1/sessions', dict(SITTING_B))
            self.assertEqual(status, 409, body)
            self.assertEqual(body['error']['code'], 'limit_reached', body)
        finally:
            rc, killed = th.terminate(proc, grace=10)
        out = proc.stdout.read().decode('utf-8', 'replace')
        self.assertFalse(killed, out)
        self.assertEqual(rc, 0, out)
        self.assertNotIn('warning', out, 'a 0600 file with a token is no warning')

    def test_command_line_wins(self):
        file_port = th.free_tcp_port()
        conf = self.write('tolk.conf', (
            'listen = 127.0.0.1:%d\n'
            'token = file-token\n'
            'session = %s\n'
            'demo = yes\n') % (file_port, self.sitting_file('a.json', SITTING_A)))
        sitting_b = self.sitting_file('b.json', SITTING_B)
        with th.Daemon(session_file=sitting_b, extra_args=['--config', conf]) as daemon:
            self.assertNotEqual(daemon.port, file_port)
            self.assertTrue(th.tcp_port_free(file_port), 'the file\'s listen was used too')
            status, _ = daemon.api(token='file-token').get('/api/v1/sessions')
            self.assertEqual(status, 401, 'the file\'s token replaced the command line\'s')
            # --session on the command line replaces the file's; demo = yes still applies.
            self.assertEqual(self.session_ids(daemon.api()), ['demo', 'from-command-line'])

    def test_missing_files(self):
        missing = os.path.join(self.dir, 'absent.conf')
        proc = run_tolk(['--config', missing])
        err = proc.stderr.decode('utf-8', 'replace')
        self.assertEqual(proc.returncode, 2, err)
        self.assertIn(missing, err)
        self.assertIn('cannot be read', err)
        self.assert_refused_path(self.dir, 'cannot be read')

    def assert_refused_path(self, path, mention):
        proc = run_tolk(['--config', path])
        err = proc.stderr.decode('utf-8', 'replace')
        self.assertEqual(proc.returncode, 2, err)
        self.assertIn(path, err)
        self.assertIn(mention, err)

    def test_refusals_name_file_line_and_key(self):
        self.assert_refused('listen = 127.0.0.1:1\n\nlistne = 127.0.0.1:2\n', ':3:', "'listne'", 'unknown key')
        self.assert_refused('# ok\njitter-ms = 9999\n', ':2:', 'jitter-ms', "'9999'")
        self.assert_refused('rtp-ports = 2000\n', ':1:', 'rtp-ports')
        self.assert_refused('stun-server = http://x\n', ':1:', 'stun-server')
        self.assert_refused('demo = maybe\n', ':1:', 'demo', 'yes or no')
        self.assert_refused('token =\n', ':1:', 'token')
        self.assert_refused('config = /etc/other.conf\n', ':1:', "'config'")
        self.assert_refused('help = yes\n', ':1:', "'help'")
        self.assert_refused('listen 127.0.0.1:8080\n', ':1:', "expected 'key = value'")
        self.assert_refused('token = "open\n', ':1:', 'unterminated quote', 'token')

    def test_a_readable_secret_is_warned_about(self):
        conf = self.write('tolk.conf', 'token = readable-by-all\n', mode=0o644)
        with th.Daemon(extra_args=['--config', conf]) as daemon:
            pass
        self.assertIn('warning: %s:1: token is a secret' % conf, daemon.stderr())
        self.assertIn('chmod 0640', daemon.stderr())
        self.assertNotIn('readable-by-all', daemon.stderr(), 'the warning shows the secret')


if __name__ == '__main__':
    unittest.main(verbosity=2)
