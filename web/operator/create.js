/* SPDX-License-Identifier: EUPL-1.2 */
// The "new sitting" form: fields to a POST /api/v1/sessions body.

import { el } from '../common/dom.js';

const words = (text) => text.split(/[\s,]+/).filter(Boolean);

/** "en 3 fr" per line -> {language: 'en', consoles: 3, b_channels: ['fr']}. */
export function parseBooths(text) {
  return text.split('\n').map((line) => words(line)).filter((w) => w.length).map(([language, n, ...b]) => ({
    language, consoles: Number(n || 2), ...(b.length ? { b_channels: b } : {}),
  }));
}

export function sittingBody(form) {
  const f = new FormData(form);
  const body = {
    channels: words(f.get('channels')),
    booths: parseBooths(f.get('booths')),
    interlock: f.get('interlock'),
    idle_channel: f.get('idle_channel'),
    original_under_db: f.get('original_under_db') === '' ? null : Number(f.get('original_under_db')),
  };
  for (const key of ['id', 'name', 'floor_language']) if (f.get(key)) body[key] = f.get(key).trim();
  return body;
}

function field(label, name, input) {
  input.id = `new-${name}`;
  input.name = name;
  return el('div', {}, el('label', { for: input.id }, label), input);
}

const select = (options, value) => el('select', {}, ...options.map((o) => el('option', { value: o, selected: o === value }, o)));

/** Fills `form` with the fields; `onSubmit(body)` when sent. */
export function buildCreateForm(form, onSubmit) {
  form.replaceChildren(
    field('Id (optional)', 'id', el('input', { pattern: '[a-z0-9][a-z0-9\\-]{0,31}', placeholder: 'plenary' })),
    field('Name', 'name', el('input', { placeholder: 'Plenary sitting' })),
    field('Floor language', 'floor_language', el('input', { value: 'de', pattern: '[a-z]{2,3}' })),
    field('Channels (codes)', 'channels', el('input', { value: 'de en fr', required: true })),
    field('Booths: language, consoles, B channels (one per line)', 'booths', Object.assign(el('textarea', {}), { value: 'en 2 fr\nfr 2 en\nde 2' })),
    field('Interlock', 'interlock', select(['no-override', 'override', 'free'], 'no-override')),
    field('Idle channel carries', 'idle_channel', select(['floor', 'silence'], 'floor')),
    field('Original under (dB, empty = off)', 'original_under_db', el('input', { type: 'number', min: -60, max: 0, step: 1 })),
    el('div', { class: 'actions' }, el('button', { class: 'primary' }, 'Create sitting')),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    onSubmit(sittingBody(form));
  });
}
