/* SPDX-License-Identifier: EUPL-1.2 */
// The console, listener and speaker (floor) links of a sitting, with QR codes to hand out.

import { el } from '../common/dom.js';
import { qrSvg } from '../common/qr.js';

function who(t) {
  if (t.role === 'console') return `Console ${t.console}`;
  if (t.role === 'listener') return `Listener ${t.channel}`;
  if (t.role === 'floor') return 'Speaker (floor)';
  return t.role;
}

function qr(url) {
  const figure = el('div', { role: 'img', 'aria-label': `QR code of ${url}` });
  try {
    figure.innerHTML = qrSvg(url);
  } catch (error) {
    figure.textContent = error.message;
  }
  return figure;
}

/** The tokens panel; `act.createToken(body)` adds a speaker link, `act.deleteToken(id)` revokes. */
export function tokensView(tokens, act) {
  const items = tokens.map((t) => {
    const url = new URL(t.url || '', location.origin).href;
    return el('li', { 'data-token': t.id },
      el('strong', {}, who(t)), el('br'),
      el('a', { href: url, target: '_blank', rel: 'noopener' }, url),
      qr(url),
      el('button', { class: 'small', onclick: () => act.deleteToken(t.id) }, 'Revoke'));
  });
  return el('section', { class: 'panel' }, el('h2', {}, 'Links to hand out'),
    el('p', { class: 'row' },
      el('button', { class: 'small', id: 'speaker-link', onclick: () => act.createToken({ role: 'floor' }) }, 'Speaker link'),
      el('span', { class: 'muted' }, 'for a remote speaker: sends the floor from a browser')),
    items.length ? el('ul', { class: 'tokens' }, ...items)
      : el('p', { class: 'muted' }, 'None yet: use "Console link", "Listener link" or "Speaker link".'));
}
