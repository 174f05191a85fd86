/* SPDX-License-Identifier: EUPL-1.2 */
// Server-sent events of a session, reopened with backoff when they drop.

import { apiPath } from './api.js';

/**
 * Subscribes `handlers` ({session: fn, levels: fn, ...}, each given the parsed data) to the
 * events of session `sid`; `onState('open' | 'reconnecting')`. Returns {close}.
 */
export function sessionEvents(sid, token, handlers, onState = () => {}) {
  const url = `${apiPath('sessions', sid, 'events')}?access_token=${encodeURIComponent(token)}`;
  let source = null;
  let delay = 1000;
  let timer = null;
  let closed = false;

  function open() {
    if (closed) return;
    source = new EventSource(url);
    source.onopen = () => {
      delay = 1000;
      onState('open');
    };
    for (const [name, handle] of Object.entries(handlers)) {
      source.addEventListener(name, (e) => handle(JSON.parse(e.data)));
    }
    source.onerror = () => {
      source.close();
      onState('reconnecting');
      timer = setTimeout(open, delay);
      delay = Math.min(delay * 2, 15000);
    };
  }

  open();
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      if (source) source.close();
    },
  };
}
