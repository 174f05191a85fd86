/* SPDX-License-Identifier: EUPL-1.2 */
// The outputs table's format column: SRTP (encrypted), or a plain AES67 stream to the hall,
// marked so that nobody takes it for an encrypted one.

import { el } from '../common/dom.js';

/** The badge of an output: "SRTP", or a red "PLAIN AES67" for an unencrypted hall stream. */
export function formatBadge(o) {
  if (o.encrypted === false) {
    const details = o.format === 'aes67' ? ` ${o.encoding || 'L24'}, ${o.packet_time_ms ?? 1} ms${o.sap ? ', SAP' : ''}` : '';
    return el('span', { class: 'plain-badge', 'data-format': o.format || 'plain',
      title: `plain RTP, not encrypted: anyone on the hall network can listen (--allow-plain-rtp).${details}` },
    o.format === 'aes67' ? 'PLAIN AES67' : 'PLAIN');
  }
  return el('span', { class: 'format', 'data-format': o.format || 'srtp' }, 'SRTP');
}
