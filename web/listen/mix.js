/* SPDX-License-Identifier: EUPL-1.2 */
// The listener's mix: the chosen channel and, under it, the floor, balanced client-side.

import { audioContext } from '../common/audio.js';
import { crossfade } from '../common/crossfade.js';
import { analyser } from '../common/meter.js';

export function listenerMix() {
  const ctx = audioContext();
  const channel = new GainNode(ctx, { gain: 1 });
  const floor = new GainNode(ctx, { gain: 0 });
  const volume = new GainNode(ctx, { gain: 1 });
  channel.connect(volume);
  floor.connect(volume);
  volume.connect(ctx.destination);
  const out = analyser(ctx, volume);
  const sources = { channel: null, floor: null };
  let balance = 1;
  let floorOn = false;

  function apply() {
    const t = ctx.currentTime;
    // Equal-power balance: 0 = only the floor, 1 = only the interpretation.
    channel.gain.setTargetAtTime(floorOn ? Math.sin((balance * Math.PI) / 2) : 1, t, 0.02);
    floor.gain.setTargetAtTime(floorOn ? Math.cos((balance * Math.PI) / 2) : 0, t, 0.02);
  }

  return {
    out,
    /** Plays `stream` as 'channel' or 'floor' (null stops it), crossfaded with the one before. */
    connect(which, stream) {
      sources[which] = crossfade(sources[which], stream, which === 'floor' ? floor : channel);
      if (which === 'floor') {
        floorOn = !!stream;
        apply();
      }
    },
    setBalance(value) {
      balance = value;
      apply();
    },
    setVolume(value) {
      volume.gain.setTargetAtTime(value, ctx.currentTime, 0.02);
    },
  };
}
