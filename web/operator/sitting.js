/* SPDX-License-Identifier: EUPL-1.2 */
// One sitting as the operator sees it: floor, desks, channels, signals (tokens: tokens.js).

import { el, qualityTag } from '../common/dom.js';
import { loudBadge } from '../common/loudness.js';
import { showLevel } from '../common/meter.js';
import { channelLabel } from '../common/names.js';
import { hallPanel, showHallState } from './hall.js';
import { recordingPanel } from './recording.js';
import { formatBadge } from './outputs.js';
import { hlsCell } from './hls.js';
import { videoPanel } from './video.js';

const meter = (key) => el('meter', { min: -60, max: 0, low: -18, high: -6, optimum: -24, value: -60, 'data-level': key, 'aria-label': `level ${key}` });

/** An input's meter and its health mark (`inputs[].health.state`, then the levels events). */
const inputMeter = (id, s) => el('span', { class: 'input-level' }, meter(`input:${id}`),
  stateMark(el('span', { class: 'input-state', 'data-input-state': id, role: 'status' }), s.inputs?.find((i) => i.id === id)?.health?.state));

// Only a failing input is marked: silent is what every desk is between speeches.
const STATE_TEXT = { failing: 'failing' };
const STATE_TITLE = { failing: 'packets arrive but none can be played: wrong key, replays or not Opus (see /metrics)' };

function stateMark(mark, state) {
  mark.dataset.state = state || '';
  mark.textContent = STATE_TEXT[state] || '';
  mark.title = STATE_TITLE[state] || '';
  return mark;
}

/** "idle" | "live on A" | "live on B (fr)" and its data-state. */
export function deskState(c) {
  if (c.mic !== 'on' && c.mic !== 'muted') return ['idle', 'idle'];
  const text = c.output === 'B' ? `live on B (${c.b_channel})` : 'live on A';
  return [c.mic === 'muted' ? `${text}, coughing` : text, `live-${c.output}`];
}

function headerPanel(s, act) {
  const floorSelect = el('select', { id: 'floor-language', onchange: (e) => act.patchSession({ floor_language: e.target.value }) },
    ...s.channels.filter((c) => c.id !== 'floor').map((c) => el('option', { value: c.id, selected: c.id === s.floor_language }, channelLabel(c.id))));
  return el('section', { class: 'panel' },
    el('h2', {}, `${s.name || s.id} `, el('span', { class: 'muted' }, `(${s.id}, interlock ${s.interlock}, idle ${s.idle_channel})`)),
    el('div', { class: 'row' },
      el('label', { for: 'floor-language' }, 'Floor language'), floorSelect,
      el('button', { id: 'sound-check', 'aria-pressed': String(!!s.sound_check), onclick: () => act.patchSession({ sound_check: !s.sound_check }) },
        s.sound_check ? 'Sound check: tone ON' : 'Sound check: off'),
      el('label', { class: 'floor-level' }, 'Floor input ', inputMeter('floor', s))));
}

function desksPanel(s, act) {
  const rows = s.booths.flatMap((b) => b.consoles.map((c) => {
    const [text, state] = deskState(c);
    return el('tr', { 'data-desk': c.id },
      el('th', { scope: 'row' }, c.id, loudBadge(`console:${c.id}`)),
      el('td', {}, el('span', { class: 'desk-state', 'data-state': state }, text)),
      el('td', {}, c.hears && c.hears !== c.listen ? `${c.listen} → ${c.hears}` : c.listen),
      el('td', {}, inputMeter(c.id, s)),
      el('td', {}, el('button', { class: 'small', onclick: () => act.createToken({ role: 'console', console: c.id }) }, 'Console link')));
  }));
  return el('section', { class: 'panel' }, el('h2', {}, 'Desks'),
    el('div', { class: 'table-wrap' }, el('table', {},
      el('thead', {}, el('tr', {}, ...['Console', 'State', 'Listens', 'Input', ''].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, ...rows))));
}

function channelsPanel(s, act) {
  const rows = s.channels.map((ch) => el('tr', { 'data-channel': ch.id },
    el('th', { scope: 'row' }, channelLabel(ch.id), loudBadge(`channel:${ch.id}`)),
    el('td', {}, ch.source),
    el('td', {}, qualityTag(ch.quality)),
    el('td', { class: 'listeners', 'data-listeners': ch.id }, String(ch.listeners ?? 0)),
    el('td', {}, meter(`channel:${ch.id}`)),
    el('td', {}, el('label', {}, el('input', { type: 'checkbox', checked: !!ch.public, onchange: (e) => act.patchChannel(ch.id, { public: e.target.checked }) }), ' public')),
    hlsCell(ch, act),
    el('td', {}, el('button', { class: 'small', onclick: () => act.createToken({ role: 'listener', channel: ch.id }) }, 'Listener link'))));
  return el('section', { class: 'panel' }, el('h2', {}, 'Channels'),
    el('div', { class: 'table-wrap' }, el('table', {},
      el('thead', {}, el('tr', {}, ...['Channel', 'Source', 'Tag', 'Listeners', 'Level', 'Public', 'HLS', ''].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, ...rows))));
}

// The technician's table (docs/operations.md): every state word, and the counts behind it.
const HEALTH_TITLE = {
  receiving: 'audio arrives and plays',
  silent: 'nothing audible: digital silence, DTX, a short pause, or never sent',
  lost: 'it sent, then nothing for --lost-timeout-ms: check the sender and the network',
  failing: 'packets arrive but none can be played: wrong key, a second sender, or not Opus',
};

const OUTPUT_TITLE = {
  sending: 'its packets go out',
  failing: 'the kernel refuses its packets: check the host, the route, the network',
};

const cell = (attrs, value) => el('td', attrs, value == null ? '–' : String(value));
const jitter = (ms) => (ms == null ? null : `${Number(ms).toFixed(1)} ms`);
const dbfs = (db) => (db == null || db <= -100 ? 'silence' : `${Number(db).toFixed(1)} dBFS`);

function showHealthWord(row, state, titles = HEALTH_TITLE) {
  const word = row.querySelector('.health-state');
  word.textContent = state || '–';
  word.dataset.state = state || '';
  word.title = titles[state] || '';
}

const setCount = (row, key, value) => { row.querySelector(`[data-count="${key}"]`).textContent = value == null ? '–' : String(value); };

/** An input's row from `inputs[].health` of the session object. */
function showInputCounts(row, h) {
  setCount(row, 'lost', h.reorder?.lost);
  setCount(row, 'late', h.reorder?.late);
  setCount(row, 'undecodable', h.dropped?.undecodable);
  setCount(row, 'jitter_ms', jitter(h.reorder?.jitter_ms));
}

function healthPanel(s) {
  const inputRows = (s.inputs || []).map((i) => {
    const row = el('tr', { 'data-health-input': i.id },
      el('th', { scope: 'row' }, i.id),
      el('td', {}, el('span', { class: 'health-state', role: 'status' })),
      cell({ 'data-count': 'lost' }), cell({ 'data-count': 'late' }), cell({ 'data-count': 'undecodable' }), cell({ 'data-count': 'jitter_ms' }));
    showHealthWord(row, i.health?.state);
    showInputCounts(row, i.health || {});
    return row;
  });
  const channelRows = s.channels.map((ch) => el('tr', { 'data-health-channel': ch.id },
    el('th', { scope: 'row' }, channelLabel(ch.id)),
    cell({ 'data-count': 'level' }, dbfs(ch.health?.level_dbfs)),
    cell({ 'data-count': 'listeners' }, ch.listeners ?? 0),
    cell({ 'data-count': 'send_errors' }, ch.health?.send_errors ?? 0)));
  const outputRows = allOutputs(s).map(({ o, stream }) => {
    const row = el('tr', { 'data-health-output': o.id },
      el('th', { scope: 'row' }, o.id), el('td', {}, stream), el('td', {}, `${o.host}:${o.port}`),
      el('td', {}, formatBadge(o)),
      el('td', {}, el('span', { class: 'health-state', role: 'status' })),
      cell({ 'data-count': 'send_errors' }, o.health?.send_errors ?? 0));
    showHealthWord(row, o.health?.state, OUTPUT_TITLE);
    return row;
  });
  const head = (...names) => el('thead', {}, el('tr', {}, ...names.map((h) => el('th', { scope: 'col' }, h))));
  return el('section', { class: 'panel', id: 'health' }, el('h2', {}, 'Health'),
    el('div', { class: 'table-wrap' }, el('table', {},
      head('Input', 'State', 'Lost', 'Late', 'Undecodable', 'Jitter'), el('tbody', {}, ...inputRows))),
    el('div', { class: 'table-wrap' }, el('table', {},
      head('Channel', 'Level', 'Listeners', 'Send errors'), el('tbody', {}, ...channelRows))),
    outputRows.length ? el('div', { class: 'table-wrap' }, el('table', {},
      head('Output', 'Carries', 'To', 'Format', 'State', 'Send errors'), el('tbody', {}, ...outputRows))) : '');
}

/** Every output of the sitting (SRTP or AES67), with what it carries: a channel, or a console's return feed. */
function allOutputs(s) {
  const channels = s.channels.flatMap((ch) => (ch.outputs || []).map((o) => ({ o, stream: channelLabel(ch.id) })));
  const feeds = (s.booths || []).flatMap((b) => b.consoles.flatMap((c) =>
    (c.outputs || []).map((o) => ({ o, stream: `return feed ${c.id}` }))));
  return channels.concat(feeds);
}

/** The health table's state words, levels and listener counts from a levels event. */
function showHealth(root, levels) {
  for (const row of root.querySelectorAll('[data-health-input]')) {
    const state = levels.input_states?.[row.dataset.healthInput];
    if (state) showHealthWord(row, state);
  }
  for (const row of root.querySelectorAll('[data-health-channel]')) {
    const id = row.dataset.healthChannel;
    if (levels.channels?.[id] != null) setCount(row, 'level', dbfs(levels.channels[id]));
    if (levels.listeners?.[id] != null) setCount(row, 'listeners', levels.listeners[id]);
  }
}

/** The health table's counters from a fresh session object: the levels event, which every
 * listener gets too, does not carry them. */
export function showHealthCounts(root, s) {
  for (const row of root.querySelectorAll('[data-health-input]')) {
    const input = s.inputs?.find((i) => i.id === row.dataset.healthInput);
    if (input?.health) showInputCounts(row, input.health);
  }
  for (const row of root.querySelectorAll('[data-health-channel]')) {
    const ch = s.channels.find((c) => c.id === row.dataset.healthChannel);
    if (ch?.health) setCount(row, 'send_errors', ch.health.send_errors);
  }
  showHallState(root, s);
  const outputs = allOutputs(s);
  for (const row of root.querySelectorAll('[data-health-output]')) {
    const found = outputs.find(({ o }) => o.id === row.dataset.healthOutput);
    if (found?.o.health) showOutputHealth(row, found.o.health);
  }
}

function showOutputHealth(row, health) {
  showHealthWord(row, health.state, OUTPUT_TITLE);
  setCount(row, 'send_errors', health.send_errors);
}

/** An output_state event: that output's row at once, without waiting for the next poll. */
export function showOutputState(root, { output, state, send_errors: errors }) {
  const row = root.querySelector(`[data-health-output="${CSS.escape(output)}"]`);
  if (row) showOutputHealth(row, { state, send_errors: errors });
}

const KIND = { slower: 'Speak slower', technician: 'Technician call', handover_request: 'Handover request', handover_accept: 'Handover accepted' };

function signalsPanel(signals, act) {
  const items = signals.map((g) => el('li', { 'data-signal': g.id },
    el('span', { class: 'kind' }, KIND[g.kind] || g.kind),
    el('span', {}, (g.console ? `${g.console}` : `booth ${g.booth}`) + (g.repeats > 0 ? ` ×${g.repeats + 1}` : '')),
    el('time', { datetime: g.at }, new Date(g.at).toLocaleTimeString()),
    el('button', { class: 'small', onclick: () => act.clearSignal(g.id) }, 'Clear')));
  return el('section', { class: 'panel' }, el('h2', {}, `Signals (${signals.length})`),
    items.length ? el('ul', { class: 'signals' }, ...items) : el('p', { class: 'muted' }, 'No open signals.'));
}

/** The sitting's panels (without tokens); `hall`: the hall panel's state (hall.js); `video`: the
 * latest `GET .../video` (video.js). */
export function sittingView(s, signals, act, hall = {}, video = null) {
  return [headerPanel(s, act), el('div', { class: 'grid' }, desksPanel(s, act), signalsPanel(signals, act)), channelsPanel(s, act),
    videoPanel(s, video, act), hallPanel(s, hall, act), recordingPanel(s, act), healthPanel(s)];
}

/** Puts the levels event's numbers onto the meters and the listener counts under `root`
 * (WHEP listeners coming and going send no session event: their counts come here). */
export function showLevels(root, levels) {
  for (const m of root.querySelectorAll('meter[data-level]')) {
    const [kind, id] = m.dataset.level.split(/:(.*)/);
    const db = (kind === 'input' ? levels.inputs : levels.channels)?.[id];
    showLevel(m, db);
  }
  for (const mark of root.querySelectorAll('[data-input-state]')) {
    const state = levels.input_states?.[mark.dataset.inputState];
    if (state) stateMark(mark, state);
  }
  for (const cell of root.querySelectorAll('[data-listeners]')) {
    const count = levels.listeners?.[cell.dataset.listeners];
    if (count != null) cell.textContent = String(count);
  }
  showHealth(root, levels);
}
