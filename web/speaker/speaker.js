/* SPDX-License-Identifier: EUPL-1.2 */
// The remote speaker's page: a floor token's link. "Start speaking" sends the microphone to the
// floor input by WHIP (reconnecting with backoff); "Stop", or leaving the page, deletes it.
// With "Camera" on, the camera goes in the same connection: the floor video's "Speaker" source.

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
let videoCodec = 'vp8'; // the sitting's (its `video.codec`): offered first

const showError = (text) => { $('#error').textContent = text || ''; };

const MICROPHONE = { echoCancellation: true, noiseSuppression: true, autoGainControl: true, channelCount: 1 };
const CAMERA = { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 25, max: 30 } };

/** A speaker's microphone in a room (echo cancelling, noise suppression and AGC on, unlike an
 * interpreter's), and the camera when `camera`. A camera refused or missing leaves the voice:
 * {stream, cameraError}. A refused microphone throws. */
async function speakerMedia(camera) {
  if (camera) {
    try {
      return { stream: await navigator.mediaDevices.getUserMedia({ audio: MICROPHONE, video: CAMERA }), cameraError: null };
    } catch (error) {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: MICROPHONE, video: false });
      return { stream, cameraError: error };
    }
  }
  return { stream: await navigator.mediaDevices.getUserMedia({ audio: MICROPHONE, video: false }), cameraError: null };
}

const CAMERA_KEY = 'tolk.speaker.camera'; // the switch as this browser left it
const CAMERA_WHY = { NotAllowedError: 'the camera was not allowed', NotFoundError: 'no camera found', NotReadableError: 'the camera is in use by another program' };

function showCamera(track, error) {
  const view = $('#self-view');
  view.srcObject = track ? new MediaStream([track]) : null;
  view.hidden = !track;
  $('#camera-note').textContent = error
    ? `No picture: ${CAMERA_WHY[error.name] || error.message || error.name}. Your voice is sent.` : '';
}

function showSession(s) {
  videoCodec = s.video?.codec || videoCodec;
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
  let cameraError;
  try {
    ({ stream: mic, cameraError } = await speakerMedia($('#camera').checked));
  } catch (error) {
    showError(`No microphone: ${error.message}`);
    return;
  }
  const camera = mic.getVideoTracks()[0] || null;
  showCamera(camera, cameraError);
  // A camera unplugged or taken by the system while speaking: the voice goes on without it.
  camera?.addEventListener('ended', () => { if (live?.mic === mic) showCamera(null, { message: 'the camera stopped' }); });
  const level = analyser(ctx, ctx.createMediaStreamSource(mic));
  registerProbe('mic', level);
  live = { mic, link: null, stopMeter: runMeter(level, $('#meter')) };
  showSpeaking('connecting');
  live.link = whip(apiPath('sessions', sid, 'whip', 'floor'), token, mic.getAudioTracks()[0], onLinkState,
    { video: camera, videoCodec });
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
  showCamera(null, null);
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
  // While speaking, the camera's switch reconnects with or without it (a new offer).
  const cameraSwitch = $('#camera');
  cameraSwitch.checked = localStorage.getItem(CAMERA_KEY) === 'on';
  cameraSwitch.addEventListener('change', () => {
    localStorage.setItem(CAMERA_KEY, cameraSwitch.checked ? 'on' : 'off');
    if (live) { stop(false); start(); }
  });
  addEventListener('pagehide', () => stop(false));
  showSpeaking('closed');
}

main();
