# SPDX-License-Identifier: EUPL-1.2
"""Roles and tokens (issue 3): who may call what, the public view, public channels, revocation.

One daemon, two sittings: 'roles' (channels de, en, fr; booths en with 2 consoles and B fr,
fr with 1 console) with a floor sender (440 Hz), an en/1 sender (880 Hz) and an SRTP output on
the channel en received by the harness Receiver; and 'other', a second sitting that no token of
'roles' may touch."""

import json
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import tolkharness as th  # noqa: E402

SID = 'roles'
OTHER = 'other'
FLOOR, EN1 = 440, 880
SITTING = {
    'id': SID,
    'name': 'e2e roles',
    'floor_language': 'de',
    'channels': ['de', 'en', 'fr'],
    'booths': [
        {'language': 'en', 'consoles': 2, 'b_channels': ['fr']},
        {'language': 'fr', 'consoles': 1},
    ],
}
OTHER_SITTING = {'id': OTHER, 'channels': ['en'], 'booths': [{'language': 'en', 'consoles': 1}]}
# Keys of the operator's session object that no other role may see, anywhere in the JSON.
SECRET_KEYS = ('inputs', 'srtp', 'sdp', 'key', 'suite', 'host', 'port', 'outputs')
GARBAGE_SDP = b'this is not an SDP offer\r\n'


sp, find = th.session_path, th.find


def console_path(cid, sid=SID):
    return th.console_path(cid, sid)


def all_keys(obj):
    """Every object key anywhere in a JSON value."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield k
            yield from all_keys(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from all_keys(v)


class Roles(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = th.Daemon().start()
        cls.api = cls.daemon.api()
        cls.senders, cls.rx = [], None
        try:
            cls.session = cls.api.expect(201, 'POST', '/api/v1/sessions', SITTING)
            cls.api.expect(201, 'POST', '/api/v1/sessions', OTHER_SITTING)
            cls.senders.append(th.Sender.for_input(cls.session, 'floor', FLOOR, kind='gst').start())
            cls.senders.append(th.Sender.for_input(cls.session, 'en/1', EN1, kind='ffmpeg').start())
            cls.rx = cls.api.listen(sp(SID, 'channels', 'en', 'outputs'), 'channel en')[0]
            cls.session = cls.api.expect(200, 'GET', sp(SID))
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        th.stop_all([cls.rx] if cls.rx is not None else [], cls.senders, cls.daemon)

    # -- helpers

    def token(self, body, sid=SID):
        status, js = self.api.post(sp(sid, 'tokens'), body)
        self.assertEqual(status, 201, 'POST tokens %s -> %s' % (body, js))
        return js

    def call(self, token, method, path, body=None, status=None, msg=''):
        """(status, JSON) of a JSON request made with `token` ('' for none)."""
        got, js = self.api.request(method, path, body, token=token)
        if status is not None:
            self.assertEqual(got, status, '%s %s %s with %r: %s %s' % (msg, method, path, body, got, js))
        return got, js

    def sdp_post(self, token, path, body=GARBAGE_SDP):
        status, _, data = self.api.raw('POST', path, body, {'Content-Type': 'application/sdp'},
                                       token=token)
        return status, th.decode_json(data)

    def assert_forbidden(self, token, method, path, body=None):
        _, js = self.call(token, method, path, body, status=403)
        self.assertEqual(js['error']['code'], 'forbidden', js)

    def assert_public_view(self, token, sid=SID):
        status, headers, raw = self.api.raw('GET', sp(sid), token=token)
        self.assertEqual(status, 200, raw)
        text = raw.decode('utf-8')
        view = json.loads(text)
        for key in SECRET_KEYS:
            self.assertNotIn('"%s"' % key, text, 'public view shows %r: %s' % (key, text))
        self.assertFalse(set(all_keys(view)) & set(SECRET_KEYS), view)
        for inp in self.session['inputs']:          # no operator key value leaks either
            self.assertNotIn(inp['srtp']['key'], text)
        for k in ('id', 'name', 'floor_language', 'interlock', 'idle_channel',
                  'original_under_db', 'channels', 'booths'):
            self.assertIn(k, view, text)
        self.assertEqual(view['id'], sid)
        for ch in view['channels']:
            self.assertTrue({'id', 'source', 'quality', 'public', 'listeners'} <= set(ch), ch)
        for booth in view['booths']:
            for con in booth['consoles']:
                self.assertTrue({'id', 'mic', 'output', 'b_channel', 'listen', 'hears'} <= set(con),
                                con)
        return view

    # -- tokens

    def test_01_token_shapes(self):
        con = self.token({'role': 'console', 'console': 'en/1'})
        lis = self.token({'role': 'listener', 'channel': 'en'})
        flo = self.token({'role': 'floor'})
        self.assertEqual(con['role'], 'console')
        self.assertEqual(con['console'], 'en/1')
        self.assertEqual(lis['role'], 'listener')
        self.assertEqual(lis['channel'], 'en')
        self.assertEqual(flo['role'], 'floor')
        for t in (con, lis, flo):
            self.assertIsInstance(t['id'], str)
            self.assertTrue(t['id'])
            self.assertIsInstance(t['token'], str)
            self.assertGreaterEqual(len(t['token']), 16, t)
            self.assertNotEqual(t['token'], self.daemon.token)
        self.assertEqual(len({con['token'], lis['token'], flo['token']}), 3)
        self.assertEqual(len({con['id'], lis['id'], flo['id']}), 3)
        self.assertEqual(con['url'], '/console/#session=%s&console=en/1&token=%s' % (SID, con['token']))
        self.assertEqual(lis['url'], '/listen/#session=%s&channel=en&token=%s' % (SID, lis['token']))
        self.assertEqual(flo['url'], '/speaker/#session=%s&token=%s' % (SID, flo['token']))
        _, js = self.call(self.daemon.token, 'GET', sp(SID, 'tokens'), status=200)
        listed = {t['id']: t for t in js['tokens']}
        for t in (con, lis, flo):
            self.assertIn(t['id'], listed)
            self.assertEqual(listed[t['id']], t)
        # the other sitting's list does not show them
        _, js = self.call(self.daemon.token, 'GET', sp(OTHER, 'tokens'), status=200)
        self.assertFalse({t['id'] for t in js['tokens']} & set(listed))
        for t in (con, lis, flo):
            self.call(self.daemon.token, 'DELETE', sp(SID, 'tokens', t['id']), status=204)
        _, js = self.call(self.daemon.token, 'GET', sp(SID, 'tokens'), status=200)
        self.assertFalse({t['id'] for t in js['tokens']} & {con['id'], lis['id'], flo['id']})

    def test_02_token_bad_requests(self):
        op = self.daemon.token
        bad = [
            {'role': 'console', 'console': 'de/1'},       # no booth de
            {'role': 'console', 'console': 'en/3'},       # booth en has 2 consoles
            {'role': 'console', 'console': 'en/0'},
            {'role': 'console', 'console': 'en'},
            {'role': 'console', 'console': 'xx/1'},
            {'role': 'listener', 'channel': 'it'},        # no channel it
            {'role': 'listener', 'channel': 'en/1'},
            {'role': 'console', 'channel': 'en'},         # wrong combinations
            {'role': 'listener', 'console': 'en/1'},
            {'role': 'floor', 'console': 'en/1'},
            {'role': 'floor', 'channel': 'en'},
            {'role': 'console'},
            {'role': 'listener'},
            {'role': 'console', 'console': 'en/1', 'channel': 'en'},
            {'role': 'operator'},
            {'role': 'chair'},
            {},
            {'role': 'floor', 'colour': 'red'},
        ]
        for body in bad:
            _, js = self.call(op, 'POST', sp(SID, 'tokens'), body, status=400)
            self.assertIn('error', js, body)
        _, js = self.call(op, 'GET', sp(SID, 'tokens'), status=200)
        self.assertEqual(js['tokens'], [], 'a refused request made a token')
        self.call(op, 'POST', sp('nosuch', 'tokens'), {'role': 'floor'}, status=404)
        for tid in ('t999', 'nosuch', '0'):
            self.call(op, 'DELETE', sp(SID, 'tokens', tid), status=404)
        # a token of the sitting 'other' cannot be deleted through 'roles'
        t = self.token({'role': 'floor'}, sid=OTHER)
        self.call(op, 'DELETE', sp(SID, 'tokens', t['id']), status=404)
        self.call(op, 'DELETE', sp(OTHER, 'tokens', t['id']), status=204)

    # -- the console role

    def test_03_console_token(self):
        tok = self.token({'role': 'console', 'console': 'en/2'})['token']
        view = self.assert_public_view(tok)
        self.assertEqual(sorted(c['id'] for c in view['channels']), ['de', 'en', 'floor', 'fr'])
        _, con = self.call(tok, 'GET', console_path('en/2'), status=200)
        self.assertEqual(con['id'], 'en/2')
        _, con = self.call(tok, 'PATCH', console_path('en/2'), {'listen': 'fr'}, status=200)
        self.assertEqual(con['listen'], 'fr')
        _, con = self.call(tok, 'PATCH', console_path('en/2'), {'listen': 'floor'}, status=200)
        self.assertEqual(con['listen'], 'floor')
        self.call(tok, 'PATCH', console_path('en/2'), {'listen': 'en'}, status=400)  # rules still apply
        # what it may not do
        self.assert_forbidden(tok, 'PATCH', console_path('en/1'), {'listen': 'fr'})
        self.assert_forbidden(tok, 'GET', console_path('en/1'))
        self.assert_forbidden(tok, 'PATCH', console_path('fr/1'), {'mic': 'on'})
        self.assert_forbidden(tok, 'POST', sp(SID, 'channels', 'en', 'outputs'),
                              {'host': '127.0.0.1', 'port': 50000})
        self.assert_forbidden(tok, 'POST', console_path('en/2') + '/outputs',
                              {'host': '127.0.0.1', 'port': 50000})
        self.assert_forbidden(tok, 'POST', '/api/v1/sessions', {'channels': ['en']})
        self.assert_forbidden(tok, 'GET', '/api/v1/sessions')
        self.assert_forbidden(tok, 'POST', sp(SID, 'tokens'), {'role': 'floor'})
        self.assert_forbidden(tok, 'GET', sp(SID, 'tokens'))
        self.assert_forbidden(tok, 'PATCH', sp(SID), {'interlock': 'free'})
        self.assert_forbidden(tok, 'PATCH', sp(SID, 'channels', 'en'), {'public': True})
        self.assert_forbidden(tok, 'DELETE', sp(SID))
        self.assert_forbidden(tok, 'GET', sp(SID, 'signals'))
        status, _, _ = self.api.raw('GET', '/metrics', token=tok)
        self.assertEqual(status, 403)
        # another session
        self.assert_forbidden(tok, 'GET', sp(OTHER))
        self.assert_forbidden(tok, 'GET', console_path('en/1', OTHER))
        self.assert_forbidden(tok, 'PATCH', console_path('en/1', OTHER), {'mic': 'on'})
        self.assert_forbidden(tok, 'GET', sp(OTHER, 'events'))
        # nothing changed
        s = self.api.expect(200, 'GET', sp(SID))
        self.assertEqual(s['interlock'], 'no-override')
        self.assertEqual(find(find(s['booths'], 'language', 'en')['consoles'], 'id', 'en/1')['listen'],
                         'floor')
        self.assertEqual(len(find(s['channels'], 'id', 'en')['outputs']), 1)

    def test_04_console_token_switches_audio(self):
        tok = self.token({'role': 'console', 'console': 'en/1'})['token']
        self.rx.wait_for([FLOOR], [EN1], timeout=5)
        try:
            _, con = self.call(tok, 'PATCH', console_path('en/1'), {'mic': 'on'}, status=200)
            self.assertEqual(con['mic'], 'on')
            self.rx.wait_for([EN1], [FLOOR], timeout=3)
            view = self.assert_public_view(tok)
            ch = find(view['channels'], 'id', 'en')
            self.assertEqual(ch['source'], 'en/1')
            self.assertEqual(ch['quality'], '+')
        finally:
            self.call(tok, 'PATCH', console_path('en/1'), {'mic': 'off'}, status=200)
        self.rx.wait_for([FLOOR], [EN1], timeout=3)

    # -- the listener role, public channels

    def test_05_listener_token(self):
        tok = self.token({'role': 'listener', 'channel': 'en'})['token']
        self.assert_public_view(tok)
        status, js = self.sdp_post(tok, sp(SID, 'channels', 'en', 'whep'))
        self.assertEqual(status, 400, js)
        for ch in ('fr', 'floor', 'de'):
            status, js = self.sdp_post(tok, sp(SID, 'channels', ch, 'whep'))
            self.assertEqual(status, 403, '%s: %s' % (ch, js))
        status, js = self.sdp_post(tok, console_path('en/1') + '/whep')
        self.assertEqual(status, 403, js)
        self.assert_forbidden(tok, 'GET', console_path('en/1'))
        self.assert_forbidden(tok, 'PATCH', console_path('en/1'), {'mic': 'on'})
        self.assert_forbidden(tok, 'POST', sp(SID, 'signals'), {'kind': 'slower'})
        self.assert_forbidden(tok, 'GET', sp(OTHER))
        status, js = self.sdp_post(tok, sp(OTHER, 'channels', 'en', 'whep'))
        self.assertEqual(status, 403, js)
        status, _, _ = self.api.raw('GET', '/metrics', token=tok)
        self.assertEqual(status, 403)

    def test_06_public_channel(self):
        op = self.daemon.token
        path = sp(SID, 'channels', 'fr', 'whep')
        try:
            _, ch = self.call(op, 'PATCH', sp(SID, 'channels', 'fr'), {'public': True}, status=200)
            self.assertEqual(ch['id'], 'fr')
            self.assertIs(ch['public'], True)
            s = self.api.expect(200, 'GET', sp(SID))
            self.assertIs(find(s['channels'], 'id', 'fr')['public'], True)
            self.assertIs(find(s['channels'], 'id', 'en')['public'], False)
            status, js = self.sdp_post('', path)
            self.assertEqual(status, 400, js)       # let in, and the garbage offer refused
            # anyone may now see the session, as the public view; other channels stay closed
            self.assert_public_view('')
            status, js = self.sdp_post('', sp(SID, 'channels', 'en', 'whep'))
            self.assertIn(status, (401, 403), js)   # 401 by the contract: test_06b
            # a listener of en may receive a public fr too
            lis = self.token({'role': 'listener', 'channel': 'en'})['token']
            status, js = self.sdp_post(lis, path)
            self.assertEqual(status, 400, js)
            self.call(op, 'PATCH', sp(SID, 'channels', 'fr'), {'public': 'yes'}, status=400)
            self.call(op, 'PATCH', sp(SID, 'channels', 'fr'), {'public': True, 'x': 1}, status=400)
            self.call(op, 'PATCH', sp(SID, 'channels', 'it'), {'public': True}, status=404)
        finally:
            _, ch = self.call(op, 'PATCH', sp(SID, 'channels', 'fr'), {'public': False}, status=200)
        self.assertIs(ch['public'], False)
        status, js = self.sdp_post('', path)
        self.assertIn(status, (401, 403), js)       # no longer let in

    def test_06b_no_token_without_public_channel_is_401(self):
        """With no channel public, a request with no token at all is 401 (no credentials), not
        403 (credentials without the right), also on the routes a public channel opens."""
        self.call(self.daemon.token, 'PATCH', sp(SID, 'channels', 'fr'), {'public': False},
                  status=200)
        wrong = []
        for ch in ('fr', 'en', 'floor'):
            status, js = self.sdp_post('', sp(SID, 'channels', ch, 'whep'))
            if status != 401:
                wrong.append('POST .../channels/%s/whep (application/sdp) -> %d %s' % (ch, status, js))
        for path in (sp(SID), sp(SID, 'events')):
            status, _, raw = self.api.raw('GET', path, token='')
            if status != 401:
                wrong.append('GET %s -> %d %s' % (path, status, raw[:120]))
        if wrong:
            self.fail('without a token, expected 401, got:\n  ' + '\n  '.join(wrong))

    # -- the floor role

    def test_07_floor_token(self):
        tok = self.token({'role': 'floor'})['token']
        self.assert_public_view(tok)
        status, js = self.sdp_post(tok, sp(SID, 'whip', 'floor'))
        self.assertEqual(status, 400, js)
        status, js = self.sdp_post(tok, console_path('en/1') + '/whip')
        self.assertEqual(status, 403, js)
        status, js = self.sdp_post(tok, sp(SID, 'channels', 'en', 'whep'))
        self.assertEqual(status, 403, js)
        status, js = self.sdp_post(tok, sp(OTHER, 'whip', 'floor'))
        self.assertEqual(status, 403, js)
        self.assert_forbidden(tok, 'PATCH', console_path('en/1'), {'mic': 'on'})
        # a console token may not WHIP the floor nor another console's mic
        con = self.token({'role': 'console', 'console': 'en/1'})['token']
        status, js = self.sdp_post(con, sp(SID, 'whip', 'floor'))
        self.assertEqual(status, 403, js)
        status, js = self.sdp_post(con, console_path('en/2') + '/whip')
        self.assertEqual(status, 403, js)
        status, js = self.sdp_post(con, console_path('en/1') + '/whip')
        self.assertEqual(status, 400, js)
        status, js = self.sdp_post(con, console_path('en/1') + '/whep')
        self.assertEqual(status, 400, js)

    # -- authentication

    def test_08_revoke(self):
        t = self.token({'role': 'console', 'console': 'fr/1'})
        self.call(t['token'], 'GET', sp(SID), status=200)
        self.call(self.daemon.token, 'DELETE', sp(SID, 'tokens', t['id']), status=204)
        _, js = self.call(t['token'], 'GET', sp(SID), status=401, msg='revoked:')
        self.assertIn('error', js)
        self.call(t['token'], 'PATCH', console_path('fr/1'), {'mic': 'on'}, status=401)
        self.call(self.daemon.token, 'DELETE', sp(SID, 'tokens', t['id']), status=404)
        self.assertEqual(self.api.expect(200, 'GET', sp(SID))['booths'][1]['consoles'][0]['mic'], 'off')

    def test_09_wrong_and_missing_token(self):
        for tok in ('wrong', 'e2e-operator-tokenX', 'e2e-operator-toke', 'x' * 300):
            for method, path in (('GET', sp(SID)), ('GET', '/api/v1/sessions'),
                                 ('GET', console_path('en/1')), ('GET', '/metrics')):
                status, _, _ = self.api.raw(method, path, token=tok)
                self.assertEqual(status, 401, '%s %s with %r' % (method, path, tok[:30]))
        # (GET session, events and WHEP without a token: test_06b)
        for method, path in (('GET', '/api/v1/sessions'), ('POST', sp(SID, 'tokens')),
                             ('PATCH', console_path('en/1')), ('GET', console_path('en/1')),
                             ('GET', '/metrics'), ('POST', sp(SID, 'whip', 'floor')),
                             ('DELETE', sp(SID))):
            status, _, _ = self.api.raw(method, path, token='')
            self.assertEqual(status, 401, '%s %s without a token' % (method, path))
        status, _, _ = self.api.raw('GET', '/healthz', token='')
        self.assertEqual(status, 200)

    def test_10_deleting_session_revokes_its_tokens(self):
        sid = 'doomed'
        self.api.expect(201, 'POST', '/api/v1/sessions',
                        {'id': sid, 'channels': ['en'], 'booths': [{'language': 'en', 'consoles': 1}]})
        toks = [self.token(b, sid=sid)['token'] for b in (
            {'role': 'console', 'console': 'en/1'}, {'role': 'listener', 'channel': 'en'},
            {'role': 'floor'})]
        for tok in toks:
            self.call(tok, 'GET', sp(sid), status=200)
        self.call(self.daemon.token, 'DELETE', sp(sid), status=204)
        for tok in toks:
            self.call(tok, 'GET', sp(sid), status=401, msg='after DELETE session:')
            self.call(tok, 'GET', sp(SID), status=401)
        # a new sitting of the same id does not bring them back
        self.api.expect(201, 'POST', '/api/v1/sessions',
                        {'id': sid, 'channels': ['en'], 'booths': [{'language': 'en', 'consoles': 1}]})
        try:
            for tok in toks:
                self.call(tok, 'GET', sp(sid), status=401, msg='after re-create:')
            _, js = self.call(self.daemon.token, 'GET', sp(sid, 'tokens'), status=200)
            self.assertEqual(js['tokens'], [])
        finally:
            self.call(self.daemon.token, 'DELETE', sp(sid), status=204)

    def test_11_operator_sees_everything(self):
        s = self.api.expect(200, 'GET', sp(SID))
        self.assertIn('inputs', s)
        self.assertIn('srtp', s['inputs'][0])
        for ch in s['channels']:
            self.assertIn('public', ch)
            self.assertIn('listeners', ch)
        self.assertEqual(len(find(s['channels'], 'id', 'en')['outputs']), 1)


if __name__ == '__main__':
    t0 = time.monotonic()
    try:
        unittest.main(verbosity=2)
    finally:
        print('runtime %.1f s' % (time.monotonic() - t0), file=sys.stderr)
