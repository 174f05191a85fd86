/* SPDX-License-Identifier: EUPL-1.2 */
// Scenario 2: relay and handover between console pages. en/1 (880 Hz) and en/2 (660 Hz) hand
// the en channel over; fr/1, listening to en (relay), hears it in its return feed; fr's tag
// becomes '-' when fr/1 goes live on a relay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TONE, scene, skipUnlessReady, waitFor, waitTone } from './harness.mjs';

const skip = skipUnlessReady();
const setup = scene({ floor: TONE.floor, tones: [TONE.a, TONE.b] });

async function openConsole(browser, id) {
  const desk = await setup.daemon.pageUrl('browser', { role: 'console', console: id });
  const page = await browser.page(desk.href);
  await waitFor(() => page.locator('#state-mic[data-state="connected"]').count(), 15000, `${id} WHIP`);
  await waitFor(() => page.locator('#state-feed[data-state="connected"]').count(), 15000, `${id} WHEP`);
  return page;
}

const channel = async (id) => (await setup.daemon.ok('GET', 'sessions/browser')).channels.find((c) => c.id === id);
const all = [TONE.floor, TONE.a, TONE.b];
const others = (f) => all.filter((x) => x !== f);

test('handover moves en between two consoles; a relay console hears it', { skip, timeout: 150000 }, async () => {
  const { browsers: [browserA, browserB] } = setup;
  const en1 = await openConsole(browserA, 'en/1');
  const fr1 = await openConsole(browserA, 'fr/1');
  const en2 = await openConsole(browserB, 'en/2');

  await fr1.getByLabel('Source').selectOption('en');
  await waitFor(async () => (await fr1.locator('#hears').getAttribute('data-channel')) === 'en', 5000, 'fr/1 hears en');
  await waitTone(fr1, TONE.floor, others(TONE.floor), 'return'); // en idle: the floor

  await en1.getByRole('button', { name: /Microphone/ }).click();
  await waitFor(async () => (await channel('en')).source === 'en/1', 5000, 'en carried by en/1');
  await waitTone(fr1, TONE.a, others(TONE.a), 'return');
  await waitFor(() => en2.locator('#partners [data-console="en/1"][data-live="true"]').count(), 5000, 'en/2 sees en/1 live');

  await en2.getByRole('button', { name: 'Request handover' }).click();
  const accept = en1.getByRole('button', { name: /Accept handover/ });
  await accept.waitFor({ state: 'visible', timeout: 5000 });
  await accept.click();
  await waitFor(async () => (await channel('en')).source === 'en/2', 5000, 'en carried by en/2');
  await waitFor(() => en2.locator('#onair[data-live="true"]').count(), 5000, 'en/2 on air');
  await waitFor(() => en1.locator('#onair[data-live="false"]').count(), 5000, 'en/1 off');
  await waitTone(fr1, TONE.b, others(TONE.b), 'return');

  await en1.getByRole('button', { name: 'Take over now' }).click(); // rule 4: at once
  await waitFor(async () => (await channel('en')).source === 'en/1', 5000, 'en back to en/1');
  await waitTone(fr1, TONE.a, others(TONE.a), 'return');

  await fr1.getByRole('button', { name: /Microphone/ }).click();
  await waitFor(async () => (await channel('fr')).quality === '-', 5000, "fr tagged '-'");
  assert.equal((await channel('en')).quality, '+');
  await waitFor(() => fr1.locator('#out-tag [data-quality="-"]').count(), 5000, "the page shows fr as '-'");
  await waitFor(() => en1.locator('#engaged').getByText('fr').count(), 5000, 'en/1 sees fr engaged');
});
