# SPDX-License-Identifier: EUPL-1.2
"""End-to-end toolkit for Tolk: run the daemon, talk to its API, send and receive real SRTP audio.

Levels are the RMS of a component in dBFS: a sine of amplitude 1.0 is -3.0 dB, the senders'
amplitude 0.3 is about -13.5 dB.
"""

import array
import atexit
import base64
import collections
import http.client
import json
import math
import operator
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
RATE = 48000
SUITE = 'AES_CM_128_HMAC_SHA1_80'
PRESENT_DB = -35.0
ABSENT_DB = -50.0
SILENT_DB = -60.0
FLOOR_DB = -200.0

_claimed_ports = set()
_claim_lock = threading.Lock()


# ---------------------------------------------------------------------------------------------
# ports and keys

def tolk_bin():
    """Path of the daemon: $TOLK_BIN, else build/mixer/daemon/tolk in the repository."""
    return os.environ.get('TOLK_BIN') or os.path.join(REPO_ROOT, 'build', 'mixer', 'daemon', 'tolk')


def udp_port_free(port, host='127.0.0.1'):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def tcp_port_free(port, host='127.0.0.1'):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def _claim(ports):
    with _claim_lock:
        if any(p in _claimed_ports for p in ports):
            return False
        _claimed_ports.update(ports)
        return True


def free_tcp_port():
    for _ in range(200):
        port = random.randrange(20000, 60000)
        if tcp_port_free(port) and _claim([port]):
            return port
    raise RuntimeError('no free TCP port')


def free_rtp_range(count=200):
    """(lo, hi) of `count` consecutive free UDP ports from a random even base in 20000-60000."""
    for _ in range(100):
        lo = random.randrange(20000, 60000 - count) & ~1
        ports = range(lo, lo + count)
        if all(udp_port_free(p) for p in ports) and _claim(ports):
            return lo, lo + count - 1
    raise RuntimeError('no free UDP port range')


def free_udp_pair():
    """An even UDP port p with p and p+1 free (RTP and RTCP)."""
    for _ in range(500):
        port = random.randrange(20000, 60000) & ~1
        if udp_port_free(port) and udp_port_free(port + 1) and _claim([port, port + 1]):
            return port
    raise RuntimeError('no free UDP port pair')


def random_key():
    """A fresh SRTP master key + salt (30 bytes), base64 as in an SDP inline: parameter."""
    return base64.b64encode(os.urandom(30)).decode('ascii')


def key_hex(key_b64):
    raw = base64.b64decode(key_b64)
    if len(raw) != 30:
        raise ValueError('SRTP key must be 30 bytes, got %d' % len(raw))
    return raw.hex()


def make_sdp(port, key_b64, pt=96, host='127.0.0.1'):
    """The SDP of an SRTP Opus stream arriving on `port` (what a receiver opens)."""
    return '\r\n'.join([
        'v=0',
        'o=- 0 0 IN IP4 %s' % host,
        's=tolk test',
        'c=IN IP4 %s' % host,
        't=0 0',
        'm=audio %d RTP/SAVP %d' % (port, pt),
        'a=rtpmap:%d opus/48000/2' % pt,
        'a=crypto:1 %s inline:%s' % (SUITE, key_b64),
        'a=recvonly',
        '']) + '\r\n'


def parse_sdp(sdp):
    """(port, payload type, key base64) of the first audio stream of an SDP."""
    m = re.search(r'^m=audio (\d+) RTP/SAVP (\d+)', sdp, re.M)
    k = re.search(r'^a=crypto:\d+ ' + SUITE + r' inline:([A-Za-z0-9+/=]+)', sdp, re.M)
    if not m or not k:
        raise ValueError('SDP without an SRTP audio stream:\n' + sdp)
    return int(m.group(1)), int(m.group(2)), k.group(1)


def _tail(path, limit=4000):
    try:
        with open(path, 'rb') as f:
            data = f.read()
    except OSError:
        return ''
    return data[-limit:].decode('utf-8', 'replace')


def terminate(proc, grace=5.0):
    """SIGTERM, then SIGKILL after `grace` seconds; returns (exit code, killed)."""
    if proc.poll() is not None:
        return proc.returncode, False
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(grace), False
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.wait(5), True


# ---------------------------------------------------------------------------------------------
# HTTP API

class Api:
    """JSON client for the control API with a bearer token."""

    def __init__(self, host, port, token, timeout=10):
        self.host, self.port, self.token, self.timeout = host, port, token, timeout

    def raw(self, method, path, body=None, headers=None, token=None):
        """Send bytes as they are; returns (status, headers dict lowercased, body bytes)."""
        hdrs = {}
        tok = self.token if token is None else token
        if tok:
            hdrs['Authorization'] = 'Bearer ' + tok
        hdrs.update(headers or {})
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            conn.request(method, path, body=body, headers=hdrs)
            resp = conn.getresponse()
            data = resp.read()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
        finally:
            conn.close()

    def request(self, method, path, body=None, token=None):
        """(status, parsed JSON or None). `path` relative to /api/v1 unless it starts with /."""
        if not path.startswith('/'):
            path = '/api/v1/' + path
        data, headers = None, {}
        if body is not None:
            data = json.dumps(body).encode('utf-8')
            headers['Content-Type'] = 'application/json'
        status, _, raw = self.raw(method, path, data, headers, token)
        return status, decode_json(raw)

    def get(self, path, **kw):
        return self.request('GET', path, **kw)

    def post(self, path, body=None, **kw):
        return self.request('POST', path, body if body is not None else {}, **kw)

    def patch(self, path, body=None, **kw):
        return self.request('PATCH', path, body if body is not None else {}, **kw)

    def delete(self, path, **kw):
        return self.request('DELETE', path, **kw)

    def expect(self, status, method, path, body=None):
        """request() that asserts the status and returns the JSON."""
        got, js = self.request(method, path, body)
        if got != status:
            raise AssertionError('%s %s: expected %d, got %d: %s' % (method, path, status, got, js))
        return js

    def listen(self, path, name=None, port=None):
        """Creates an output (POST path, to port or a free local one) and starts a Receiver on
        it. Returns (receiver, output object)."""
        port = port or free_udp_pair()
        out = self.expect(201, 'POST', path, {'host': '127.0.0.1', 'port': port})
        return Receiver(out['sdp'], name=name).start(), out

    def metrics(self):
        status, _, data = self.raw('GET', '/metrics')
        if status != 200:
            raise AssertionError('GET /metrics: %d %r' % (status, data[:200]))
        return data.decode('utf-8')


def decode_json(raw):
    if not raw:
        return None
    try:
        return json.loads(raw.decode('utf-8'))
    except (ValueError, UnicodeDecodeError):
        return {'_raw': raw.decode('utf-8', 'replace')}


def metric_sum(text, name, **labels):
    """Sum of the samples of metric `name` whose labels include `labels` (Prometheus text)."""
    total = 0.0
    pat = re.compile(r'^' + re.escape(name) + r'(\{[^}]*\})?\s+([-+0-9.eEinfNa]+)', re.M)
    for m in pat.finditer(text):
        got = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(1) or ''))
        if all(got.get(k) == str(v) for k, v in labels.items()):
            total += float(m.group(2))
    return total


# ---------------------------------------------------------------------------------------------
# the daemon

_STATE_DIRS = []


def new_state_dir():
    """A fresh private folder for a daemon's --state-dir, removed when the test process ends."""
    path = os.path.join(tempfile.mkdtemp(prefix='tolk-state-'), 'state')
    _STATE_DIRS.append(os.path.dirname(path))
    return path


@atexit.register
def _remove_state_dirs():
    for path in _STATE_DIRS:
        shutil.rmtree(path, ignore_errors=True)

class Daemon:
    """The tolk binary on a free HTTP port and a free range of 200 RTP ports."""

    def __init__(self, token='e2e-operator-token', extra_args=(), binary=None, session_file=None,
                 state_dir=None):
        self.binary = binary or tolk_bin()
        # A state folder of its own (--state-dir), unless a test restarts on one it keeps.
        self.state_dir = state_dir or new_state_dir()
        self.token = token
        self.extra_args = list(extra_args)
        self.session_file = session_file
        self.host = '127.0.0.1'
        self.port = None
        self.rtp_range = None
        self.proc = None
        self.returncode = None
        fd, self.stderr_path = tempfile.mkstemp(prefix='tolk-e2e-', suffix='.stderr')
        os.close(fd)

    def argv(self):
        lo, hi = self.rtp_range
        args = [self.binary, '--listen', '%s:%d' % (self.host, self.port),
                '--media-address', '127.0.0.1', '--rtp-ports', '%d-%d' % (lo, hi),
                '--token', self.token, '--state-dir', self.state_dir]
        if self.session_file:
            args += ['--session', self.session_file]
        return args + self.extra_args

    def start(self, timeout=10.0):
        if not os.access(self.binary, os.X_OK):
            raise AssertionError('daemon binary not found or not executable: %s '
                                 '(set TOLK_BIN or build it)' % self.binary)
        self.port = free_tcp_port()
        self.rtp_range = free_rtp_range()
        with open(self.stderr_path, 'wb') as err:
            self.proc = subprocess.Popen(self.argv(), stdin=subprocess.DEVNULL,
                                         stdout=err, stderr=err)
        self._wait_healthy(timeout)
        return self

    def _wait_healthy(self, timeout):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError('daemon exited with %d before /healthz answered:\n%s'
                                     % (self.proc.returncode, self.stderr()))
            try:
                status, _, body = self.api().raw('GET', '/healthz', token='')
                if status == 200 and decode_json(body) == {'status': 'ok'}:
                    return
                last = (status, body)
            except OSError as e:
                last = e
            time.sleep(0.05)
        self.kill()
        raise AssertionError('daemon not healthy after %.0f s (last: %r):\n%s'
                             % (timeout, last, self.stderr()))

    def api(self, token=None):
        return Api(self.host, self.port, self.token if token is None else token)

    def stderr(self):
        return _tail(self.stderr_path)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def kill(self):
        if self.alive():
            self.proc.kill()
            self.proc.wait(5)

    def stop(self, check=True):
        """SIGTERM (SIGKILL after 10 s); with `check`, assert a clean exit with code 0."""
        if self.proc is None:
            return None
        rc, killed = terminate(self.proc, grace=10.0)
        self.returncode = rc
        self.proc = None
        if check and (killed or rc != 0):
            raise AssertionError('daemon did not exit cleanly on SIGTERM (code %s%s):\n%s'
                                 % (rc, ', killed' if killed else '', self.stderr()))
        return rc

    def __enter__(self):
        return self.start()

    def __exit__(self, exc_type, exc, tb):
        self.stop(check=exc_type is None)
        return False


# ---------------------------------------------------------------------------------------------
# senders: real clients sending SRTP Opus

class Sender:
    """A sine tone sent as SRTP Opus by gst-launch-1.0 ('gst') or ffmpeg ('ffmpeg')."""

    def __init__(self, port, key_b64, freq, kind='gst', host='127.0.0.1', pt=96, ssrc=None,
                 volume=0.3, seq=None):
        if kind not in ('gst', 'ffmpeg'):
            raise ValueError('unknown sender kind ' + kind)
        self.port, self.key, self.freq, self.kind = port, key_b64, freq, kind
        self.host, self.pt, self.volume = host, pt, volume
        self.ssrc = ssrc if ssrc is not None else random.randrange(1, 2**31)
        self.seq = seq  # gst only: the first sequence number (random when None)
        self.proc = None
        fd, self.log_path = tempfile.mkstemp(prefix='tolk-sender-', suffix='.log')
        os.close(fd)

    @classmethod
    def for_input(cls, session, input_id, freq, kind='gst', **kw):
        """A sender for the input `input_id` ('floor', 'en/1') of a session object."""
        inp = find_input(session, input_id)
        return cls(inp['port'], inp['srtp']['key'], freq, kind=kind, **kw)

    def argv(self):
        return self._gst_argv() if self.kind == 'gst' else self._ffmpeg_argv()

    def _gst_argv(self):
        pipeline = (
            'audiotestsrc is-live=true wave=sine freq={f} volume={v} ! audioconvert ! '
            'audioresample ! audio/x-raw,rate=48000,channels=1 ! opusenc ! '
            'rtpopuspay pt={pt} ssrc={ssrc} ! srtpenc key={key} rtp-cipher=aes-128-icm '
            'rtp-auth=hmac-sha1-80 rtcp-cipher=aes-128-icm rtcp-auth=hmac-sha1-80 ! '
            'udpsink host={host} port={port} sync=false async=false').format(
                f=self.freq, v=self.volume, pt=self.pt, ssrc=self.ssrc, key=key_hex(self.key),
                host=self.host, port=self.port)
        if self.seq is not None:
            pipeline = pipeline.replace(' ! srtpenc', ' seqnum-offset=%d ! srtpenc' % self.seq, 1)
        return ['gst-launch-1.0', '-q'] + pipeline.split()

    def _ffmpeg_argv(self):
        # lavfi's sine has amplitude 1/8; scale it to `volume`.
        return ['ffmpeg', '-hide_banner', '-loglevel', 'error', '-nostdin', '-re',
                '-f', 'lavfi', '-i', 'sine=frequency=%g:sample_rate=48000' % self.freq,
                '-af', 'volume=%g' % (self.volume * 8), '-ac', '1', '-c:a', 'libopus',
                '-frame_duration', '20', '-f', 'rtp',
                '-srtp_out_suite', SUITE, '-srtp_out_params', self.key,
                'srtp://%s:%d' % (self.host, self.port)]

    def start(self):
        if self.running():
            return self
        with open(self.log_path, 'ab') as log:
            self.proc = subprocess.Popen(self.argv(), stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL, stderr=log)
        return self

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        if self.proc is not None:
            terminate(self.proc, grace=3.0)
            self.proc = None

    def restart(self):
        self.stop()
        return self.start()

    def log(self):
        return _tail(self.log_path)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False


def session_path(*parts):
    """The API path of parts of a session: session_path('plenary', 'tokens')."""
    return '/api/v1/sessions/' + '/'.join(parts)


def console_path(cid, sid):
    """The API path of console 'en/1' of session sid."""
    lang, n = cid.split('/')
    return session_path(sid, 'booths', lang, 'consoles', n)


def find(items, key, value):
    """The item of a JSON list whose key has that value; fails the test otherwise."""
    for item in items:
        if item[key] == value:
            return item
    raise AssertionError('no %s=%r in %r' % (key, value, [i.get(key) for i in items]))


def console_of(session, cid):
    """Console 'en/1' of a session object."""
    return find(find(session['booths'], 'language', cid.split('/')[0])['consoles'], 'id', cid)


def find_input(session, input_id):
    for inp in session['inputs']:
        if inp['id'] == input_id:
            return inp
    raise AssertionError('session %s has no input %s' % (session.get('id'), input_id))


# ---------------------------------------------------------------------------------------------
# tone analysis (pure)

def goertzel_dbfs(samples, freq, rate=RATE):
    """Reference: level of the `freq` component (RMS, dBFS) by the Goertzel algorithm."""
    n = len(samples)
    if n == 0:
        return FLOOR_DB
    coeff = 2.0 * math.cos(2.0 * math.pi * freq / rate)
    s1 = s2 = 0.0
    for i, x in enumerate(samples):
        w = 0.5 - 0.5 * math.cos(2.0 * math.pi * i / n)
        s0 = x * w + coeff * s1 - s2
        s2, s1 = s1, s0
    power = s1 * s1 + s2 * s2 - coeff * s1 * s2
    return _amplitude_db(math.sqrt(max(power, 0.0)), n)


def _amplitude_db(magnitude, n):
    # Hann window: a sine of amplitude A gives |X| = A * n / 4.
    amp = 4.0 * magnitude / n
    rms = amp / math.sqrt(2.0)
    return 20.0 * math.log10(rms) if rms > 1e-10 else FLOOR_DB


_tables = {}


def _table(freq, n, rate):
    key = (freq, n, rate)
    t = _tables.get(key)
    if t is None:
        w = [0.5 - 0.5 * math.cos(2.0 * math.pi * i / n) for i in range(n)]
        step = 2.0 * math.pi * freq / rate
        t = ([w[i] * math.cos(step * i) for i in range(n)],
             [w[i] * math.sin(step * i) for i in range(n)])
        if len(_tables) > 64:
            _tables.clear()
        _tables[key] = t
    return t


def tone_dbfs(samples, freq, rate=RATE):
    """Level of the `freq` component (RMS, dBFS), Hann-windowed; same result as goertzel_dbfs
    but the inner products run in C (map/sum), fast enough to poll several streams."""
    n = len(samples)
    if n == 0:
        return FLOOR_DB
    cos_t, sin_t = _table(freq, n, rate)
    re_ = sum(map(operator.mul, samples, cos_t))
    im_ = sum(map(operator.mul, samples, sin_t))
    return _amplitude_db(math.hypot(re_, im_), n)


def rms_dbfs_of(samples):
    if len(samples) == 0:
        return FLOOR_DB
    ms = sum(map(operator.mul, samples, samples)) / len(samples)
    return 10.0 * math.log10(ms) if ms > 1e-20 else FLOOR_DB


def sine(freq, seconds, amplitude=0.3, rate=RATE, phase=0.0):
    n = int(seconds * rate)
    step = 2.0 * math.pi * freq / rate
    return array.array('f', (amplitude * math.sin(phase + step * i) for i in range(n)))


def mix(*signals):
    return array.array('f', map(sum, zip(*signals)))


def longest_quiet_run(samples, block=480, threshold_db=-40.0):
    """Longest run (seconds) of consecutive `block`-sample blocks below `threshold_db` RMS."""
    longest = run = 0
    for i in range(0, len(samples) - block + 1, block):
        if rms_dbfs_of(samples[i:i + block]) < threshold_db:
            run += 1
            longest = max(longest, run)
        else:
            run = 0
    return longest * block / RATE


def check_levels(levels, present, absent, present_db=PRESENT_DB, absent_db=ABSENT_DB):
    """True when every `present` frequency is above present_db and every `absent` below absent_db."""
    return (all(levels[f] >= present_db for f in present)
            and all(levels[f] < absent_db for f in absent))


def format_levels(levels):
    return ', '.join('%g Hz %.1f dB' % (f, levels[f]) for f in sorted(levels))


# ---------------------------------------------------------------------------------------------
# receivers: real clients receiving SRTP Opus from an SDP

class Receiver:
    """Receives one SRTP Opus stream described by `sdp` with ffmpeg (default) or gst-launch-1.0,
    decoding to 48 kHz mono float; keeps the last `keep_s` seconds with arrival times."""

    def __init__(self, sdp, kind='ffmpeg', keep_s=6.0, name=None, ssrc=None):
        if kind not in ('ffmpeg', 'gst'):
            raise ValueError('unknown receiver kind ' + kind)
        self.sdp, self.kind, self.keep = sdp, kind, int(keep_s * RATE)
        self.port, self.pt, self.key = parse_sdp(sdp)
        self.name = name or 'receiver:%d' % self.port
        self.ssrc = ssrc                        # gst only: srtpdec needs the SSRC in its caps
        self.proc = None
        self.thread = None
        self.lock = threading.Lock()
        self.chunks = collections.deque()       # (arrival monotonic time, array of floats)
        self.buffered = 0
        self.total = 0                          # samples received since start
        self.last_arrival = None
        fd, self.sdp_path = tempfile.mkstemp(prefix='tolk-recv-', suffix='.sdp')
        with os.fdopen(fd, 'w') as f:
            f.write(sdp)
        fd, self.log_path = tempfile.mkstemp(prefix='tolk-recv-', suffix='.log')
        os.close(fd)

    def argv(self):
        if self.kind == 'ffmpeg':
            return ['ffmpeg', '-hide_banner', '-loglevel', 'warning', '-nostdin',
                    '-protocol_whitelist', 'file,udp,rtp,srtp,crypto',
                    '-fflags', 'nobuffer', '-flags', 'low_delay', '-reorder_queue_size', '0',
                    '-probesize', '32', '-analyzeduration', '0',
                    '-i', self.sdp_path, '-af', 'pan=mono|c0=c0', '-f', 'f32le', '-ar', str(RATE),
                    'pipe:1']
        caps = ('application/x-srtp,media=(string)audio,clock-rate=(int)48000,'
                'encoding-name=(string)OPUS,payload=(int){pt},srtp-key=(buffer){key},'
                'srtp-cipher=(string)aes-128-icm,srtp-auth=(string)hmac-sha1-80,'
                'srtcp-cipher=(string)aes-128-icm,srtcp-auth=(string)hmac-sha1-80').format(
                    pt=self.pt, key=key_hex(self.key))
        caps += ',ssrc=(uint)%d' % self.ssrc
        return ['gst-launch-1.0', '-q', 'udpsrc', 'address=127.0.0.1', 'port=%d' % self.port,
                'caps=' + caps, '!', 'srtpdec', '!', 'rtpjitterbuffer', 'latency=40', '!',
                'rtpopusdepay', '!', 'opusdec', '!', 'audioconvert', '!', 'audioresample', '!',
                'audio/x-raw,format=F32LE,rate=48000,channels=1', '!',
                'fdsink', 'fd=1', 'sync=false']

    def start(self, peek_timeout=5.0):
        if self.kind == 'gst' and self.ssrc is None:
            self.ssrc = peek_ssrc(self.port, peek_timeout)
        with open(self.log_path, 'ab') as log:
            self.proc = subprocess.Popen(self.argv(), stdin=subprocess.DEVNULL,
                                         stdout=subprocess.PIPE, stderr=log, bufsize=0)
        self.thread = threading.Thread(target=self._read, name=self.name, daemon=True)
        self.thread.start()
        return self

    def _read(self):
        fd = self.proc.stdout.fileno()
        rest = b''
        while True:
            try:
                data = os.read(fd, 65536)
            except OSError:
                break
            if not data:
                break
            data = rest + data
            usable = len(data) - len(data) % 4
            rest = data[usable:]
            if usable:
                self._append(time.monotonic(), array.array('f', data[:usable]))

    def _append(self, now, samples):
        with self.lock:
            self.chunks.append((now, samples))
            self.buffered += len(samples)
            self.total += len(samples)
            self.last_arrival = now
            while self.buffered - len(self.chunks[0][1]) >= self.keep:
                self.buffered -= len(self.chunks.popleft()[1])

    def stop(self):
        if self.proc is not None:
            terminate(self.proc, grace=3.0)
            self.proc.stdout.close()
            self.proc = None
        if self.thread is not None:
            self.thread.join(3)
            self.thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False

    def log(self):
        return _tail(self.log_path)

    # -- reading the buffer

    def samples(self, window_s=None, since=None):
        """The most recent samples (at most window_s seconds), only those arrived at or after
        `since` (a time.monotonic() value) when given."""
        with self.lock:
            chunks = [c for t, c in self.chunks if since is None or t >= since]
        out = array.array('f')
        for c in chunks:
            out.extend(c)
        if window_s is not None:
            n = int(window_s * RATE)
            if len(out) > n:
                out = out[len(out) - n:]
        return out

    def received_since(self, since):
        """Number of samples arrived at or after `since`."""
        with self.lock:
            return sum(len(c) for t, c in self.chunks if t >= since)

    def levels(self, freqs, window_s=0.25, since=None):
        """freq -> level (dBFS) over the most recent window; None if the window is not full."""
        s = self.samples(window_s, since)
        if len(s) < int(window_s * RATE):
            return None
        return {f: tone_dbfs(s, f) for f in freqs}

    def rms_dbfs(self, window_s=0.25, since=None):
        s = self.samples(window_s, since)
        return rms_dbfs_of(s) if len(s) >= int(window_s * RATE) else None

    def is_silent(self, window_s=0.25, threshold_db=SILENT_DB):
        rms = self.rms_dbfs(window_s)
        return rms is not None and rms < threshold_db

    def describe(self):
        with self.lock:
            age = None if self.last_arrival is None else time.monotonic() - self.last_arrival
        state = 'running' if self.proc and self.proc.poll() is None else 'exited'
        return ('%s (%s, %s, %d samples received, last %s s ago)\n%s'
                % (self.name, self.kind, state, self.total,
                   'never' if age is None else '%.2f' % age, self.log()[-800:]))

    def wait_for(self, present=(), absent=(), timeout=3.0, window_s=0.25,
                 present_db=PRESENT_DB, absent_db=ABSENT_DB):
        """Wait until a window of audio received after this call has every `present` frequency
        above present_db and every `absent` one below absent_db; returns the levels.
        Raises AssertionError with the last measured levels on timeout."""
        freqs = list(present) + list(absent)
        start = time.monotonic()
        deadline = start + timeout
        last = None
        while True:
            lv = self.levels(freqs, window_s, since=start)
            if lv is not None:
                last = lv
                if check_levels(lv, present, absent, present_db, absent_db):
                    return lv
            if time.monotonic() > deadline:
                raise AssertionError(
                    '%s: wanted %s present (>= %g dB) and %s absent (< %g dB) within %.1f s; '
                    'last levels: %s; received %d samples since\n%s'
                    % (self.name, list(present), present_db, list(absent), absent_db, timeout,
                       format_levels(last) if last else 'no full window',
                       self.received_since(start), self.describe()))
            time.sleep(0.05)

    def wait_silent(self, timeout=3.0, window_s=0.25, threshold_db=SILENT_DB):
        """Wait until a window received after this call is silent (but audio keeps arriving)."""
        start = time.monotonic()
        deadline = start + timeout
        last = None
        while True:
            last = self.rms_dbfs(window_s, since=start)
            if last is not None and last < threshold_db:
                return last
            if time.monotonic() > deadline:
                raise AssertionError('%s: no silent window (< %g dB) within %.1f s; last RMS %s; '
                                     'received %d samples since\n%s'
                                     % (self.name, threshold_db, timeout, last,
                                        self.received_since(start), self.describe()))
            time.sleep(0.05)

    def hold(self, present=(), absent=(), duration=1.0, window_s=0.25,
             present_db=PRESENT_DB, absent_db=ABSENT_DB):
        """Assert the condition over consecutive windows covering `duration` seconds from now."""
        freqs = list(present) + list(absent)
        start = time.monotonic()
        time.sleep(duration + 0.3)
        s = self.samples(since=start)
        n = int(window_s * RATE)
        if len(s) < int(duration * RATE * 0.8):
            raise AssertionError('%s: only %d samples in %.1f s\n%s'
                                 % (self.name, len(s), duration, self.describe()))
        for i in range(0, len(s) - n + 1, n):
            lv = {f: tone_dbfs(s[i:i + n], f) for f in freqs}
            if not check_levels(lv, present, absent, present_db, absent_db):
                raise AssertionError('%s: at %.2f s of %.1f s, wanted %s present, %s absent; '
                                     'levels: %s' % (self.name, i / RATE, duration, list(present),
                                                     list(absent), format_levels(lv)))
        return True


def stop_all(receivers, senders, daemon):
    """Ends what a media test class opened, the daemon last: its ports stay bound until
    every process talking to them has gone."""
    for r in receivers:
        r.stop()
    for s in senders:
        s.stop()
    daemon.stop()


def peek_ssrc(port, timeout=5.0, host='127.0.0.1'):
    """The SSRC of the first RTP packet arriving on `port` (the SRTP header is in clear)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((host, port))
        s.settimeout(timeout)
        while True:
            data = s.recv(2048)
            if len(data) >= 12 and data[0] >> 6 == 2 and not 200 <= data[1] <= 204:
                return int.from_bytes(data[8:12], 'big')


def wait_until(predicate, timeout=3.0, interval=0.05, message='condition'):
    """Poll `predicate` until it returns a true value; returns it, or raises AssertionError."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError('timed out after %.1f s waiting for %s' % (timeout, message))
        time.sleep(interval)


# ---------------------------------------------------------------------------------------------
# restarts: the same daemon again on its state (issue 9)

def healthz_answers(api):
    """Whether /healthz answers 200 through `api` (an Api) now."""
    try:
        return api.raw('GET', '/healthz', token='')[0] == 200
    except OSError:
        return False


def health(daemon):
    """(HTTP status, JSON) of the daemon's /healthz, or (None, the error) when nothing answers."""
    try:
        status, _, body = daemon.api().raw('GET', '/healthz', token='')
    except OSError as e:
        return None, e
    return status, decode_json(body)


def wait_serving(daemon, timeout=10.0):
    """Waits until /healthz answers at all (ok or degraded); returns (status, JSON)."""
    deadline = time.monotonic() + timeout
    while True:
        if daemon.proc.poll() is not None:
            raise AssertionError('daemon exited with %d before /healthz answered:\n%s'
                                 % (daemon.proc.returncode, daemon.stderr()))
        status, body = health(daemon)
        if status is not None:
            return status, body
        if time.monotonic() > deadline:
            daemon.kill()
            raise AssertionError('daemon did not answer /healthz in %.0f s:\n%s'
                                 % (timeout, daemon.stderr()))
        time.sleep(0.02)


def start_again(daemon, timeout=10.0, healthy=True):
    """Starts a stopped daemon's process again with the same argv: the same HTTP port, RTP
    range, token, --session files and --state-dir. Its log is appended to. With `healthy`,
    waits for {"status":"ok"}, else only for /healthz to answer. Returns the monotonic time
    of the start."""
    if daemon.alive():
        raise AssertionError('start_again: the daemon is still running')
    started = time.monotonic()
    with open(daemon.stderr_path, 'ab') as err:
        err.write(b'\n---- started again ----\n')
        err.flush()
        daemon.proc = subprocess.Popen(daemon.argv(), stdin=subprocess.DEVNULL,
                                       stdout=err, stderr=err)
    if healthy:
        daemon._wait_healthy(timeout)
    else:
        wait_serving(daemon, timeout)
    return started


def restart(daemon, hard=False, timeout=10.0):
    """kill -9 (`hard`) or SIGTERM (with a check of a clean exit), then start_again.
    Returns (monotonic time of the stop, monotonic time of the new start)."""
    stopped = time.monotonic()
    if hard:
        daemon.kill()
        daemon.proc = None
    else:
        daemon.stop(check=True)
    return stopped, start_again(daemon, timeout)


def run_to_exit(argv, timeout=10.0):
    """Runs a daemon command line that is expected to give up at start; returns (exit code,
    its output). Fails when it is still running after `timeout` seconds."""
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
        raise AssertionError('still running after %.0f s (expected an exit):\n%s'
                             % (timeout, out.decode('utf-8', 'replace')[-2000:]))
    return proc.returncode, out.decode('utf-8', 'replace')


class RtpCapture:
    """Listens on a UDP port (an output's destination) and keeps, per packet, its arrival time
    and the clear RTP header fields (SSRC, sequence number, timestamp): what a receiver sees of
    an output's packet index without decrypting it."""

    def __init__(self, port=None, host='127.0.0.1'):
        self.port = port or free_udp_pair()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((host, self.port))
        self.sock.settimeout(0.1)
        self.lock = threading.Lock()
        self.packets = []                       # (monotonic time, ssrc, seq, timestamp)
        self.running = True
        self.thread = threading.Thread(target=self._run, name='rtp:%d' % self.port, daemon=True)
        self.thread.start()

    def _run(self):
        while self.running:
            try:
                data = self.sock.recv(2048)
            except socket.timeout:
                continue
            except OSError:
                break
            if len(data) < 12 or data[0] >> 6 != 2 or 192 <= data[1] <= 223:
                continue                        # not RTP, or RTCP
            entry = (time.monotonic(), int.from_bytes(data[8:12], 'big'),
                     int.from_bytes(data[2:4], 'big'), int.from_bytes(data[4:8], 'big'))
            with self.lock:
                self.packets.append(entry)
                if len(self.packets) > 4000:
                    del self.packets[:1000]

    def last_before(self, when):
        with self.lock:
            older = [p for p in self.packets if p[0] < when]
        return older[-1] if older else None

    def first_after(self, when):
        with self.lock:
            return next((p for p in self.packets if p[0] >= when), None)

    def close(self):
        self.running = False
        self.thread.join(2)
        self.sock.close()
