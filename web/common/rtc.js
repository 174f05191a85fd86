/* SPDX-License-Identifier: EUPL-1.2 */
// What WHIP and WHEP share: one POST of a complete offer, the answer, DELETE on close,
// and a link that reconnects by itself with backoff (RFC 9725, no trickle needed).

import { authHeaders, errorFrom } from './api.js';

const GATHER_MS = 2000;
const FATAL = new Set([400, 401, 403, 404]);

/** Resolves when ICE gathering is complete, or after `ms` (whatever was gathered is sent). */
export function iceGathered(pc, ms = GATHER_MS) {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

/** POSTs the offer of `pc` to `url`, sets the answer; returns the resource URL (Location). */
export async function negotiate(pc, url, token) {
  await pc.setLocalDescription(await pc.createOffer());
  await iceGathered(pc);
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/sdp', ...authHeaders(token) },
    body: pc.localDescription.sdp,
  });
  if (response.status !== 201) throw await errorFrom(response);
  const resource = new URL(response.headers.get('Location') || url, new URL(url, location.href)).href;
  await pc.setRemoteDescription({ type: 'answer', sdp: await response.text() });
  return resource;
}

/**
 * A WebRTC link kept up: `setup(pc)` adds the transceivers; `onState(state, error)` hears
 * 'connecting' | 'connected' | 'reconnecting' | 'failed' | 'closed'. 400/401/403/404 stop it;
 * anything else (ICE failure, 503, network) retries after 1, 2, 4 ... 15 s.
 */
export function rtcLink({ url, token, setup, onState = () => {}, iceServers = [] }) {
  let pc = null;
  let resource = null;
  let closed = false;
  let delay = 1000;
  let timer = null;

  function release() {
    if (resource) {
      fetch(resource, { method: 'DELETE', headers: authHeaders(token), keepalive: true }).catch(() => {});
      resource = null;
    }
    if (pc) pc.close();
    pc = null;
  }

  function retry(error) {
    release();
    if (closed) return;
    if (error && FATAL.has(error.status)) {
      closed = true;
      onState('failed', error);
      return;
    }
    onState('reconnecting', error);
    clearTimeout(timer);
    timer = setTimeout(connect, delay);
    delay = Math.min(delay * 2, 15000);
  }

  async function connect() {
    if (closed) return;
    onState('connecting');
    const mine = new RTCPeerConnection({ iceServers });
    pc = mine;
    setup(mine);
    let stalled = null;
    mine.addEventListener('connectionstatechange', () => {
      if (pc !== mine) return;
      clearTimeout(stalled);
      if (mine.connectionState === 'connected') {
        delay = 1000;
        onState('connected');
      } else if (mine.connectionState === 'failed') {
        retry(new Error('connection failed'));
      } else if (mine.connectionState === 'disconnected') {
        onState('reconnecting');
        stalled = setTimeout(() => pc === mine && retry(new Error('connection lost')), 5000);
      }
    });
    try {
      const where = await negotiate(mine, url, token);
      if (pc === mine) resource = where;
      else fetch(where, { method: 'DELETE', headers: authHeaders(token) }).catch(() => {});
    } catch (error) {
      if (pc === mine) retry(error);
    }
  }

  addEventListener('pagehide', release);
  connect();
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      removeEventListener('pagehide', release);
      release();
      onState('closed');
    },
    restart() {
      if (!closed) retry(null);
    },
    get pc() {
      return pc;
    },
  };
}
