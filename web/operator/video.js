/* SPDX-License-Identifier: EUPL-1.2 */
// The floor video panel (docs/video.md): the sitting's cameras, which one is the floor video,
// "No picture", removing a camera, and the channels whose listeners see the picture; SRTP
// sources are added and shown to their senders by video_rtp.js.
// State comes from `GET .../video`: with the session events (which carry it as `video`) and a
// poll every 2 s for the source states and counts. The panel is redrawn only when what it shows
// changes (a source, a state, the choice); the counts are written into their cells, so a poll
// does not take the focus from a button or a box.

import { apiPath } from '../common/api.js';
import { el } from '../common/dom.js';
import { channelLabel } from '../common/names.js';
import { addForm, rtpActions, senderBlock, showRtpCounts } from './video_rtp.js';

const STATE_TITLE = {
  waiting: 'added, no picture heard from it yet',
  receiving: 'its picture arrives',
  lost: 'it sent, then nothing for 2 s: check the camera and its network',
};

/** The actions this panel needs, on the page's client and the open sitting; `guard` shows errors;
 * `shown(view)` takes the route's answer (the panel redrawn at once, not at the next poll). */
export function videoActions(client, sessionId, guard, shown) {
  const videoPath = (...parts) => apiPath('sessions', sessionId(), 'video', ...parts);
  return {
    loadVideo: () => client().get(videoPath()),
    chooseVideo: guard(async (source) => shown(await client().put(videoPath('chosen'), { source }))),
    removeVideoSource: guard(async (source) => {
      if (!confirm(`Remove the camera "${source.name}"? Its connection is ended.`)) return;
      await client().del(videoPath('sources', source.id));
      shown(await client().get(videoPath()));
    }),
    ...rtpActions(client, videoPath, guard, shown),
  };
}

/** The badges of a source: "floor video" (chosen), "live" (on the line), "switching…" while
 * the chosen one waits for its key frame. */
function badges(v, src) {
  const out = [];
  if (src.id === v.chosen) out.push(el('span', { class: 'video-badge', 'data-badge': 'chosen' }, 'floor video'));
  if (src.id === v.live) out.push(el('span', { class: 'video-badge', 'data-badge': 'live' }, 'live'));
  if (src.id === v.chosen && v.live !== v.chosen) {
    out.push(el('span', { class: 'video-badge', 'data-badge': 'switching', title: 'waiting for its next key frame' }, 'switching…'));
  }
  return out;
}

const COUNT_TITLE = { invalid: 'packets refused: not the sitting\'s codec, or malformed (see /metrics)' };
const count = (key, value) => el('td', { 'data-count': key, title: COUNT_TITLE[key] }, value == null ? '–' : String(value));

const kindText = (src) => (src.kind === 'rtp' ? `${src.encrypted === false ? 'RTP (plain)' : 'SRTP'}${src.port ? ` :${src.port}` : ''}`
  : 'WebRTC (WHIP)');

function sourceRow(v, src, act) {
  const chosen = src.id === v.chosen;
  return el('tr', { 'data-video-source': src.id, 'data-chosen': String(chosen), 'data-live': String(src.id === v.live) },
    el('th', { scope: 'row' }, src.name || src.id, el('span', { class: 'muted' }, ` (${src.id})`)),
    el('td', {}, kindText(src)),
    el('td', {}, el('span', { class: 'health-state', role: 'status', 'data-state': src.state, title: STATE_TITLE[src.state] || '' }, src.state)),
    el('td', { class: 'video-badges' }, ...badges(v, src)),
    count('packets', src.packets), count('keyframes', src.keyframes), count('invalid', src.invalid),
    el('td', {}, el('button', { class: 'small', 'aria-pressed': String(chosen), disabled: chosen,
      onclick: () => act.chooseVideo(src.id) }, `Show ${src.name || src.id}`)),
    el('td', {}, el('button', { class: 'small danger', onclick: () => act.removeVideoSource(src) }, `Remove ${src.name || src.id}`)));
}

/** Per channel: whether its listeners get the picture (PATCH .../channels/{ch} {"video": …}). */
function listenerToggles(s, act) {
  return el('fieldset', { class: 'video-channels' }, el('legend', {}, 'Video for listeners'),
    ...s.channels.map((ch) => el('label', { 'data-video-channel': ch.id },
      el('input', { type: 'checkbox', checked: !!ch.video, onchange: (e) => act.patchChannel(ch.id, { video: e.target.checked }) }),
      ` ${channelLabel(ch.id)}`)));
}

/** The panel; `v`: the latest `GET .../video` (or the session's `video`), null before the first. */
export function videoPanel(s, v, act) {
  const view = v || { codec: s.video?.codec, chosen: null, live: null, viewers: 0, sources: [] };
  const rows = (view.sources || []).map((src) => sourceRow(view, src, act));
  // Under the table, what each RTP source's sender needs (video_rtp.js).
  const senders = (view.sources || []).filter((src) => src.kind === 'rtp' && src.port).map((src) => senderBlock(src, view.codec, act));
  const none = view.chosen == null;
  return el('section', { class: 'panel', id: 'video', 'data-shown': shownKey(s, view) }, el('h2', {}, 'Floor video'),
    el('p', { class: 'row' },
      el('span', {}, 'Codec ', el('strong', { 'data-video': 'codec' }, (view.codec || '–').toUpperCase())),
      el('span', {}, 'Viewers ', el('strong', { 'data-video': 'viewers' }, String(view.viewers ?? 0))),
      el('span', { 'data-video': 'picture' }, none ? 'No picture' : `Showing ${nameOf(view, view.chosen)}`),
      el('button', { class: 'small', id: 'no-picture', 'aria-pressed': String(none), disabled: none,
        onclick: () => act.chooseVideo(null) }, 'No picture')),
    rows.length ? el('div', { class: 'table-wrap' }, el('table', {},
      el('thead', {}, el('tr', {}, ...['Camera', 'Kind', 'State', '', 'Packets', 'Key frames', 'Invalid', '', '']
        .map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, ...rows)))
      : el('p', { class: 'muted' }, 'No camera yet: the speaker page with its camera on, a WHIP camera, or an SRTP sender (docs/video.md).'),
    ...senders, addForm(act), listenerToggles(s, act));
}

const nameOf = (v, id) => v.sources?.find((src) => src.id === id)?.name || id;

/** What the panel shows but its counts: when this is the same, only the counts are written. */
const shownKey = (s, v) => JSON.stringify([v.codec, v.chosen, v.live, (v.sources || []).map((x) => [x.id, x.name, x.kind, x.port, x.state, x.srtp?.key]),
  s.channels.map((ch) => !!ch.video)]);

/** The panel under `root` brought to `v` (the poll and the answers of the actions). */
export function showVideo(root, s, v, act) {
  const panel = root.querySelector('#video');
  if (!panel || !v) return;
  if (panel.dataset.shown !== shownKey(s, v)) {
    panel.replaceWith(videoPanel(s, v, act));
    return;
  }
  panel.querySelector('[data-video="viewers"]').textContent = String(v.viewers ?? 0);
  for (const src of v.sources) {
    const row = panel.querySelector(`[data-video-source="${CSS.escape(src.id)}"]`);
    for (const key of ['packets', 'keyframes', 'invalid']) row.querySelector(`[data-count="${key}"]`).textContent = String(src[key] ?? '–');
    if (src.kind === 'rtp') showRtpCounts(panel, src);
  }
}
