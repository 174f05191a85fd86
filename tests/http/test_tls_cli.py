# SPDX-License-Identifier: EUPL-1.2
"""The daemon's --tls-cert/--tls-key: both or neither, files named in errors, https:// at start.

Needs TOLK_BIN, openssl and curl (skipped without the tools)."""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import unittest

TOLK = os.environ.get('TOLK_BIN', '')


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def make_pair(directory, name):
    cert = os.path.join(directory, name + '-cert.pem')
    key = os.path.join(directory, name + '-key.pem')
    subprocess.run(['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt',
                    'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=localhost',
                    '-keyout', key, '-out', cert], check=True, capture_output=True)
    return cert, key


def run_tolk(args, timeout=10):
    state = tempfile.mkdtemp(prefix='tolk-tls-state-')
    try:
        return subprocess.run([TOLK, '--token', 't', '--listen', '127.0.0.1:%d' % free_port(),
                               '--state-dir', os.path.join(state, 'state')] + args,
                              stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout, text=True)
    finally:
        shutil.rmtree(state, ignore_errors=True)


@unittest.skipUnless(TOLK and shutil.which('openssl') and shutil.which('curl'),
                     'needs TOLK_BIN, openssl and curl')
class TlsOptions(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix='tolk-tls-cli-')
        cls.cert, cls.key = make_pair(cls.dir, 'a')
        cls.cert2, cls.key2 = make_pair(cls.dir, 'b')

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def assert_exit(self, proc, code, *mentions):
        self.assertEqual(proc.returncode, code, proc.stdout + proc.stderr)
        for m in mentions:
            self.assertIn(m, proc.stderr)

    def test_help_lists_options(self):
        proc = subprocess.run([TOLK, '--help'], capture_output=True, text=True, timeout=10)
        self.assertEqual(proc.returncode, 0)
        self.assertIn('--tls-cert', proc.stdout)
        self.assertIn('--tls-key', proc.stdout)

    def test_one_without_the_other(self):
        self.assert_exit(run_tolk(['--tls-cert', self.cert]), 2, '--tls-key')
        self.assert_exit(run_tolk(['--tls-key', self.key]), 2, '--tls-cert')
        self.assert_exit(run_tolk(['--tls-cert', '', '--tls-key', self.key]), 2, '--tls-cert')

    def test_unreadable_file_named(self):
        missing = os.path.join(self.dir, 'missing.pem')
        self.assert_exit(run_tolk(['--tls-cert', missing, '--tls-key', self.key]), 1, missing)
        self.assert_exit(run_tolk(['--tls-cert', self.cert, '--tls-key', missing]), 1, missing)
        self.assert_exit(run_tolk(['--tls-cert', self.key, '--tls-key', self.cert]), 1, self.key)

    def test_mismatched_key_refused(self):
        self.assert_exit(run_tolk(['--tls-cert', self.cert, '--tls-key', self.key2]), 1,
                         self.cert, self.key2)

    def test_https_start_line_and_request(self):
        port = free_port()
        proc = subprocess.Popen([TOLK, '--token', 't', '--listen', '127.0.0.1:%d' % port,
                                 '--tls-cert', self.cert, '--tls-key', self.key,
                                 '--state-dir', os.path.join(self.dir, 'state')],
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        try:
            line = proc.stdout.readline()
            self.assertIn('https://127.0.0.1:%d/api/v1' % port, line)
            out = subprocess.run(['curl', '-sk', '--max-time', '10', '-w', '\n%{http_code}',
                                  'https://127.0.0.1:%d/healthz' % port],
                                 capture_output=True, text=True, timeout=15)
            self.assertEqual(out.returncode, 0, out.stderr)
            self.assertTrue(out.stdout.endswith('\n200'), out.stdout)
            plain = subprocess.run(['curl', '-s', '--max-time', '10',
                                    'http://127.0.0.1:%d/healthz' % port],
                                   capture_output=True, text=True, timeout=15)
            self.assertNotEqual(plain.returncode, 0, plain.stdout)
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                _, err = proc.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.communicate()
                raise
        self.assertEqual(proc.returncode, 0, err)


if __name__ == '__main__':
    unittest.main()
