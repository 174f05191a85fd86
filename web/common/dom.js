/* SPDX-License-Identifier: EUPL-1.2 */
// Tiny DOM helpers shared by the pages.

/** el('td', {class: 'x'}, 'text', child) -> an element. */
export function el(name, attrs = {}, ...children) {
  const node = document.createElement(name);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === false || value == null) continue;
    if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : value);
  }
  node.append(...children.filter((c) => c != null));
  return node;
}

export const $ = (selector, root = document) => root.querySelector(selector);

/** A redraw while the user types in a form (a page that redraws on its events): when the focus is
 * in a field of a form for which `sameForm(oldForm)` holds, it goes with its caret to the field of
 * that name in `form`, the form's new drawing, once that is on the page. */
export function keepFocus(form, sameForm) {
  const old = document.activeElement;
  if (!old?.name || !old.form || !sameForm(old.form)) return;
  const [start, end] = [old.selectionStart, old.selectionEnd]; // null for a checkbox
  queueMicrotask(() => {
    const field = form.isConnected && form.querySelector(`[name="${old.name}"]`);
    if (!field || field === old) return;
    field.focus();
    if (start != null) field.setSelectionRange(start, end);
  });
}

/** The quality tag (floor, +, -) as a labelled badge. */
export function qualityTag(quality) {
  const cls = { floor: 'q-floor', '+': 'q-plus', '-': 'q-minus' }[quality] || '';
  const title = { floor: 'carries the floor', '+': 'interpretation from the floor', '-': 'interpretation from a relay' }[quality];
  return el('span', { class: `tag ${cls}`, title, 'data-quality': quality }, quality === '-' ? '−' : quality || '?');
}

/** Replaces the options of a <select>, keeping `value` selected. */
export function setOptions(select, options, value) {
  const key = JSON.stringify(options);
  if (select.dataset.options !== key) {
    select.replaceChildren(...options.map(([v, label]) => el('option', { value: v }, label)));
    select.dataset.options = key;
  }
  if (value != null && document.activeElement !== select) select.value = value;
}

/** Shows a connection state in an element with data-state for styling. */
export function showState(node, label, state) {
  node.dataset.state = state;
  node.textContent = `${label}: ${state}`;
}
