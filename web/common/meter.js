/* SPDX-License-Identifier: EUPL-1.2 */
// Level meters: <meter> elements fed from a WebAudio AnalyserNode or from dBFS numbers.

export const FLOOR_DB = -60;

/** An AnalyserNode for `source` (not connected to the output). */
export function analyser(ctx, source, fftSize = 8192) {
  const node = ctx.createAnalyser();
  node.fftSize = fftSize;
  node.smoothingTimeConstant = 0.3;
  source.connect(node);
  return node;
}

/** RMS level of what `node` sees now, in dBFS (-100 for silence). */
export function rmsDb(node) {
  const data = new Float32Array(node.fftSize);
  node.getFloatTimeDomainData(data);
  let sum = 0;
  for (const x of data) sum += x * x;
  const rms = Math.sqrt(sum / data.length);
  return rms > 0 ? Math.max(-100, 20 * Math.log10(rms)) : -100;
}

/** Shows `db` on a <meter min=-60 max=0> and its title. */
export function showLevel(meter, db) {
  const value = Math.max(FLOOR_DB, Math.min(0, db ?? -100));
  meter.value = value;
  meter.title = db == null || db <= -100 ? 'silence' : `${db.toFixed(0)} dBFS`;
}

/** Keeps `meter` showing the level seen by the analyser `node`; returns a stop function. */
export function runMeter(node, meter) {
  let running = true;
  const tick = () => {
    if (!running) return;
    showLevel(meter, rmsDb(node));
    setTimeout(() => requestAnimationFrame(tick), 80);
  };
  tick();
  return () => {
    running = false;
  };
}
