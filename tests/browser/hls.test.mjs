/* SPDX-License-Identifier: EUPL-1.2 */
// HLS on the pages (docs/hls.md): the operator starts it on a public channel and sees it
// running, the listener page offers the playlist link, the operator stops it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TONE, scene, skipUnlessReady, text, waitFor } from './harness.mjs';

const skip = skipUnlessReady();
const setup = scene({ tones: [TONE.b] });

test('the operator starts and stops HLS of a public channel; the listener page links it', { skip, timeout: 60000 }, async () => {
  const { daemon, browsers: [browser] } = setup;
  const page = await browser.page(`${daemon.url}/operator/#session=browser&token=${daemon.token}`);
  const button = (label) => page.locator(`[data-hls="en"] button:has-text("${label}")`);
  await waitFor(() => button('Start HLS').count(), 10000, 'the HLS cell');
  assert.equal(await button('Start HLS').isDisabled(), true, 'not before the channel is public');
  await daemon.ok('PATCH', 'sessions/browser/channels/en', { public: true });
  await waitFor(async () => !(await button('Start HLS').isDisabled()), 5000, 'enabled once public');
  await button('Start HLS').click();
  // The state word comes with the health poll (every 2 s): the first segment takes 2 s.
  await waitFor(async () => (await text(page, '[data-hls="en"] .hls-state')) === 'running', 15000, 'HLS running');
  const playlist = await page.locator('[data-hls="en"] a').getAttribute('href');
  assert.match(playlist, /\/hls\/browser\/en\/index\.m3u8$/);

  const listener = await browser.page(`${daemon.url}/listen/#session=browser&channel=en`);
  await waitFor(async () => ((await text(listener, '#hls')) || '').includes('/hls/browser/en/index.m3u8'), 10000,
    'the playlist link on the listener page');
  await listener.close();

  await button('Stop HLS').click();
  await waitFor(() => button('Start HLS').count(), 5000, 'stopped');
  assert.equal((await daemon.ok('GET', 'sessions/browser')).channels.find((c) => c.id === 'en').hls, null);
});
