/* SPDX-License-Identifier: EUPL-1.2 */
// The floor video on the console and listener pages (issue 11): a speaker's camera (a ball on
// red, 440 Hz on the floor) and a room camera (on blue) published by the webrtcbin test peer;
// the pages decode it (frames counted by requestVideoFrameCallback, pixels read on a canvas),
// follow the operator's switch, and switch the picture off and on make before break while the
// floor tone, sampled all through, never stops.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { BLUE, RED, camera, colour, countFrames, frames, noCameras, pictureState } from './cameras.mjs';
import { SITTING, TONE, floorSender, scene, skipUnlessReady, text, waitFor, waitTone } from './harness.mjs';

const skip = skipUnlessReady() || (!process.env.CI && noCameras()) || false;
const setup = scene({ tones: [TONE.a] });
const cameras = [];

/**
 * Samples the sound in probe `name` (the floor tone alone) every 50 ms until `until` resolves:
 * the quietest level and the longest run of samples without it (below -50 dBFS), in ms. The
 * level is the RMS of the probe's last 170 ms (no smoothing: the spectrum's would hide a short
 * gap). A page that ends the old connection before the new one plays is silent for a whole
 * negotiation (several hundred ms).
 */
async function sampleTone(page, name, until) {
  let done = false;
  let quietest = Infinity;
  let gap = 0;
  let gapStart = null;
  const watched = until.finally(() => { done = true; });
  while (!done) {
    const db = await page.evaluate((n) => window.tolkProbe.level(n), name);
    const now = Date.now();
    quietest = Math.min(quietest, db);
    if (db < -50) gapStart ??= now;
    else gapStart = null;
    if (gapStart !== null) gap = Math.max(gap, now - gapStart + 50);
    await sleep(50);
  }
  await watched;
  return { quietest: Math.round(quietest), gap };
}

/** Asserts that the sound sampled went on (no gap of 250 ms or more); logs the figures. */
function assertSound(t, what, { quietest, gap }) {
  t.diagnostic(`${what}: quietest ${quietest} dB, longest gap ${gap} ms`);
  assert.ok(gap < 250, `the floor tone went on ${what} (a gap of ${gap} ms, quietest ${quietest} dB)`);
}

test.after(() => { for (const c of cameras) c.stop(); });

test('a console of a sitting without a camera shows "No picture" and hears the floor', { skip, timeout: 60000 }, async () => {
  const { daemon, browsers: [browser] } = setup;
  const session = await daemon.ok('POST', 'sessions', { ...SITTING, id: 'nocam' });
  const floor = floorSender(session, TONE.floor);
  try {
    const desk = await daemon.pageUrl('nocam', { role: 'console', console: 'en/1' });
    const page = await browser.page(desk.href);
    await waitFor(() => page.locator('#state-feed[data-state="connected"]').count(), 20000, 'the return feed');
    await waitTone(page, TONE.floor, [TONE.a], 'return');
    assert.equal(await pictureState(page), 'none');
    assert.equal(await text(page, '#picture-caption'), 'No picture');
    await page.close();
  } finally {
    floor.stop();
  }
});

test('the console and the listener show the floor video, follow the switch, and the Picture switch never cuts the sound',
  { skip, timeout: 180000 }, async (t) => {
    const { daemon, browsers: [browser] } = setup;
    let since = 0;
    const floorToken = (await daemon.ok('POST', 'sessions/browser/tokens', { role: 'floor' })).token;
    cameras.push(await camera(daemon, '/api/v1/sessions/browser/whip/floor?name=Speaker', floorToken, RED, TONE.floor));
    const desk = await daemon.pageUrl('browser', { role: 'console', console: 'en/1' });
    const page = await browser.page(desk.href);
    await countFrames(page);
    await waitFor(async () => (await pictureState(page)) === 'playing', 30000, 'the console playing the picture');
    await waitFor(async () => (await colour(page)) === 'red', 10000, 'a red picture');
    assert.equal(await text(page, '#picture-caption'), 'Speaker');
    await waitTone(page, TONE.floor, [TONE.a], 'return');
    const box = await page.locator('#floor-video').boundingBox();
    assert.ok(box.width >= 640 && Math.abs(box.width / box.height - 16 / 9) < 0.02, `a large 16:9 picture: ${JSON.stringify(box)}`);

    // The operator switches to the room camera: the picture turns blue, its name under it.
    const room = await camera(daemon, '/api/v1/sessions/browser/video/whip?name=Room', floorToken, BLUE, TONE.b);
    cameras.push(room);
    since = Date.now();
    await daemon.ok('PUT', 'sessions/browser/video/chosen', { source: 'v2' });
    await waitFor(async () => (await colour(page)) === 'blue', 15000, 'the blue picture after the switch');
    t.diagnostic(`operator's switch to blue on the page in ${Date.now() - since} ms`);
    await waitFor(async () => (await text(page, '#picture-caption')) === 'Room', 5000, 'the caption Room');

    // The live camera stalls (its process stopped): after 3 s without a frame the page says so
    // and the sound goes on; when the camera comes back, so does the picture.
    room.proc.kill('SIGSTOP');
    const stalled = waitFor(async () => (await pictureState(page)) === 'stalled', 10000, 'the stalled picture');
    assertSound(t, 'while the picture stalled', await sampleTone(page, 'return', stalled));
    assert.match(await text(page, '#picture-caption'), /picture stopped/);
    room.proc.kill('SIGCONT');
    await waitFor(async () => (await pictureState(page)) === 'playing', 15000, 'the picture back after the stall');

    // Picture off: a new audio-only connection; frames stop, the tone never does.
    since = Date.now();
    const off = waitFor(async () => (await pictureState(page)) === 'off'
      && !(await page.evaluate(() => document.querySelector('#floor-video').srcObject)), 20000, 'the picture off');
    await page.locator('#picture-on').uncheck();
    const offDone = off.then(() => t.diagnostic(`picture off in ${Date.now() - since} ms`)).then(() => sleep(1000));
    assertSound(t, 'through Picture off', await sampleTone(page, 'return', offDone));
    const stopped = await frames(page);
    await sleep(2000);
    assert.ok((await frames(page)) - stopped <= 1, 'no frames with the picture off');
    await waitTone(page, TONE.floor, [TONE.a], 'return');

    // The choice is remembered for this console.
    await page.reload();
    await waitFor(() => page.locator('#state-feed[data-state="connected"]').count(), 20000, 'the return feed after reload');
    assert.equal(await page.locator('#picture-on').isChecked(), false, 'Picture off is remembered');
    assert.equal(await pictureState(page), 'off');
    await countFrames(page);
    await waitTone(page, TONE.floor, [TONE.a], 'return');

    // Picture on: frames again, and still no gap in the sound.
    since = Date.now();
    const on = waitFor(async () => (await pictureState(page)) === 'playing', 20000, 'the picture on again');
    await page.locator('#picture-on').check();
    const onDone = on.then(() => t.diagnostic(`picture on, first frame, in ${Date.now() - since} ms`)).then(() => sleep(500));
    assertSound(t, 'through Picture on', await sampleTone(page, 'return', onDone));
    const f0 = await frames(page);
    await sleep(2000);
    t.diagnostic(`console frame rate: ${((await frames(page)) - f0) / 2} frames/s`);
    assert.ok((await frames(page)) > 0);
    await waitFor(async () => (await colour(page)) === 'blue', 10000, 'the blue picture back');
    await page.close();

    // An answer without the picture (its video m-line made inactive on the way, as for a
    // browser that cannot receive the sitting's codec): the page keeps the sound and says so.
    const desk2 = await daemon.pageUrl('browser', { role: 'console', console: 'en/2' });
    const page2 = await browser.context.newPage();
    await page2.route('**/consoles/2/whep', async (route) => {
      const response = await route.fetch();
      const sdp = (await response.text()).replace(/(m=video[^]*?)a=sendonly/, '$1a=inactive');
      await route.fulfill({ response, body: sdp });
    });
    await page2.goto(desk2.href);
    await waitFor(async () => (await pictureState(page2)) === 'unavailable', 20000, 'the picture unavailable');
    assert.match(await text(page2, '#picture-caption'), /not available: sound only/);
    await waitTone(page2, TONE.floor, [TONE.a], 'return');
    await page2.close();

    // The listener on a channel without video gets none; once the operator allows it, the picture.
    const ear = await daemon.pageUrl('browser', { role: 'listener', channel: 'en' });
    const listener = await browser.page(ear.href);
    await waitFor(() => listener.locator('#state[data-state="connected"]').count(), 20000, 'the listener link');
    await countFrames(listener);
    await waitTone(listener, TONE.floor, [TONE.a], 'out');
    await sleep(1500);
    assert.equal(await listener.locator('.picture-panel').isHidden(), true, 'no picture panel without video');
    assert.equal(await frames(listener), 0, 'no frames without video');
    const allowed = waitFor(async () => (await pictureState(listener)) === 'playing', 30000, 'the listener playing the picture');
    await daemon.ok('PATCH', 'sessions/browser/channels/en', { video: true });
    assertSound(t, "on the listener's page as the picture is allowed", await sampleTone(listener, 'out', allowed.then(() => sleep(500))));
    await waitFor(async () => (await colour(listener)) === 'blue', 10000, 'the listener sees the blue picture');
    assert.ok((await frames(listener)) > 0);

    // The operator withdraws the picture from the channel: sound alone, again without a gap.
    const withdrawn = waitFor(() => listener.evaluate(() => !document.querySelector('#floor-video').srcObject), 20000,
      'the listener without the picture');
    await daemon.ok('PATCH', 'sessions/browser/channels/en', { video: false });
    assertSound(t, "on the listener's page as the picture is withdrawn", await sampleTone(listener, 'out', withdrawn.then(() => sleep(500))));
    assert.equal(await listener.locator('.picture-panel').isHidden(), true);
    await listener.close();

    // Changing channel (a page that may hear every channel): from en with the picture to de
    // without it, make before break.
    await daemon.ok('PATCH', 'sessions/browser/channels/en', { video: true });
    const all = await browser.page(`${daemon.url}/listen/#session=browser&channel=en&token=${daemon.token}`);
    await waitFor(async () => (await pictureState(all)) === 'playing', 30000, 'the picture on en');
    await waitTone(all, TONE.floor, [TONE.a], 'out');
    const onDe = waitFor(async () => (await text(all, '#state')) === 'de: connected'
      && all.evaluate(() => !document.querySelector('#floor-video').srcObject), 20000, 'de without the picture');
    await all.locator('button[data-channel="de"]').click();
    assertSound(t, 'through the change of channel', await sampleTone(all, 'out', onDe.then(() => sleep(500))));
    assert.equal(await all.locator('.picture-panel').isHidden(), true);
    await all.close();
  });
