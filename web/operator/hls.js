/* SPDX-License-Identifier: EUPL-1.2 */
// A channel's HLS in the operator's channel table (docs/hls.md): its state, counters and
// playlist link, with start/stop. HLS needs a public channel: the button says so.

import { el } from '../common/dom.js';

const STATE = { starting: 'starting', running: 'running', failing: 'failing', paused: 'paused (not public)' };

function summary(hls) {
  const parts = [`${hls.segments} segments`, `${hls.fetches} fetches`];
  if (hls.restarts) parts.push(`${hls.restarts} restarts`);
  if (hls.dropped_frames) parts.push(`${hls.dropped_frames} frames dropped`);
  return parts.join(', ');
}

/** The cell of channel `ch`; `act.putHls(ch)` starts it, `act.deleteHls(ch)` stops it. */
export function hlsCell(ch, act) {
  const hls = ch.hls;
  if (!hls) {
    return el('td', { 'data-hls': ch.id },
      el('button', { class: 'small', disabled: !ch.public, title: ch.public ? '' : 'make the channel public first',
        onclick: () => act.putHls(ch.id) }, 'Start HLS'));
  }
  const url = new URL(hls.playlist, location.origin).href;
  return el('td', { 'data-hls': ch.id },
    el('span', { class: `hls-state ${hls.state}` }, STATE[hls.state] || hls.state), ' ',
    el('a', { href: url, target: '_blank', rel: 'noopener' }, 'playlist'), el('br'),
    el('span', { class: 'muted', 'data-hls-counts': ch.id }, summary(hls)),
    hls.last_error ? el('span', { class: 'error' }, ` ${hls.last_error}`) : null, ' ',
    el('button', { class: 'small', onclick: () => act.deleteHls(ch.id) }, 'Stop HLS'));
}

/** Fresh state and counters from a polled session (they change with no session event), onto
 * the cells under `root`. */
export function showHlsCounts(root, session) {
  for (const cell of root.querySelectorAll('[data-hls-counts]')) {
    const hls = session.channels.find((c) => c.id === cell.dataset.hlsCounts)?.hls;
    if (!hls) continue;
    cell.textContent = summary(hls);
    const state = cell.parentElement.querySelector('.hls-state');
    state.textContent = STATE[hls.state] || hls.state;
    state.className = `hls-state ${hls.state}`;
  }
}
