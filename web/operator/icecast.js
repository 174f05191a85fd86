/* SPDX-License-Identifier: EUPL-1.2 */
// Icecast sources of a sitting's channels (docs/icecast.md): set one on a public channel, see its
// state, listeners and last error, stop it. The password is sent, never shown: the API does not
// give it back. Runs on the page's one thread. What the operator typed and not yet sent, and which
// channels' forms are open, are kept here: every session event (a console's microphone, another
// operator's change) redraws the sitting, and must not take a half-typed mount URL away.

import { el, keepFocus } from '../common/dom.js';
import { channelLabel } from '../common/names.js';

const STATE_TITLE = {
  connecting: 'connecting to the server and logging in',
  streaming: 'the server takes the stream',
  failing: 'cannot reach the server or log in: see the error; Tolk tries again',
  paused: 'the channel is not public: no stream until it is',
};

function statusText(ic) {
  if (!ic) return 'none';
  const parts = [ic.state];
  if (ic.listeners != null) parts.push(`${ic.listeners} listening`);
  if (ic.reconnects) parts.push(`${ic.reconnects} reconnects`);
  return parts.join(', ');
}

const ui = { drafts: new Map(), open: new Set() }; // channel id -> {field: typed value}; open forms

function form(ch, act) {
  const draft = ui.drafts.get(ch.id) || {};
  const typed = (e) => { ui.drafts.set(ch.id, { ...ui.drafts.get(ch.id), [e.target.name]: e.target.value }); };
  const input = (name, attrs) => el('input', { name, value: draft[name] ?? ch.icecast?.[name] ?? '', oninput: typed, ...attrs });
  const field = (name, label, attrs = {}) => el('label', {}, label, input(name, attrs));
  const submit = async (e) => {
    e.preventDefault();
    const data = Object.fromEntries(new FormData(e.target));
    const body = { url: data.url, password: data.password };
    for (const k of ['user', 'listen_url', 'name', 'description']) if (data[k]) body[k] = data[k];
    if (!await act.putIcecast(ch.id, body)) return; // refused: the page shows why, the draft stays
    ui.drafts.delete(ch.id);
    for (const p of document.querySelectorAll(`[data-icecast-form="${ch.id}"] [name="password"]`)) p.value = '';
  };
  const node = el('form', { class: 'icecast-form', 'data-icecast-form': ch.id, onsubmit: submit },
    field('url', 'Mount URL', { required: true, placeholder: 'http://icecast.example:8000/en.opus', type: 'url' }),
    field('user', 'User', { placeholder: 'source' }),
    el('label', {}, 'Password', input('password', { type: 'password', required: true, autocomplete: 'off' })),
    field('listen_url', 'Listen URL (a relay)', { type: 'url' }),
    field('name', 'Stream name'),
    field('description', 'Description'),
    el('div', { class: 'row' }, el('button', { class: 'small' }, ch.icecast ? 'Replace' : 'Start'),
      ch.icecast ? el('button', { type: 'button', class: 'small danger', onclick: () => act.deleteIcecast(ch.id) }, 'Stop') : ''));
  keepFocus(node, (old) => old.dataset.icecastForm === ch.id);
  return node;
}

function configure(ch, act) {
  const toggled = (e) => { if (e.target.open) ui.open.add(ch.id); else ui.open.delete(ch.id); };
  return el('details', { open: ui.open.has(ch.id), ontoggle: toggled }, el('summary', {}, 'Configure'), form(ch, act));
}

function row(ch, act) {
  const ic = ch.icecast;
  return el('tr', { 'data-icecast': ch.id },
    el('th', { scope: 'row' }, channelLabel(ch.id)),
    el('td', {}, el('span', { class: 'health-state', 'data-state': ic?.state || '', title: STATE_TITLE[ic?.state] || '' }, statusText(ic))),
    el('td', {}, ic ? el('a', { href: ic.listen_url, target: '_blank', rel: 'noopener' }, ic.listen_url) : '–'),
    el('td', { class: 'icecast-error' }, ic?.last_error || ''),
    el('td', {}, ch.public ? configure(ch, act)
      : el('span', { class: 'muted' }, 'make the channel public first')));
}

/** The Icecast panel of a sitting. */
export function icecastPanel(s, act) {
  const channels = s.channels.filter((ch) => ch.public || ch.icecast);
  return el('section', { class: 'panel', id: 'icecast' }, el('h2', {}, 'Icecast'),
    channels.length ? el('div', { class: 'table-wrap' }, el('table', {},
      el('thead', {}, el('tr', {}, ...['Channel', 'State', 'Listeners open', 'Last error', ''].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, ...channels.map((ch) => row(ch, act)))))
      : el('p', { class: 'muted' }, 'A public channel can be sent to an Icecast server for listeners beyond this machine.'));
}

/** The state, listeners and error cells from a fresh session object (the health poll): the source's
 * state changes on the server's side and sends no session event. */
export function showIcecast(root, s) {
  for (const tr of root.querySelectorAll('[data-icecast]')) {
    const ic = s.channels.find((c) => c.id === tr.dataset.icecast)?.icecast;
    const word = tr.querySelector('.health-state');
    word.textContent = statusText(ic);
    word.dataset.state = ic?.state || '';
    word.title = STATE_TITLE[ic?.state] || '';
    tr.querySelector('.icecast-error').textContent = ic?.last_error || '';
  }
}
