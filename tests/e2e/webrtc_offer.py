# SPDX-License-Identifier: EUPL-1.2
"""A WHEP client that never connects: a browser-like SDP offer (Opus, receive only, BUNDLE,
DTLS fingerprint, ICE credentials) and nothing after it: no ICE check, no DTLS. Also the
requests the WebRTC e2e tests make."""

import http.client
import secrets
import time

SDP_TYPE = {'Content-Type': 'application/sdp'}
TRICKLE_TYPE = {'Content-Type': 'application/trickle-ice-sdpfrag'}


def whep_offer(ufrag=None):
    fingerprint = ':'.join('%02X' % b for b in secrets.token_bytes(32))
    lines = [
        'v=0', 'o=- %d 2 IN IP4 127.0.0.1' % secrets.randbits(62), 's=-', 't=0 0',
        'a=group:BUNDLE 0',
        'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'c=IN IP4 0.0.0.0', 'a=rtcp:9 IN IP4 0.0.0.0',
        'a=ice-ufrag:%s' % (ufrag or secrets.token_hex(4)), 'a=ice-pwd:%s' % secrets.token_hex(12),
        'a=ice-options:trickle', 'a=fingerprint:sha-256 %s' % fingerprint, 'a=setup:actpass',
        'a=mid:0', 'a=recvonly', 'a=rtcp-mux',
        'a=rtpmap:111 opus/48000/2', 'a=fmtp:111 minptime=10;useinbandfec=1',
    ]
    return ('\r\n'.join(lines) + '\r\n').encode('ascii')


def request(daemon, method, path, body=None, headers=None, token=None, source=None, timeout=20):
    """(status, [(header, value)...] lowercased names, body bytes). token None: none sent.
    source: the client address to connect from (e.g. '127.0.0.2')."""
    hdrs = dict(headers or {})
    if token:
        hdrs['Authorization'] = 'Bearer ' + token
    conn = http.client.HTTPConnection(daemon.host, daemon.port, timeout=timeout,
                                      source_address=(source, 0) if source else None)
    try:
        conn.request(method, path, body=body, headers=hdrs)
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, [(k.lower(), v) for k, v in resp.getheaders()], data
    finally:
        conn.close()


def header(headers, name):
    """The first value of a header, or None."""
    return next((v for k, v in headers if k == name.lower()), None)


def headers_named(headers, name):
    return [v for k, v in headers if k == name.lower()]


def post_offer(daemon, path, token=None, source=None):
    """POSTs a fresh offer; (status, headers, body)."""
    return request(daemon, 'POST', path, whep_offer(), SDP_TYPE, token=token, source=source)


def warm_up(daemon, path, timeout=60):
    """The daemon's first WebRTC answers make its DTLS certificate and load the plugins, which
    under AddressSanitizer outlasts webrtcbin's step timeout (503): offer until one is answered,
    then end it. Later offers are answered at once."""
    deadline = time.monotonic() + timeout
    while True:
        status, headers, body = post_offer(daemon, path, token=daemon.token)
        if status == 201:
            request(daemon, 'DELETE', header(headers, 'location'), token=daemon.token)
            return
        if status != 503 or time.monotonic() > deadline:
            raise AssertionError('no WebRTC answer from the daemon: %d %r' % (status, body[:200]))
