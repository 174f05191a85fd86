/* SPDX-License-Identifier: EUPL-1.2 */
// The recording panel of a sitting: start/stop for the whole sitting and per channel, what records
// now (file, size, errors; the floor video's too, which records while any channel does), a warning
// when the disk cannot take it, and the sitting's files, audio and video, with download links (the
// download carries the token in its header, so it goes through fetch).

import { apiPath, authHeaders, errorFrom } from '../common/api.js';
import { el } from '../common/dom.js';
import { channelLabel } from '../common/names.js';

const sizeText = (bytes) => (bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MiB` : `${Math.round(bytes / 1024)} KiB`);
const durationText = (s) => `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, '0')}`;
const STATE_TEXT = { recording: 'recording', failing: 'cannot write', off: 'off' };

/** The actions this panel needs, on the page's client and the open sitting; `guard` shows errors. */
export function recordingActions(client, sessionId, guard) {
  const sessionPath = (...parts) => apiPath('sessions', sessionId(), ...parts);
  return {
    recordAll: guard((on) => (on ? client().post(sessionPath('recording')) : client().del(sessionPath('recording')))),
    recordChannel: guard((ch, on) => (on ? client().post(sessionPath('channels', ch, 'recording'))
      : client().del(sessionPath('channels', ch, 'recording')))),
    listRecordings: () => client().get(`${apiPath('recordings')}?session=${encodeURIComponent(sessionId())}`),
    download: guard(async (href, name) => {
      const response = await fetch(href, { headers: authHeaders(client().token) });
      if (!response.ok) throw await errorFrom(response);
      const url = URL.createObjectURL(await response.blob());
      const a = el('a', { href: url, download: name });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
    }),
  };
}

function stateCell(rec) {
  const cell = el('td', { class: 'recording-state', 'data-state': rec.state }, STATE_TEXT[rec.state] || rec.state);
  if (rec.state === 'failing') cell.title = `the last write failed: ${rec.last_error}; the audio goes on`;
  return cell;
}

/** The floor video's row: it records while any channel does, so it has no button of its own. */
function videoRow(s) {
  const rec = s.video?.recording || { state: 'off' };
  const on = rec.state !== 'off';
  return el('tr', { 'data-recording': 'video' },
    el('th', { scope: 'row' }, 'Floor video'),
    stateCell(rec),
    el('td', { 'data-rec-count': 'file' }, on ? rec.file || '…' : ''),
    el('td', { 'data-rec-count': 'bytes' }, sizeText(rec.bytes || 0)),
    el('td', { 'data-rec-count': 'lost' }, String((rec.lost || 0) + (rec.write_errors || 0))),
    el('td', { class: 'muted' }, 'with the channels'));
}

/** What records in a session view: the channels', and the floor video's under "video". */
const recordings = (s) => [...s.channels, { id: 'video', recording: s.video?.recording }];

function channelRow(ch, act) {
  const rec = ch.recording || { state: 'off' };
  const on = rec.state !== 'off';
  return el('tr', { 'data-recording': ch.id },
    el('th', { scope: 'row' }, channelLabel(ch.id)),
    stateCell(rec),
    el('td', { 'data-rec-count': 'file' }, on ? rec.file || '…' : ''),
    el('td', { 'data-rec-count': 'bytes' }, sizeText(rec.bytes || 0)),
    el('td', { 'data-rec-count': 'lost' }, String((rec.lost || 0) + (rec.write_errors || 0))),
    el('td', {}, el('button', { class: 'small', 'aria-pressed': String(on), onclick: () => act.recordChannel(ch.id, !on) },
      on ? 'Stop' : 'Record')));
}

/** The disk warning: a channel that cannot write, or (from /healthz) a folder short of room. */
function warningText(s, spaceProblem) {
  const failing = recordings(s).filter((c) => c.recording?.state === 'failing');
  const parts = [];
  if (failing.length) {
    parts.push(`Recording cannot write (${failing[0].recording.last_error}) for ${failing.map((c) => c.id).join(', ')}: `
      + 'the audio and the picture go on, the record has a gap until there is room.');
  }
  if (spaceProblem) parts.push(`Little room left for recordings: ${spaceProblem}.`);
  return parts.join(' ');
}

function fileRow(r, act) {
  const href = apiPath('recordings', r.session, r.channel, r.name);
  const name = `${r.session}-${r.channel}-${r.name}`;
  return el('tr', { 'data-recording-file': `${r.channel}/${r.name}`, 'data-kind': r.kind || 'audio' },
    el('td', {}, r.kind === 'video' ? 'Floor video' : channelLabel(r.channel)),
    el('td', {}, el('a', { href, download: name, onclick: (e) => { e.preventDefault(); act.download(href, name); } }, r.name)),
    el('td', {}, durationText(r.duration_s)),
    el('td', {}, sizeText(r.bytes)),
    el('td', {}, r.recording ? 'recording' : ''));
}

/** Fills the file list of `panel` from the API (and the disk warning from /healthz). */
export async function refreshRecordings(panel, s, act) {
  const list = panel?.querySelector('[data-recordings-files]');
  if (!list) return;
  try {
    const [{ recordings }, health] = await Promise.all([act.listRecordings(),
      fetch('/healthz', { cache: 'no-store' }).then((r) => r.json()).catch(() => ({}))]);
    const space = (health.problems || []).find((p) => p.what === 'recordings_space');
    panel.querySelector('[data-recording-warning]').textContent = warningText(s, space?.message);
    list.replaceChildren(...(recordings.length ? recordings.map((r) => fileRow(r, act))
      : [el('tr', {}, el('td', { colspan: 5, class: 'muted' }, 'No recordings of this sitting yet.'))]));
  } catch (error) {
    list.replaceChildren(el('tr', {}, el('td', { colspan: 5, class: 'muted' }, `The list is unavailable: ${error.message}`)));
  }
}

/** The panel for sitting `s`; its file list fills in once the folder is read. */
export function recordingPanel(s, act) {
  const any = s.channels.some((c) => c.recording && c.recording.state !== 'off');
  const head = (...names) => el('thead', {}, el('tr', {}, ...names.map((n) => el('th', { scope: 'col' }, n))));
  const panel = el('section', { class: 'panel', id: 'recording' },
    el('h2', {}, 'Recording'),
    el('p', { class: 'error', role: 'alert', 'data-recording-warning': '' }, warningText(s)),
    el('p', { class: 'row' },
      el('button', { id: 'record-all', onclick: () => act.recordAll(true) }, 'Record floor and all channels'),
      el('button', { id: 'record-stop', disabled: !any, onclick: () => act.recordAll(false) }, 'Stop all')),
    el('div', { class: 'table-wrap' }, el('table', {},
      head('Channel', 'State', 'File', 'Written', 'Lost', ''),
      el('tbody', {}, ...s.channels.map((ch) => channelRow(ch, act)), videoRow(s)))),
    el('h3', {}, 'Files'),
    el('div', { class: 'table-wrap' }, el('table', {},
      head('Channel', 'File (UTC start)', 'Duration', 'Size', ''), el('tbody', { 'data-recordings-files': '' }))));
  refreshRecordings(panel, s, act);
  return panel;
}

/** The counters of the channels' recordings from a fresh session view, and the list again while
 * anything records (the health poll calls this every 2 s). */
export function showRecordingCounts(root, s, act) {
  for (const row of root.querySelectorAll('[data-recording]')) {
    const rec = recordings(s).find((c) => c.id === row.dataset.recording)?.recording;
    if (!rec) continue;
    row.querySelector('[data-rec-count="bytes"]').textContent = sizeText(rec.bytes || 0);
    row.querySelector('[data-rec-count="lost"]').textContent = String((rec.lost || 0) + (rec.write_errors || 0));
    if (rec.state !== 'off') row.querySelector('[data-rec-count="file"]').textContent = rec.file || '…';
    const state = row.querySelector('.recording-state');
    state.dataset.state = rec.state;
    state.textContent = STATE_TEXT[rec.state] || rec.state;
  }
  if (recordings(s).some((c) => c.recording && c.recording.state !== 'off')) refreshRecordings(root.querySelector('#recording'), s, act);
}
