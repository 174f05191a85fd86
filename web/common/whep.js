/* SPDX-License-Identifier: EUPL-1.2 */
// WHEP: receive the audio (and, when asked, the floor video) from the server, kept up by rtcLink.

import { rtcLink } from './rtc.js';

/**
 * Receives from the WHEP endpoint `url`; `onStream(MediaStream)` on every (re)connection, for
 * the audio track. With `video`, the offer also receives a picture (recvonly, in the same peer
 * connection, so the browser lip-syncs it with the audio) and `onVideo(track)` is called when
 * the answer sends one.
 */
export function whep(url, token, onStream, onState, { video = false, onVideo = () => {} } = {}) {
  return rtcLink({
    url,
    token,
    onState,
    setup(pc) {
      pc.addTransceiver('audio', { direction: 'recvonly' });
      if (video) pc.addTransceiver('video', { direction: 'recvonly' });
      pc.addEventListener('track', (e) => {
        if (e.track.kind === 'video') onVideo(e.track);
        else onStream(e.streams[0] || new MediaStream([e.track]));
      });
    },
  });
}

/** Whether the answer `pc` holds sends a picture (a video m-line neither inactive nor refused). */
export function answeredVideo(pc) {
  const t = pc?.getTransceivers().find((x) => x.receiver.track.kind === 'video');
  return Boolean(t && !t.stopped && (t.currentDirection === 'recvonly' || t.currentDirection === 'sendrecv'));
}
