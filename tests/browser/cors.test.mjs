/* SPDX-License-Identifier: EUPL-1.2 */
// Issue 6, item 8: a page of another origin (the parliament's web site) listens by WHEP with a
// listener token when --cors-origin names its origin: the preflight passes, the page reads
// Location and ETag, the peer connects (and only then counts as a listener), and the page ends
// it with DELETE. A page of an origin not named cannot even read the answer.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { Daemon, SITTING, freeTcpPort, launchBrowser, skipUnlessReady, waitFor } from './harness.mjs';

const skip = skipUnlessReady();
const PAGE = `<!doctype html><meta charset="utf-8"><title>another origin</title><script>
window.listen = async (endpoint, token) => {
  const pc = new RTCPeerConnection();
  pc.addTransceiver('audio', { direction: 'recvonly' });
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise((ok) => {
    if (pc.iceGatheringState === 'complete') return ok();
    pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && ok());
    setTimeout(ok, 2000);
  });
  const headers = { 'Content-Type': 'application/sdp', Authorization: 'Bearer ' + token };
  try {
    const r = await fetch(endpoint, { method: 'POST', headers, body: pc.localDescription.sdp });
    const answer = await r.text();
    if (r.status === 201) await pc.setRemoteDescription({ type: 'answer', sdp: answer });
    window.pc = pc;
    return { status: r.status, location: r.headers.get('Location'), etag: r.headers.get('ETag') };
  } catch (error) {
    return { error: String(error) };
  }
};
window.end = async (resource, token) =>
  (await fetch(resource, { method: 'DELETE', headers: { Authorization: 'Bearer ' + token } })).status;
</script>`;

const state = {};

function servePage() {
  const server = createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(PAGE);
  });
  return server;
}

before(async () => {
  if (skip) return;
  state.allowedPort = await freeTcpPort();
  state.otherPort = await freeTcpPort();
  state.daemon = await new Daemon(undefined, ['--cors-origin', `http://127.0.0.1:${state.allowedPort}`]).start();
  await state.daemon.ok('POST', 'sessions', SITTING);
  state.servers = [servePage(), servePage()];
  await new Promise((ok) => state.servers[0].listen(state.allowedPort, '127.0.0.1', ok));
  await new Promise((ok) => state.servers[1].listen(state.otherPort, '127.0.0.1', ok));
  state.browser = await launchBrowser(440);
});

after(async () => {
  await state.browser?.close();
  for (const s of state.servers || []) s.close();
  await state.daemon?.stop();
});

const listeners = async (daemon) =>
  (await daemon.ok('GET', 'sessions/browser')).channels.find((c) => c.id === 'en').listeners;

test('a page of an allowed origin listens by WHEP and ends it', { skip, timeout: 60000 }, async () => {
  const { daemon, browser } = state;
  const { token } = await daemon.ok('POST', 'sessions/browser/tokens', { role: 'listener', channel: 'en' });
  const page = await browser.page(`http://127.0.0.1:${state.allowedPort}/`);
  const endpoint = `${daemon.url}/api/v1/sessions/browser/channels/en/whep`;
  const got = await page.evaluate(([e, t]) => window.listen(e, t), [endpoint, token]);
  assert.equal(got.status, 201, JSON.stringify(got));
  assert.match(got.location, /^\/api\/v1\/sessions\/browser\/webrtc\/[0-9a-f]{32}$/);
  assert.match(got.etag, /^".+"$/);
  await waitFor(() => page.evaluate(() => window.pc.connectionState === 'connected'), 15000, 'connected');
  await waitFor(async () => (await listeners(daemon)) === 1, 5000, 'one listener');
  const status = await page.evaluate(([r, t]) => window.end(r, t), [new URL(got.location, daemon.url).href, token]);
  assert.equal(status, 204);
  await waitFor(async () => (await listeners(daemon)) === 0, 5000, 'no listener');
});

test('a page of another origin cannot use the API', { skip, timeout: 60000 }, async () => {
  const { daemon, browser } = state;
  const { token } = await daemon.ok('POST', 'sessions/browser/tokens', { role: 'listener', channel: 'en' });
  const page = await browser.page(`http://127.0.0.1:${state.otherPort}/`);
  const endpoint = `${daemon.url}/api/v1/sessions/browser/channels/en/whep`;
  const got = await page.evaluate(([e, t]) => window.listen(e, t), [endpoint, token]);
  assert.match(got.error || '', /TypeError|Failed to fetch/, JSON.stringify(got));
  assert.equal(await listeners(daemon), 0);
});
