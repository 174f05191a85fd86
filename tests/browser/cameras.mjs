/* SPDX-License-Identifier: EUPL-1.2 */
// WHIP cameras for the floor video's browser tests and screenshots: video-peer (tests/webrtc,
// a webrtcbin peer) publishing a ball on a colour in VP8 and a sine, as the speaker page would;
// SRTP video senders (gst-launch-1.0, ffmpeg) on a solid colour; and what a page's picture shows.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { VIDEO_PEER } from './video_peer.mjs';

export { VIDEO_PEER };
export const RED = '0xffff0000';
export const BLUE = '0xff0000ff';
/** The colours above as ffmpeg's lavfi color source names them. */
const FFMPEG_COLOUR = { [RED]: 'red', [BLUE]: 'blue' };

/** Why the cameras cannot run here (no video-peer built), or null. */
export const noCameras = () => (existsSync(VIDEO_PEER) ? null : `no ${VIDEO_PEER} (build it or set VIDEO_PEER_BIN)`);

/**
 * A WHIP camera on `path` (e.g. /api/v1/sessions/s/whip/floor?name=Speaker) for 5 minutes:
 * resolves to {proc, stop()} once it is connected; rejects when it was refused or never connected.
 */
export async function camera(daemon, path, token, colour, hz) {
  const proc = spawn(VIDEO_PEER, ['publish', String(daemon.port), path, token, '300', colour, String(hz)],
    { stdio: ['ignore', 'pipe', 'ignore'] });
  const lines = createInterface({ input: proc.stdout });
  const first = await new Promise((ok) => {
    lines.once('line', (l) => ok(JSON.parse(l)));
    proc.once('exit', () => ok(null));
  });
  if (!first?.connected) {
    proc.kill('SIGTERM');
    throw new Error(`the camera on ${path} did not connect: ${JSON.stringify(first)}`);
  }
  return { proc, stop: () => proc.kill('SIGTERM') };
}

/** The SRTP parameters of gst-launch-1.0's srtpenc for an API's source (its key, base64). */
const srtpenc = (source) => `srtpenc key=${Buffer.from(source.srtp.key, 'base64').toString('hex')} `
  + 'rtp-cipher=aes-128-icm rtp-auth=hmac-sha1-80 rtcp-cipher=aes-128-icm rtcp-auth=hmac-sha1-80';

/** The encoders of the sittings' codecs for gst-launch-1.0 (a key frame every 15 frames). */
const GST_ENCODER = {
  vp8: (pt) => `vp8enc keyframe-max-dist=15 deadline=1 ! rtpvp8pay pt=${pt} mtu=1200`,
  h264: (pt) => `openh264enc gop-size=15 ! h264parse ! rtph264pay pt=${pt} mtu=1200 config-interval=-1`,
};

/**
 * gst-launch-1.0 sending solid `argb` at 320x240, 15 frames/s, in `codec` ('vp8', 'h264') as
 * SRTP to `source` (as POST .../video/sources answers it); the process, to kill.
 */
export function gstSrtpSender(source, codec, argb) {
  const pipeline = `videotestsrc is-live=true pattern=solid-color foreground-color=${argb} ! `
    + 'video/x-raw,width=320,height=240,framerate=15/1 ! videoconvert ! '
    + `${GST_ENCODER[codec](source.payload_type)} ! ${srtpenc(source)} ! `
    + `udpsink host=127.0.0.1 port=${source.port} sync=false async=false`;
  return spawn('gst-launch-1.0', ['-q', ...pipeline.split(' ')], { stdio: 'ignore' });
}

/**
 * ffmpeg sending solid `argb` (RED or BLUE) in H.264 (libx264, zerolatency, a key frame every
 * 15 frames, SPS/PPS before each) as SRTP to `source`, as the operator's page tells a user to.
 */
export function ffmpegH264Sender(source, argb) {
  return spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-re', '-f', 'lavfi',
    '-i', `color=c=${FFMPEG_COLOUR[argb]}:size=320x240:rate=30`, '-c:v', 'libx264', '-preset', 'ultrafast',
    '-tune', 'zerolatency', '-profile:v', 'baseline', '-pix_fmt', 'yuv420p', '-g', '15', '-bsf:v', 'dump_extra',
    '-payload_type', String(source.payload_type), '-f', 'rtp', '-srtp_out_suite', source.srtp.suite,
    '-srtp_out_params', source.srtp.key, `srtp://127.0.0.1:${source.port}?rtcpport=${source.port}&pkt_size=1200`],
  { stdio: 'ignore' });
}

/** Counts the frames the page's <video> presents (window.frames_, read by frames()). */
export const countFrames = (page) => page.evaluate(() => {
  const v = document.querySelector('#floor-video');
  window.frames_ = 0;
  const tick = () => { window.frames_ += 1; v.requestVideoFrameCallback(tick); };
  v.requestVideoFrameCallback(tick);
});
export const frames = (page) => page.evaluate(() => window.frames_);

/** The colour of the picture's top left corner (the ball's background), as 'red', 'blue' or the RGB. */
export const colour = (page) => page.evaluate(() => {
  const v = document.querySelector('#floor-video');
  if (!v.videoWidth) return 'none';
  const c = document.createElement('canvas');
  c.width = 64;
  c.height = 36;
  const g = c.getContext('2d', { willReadFrequently: true });
  g.drawImage(v, 0, 0, 64, 36);
  const [r, gr, b] = g.getImageData(2, 2, 1, 1).data;
  if (r > 150 && gr < 90 && b < 90) return 'red';
  if (b > 150 && r < 90 && gr < 90) return 'blue';
  return `rgb(${r},${gr},${b})`;
});

/** The page's #picture state: 'none', 'playing', 'stalled', 'off', 'unavailable'... */
export const pictureState = (page) => page.evaluate(() => document.querySelector('#picture').dataset.state);

/** Whether the page's browser can receive `mime` (e.g. 'video/H264') over WebRTC. */
export const receives = (page, mime) => page.evaluate(
  (m) => RTCRtpReceiver.getCapabilities('video').codecs.some((c) => c.mimeType === m), mime);
