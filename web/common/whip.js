/* SPDX-License-Identifier: EUPL-1.2 */
// WHIP (RFC 9725): send one audio track (and a camera's video track) to the server, kept up by rtcLink.

import { rtcLink } from './rtc.js';

const MIME = { vp8: 'video/VP8', h264: 'video/H264' };

/** The receivable video codecs with those of `codec` ("vp8" | "h264") first: the sitting's codec is
 * the one Tolk forwards, and an offer that does not send it is answered audio only. For H.264,
 * packetization mode 1 first (the one Tolk takes). */
export function videoCodecsFirst(codec, codecs = RTCRtpReceiver.getCapabilities?.('video')?.codecs || []) {
  const mime = MIME[codec] || MIME.vp8;
  const rank = (c) => {
    if (c.mimeType.toLowerCase() !== mime.toLowerCase()) return 2;
    return mime === MIME.h264 && !/packetization-mode=1/.test(c.sdpFmtpLine || '') ? 1 : 0;
  };
  return codecs.map((c, i) => [rank(c), i, c]).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map(([, , c]) => c);
}

/** Sends `track` to the WHIP endpoint `url`; with `video` (a camera's track) that too, its codec
 * `videoCodec` offered first. Returns the link ({close, restart}). */
export function whip(url, token, track, onState, { video = null, videoCodec = 'vp8' } = {}) {
  return rtcLink({
    url,
    token,
    onState,
    setup(pc) {
      pc.addTransceiver(track, { direction: 'sendonly' });
      if (!video) return;
      const camera = pc.addTransceiver(video, { direction: 'sendonly' });
      const codecs = videoCodecsFirst(videoCodec);
      if (codecs.length && camera.setCodecPreferences) camera.setCodecPreferences(codecs);
    },
  });
}

/** The microphone as an interpreter needs it: no echo cancelling, noise suppression or AGC. */
export function interpreterMicrophone() {
  return navigator.mediaDevices.getUserMedia({
    audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false, channelCount: 1 },
    video: false,
  });
}
