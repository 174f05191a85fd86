/* SPDX-License-Identifier: EUPL-1.2 */
// Scenario 4: the operator page shows a console going live within a second, and its health
// table an input's state words as a real sender starts and stops.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TONE, floorSender, scene, skipUnlessReady, text, waitFor } from './harness.mjs';

const skip = skipUnlessReady();
// --allow-plain-rtp: the outputs table shows a plain AES67 output as such.
const setup = scene({ tones: [TONE.b], daemonArgs: ['--allow-plain-rtp'] });

test('a console going live shows on the operator page within 1 s', { skip, timeout: 60000 }, async () => {
  const { daemon, browsers: [browser] } = setup;
  const page = await browser.page(`${daemon.url}/operator/#session=browser&token=${daemon.token}`);
  const state = () => text(page, '[data-desk="en/1"] .desk-state');
  await waitFor(async () => (await state()) === 'idle', 10000, 'the idle desk');
  await waitFor(() => page.locator('#state-events[data-state="open"]').count(), 10000, 'the events');
  assert.equal(await page.evaluate(() => location.hash.includes('token')), false, 'the token leaves the URL');

  const t0 = Date.now();
  await daemon.ok('PATCH', 'sessions/browser/booths/en/consoles/1', { mic: 'on' });
  await waitFor(async () => (await state()) === 'live on A', 1000, 'live on A within 1 s', 20);
  const seen = Date.now() - t0;
  assert.ok(seen <= 1000, `shown after ${seen} ms`);
  assert.equal(await text(page, '[data-channel="en"] td'), 'en/1');

  await daemon.ok('PATCH', 'sessions/browser/booths/en/consoles/1', { output: 'B' });
  await waitFor(async () => (await state()) === 'live on B (fr)', 1000, 'live on B', 20);
});

test('the health table shows the floor input silent, receiving, then lost', { skip, timeout: 60000 }, async () => {
  const { daemon, browsers: [browser] } = setup;
  const page = await browser.page(`${daemon.url}/operator/#session=browser&token=${daemon.token}`);
  const state = () => text(page, '[data-health-input="floor"] .health-state');
  await waitFor(async () => (await state()) === 'silent', 10000, 'the floor silent (never sent)');
  assert.equal(await text(page, '[data-health-channel="en"] [data-count="send_errors"]'), '0');
  const sender = floorSender(await daemon.ok('GET', 'sessions/browser'));
  try {
    await waitFor(async () => (await state()) === 'receiving', 5000, 'the floor receiving');
    assert.match(await text(page, '[data-health-input="floor"] [data-count="jitter_ms"]'), /^[0-9.]+ ms$/);
  } finally {
    sender.stop();
  }
  // --lost-timeout-ms is 2000 by default; the state word changes without a reload
  await waitFor(async () => (await state()) === 'lost', 5000, 'the floor lost');
});

test('the health table shows each output and the sends the kernel refuses it', { skip, timeout: 60000 }, async () => {
  const { daemon, browsers: [browser] } = setup;
  const page = await browser.page(`${daemon.url}/operator/#session=browser&token=${daemon.token}`);
  await waitFor(() => page.locator('#state-events[data-state="open"]').count(), 10000, 'the operator events');
  // A careless destination: broadcast, which the kernel refuses without SO_BROADCAST.
  const output = await daemon.ok('POST', 'sessions/browser/channels/fr/outputs', { host: '255.255.255.255', port: 5004 });
  const errors = () => text(page, `[data-health-output="${output.id}"] [data-count="send_errors"]`);
  await waitFor(async () => Number(await errors()) > 0, 10000, 'the refused sends counted on the output');
  // The count shows as soon as it grows; the state word follows on the health watch's next round.
  await waitFor(async () => (await text(page, `[data-health-output="${output.id}"] .health-state`)) === 'failing', 5000,
    'the output shown failing');
  assert.equal(await text(page, '[data-health-channel="en"] [data-count="send_errors"]'), '0');
  await daemon.ok('DELETE', `sessions/browser/channels/fr/outputs/${output.id}`);
});

test('the outputs table marks a plain AES67 output in red, an SRTP one as SRTP', { skip, timeout: 60000 }, async () => {
  const { daemon, browsers: [browser] } = setup;
  const page = await browser.page(`${daemon.url}/operator/#session=browser&token=${daemon.token}`);
  await waitFor(() => page.locator('#state-events[data-state="open"]').count(), 10000, 'the operator events');
  // Unicast on loopback and no SAP: nothing of it leaves this host.
  const plain = await daemon.ok('POST', 'sessions/browser/channels/en/outputs',
    { host: '127.0.0.1', port: 5006, format: 'aes67', encrypted: false, sap: false });
  const srtp = await daemon.ok('POST', 'sessions/browser/channels/en/outputs', { host: '127.0.0.1', port: 5008 });
  const badge = `[data-health-output="${plain.id}"] .plain-badge`;
  await waitFor(() => page.locator(badge).count(), 5000, 'the plain badge');
  assert.equal(await text(page, badge), 'PLAIN AES67');
  // The health poll re-renders the table every 2 s: a badge read while being replaced has no style.
  const red = () => page.locator(badge).evaluate((e) => getComputedStyle(e).backgroundColor).catch(() => '');
  await waitFor(async () => (await red()) === 'rgb(176, 0, 32)', 5000, 'the red plain badge');
  assert.equal(await text(page, `[data-health-output="${srtp.id}"] [data-format="srtp"]`), 'SRTP');
  await daemon.ok('DELETE', `sessions/browser/channels/en/outputs/${plain.id}`);
  await daemon.ok('DELETE', `sessions/browser/channels/en/outputs/${srtp.id}`);
});
