# SPDX-License-Identifier: EUPL-1.2
"""Bad input per api-v1.md and domain.md: clear HTTP errors, and media garbage that is dropped,
counted, and never disturbs the other streams."""

import json
import os
import random
import socket
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import tolkharness as th  # noqa: E402

GOOD = {'id': 'bad', 'channels': ['de', 'en'],
        'booths': [{'language': 'en', 'consoles': 2}, {'language': 'de', 'consoles': 1}]}


def body_with(**changes):
    body = json.loads(json.dumps(GOOD))
    body.pop('id')
    body.update(changes)
    return body


def booth_with(**changes):
    booth = {'language': 'en', 'consoles': 2}
    booth.update(changes)
    return body_with(booths=[booth])


class HttpErrors(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = th.Daemon().start()
        cls.api = cls.daemon.api()
        try:
            cls.api.expect(201, 'POST', 'sessions', GOOD)
        except BaseException:
            cls.daemon.stop(check=False)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.daemon.stop()

    def tearDown(self):
        self.assertTrue(self.daemon.alive(), 'daemon died:\n' + self.daemon.stderr())

    def assert_error(self, status, js, expected, code=None, mentions=None):
        self.assertEqual(status, expected, js)
        self.assertIsInstance(js, dict, js)
        self.assertEqual(list(js.keys()), ['error'], js)
        err = js['error']
        self.assertRegex(err.get('code', ''), r'^[a-z][a-z0-9_]*$', js)
        self.assertIsInstance(err.get('message'), str, js)
        self.assertTrue(err['message'].strip(), js)
        if code:
            self.assertEqual(err['code'], code, js)
        if mentions:
            self.assertIn(mentions, err['message'], js)

    def raw_json(self, method, path, data, content_type='application/json', token=None):
        status, _, raw = self.api.raw(method, path, data, {'Content-Type': content_type},
                                      token=token)
        return status, th.decode_json(raw)

    def assert_no_session_created(self, before):
        _, js = self.api.get('sessions')
        self.assertEqual(len(js['sessions']), before, 'a refused request created a session')

    def session_count(self):
        return len(self.api.expect(200, 'GET', 'sessions')['sessions'])

    # -- bodies

    def test_malformed_json(self):
        n = self.session_count()
        for data in (b'{"channels": [', b'{channels: ["en"]}', b'\xff\xfe{}', b'[1,2'):
            status, js = self.raw_json('POST', '/api/v1/sessions', data)
            self.assert_error(status, js, 400, code='invalid_json')
        status, js = self.raw_json('POST', '/api/v1/sessions', b'')
        self.assert_error(status, js, 400, code='missing_body')
        self.assert_no_session_created(n)

    def test_unknown_field_named(self):
        status, js = self.api.post('sessions', body_with(colour='red'))
        self.assert_error(status, js, 400, mentions='colour')
        status, js = self.api.post('sessions', booth_with(desks=3))
        self.assert_error(status, js, 400, mentions='desks')
        status, js = self.api.patch('sessions/bad', {'interlok': 'free'})
        self.assert_error(status, js, 400, mentions='interlok')
        status, js = self.api.patch('sessions/bad/booths/en/consoles/1', {'mike': 'on'})
        self.assert_error(status, js, 400, mentions='mike')

    def test_wrong_types(self):
        n = self.session_count()
        for body in (body_with(channels='en'), body_with(channels=[1, 2]),
                     booth_with(consoles='2'), booth_with(consoles=2.5),
                     body_with(interlock=5), body_with(original_under_db='loud'),
                     body_with(idle_channel=None), body_with(booths={'en': 2}),
                     body_with(name=7), [GOOD], 'plenary'):
            status, js = self.api.post('sessions', body)
            self.assert_error(status, js, 400)
        self.assert_no_session_created(n)
        status, js = self.api.patch('sessions/bad/booths/en/consoles/1', {'mic': True})
        self.assert_error(status, js, 400, mentions='mic')

    def test_out_of_range_values(self):
        n = self.session_count()
        cases = [
            (booth_with(consoles=7), 'consoles'), (booth_with(consoles=0), 'consoles'),
            (body_with(original_under_db=5), 'original_under_db'),
            (body_with(original_under_db=-61), 'original_under_db'),
            (body_with(id='Bad_ID'), 'id'), (body_with(id='-x'), 'id'),
            (body_with(id='a' * 33), 'id'),
            (body_with(channels=['floor', 'en']), 'floor'),
            (body_with(channels=['EN']), None), (body_with(channels=['english']), None),
            (body_with(interlock='sometimes'), 'interlock'),
            (body_with(idle_channel='noise'), 'idle_channel'),
            (booth_with(language='fr'), None),
            (booth_with(b_channels=['en']), 'b_channels'),
            (booth_with(b_channels=['mt']), 'b_channels'),
        ]
        for body, field in cases:
            status, js = self.api.post('sessions', body)
            self.assert_error(status, js, 400, mentions=field)
        self.assert_no_session_created(n)
        status, js = self.api.patch('sessions/bad', {'original_under_db': 1})
        self.assert_error(status, js, 400, mentions='original_under_db')
        self.assertIsNone(self.api.expect(200, 'GET', 'sessions/bad')['original_under_db'])
        status, js = self.api.patch('sessions/bad/booths/en/consoles/1', {'mic': 'loud'})
        self.assert_error(status, js, 400, mentions='mic')
        status, js = self.api.patch('sessions/bad/booths/en/consoles/1', {'listen': 'xx'})
        self.assertIn(status, (400, 404), js)

    def test_body_too_large(self):
        data = json.dumps(body_with(name='x' * (65 * 1024))).encode()
        status, js = self.raw_json('POST', '/api/v1/sessions', data)
        self.assert_error(status, js, 413)

    def test_body_just_under_limit_accepted(self):
        # Names are capped at 255 bytes: white space between tokens fills the body instead.
        data = json.dumps(body_with(id='big')).encode()
        data = data[:-1] + b' ' * (60 * 1024) + b'}'
        status, js = self.raw_json('POST', '/api/v1/sessions', data)
        self.assertEqual(status, 201, js)
        self.assertEqual(self.api.delete('sessions/big')[0], 204)

    def test_not_json_content_type(self):
        data = json.dumps(body_with()).encode()
        for ctype in ('text/plain', 'application/x-www-form-urlencoded'):
            status, js = self.raw_json('POST', '/api/v1/sessions', data, content_type=ctype)
            self.assert_error(status, js, 415)

    # -- things that do not exist

    def test_unknown_ids(self):
        out = {'host': '127.0.0.1', 'port': 50000}
        cases = [
            ('GET', 'sessions/nope', None), ('PATCH', 'sessions/nope', {'name': 'x'}),
            ('DELETE', 'sessions/nope', None),
            ('PATCH', 'sessions/bad/booths/fr/consoles/1', {'mic': 'on'}),
            ('PATCH', 'sessions/bad/booths/en/consoles/3', {'mic': 'on'}),
            ('PATCH', 'sessions/bad/booths/de/consoles/2', {'mic': 'on'}),
            ('PATCH', 'sessions/nope/booths/en/consoles/1', {'mic': 'on'}),
            ('POST', 'sessions/bad/channels/fr/outputs', out),
            ('POST', 'sessions/nope/channels/en/outputs', out),
            ('POST', 'sessions/bad/booths/en/consoles/9/outputs', out),
            ('DELETE', 'sessions/bad/channels/en/outputs/o999', None),
            ('DELETE', 'sessions/bad/booths/en/consoles/1/outputs/o999', None),
        ]
        for method, path, body in cases:
            status, js = self.api.request(method, path, body)
            self.assert_error(status, js, 404)

    # -- auth, methods, conflicts

    def test_missing_or_wrong_token(self):
        n = self.session_count()
        for token in ('', 'wrong-token', self.daemon.token + 'x'):
            status, js = self.api.get('sessions', token=token)
            self.assert_error(status, js, 401)
            status, js = self.api.post('sessions', body_with(id='sneaky'), token=token)
            self.assert_error(status, js, 401)
        status, _, _ = self.api.raw('GET', '/api/v1/sessions',
                                    headers={'Authorization': 'Basic ' + self.daemon.token},
                                    token='')
        self.assertEqual(status, 401)
        status, _, _ = self.api.raw('GET', '/metrics', token='')
        self.assertEqual(status, 401)
        self.assert_no_session_created(n)

    def test_healthz_needs_no_token(self):
        status, _, raw = self.api.raw('GET', '/healthz', token='')
        self.assertEqual((status, th.decode_json(raw)), (200, {'status': 'ok'}))

    def test_wrong_method(self):
        for method, path in (('PUT', 'sessions'), ('DELETE', 'sessions'),
                             ('POST', 'sessions/bad'), ('PUT', 'sessions/bad'),
                             ('PUT', 'sessions/bad/booths/en/consoles/1')):
            status, js = self.api.request(method, path, {} if method in ('PUT', 'POST') else None)
            self.assert_error(status, js, 405)

    def test_duplicate_session_id(self):
        status, js = self.api.post('sessions', GOOD)
        self.assert_error(status, js, 409)
        self.assertEqual(self.session_count(), 1)


    # -- text: strict UTF-8 without control characters, no key twice (issue 6, item 9)

    def session_bytes(self, name_bytes, sid='txt'):
        return b'{"id": "' + sid.encode() + b'", "channels": ["de", "en"], "name": "' + name_bytes + b'"}'

    def assert_sessions_clean(self):
        """GET /sessions is strict UTF-8 JSON and every input's SDP is there."""
        status, _, raw = self.api.raw('GET', '/api/v1/sessions')
        self.assertEqual(status, 200)
        sessions = json.loads(raw.decode('utf-8', 'strict'))['sessions']
        for session in sessions:
            js = self.api.expect(200, 'GET', 'sessions/' + session['id'])
            for item in js.get('inputs', []):
                self.assertIsInstance(item.get('sdp'), str, item)
        return sessions

    def test_text_refused_naming_the_field(self):
        n = self.session_count()
        bad_names = [b'\xc0\xae', b'a\xe0\x80\xaf', b'\xed\xa0\x80', b'\xf4\x90\x80\x80',
                     b'\\ud800', b'Plenum\tA', b'Plenum\\tA', b'\\r\\na=x', b'x\x7f', b'x\xc2\x85',
                     b'\\u0000', b'\x1b[31m']
        for name in bad_names:
            status, js = self.raw_json('POST', '/api/v1/sessions', self.session_bytes(name))
            self.assert_error(status, js, 400, code='invalid_text', mentions='"name"')
            status, js = self.raw_json('PATCH', '/api/v1/sessions/bad', b'{"name": "' + name + b'"}')
            self.assert_error(status, js, 400, code='invalid_text', mentions='"name"')
        nested = b'{"channels": ["en"], "booths": [{"language": "en\t", "consoles": 1}]}'
        status, js = self.raw_json('POST', '/api/v1/sessions', nested)
        self.assert_error(status, js, 400, code='invalid_text', mentions='"booths[0].language"')
        status, js = self.raw_json('PATCH', '/api/v1/sessions/bad/booths/en/consoles/1',
                                   b'{"mic": "on\x7f"}')
        self.assert_error(status, js, 400, code='invalid_text', mentions='"mic"')
        status, js = self.raw_json('POST', '/api/v1/sessions', b'{"channels": ["en"], "na\\u0000me": "x"}')
        self.assert_error(status, js, 400, code='invalid_text')
        self.assert_no_session_created(n)
        self.assertEqual(self.api.expect(200, 'GET', 'sessions/bad')['name'], '')
        self.assert_sessions_clean()

    def test_duplicate_keys_refused(self):
        n = self.session_count()
        cases = [
            (b'{"id": "dup", "channels": ["en"], "channels": ["de"]}', '"channels"'),
            (b'{"id": "dup", "\\u0069d": "dup2", "channels": ["en"]}', '"id"'),
            (b'{"channels": ["de", "en"], "booths": [{"language": "en", "consoles": 1}, '
             b'{"language": "de", "consoles": 1, "language": "en"}]}', '"booths[1].language"'),
        ]
        for data, field in cases:
            status, js = self.raw_json('POST', '/api/v1/sessions', data)
            self.assert_error(status, js, 400, code='duplicate_field', mentions=field)
        self.assert_no_session_created(n)
        status, js = self.raw_json('PATCH', '/api/v1/sessions/bad', b'{"name": "a", "name": "b"}')
        self.assert_error(status, js, 400, code='duplicate_field', mentions='"name"')
        self.assertEqual(self.api.expect(200, 'GET', 'sessions/bad')['name'], '')
        status, js = self.raw_json('PATCH', '/api/v1/sessions/bad/booths/en/consoles/1',
                                   b'{"mic": "on", "mic": "off"}')
        self.assert_error(status, js, 400, code='duplicate_field', mentions='"mic"')
        console = th.console_of(self.api.expect(200, 'GET', 'sessions/bad'), 'en/1')
        self.assertEqual(console['mic'], 'off', console)

    def test_non_ascii_text_accepted(self):
        name = 'Sitzung \u2013 Plenum \u00fc \U0001F30D'
        js = self.api.expect(201, 'POST', 'sessions', {'id': 'utf8', 'channels': ['de', 'en'], 'name': name})
        try:
            self.assertEqual(js['name'], name)
            self.api.expect(200, 'PATCH', 'sessions/utf8', {'name': '\u0395\u03bb\u03bb\u03b7\u03bd\u03b9\u03ba\u03ac'})
            sessions = self.assert_sessions_clean()
            self.assertIn('\u0395\u03bb\u03bb\u03b7\u03bd\u03b9\u03ba\u03ac', [s['name'] for s in sessions])
            out = self.api.expect(201, 'POST', 'sessions/utf8/channels/en/outputs',
                                  {'host': '127.0.0.1', 'port': th.free_udp_pair()})
            self.assertIn('\r\ns=\u0395\u03bb\u03bb\u03b7\u03bd\u03b9\u03ba\u03ac\r\n', out['sdp'])
        finally:
            self.assertEqual(self.api.delete('sessions/utf8')[0], 204)

    def test_sdp_bodies_without_control_characters(self):
        """WHIP offers and trickle fragments are SDP lines: no ESC, DEL, NUL (TAB, CR, LF are fine)."""
        offer = b'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=\x1b]0;owned\x07\r\nt=0 0\r\n' \
                b'm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:111 opus/48000/2\r\n'
        for body in (offer, offer.replace(b'\x1b]0;owned\x07', b'\x7f'), offer.replace(b'\x1b', b'\x00')):
            status, js = self.raw_json('POST', '/api/v1/sessions/bad/whip/floor', body,
                                       content_type='application/sdp')
            self.assert_error(status, js, 400, code='invalid_body', mentions='control characters')
        status, js = self.raw_json('PATCH', '/api/v1/sessions/bad/webrtc/nope',
                                   b'a=candidate:1 1 UDP 1 127.0.0.1 9 typ host\x1b[2J\r\n',
                                   content_type='application/trickle-ice-sdpfrag')
        self.assert_error(status, js, 400, code='invalid_body')

    def test_path_bytes_answer_utf8(self):
        """A request target with bytes that are not UTF-8 gets a UTF-8 JSON error."""
        for target in (b'/api/v1/sessions/\xc0\xae', b'/api/v1/sessions/%C0%AE', b'/nothing/\xff\x1b'):
            reply = raw_request(self.daemon, b'GET ' + target + b' HTTP/1.1')
            head, _, body = reply.partition(b'\r\n\r\n')
            self.assertRegex(head.split(b'\r\n')[0], rb' (400|404) ', reply[:300])
            if body:
                js = json.loads(body.decode('utf-8', 'strict'))
                self.assertIn('error', js)


def raw_request(daemon, request_line):
    """Sends one request as bytes; returns the reply as bytes."""
    with socket.create_connection((daemon.host, daemon.port), timeout=10) as sock:
        sock.sendall(request_line + b'\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ' +
                     daemon.token.encode() + b'\r\nConnection: close\r\n\r\n')
        reply = b''
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return reply
            reply += chunk


class LogLines(unittest.TestCase):
    """What a client sends reaches the log (a path at debug level) without its control bytes:
    no forged line start, no terminal escape."""

    def test_control_bytes_in_path_do_not_reach_the_log(self):
        with th.Daemon(extra_args=['--log-level', 'debug']) as daemon:
            marker = b'/logcheck\x1b[2J\x1b]0;owned\x07\x7f\x08x'
            reply = raw_request(daemon, b'GET ' + marker + b' HTTP/1.1')
            self.assertTrue(reply.startswith(b'HTTP/1.1 '), reply[:200])
            time.sleep(0.2)
            with open(daemon.stderr_path, 'rb') as f:
                log = f.read()
        self.assertIn(b'/logcheck', log)
        line = [l for l in log.split(b'\n') if b'/logcheck' in l][0]
        for byte in b'\x1b\x07\x7f\x08':
            self.assertNotIn(bytes([byte]), line, line)


# ---------------------------------------------------------------------------------------------

MEDIA = {'id': 'media', 'channels': ['en'], 'booths': [{'language': 'en', 'consoles': 1}]}
FLOOR, CONSOLE = 440, 880


def rtp_header(seq, ts, ssrc, pt=96):
    return bytes([0x80, pt]) + seq.to_bytes(2, 'big') + ts.to_bytes(4, 'big') + \
        ssrc.to_bytes(4, 'big')


def garbage_packets(n):
    return [os.urandom(random.randint(1, 1400)) for _ in range(n)]


def plain_rtp_packets(n):
    ssrc, seq = random.randrange(1, 2**32), random.randrange(0, 60000)
    opus_silence = b'\xf8\xff\xfe'
    return [rtp_header(seq + i, 960 * i, ssrc) + opus_silence for i in range(n)]


def blast(port, packets, interval=0.01):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for p in packets:
            s.sendto(p, ('127.0.0.1', port))
            time.sleep(interval)


class MediaBadInput(unittest.TestCase):
    """floor 440 Hz and en/1 880 Hz live on en; the attacks go to the floor input."""

    @classmethod
    def setUpClass(cls):
        cls.daemon = th.Daemon().start()
        cls.api = cls.daemon.api()
        cls.senders, cls.rx = [], {}
        try:
            cls.session = cls.api.expect(201, 'POST', 'sessions', MEDIA)
            cls.floor_port = th.find_input(cls.session, 'floor')['port']
            cls.floor = th.Sender.for_input(cls.session, 'floor', FLOOR, kind='ffmpeg').start()
            cls.console = th.Sender.for_input(cls.session, 'en/1', CONSOLE, kind='gst').start()
            cls.senders = [cls.floor, cls.console]
            for ch in ('floor', 'en'):
                cls.rx[ch] = cls.api.listen('sessions/media/channels/%s/outputs' % ch, ch)[0]
            time.sleep(0.5)
            cls.api.expect(200, 'PATCH', 'sessions/media/booths/en/consoles/1', {'mic': 'on'})
            cls.rx['en'].wait_for([CONSOLE], [FLOOR], timeout=5)
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        th.stop_all(cls.rx.values(), cls.senders, cls.daemon)

    def floor_counters(self):
        text = self.api.metrics()
        return (th.metric_sum(text, 'tolk_input_packets_received_total',
                              session='media', input='floor'),
                th.metric_sum(text, 'tolk_input_packets_dropped_total',
                              session='media', input='floor'))

    def assert_undisturbed(self, rx, freq, other, since):
        """`rx` carried `freq` from `since` until now without a gap over 100 ms."""
        elapsed = time.monotonic() - since
        s = rx.samples(since=since)
        self.assertGreater(len(s), (elapsed - 0.2) * th.RATE,
                           '%s: %d samples in %.2f s' % (rx.name, len(s), elapsed))
        gap = th.longest_quiet_run(s)
        self.assertLessEqual(gap, 0.1, '%s: a %.2f s gap' % (rx.name, gap))
        n = th.RATE // 4
        for i in range(0, len(s) - n + 1, n):
            lv = {f: th.tone_dbfs(s[i:i + n], f) for f in (freq, other)}
            self.assertTrue(th.check_levels(lv, [freq], [other]),
                            '%s at %.2f s: %s' % (rx.name, i / th.RATE, th.format_levels(lv)))

    def attack(self, send, min_dropped):
        received0, dropped0 = self.floor_counters()
        t0 = time.monotonic()
        send()
        time.sleep(0.3)
        self.assertTrue(self.daemon.alive(), 'daemon died:\n' + self.daemon.stderr())
        self.assert_undisturbed(self.rx['en'], CONSOLE, FLOOR, t0)
        self.assert_undisturbed(self.rx['floor'], FLOOR, CONSOLE, t0)
        received, dropped = self.floor_counters()
        self.assertGreaterEqual(dropped - dropped0, min_dropped, 'drops not counted')
        self.assertGreater(received - received0, min_dropped, 'received not counted')

    def test_garbage_udp(self):
        self.attack(lambda: blast(self.floor_port, garbage_packets(80)), min_dropped=70)

    def test_plain_rtp(self):
        self.attack(lambda: blast(self.floor_port, plain_rtp_packets(80)), min_dropped=70)

    def test_srtp_wrong_key(self):
        def send():
            with th.Sender(self.floor_port, th.random_key(), 660, kind='gst'):
                time.sleep(1.2)
        self.attack(send, min_dropped=30)

    def test_z_floor_stops_yields_silence(self):
        self.api.expect(200, 'PATCH', 'sessions/media/booths/en/consoles/1', {'mic': 'off'})
        self.rx['en'].wait_for([FLOOR], [CONSOLE], timeout=3)
        self.floor.stop()
        try:
            self.rx['floor'].wait_silent(timeout=4)
            self.rx['en'].wait_silent(timeout=4)
            t0 = time.monotonic()
            time.sleep(1.0)
            for rx in self.rx.values():
                self.assertGreater(rx.received_since(t0), 0.8 * th.RATE,
                                   '%s: the stream stopped with the floor' % rx.name)
                self.assertTrue(rx.is_silent(0.5), rx.name)
        finally:
            self.floor.start()
        self.rx['floor'].wait_for([FLOOR], [CONSOLE], timeout=5)
        self.rx['en'].wait_for([FLOOR], [CONSOLE], timeout=5)
        self.api.expect(200, 'PATCH', 'sessions/media/booths/en/consoles/1', {'mic': 'on'})
        self.rx['en'].wait_for([CONSOLE], [FLOOR], timeout=3)


class SessionLifecycle(unittest.TestCase):
    def test_delete_frees_ports(self):
        body = {'id': 'ports', 'channels': ['en', 'fr'],
                'booths': [{'language': 'en', 'consoles': 2}, {'language': 'fr', 'consoles': 2}]}
        with th.Daemon() as daemon:
            api = daemon.api()
            for _ in range(2):
                s = api.expect(201, 'POST', 'sessions', body)
                ports = [i['port'] for i in s['inputs']]
                self.assertEqual(len(ports), 5)
                for p in ports:
                    self.assertFalse(th.udp_port_free(p), 'input port %d not bound' % p)
                status, _ = api.delete('sessions/ports')
                self.assertEqual(status, 204)
                th.wait_until(lambda: all(th.udp_port_free(p) for p in ports), timeout=2,
                              message='input ports %s freed after DELETE' % ports)
                self.assertEqual(api.get('sessions/ports')[0], 404)
            self.assertEqual(api.expect(200, 'GET', 'sessions')['sessions'], [])


if __name__ == '__main__':
    unittest.main(verbosity=2)
