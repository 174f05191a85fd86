# SPDX-License-Identifier: EUPL-1.2
"""video_rtp.c against real payloaders (issue 11's foundations): GStreamer's rtpvp8pay (vp8enc)
and rtph264pay (openh264enc), and ffmpeg's RTP muxer (libx264), each sending 90 frames at
30 frames a second with a key frame every 30 frames. video_probe counts the frames in which
video_rtp finds a packet a decoder can start from: exactly the key frames (three), the first
packet among them, none refused. (The packets per key frame differ: one for VP8; for H.264 the
SPS and PPS, which openh264enc and rtph264pay's config-interval both send, and the IDR.)"""
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'e2e'))
import tolkharness as th  # noqa: E402

PROBE = os.environ['VIDEO_PROBE']
FRAMES = 90
GOP = 30
SOURCE = ('videotestsrc num-buffers=%d pattern=smpte ! video/x-raw,width=640,height=480,framerate=30/1 ! '
          % FRAMES)


def senders(port):
    sink = ' ! udpsink host=127.0.0.1 port=%d sync=true' % port
    return {
        'vp8 (GStreamer)': ('vp8', 'gst-launch-1.0 -q ' + SOURCE + 'vp8enc keyframe-max-dist=%d deadline=1 ! '
                            'rtpvp8pay pt=96 mtu=1200' % GOP + sink),
        'h264 (GStreamer)': ('h264', 'gst-launch-1.0 -q ' + SOURCE + 'openh264enc gop-size=%d bitrate=2000000 ! h264parse ! '
                             'rtph264pay pt=96 mtu=1200 config-interval=-1' % GOP + sink),
        'h264 (ffmpeg)': ('h264', 'ffmpeg -hide_banner -loglevel error -nostdin -re -f lavfi -i '
                          'testsrc=size=640x480:rate=30 -frames:v %d -c:v libx264 -g %d -keyint_min %d '
                          '-bsf:v dump_extra -f rtp rtp://127.0.0.1:%d?pkt_size=1200' % (FRAMES, GOP, GOP, port)),
    }


def probe(codec, command, port):
    proc = subprocess.Popen([PROBE, codec, str(port), '5'], stdout=subprocess.PIPE, text=True)
    time.sleep(0.3)
    subprocess.run(command.split(), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=20)
    out, _ = proc.communicate(timeout=10)
    return {k: int(v) for k, v in re.findall(r'(\w+)=(-?\d+)', out)}


def main():
    failures = []
    for name in senders(0):
        port = th.free_udp_pair()
        codec, command = senders(port)[name]
        got = probe(codec, command, port)
        print('%s: %s' % (name, got))
        keys = FRAMES // GOP
        if got.get('invalid') != 0 or got.get('first_keyframe_packet') != 0 or got.get('frames', 0) < FRAMES - 2:
            failures.append('%s: %s' % (name, got))
        if got.get('keyframe_frames') != keys:
            failures.append('%s: %d frames with a key frame start, not %d' % (name, got.get('keyframe_frames', 0), keys))
    if failures:
        print('FAILED:\n  ' + '\n  '.join(failures))
        return 1
    print('ok')
    return 0


if __name__ == '__main__':
    sys.exit(main())
