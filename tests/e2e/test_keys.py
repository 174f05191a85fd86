# SPDX-License-Identifier: EUPL-1.2
"""Keys after revocation (issue 6, item 12): an output with a key of its own, and re-keying a
channel's or a return feed's shared key, against the real daemon with ffmpeg receivers.

The attack: a receiver that once got an SDP (a deleted output, a leaked file, a revoked
listener) keeps decrypting. The defence: a key of its own dies with its output; a re-key shuts
out every holder of the old SDP while the new SDP decodes."""
import base64
import http.client
import os
import socket
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tolkharness as th  # noqa: E402

SID = 'keys'
SITTING = {'id': SID, 'channels': ['de', 'en'], 'booths': [{'language': 'en', 'consoles': 1}]}
FLOOR_HZ = 440
OTHER_HZ = 1250
DECODE_TIMEOUT = 8.0


def sp(*parts):
    return th.session_path(SID, *parts)


def with_key(sdp, key_b64):
    """The same SDP with another SRTP key: what a holder of the wrong key would use."""
    _, _, old = th.parse_sdp(sdp)
    return sdp.replace(old, key_b64)


def packets_arriving(port, seconds):
    """Datagrams arriving on 127.0.0.1:port within `seconds`."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(('127.0.0.1', port))
        s.settimeout(0.1)
        count, deadline = 0, time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                s.recv(2048)
                count += 1
            except socket.timeout:
                pass
        return count


class EventText:
    """The raw text of a session's event stream, read until a wanted piece shows."""

    def __init__(self, daemon):
        self.conn = http.client.HTTPConnection(daemon.host, daemon.port, timeout=5)
        self.conn.request('GET', sp('events'), headers={'Authorization': 'Bearer ' + daemon.token})
        self.resp = self.conn.getresponse()
        assert self.resp.status == 200, self.resp.status
        self.text = ''

    def wait_for(self, piece, timeout=5.0):
        deadline = time.monotonic() + timeout
        while piece not in self.text:
            if time.monotonic() > deadline:
                raise AssertionError('no %r on the event stream in %.0f s' % (piece, timeout))
            self.text += self.resp.read1(65536).decode('utf-8', 'replace')
        return True

    def close(self):
        self.conn.close()


class Keys(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = th.Daemon().start()
        cls.api = cls.daemon.api()
        cls.session = cls.api.expect(201, 'POST', 'sessions', SITTING)
        cls.floor = th.Sender.for_input(cls.session, 'floor', FLOOR_HZ).start()

    @classmethod
    def tearDownClass(cls):
        cls.floor.stop()
        cls.daemon.stop()

    def receive(self, sdp, name):
        receiver = th.Receiver(sdp, name=name).start()
        self.addCleanup(receiver.stop)
        return receiver

    def assert_decodes(self, receiver):
        receiver.wait_for(present=[FLOOR_HZ], absent=[OTHER_HZ], timeout=DECODE_TIMEOUT)

    def assert_decodes_nothing(self, receiver, seconds=2.0):
        since = time.monotonic()
        time.sleep(seconds)
        got = receiver.received_since(since)
        self.assertLess(got, th.RATE * 0.1, '%s decoded %d samples with the wrong key\n%s'
                        % (receiver.name, got, receiver.describe()))

    def test_own_key_output(self):
        shared = self.api.expect(201, 'POST', sp('channels', 'floor', 'outputs'),
                                 {'host': '127.0.0.1', 'port': th.free_udp_pair()})
        own = self.api.expect(201, 'POST', sp('channels', 'floor', 'outputs'),
                              {'host': '127.0.0.1', 'port': th.free_udp_pair(), 'key': 'own'})
        self.addCleanup(self.api.delete, sp('channels', 'floor', 'outputs', shared['id']))
        self.addCleanup(self.api.delete, sp('channels', 'floor', 'outputs', own['id']))  # 404 once deleted
        self.assertEqual((shared['key'], own['key']), ('shared', 'own'))
        self.assertNotEqual(own['srtp']['key'], shared['srtp']['key'])
        self.assertEqual(len(base64.b64decode(own['srtp']['key'])), 30)
        self.assertIn(own['srtp']['key'], own['sdp'])
        # The channel's shared key does not open the own-key output's packets.
        wrong = self.receive(with_key(own['sdp'], shared['srtp']['key']), 'own port, shared key')
        self.assert_decodes_nothing(wrong)
        wrong.stop()
        right = self.receive(own['sdp'], 'own port, own key')
        self.assert_decodes(right)
        # The shared output still plays, and GET shows both with their keys.
        self.assert_decodes(self.receive(shared['sdp'], 'shared output'))
        listed = {o['id']: o for o in self.api.expect(200, 'GET', sp())['channels'][0]['outputs']}
        self.assertEqual(listed[own['id']]['srtp']['key'], own['srtp']['key'])
        self.assertEqual(listed[own['id']]['key'], 'own')
        # Deleting it revokes it completely: not one more packet goes there.
        right.stop()
        self.api.expect(204, 'DELETE', sp('channels', 'floor', 'outputs', own['id']))
        self.assertEqual(packets_arriving(th.parse_sdp(own['sdp'])[0], 1.0), 0)

    def test_bad_key_option(self):
        for value in ('mine', '', 1, None):
            status, body = self.api.post(sp('channels', 'en', 'outputs'),
                                         {'host': '127.0.0.1', 'port': 9, 'key': value})
            self.assertEqual(status, 400, body)
            self.assertIn('key', body['error']['message'])

    def rekey_case(self, outputs_path, rekey_path, event, event_data):
        out = self.api.expect(201, 'POST', outputs_path, {'host': '127.0.0.1', 'port': th.free_udp_pair()})
        self.addCleanup(self.api.delete, outputs_path + '/' + out['id'])
        own = self.api.expect(201, 'POST', outputs_path,
                              {'host': '127.0.0.1', 'port': th.free_udp_pair(), 'key': 'own'})
        self.addCleanup(self.api.delete, outputs_path + '/' + own['id'])
        old = self.receive(out['sdp'], 'old SDP')
        self.assert_decodes(old)
        events = EventText(self.daemon)
        self.addCleanup(events.close)
        body = self.api.expect(200, 'POST', rekey_path)
        events.wait_for('event: %s\ndata: %s' % (event, event_data))
        got = {o['id']: o for o in body['outputs']}
        self.assertLessEqual({out['id'], own['id']}, set(got))
        fresh = got[out['id']]
        self.assertNotEqual(fresh['srtp']['key'], out['srtp']['key'])
        self.assertEqual(fresh['ssrc'], out['ssrc'])
        self.assertEqual(got[own['id']]['srtp']['key'], own['srtp']['key'], 'an own key changed')
        # The holder of the old SDP is shut out; the new SDP decodes the same tone.
        self.assert_decodes_nothing(old)
        old.stop()
        self.assert_decodes(self.receive(fresh['sdp'], 'new SDP'))
        return body

    def test_rekey_channel(self):
        body = self.rekey_case(sp('channels', 'floor', 'outputs'), sp('channels', 'floor', 'rekey'),
                               'channel_rekeyed', '{"channel":"floor"}')
        self.assertEqual(body['channel'], 'floor')

    def test_rekey_return_feed(self):
        path = sp('booths', 'en', 'consoles', '1', 'outputs')
        body = self.rekey_case(path, path + '/rekey', 'feed_rekeyed', '{"console":"en/1"}')
        self.assertEqual(body['console'], 'en/1')

    def test_rekey_needs_the_operator(self):
        grant = self.api.expect(201, 'POST', sp('tokens'), {'role': 'listener', 'channel': 'en'})
        status, _ = self.api.post(sp('channels', 'en', 'rekey'), token=grant['token'])
        self.assertEqual(status, 403)
        self.assertEqual(self.api.post(sp('channels', 'xx', 'rekey'))[0], 404)
        self.assertEqual(self.api.post(sp('booths', 'en', 'consoles', '2', 'outputs', 'rekey'))[0], 404)


if __name__ == '__main__':
    unittest.main(verbosity=2)
