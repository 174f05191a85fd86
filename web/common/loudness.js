/* SPDX-License-Identifier: EUPL-1.2 */
// The loudness guard's warnings (loudness_warning events) as badges: each stays up for a
// minute after the last warning, since the guard itself judges a one-minute average.

import { el } from './dom.js';

const SHOW_MS = 60000;

/** The badge of a channel ("channel:en") or a console's return feed ("console:en/1"). */
export const loudBadge = (key) => el('span', { class: 'loud', 'data-loud': key, role: 'status', hidden: true });

/** Remembers warnings; show(root) puts the current ones onto the badges under root. */
export function loudnessBook() {
  const seen = new Map();
  return {
    note(data) {
      const key = data.console ? `console:${data.console}` : `channel:${data.channel}`;
      seen.set(key, { level: Number(data.level_db), until: Date.now() + SHOW_MS });
    },
    show(root) {
      const now = Date.now();
      for (const badge of root.querySelectorAll('[data-loud]')) {
        const w = seen.get(badge.dataset.loud);
        const on = Boolean(w && w.until > now);
        badge.hidden = !on;
        badge.textContent = on ? `LOUD ${w.level.toFixed(1)} dBFS` : '';
        badge.title = on ? 'The one-minute loudness guard warned: the level is harmful for the ears over time.' : '';
      }
    },
  };
}
