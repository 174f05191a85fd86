/* SPDX-License-Identifier: EUPL-1.2 */
// What the interpreter hears: the return feed through bass, treble and volume (client-side).

import { audioContext } from '../common/audio.js';
import { crossfade } from '../common/crossfade.js';
import { analyser } from '../common/meter.js';

/** The headphone chain: connect(stream) crossfades the return feed in; returns its nodes. */
export function headphoneChain() {
  const ctx = audioContext();
  const bass = new BiquadFilterNode(ctx, { type: 'lowshelf', frequency: 250, gain: 0 });
  const treble = new BiquadFilterNode(ctx, { type: 'highshelf', frequency: 4000, gain: 0 });
  const volume = new GainNode(ctx, { gain: 0.8 });
  bass.connect(treble).connect(volume).connect(ctx.destination);
  const out = analyser(ctx, volume);
  let source = null;
  return {
    bass,
    treble,
    volume,
    out,
    connect(stream) {
      source = crossfade(source, stream, bass);
    },
    set(param, value) {
      const node = { bass: bass.gain, treble: treble.gain, volume: volume.gain }[param];
      node.setTargetAtTime(value, ctx.currentTime, 0.02);
    },
  };
}
