/* SPDX-License-Identifier: EUPL-1.2 */
// The console page receives the floor video from SRTP sources (issue 11, source kind (b)): in an
// H.264 sitting, ffmpeg (libx264) sends red and the page, in headless Chromium, decodes red
// frames (counted by requestVideoFrameCallback, read on a canvas) while it hears the floor at
// 440 Hz; a second source, gst-launch-1.0's openh264enc on blue, is chosen by the operator and
// the picture turns blue. Then a VP8 sitting with gst-launch-1.0's vp8enc on red. The daemon's
// WHEP answer gives Chromium the sitting's codec alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { BLUE, RED, colour, countFrames, ffmpegH264Sender, frames, gstSrtpSender, pictureState, receives } from './cameras.mjs';
import { SITTING, TONE, floorSender, scene, skipUnlessReady, text, waitFor, waitTone } from './harness.mjs';

/** Why the senders cannot run here (ffmpeg or an encoder missing), or null. */
function noSenders() {
  if (spawnSync('ffmpeg', ['-hide_banner', '-version']).status !== 0) return 'no ffmpeg';
  for (const element of ['openh264enc', 'vp8enc', 'srtpenc']) {
    if (spawnSync('gst-inspect-1.0', ['--exists', element]).status !== 0) return `no GStreamer element ${element}`;
  }
  return null;
}

const skip = skipUnlessReady() || (!process.env.CI && noSenders()) || false;
const setup = scene({ tones: [TONE.a] });
const running = [];

test.after(() => { for (const p of running) if (p.exitCode === null) p.kill('SIGTERM'); });

/**
 * A sitting `sid` in `codec` with the floor at 440 Hz and a console page of en/1; the page's
 * WHEP answers are kept in page.answers (to see which codec the daemon gave Chromium).
 */
async function sittingWithConsole(t, sid, codec) {
  const { daemon, browsers: [browser] } = setup;
  const session = await daemon.ok('POST', 'sessions', { ...SITTING, id: sid, video_codec: codec });
  const floor = floorSender(session, TONE.floor);
  t.after(() => floor.stop());
  const desk = await daemon.pageUrl(sid, { role: 'console', console: 'en/1' });
  const page = await browser.context.newPage();
  t.after(() => page.close());
  page.answers = [];
  page.on('response', async (r) => {
    if (r.request().method() === 'POST' && r.url().endsWith('/whep') && r.status() === 201) page.answers.push(await r.text());
  });
  await page.goto(desk.href);
  return page;
}

/** The encodings (e.g. ['H264']) of the video m-line of the page's last WHEP answer. */
function answeredVideo(page) {
  const video = page.answers.at(-1)?.split(/^m=/m).find((m) => m.startsWith('video')) ?? '';
  return [...video.matchAll(/^a=rtpmap:\d+ ([\w-]+)\//gm)].map((m) => m[1]);
}

/** Adds an SRTP source `name` to `sid` by the API and starts `sender` on it. */
async function srtpSource(sid, name, sender) {
  const source = await setup.daemon.ok('POST', `sessions/${sid}/video/sources`, { name });
  running.push(sender(source));
  return source;
}

/** Waits until the page's picture is `want` ('red', 'blue'); the error names the last colour seen. */
async function untilColour(page, want, what) {
  let seen = 'nothing';
  await waitFor(async () => (seen = await colour(page)) === want, 15000, `a ${want} picture (${what})`)
    .catch((error) => { throw new Error(`${error.message}; the picture was ${seen}`); });
}

/** Waits for the page to play `want` ('red', 'blue') and to count frames; logs the rate. */
async function assertPicture(t, page, want, what) {
  await waitFor(async () => (await pictureState(page)) === 'playing', 30000, `the console playing ${what}`);
  await untilColour(page, want, what);
  const f0 = await frames(page);
  await sleep(2000);
  const rate = ((await frames(page)) - f0) / 2;
  t.diagnostic(`${what}: ${rate} frames/s on the page`);
  assert.ok(rate >= 5, `${what}: the picture moves (${rate} frames/s)`);
  assert.equal(await colour(page), want, `${what}: still ${want}`);
}

test('an H.264 sitting: the console decodes ffmpeg\'s red, hears the floor, and follows the switch to openh264enc\'s blue',
  { skip, timeout: 120000 }, async (t) => {
    const page = await sittingWithConsole(t, 'h264', 'h264');
    if (!(await receives(page, 'video/H264'))) {
      // Debian's chromium decodes H.264 through its ffmpeg; a build without it cannot pass.
      assert.ok(!process.env.CI, 'this chromium cannot receive H.264 (RTCRtpReceiver.getCapabilities)');
      t.skip('this chromium cannot receive H.264 (RTCRtpReceiver.getCapabilities has no video/H264)');
      return;
    }
    await countFrames(page);
    const hall = await srtpSource('h264', 'Hall', (s) => ffmpegH264Sender(s, RED));
    assert.equal(hall.payload_type, 102);
    await assertPicture(t, page, 'red', 'ffmpeg\'s H.264');
    assert.deepEqual(answeredVideo(page), ['H264'], 'Chromium is given H.264 alone');
    assert.equal(await text(page, '#picture-caption'), 'Hall');
    await waitTone(page, TONE.floor, [TONE.a], 'return');

    const podium = await srtpSource('h264', 'Podium', (s) => gstSrtpSender(s, 'h264', BLUE));
    await waitFor(async () => (await setup.daemon.ok('GET', 'sessions/h264/video'))
      .sources.find((s) => s.id === podium.id).state === 'receiving', 15000, 'Podium receiving');
    const since = Date.now();
    await setup.daemon.ok('PUT', 'sessions/h264/video/chosen', { source: podium.id });
    await untilColour(page, 'blue', 'after the switch');
    t.diagnostic(`operator's switch to openh264enc's blue on the page in ${Date.now() - since} ms`);
    await assertPicture(t, page, 'blue', 'openh264enc\'s H.264');
    await waitFor(async () => (await text(page, '#picture-caption')) === 'Podium', 5000, 'the caption Podium');
    await waitTone(page, TONE.floor, [TONE.a], 'return');
  });

test('a VP8 sitting: the console decodes gst-launch-1.0\'s vp8enc red over SRTP and hears the floor',
  { skip, timeout: 90000 }, async (t) => {
    const page = await sittingWithConsole(t, 'vp8', 'vp8');
    await countFrames(page);
    const hall = await srtpSource('vp8', 'Hall', (s) => gstSrtpSender(s, 'vp8', RED));
    assert.equal(hall.payload_type, 96);
    await assertPicture(t, page, 'red', 'vp8enc\'s VP8');
    assert.deepEqual(answeredVideo(page), ['VP8'], 'Chromium is given VP8 alone');
    await waitTone(page, TONE.floor, [TONE.a], 'return');
  });
