# SPDX-License-Identifier: EUPL-1.2
"""Janus AudioBridge as the peer of the sitting benchmark (tests/bench/sitting_bench.py).

Runs Debian's janus as a child process with a configuration of our own in a temporary
directory: only the AudioBridge plugin and the HTTP transport on 127.0.0.1 (the plugin and
transport folders hold nothing else, no event handler, no logger), and builds the plenary the
way Janus users build interpretation today:
  - one room per language plus one for the floor, 48 kHz, plain-RTP participants allowed;
  - the floor speaker: a send-only plain-RTP participant of the floor room;
  - each console: a send-only participant of its booth's language room (muted while its mic
    is off, as Tolk drops the packets of a console whose mic is off), and a muted listening
    participant of the room it hears (the floor room, or the relayed language's room), whose
    mix Janus sends back: the console's return feed;
  - the listeners: rtp_forward of each room, one forwarder per destination (4 per channel, as
    Tolk has 4 outputs per channel), so both send the same packets to the same receivers. Janus
    encodes a room's mix once for all its forwarders, so the 4 forwarders cost one encode; an
    idle booth's channel is the floor room forwarded to 4 more destinations.
Thread contract: used from the benchmark's main thread only.
"""

import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request

JANUS_BIN = '/usr/bin/janus'
LIB = '/usr/lib/x86_64-linux-gnu/janus'
PT = 96


def available():
    return os.access(JANUS_BIN, os.X_OK)


class Janus:
    """A janus child process on 127.0.0.1 and a REST client for one Janus session."""

    def __init__(self, http_port, rtp_lo, rtp_hi):
        self.http_port, self.rtp_lo, self.rtp_hi = http_port, rtp_lo, rtp_hi
        self.dir = tempfile.mkdtemp(prefix='tolk-bench-janus-')
        self.proc = None
        self.session = None
        self.txn = 0

    def _write_config(self):
        d = self.dir
        for sub, lib in (('plugins', 'plugins/libjanus_audiobridge.so'), ('transports', 'transports/libjanus_http.so')):
            os.mkdir(os.path.join(d, sub))
            os.symlink(os.path.join(LIB, lib), os.path.join(d, sub, os.path.basename(lib)))
        for sub in ('events', 'loggers'):
            os.mkdir(os.path.join(d, sub))
        files = {
            'janus.jcfg': (
                'general: {\n configs_folder = "%(d)s"\n plugins_folder = "%(d)s/plugins"\n'
                ' transports_folder = "%(d)s/transports"\n events_folder = "%(d)s/events"\n'
                ' loggers_folder = "%(d)s/loggers"\n log_to_stdout = true\n debug_level = 3\n'
                ' session_timeout = 0\n}\n'
                'media: {\n rtp_port_range = "%(lo)d-%(hi)d"\n}\n'
                'nat: {\n ice_enforce_list = "lo"\n ignore_mdns = true\n}\n'
                'plugins: {\n}\ntransports: {\n}\nloggers: {\n}\nevents: {\n broadcast = false\n}\n'
                % {'d': d, 'lo': self.rtp_lo, 'hi': self.rtp_hi}),
            'janus.transport.http.jcfg': (
                'general: {\n json = "compact"\n base_path = "/janus"\n http = true\n'
                ' port = %d\n ip = "127.0.0.1"\n https = false\n}\n'
                'admin: {\n admin_http = false\n admin_https = false\n}\ncors: {\n}\n' % self.http_port),
            'janus.plugin.audiobridge.jcfg': (
                'general: {\n local_ip = "127.0.0.1"\n rtp_port_range = "%d-%d"\n events = false\n}\n'
                % (self.rtp_lo, self.rtp_hi)),
        }
        for name, text in files.items():
            with open(os.path.join(d, name), 'w') as f:
                f.write(text)

    def start(self, timeout=20.0):
        self._write_config()
        self.log = open(os.path.join(self.dir, 'janus.log'), 'w')
        self.proc = subprocess.Popen([JANUS_BIN, '-C', os.path.join(self.dir, 'janus.jcfg'),
                                      '-F', self.dir], stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError('janus exited (%s): %s' % (self.proc.returncode, self.log_tail()))
            try:
                self.session = self.call('', {'janus': 'create'})['data']['id']
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError('janus did not answer on 127.0.0.1:%d' % self.http_port)

    def log_tail(self):
        try:
            with open(os.path.join(self.dir, 'janus.log')) as f:
                return f.read()[-2000:]
        except OSError:
            return ''

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        shutil.rmtree(self.dir, ignore_errors=True)

    def call(self, path, body, timeout=10):
        self.txn += 1
        body = dict(body, transaction='t%d' % self.txn)
        url = 'http://127.0.0.1:%d/janus%s' % (self.http_port, path)
        req = urllib.request.Request(url, json.dumps(body).encode(), {'Content-Type': 'application/json'})
        with urllib.request.urlopen(req, timeout=timeout) as r:
            answer = json.loads(r.read())
        if answer.get('janus') == 'error':
            raise RuntimeError('janus: %s' % answer['error'])
        return answer

    def attach(self):
        return self.call('/%d' % self.session, {'janus': 'attach', 'plugin': 'janus.plugin.audiobridge'})['data']['id']

    def request(self, handle, body):
        """A synchronous AudioBridge request; returns its plugin data."""
        data = self.call('/%d/%d' % (self.session, handle), {'janus': 'message', 'body': body})
        data = data['plugindata']['data']
        if 'error' in data:
            raise RuntimeError('audiobridge %s: %s' % (body.get('request'), data['error']))
        return data

    def message(self, handle, body):
        """An asynchronous AudioBridge request (join): only acked; the answer is an event."""
        self.call('/%d/%d' % (self.session, handle), {'janus': 'message', 'body': body})

    def events(self, want, timeout=30):
        """Long-polls the session's events until `want` handles have answered; {handle: data}."""
        got = {}
        deadline = time.monotonic() + timeout
        while len(got) < want and time.monotonic() < deadline:
            url = 'http://127.0.0.1:%d/janus/%d?maxev=100' % (self.http_port, self.session)
            with urllib.request.urlopen(url, timeout=40) as r:
                evs = json.loads(r.read())
            for ev in evs if isinstance(evs, list) else [evs]:
                data = ev.get('plugindata', {}).get('data', {})
                # a participant's own "joined" carries its id; the others get one without
                if (data.get('audiobridge') == 'joined' and 'id' in data) or 'error' in data:
                    got[ev['sender']] = (data, ev.get('jsep'))
        if len(got) < want:
            raise RuntimeError('janus answered %d of %d joins' % (len(got), want))
        return got


def build_plenary(janus, langs, floor_lang, idle, probe, relay_from_en, outputs_per_channel, out_ports):
    """The plenary on Janus. Returns (inputs, outputs, counts) in the load generator's terms:
    inputs [(port, '-', kind)] with the floor first, outputs [(port, '-', ref, label[, latch])]
    labelled as sitting_bench.py labels Tolk's. Janus 1.1.2 starts sending a plain-RTP
    participant its mix only after a first RTP packet from it (symmetric RTP), and a participant
    whose packets meet a closed port stops: so the load generator, once it has bound a return
    feed's port, sends one packet from it to the participant's Janus port (latch)."""
    ports = iter(out_ports)
    admin = janus.attach()
    rooms = {}
    for k, name in enumerate(['floor'] + langs):
        rooms[name] = 1000 + k
        janus.request(admin, {'request': 'create', 'room': rooms[name], 'description': name,
                              'sampling_rate': 48000, 'allow_rtp_participants': True,
                              'audiolevel_event': False, 'record': False})
    # participants: (room, muted, send_to or None, kind, label of the return feed or None)
    parts = [('floor', False, None, 'floor', None)]
    probe_lang, probe_n = probe.split('/')
    for lang in langs:
        for n in (1, 2, 3):
            live = n == 1 and lang not in idle
            kind = 'probe' if (lang, str(n)) == (probe_lang, probe_n) else 'tone'
            parts.append((lang, not live, None, kind, None))
    returns = []
    for lang in langs:
        for n in (1, 2, 3):
            hears = 'en' if n == 1 and lang in relay_from_en else 'floor'
            ref = '-'
            if (lang, n) in (('sv', 2), ('it', 1)):
                ref = 'floor'
            elif (lang, n) == ('fi', 1):
                ref = 'probe'
            port = next(ports)
            returns.append((port, ref, 'return:%s/%d' % (lang, n)))
            parts.append((hears, True, port, None, None))
    handles = []
    for room, muted, send_to, kind, _ in parts:
        h = janus.attach()
        rtp = {'payload_type': PT}
        if send_to:
            rtp.update(ip='127.0.0.1', port=send_to)
        janus.message(h, {'request': 'join', 'room': rooms[room], 'muted': muted, 'codec': 'opus',
                          'display': kind or 'listener', 'rtp': rtp})
        handles.append(h)
    joined = janus.events(len(handles))
    inputs = []
    latch = {}
    for h, (room, muted, send_to, kind, _) in zip(handles, parts):
        data, _ = joined[h]
        if 'error' in data:
            raise RuntimeError('audiobridge join: %s' % data['error'])
        if 'rtp' not in data:
            raise RuntimeError('audiobridge join without an RTP port (range %d-%d full?): %s'
                               % (janus.rtp_lo, janus.rtp_hi, data))
        if kind:
            inputs.append((data['rtp']['port'], '-', kind))
        else:
            latch[send_to] = data['rtp']['port']
    outputs = []
    for ch in ['floor'] + langs:
        room = 'floor' if ch in idle or ch == floor_lang else ch
        for k in range(outputs_per_channel):
            port = next(ports)
            janus.request(admin, {'request': 'rtp_forward', 'room': rooms[room], 'host': '127.0.0.1',
                                  'port': port, 'codec': 'opus', 'ptype': PT, 'always_on': True})
            ref = '-'
            if k == 0 and ch in ('floor', 'ga', 'de'):
                ref = 'floor'
            elif k == 0 and ch == 'en':
                ref = 'probe'
            outputs.append((port, '-', ref, 'channel:%s/%d' % (ch, k)))
    outputs += [(port, '-', ref, label, latch[port]) for port, ref, label in returns]
    encodes = len(parts) + len(set('floor' if ch in idle else ch for ch in ['floor'] + langs))
    return inputs, outputs, {'rooms': len(rooms), 'participants': len(parts),
                             'forwarders': len(outputs) - len(returns), 'encodes': encodes}
