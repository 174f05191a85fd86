/* SPDX-License-Identifier: EUPL-1.2 */
// Recording from the operator page (issue 10): "Record floor and all channels" starts every
// channel's recording, the panel shows them recording, the sitting's files appear in the list with
// download links that fetch the Ogg file; "Stop all" stops them. The floor video's row records
// with them (no camera here: no video file is listed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TONE, scene, skipUnlessReady, text, waitFor } from './harness.mjs';

const skip = skipUnlessReady();
const setup = scene({ floor: 440, tones: [TONE.b] });

test('the operator starts a recording from the page and sees its files listed', { skip, timeout: 60000 }, async () => {
  const { daemon, browsers: [browser] } = setup;
  const page = await browser.page(`${daemon.url}/operator/#session=browser&token=${daemon.token}`);
  const state = (ch) => text(page, `[data-recording="${ch}"] .recording-state`);
  await waitFor(async () => (await state('floor')) === 'off', 10000, 'the recording panel, off');
  await page.click('#record-all');
  await waitFor(async () => (await state('floor')) === 'recording', 3000, 'the floor recording');
  assert.equal(await state('en'), 'recording');
  assert.equal(await state('video'), 'recording'); // the floor video records with the channels
  await waitFor(() => page.locator('[data-recording-file^="floor/"]').count(), 8000, 'the floor file listed');
  const href = await page.getAttribute('[data-recording-file^="floor/"] a', 'href');
  assert.match(href, /^\/api\/v1\/recordings\/browser\/floor\/\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ\.opus$/);
  const head = await page.evaluate(async ([url, token]) => {
    const r = await fetch(url, { headers: { Authorization: `Bearer ${token}`, Range: 'bytes=0-3' } });
    return [r.status, r.headers.get('content-type'), await r.text()];
  }, [href, daemon.token]);
  assert.deepEqual(head, [206, 'audio/ogg', 'OggS']);
  await page.click('#record-stop');
  await waitFor(async () => (await state('floor')) === 'off', 3000, 'the recording stopped');
  await waitFor(async () => (await state('video')) === 'off', 3000, 'the video recording stopped');
  assert.equal(await page.locator('[data-kind="video"]').count(), 0); // no camera: no video file
  const view = await daemon.ok('GET', 'sessions/browser');
  assert.deepEqual(view.channels.map((c) => c.recording.state), view.channels.map(() => 'off'));
});
