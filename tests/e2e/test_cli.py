# SPDX-License-Identifier: EUPL-1.2
"""The daemon's command line: help, version, bad options, a taken port, --session files, tokens."""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import tolkharness as th  # noqa: E402

OPTIONS = ('--listen', '--media-address', '--rtp-ports', '--token', '--session', '--help',
           '--version')
SITTING = {'id': 'filed', 'name': 'From a file', 'channels': ['de', 'en'],
           'booths': [{'language': 'en', 'consoles': 2}], 'interlock': 'override'}


def project_version():
    with open(os.path.join(th.REPO_ROOT, 'meson.build')) as f:
        return re.search(r"version\s*:\s*'([^']+)'", f.read()).group(1)


def run_tolk(args, timeout=5.0, env=None):
    """Run the binary to completion; fails the test if it does not exit within `timeout`."""
    try:
        return subprocess.run([th.tolk_bin()] + list(args), stdin=subprocess.DEVNULL,
                              capture_output=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired as e:
        raise AssertionError('tolk %s did not exit within %.0f s' % (' '.join(args), timeout)) \
            from e


def output_of(proc):
    return (proc.stdout + proc.stderr).decode('utf-8', 'replace')


def temp_file(text, suffix='.json'):
    fd, path = tempfile.mkstemp(prefix='tolk-cli-', suffix=suffix)
    with os.fdopen(fd, 'w') as f:
        f.write(text)
    return path


def valid_daemon_args(port=None):
    lo, hi = th.free_rtp_range()
    return ['--listen', '127.0.0.1:%d' % (port or th.free_tcp_port()),
            '--media-address', '127.0.0.1', '--rtp-ports', '%d-%d' % (lo, hi), '--token', 't',
            '--state-dir', th.new_state_dir()]


class Cli(unittest.TestCase):
    def assert_fails_clearly(self, args, *mentions):
        proc = run_tolk(args)
        out = output_of(proc)
        self.assertNotEqual(proc.returncode, 0, 'tolk %s exited 0:\n%s' % (args, out))
        self.assertGreater(proc.returncode, 0, 'tolk %s crashed (signal %d):\n%s'
                           % (args, -proc.returncode, out))
        self.assertTrue(proc.stderr.strip(), 'tolk %s: no message on stderr' % args)
        if mentions:
            self.assertTrue(any(m.lower() in out.lower() for m in mentions),
                            'tolk %s: message names none of %s:\n%s' % (args, mentions, out))
        return out

    def test_help(self):
        proc = run_tolk(['--help'])
        self.assertEqual(proc.returncode, 0, output_of(proc))
        out = output_of(proc)
        for opt in OPTIONS:
            self.assertIn(opt, out)

    def test_version(self):
        proc = run_tolk(['--version'])
        self.assertEqual(proc.returncode, 0, output_of(proc))
        self.assertIn(project_version(), output_of(proc))

    def test_build_tree_needs_a_state_dir(self):
        """Run from the build tree there is no default state folder: no test or trial restores
        another's sittings from a shared one."""
        args = valid_daemon_args()
        i = args.index('--state-dir')
        proc = run_tolk(args[:i] + args[i + 2:])
        self.assertEqual(proc.returncode, 1, output_of(proc))
        self.assertIn('--state-dir', output_of(proc))

    def test_bad_option(self):
        self.assert_fails_clearly(['--no-such-option'], 'no-such-option')

    def test_bad_option_values(self):
        self.assert_fails_clearly(['--listen', 'nowhere'] + valid_daemon_args()[2:], 'listen',
                                  'nowhere')
        args = valid_daemon_args()
        args[args.index('--rtp-ports') + 1] = '5000-4000'
        self.assert_fails_clearly(args, 'rtp-ports', '5000-4000')

    def test_taken_http_port(self):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(('127.0.0.1', 0))
            s.listen(1)
            port = s.getsockname()[1]
            self.assert_fails_clearly(valid_daemon_args(port), str(port), 'in use')

    def test_invalid_session_files(self):
        cases = [temp_file('{"channels": ['), temp_file(json.dumps(dict(SITTING, colour='red'))),
                 temp_file(json.dumps(dict(SITTING, booths=[{'language': 'en', 'consoles': 7}])))]
        self.addCleanup(lambda: [os.unlink(p) for p in cases])
        for path in cases:
            self.assert_fails_clearly(valid_daemon_args() + ['--session', path],
                                      os.path.basename(path), 'session')
        self.assert_fails_clearly(valid_daemon_args() + ['--session', '/nonexistent/s.json'],
                                  '/nonexistent/s.json')

    def test_valid_session_file(self):
        path = temp_file(json.dumps(SITTING))
        self.addCleanup(os.unlink, path)
        with th.Daemon(session_file=path) as daemon:
            s = daemon.api().expect(200, 'GET', 'sessions/filed')
            self.assertEqual(s['name'], 'From a file')
            self.assertEqual(s['interlock'], 'override')
            self.assertEqual(sorted(c['id'] for c in s['channels']), ['de', 'en', 'floor'])
            self.assertEqual(sorted(i['id'] for i in s['inputs']), ['en/1', 'en/2', 'floor'])

    def test_token_from_environment(self):
        lo, hi = th.free_rtp_range()
        port = th.free_tcp_port()
        env = dict(os.environ, TOLK_TOKEN='env-token-123')
        args = [th.tolk_bin(), '--listen', '127.0.0.1:%d' % port, '--media-address', '127.0.0.1',
                '--rtp-ports', '%d-%d' % (lo, hi), '--state-dir', th.new_state_dir()]
        proc = subprocess.Popen(args, env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            api = th.Api('127.0.0.1', port, 'env-token-123')
            th.wait_until(lambda: th.healthz_answers(api), timeout=10, message='/healthz')
            self.assertEqual(api.get('sessions')[0], 200)
            self.assertEqual(api.get('sessions', token='other')[0], 401)
        finally:
            rc, killed = th.terminate(proc, grace=10)
        self.assertEqual((rc, killed), (0, False))


CLEAR_TEXT_WARNING = re.compile(r'warn .*listening on (\S+) port \d+ without TLS.*--tls-cert')


def make_tls_pair(directory):
    cert, key = os.path.join(directory, 'cert.pem'), os.path.join(directory, 'key.pem')
    subprocess.run(['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt',
                    'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=localhost',
                    '-keyout', key, '-out', cert], check=True, capture_output=True)
    return cert, key


class ClearTextWarning(unittest.TestCase):
    """Tokens and SRTP keys cross plain HTTP: said at start, unless only loopback hears it."""

    def start_and_stop(self, listen, extra=()):
        """Runs the daemon until its start line, stops it; returns its stderr."""
        lo, hi = th.free_rtp_range()
        args = [th.tolk_bin(), '--listen', listen, '--media-address', '127.0.0.1',
                '--rtp-ports', '%d-%d' % (lo, hi), '--token', 't', '--state-dir', th.new_state_dir()] + list(extra)
        with tempfile.TemporaryFile() as err:
            proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=err)
            try:
                line = proc.stdout.readline().decode('utf-8', 'replace')
            finally:
                th.terminate(proc, grace=10)  # may beat the signal handlers: no exit code check
                proc.stdout.close()
            err.seek(0)
            text = err.read().decode('utf-8', 'replace')
        self.assertIn('API on', line, text)
        return text

    def test_any_address_without_tls_warns(self):
        text = self.start_and_stop('0.0.0.0:%d' % th.free_tcp_port())
        m = CLEAR_TEXT_WARNING.search(text)
        self.assertTrue(m, 'no clear-text warning:\n' + text)
        self.assertEqual(m.group(1), '0.0.0.0')
        self.assertIn('--tls-key', text)

    def test_loopback_does_not_warn(self):
        text = self.start_and_stop('127.0.0.1:%d' % th.free_tcp_port())
        self.assertNotRegex(text, CLEAR_TEXT_WARNING)

    @unittest.skipUnless(shutil.which('openssl'), 'needs openssl')
    def test_any_address_with_tls_does_not_warn(self):
        directory = tempfile.mkdtemp(prefix='tolk-cli-tls-')
        self.addCleanup(shutil.rmtree, directory, True)
        cert, key = make_tls_pair(directory)
        text = self.start_and_stop('0.0.0.0:%d' % th.free_tcp_port(),
                                   ['--tls-cert', cert, '--tls-key', key])
        self.assertNotRegex(text, CLEAR_TEXT_WARNING)


if __name__ == '__main__':
    unittest.main(verbosity=2)
