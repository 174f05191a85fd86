/* SPDX-License-Identifier: EUPL-1.2 */
// Scenario 1: an interpreter page goes live; a listener page on its channel hears the
// interpreter's tone, then the floor's tone after mic off.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TONE, scene, skipUnlessReady, waitFor, waitTone } from './harness.mjs';

const skip = skipUnlessReady();
const setup = scene({ floor: TONE.floor, tones: [TONE.a, TONE.b] });

test('listener hears the live interpreter, then the floor after mic off', { skip, timeout: 90000 }, async () => {
  const { daemon, browsers: [interpreter, listener] } = setup;
  const desk = await daemon.pageUrl('browser', { role: 'console', console: 'en/1' });
  assert.match(desk.url, /^\/console\/#/);
  const ear = await daemon.pageUrl('browser', { role: 'listener', channel: 'en' });
  const console1 = await interpreter.page(desk.href);
  // The operator page, open before the listener comes: its count can only come from levels.
  const op = await interpreter.page(`${daemon.url}/operator/#session=browser&token=${daemon.token}`);
  await waitFor(() => op.locator('#state-events[data-state="open"]').count(), 10000, 'the operator events');
  const page = await listener.page(ear.href);

  await waitFor(() => console1.locator('#state-mic[data-state="connected"]').count(), 15000, 'the WHIP link');
  await waitFor(() => page.locator('#state[data-state="connected"]').count(), 15000, 'the WHEP link');
  // Its own count, from the levels events (a WHEP listener joining sends no session event).
  const count = () => page.locator('button[data-channel="en"] .count').textContent();
  await waitFor(async () => (await count()) === '1 listening', 3000, 'the listener count from levels');
  const opCount = () => op.locator('[data-listeners="en"]').textContent();
  await waitFor(async () => (await opCount()) === '1', 3000, 'the operator page count from levels');
  // Idle channel: the listener hears the floor.
  await waitTone(page, TONE.floor, [TONE.a]);

  await console1.getByRole('button', { name: /Microphone/ }).click();
  await waitFor(() => console1.locator('#onair[data-live="true"]').count(), 5000, 'the on-air lamp');
  const live = await daemon.ok('GET', 'sessions/browser');
  assert.equal(live.channels.find((c) => c.id === 'en').source, 'en/1');
  await waitTone(page, TONE.a, [TONE.floor]);

  await console1.keyboard.down('c'); // hold C: cough
  await waitFor(async () => (await daemon.ok('GET', 'sessions/browser')).booths[0].consoles[0].mic === 'muted', 5000, 'muted while C is held');
  await waitFor(() => console1.locator('#onair[data-live="muted"]').count(), 5000, 'the cough lamp');
  await console1.keyboard.up('c');
  await waitFor(async () => (await daemon.ok('GET', 'sessions/browser')).booths[0].consoles[0].mic === 'on', 5000, 'back on after C');

  await console1.keyboard.press('m'); // the M shortcut: mic off
  await waitFor(() => console1.locator('#onair[data-live="false"]').count(), 5000, 'the lamp off');
  await waitTone(page, TONE.floor, [TONE.a]);
  assert.equal(await page.locator('#balance-box').isHidden(), true, 'a one-channel token has no floor balance');
});
