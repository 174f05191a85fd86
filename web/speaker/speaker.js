/* SPDX-License-Identifier: EUPL-1.2 */
// The remote speaker's page: a floor token's link. "Start speaking" sends the microphone to the
// floor input by WHIP (reconnecting with backoff); "Stop", or leaving the page, deletes it.

import { apiClient, apiPath, hashParams } from '../common/api.js';
import { audioContext } from '../common/audio.js';
import { $, showState } from '../common/dom.js';
import { sessionEvents } from '../common/events.js';
import { analyser, runMeter, showLevel } from '../common/meter.js';
import { languageName } from '../common/names.js';
import { registerProbe } from '../common/probe.js';
import { whip } from '../common/whip.js';

const { session: sid, token } = hashParams();
let live = null; // {mic, link, stopMeter} while speaking

const showError = (text) => { $('#error').textContent = text || ''; };

/** A speaker's microphone in a room: echo cancelling, noise suppression and AGC on (unlike an interpreter's). */
function speakerMicrophone() {
  return navigator.mediaDevices.getUserMedia({
    audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true, channelCount: 1 },
    video: false,
  });
}

function showSession(s) {
  $('#sitting').textContent = s.name || s.id;
  $('#language').textContent = languageName(s.floor_language);
  $('#title').textContent = `Speaker · ${s.name || s.id}`;
  document.title = `Tolk speaker · ${s.name || s.id}`;
}

function showSpeaking(state) {
  const speaking = !!live;
  const button = $('#talk');
  button.setAttribute('aria-pressed', String(speaking));
  button.textContent = speaking ? 'Stop' : 'Start speaking';
  const lamp = $('#onair');
  lamp.dataset.live = !speaking ? 'false' : state === 'connected' ? 'true' : 'pending';
  lamp.textContent = !speaking ? 'MIC OFF' : state === 'connected' ? 'ON AIR' : 'CONNECTING…';
}

function onLinkState(state, error) {
  showState($('#state'), 'floor link', state);
  if (state === 'connected') showError('');
  if (state === 'reconnecting' && error) showError(`Connection lost, trying again: ${error.message}`);
  if (state === 'failed') {
    showError(`Cannot send your microphone: ${error.message}`);
    stop(false);
    showState($('#state'), 'floor link', 'failed');
  }
  if (live) showSpeaking(state);
}

async function start() {
  showError('');
  const ctx = audioContext();
  ctx.resume().catch(() => {});
  let mic;
  try {
    mic = await speakerMicrophone();
  } catch (error) {
    showError(`No microphone: ${error.message}`);
    return;
  }
  const level = analyser(ctx, ctx.createMediaStreamSource(mic));
  registerProbe('mic', level);
  live = { mic, link: null, stopMeter: runMeter(level, $('#meter')) };
  showSpeaking('connecting');
  live.link = whip(apiPath('sessions', sid, 'whip', 'floor'), token, mic.getAudioTracks()[0], onLinkState);
}

/** Stops speaking: the WHIP resource is deleted, the microphone released. */
function stop(report = true) {
  if (!live) return;
  const { mic, link, stopMeter } = live;
  live = null;
  stopMeter();
  showLevel($('#meter'), null);
  if (link) link.close(); // DELETEs the resource; reports 'closed'
  for (const track of mic.getTracks()) track.stop();
  if (report) showState($('#state'), 'floor link', 'closed');
  showSpeaking('closed');
}

async function main() {
  if (!sid || !token) {
    showError('This page needs #session=…&token=… in its address (ask the technician for your link).');
    return;
  }
  try {
    showSession(await apiClient(token).get(apiPath('sessions', sid)));
  } catch (error) {
    showError(`Cannot load the sitting: ${error.message}`);
    if (error.status === 401 || error.status === 403 || error.status === 404) return;
  }
  sessionEvents(sid, token, { session: showSession });
  const button = $('#talk');
  button.disabled = false;
  button.addEventListener('click', () => (live ? stop() : start()));
  addEventListener('pagehide', () => stop(false));
  showSpeaking('closed');
}

main();
