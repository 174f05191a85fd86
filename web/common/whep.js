/* SPDX-License-Identifier: EUPL-1.2 */
// WHEP: receive one audio stream from the server, kept up by rtcLink.

import { rtcLink } from './rtc.js';

/** Receives from the WHEP endpoint `url`; `onStream(MediaStream)` on every (re)connection. */
export function whep(url, token, onStream, onState) {
  return rtcLink({
    url,
    token,
    onState,
    setup(pc) {
      pc.addTransceiver('audio', { direction: 'recvonly' });
      pc.addEventListener('track', (e) => onStream(e.streams[0] || new MediaStream([e.track])));
    },
  });
}
