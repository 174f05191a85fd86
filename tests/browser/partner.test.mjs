/* SPDX-License-Identifier: EUPL-1.2 */
// Partner listen from the console page: the checkbox switches the console option, and a change
// made elsewhere (the operator) shows on the page from the session event.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TONE, scene, skipUnlessReady, waitFor } from './harness.mjs';

const skip = skipUnlessReady();
const setup = scene({ tones: [TONE.a] });

test('the console page switches partner listen', { skip, timeout: 60000 }, async () => {
  const { daemon, browsers: [browser] } = setup;
  const desk = await daemon.pageUrl('browser', { role: 'console', console: 'en/2' });
  const page = await browser.page(desk.href);
  await waitFor(() => page.locator('#state-events[data-state="open"]').count(), 10000, 'the console events');
  const box = page.getByLabel('Hear my live partner too');
  assert.equal(await box.isChecked(), false);
  const partnerListen = async () => (await daemon.ok('GET', 'sessions/browser')).booths[0].consoles[1].partner_listen;
  await box.check();
  await waitFor(async () => (await partnerListen()) === true, 5000, 'partner_listen on in the API');
  await box.uncheck();
  await waitFor(async () => (await partnerListen()) === false, 5000, 'partner_listen off in the API');
  await daemon.ok('PATCH', 'sessions/browser/booths/en/consoles/2', { partner_listen: true });
  await waitFor(() => box.isChecked(), 5000, 'the checkbox following the operator');
  // No loudness warning yet: the badges are hidden.
  assert.equal(await page.locator('#loud-feed').isHidden(), true);
  assert.equal(await page.locator('#loud-out').isHidden(), true);
});
