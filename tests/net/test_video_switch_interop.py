# SPDX-License-Identifier: EUPL-1.2
"""The floor video's switch (mixer/net/video_switch.c) in front of a real decoder (issue 11's
foundations). Two live GStreamer senders, a moving ball on red (source 0) and on blue (source 1),
each with a key frame every half second; video_relay forwards source 0, is told after 2 s to
switch to source 1, and forwards one line; a GStreamer receiver depayloads and decodes that line
(vp8dec; avdec_h264) and the test looks at every decoded frame: exactly as many red ones as the
relay forwarded of source 0, then exactly as many blue ones as it forwarded of source 1, and
never a broken picture. A switch before a key frame decodes source 1's first frames onto source
0's picture: they stay red (the blue background is not coded again) or come out broken, and the
counts tell. For VP8 and for H.264."""
import os
import re
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'e2e'))
import tolkharness as th  # noqa: E402

RELAY = os.environ['VIDEO_RELAY']
W, H = 160, 120
FRAME_BYTES = W * H * 3
SWITCH_S, SECONDS = 2.0, 4.5
BACKGROUNDS = {'red': '0xffff0000', 'blue': '0xff0000ff'}
CODECS = {
    'vp8': ('vp8enc keyframe-max-dist=15 deadline=1 ! rtpvp8pay pt=96 mtu=1200',
            'encoding-name=VP8', 'rtpvp8depay ! vp8dec'),
    'h264': ('openh264enc gop-size=15 bitrate=500000 ! h264parse ! rtph264pay pt=96 mtu=1200 config-interval=-1',
             'encoding-name=H264', 'rtph264depay ! h264parse ! avdec_h264'),
}


def sender(pattern, codec, port):
    encode = CODECS[codec][0]
    line = ('gst-launch-1.0 -q videotestsrc is-live=true pattern=ball background-color=%s ! '
            'video/x-raw,width=%d,height=%d,framerate=30/1 ! %s ! udpsink host=127.0.0.1 port=%d'
            % (BACKGROUNDS[pattern], W, H, encode, port))
    return subprocess.Popen(line.split(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def receiver(codec, port):
    caps = 'application/x-rtp,media=video,clock-rate=90000,payload=96,' + CODECS[codec][1]
    line = ('gst-launch-1.0 -q udpsrc port=%d caps=%s ! rtpjitterbuffer latency=100 ! %s ! videoconvert ! '
            'video/x-raw,format=RGB,width=%d,height=%d ! fdsink fd=1 sync=false' % (port, caps, CODECS[codec][2], W, H))
    return subprocess.Popen(line.split(), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)


def colour(frame):
    """'red', 'blue', or 'broken' for anything else (a decoder's garbage, a half picture)."""
    step = 97  # sample pixels all over the picture
    reds = greens = blues = n = 0
    for i in range(0, W * H, step):
        r, g, b = frame[3 * i:3 * i + 3]
        reds, greens, blues, n = reds + r, greens + g, blues + b, n + 1
    r, g, b = reds / n, greens / n, blues / n
    if r > 180 and g < 90 and b < 90:
        return 'red'
    if b > 180 and r < 90 and g < 90:
        return 'blue'
    return 'broken (%.0f,%.0f,%.0f)' % (r, g, b)


def read_frames(proc, out):
    while True:
        frame = proc.stdout.read(FRAME_BYTES)
        if len(frame) < FRAME_BYTES:
            return
        out.append(colour(frame))


def run(codec):
    a, b, line = th.free_udp_pair(), th.free_udp_pair(), th.free_udp_pair()
    frames = []
    recv = receiver(codec, line)
    reader = threading.Thread(target=read_frames, args=(recv, frames), daemon=True)
    reader.start()
    relay = subprocess.Popen([RELAY, codec, str(a), str(b), str(line), str(SWITCH_S), str(SECONDS)],
                             stdout=subprocess.PIPE, text=True)
    time.sleep(0.2)
    senders = [sender('red', codec, a), sender('blue', codec, b)]
    try:
        report, _ = relay.communicate(timeout=SECONDS + 10)
    finally:
        for p in senders + [recv]:
            th.terminate(p)
    reader.join(timeout=5)
    stats = {k: int(v) for k, v in re.findall(r'(\w+)=(-?\d+)', report)}
    runs = []
    for c in frames:
        if not runs or runs[-1][0] != c:
            runs.append([c, 0])
        runs[-1][1] += 1
    print('%s: relay %s; decoded frames: %s' % (codec, stats, ', '.join('%s x%d' % tuple(r) for r in runs)))
    problems = []
    if [r[0] for r in runs] != ['red', 'blue']:
        problems.append('the decoded frames are not red then blue')
    elif abs(runs[0][1] - stats.get('frames_0', 0)) > 1 or abs(runs[1][1] - stats.get('frames_1', 0)) > 1:
        problems.append('%d red and %d blue frames decoded, but %d and %d forwarded' %
                        (runs[0][1], runs[1][1], stats.get('frames_0', 0), stats.get('frames_1', 0)))
    if stats.get('switches') != 2 or not 0 <= stats.get('switch_wait_ms', -1) <= 600:
        problems.append('the switch did not happen at a key frame within 0.6 s')
    if stats.get('invalid'):
        problems.append('packets refused')
    if len(frames) < 30 * (SECONDS - 1):
        problems.append('%d frames decoded, expected about %d' % (len(frames), 30 * SECONDS))
    return ['%s: %s' % (codec, p) for p in problems]


def main():
    failures = run('vp8') + run('h264')
    if failures:
        print('FAILED:\n  ' + '\n  '.join(failures))
        return 1
    print('ok')
    return 0


if __name__ == '__main__':
    sys.exit(main())
