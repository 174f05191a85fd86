/* SPDX-License-Identifier: EUPL-1.2 */
// Scenario: a remote speaker sends the floor from the /speaker/ page (WHIP, no RTP floor sender);
// a listener on an idle channel hears the speaker's tone, and silence after Stop or leaving the page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { SITTING, TONE, scene, skipUnlessReady, text, tones, waitFor, waitTone } from './harness.mjs';

const SPEAKER = 523; // the speaker's fake microphone
const skip = skipUnlessReady();
const setup = scene({ tones: [SPEAKER, TONE.b] });

test('a remote speaker sends the floor; an idle channel carries it, then silence after Stop', { skip, timeout: 60000 }, async () => {
  const { daemon, browsers: [speaker, listener] } = setup;
  const floor = await daemon.pageUrl('browser', { role: 'floor' });
  assert.match(floor.url, /^\/speaker\/#session=browser&token=/);
  const ear = await daemon.pageUrl('browser', { role: 'listener', channel: 'en' });
  const page = await listener.page(ear.href);
  const desk = await speaker.page(floor.href);
  const calls = [];
  desk.on('response', (r) => { if (r.url().includes('/api/v1/sessions/browser/w')) calls.push([r.request().method(), new URL(r.url()).pathname, r.status()]); });

  await waitFor(async () => (await text(desk, '#sitting')) === SITTING.name, 5000, 'the sitting name');
  assert.equal(await text(desk, '#language'), 'German');
  await waitFor(() => page.locator('#state[data-state="connected"]').count(), 15000, 'the WHEP link');
  // No floor sender yet: the idle channel carries silence.
  assert.ok((await tones(page, [SPEAKER]))[SPEAKER] < -90, 'silence before speaking');

  await desk.getByRole('button', { name: 'Start speaking' }).click();
  await waitFor(() => desk.locator('#state[data-state="connected"]').count(), 15000, 'the WHIP floor link');
  await waitFor(() => desk.locator('#onair[data-live="true"]').count(), 5000, 'the on-air lamp');
  assert.deepEqual(calls.find(([m]) => m === 'POST'), ['POST', '/api/v1/sessions/browser/whip/floor', 201]);
  await waitTone(desk, SPEAKER, [TONE.floor, TONE.a], 'mic', 5000); // the page's own input meter
  await waitFor(async () => (await desk.$eval('#meter', (m) => m.value)) > -40, 3000, 'the input level meter moving');
  await waitTone(page, SPEAKER, [TONE.floor, TONE.a]);
  const s = await daemon.ok('GET', 'sessions/browser');
  assert.equal(s.channels.find((c) => c.id === 'en').quality, 'floor');

  await desk.getByRole('button', { name: 'Stop' }).click();
  await waitFor(() => calls.some(([m, p, st]) => m === 'DELETE' && p.startsWith('/api/v1/sessions/browser/webrtc/') && st === 204), 5000, 'the DELETE of the WHIP resource');
  assert.equal(await desk.getAttribute('#talk', 'aria-pressed'), 'false');
  await waitFor(async () => (await tones(page, [SPEAKER]))[SPEAKER] < -90, 8000, 'silence on en after Stop');
  await waitFor(() => desk.locator('#onair[data-live="false"]').count(), 2000, 'the lamp off');
  assert.equal(await desk.$eval('#meter', (m) => m.value), -60, 'the input meter at rest');

  // Speaking again, then leaving the page: the resource is deleted on the way out (pagehide).
  const posted = desk.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/whip/floor'));
  await desk.getByRole('button', { name: 'Start speaking' }).click();
  const resource = new URL((await posted).headers().location, daemon.url).pathname;
  await waitFor(() => desk.locator('#state[data-state="connected"]').count(), 15000, 'the WHIP floor link again');
  await waitTone(page, SPEAKER, [TONE.floor, TONE.a]);
  await desk.goto('about:blank');
  await sleep(1000);
  const again = await daemon.api('DELETE', resource, undefined, floor.token);
  assert.equal(again.status, 404, `${resource} was already deleted by the page`);
  await waitFor(async () => (await tones(page, [SPEAKER]))[SPEAKER] < -90, 8000, 'silence on en after leaving');
});

test('the operator page hands out a speaker link with its QR code', { skip, timeout: 30000 }, async () => {
  const { daemon, browsers: [, listener] } = setup;
  const page = await listener.page(`${daemon.url}/operator/#session=browser&token=${daemon.token}`);
  await page.getByRole('button', { name: 'Speaker link' }).click();
  const link = page.locator('li[data-token]', { hasText: 'Speaker (floor)' }).last();
  await waitFor(() => link.count(), 5000, 'the speaker link');
  assert.match(await link.locator('a').getAttribute('href'), /\/speaker\/#session=browser&token=/);
  assert.equal(await link.locator('[role="img"] svg').count(), 1, 'a QR code');
  await page.close();
});
