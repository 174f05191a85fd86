# SPDX-License-Identifier: EUPL-1.2
"""Icecast2 from Debian for the tests: a master (and relays) in temp folders of their own on free
ports, run as nobody (icecast refuses to run as root), with a config written here; and readers
that decode an HTTP stream (ffmpeg, cvlc, GStreamer, mpv) into samples for the tone checks."""

import array
import collections
import os
import pwd
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.request
import json
import wave

import tolkharness as th

NOBODY = pwd.getpwnam('nobody')
# Bytes Icecast sends a new listener at once from what it holds: the latency a listener hears
# on top of Tolk's (the Debian default, 65535, is 8 s of Tolk's ~64 kbit/s). Docs: icecast.md.
BURST_SIZE = int(os.environ.get('TOLK_E2E_ICECAST_BURST', '4096'))

CONFIG = """<icecast>
  <location>Tolk e2e</location>
  <admin>e2e@localhost</admin>
  <hostname>127.0.0.1</hostname>
  <limits>
    <clients>100</clients>
    <sources>10</sources>
    <queue-size>524288</queue-size>
    <client-timeout>30</client-timeout>
    <header-timeout>15</header-timeout>
    <source-timeout>5</source-timeout>
    <burst-on-connect>1</burst-on-connect>
    <burst-size>{burst}</burst-size>
  </limits>
  <authentication>
    <source-password>{password}</source-password>
    <relay-password>{password}</relay-password>
    <admin-user>admin</admin-user>
    <admin-password>{password}</admin-password>
  </authentication>
  <listen-socket>
    <port>{port}</port>
    <bind-address>127.0.0.1</bind-address>
  </listen-socket>
  {relay}
  {headers}
  <fileserve>1</fileserve>
  <paths>
    <basedir>/usr/share/icecast2</basedir>
    <logdir>{dir}</logdir>
    <webroot>/usr/share/icecast2/web</webroot>
    <adminroot>/usr/share/icecast2/admin</adminroot>
    <pidfile>{dir}/icecast.pid</pidfile>
  </paths>
  <logging>
    <accesslog>access.log</accesslog>
    <errorlog>error.log</errorlog>
    <loglevel>3</loglevel>
  </logging>
  <security>
    <chroot>0</chroot>
  </security>
</icecast>
"""

RELAY = """<relay>
    <server>127.0.0.1</server>
    <port>{port}</port>
    <mount>{mount}</mount>
    <local-mount>{mount}</local-mount>
    <on-demand>0</on-demand>
    <relay-shoutcast-metadata>0</relay-shoutcast-metadata>
  </relay>"""

CORS = """<http-headers>
    <header name="Access-Control-Allow-Origin" value="*" />
  </http-headers>"""


class Icecast:
    """One icecast2 on a free port, as nobody; `relay_of` (port, mount) relays that mount; `cors`
    adds Access-Control-Allow-Origin: * (a page's Web Audio may then read the stream)."""

    def __init__(self, password='e2e-source-password', relay_of=None, burst=BURST_SIZE, cors=False):
        self.password, self.relay_of, self.burst, self.cors = password, relay_of, burst, cors
        self.dir = tempfile.mkdtemp(prefix='tolk-icecast-')
        os.chown(self.dir, NOBODY.pw_uid, NOBODY.pw_gid)
        self.port = th.free_tcp_port()
        self.proc = None

    def config(self):
        relay = RELAY.format(port=self.relay_of[0], mount=self.relay_of[1]) if self.relay_of else ''
        headers = CORS if self.cors else ''
        return CONFIG.format(burst=self.burst, password=self.password, port=self.port, relay=relay,
                             headers=headers, dir=self.dir)

    def start(self, timeout=10.0):
        path = os.path.join(self.dir, 'icecast.xml')
        with open(path, 'w') as f:
            f.write(self.config())
        os.chown(path, NOBODY.pw_uid, NOBODY.pw_gid)
        self.proc = subprocess.Popen(['runuser', '-u', 'nobody', '--', 'icecast2', '-c', path],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.status() is not None:
                return self
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        raise AssertionError('icecast2 did not start on port %d:\n%s' % (self.port, self.log()))

    def url(self, mount):
        return 'http://127.0.0.1:%d%s' % (self.port, mount)

    def status(self):
        """status-json.xsl as an object, None when the server does not answer."""
        try:
            with urllib.request.urlopen(self.url('/status-json.xsl'), timeout=2) as r:
                return json.loads(r.read().decode('utf-8', 'replace'))
        except (OSError, ValueError):
            return None

    def mount_up(self, mount):
        st = self.status() or {}
        src = st.get('icestats', {}).get('source')
        srcs = src if isinstance(src, list) else [src] if src else []
        return any(s.get('listenurl', '').endswith(mount) for s in srcs)

    def wait_mount(self, mount, timeout=15.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.mount_up(mount):
                return
            time.sleep(0.2)
        raise AssertionError('mount %s not up on %d:\n%s' % (mount, self.port, self.log()))

    def log(self):
        try:
            with open(os.path.join(self.dir, 'error.log'), errors='replace') as f:
                return f.read()[-3000:]
        except OSError:
            return '(no error.log)'

    def stop(self):
        """SIGTERM to runuser, which passes it on to icecast2."""
        if self.proc is not None:
            th.terminate(self.proc, grace=5.0)
            self.proc = None

    def kill(self):
        """icecast2 itself killed -9 (a crash): runuser, its parent, then ends."""
        if self.proc is not None:
            with open('/proc/%d/task/%d/children' % (self.proc.pid, self.proc.pid)) as f:
                kids = f.read().split()
            for pid in kids:
                os.kill(int(pid), 9)
            self.proc.wait(5)
            self.proc = None

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class StreamReader(th.Receiver):
    """A stream read over HTTP and decoded to 48 kHz mono float on stdout by `argv`, with
    Receiver's process, buffer, arrival times and tone checks (its start runs argv())."""

    def __init__(self, argv, name, keep_s=8.0):  # pylint: disable=super-init-not-called
        self._argv, self.name, self.keep = argv, name, int(keep_s * th.RATE)
        self.kind, self.ssrc = 'http', None
        self.proc = self.thread = None
        self.lock = threading.Lock()
        self.chunks = collections.deque()
        self.buffered = self.total = 0
        self.last_arrival = None
        fd, self.log_path = tempfile.mkstemp(prefix='tolk-http-reader-', suffix='.log')
        os.close(fd)

    def argv(self):
        return self._argv

    def wait_samples(self, seconds, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.samples(seconds)) >= int(seconds * th.RATE):
                return self.samples(seconds)
            time.sleep(0.1)
        raise AssertionError('%s: not %.1f s of audio in %.0f s:\n%s'
                             % (self.name, seconds, timeout, self.log()))


def ffmpeg_argv(url, realtime=False):
    """What docs/clients.md gives for ffmpeg (ffplay takes the same URL). realtime (-re): read
    at the stream's own pace from the first byte, as a player plays it, so Icecast's burst on
    connect becomes delay; without it ffmpeg decodes the burst at once and then what arrives."""
    return ['ffmpeg', '-hide_banner', '-loglevel', 'warning', '-nostdin'] + (['-re'] if realtime else []) + [
            '-fflags', 'nobuffer', '-probesize', '32', '-analyzeduration', '0',
            '-i', url, '-af', 'pan=mono|c0=c0', '-f', 'f32le', '-ar', str(th.RATE),
            '-flush_packets', '1', 'pipe:1']


def gst_argv(url):
    return ['gst-launch-1.0', '-q', 'souphttpsrc', 'location=' + url, 'is-live=true', '!',
            'oggdemux', '!', 'opusdec', '!', 'audioconvert', '!', 'audioresample', '!',
            'audio/x-raw,format=F32LE,rate=48000,channels=1', '!', 'fdsink', 'fd=1', 'sync=false']


def read_wav(path):
    """A mono or stereo s16 WAV's first channel as floats, or None when unreadable."""
    try:
        with wave.open(path, 'rb') as w:
            n, ch, width = w.getnframes(), w.getnchannels(), w.getsampwidth()
            frames = w.readframes(n)
    except (OSError, EOFError, wave.Error):
        return None
    if width != 2:
        return None
    pcm = array.array('h', frames[:len(frames) - len(frames) % (2 * ch)])
    return array.array('f', (pcm[i] / 32768.0 for i in range(0, len(pcm), ch)))


def as_nobody_home():
    """A temp HOME for a client run as nobody (VLC writes its cache and config there)."""
    home = tempfile.mkdtemp(prefix='tolk-nobody-home-')
    os.chown(home, NOBODY.pw_uid, NOBODY.pw_gid)
    return home


def vlc_argv(url, wav, seconds):
    """cvlc as nobody (VLC refuses root), the stream transcoded to a mono 16-bit WAV."""
    return ['runuser', '-u', 'nobody', '--', 'cvlc', '--intf', 'dummy', '--no-video', '--quiet',
            '--run-time', str(seconds), url,
            '--sout', '#transcode{acodec=s16l,channels=1,samplerate=48000}:std{access=file,mux=wav,dst=%s}'
            % wav, 'vlc://quit']


def mpv_argv(url, raw, seconds):
    """mpv's pcm output as raw s16le mono 48 kHz (its WAV header is WAVE_FORMAT_EXTENSIBLE,
    which Python's wave module does not read)."""
    return ['mpv', '--no-config', '--no-video', '--really-quiet', '--length=%d' % seconds,
            '--audio-format=s16', '--audio-channels=mono', '--audio-samplerate=48000',
            '--ao=pcm', '--ao-pcm-waveheader=no', '--ao-pcm-file=' + raw, url]


def read_s16(path):
    """Raw s16le mono as floats, or None when unreadable."""
    try:
        with open(path, 'rb') as f:
            data = f.read()
    except OSError:
        return None
    pcm = array.array('h', data[:len(data) - len(data) % 2])
    return array.array('f', (v / 32768.0 for v in pcm))
