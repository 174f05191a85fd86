# SPDX-License-Identifier: EUPL-1.2
"""Interoperability of the AES67 SDP and SAP packets (mixer/net/aes67_sdp.c, sap.c) with a real
receiver: gst-launch-1.0 sends a 1 kHz tone as L24/48000 mono RTP (rtpL24pay, 1 ms packets) to
127.0.0.1; aes67_announce (the library's SDP and SAP packet) announces it by SAP; ffmpeg's sap
demuxer finds the announcement, opens the stream from its SDP and decodes the tone.

Unicast on loopback: multicast to 239.255.255.255 would leave by this machine's default route
(no multicast route on lo), which these tests must not do. ffmpeg's sap demuxer reads unicast
announcements the same way (it binds the port and reads the packet format)."""
import os
import struct
import subprocess
import sys
import tempfile
import time
import wave

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'e2e'))
import tolkharness as th  # noqa: E402

ANNOUNCE = os.environ['AES67_ANNOUNCE']


def run_once(announce):
    stream_port = th.free_udp_pair()
    sap_port = th.free_udp_pair()
    out = tempfile.NamedTemporaryFile(suffix='.wav', delete=False).name
    gst = subprocess.Popen(
        ['gst-launch-1.0', '-q', 'audiotestsrc', 'is-live=true', 'freq=1000', 'volume=0.5', '!',
         'audio/x-raw,rate=48000,channels=1,format=S24BE', '!',
         'rtpL24pay', 'pt=97', 'min-ptime=1000000', 'max-ptime=1000000', '!',
         'udpsink', 'host=127.0.0.1', 'port=%d' % stream_port],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ff = subprocess.Popen(
        ['ffmpeg', '-hide_banner', '-nostdin', '-y', '-i', 'sap://127.0.0.1:%d' % sap_port,
         '-t', '2', '-ac', '1', '-ar', '48000', out],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    ann = None
    try:
        time.sleep(0.3)
        if announce:
            ann = subprocess.Popen([ANNOUNCE, str(sap_port), str(stream_port), '97', '40', '100'],
                                   stdout=subprocess.PIPE)
        try:
            _, err = ff.communicate(timeout=8)
        except subprocess.TimeoutExpired:
            ff.kill()
            _, err = ff.communicate()
        with wave.open(out) as w:
            frames = w.readframes(w.getnframes())
        samples = [s / 32768.0 for s in struct.unpack('<%dh' % (len(frames) // 2), frames)]
        return ff.returncode, err.decode(errors='replace'), samples
    except (wave.Error, EOFError, FileNotFoundError):
        return ff.returncode, '', []
    finally:
        for p in (ann, gst, ff):
            if p and p.poll() is None:
                p.kill()
                p.wait()
        if os.path.exists(out):
            os.unlink(out)


def main():
    rc, err, samples = run_once(announce=True)
    assert rc == 0, 'ffmpeg failed on the announcement: %s' % err[-600:]
    assert 'pcm_s24be, 48000 Hz, mono' in err, err[-600:]
    assert len(samples) >= 48000, 'only %d samples decoded' % len(samples)
    level = th.tone_dbfs(samples[-48000:], 1000)
    other = th.tone_dbfs(samples[-48000:], 1500)
    print('1 kHz at %.1f dBFS (1.5 kHz %.1f dBFS), %d samples' % (level, other, len(samples)))
    assert level > -12.0 and other < level - 40.0, (level, other)
    # Without the announcement ffmpeg finds nothing: the tone came by the SAP packet.
    rc, _, samples = run_once(announce=False)
    assert rc != 0 and not samples, 'ffmpeg decoded without an announcement'
    print('1 passed, 0 failed')


if __name__ == '__main__':
    main()
