/* SPDX-License-Identifier: EUPL-1.2 */
// A kill -9 in the middle of a sitting: the daemon comes back with its state, and the pages
// come back by themselves (their tokens still valid): the live interpreter stays on air, its
// browser sends again, and the listener hears it again, nobody touching anything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TONE, scene, skipUnlessReady, waitFor, waitTone } from './harness.mjs';

const skip = skipUnlessReady();
const setup = scene({ floor: TONE.floor, tones: [TONE.a, TONE.b] });

test('after a kill -9 the pages reconnect: the live console stays live and is heard again', { skip, timeout: 120000 }, async () => {
  const { daemon, browsers: [interpreter, listener] } = setup;
  const desk = await daemon.pageUrl('browser', { role: 'console', console: 'en/1' });
  const ear = await daemon.pageUrl('browser', { role: 'listener', channel: 'en' });
  const console1 = await interpreter.page(desk.href);
  const page = await listener.page(ear.href);
  await waitFor(() => console1.locator('#state-mic[data-state="connected"]').count(), 15000, 'the WHIP link');
  await waitFor(() => page.locator('#state[data-state="connected"]').count(), 15000, 'the WHEP link');
  await console1.getByRole('button', { name: /Microphone/ }).click();
  await waitFor(() => console1.locator('#onair[data-live="true"]').count(), 5000, 'the on-air lamp');
  await waitTone(page, TONE.a, [TONE.floor]);

  await daemon.restart('SIGKILL');
  const live = await daemon.ok('GET', 'sessions/browser');
  assert.equal(live.booths[0].consoles[0].mic, 'on', 'the console is live again after the restart');
  // The old WebRTC links die with the process; the pages notice and make new ones.
  await waitFor(async () => (await page.locator('#state[data-state="connected"]').count()) === 0, 20000,
    'the listener page noticing the lost link');
  await waitFor(() => console1.locator('#state-mic[data-state="connected"]').count(), 40000, 'the WHIP link again');
  await waitFor(() => page.locator('#state[data-state="connected"]').count(), 40000, 'the WHEP link again');
  await waitTone(page, TONE.a, [TONE.floor], undefined, 20000);
  assert.equal(await console1.locator('#onair[data-live="true"]').count(), 1, 'still on air on the console page');
});
