/* SPDX-License-Identifier: EUPL-1.2 */
// WHIP (RFC 9725): send one audio track to the server, kept up by rtcLink.

import { rtcLink } from './rtc.js';

/** Sends `track` to the WHIP endpoint `url`; returns the link ({close, restart}). */
export function whip(url, token, track, onState) {
  return rtcLink({
    url,
    token,
    onState,
    setup(pc) {
      pc.addTransceiver(track, { direction: 'sendonly' });
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
