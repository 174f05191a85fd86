/* SPDX-License-Identifier: EUPL-1.2 */
// Renders the console's state (from the session's public view) into the page.

import { $, el, qualityTag, setOptions } from '../common/dom.js';
import { channelLabel, languageName } from '../common/names.js';

export const isLive = (c) => c && (c.mic === 'on' || c.mic === 'muted');

/** The channel a console speaks into: its booth's language (A) or its b_channel (B). */
export function outputChannel(booth, c) {
  return c.output === 'B' ? c.b_channel : booth.language;
}

export function findChannel(session, id) {
  return session.channels.find((ch) => ch.id === id);
}

function liveText(booth, c) {
  if (!isLive(c)) return 'off';
  const where = c.output === 'B' ? `live B (${c.b_channel})` : 'live A';
  return c.mic === 'muted' ? `${where}, coughing` : where;
}

export function render(session, booth, me, pending) {
  const live = isLive(me);
  const out = outputChannel(booth, me);
  const outCh = findChannel(session, out);
  const onair = $('#onair');
  onair.dataset.live = me.mic === 'muted' ? 'muted' : String(live);
  onair.textContent = live ? `${me.mic === 'muted' ? 'COUGH' : 'ON AIR'} · ${languageName(out)} (${me.output})` : 'MIC OFF';
  $('#mic').setAttribute('aria-pressed', String(live));
  $('#cough').disabled = !live;

  $('#a-name').textContent = booth.language;
  $('#out-a').setAttribute('aria-pressed', String(me.output !== 'B'));
  $('#out-b').setAttribute('aria-pressed', String(me.output === 'B'));
  $('#out-b').disabled = booth.b_channels.length === 0;
  setOptions($('#b-channel'), booth.b_channels.map((c) => [c, channelLabel(c)]), me.b_channel);
  $('#b-channel').disabled = booth.b_channels.length === 0;
  $('#out-channel').textContent = channelLabel(out);
  $('#out-tag').replaceChildren(outCh ? qualityTag(outCh.quality) : '');
  $('#meter-out-name').textContent = out;
  $('#loud-out').dataset.loud = `channel:${out}`;
  $('#loud-feed').dataset.loud = `console:${me.id}`;

  const sources = [['floor', 'Floor'], ['auto', 'Auto (relay when a retour is live)']]
    .concat(session.channels.filter((ch) => ch.id !== 'floor' && ch.id !== out).map((ch) => [ch.id, `Relay: ${channelLabel(ch.id)}`]));
  setOptions($('#listen'), sources, me.listen);
  $('#partner-listen').checked = Boolean(me.partner_listen);
  const hears = me.hears || me.listen;
  const hearsCh = findChannel(session, hears);
  $('#hears').textContent = channelLabel(hears);
  $('#hears').dataset.channel = hears;
  $('#hears-tag').replaceChildren(hearsCh ? qualityTag(hearsCh.quality) : qualityTag('floor'));
  const engaged = session.channels.filter((ch) => ch.source !== 'floor' && ch.source !== 'silence');
  $('#engaged').replaceChildren(...(engaged.length ? engaged.map((ch, i) =>
    el('span', {}, i ? ', ' : '', el('strong', {}, ch.id), ` by ${ch.source} `, qualityTag(ch.quality))) : ['none']));

  const partners = booth.consoles.filter((c) => c.id !== me.id);
  $('#partners').replaceChildren(...partners.map((c) =>
    el('li', { 'data-live': String(isLive(c)), 'data-console': c.id }, `${c.id}: `, el('strong', {}, liveText(booth, c)))));
  const partnerLive = partners.some(isLive);
  $('#handover-request').disabled = live || !partnerLive;
  $('#take-over').disabled = live;
  const request = live && pending.find((s) => s.console !== me.id);
  $('#handover-accept').hidden = !request;
  if (request) $('#handover-accept').textContent = `Accept handover to ${request.console}`;
  $('#handover-note').textContent = request ? `${request.console} asks to take over.` : '';
}
