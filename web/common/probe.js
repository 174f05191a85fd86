/* SPDX-License-Identifier: EUPL-1.2 */
// A test hook on the received audio: window.tolkProbe.tones([440, 880]) returns the level in
// dB of each frequency as the page hears it; dominant() the strongest frequency (Hz).

import { rmsDb } from './meter.js';

const probes = new Map();

function spectrum(node) {
  const bins = new Float32Array(node.frequencyBinCount);
  node.getFloatFrequencyData(bins);
  return bins;
}

function toneDb(node, bins, freq) {
  const width = node.context.sampleRate / node.fftSize;
  const centre = Math.round(freq / width);
  let best = -Infinity;
  for (let i = Math.max(0, centre - 2); i <= Math.min(bins.length - 1, centre + 2); i++) {
    best = Math.max(best, bins[i]);
  }
  return Number.isFinite(best) ? best : -200;
}

/** Registers the analyser `node` under `name` (the first one is the default). */
export function registerProbe(name, node) {
  probes.set(name, node);
}

function pick(name) {
  const node = name ? probes.get(name) : probes.values().next().value;
  if (!node) throw new Error(`no probe ${name || ''}`);
  return node;
}

window.tolkProbe = {
  names: () => [...probes.keys()],
  tones(freqs, name) {
    const node = pick(name);
    const bins = spectrum(node);
    return Object.fromEntries(freqs.map((f) => [f, toneDb(node, bins, f)]));
  },
  dominant(name) {
    const node = pick(name);
    const bins = spectrum(node);
    let top = 1;
    for (let i = 2; i < bins.length; i++) if (bins[i] > bins[top]) top = i;
    return (top * node.context.sampleRate) / node.fftSize;
  },
  level: (name) => rmsDb(pick(name)),
};
