/* SPDX-License-Identifier: EUPL-1.2 */
// Scenario 3: a listener token cannot open another channel (WHEP POST -> 403, the page says so).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TONE, scene, skipUnlessReady, text, waitFor } from './harness.mjs';

const skip = skipUnlessReady();
const setup = scene({ tones: [TONE.b] });

test('a listener token for en is refused on fr', { skip, timeout: 60000 }, async () => {
  const { daemon, browsers: [browser] } = setup;
  const ear = await daemon.pageUrl('browser', { role: 'listener', channel: 'en' });
  const wrong = ear.href.replace('channel=en', 'channel=fr');
  const page = await browser.page(wrong);
  const statuses = [];
  page.on('response', (r) => { if (r.request().method() === 'POST' && r.url().endsWith('/whep')) statuses.push([r.url(), r.status()]); });
  await page.reload();
  await waitFor(() => page.locator('#state[data-state="failed"]').count(), 15000, 'the failed state');
  assert.match(await text(page, '#error'), /French|fr/);
  assert.deepEqual(statuses.find(([u]) => u.includes('/channels/fr/')), [`${daemon.url}/api/v1/sessions/browser/channels/fr/whep`, 403]);
  // and the right channel opens with the same token
  await page.getByRole('button', { name: /English/ }).click();
  await waitFor(() => page.locator('#state[data-state="connected"]').count(), 15000, 'the en link');
  assert.equal(await text(page, '#error'), '');
});
