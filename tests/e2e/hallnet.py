# SPDX-License-Identifier: EUPL-1.2
"""A hall network for the tests of AES67 and SAP: a private network namespace whose loopback
carries multicast (the host's loopback has no multicast route, and a shared one would let two
tests hear each other's SAP on 239.255.255.255:9875).

    import hallnet
    hallnet.enter()   # first thing in main(): re-runs this script inside the namespace

Inside, every address is the namespace's own: 127.0.0.1 is a private loopback, the SAP group and
port are free, and processes the test starts (the daemon, gst-launch, ffmpeg) inherit it. Where
the namespace cannot be made (no unshare, no CAP_SYS_ADMIN), enter() returns False and the test
runs on the host's loopback, unicast only; it says so.
"""
import os
import shutil
import subprocess
import sys

_MARK = 'TOLK_HALLNET'
MULTICAST_ROUTE = '224.0.0.0/4'


def inside():
    return os.environ.get(_MARK) == '1'


def _set_up_loopback():
    for cmd in (['ip', 'link', 'set', 'lo', 'up'], ['ip', 'link', 'set', 'lo', 'multicast', 'on'],
                ['ip', 'route', 'add', MULTICAST_ROUTE, 'dev', 'lo', 'src', '127.0.0.1']):
        subprocess.run(cmd, check=True)


def enter():
    """True when this process runs in the hall namespace (re-executed into it if need be)."""
    if inside():
        return True
    if os.environ.get(_MARK) == '0':
        return False
    unshare = shutil.which('unshare')
    if unshare and subprocess.run([unshare, '-n', 'true'], capture_output=True).returncode == 0:
        sys.stdout.flush()
        env = dict(os.environ, **{_MARK: '1'})
        code = subprocess.run([unshare, '-n', sys.executable, '-c',
                               'import sys; sys.path.insert(0, %r); import hallnet; hallnet._set_up_loopback(); '
                               'sys.argv = %r; exec(compile(open(sys.argv[0]).read(), sys.argv[0], "exec"), '
                               '{"__name__": "__main__", "__file__": sys.argv[0]})'
                               % (os.path.dirname(os.path.abspath(__file__)), sys.argv)],
                              env=env).returncode
        sys.exit(code)
    print('hallnet: no network namespace here (unshare -n failed): unicast on the host loopback only')
    os.environ[_MARK] = '0'
    return False
