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

// Every session event (a console's microphone, another operator's change) redraws the sitting: a
// half-typed mount URL and password, the open form and the caret must come through it, a refused
// form keeps what was typed, and an accepted one forgets the password.
test('what is typed in the Icecast form survives the session events', { skip, timeout: 45000 }, async () => {
  const { daemon, browsers: [browser] } = setup;
  await daemon.ok('PATCH', 'sessions/browser/channels/fr', { public: true });
  const op = await browser.page(`${daemon.url}/operator/#session=browser&token=${daemon.token}`);
  op.setDefaultTimeout(10000);
  const form = () => op.locator('[data-icecast-form="fr"]');
  await op.locator('[data-icecast="fr"] summary').click();
  const redraw = async (pub) => {
    await op.evaluate(() => { window.oldForm = document.querySelector('[data-icecast-form="fr"]'); });
    await daemon.ok('PATCH', 'sessions/browser/channels/de', { public: pub });
    await waitFor(() => op.evaluate(() => document.querySelector('[data-icecast-form="fr"]') !== window.oldForm), 5000,
      'the sitting redrawn by the session event');
  };
  await form().locator('[name="url"]').pressSequentially('ftp://ice');
  await redraw(true);
  await op.keyboard.type('.example/fr.opus');
  assert.equal(await form().locator('[name="url"]').inputValue(), 'ftp://ice.example/fr.opus', 'the URL and its caret kept');
  await form().locator('[name="password"]').pressSequentially('hack');
  await redraw(false);
  await op.keyboard.type('me');
  assert.equal(await form().locator('[name="password"]').inputValue(), 'hackme', 'the password kept');
  assert.ok(await op.locator('[data-icecast="fr"] details').evaluate((d) => d.open), 'the form still open');

  await form().getByRole('button', { name: 'Start' }).click();
  await waitFor(async () => /url/.test(await op.locator('#error').textContent()), 5000, 'the refusal shown, naming the field');
  await redraw(true);
  assert.equal(await form().locator('[name="url"]').inputValue(), 'ftp://ice.example/fr.opus', 'a refused form keeps the URL');
  assert.equal(await form().locator('[name="password"]').inputValue(), 'hackme', 'and the password');

  await form().locator('[name="url"]').fill('http://127.0.0.1:9/fr.opus');
  await form().getByRole('button', { name: 'Start' }).click();
  await waitFor(async () => (await daemon.ok('GET', 'sessions/browser')).channels.find((c) => c.id === 'fr').icecast, 5000,
    'the source set');
  await waitFor(() => form().getByRole('button', { name: 'Replace' }).count(), 5000, 'the form drawn for the source');
  assert.equal(await form().locator('[name="url"]').inputValue(), 'http://127.0.0.1:9/fr.opus');
  assert.equal(await form().locator('[name="password"]').inputValue(), '', 'the password forgotten once sent');
  await daemon.ok('DELETE', 'sessions/browser/channels/fr/icecast');
  await daemon.ok('PATCH', 'sessions/browser/channels/fr', { public: false });
  await op.close();
});
