/* SPDX-License-Identifier: EUPL-1.2 */
// Scenario (issue 11): the floor video from the pages. The speaker page with its camera on (a
// fake camera showing red, a 523 Hz voice) publishes audio and video by WHIP; a console viewer
// (video-peer, webrtcbin) decodes red frames and hears the voice. A second camera (video-peer on
// blue, the video-only WHIP route) appears in the operator page's Video panel; its button makes
// it the floor video (the viewer's frames turn blue), "No picture" stops the frames, removing a
// camera asks first, a channel's "video for listeners" flips its `video`. A speaker without a
// camera, or who does not allow it, is still heard, and told why there is no picture.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Daemon, SITTING, TONE, launchBrowser, skipUnlessReady, text, waitFor } from './harness.mjs';
import { videoPeer as startVideoPeer, videoSkip } from './video_peer.mjs';

const SPEAKER = 523; // the speaker's fake microphone
const RED = '0xffff0000';
const BLUE = '0xff0000ff';
const ready = skipUnlessReady();
const skip = videoSkip(ready);
const sid = SITTING.id;
const s = { peers: [], browsers: [] };

/** A y4m of a solid colour (0xAARRGGBB), which chromium loops as its fake camera. */
function colourFile(dir, argb) {
  const path = join(dir, `camera-${argb}.y4m`);
  const r = spawnSync('gst-launch-1.0', ['-q', 'videotestsrc', 'num-buffers=20', 'pattern=solid-color', `foreground-color=${argb}`,
    '!', 'video/x-raw,format=I420,width=320,height=240,framerate=10/1', '!', 'y4menc', '!', 'filesink', `location=${path}`]);
  assert.equal(r.status, 0, `gst-launch-1.0 y4menc: ${r.stderr}`);
  return path;
}

const videoPeer = (...args) => startVideoPeer(s.daemon.port, s.peers, ...args);

const video = () => s.daemon.ok('GET', `sessions/${sid}/video`);
const waitVideo = (test, what, ms = 10000) => waitFor(async () => { const v = await video(); return test(v) && v; }, ms, what, 200);
const source = (v, name) => v.sources.find((x) => x.name === name);

/** The m=video section of an SDP, or null. */
function videoSection(sdp) {
  const at = sdp.indexOf('m=video ');
  if (at < 0) return null;
  const end = sdp.indexOf('\nm=', at + 1);
  return sdp.slice(at, end < 0 ? undefined : end);
}

/** The speaker page from a floor link in `browser`; the offers it posts are kept in `offers`. */
async function speakerPage(browser, floor) {
  const page = await browser.page(floor.href);
  page.offers = [];
  page.on('request', (r) => { if (r.method() === 'POST' && r.url().includes('/whip/floor')) page.offers.push(r.postData()); });
  await waitFor(async () => (await text(page, '#sitting')) === SITTING.name, 5000, 'the sitting name');
  return page;
}

before(async () => {
  if (skip) return;
  s.dir = mkdtempSync(join(tmpdir(), 'tolk-video-'));
  s.daemon = await new Daemon().start();
  await s.daemon.ok('POST', 'sessions', SITTING);
  s.floor = await s.daemon.pageUrl(sid, { role: 'floor' });
  s.console = await s.daemon.pageUrl(sid, { role: 'console', console: 'en/1' });
  s.browsers = await Promise.all([
    launchBrowser(SPEAKER, [`--use-file-for-fake-video-capture=${colourFile(s.dir, RED)}`]),
    launchBrowser(TONE.b),
  ]);
  [s.speaker, s.operator] = s.browsers;
});

after(async () => {
  for (const p of s.peers) p.stop();
  for (const b of s.browsers) await b?.close();
  await s.daemon?.stop();
  if (s.dir) rmSync(s.dir, { recursive: true, force: true });
});

test('the speaker page with its camera on publishes the floor video; a console decodes it red', { skip, timeout: 90000 }, async () => {
  const desk = await speakerPage(s.speaker, s.floor);
  await desk.getByRole('switch', { name: /Camera/ }).check();
  await desk.getByRole('button', { name: 'Start speaking' }).click();
  await waitFor(() => desk.locator('#state[data-state="connected"]').count(), 15000, 'the WHIP floor link');
  const m = videoSection(desk.offers[0]);
  assert.ok(m, 'the offer sends video');
  const first = m.split(' ')[3].trim();
  assert.match(m, new RegExp(`a=rtpmap:${first} VP8/90000`), 'the sitting\'s codec (VP8) offered first');
  assert.match(m, /a=sendonly/);
  await waitFor(() => desk.$eval('#self-view', (v) => !v.hidden && v.videoWidth > 0), 5000, 'the self-view playing');
  assert.equal(await text(desk, '#camera-note'), '');

  const v = await waitVideo((x) => source(x, 'Speaker')?.state === 'receiving', 'the Speaker source receiving');
  const speaker = source(v, 'Speaker');
  assert.equal(speaker.kind, 'whip');
  assert.equal(v.chosen, speaker.id, 'the first camera is chosen by itself');
  await waitVideo((x) => x.live === speaker.id, 'the Speaker source live');

  s.viewer = videoPeer('view', `/api/v1/sessions/${sid}/booths/en/consoles/1/whep`, s.console.token, 150, SPEAKER);
  assert.deepEqual(await s.viewer.first(), { status: 201, video: true, connected: true });
  const got = await s.viewer.until((l) => l.red >= 20 && l.tone_blocks > 10, 'red frames and the speaker\'s voice at the console', 30000);
  assert.equal(got.blue, 0);
  s.desk = desk;
});

test('a second camera appears in the operator\'s Video panel; its button makes it the floor video', { skip, timeout: 60000 }, async () => {
  assert.ok(s.viewer, 'the first test ran');
  s.room = videoPeer('publish', `/api/v1/sessions/${sid}/video/whip?name=Room`, s.floor.token, 150, BLUE, 660);
  assert.deepEqual(await s.room.first(), { status: 201, connected: true });
  const op = await s.operator.page(`${s.daemon.url}/operator/#session=${sid}&token=${s.daemon.token}`);
  s.op = op;
  const room = op.locator('#video tr[data-video-source]', { hasText: 'Room' });
  const speaker = op.locator('#video tr[data-video-source]', { hasText: 'Speaker' });
  await waitFor(() => room.locator('[data-state="receiving"]').count(), 10000, 'Room receiving in the panel');
  assert.equal(await room.locator('td').first().textContent(), 'WebRTC (WHIP)');
  assert.equal(await speaker.locator('[data-badge="live"]').count(), 1, 'the speaker live');
  assert.equal(await speaker.locator('[data-badge="chosen"]').count(), 1, 'the speaker chosen');
  assert.equal(await room.locator('[data-badge]').count(), 0, 'the room neither chosen nor live');
  assert.equal(await text(op, '#video [data-video="codec"]'), 'VP8');
  assert.equal(await text(op, '#video [data-video="viewers"]'), '1');

  // The poll writes the counts into their cells: the focus stays on the button it had.
  const packets = Number(await room.locator('[data-count="packets"]').textContent());
  assert.ok(packets > 0, 'Room\'s packets counted');
  await op.getByRole('button', { name: 'Show Room' }).focus();
  await waitFor(async () => Number(await room.locator('[data-count="packets"]').textContent()) > packets, 6000, 'the count moving');
  assert.equal(await op.evaluate(() => document.activeElement.textContent), 'Show Room', 'the focus kept');
  const roomId = await room.getAttribute('data-video-source');
  await op.getByRole('button', { name: 'Show Room' }).click();
  await waitVideo((v) => v.chosen === roomId && v.live === roomId, 'Room live after its button');
  const blue = s.viewer.last().blue;
  await s.viewer.until((l) => l.blue >= blue + 20, 'blue frames at the console');
  const red = s.viewer.last().red;
  await sleep(2000);
  assert.ok(s.viewer.last().red - red <= 3, `red frames after the switch: ${s.viewer.last().red - red}`);
  await waitFor(() => room.locator('[data-badge="live"]').count(), 5000, 'the live badge on Room');
  assert.equal(await speaker.locator('[data-badge]').count(), 0, 'the speaker no longer chosen nor live');
  assert.equal(await room.getByRole('button', { name: 'Show Room' }).isDisabled(), true);
});

test('"switching…" shows while the chosen camera is not yet on the line', { skip, timeout: 20000 }, async () => {
  assert.ok(s.op, 'the operator page is open');
  const badges = await s.op.evaluate(async () => {
    const { videoPanel } = await import('/operator/video.js');
    const panel = videoPanel({ channels: [] }, {
      codec: 'vp8', chosen: 'v2', live: 'v1', viewers: 3,
      sources: [{ id: 'v1', name: 'A', kind: 'whip', state: 'receiving' }, { id: 'v2', name: 'B', kind: 'rtp', port: 47000, state: 'waiting' }],
    }, {});
    return [...panel.querySelectorAll('tr[data-video-source]')].map((r) => [r.dataset.videoSource, r.cells[1].textContent,
      [...r.querySelectorAll('[data-badge]')].map((b) => b.textContent).join(',')]);
  });
  assert.deepEqual(badges, [['v1', 'WebRTC (WHIP)', 'live'], ['v2', 'SRTP :47000', 'floor video,switching…']]);
});

test('"No picture" stops the frames; the speaker\'s button brings them back', { skip, timeout: 40000 }, async () => {
  const { op } = s;
  assert.ok(op, 'the operator page is open');
  await op.getByRole('button', { name: 'No picture' }).click();
  await waitVideo((v) => v.chosen === null && v.live === null, 'no picture');
  await sleep(1000);
  const frames = s.viewer.last().frames;
  await sleep(2000);
  assert.ok(s.viewer.last().frames - frames <= 2, `frames with no picture: ${s.viewer.last().frames - frames}`);
  await waitFor(async () => (await text(op, '#video [data-video="picture"]')) === 'No picture', 3000, 'the panel saying no picture');
  assert.equal(await op.getByRole('button', { name: 'No picture' }).isDisabled(), true);
  await op.getByRole('button', { name: 'Show Speaker' }).click();
  const red = s.viewer.last().red;
  await s.viewer.until((l) => l.red >= red + 20, 'red frames again');
});

test('removing a camera asks first; confirmed, its source goes', { skip, timeout: 40000 }, async () => {
  const { op } = s;
  assert.ok(op, 'the operator page is open');
  const room = op.locator('#video tr[data-video-source]', { hasText: 'Room' });
  const asked = [];
  op.once('dialog', (d) => { asked.push(d.message()); d.dismiss(); });
  await op.getByRole('button', { name: 'Remove Room' }).click();
  await waitFor(() => asked.length, 3000, 'the confirmation');
  assert.match(asked[0], /Remove the camera "Room"\?/);
  await sleep(500);
  assert.ok(source(await video(), 'Room'), 'dismissed: Room stays');
  op.once('dialog', (d) => d.accept());
  await op.getByRole('button', { name: 'Remove Room' }).click();
  await waitVideo((v) => !source(v, 'Room') && v.sources.length === 1, 'Room removed');
  await waitFor(async () => (await room.count()) === 0, 5000, 'the Room row gone');
  assert.equal(await text(op, '#error'), '');
});

test('a channel\'s "video for listeners" flips its video', { skip, timeout: 30000 }, async () => {
  const { op } = s;
  assert.ok(op, 'the operator page is open');
  const en = () => s.daemon.ok('GET', `sessions/${sid}`).then((x) => x.channels.find((c) => c.id === 'en').video);
  assert.equal(await en(), false);
  const box = op.locator('#video [data-video-channel="en"] input');
  await box.check();
  await waitFor(async () => (await en()) === true, 5000, 'en.video true');
  await waitFor(() => box.isChecked(), 3000, 'the box checked after the session event');
  await box.uncheck();
  await waitFor(async () => (await en()) === false, 5000, 'en.video false');
  const others = (await s.daemon.ok('GET', `sessions/${sid}`)).channels.filter((c) => c.id !== 'en');
  assert.ok(others.every((c) => c.video === false), 'only en was touched');
});

/** A speaker page in `browser`, camera asked for and not given: it says `why`, sends an
 * audio-only offer, and the console hears the voice. */
async function speakerWithoutCamera(browser, why) {
  const desk = await speakerPage(browser, s.floor);
  await desk.getByRole('switch', { name: /Camera/ }).check();
  await sleep(1500); // the voice before this page's has stopped at the console
  const tone = s.viewer.last().tone_blocks;
  await desk.getByRole('button', { name: 'Start speaking' }).click();
  await waitFor(() => desk.locator('#state[data-state="connected"]').count(), 15000, 'the WHIP floor link');
  assert.equal(await text(desk, '#camera-note'), `No picture: ${why}. Your voice is sent.`);
  assert.equal(await desk.$eval('#self-view', (v) => v.hidden), true);
  assert.equal(videoSection(desk.offers[0]), null, 'an audio-only offer');
  await s.viewer.until((l) => l.tone_blocks >= tone + 10, 'the voice at the console');
  assert.equal((await video()).sources.length, 0);
  await desk.getByRole('button', { name: 'Stop' }).click();
  await desk.close();
}

test('a speaker with no camera, or whose camera is not allowed, is still heard and told why', { skip, timeout: 90000 }, async () => {
  assert.ok(s.desk, 'the first test ran');
  await s.desk.getByRole('button', { name: 'Stop' }).click();
  await waitVideo((v) => v.sources.length === 0, 'the Speaker source gone with its connection');
  const noCamera = await launchBrowser(SPEAKER, ['--use-fake-device-for-media-stream=device-count=0']);
  s.browsers.push(noCamera);
  await speakerWithoutCamera(noCamera, 'no camera found');
  const refused = await launchBrowser(SPEAKER, [], { permissions: ['microphone'] });
  s.browsers.push(refused);
  await speakerWithoutCamera(refused, 'the camera was not allowed');
});

test('in an H.264 sitting the speaker page offers H.264 (packetization mode 1) first; the camera off while speaking leaves the voice', { skip, timeout: 40000 }, async () => {
  const h264 = { ...SITTING, id: 'browser-h264', video_codec: 'h264' };
  await s.daemon.ok('POST', 'sessions', h264);
  const floor = await s.daemon.pageUrl(h264.id, { role: 'floor' });
  const desk = await s.speaker.page(floor.href);
  const offers = [];
  desk.on('request', (r) => { if (r.method() === 'POST' && r.url().includes('/whip/floor')) offers.push(r.postData()); });
  await waitFor(async () => (await text(desk, '#sitting')) === h264.name, 5000, 'the sitting name');
  assert.equal(await desk.getByRole('switch', { name: /Camera/ }).isChecked(), true, 'the switch as this browser left it');
  await desk.getByRole('button', { name: 'Start speaking' }).click();
  await waitFor(() => desk.locator('#state[data-state="connected"]').count(), 15000, 'the WHIP floor link');
  const m = videoSection(offers[0]);
  const first = m.split(' ')[3].trim();
  assert.match(m, new RegExp(`a=rtpmap:${first} H264/90000`), 'H.264 first');
  assert.match(m, new RegExp(`a=fmtp:${first} [^\\r\\n]*packetization-mode=1`), 'packetization mode 1 first');
  const v = await waitFor(async () => {
    const x = await s.daemon.ok('GET', `sessions/${h264.id}/video`);
    return source(x, 'Speaker')?.state === 'receiving' && x;
  }, 10000, 'the H.264 camera receiving', 200);
  assert.equal(v.codec, 'h264');
  assert.ok(source(v, 'Speaker').keyframes >= 1, 'key frames seen in its H.264');
  // The camera off while speaking: a new offer, audio only; the picture's source goes.
  await desk.getByRole('switch', { name: /Camera/ }).uncheck();
  await waitFor(() => offers.length === 2, 5000, 'a second offer');
  assert.equal(videoSection(offers[1]), null, 'audio only');
  await waitFor(() => desk.locator('#state[data-state="connected"]').count(), 15000, 'the WHIP floor link again');
  await waitFor(async () => (await s.daemon.ok('GET', `sessions/${h264.id}/video`)).sources.length === 0, 10000, 'the Speaker source gone');
  assert.equal(await desk.$eval('#self-view', (e) => e.hidden), true);
  assert.equal(await desk.getAttribute('#talk', 'aria-pressed'), 'true', 'still speaking');
  await desk.getByRole('button', { name: 'Stop' }).click();
});
