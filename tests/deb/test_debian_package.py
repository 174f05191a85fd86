# SPDX-License-Identifier: EUPL-1.2
"""The Debian package: dpkg-buildpackage -us -uc -b on the committed tree (dist/build-deb.sh)
builds a .deb whose files, conffile, dependencies and maintainer scripts are those of a
service, and whose daemon, unpacked, serves its own pages with its own tolk.conf."""

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

SOURCE_ROOT = os.environ['SOURCE_ROOT']


def run(args, timeout=60, **kw):
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout, **kw)


def setUpModule():
    global OUT, DEB
    missing = [p for p in ('dpkg-buildpackage', 'dh', 'git') if not shutil.which(p)]
    if missing:
        raise unittest.SkipTest('not installed: %s (./tolk.sh deb installs them)' % ', '.join(missing))
    if run(['git', '-C', SOURCE_ROOT, 'rev-parse', 'HEAD']).returncode != 0:
        raise unittest.SkipTest('not a git checkout: the package is built from the committed tree')
    OUT = tempfile.mkdtemp(prefix='tolk-deb-')
    proc = run([os.path.join(SOURCE_ROOT, 'dist', 'build-deb.sh'), OUT], timeout=900)
    if proc.returncode != 0:
        raise AssertionError('dist/build-deb.sh failed:\n%s\n%s' % (proc.stdout[-4000:], proc.stderr[-4000:]))
    debs = [f for f in os.listdir(OUT) if re.match(r'tolk_[^_]+_[a-z0-9]+\.deb$', f)]
    if len(debs) != 1:
        raise AssertionError('want one tolk .deb in %s, found %s' % (OUT, os.listdir(OUT)))
    DEB = os.path.join(OUT, debs[0])


def tearDownModule():
    if 'OUT' in globals():
        shutil.rmtree(OUT, True)


class Package(unittest.TestCase):
    def test_contents(self):
        listing = run(['dpkg-deb', '-c', DEB]).stdout
        paths = {line.split()[-1].lstrip('.') for line in listing.splitlines()}
        for path in ('/usr/bin/tolk', '/lib/systemd/system/tolk.service', '/usr/lib/sysusers.d/tolk.conf',
                     '/usr/lib/tmpfiles.d/tolk.conf', '/usr/share/man/man8/tolk.8.gz', '/etc/tolk/tolk.conf',
                     '/usr/share/tolk/web/console/index.html', '/usr/share/tolk/web/operator/index.html',
                     '/usr/share/doc/tolk/copyright', '/usr/share/doc/tolk/deployment.md.gz'):
            self.assertIn(path, paths)

    def test_control(self):
        fields = run(['dpkg-deb', '-f', DEB, 'Depends']).stdout
        for dep in ('libsystemd0', 'libsrtp2-1', 'gstreamer1.0-nice', 'gstreamer1.0-plugins-bad'):
            self.assertIn(dep, fields)
        ctl = tempfile.mkdtemp(dir=OUT)
        run(['dpkg-deb', '-e', DEB, ctl])
        with open(os.path.join(ctl, 'conffiles')) as f:
            self.assertIn('/etc/tolk/tolk.conf', f.read().split())
        with open(os.path.join(ctl, 'postinst')) as f:
            postinst = f.read()
        order = [postinst.index(s) for s in ('systemd-sysusers', 'dpkg-statoverride --update --add root tolk 0640',
                                             'systemd-tmpfiles', "deb-systemd-helper enable 'tolk.service'",
                                             "deb-systemd-invoke $_dh_action 'tolk.service'")]
        self.assertEqual(order, sorted(order), 'the user must exist before the statoverride, tmpfiles and start')
        with open(os.path.join(SOURCE_ROOT, 'LICENSE')) as f:
            first = f.readline().strip()
        unpacked = self.unpack()
        with open(os.path.join(unpacked, 'usr/share/doc/tolk/copyright')) as f:
            text = f.read()
        self.assertIn('License: EUPL-1.2', text)
        self.assertIn(first, text)

    def unpack(self):
        root = tempfile.mkdtemp(dir=OUT)
        proc = run(['dpkg-deb', '-x', DEB, root])
        self.assertEqual(proc.returncode, 0, proc.stderr)
        return root

    def test_the_unpacked_daemon_serves_its_pages(self):
        root = self.unpack()
        binary = os.path.join(root, 'usr/bin/tolk')
        out = run([binary, '--help']).stdout
        self.assertIn('/usr/share/tolk/web', out)
        self.assertIn('/etc/tolk/tolk.conf', out)
        marker = '<!-- from the package -->'
        with open(os.path.join(root, 'usr/share/tolk/web/console/index.html'), 'a') as f:
            f.write(marker + '\n')
        state = tempfile.mkdtemp(dir=OUT)
        os.chmod(state, 0o700)
        extra = ['--state-dir', state] if '--state-dir' in out else []
        with th.Daemon(binary=binary, extra_args=extra) as daemon:  # reads root/etc/tolk/tolk.conf
            with urllib.request.urlopen('http://127.0.0.1:%d/console/' % daemon.port, timeout=5) as r:
                self.assertIn(marker, r.read().decode())


if __name__ == '__main__':
    unittest.main(verbosity=2)
