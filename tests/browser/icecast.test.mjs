/* SPDX-License-Identifier: EUPL-1.2 */
// A public channel through Icecast (issue 10): the listener page offers the stream's link, and
// Chromium's <audio> plays the Ogg/Opus mount: the floor's 440 Hz, measured with Web Audio (the
// test's icecast2 sends Access-Control-Allow-Origin: *). The operator page shows the source.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { REPO, TONE, scene, skipUnlessReady, waitFor } from './harness.mjs';

const skip = skipUnlessReady() || (existsSync('/usr/bin/icecast2') ? false : 'no /usr/bin/icecast2');
const setup = scene({ floor: TONE.floor, tones: [TONE.b] });

/** tests/e2e/icecast_server.py: {port, password, stop()}. */
async function startIcecast() {
  const proc = spawn('python3', [join(REPO, 'tests', 'e2e', 'icecast_server.py'), '--cors'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise((ok, fail) => {
    createInterface({ input: proc.stdout }).once('line', ok);
    proc.once('exit', (code) => fail(new Error(`icecast_server.py exited with ${code}`)));
  });
  return { ...JSON.parse(line), stop: () => proc.stdin.end() };
}

/** In the page: an <audio> on url, through an analyser for `seconds`; how far it played, when it
 * began to (s after play()), and the levels (dB) of the strongest bins near each frequency. */
function playAndMeasure([url, freqs, seconds]) {
  return new Promise((resolve, reject) => {
    const audio = new Audio();
    audio.crossOrigin = 'anonymous';
    audio.src = url;
    const ctx = new AudioContext();
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 8192;
    ctx.createMediaElementSource(audio).connect(analyser);
    audio.onerror = () => reject(new Error(`audio error ${audio.error?.code}`));
    const t0 = performance.now();
    let started = null;
    audio.addEventListener('playing', () => { started = (performance.now() - t0) / 1000; }, { once: true });
    audio.play().catch(reject);
    setTimeout(() => {
      const bins = new Float32Array(analyser.frequencyBinCount);
      analyser.getFloatFrequencyData(bins);
      const hz = ctx.sampleRate / analyser.fftSize;
      const level = (f) => Math.max(...[-2, -1, 0, 1, 2].map((d) => bins[Math.round(f / hz) + d]));
      resolve({ played: audio.currentTime, started, levels: Object.fromEntries(freqs.map((f) => [f, level(f)])) });
      audio.pause();
    }, seconds * 1000);
  });
}

test('a public channel through Icecast plays in Chromium', { skip, timeout: 90000 }, async () => {
  const { daemon, browsers: [browser] } = setup;
  const ice = await startIcecast();
  try {
    await daemon.ok('PATCH', 'sessions/browser/channels/en', { public: true });
    const url = `http://127.0.0.1:${ice.port}/en.opus`;
    const source = await daemon.ok('PUT', 'sessions/browser/channels/en/icecast', { url, password: ice.password });
    assert.equal(source.listen_url, url);
    await waitFor(async () => (await daemon.ok('GET', 'sessions/browser')).channels.find((c) => c.id === 'en').icecast?.state === 'streaming',
      15000, 'the source streaming');
    const ear = await daemon.pageUrl('browser', { role: 'listener', channel: 'en' });
    const page = await browser.page(ear.href);
    const link = page.locator('[data-icecast-link]');
    await waitFor(() => link.count(), 15000, 'the player link on the listener page');
    assert.equal(await link.getAttribute('href'), url);
    // Tolk's pages keep media to their own origin (Content-Security-Policy media-src 'self'): the
    // listener page links the stream; a page of no origin of ours plays it, as a player would.
    const blank = await browser.context.newPage();
    const { played, started, levels } = await blank.evaluate(playAndMeasure, [url, [TONE.floor, TONE.a], 5]);
    // Chromium buffers a few seconds of a live Ogg stream before it starts: a figure, not a check.
    console.log(`<audio> from Icecast: playing ${started?.toFixed(1)} s after play(), ${played.toFixed(1)} s played in 5 s, `
      + `${JSON.stringify(levels)}`);
    assert.ok(played > 0.2, `played only ${played} s`);
    assert.ok(levels[TONE.floor] > levels[TONE.a] + 20, JSON.stringify(levels));
    const operator = await browser.page(`${daemon.url}/operator/#session=browser&token=${daemon.token}`);
    await waitFor(() => operator.locator('[data-icecast="en"] .health-state[data-state="streaming"]').count(), 15000,
      'the operator page showing the source streaming');
  } finally {
    ice.stop();
  }
});
