# SPDX-License-Identifier: EUPL-1.2
"""Server-sent events, signals, handover and sound check (issue 3) against the real daemon.

One daemon, one sitting 'events': channels de, en, fr; booths en (2 consoles, B: fr) and fr
(2 consoles, B: en). Senders: floor 440 Hz, en/1 880 Hz, en/2 990 Hz, fr/1 660 Hz; fr/2 sends
nothing (a silent console). SRTP outputs on the channels en and fr, received by the harness.
Event streams are read by a small SSE client (http.client, a reader thread and a queue)."""

import http.client
import json
import os
import queue
import socket
import sys
import threading
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import tolkharness as th  # noqa: E402

SID = 'events'
FLOOR, EN1, EN2, FR1, CHECK = 440, 880, 990, 660, 1000
TONES = (FLOOR, EN1, EN2, FR1)
SITTING = {
    'id': SID,
    'name': 'e2e events',
    'floor_language': 'de',
    'channels': ['de', 'en', 'fr'],
    'booths': [
        {'language': 'en', 'consoles': 2, 'b_channels': ['fr']},
        {'language': 'fr', 'consoles': 2, 'b_channels': ['en']},
    ],
}
CONSOLES = ('en/1', 'en/2', 'fr/1', 'fr/2')
SENDERS = (('floor', FLOOR, 'gst'), ('en/1', EN1, 'ffmpeg'), ('en/2', EN2, 'gst'),
           ('fr/1', FR1, 'ffmpeg'))
SECRET_KEYS = ('"inputs"', '"srtp"', '"sdp"', '"key"', '"host"', '"port"')


# ---------------------------------------------------------------------------------------------
# a server-sent events client

class SseError(AssertionError):
    pass


class SseClient:
    """Reads one text/event-stream in a thread; messages go to a queue as dicts
    {'id', 'event', 'data' (parsed JSON, or the text), 'raw', 'at'}; the end of the stream
    is a message with event None. Every wait is bounded by a timeout."""

    def __init__(self, host, port, path, token=None, query_token=None, headers=None,
                 connect_timeout=5.0, read_timeout=30.0, name='sse'):
        self.name = name
        if query_token is not None:
            sep = '&' if '?' in path else '?'
            path += sep + 'access_token=' + urllib.parse.quote(query_token, safe='')
        hdrs = {'Accept': 'text/event-stream', 'Cache-Control': 'no-cache'}
        if token:
            hdrs['Authorization'] = 'Bearer ' + token
        hdrs.update(headers or {})
        self.conn = http.client.HTTPConnection(host, port, timeout=connect_timeout)
        self.conn.request('GET', path, headers=hdrs)
        self.resp = self.conn.getresponse()
        self.status = self.resp.status
        self.headers = {k.lower(): v for k, v in self.resp.getheaders()}
        self.queue = queue.Queue()
        self.history = []               # every message taken from the queue, in order
        self.closed = threading.Event()
        self.comments = []
        self.body = None
        self.error = None
        self.thread = None
        if self.status != 200:
            self.body = th.decode_json(self.resp.read())
            self.conn.close()
            self.closed.set()
            return
        if self.conn.sock is not None:
            self.conn.sock.settimeout(read_timeout)
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.thread.start()

    # -- the reader thread

    def _run(self):
        buf = b''
        fields = {}
        data_lines = []
        try:
            while True:
                chunk = self.resp.read1(65536)
                if not chunk:
                    break
                buf += chunk
                while True:
                    cut = min((i for i in (buf.find(b'\n'), buf.find(b'\r')) if i >= 0),
                              default=-1)
                    if cut < 0:
                        break
                    line = buf[:cut]
                    step = 2 if buf[cut:cut + 2] == b'\r\n' else 1
                    if buf[cut:cut + 1] == b'\r' and cut + 1 == len(buf):
                        break                     # a CR at the end: wait for a possible LF
                    buf = buf[cut + step:]
                    self._line(line.decode('utf-8', 'replace'), fields, data_lines)
        except Exception as e:          # noqa: BLE001 - closed under us, reset, timed out
            self.error = e
        finally:
            self.closed.set()
            self.queue.put({'event': None, 'id': None, 'data': None, 'raw': None,
                            'at': time.monotonic()})

    def _line(self, line, fields, data_lines):
        if line == '':
            if data_lines or 'event' in fields:
                raw = '\n'.join(data_lines)
                try:
                    data = json.loads(raw)
                except ValueError:
                    data = raw
                self.queue.put({'event': fields.get('event', 'message'), 'id': fields.get('id'),
                                'data': data, 'raw': raw, 'at': time.monotonic()})
            fields.clear()
            data_lines.clear()
            return
        if line.startswith(':'):
            self.comments.append(line[1:].strip())
            return
        name, _, value = line.partition(':')
        if value.startswith(' '):
            value = value[1:]
        if name == 'data':
            data_lines.append(value)
        elif name in ('event', 'id', 'retry'):
            fields[name] = value

    # -- reading

    def next(self, timeout=5.0):
        """The next message (event None: the stream ended); SseError on timeout."""
        try:
            msg = self.queue.get(timeout=timeout)
        except queue.Empty:
            raise SseError('%s: no event within %.1f s' % (self.name, timeout)) from None
        self.history.append(msg)
        return msg

    def wait_for(self, event, predicate=lambda d: True, timeout=5.0):
        """Skips messages until one named `event` whose data satisfies `predicate`."""
        deadline = time.monotonic() + timeout
        seen = []
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise SseError('%s: no %r event matching within %.1f s; saw %s'
                               % (self.name, event, timeout, summary(seen)))
            try:
                msg = self.next(left)
            except SseError:
                continue
            if msg['event'] is None:
                raise SseError('%s: stream ended while waiting for %r; saw %s'
                               % (self.name, event, summary(seen)))
            seen.append(msg)
            if msg['event'] == event and predicate(msg['data']):
                return msg

    def wait_all(self, wanted, timeout=5.0):
        """Skips messages until each (event, predicate) of `wanted` has matched one, in any
        order; returns the matching messages in the order of `wanted`."""
        deadline = time.monotonic() + timeout
        found = [None] * len(wanted)
        seen = []
        while None in found:
            left = deadline - time.monotonic()
            if left <= 0:
                raise SseError('%s: missing %s within %.1f s; saw %s'
                               % (self.name, [w[0] for w, f in zip(wanted, found) if f is None],
                                  timeout, summary(seen)))
            try:
                msg = self.next(left)
            except SseError:
                continue
            if msg['event'] is None:
                raise SseError('%s: stream ended; saw %s' % (self.name, summary(seen)))
            seen.append(msg)
            for i, (event, predicate) in enumerate(wanted):
                if found[i] is None and msg['event'] == event and predicate(msg['data']):
                    found[i] = msg
                    break
        return found

    def collect(self, event, seconds):
        """All messages named `event` in the next `seconds` seconds."""
        out = []
        deadline = time.monotonic() + seconds
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return out
            try:
                msg = self.next(left)
            except SseError:
                return out
            if msg['event'] is None:
                raise SseError('%s: stream ended while collecting %r' % (self.name, event))
            if msg['event'] == event:
                out.append(msg)

    def drain(self):
        """Take every message already queued."""
        while True:
            try:
                self.history.append(self.queue.get_nowait())
            except queue.Empty:
                return

    def wait_closed(self, timeout=5.0):
        """True when the server ends the stream within `timeout`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                msg = self.next(max(0.01, deadline - time.monotonic()))
            except SseError:
                break
            if msg['event'] is None:
                return True
        return False

    def close(self):
        sock = self.conn.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if self.thread is not None:
            self.thread.join(3)
        self.conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def summary(msgs, limit=12):
    parts = []
    for m in msgs[-limit:]:
        d = m['data']
        if m['event'] == 'session':
            d = '{session}'
        elif m['event'] == 'levels':
            d = '{levels}'
        parts.append('%s %s' % (m['event'], json.dumps(d) if not isinstance(d, str) else d))
    return '[' + '; '.join(parts) + ']' if parts else '[nothing]'


# ---------------------------------------------------------------------------------------------

sp, find, console_of = th.session_path, th.find, th.console_of


def console_path(cid, sid=SID):
    return th.console_path(cid, sid)


def mic_of(cid, mic):
    return lambda s: console_of(s, cid)['mic'] == mic


class Events(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = th.Daemon().start()
        cls.api = cls.daemon.api()
        cls.senders, cls.rx, cls.streams = [], {}, []
        try:
            cls.session = cls.api.expect(201, 'POST', '/api/v1/sessions', SITTING)
            for input_id, freq, kind in SENDERS:
                cls.senders.append(th.Sender.for_input(cls.session, input_id, freq, kind=kind).start())
            cls.sender = {s[0]: snd for s, snd in zip(SENDERS, cls.senders)}
            for ch in ('en', 'fr'):
                cls.rx[ch] = cls.api.listen(sp(SID, 'channels', ch, 'outputs'), 'channel ' + ch)[0]
            cls.tok = {}
            for cid in CONSOLES:
                cls.tok[cid] = cls.api.expect(201, 'POST', sp(SID, 'tokens'),
                                              {'role': 'console', 'console': cid})['token']
            cls.tok['listener'] = cls.api.expect(201, 'POST', sp(SID, 'tokens'),
                                                 {'role': 'listener', 'channel': 'en'})['token']
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        for s in cls.streams:
            s.close()
        th.stop_all(cls.rx.values(), cls.senders, cls.daemon)

    def setUp(self):
        self.api.expect(200, 'PATCH', sp(SID), {'interlock': 'no-override', 'sound_check': False})
        for cid in CONSOLES:
            self.api.expect(200, 'PATCH', console_path(cid), {'mic': 'off'})
        for cid in CONSOLES:
            self.api.expect(200, 'PATCH', console_path(cid), {'output': 'A', 'listen': 'floor'})

    # -- helpers

    def open(self, token=None, query_token=None, sid=SID, headers=None, status=200, name=None):
        s = SseClient(self.daemon.host, self.daemon.port, sp(sid, 'events'), token=token,
                      query_token=query_token, headers=headers, name=name or 'sse')
        self.streams.append(s)
        self.addCleanup(s.close)
        self.assertEqual(s.status, status, '%s: GET events -> %d %s' % (s.name, s.status, s.body))
        if status == 200:
            self.assertTrue(s.headers.get('content-type', '').startswith('text/event-stream'),
                            s.headers)
        return s

    def op_stream(self):
        return self.open(token=self.daemon.token, name='operator')

    def first_session(self, stream):
        msg = stream.next(timeout=5)
        self.assertEqual(msg['event'], 'session', 'first event of %s: %s' % (stream.name, msg))
        self.assertEqual(msg['data']['id'], SID)
        return msg

    def wait_session(self, stream, predicate, timeout=5.0):
        return stream.wait_for('session', predicate, timeout)['data']

    def patch_console(self, cid, body, status=200, token=None):
        got, js = self.api.patch(console_path(cid)[len('/api/v1/'):], body, token=token)
        self.assertEqual(got, status, 'PATCH %s %s -> %s' % (cid, body, js))
        return js

    def signal(self, kind, token, status=201):
        got, js = self.api.post('sessions/%s/signals' % SID, {'kind': kind}, token=token)
        self.assertEqual(got, status, 'POST signals %s -> %s' % (kind, js))
        return js

    def assert_public(self, msg):
        shown = [k for k in SECRET_KEYS if k in msg['raw']]
        self.assertFalse(shown, '%s: a public session event shows %s: %s...'
                         % (msg.get('stream', ''), ', '.join(shown), msg['raw'][:300]))
        self.assertNotIn('inputs', msg['data'])
        for inp in self.session['inputs']:
            self.assertNotIn(inp['srtp']['key'], msg['raw'])

    # -- the stream

    def test_01_first_event_is_the_view_of_the_token(self):
        op = self.op_stream()
        msg = self.first_session(op)
        self.assertIn('inputs', msg['data'])
        self.assertEqual(sorted(i['id'] for i in msg['data']['inputs']),
                         sorted(('floor',) + CONSOLES))
        self.assertIn('srtp', msg['data']['inputs'][0])
        self.assertIsNotNone(msg['id'])
        for who in ('en/1', 'listener'):
            s = self.open(query_token=self.tok[who], name=who)
            m = self.first_session(s)
            self.assert_public(m)
            self.assertEqual(sorted(c['id'] for c in m['data']['channels']),
                             ['de', 'en', 'floor', 'fr'])
            self.assertIn('sound_check', m['data'])
        # the header works for a console token too, and the query for the operator
        self.first_session(self.open(token=self.tok['fr/2'], name='fr/2 header'))
        m = self.first_session(self.open(query_token=self.daemon.token, name='operator query'))
        self.assertIn('inputs', m['data'])

    def test_02_stream_access(self):
        s = self.open(query_token='wrong', status=401)
        self.assertEqual(s.body['error']['code'], 'unauthorized', s.body)
        self.open(token='wrong', status=401)
        # without any token: 401 by the contract, checked in test_roles.py (test_06b)
        self.open(sid='nosuch', token=self.daemon.token, status=404)
        other = 'events-other'
        self.api.expect(201, 'POST', '/api/v1/sessions', {'id': other, 'channels': ['en']})
        try:
            self.open(sid=other, query_token=self.tok['en/1'], status=403)
        finally:
            self.api.expect(204, 'DELETE', sp(other))

    def test_03_mic_on_gives_session_and_console_events(self):
        op = self.op_stream()
        con = self.open(query_token=self.tok['en/1'], name='en/1')
        lis = self.open(query_token=self.tok['listener'], name='listener')
        for s in (op, con, lis):
            self.first_session(s)
        self.patch_console('en/1', {'mic': 'on'}, token=self.tok['en/1'])
        for s in (op, con, lis):
            m, ev = s.wait_all([('session', mic_of('en/1', 'on')),
                                ('console', lambda d: d.get('event') == 'mic')])
            self.assertEqual(find(m['data']['channels'], 'id', 'en')['source'], 'en/1')
            if s is not op:
                self.assert_public(m)
            self.assertEqual(ev['data'], {'event': 'mic', 'console': 'en/1', 'other': None})
        self.patch_console('en/1', {'mic': 'off'}, token=self.tok['en/1'])
        self.wait_session(op, mic_of('en/1', 'off'))

    def test_03b_event_ids_are_unique_and_grow(self):
        op = self.op_stream()
        self.first_session(op)
        self.patch_console('en/1', {'mic': 'on'})
        op.wait_all([('session', mic_of('en/1', 'on')),
                     ('console', lambda d: d.get('event') == 'mic')])
        self.patch_console('en/1', {'mic': 'off'})
        op.wait_all([('session', mic_of('en/1', 'off')),
                     ('console', lambda d: d.get('event') == 'mic')])
        op.collect('levels', 0.6)
        seq = [(m['event'], int(m['id'])) for m in op.history if m['event'] is not None]
        ids = [i for _, i in seq]
        self.assertEqual(ids, sorted(ids), 'event ids must grow: %s' % seq)
        self.assertEqual(len(set(ids)), len(ids), 'event ids must differ: %s' % seq)

    def test_04_override_events(self):
        op = self.op_stream()
        self.first_session(op)
        self.api.expect(200, 'PATCH', sp(SID), {'interlock': 'override'})
        self.patch_console('en/1', {'mic': 'on'})
        op.wait_for('console', lambda d: d.get('event') == 'mic' and d.get('console') == 'en/1')
        self.patch_console('fr/1', {'output': 'B', 'b_channel': 'en', 'mic': 'on'})
        got = {}
        deadline = time.monotonic() + 5
        while set(got) != {'overridden', 'took_over'} and time.monotonic() < deadline:
            m = op.wait_for('console', lambda d: d.get('event') in ('overridden', 'took_over'),
                            timeout=max(0.1, deadline - time.monotonic()))
            got[m['data']['event']] = m['data']
        self.assertEqual(got['overridden']['console'], 'en/1', got)
        self.assertEqual(got['overridden']['other'], 'fr/1', got)
        self.assertEqual(got['took_over']['console'], 'fr/1', got)
        self.assertEqual(got['took_over']['other'], 'en/1', got)
        s = self.wait_session(op, lambda s: find(s['channels'], 'id', 'en')['source'] == 'fr/1')
        self.assertEqual(console_of(s, 'en/1')['mic'], 'off')

    def test_05_console_lost(self):
        op = self.op_stream()
        self.first_session(op)
        self.patch_console('en/1', {'mic': 'on'})
        self.rx['en'].wait_for([EN1], [FLOOR, EN2], timeout=3)
        sender = self.sender['en/1']
        sender.stop()
        try:
            t0 = time.monotonic()
            lost, _ = op.wait_all([('console', lambda d: d.get('event') == 'console_lost'),
                                   ('session', mic_of('en/1', 'off'))], timeout=6)
            self.assertEqual(lost['data']['console'], 'en/1', lost['data'])
            self.assertGreater(time.monotonic() - t0, 0.5, 'lost too early')
            self.rx['en'].wait_for([FLOOR], [EN1], timeout=3)
        finally:
            sender.start()                # ffmpeg: a new random SSRC
        # the console comes back: live again, heard again
        th.wait_until(lambda: self.levels_now(op)['inputs']['en/1'] > -30, timeout=5,
                      message='en/1 input level back after the sender restarted')
        self.patch_console('en/1', {'mic': 'on'})
        self.rx['en'].wait_for([EN1], [FLOOR], timeout=5)

    def levels_now(self, stream):
        return stream.wait_for('levels', timeout=2)['data']

    def test_06_levels(self):
        s = self.open(query_token=self.tok['listener'], name='listener')
        self.first_session(s)
        s.wait_for('levels', lambda d: True, timeout=3)
        msgs = s.collect('levels', 2.0)
        self.assertTrue(5 <= len(msgs) <= 13, '%d levels events in 2 s' % len(msgs))
        gaps = [b['at'] - a['at'] for a, b in zip(msgs, msgs[1:])]
        self.assertLess(max(gaps), 0.6, gaps)
        last = msgs[-1]['data']
        self.assertEqual(set(last), {'inputs', 'input_states', 'channels', 'listeners'}, last)
        # the listener counts come here (not as session events), the same as a GET says
        got = self.api.expect(200, 'GET', th.session_path(SID))['channels']
        self.assertEqual(last['listeners'], {ch['id']: ch['listeners'] for ch in got}, last)
        self.assertEqual(set(last['inputs']), {'floor'} | set(CONSOLES), last)
        self.assertEqual(set(last['input_states']), set(last['inputs']), last)
        self.assertEqual(last['input_states']['floor'], 'receiving', last)
        self.assertEqual(last['input_states']['fr/2'], 'silent', last)
        self.assertEqual(set(last['channels']), {'floor', 'de', 'en', 'fr'}, last)
        for m in msgs[-4:]:
            lv = m['data']
            self.assertTrue(-25 <= lv['inputs']['floor'] <= -5, lv)
            self.assertTrue(-25 <= lv['inputs']['en/1'] <= -5, lv)
            self.assertEqual(lv['inputs']['fr/2'], -100, lv)
            self.assertTrue(-25 <= lv['channels']['floor'] <= -5, lv)
            self.assertTrue(-25 <= lv['channels']['en'] <= -5, lv)   # idle: the floor

    def test_07_signals(self):
        op = self.op_stream()
        con = self.open(query_token=self.tok['en/1'], name='en/1')
        self.first_session(op)
        self.first_session(con)
        slower = self.signal('slower', self.tok['en/2'])
        self.assertEqual(slower['kind'], 'slower')
        self.assertIsNone(slower['console'])
        self.assertEqual(slower['booth'], 'en')
        self.assertIn('T', slower['at'])
        tech = self.signal('technician', self.tok['fr/2'])
        self.assertEqual(tech['console'], 'fr/2')
        self.assertEqual(tech['booth'], 'fr')
        self.assertNotEqual(slower['id'], tech['id'])
        for s in (op, con):
            m = s.wait_for('signal', lambda d: d['id'] == slower['id'])
            self.assertEqual(m['data'], slower)
            self.assertNotIn('en/2', m['raw'], 'a "slower" signal must be anonymous')
            m = s.wait_for('signal', lambda d: d['id'] == tech['id'])
            self.assertEqual(m['data'], tech)
        self.signal('shout', self.tok['en/2'], status=400)
        self.signal('slower', self.tok['listener'], status=403)
        got, js = self.api.post('sessions/%s/signals' % SID, {'kind': 'technician', 'console': 'fr/1'})
        self.assertEqual(got, 201, js)
        self.assertEqual(js['console'], 'fr/1')
        listed = self.api.expect(200, 'GET', sp(SID, 'signals'))['signals']
        ids = [g['id'] for g in listed]
        for g in (slower, tech, js):
            self.assertIn(g['id'], ids)
        self.assertIsNone(find(listed, 'id', slower['id'])['console'])
        self.assertEqual(self.api.get('sessions/%s/signals' % SID, token=self.tok['en/1'])[0], 403)
        for g in (slower, tech, js):
            self.api.expect(204, 'DELETE', sp(SID, 'signals', str(g['id'])))
            m = op.wait_for('signal_cleared', lambda d, i=g['id']: d['id'] == i)
            self.assertEqual(m['data'], {'id': g['id']})
        con.wait_for('signal_cleared', lambda d: d['id'] == js['id'])
        self.assertEqual(self.api.delete('sessions/%s/signals/%d' % (SID, slower['id']))[0], 404)
        left = self.api.expect(200, 'GET', sp(SID, 'signals'))['signals']
        self.assertFalse({g['id'] for g in left} & set(ids[-3:]))

    def test_08_handover(self):
        op = self.op_stream()
        self.first_session(op)
        self.signal('handover_accept', self.tok['en/1'], status=409)   # nothing asked yet
        self.patch_console('en/1', {'mic': 'on'}, token=self.tok['en/1'])
        self.rx['en'].wait_for([EN1], [FLOOR, EN2], timeout=3)
        req = self.signal('handover_request', self.tok['en/2'])
        self.assertEqual(req['kind'], 'handover_request')
        self.assertEqual(req['console'], 'en/2')
        op.wait_for('signal', lambda d: d['id'] == req['id'])
        acc = self.signal('handover_accept', self.tok['en/1'])
        self.assertEqual(acc['kind'], 'handover_accept')
        self.assertEqual(acc['console'], 'en/1')
        s = self.api.expect(200, 'GET', sp(SID))
        self.assertEqual(console_of(s, 'en/2')['mic'], 'on')
        self.assertEqual(console_of(s, 'en/1')['mic'], 'off')
        self.assertEqual(find(s['channels'], 'id', 'en')['source'], 'en/2')
        self.wait_session(op, lambda s: mic_of('en/2', 'on')(s) and mic_of('en/1', 'off')(s))
        self.rx['en'].wait_for([EN2], [FLOOR, EN1], timeout=3)
        # the request is used up: accepting again finds none
        js = self.signal('handover_accept', self.tok['en/2'], status=409)
        self.assertIn('error', js)
        s = self.api.expect(200, 'GET', sp(SID))
        self.assertEqual(console_of(s, 'en/2')['mic'], 'on')

    def test_09_handover_accept_only_by_the_live_console(self):
        """A partner who asked for the handover cannot accept it itself: the live console does."""
        self.patch_console('en/1', {'mic': 'on'})
        self.signal('handover_request', self.tok['en/2'])
        got, js = self.api.post('sessions/%s/signals' % SID, {'kind': 'handover_accept'},
                                token=self.tok['en/2'])
        s = self.api.expect(200, 'GET', sp(SID))
        self.assertEqual((console_of(s, 'en/1')['mic'], console_of(s, 'en/2')['mic']), ('on', 'off'),
                         'POST signals handover_accept by the requester en/2 (not live) -> %d %s'
                         % (got, js))
        self.assertNotEqual(got, 201, js)

    def test_10_sound_check(self):
        op = self.op_stream()
        self.first_session(op)
        self.patch_console('fr/1', {'mic': 'on'})
        self.rx['fr'].wait_for([FR1], [FLOOR, CHECK], timeout=3)
        self.rx['en'].wait_for([FLOOR], [FR1, CHECK], timeout=3)
        s = self.api.expect(200, 'PATCH', sp(SID), {'sound_check': True})
        self.assertIs(s['sound_check'], True)
        self.wait_session(op, lambda s: s.get('sound_check') is True)
        lv_en = self.rx['en'].wait_for([CHECK, FLOOR], [FR1, EN1], timeout=3)
        lv_fr = self.rx['fr'].wait_for([CHECK, FR1], [FLOOR, EN1], timeout=3)
        time.sleep(0.6)
        for ch, lv in (('en', lv_en), ('fr', lv_fr)):
            lv = self.rx[ch].levels([CHECK], window_s=0.5)
            self.assertAlmostEqual(lv[CHECK], -20.0, delta=4.0, msg='%s: %s' % (ch, th.format_levels(lv)))
        self.assertIs(self.api.expect(200, 'GET', sp(SID))['sound_check'], True)
        s = self.api.expect(200, 'PATCH', sp(SID), {'sound_check': False})
        self.assertIs(s['sound_check'], False)
        self.rx['en'].wait_for([FLOOR], [CHECK], timeout=3)
        self.rx['fr'].wait_for([FR1], [CHECK], timeout=3)
        self.wait_session(op, lambda s: s.get('sound_check') is False)
        self.api.expect(400, 'PATCH', sp(SID), {'sound_check': 'on'})

    def test_11_reconnect_with_last_event_id(self):
        s = self.op_stream()
        first = self.first_session(s)
        s.close()
        again = self.open(token=self.daemon.token, headers={'Last-Event-ID': first['id']},
                          name='operator again')
        m = self.first_session(again)
        self.assertIn('inputs', m['data'])

    def test_12_stream_ends_when_session_deleted(self):
        sid = 'events-doomed'
        self.api.expect(201, 'POST', '/api/v1/sessions',
                        {'id': sid, 'channels': ['en'], 'booths': [{'language': 'en', 'consoles': 1}]})
        tok = self.api.expect(201, 'POST', sp(sid, 'tokens'), {'role': 'listener', 'channel': 'en'})
        op = self.open(sid=sid, token=self.daemon.token, name='doomed operator')
        lis = self.open(sid=sid, query_token=tok['token'], name='doomed listener')
        for s in (op, lis):
            self.assertEqual(s.next(5)['event'], 'session')
        self.api.expect(204, 'DELETE', sp(sid))
        for s in (op, lis):
            self.assertTrue(s.wait_closed(5), '%s: stream still open 5 s after DELETE session; saw %s'
                            % (s.name, summary(s.history)))
        # the main sitting's streams are untouched
        s = self.op_stream()
        self.first_session(s)

    def test_13_stream_ends_when_token_revoked(self):
        t = self.api.expect(201, 'POST', sp(SID, 'tokens'), {'role': 'console', 'console': 'fr/2'})
        s = self.open(query_token=t['token'], name='revoked')
        self.first_session(s)
        self.api.expect(204, 'DELETE', sp(SID, 'tokens', t['id']))
        self.api.expect(200, 'PATCH', sp(SID), {'name': 'e2e events, renamed'})
        try:
            self.assertTrue(s.wait_closed(5), 'stream of a revoked token still open; saw %s'
                            % summary(s.history))
        finally:
            self.api.expect(200, 'PATCH', sp(SID), {'name': 'e2e events'})

    def test_14_anonymous_stream_of_a_public_session_is_the_public_view(self):
        """With a public channel, anyone may follow the session without a token: the public view,
        never the operator's keys."""
        self.api.expect(200, 'PATCH', sp(SID, 'channels', 'fr'), {'public': True})
        try:
            status, _, raw = self.api.raw('GET', sp(SID), token='')
            self.assertEqual(status, 200, raw)
            for key in SECRET_KEYS:
                self.assertNotIn(key.encode(), raw, 'anonymous GET session shows %s' % key)
            s = self.open(token='', name='anonymous')
            m = self.first_session(s)
            self.assert_public(m)
        finally:
            self.api.expect(200, 'PATCH', sp(SID, 'channels', 'fr'), {'public': False})


if __name__ == '__main__':
    t0 = time.monotonic()
    try:
        unittest.main(verbosity=2)
    finally:
        print('runtime %.1f s' % (time.monotonic() - t0), file=sys.stderr)
