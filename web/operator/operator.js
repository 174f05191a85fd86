/* SPDX-License-Identifier: EUPL-1.2 */
// The operator's page: sign in once, list/create/end sittings, watch and steer one of them.

import { apiClient, apiPath, hashParams } from '../common/api.js';
import { $, el, showState } from '../common/dom.js';
import { sessionEvents } from '../common/events.js';
import { loudnessBook } from '../common/loudness.js';
import { buildCreateForm } from './create.js';
import { recordingActions, showRecordingCounts } from './recording.js';
import { icecastPanel, showIcecast } from './icecast.js';
import { showHealthCounts, showLevels, showOutputState, sittingView } from './sitting.js';
import { showHlsCounts } from './hls.js';
import { tokensView } from './tokens.js';
import { showVideo, videoActions } from './video.js';

const KEY = 'tolk.operator.token';
let client = null;
let current = null; // {session, signals, tokens, levels, loud, events}

const showError = (text) => { $('#error').textContent = text || ''; };
const guard = (fn) => async (...args) => {
  try {
    showError('');
    return await fn(...args);
  } catch (error) {
    showError(error.message);
    return null;
  }
};

function signIn() {
  const fromHash = hashParams().token;
  if (fromHash) {
    sessionStorage.setItem(KEY, fromHash);
    const p = new URLSearchParams(location.hash.slice(1));
    p.delete('token');
    history.replaceState(null, '', `#${p}`);
  }
  const token = sessionStorage.getItem(KEY);
  $('#login').hidden = !!token;
  $('#app').hidden = !token;
  $('#logout').hidden = !token;
  if (!token) return false;
  client = apiClient(token);
  return true;
}

const sessionPath = (...parts) => apiPath('sessions', current.session.id, ...parts);
const HEALTH_POLL_MS = 2000;

/** The health table's counters, every 2 s while this sitting is open (state words come 4 times a second
 * with the levels events). Only the table's cells change: a session event may be newer than the answer. */
function pollHealth(mine) {
  return setInterval(async () => {
    if (document.hidden || current !== mine) return;
    try {
      const fresh = await client.get(apiPath('sessions', mine.session.id));
      if (current === mine) {
        showHealthCounts($('#sitting'), fresh);
        showRecordingCounts($('#sitting'), fresh, actions);
        showIcecast($('#sitting'), fresh);
        showHlsCounts($('#sitting'), fresh);
      }
    } catch { /* the next round, or the events' state, tells */ }
  }, HEALTH_POLL_MS);
}

/** The floor video's source states and counts, every 2 s (a camera's state changes come as session
 * events too, but its packets and the viewers do not). */
function pollVideo(mine) {
  return setInterval(async () => {
    if (document.hidden || current !== mine) return;
    try {
      const fresh = await actions.loadVideo();
      if (current === mine) showVideoView(fresh);
    } catch { /* the next round tells */ }
  }, HEALTH_POLL_MS);
}

function showVideoView(view) {
  if (!current) return;
  current.video = view;
  showVideo($('#sitting'), current.session, view, actions);
}

function closeSitting() {
  if (!current) return;
  current.events.close();
  clearInterval(current.healthPoll);
  clearInterval(current.videoPoll);
  current = null;
}

const actions = {
  // The answer of a PATCH is older than a session event that came while it was on its way (a change
  // made elsewhere): that event, or the one of this very change, then carries the state.
  patchSession: guard(async (body) => {
    const mine = current;
    const seen = mine.sessionEvents;
    const session = await client.patch(sessionPath(), body);
    if (mine.sessionEvents === seen) { mine.session = session; render(); }
  }),
  patchChannel: guard((ch, body) => client.patch(sessionPath('channels', ch), body)),
  putIcecast: guard((ch, body) => client.put(sessionPath('channels', ch, 'icecast'), body)),
  deleteIcecast: guard((ch) => client.del(sessionPath('channels', ch, 'icecast'))),
  putHls: guard((ch) => client.put(sessionPath('channels', ch, 'hls'))),
  deleteHls: guard((ch) => client.del(sessionPath('channels', ch, 'hls'))),
  clearSignal: guard(async (id) => {
    await client.del(sessionPath('signals', String(id)));
    current.signals = current.signals.filter((g) => g.id !== id);
    render();
  }),
  createToken: guard(async (body) => {
    current.tokens.push(await client.post(sessionPath('tokens'), body));
    render();
  }),
  // The hall (hall.js): the SAP list, and the floor's source set or taken back.
  loadAes67: guard(async () => {
    const mine = current;
    try {
      mine.hall.streams = (await client.get(apiPath('aes67', 'streams'))).streams;
    } catch (error) {
      if (error.code !== 'plain_rtp_not_allowed') throw error;
      mine.hall.refused = error.message;
    }
    render();
  }),
  setFloorAes67: guard(async (body) => {
    await client.put(sessionPath('inputs', 'floor', 'aes67'), body);
    current.session = await client.get(sessionPath());
    render();
  }),
  clearFloorAes67: guard(async () => {
    await client.del(sessionPath('inputs', 'floor', 'aes67'));
    current.session = await client.get(sessionPath());
    render();
  }),
  deleteToken: guard(async (id) => {
    await client.del(sessionPath('tokens', id));
    current.tokens = current.tokens.filter((t) => t.id !== id);
    render();
  }),
  ...recordingActions(() => client, () => current.session.id, guard),
  ...videoActions(() => client, () => current.session.id, guard, (view) => showVideoView(view)),
};

/** The state file's fault, from /healthz (no token): shown until it is written again. The
 * `state` event says when it changes; /healthz says how it is when the page opens. */
async function showStateFault() {
  let fault = '';
  try {
    const health = await (await fetch('/healthz', { cache: 'no-store' })).json();
    const problem = (health.problems || []).find((p) => p.what === 'state');
    if (problem) fault = `The sittings cannot be stored: ${problem.message}. They run on; changes are refused until this is fixed.`;
  } catch {
    return; // the daemon is away: the events' state says so
  }
  $('#state-fault').textContent = fault;
}

function render() {
  if (!current) {
    $('#sitting').replaceChildren();
    return;
  }
  $('#sitting').replaceChildren(...sittingView(current.session, current.signals, actions, current.hall, current.video),
    icecastPanel(current.session, actions), tokensView(current.tokens, actions));
  if (current.levels) showLevels($('#sitting'), current.levels);
  current.loud.show($('#sitting'));
}

const listSittings = guard(async () => {
  const { sessions } = await client.get(apiPath('sessions'));
  const open = current?.session.id;
  $('#sittings').replaceChildren(...(sessions.length ? sessions.map((s) => el('li', { 'aria-current': String(s.id === open) },
    el('button', { onclick: () => openSitting(s.id) }, `${s.name || s.id} (${s.id})`),
    el('button', { class: 'small danger', onclick: () => endSitting(s.id) }, 'End'))) : [el('li', { class: 'muted' }, 'No sittings.')]));
});

const openSitting = guard(async (sid) => {
  closeSitting();
  const [session, { signals }, { tokens }] = await Promise.all([
    client.get(apiPath('sessions', sid)),
    client.get(apiPath('sessions', sid, 'signals')).catch(() => ({ signals: [] })),
    client.get(apiPath('sessions', sid, 'tokens')).catch(() => ({ tokens: [] })),
  ]);
  history.replaceState(null, '', `#session=${encodeURIComponent(sid)}`);
  const mine = { session, video: session.video || null, sessionEvents: 0, signals, tokens, levels: null, loud: loudnessBook(), hall: {} };
  current = mine;
  mine.events = sessionEvents(sid, client.token, {
    session: (s) => { mine.session = s; mine.video = s.video || mine.video; mine.sessionEvents += 1; render(); },
    // Every 250 ms: also takes down the loudness badges whose minute is over.
    levels: (l) => { mine.levels = l; showLevels($('#sitting'), l); mine.loud.show($('#sitting')); },
    loudness_warning: (w) => { mine.loud.note(w); mine.loud.show($('#sitting')); },
    // A repeated signal comes again with its id, a newer time and a repeat count: replace it.
    signal: (g) => {
      const i = mine.signals.findIndex((x) => x.id === g.id);
      if (i >= 0) mine.signals[i] = g; else mine.signals.push(g);
      render();
    },
    signal_cleared: ({ id }) => { mine.signals = mine.signals.filter((g) => g.id !== id); render(); },
    state: () => showStateFault(),
    output_state: (o) => showOutputState($('#sitting'), o),
  }, (state) => { showState($('#state-events'), 'events', state); if (state === 'open') showStateFault(); });
  mine.healthPoll = pollHealth(mine);
  mine.videoPoll = pollVideo(mine);
  render();
  listSittings();
});

const endSitting = guard(async (sid) => {
  if (!confirm(`End the sitting ${sid}? All its media stops.`)) return;
  await client.del(apiPath('sessions', sid));
  if (current?.session.id === sid) {
    closeSitting();
    render();
  }
  listSittings();
});

function main() {
  $('#login').addEventListener('submit', (e) => {
    e.preventDefault();
    sessionStorage.setItem(KEY, $('#token').value.trim());
    start();
  });
  $('#logout').addEventListener('click', () => {
    sessionStorage.removeItem(KEY);
    location.hash = '';
    location.reload();
  });
  buildCreateForm($('#create'), guard(async (body) => {
    const s = await client.post(apiPath('sessions'), body);
    $('#create-box').open = false;
    await openSitting(s.id);
  }));
  start();
}

async function start() {
  if (!signIn()) return;
  showStateFault(); // with no sitting open too: a bad state file shows at once
  const sid = hashParams().session;
  await listSittings();
  if (sid) openSitting(sid);
}

main();
