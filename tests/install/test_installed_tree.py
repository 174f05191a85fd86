# SPDX-License-Identifier: EUPL-1.2
"""The installed tree: `meson install` into a DESTDIR puts every file where it belongs, the
installed daemon serves the installed pages (not the source tree's) and reads the installed
configuration file, the man page renders without warnings and names every option, and the
systemd unit passes `systemd-analyze verify` and rates OK or better in `systemd-analyze security`."""

import filecmp
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'e2e'))

import tolkharness as th  # noqa: E402

ENV = os.environ
MARKER = '<!-- served from the installed tree -->'
PAGES = ('console', 'listen', 'operator', 'speaker', 'common')


def staged(path):
    return DEST + path


def run(args, timeout=60, env=None):
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=env)


def help_options(binary):
    out = run([binary, '--help']).stdout
    return sorted(set(re.findall(r'^\s+--([a-z][a-z0-9-]*)', out, re.M)))


def setUpModule():
    global DEST
    DEST = tempfile.mkdtemp(prefix='tolk-install-')
    proc = run([ENV['MESON'], 'install', '-C', ENV['BUILD_ROOT'], '--no-rebuild', '--quiet',
                '--destdir', DEST], timeout=120)
    if proc.returncode != 0:
        raise AssertionError('meson install failed:\n%s%s' % (proc.stdout, proc.stderr))


def tearDownModule():
    shutil.rmtree(DEST, True)


class Files(unittest.TestCase):
    def test_every_file_is_in_place(self):
        expected = {
            ENV['BINDIR'] + '/tolk': 0o755,
            ENV['UNITDIR'] + '/tolk.service': None,
            ENV['SYSUSERSDIR'] + '/tolk.conf': None,
            ENV['TMPFILESDIR'] + '/tolk.conf': None,
            ENV['MANDIR'] + '/man8/tolk.8': None,
            ENV['SYSCONFDIR'] + '/tolk/tolk.conf': 0o644,
        }
        for path, mode in expected.items():
            self.assertTrue(os.path.isfile(staged(path)), 'not installed: %s' % path)
            if mode is not None:
                self.assertEqual(os.stat(staged(path)).st_mode & 0o777, mode, path)

    def test_the_pages_are_the_source_trees(self):
        source = os.path.join(ENV['SOURCE_ROOT'], 'web')
        installed = staged(ENV['WEBDIR'])
        for page in PAGES:
            names = sorted(os.listdir(os.path.join(source, page)))
            self.assertTrue(names, page)
            match, mismatch, errors = filecmp.cmpfiles(os.path.join(source, page),
                                                       os.path.join(installed, page), names,
                                                       shallow=False)
            self.assertEqual((mismatch, errors), ([], []), 'web/%s differs or is missing' % page)

    def test_user_and_state_folder(self):
        with open(staged(ENV['SYSUSERSDIR'] + '/tolk.conf')) as f:
            self.assertRegex(f.read(), r'(?m)^u tolk - "[^"]+" /var/lib/tolk$')
        with open(staged(ENV['TMPFILESDIR'] + '/tolk.conf')) as f:
            self.assertRegex(f.read(), r'(?m)^d /var/lib/tolk 0700 tolk tolk -$')

    def test_an_existing_configuration_is_kept(self):
        conf = staged(ENV['SYSCONFDIR'] + '/tolk/tolk.conf')
        with open(conf, 'a') as f:
            f.write('# the technician\'s own line\n')
        proc = run([ENV['MESON'], 'install', '-C', ENV['BUILD_ROOT'], '--no-rebuild', '--quiet',
                    '--destdir', DEST], timeout=120)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        with open(conf) as f:
            self.assertIn('the technician\'s own line', f.read(), 'meson install overwrote tolk.conf')
        self.assertTrue(os.path.isfile(conf + '.dist'), 'no tolk.conf.dist beside the kept file')


class InstalledDaemon(unittest.TestCase):
    def setUp(self):
        self.binary = staged(ENV['BINDIR'] + '/tolk')
        self.conf = staged(ENV['SYSCONFDIR'] + '/tolk/tolk.conf')
        self.state = tempfile.mkdtemp(prefix='tolk-install-state-')
        os.chmod(self.state, 0o700)
        self.addCleanup(shutil.rmtree, self.state, True)

    def state_args(self):
        return ['--state-dir', self.state] if 'state-dir' in help_options(self.binary) else []

    def test_serves_the_installed_pages(self):
        for page in ('operator', 'console'):
            with open(os.path.join(staged(ENV['WEBDIR']), page, 'index.html'), 'a') as f:
                f.write(MARKER + '\n')
        with open(os.path.join(ENV['SOURCE_ROOT'], 'web', 'console', 'index.html')) as f:
            self.assertNotIn(MARKER, f.read())
        daemon = th.Daemon(binary=self.binary, extra_args=['--config', self.conf] + self.state_args())
        with daemon:
            base = 'http://127.0.0.1:%d' % daemon.port
            with urllib.request.urlopen(base + '/', timeout=5) as r:  # follows / -> /operator/
                self.assertTrue(r.geturl().endswith('/operator/'), r.geturl())
                self.assertIn(MARKER, r.read().decode())
            with urllib.request.urlopen(base + '/console/', timeout=5) as r:
                self.assertIn(MARKER, r.read().decode(), '/console/ is not the installed page')

    def test_reads_the_installed_configuration_file(self):
        # The example is accepted (the daemon above ran with it); without --config the installed
        # daemon reads it too: a bad line there stops it, naming the file and the line.
        with open(self.conf) as f:
            original = f.read()
        try:
            with open(self.conf, 'a') as f:
                f.write('jitter-ms = 9999\n')
            proc = run([self.binary, '--listen', '127.0.0.1:%d' % th.free_tcp_port()], timeout=10)
            self.assertEqual(proc.returncode, 2, proc.stderr)
            line = len(original.splitlines()) + 1
            self.assertIn('%s:%d: invalid value for jitter-ms' % (self.conf, line), proc.stderr)
        finally:
            with open(self.conf, 'w') as f:
                f.write(original)

    def test_help_shows_the_installed_defaults(self):
        out = run([self.binary, '--help']).stdout
        self.assertIn(ENV['WEBDIR'], out)
        self.assertIn(ENV['SYSCONFDIR'] + '/tolk/tolk.conf', out)


class ManPage(unittest.TestCase):
    def setUp(self):
        self.page = staged(ENV['MANDIR'] + '/man8/tolk.8')

    def test_renders_without_warnings(self):
        proc = run(['groff', '-man', '-ww', '-z', self.page])
        self.assertEqual((proc.returncode, proc.stderr), (0, ''))
        if shutil.which('man'):
            env = dict(ENV, MANWIDTH='80', LC_ALL='C.UTF-8')
            proc = run(['man', '--warnings', '-l', self.page], env=env)
            self.assertEqual(proc.returncode, 0, proc.stderr)
            self.assertEqual(proc.stderr, '')
            for section in ('SYNOPSIS', 'OPTIONS', 'CONFIGURATION FILE', 'FILES', 'SIGNALS', 'EXIT STATUS'):
                self.assertIn(section, proc.stdout)

    def test_every_option_is_documented(self):
        with open(self.page) as f:
            page = f.read().replace('\\-', '-')
        with open(staged(ENV['SYSCONFDIR'] + '/tolk/tolk.conf')) as f:
            example = f.read()
        options = help_options(th.tolk_bin())
        self.assertIn('listen', options)
        for name in options:
            self.assertIn('--' + name, page, 'tolk(8) does not document --%s' % name)
            if name not in ('help', 'version', 'config'):
                self.assertRegex(example, r'(?m)^#? ?%s = ' % re.escape(name),
                                 'the example tolk.conf does not show %s' % name)


class Unit(unittest.TestCase):
    def setUp(self):
        if not shutil.which('systemd-analyze'):
            self.skipTest('systemd-analyze is not installed (Debian: systemd)')
        with open(staged(ENV['UNITDIR'] + '/tolk.service')) as f:
            self.text = f.read()
        self.dir = tempfile.mkdtemp(prefix='tolk-unit-')
        self.addCleanup(shutil.rmtree, self.dir, True)
        # verify checks that ExecStart's binary exists: point it into the staged tree.
        self.unit = os.path.join(self.dir, 'tolk.service')
        with open(self.unit, 'w') as f:
            f.write(self.text.replace('ExecStart=' + ENV['BINDIR'], 'ExecStart=' + staged(ENV['BINDIR'])))

    def test_what_the_service_needs(self):
        for line in ('Type=notify', 'Restart=on-failure', 'RestartPreventExitStatus=2', 'User=tolk',
                     'StateDirectory=tolk', 'MemoryDenyWriteExecute=yes', 'NoNewPrivileges=yes',
                     'ProtectSystem=strict', 'SystemCallFilter=@system-service',
                     'StateDirectoryMode=0700', 'ConfigurationDirectory=tolk', 'LimitRTPRIO=5',
                     'AmbientCapabilities=CAP_SYS_NICE CAP_NET_BIND_SERVICE',
                     'ExecStart=%s/tolk --config %s/tolk/tolk.conf --state-dir /var/lib/tolk'
                     % (ENV['BINDIR'], ENV['SYSCONFDIR'])):
            self.assertRegex(self.text, r'(?m)^%s$' % re.escape(line))
        self.assertRegex(self.text, r'(?m)^WatchdogSec=\d+s$')

    def test_verify(self):
        env = dict(ENV, MANPATH=staged(ENV['MANDIR']))  # Documentation=man:tolk(8) is looked up
        proc = run(['systemd-analyze', 'verify', self.unit], env=env)
        self.assertEqual((proc.returncode, proc.stdout + proc.stderr), (0, ''))

    def test_security_rating(self):
        proc = run(['systemd-analyze', 'security', '--offline=yes', '--threshold=49', self.unit])
        self.assertEqual(proc.returncode, 0, proc.stdout[-3000:] + proc.stderr)
        m = re.search(r'Overall exposure level for tolk.service: ([0-9.]+) (\w+)', proc.stdout)
        self.assertTrue(m, proc.stdout[-2000:])
        print('systemd-analyze security: exposure %s %s' % (m.group(1), m.group(2)))
        self.assertLess(float(m.group(1)), 5.0)
        self.assertIn(m.group(2), ('PERFECT', 'SAFE', 'OK'))


if __name__ == '__main__':
    unittest.main(verbosity=2)
