/* SPDX-License-Identifier: EUPL-1.2 */
// Changing the received stream a page plays without a click: the new one fades in over 30 ms
// while the old one fades out (make before break for the ears; the two streams' jitter buffers
// differ by some milliseconds, and a hard cut between them clicks). Main thread only.

import { audioContext, streamSource } from './audio.js';

const FADE_S = 0.03;

/**
 * Plays `stream` into the node `into` in place of `old` (a value this returned before, or null);
 * `stream` null fades `old` out alone. Returns the new source, to pass as `old` next time.
 */
export function crossfade(old, stream, into) {
  const ctx = audioContext();
  const t = ctx.currentTime;
  if (old) {
    old.gain.gain.setValueAtTime(old.gain.gain.value, t);
    old.gain.gain.linearRampToValueAtTime(0, t + FADE_S);
    setTimeout(() => {
      old.node.disconnect();
      old.gain.disconnect();
    }, FADE_S * 1000 + 100);
  }
  if (!stream) return null;
  const node = streamSource(stream);
  const gain = new GainNode(ctx, { gain: 0 });
  node.connect(gain).connect(into);
  gain.gain.setValueAtTime(0, t);
  gain.gain.linearRampToValueAtTime(1, t + FADE_S);
  return { node, gain };
}
