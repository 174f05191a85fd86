# SPDX-License-Identifier: EUPL-1.2
"""CORS and RFC 9725 on the real daemon (issue 6, item 8): a page of another origin can use
WHIP/WHEP and the API only when the operator allows that origin (--cors-origin), "*" opens
only the routes that need no token; OPTIONS answers 204 with Accept-Post; the 201 carries the
ETag and the ICE servers (Link rel="ice-server", TURN with its credentials, which the
unauthenticated OPTIONS never shows); PATCH checks If-Match (412), refuses an ICE restart (422)
and a wrong content type (415)."""

import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import tolkharness as th  # noqa: E402
from webrtc_offer import (SDP_TYPE, TRICKLE_TYPE, header, headers_named, post_offer,  # noqa: E402
                          request, warm_up, whep_offer)

SID = 'wc'
PARL = 'https://parl.example'
EVIL = 'https://evil.example'
STUN = 'stun://127.0.0.1:3478'
TURN = 'turn://alice:s3cr%22et@127.0.0.1:3479?transport=udp'
WHEP_EN = th.session_path(SID, 'channels', 'en', 'whep')
WHEP_FR = th.session_path(SID, 'channels', 'fr', 'whep')
SESSIONS = '/api/v1/sessions'
CANDIDATE = b'a=mid:0\r\na=candidate:1 1 udp 2122260223 127.0.0.1 9 typ host\r\n'


def preflight(origin, method):
    return {'Origin': origin, 'Access-Control-Request-Method': method,
            'Access-Control-Request-Headers': 'authorization, content-type'}


class Cors(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = th.Daemon(extra_args=['--ice-address', '127.0.0.1', '--cors-origin', PARL,
                                           '--cors-origin', '*', '--stun-server', STUN,
                                           '--turn-server', TURN]).start()
        api = cls.daemon.api()
        api.expect(201, 'POST', SESSIONS, {'id': SID, 'channels': ['en', 'fr'],
                                           'booths': [{'language': 'en', 'consoles': 1}]})
        api.expect(200, 'PATCH', th.session_path(SID, 'channels', 'en'), {'public': True})
        warm_up(cls.daemon, WHEP_EN)

    @classmethod
    def tearDownClass(cls):
        cls.daemon.stop()

    def req(self, *args, **kw):
        return request(self.daemon, *args, **kw)

    def test_options_is_rfc9725(self):
        status, headers, _ = self.req('OPTIONS', WHEP_EN)
        self.assertEqual(status, 204)  # was 405
        self.assertEqual(header(headers, 'accept-post'), 'application/sdp')
        self.assertEqual(headers_named(headers, 'link'), ['<stun:127.0.0.1:3478>; rel="ice-server"'])
        self.assertNotIn('s3cr', str(headers))  # TURN credentials only with an admitted answer
        self.assertIsNone(header(headers, 'access-control-allow-origin'))

    def test_preflight_from_listed_origin_on_api_routes(self):
        for method, path in (('POST', SESSIONS), ('POST', WHEP_FR), ('PATCH', th.session_path(SID))):
            status, headers, _ = self.req('OPTIONS', path, headers=preflight(PARL, method))
            self.assertEqual(status, 204, path)
            self.assertEqual(header(headers, 'access-control-allow-origin'), PARL)
            self.assertEqual(header(headers, 'vary'), 'Origin')
            self.assertIn(method, header(headers, 'access-control-allow-methods'))
            allow = header(headers, 'access-control-allow-headers')
            for name in ('Authorization', 'Content-Type', 'If-Match'):
                self.assertIn(name, allow)
            self.assertTrue(int(header(headers, 'access-control-max-age')) > 0)
            self.assertIsNone(header(headers, 'access-control-allow-credentials'))

    def test_any_origin_only_where_no_token_is_needed(self):
        status, headers, _ = self.req('OPTIONS', WHEP_EN, headers=preflight(EVIL, 'POST'))
        self.assertEqual((status, header(headers, 'access-control-allow-origin')), (204, '*'))
        for method, path in (('POST', SESSIONS), ('PATCH', th.session_path(SID, 'channels', 'en'))):
            status, headers, _ = self.req('OPTIONS', path, headers=preflight(EVIL, method))
            self.assertEqual(status, 204)
            self.assertFalse([k for k, _ in headers if k.startswith('access-control-')], headers)

    def test_actual_responses(self):
        status, headers, _ = self.req('GET', SESSIONS, headers={'Origin': PARL}, token=self.daemon.token)
        self.assertEqual(status, 200)
        self.assertEqual(header(headers, 'access-control-allow-origin'), PARL)
        self.assertIn('Location', header(headers, 'access-control-expose-headers'))
        # not allowed: still answered and authorised by the token, without CORS headers
        status, headers, _ = self.req('GET', SESSIONS, headers={'Origin': EVIL}, token=self.daemon.token)
        self.assertEqual(status, 200)
        self.assertIsNone(header(headers, 'access-control-allow-origin'))
        status, _, _ = self.req('GET', SESSIONS, headers={'Origin': PARL})
        self.assertEqual(status, 401)
        # a page of any origin listens to the public channel
        status, headers, body = self.req('POST', WHEP_EN, whep_offer(), dict(SDP_TYPE, Origin=EVIL))
        self.assertEqual(status, 201, body)
        self.assertEqual(header(headers, 'access-control-allow-origin'), '*')
        for name in ('Location', 'ETag', 'Link'):
            self.assertIn(name, header(headers, 'access-control-expose-headers'))
        self.req('DELETE', header(headers, 'location'))

    def test_created_has_etag_and_ice_servers(self):
        status, headers, body = post_offer(self.daemon, WHEP_EN)
        self.assertEqual(status, 201, body)
        location, etag = header(headers, 'location'), header(headers, 'etag')
        self.assertRegex(etag, r'^"[A-Za-z0-9+/]+"$')
        self.assertIn('a=ice-ufrag:%s' % etag.strip('"'), body.decode())
        links = headers_named(headers, 'link')
        self.assertIn('<stun:127.0.0.1:3478>; rel="ice-server"', links)
        self.assertIn('<turn:127.0.0.1:3479?transport=udp>; rel="ice-server"; username="alice"; '
                      'credential="s3cr\\"et"; credential-type="password"', links)
        # PATCH: If-Match of another ICE session 412, the right one or none 204
        status, _, body = self.req('PATCH', location, CANDIDATE, dict(TRICKLE_TYPE, **{'If-Match': '"other"'}))
        self.assertEqual(status, 412, body)
        status, _, body = self.req('PATCH', location, CANDIDATE, dict(TRICKLE_TYPE, **{'If-Match': etag}))
        self.assertEqual(status, 204, body)
        # an ICE restart (new ufrag and pwd) is not supported: 422, and the resource stays
        restart = b'a=ice-ufrag:new1\r\na=ice-pwd:newpasswordnewpassword12\r\na=mid:0\r\n'
        status, _, body = self.req('PATCH', location, restart, dict(TRICKLE_TYPE, **{'If-Match': '*'}))
        self.assertEqual(status, 422, body)
        self.assertEqual(th.decode_json(body)['error']['code'], 'ice_restart_unsupported')
        # a wrong content type: 415, on the endpoint and on the resource
        status, _, _ = self.req('PATCH', location, CANDIDATE, {'Content-Type': 'application/sdp'})
        self.assertEqual(status, 415)
        status, _, _ = self.req('POST', WHEP_EN, whep_offer(), {'Content-Type': 'text/plain'})
        self.assertEqual(status, 415)
        self.assertEqual(self.req('DELETE', location)[0], 204)

    def test_bad_cors_origin_refused_at_start(self):
        proc = subprocess.run([th.tolk_bin(), '--listen', '127.0.0.1:%d' % th.free_tcp_port(),
                               '--cors-origin', 'parl.example/'], capture_output=True, timeout=20)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn(b'--cors-origin', proc.stderr)


if __name__ == '__main__':
    unittest.main(verbosity=2)
