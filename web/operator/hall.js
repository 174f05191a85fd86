/* SPDX-License-Identifier: EUPL-1.2 */
// The floor's source: its SRTP port, or an AES67 stream of the hall chosen from the SAP list
// (docs/aes67.md), with the stream's channel and its state.

import { el } from '../common/dom.js';

const STATE_TITLE = {
  waiting: 'the announcement is not seen yet, or nothing has come from the stream',
  receiving: 'the stream arrives and plays',
  lost: 'the stream came, then nothing for half a second: check the hall sender and network',
};

function sourceText(floor) {
  const a = floor?.aes67;
  if (!a) return `SRTP/Opus on port ${floor?.port ?? '–'}`;
  const what = a.sap ? `"${a.sap}"` : 'SDP';
  const where = a.address ? ` (${a.encoding}, ${a.address}:${a.port}, ${a.channels} ch)` : '';
  return `AES67 ${what}${where}, channel ${a.channel}`;
}

/** The floor's source and state from a fresh session object (the health poll: no event says
 * when a stream starts or stops arriving). */
export function showHallState(root, s) {
  const floor = s.inputs?.find((i) => i.id === 'floor');
  const state = root.querySelector('#hall-state');
  const source = root.querySelector('#hall-source');
  if (!state || !source) return;
  const a = floor?.aes67;
  state.textContent = a ? a.state : 'SRTP';
  state.dataset.state = a?.state || '';
  state.title = STATE_TITLE[a?.state] || '';
  source.textContent = sourceText(floor);
}

/** `hall`: {streams: [...] | null, refused: message | null, pick: name, channel: n}, kept by the
 * page between renders; `act.loadAes67()`, `act.setFloorAes67(body)`, `act.clearFloorAes67()`. */
export function hallPanel(s, hall, act) {
  const floor = s.inputs?.find((i) => i.id === 'floor');
  const a = floor?.aes67;
  const state = el('span', { class: 'health-state', 'data-state': a?.state || '', role: 'status', id: 'hall-state', title: STATE_TITLE[a?.state] || '' },
    a ? a.state : 'SRTP');
  const streams = hall.streams || [];
  const pick = el('select', { id: 'hall-stream', 'aria-label': 'AES67 stream', onchange: (e) => { hall.pick = e.target.value; } },
    el('option', { value: '' }, streams.length ? 'choose a stream' : 'no stream announced'),
    ...streams.map((st) => el('option', { value: st.name, selected: st.name === (hall.pick || a?.sap) },
      `${st.name} (${st.encoding}, ${st.channels} ch, ${st.address})`)));
  const channel = el('input', { id: 'hall-channel', type: 'number', min: 1, max: 64, value: hall.channel || a?.channel || 1,
    'aria-label': 'channel of the stream', onchange: (e) => { hall.channel = Number(e.target.value); } });
  const use = () => {
    const name = hall.pick || pick.value;
    if (name) act.setFloorAes67({ sap: name, channel: Number(channel.value) || 1 });
  };
  return el('section', { class: 'panel', id: 'hall' }, el('h2', {}, 'Hall'),
    el('p', { class: 'row' }, el('span', {}, 'Floor from: '), el('strong', { id: 'hall-source' }, sourceText(floor)), ' ', state),
    hall.refused ? el('p', { class: 'muted', id: 'hall-refused' }, hall.refused)
      : el('div', { class: 'row' },
        el('button', { class: 'small', id: 'hall-load', onclick: () => act.loadAes67() }, 'SAP list'), pick,
        el('label', { for: 'hall-channel' }, 'channel'), channel,
        el('button', { class: 'small', id: 'hall-use', onclick: use }, 'Use for the floor'),
        a ? el('button', { class: 'small', id: 'hall-srtp', onclick: () => act.clearFloorAes67() }, 'Back to SRTP') : ''));
}
