/* SPDX-License-Identifier: EUPL-1.2 */
// The listener page: choose a language, hear it (and the original under it), stay connected.

import { apiClient, apiPath, hashParams } from '../common/api.js';
import { unblockSoundWith } from '../common/audio.js';
import { $, el, qualityTag, showState } from '../common/dom.js';
import { sessionEvents } from '../common/events.js';
import { runMeter } from '../common/meter.js';
import { channelLabel } from '../common/names.js';
import { registerProbe } from '../common/probe.js';
import { mediaSwitch, pictureChoice, pictureView } from '../common/video.js';
import { whep } from '../common/whep.js';
import { listenerMix } from './mix.js';

const params = hashParams();
const { session: sid, token } = params;
let chosen = params.channel || null;
let session = null;
let floorLink = null; // the floor under the interpretation (the balance), audio only
let media = null; // the chosen channel (and the picture), switched make before break
let picture = null;
let pictureOn = null; // the Picture switch
const publicHls = {}; // channel -> its hls object, from the public view when there is no token
let publicView = null; // the sitting's public view, when there is no token
const mix = listenerMix();

const showError = (text) => { $('#error').textContent = text || ''; };

function setHash() {
  const p = new URLSearchParams({ session: sid, ...(chosen ? { channel: chosen } : {}), ...(token ? { token } : {}) });
  history.replaceState(null, '', `#${p}`);
}

function renderChannels() {
  const list = session ? session.channels : chosen ? [{ id: chosen }] : [];
  $('#channels').replaceChildren(...list.map((ch) => el('li', {},
    el('button', { 'aria-pressed': String(ch.id === chosen), 'data-channel': ch.id, onclick: () => choose(ch.id) },
      el('span', {}, channelLabel(ch.id)),
      ch.quality ? qualityTag(ch.quality) : null,
      ch.listeners != null ? el('span', { class: 'count' }, `${ch.listeners} listening`) : null))));
  const current = list.find((ch) => ch.id === chosen);
  $('#now').textContent = chosen ? channelLabel(chosen) : 'No channel chosen';
  $('#now-tag').replaceChildren(current && current.quality ? qualityTag(current.quality) : '');
  showPlayerLink(current?.icecast?.listen_url);
  // HLS (docs/hls.md): for players such as VLC, or where WebRTC is blocked.
  const playlist = (current?.hls ?? publicHls[chosen])?.playlist;
  const hls = playlist ? new URL(playlist, location.origin).href : null;
  $('#hls').replaceChildren(...(hls ? ['Also as HLS, for VLC and other players: ', el('a', { href: hls }, hls)] : []));
}

/** A public channel sent to Icecast: its stream for VLC or any player (docs/clients.md). */
function showPlayerLink(url) {
  $('#player').replaceChildren(...(url ? ['Or open this stream in VLC or another player: ',
    el('a', { href: url, 'data-icecast-link': '' }, url)] : []));
}

/** WHEP listeners coming and going send no session event: their counts come with the
 * levels. True when a count shown changed. */
function takeListeners(counts) {
  let changed = false;
  for (const ch of session?.channels ?? []) {
    const count = counts?.[ch.id];
    if (count != null && count !== ch.listeners) { ch.listeners = count; changed = true; }
  }
  return changed;
}

const whepPath = (channelId) => apiPath('sessions', sid, 'channels', channelId, 'whep');

function openFloor() {
  if (floorLink) return; // already under the interpretation: changing channel does not cut it
  floorLink = whep(whepPath('floor'), token, (stream) => mix.connect('floor', stream), (state) => {
    if (state === 'failed') {
      $('#balance-box').hidden = true; // this token cannot receive the floor
      mix.connect('floor', null);
    } else if (state === 'connected') {
      $('#balance-box').hidden = false;
    }
  });
}

function closeFloor() {
  if (floorLink) floorLink.close();
  floorLink = null;
  mix.connect('floor', null);
  $('#balance-box').hidden = true;
}

/** The chosen channel's `video` (from the session or the public view). */
function channelVideo() {
  const ch = (session?.channels ?? publicView?.channels ?? []).find((c) => c.id === chosen);
  return Boolean(ch?.video);
}

/** The chosen channel, with the picture when the operator allows it there and the switch is on. */
function wantChannel() {
  if (!chosen) return;
  const allowed = channelVideo();
  $('.picture-panel').hidden = !allowed;
  picture.setLive((session ?? publicView)?.video);
  picture.setWanted(allowed && pictureOn.on);
  media.want({ url: whepPath(chosen), token, video: allowed && pictureOn.on, channel: chosen });
}

function startMedia() {
  picture = pictureView($('#picture'), $('#floor-video'), $('#picture-caption'));
  media = mediaSwitch({
    onAudio: (stream) => mix.connect('channel', stream),
    onPicture: (track, answered) => picture.show(track, answered),
    onState: (state, error, wish) => {
      showState($('#state'), wish.channel, state);
      if (state === 'failed') showError(`Cannot receive ${channelLabel(wish.channel)}: ${error.message}`);
      if (state === 'connected') showError('');
    },
    onSwitchFailed: (error, wish) => showError(`Cannot receive ${channelLabel(wish.channel)} (${error.message}): the sound goes on as before.`),
  });
  pictureOn = pictureChoice($('#picture-on'), `tolk.picture.listen.${sid}`, wantChannel);
}

function choose(channelId) {
  chosen = channelId;
  setHash();
  showError('');
  renderChannels();
  wantChannel();
  if (channelId === 'floor') closeFloor();
  else openFloor();
}

async function main() {
  if (!sid) {
    showError('This page needs #session=… (and usually &token=…) in its address.');
    return;
  }
  $('#title').textContent = `Listen · ${sid}`;
  registerProbe('out', mix.out);
  runMeter(mix.out, $('#meter'));
  unblockSoundWith($('#unblock'));
  $('#volume').addEventListener('input', (e) => mix.setVolume(Number(e.target.value)));
  $('#balance').addEventListener('input', (e) => mix.setBalance(Number(e.target.value)));
  startMedia();
  if (token) {
    try {
      session = await apiClient(token).get(apiPath('sessions', sid));
    } catch (error) {
      showError(`Cannot load the sitting: ${error.message}`);
    }
    let dropped = false;
    sessionEvents(sid, token, {
      session: (s) => { session = s; renderChannels(); wantChannel(); },
      levels: (l) => { if (takeListeners(l.listeners)) renderChannels(); },
    }, (state) => {
      if (state === 'reconnecting') dropped = true;
      if (state === 'open' && dropped) {
        dropped = false;
        for (const l of [media.link, floorLink]) if (l && l.pc?.connectionState !== 'connected') l.restart();
      }
    });
  } else if (chosen) {
    // Without a token, the public view still names a public channel's HLS playlist.
    publicView = await apiClient(null).get(apiPath('sessions', sid)).catch(() => null);
    for (const ch of publicView?.channels ?? []) publicHls[ch.id] = ch.hls;
  }
  renderChannels();
  if (chosen) choose(chosen);
}

main();
