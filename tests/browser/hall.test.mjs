/* SPDX-License-Identifier: EUPL-1.2 */
// The operator page's Hall panel (web/operator/hall.js): the floor's source (SRTP, or an AES67
// stream with its channel and state), the SAP list, refused when the daemon takes no plain RTP.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Daemon, SITTING, freeUdpPort, launchBrowser, skipUnlessReady, text, waitFor } from './harness.mjs';

const skip = skipUnlessReady();
let plain = null;
let refusing = null;
let browser = null;

before(async () => {
  if (skip) return;
  refusing = await new Daemon().start();
  await refusing.ok('POST', 'sessions', SITTING);
  plain = await new Daemon('browser-operator-token', ['--allow-plain-rtp']).start();
  await plain.ok('POST', 'sessions', SITTING);
  browser = await launchBrowser(440);
});

after(async () => {
  await browser?.close();
  await refusing?.stop();
  await plain?.stop();
});

const open = (daemon) => browser.page(`${daemon.url}/operator/#session=browser&token=${daemon.token}`);

test('without --allow-plain-rtp the Hall panel says why it offers no AES67', { skip, timeout: 60000 }, async () => {
  const page = await open(refusing);
  await waitFor(async () => /^SRTP\/Opus on port \d+$/.test(await text(page, '#hall-source') || ''), 10000, 'the SRTP floor');
  await page.click('#hall-load');
  await waitFor(async () => (await text(page, '#hall-refused') || '').includes('--allow-plain-rtp'), 5000, 'the refusal');
});

test('the floor from an AES67 stream shows its source and state, and goes back to SRTP', { skip, timeout: 60000 }, async () => {
  const page = await open(plain);
  await waitFor(async () => (await text(page, '#hall-source') || '').startsWith('SRTP'), 10000, 'the SRTP floor');
  await page.click('#hall-load');
  await waitFor(async () => (await text(page, '#hall-stream option') || '') === 'no stream announced', 5000, 'the empty SAP list');
  const port = await freeUdpPort();
  const sdp = `v=0\r\no=- 7 1 IN IP4 127.0.0.1\r\ns=Desk mix\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio ${port} RTP/AVP 96\r\n`
    + 'a=rtpmap:96 L16/48000/2\r\na=ptime:1\r\na=ts-refclk:localmac=02-00-00-00-00-01\r\na=mediaclk:direct=0\r\n';
  await plain.ok('PUT', 'sessions/browser/inputs/floor/aes67', { sdp, channel: 2 });
  await waitFor(async () => (await text(page, '#hall-source')) === `AES67 SDP (L16, 127.0.0.1:${port}, 2 ch), channel 2`, 5000,
    'the AES67 source');
  assert.equal(await text(page, '#hall-state'), 'waiting');
  await page.click('#hall-srtp');
  await waitFor(async () => (await text(page, '#hall-source') || '').startsWith('SRTP'), 5000, 'back to SRTP');
  const floor = (await plain.ok('GET', 'sessions/browser')).inputs.find((i) => i.id === 'floor');
  assert.equal(floor.aes67, null);
});
