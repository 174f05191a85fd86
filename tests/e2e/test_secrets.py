# SPDX-License-Identifier: EUPL-1.2
"""Secrets stay secret: keys and tokens never reach the log, even at debug level, and each
stream has its own key from the system's random source."""
import base64
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tolkharness as th  # noqa: E402

SITTING = {"id": "secret", "channels": ["de", "en", "fr"],
           "booths": [{"language": "en", "consoles": 2, "b_channels": ["fr"]},
                      {"language": "fr", "consoles": 1}]}


def secrets_of(session, outputs, tokens):
    """Every key (base64 and hex forms) and token the operator was given."""
    keys = [i['srtp']['key'] for i in session['inputs']] + [o['srtp']['key'] for o in outputs]
    found = set()
    for key in keys:
        found.add(key)
        found.add(base64.b64decode(key).hex())
        found.add(base64.b64decode(key).hex().upper())
    return found | set(tokens)


class Secrets(unittest.TestCase):
    def test_keys_and_tokens_never_logged(self):
        with th.Daemon(extra_args=['--log-level', 'debug']) as daemon:
            api = daemon.api()
            status, session = api.post('sessions', SITTING)
            self.assertEqual(status, 201, session)
            outputs = []
            for path in ('channels/en/outputs', 'channels/floor/outputs', 'booths/en/consoles/1/outputs'):
                status, out = api.post('sessions/secret/' + path, {'host': '127.0.0.1', 'port': th.free_udp_pair()})
                self.assertEqual(status, 201, out)
                outputs.append(out)
            tokens = []
            for body in ({'role': 'console', 'console': 'en/1'}, {'role': 'listener', 'channel': 'fr'}):
                status, grant = api.post('sessions/secret/tokens', body)
                self.assertEqual(status, 201, grant)
                tokens.append(grant['token'])
            floor = th.find_input(session, 'floor')
            with th.Sender(floor['port'], floor['srtp']['key'], 440):
                time.sleep(1.0)
            # Wrong keys and tokens are logged about too: they must not be echoed either.
            th.Sender(floor['port'], th.random_key(), 440).start().stop()
            api.patch('sessions/secret/booths/en/consoles/1', {'mic': 'on'})
            self.assertEqual(daemon.api(token=tokens[0]).get('sessions/secret')[0], 200)
            self.assertEqual(daemon.api(token='not-a-token').get('sessions/secret')[0], 401)
            self.assertEqual(api.delete('sessions/secret')[0], 204)
            with open(daemon.stderr_path, encoding='utf-8', errors='replace') as f:
                log = f.read()
        self.assertIn('secret', log, 'the log should at least name the session')
        for secret in secrets_of(session, outputs, tokens):
            self.assertNotIn(secret, log, 'a key or token appears in the log')

    def test_every_stream_has_its_own_random_key(self):
        with th.Daemon() as daemon:
            api = daemon.api()
            keys = []
            for n in range(2):
                body = dict(SITTING, id='s%d' % n)
                status, session = api.post('sessions', body)
                self.assertEqual(status, 201, session)
                keys += [i['srtp']['key'] for i in session['inputs']]
                for ch in ('floor', 'de', 'en', 'fr'):
                    status, out = api.post('sessions/s%d/channels/%s/outputs' % (n, ch),
                                           {'host': '127.0.0.1', 'port': th.free_udp_pair()})
                    keys.append(out['srtp']['key'])
        raw = [base64.b64decode(k) for k in keys]
        self.assertTrue(all(len(k) == 30 for k in raw))
        self.assertEqual(len(set(raw)), len(raw), 'two streams share a key')
        self.assertTrue(all(len(set(k)) > 10 for k in raw), 'a key looks far from random')


if __name__ == '__main__':
    unittest.main(verbosity=2)
