/* SPDX-License-Identifier: EUPL-1.2 */
// The interpreter's console: wires the API, events, media and controls of one console.

import { apiClient, apiPath, consoleParts, hashParams } from '../common/api.js';
import { audioContext, unblockSoundWith } from '../common/audio.js';
import { $, showState } from '../common/dom.js';
import { sessionEvents } from '../common/events.js';
import { loudnessBook } from '../common/loudness.js';
import { analyser, runMeter, showLevel } from '../common/meter.js';
import { registerProbe } from '../common/probe.js';
import { mediaSwitch, pictureChoice, pictureView } from '../common/video.js';
import { interpreterMicrophone, whip } from '../common/whip.js';
import { headphoneChain } from './feed.js';
import { findChannel, isLive, outputChannel, render } from './view.js';

const { session: sid, console: cid, token } = hashParams();
const client = apiClient(token);
const consolePath = apiPath('sessions', sid, ...consoleParts(cid || ''));
let session = null;
let pending = []; // open handover requests of this booth: signal objects
let coughing = false;
const loud = loudnessBook(); // warnings of this console's feed and output channel
let picture = null; // the floor video's view, once the page runs
let media = null; // the return feed (and the picture), switched make before break
let pictureOn = null; // the Picture switch

const showError = (text) => { $('#error').textContent = text || ''; };

function booth() {
  return session.booths.find((b) => b.consoles.some((c) => c.id === cid));
}
const me = () => booth().consoles.find((c) => c.id === cid);

function update() {
  if (session && booth()) render(session, booth(), me(), pending);
  loud.show(document);
}

function mergeConsole(c) {
  Object.assign(me(), c);
  update();
}

function explain(error) {
  if (error.code === 'channel_engaged') {
    const out = outputChannel(booth(), me());
    const ch = findChannel(session, out);
    const holder = ch && ch.source !== 'floor' && ch.source !== 'silence' ? ch.source : 'another console';
    return `Channel ${out} is engaged by ${holder}: your microphone stays off. (${error.message})`;
  }
  return error.message;
}

let sessionEventCount = 0;

// The answer of a PATCH is older than a session event that came while it was on its way (a change
// made by the operator or a partner): that event, or the one of this very change, then carries the state.
async function patch(body) {
  try {
    showError('');
    const seen = sessionEventCount;
    const answer = await client.patch(consolePath, body);
    if (sessionEventCount === seen) mergeConsole(answer);
  } catch (error) {
    showError(explain(error));
  }
}

async function signal(kind, status) {
  try {
    await client.post(apiPath('sessions', sid, 'signals'), { kind });
    $('#signal-status').textContent = `${status} (${new Date().toLocaleTimeString()})`;
  } catch (error) {
    showError(error.message);
  }
}

const toggleMic = () => patch({ mic: isLive(me()) ? 'off' : 'on' });
function cough(held) {
  if (!isLive(me()) || held === coughing) return;
  coughing = held;
  $('#cough').dataset.held = String(held);
  patch({ mic: held ? 'muted' : 'on' });
}

function wireControls(feed) {
  $('#mic').addEventListener('click', toggleMic);
  const coughButton = $('#cough');
  coughButton.addEventListener('pointerdown', (e) => { coughButton.setPointerCapture(e.pointerId); cough(true); });
  for (const name of ['pointerup', 'pointercancel', 'lostpointercapture']) coughButton.addEventListener(name, () => cough(false));
  coughButton.addEventListener('keydown', (e) => { if ((e.key === ' ' || e.key === 'Enter') && !e.repeat) cough(true); });
  coughButton.addEventListener('keyup', (e) => { if (e.key === ' ' || e.key === 'Enter') cough(false); });
  addEventListener('keydown', (e) => {
    if (e.repeat || e.ctrlKey || e.metaKey || e.altKey || e.target.matches('input:not([type=range]), textarea')) return;
    if (e.key === 'm' || e.key === 'M') toggleMic();
    if (e.key === 'c' || e.key === 'C') cough(true);
  });
  addEventListener('keyup', (e) => { if (e.key === 'c' || e.key === 'C') cough(false); });
  $('#out-a').addEventListener('click', () => patch({ output: 'A' }));
  $('#out-b').addEventListener('click', () => patch({ output: 'B' }));
  $('#b-channel').addEventListener('change', (e) => patch({ b_channel: e.target.value }));
  $('#listen').addEventListener('change', (e) => patch({ listen: e.target.value }));
  $('#partner-listen').addEventListener('change', (e) => patch({ partner_listen: e.target.checked }));
  for (const name of ['volume', 'bass', 'treble']) {
    $(`#${name}`).addEventListener('input', (e) => feed.set(name, Number(e.target.value)));
  }
  $('#slower').addEventListener('click', () => signal('slower', 'Asked the speaker to slow down'));
  $('#technician').addEventListener('click', () => signal('technician', 'Technician called'));
  $('#handover-request').addEventListener('click', () => signal('handover_request', 'Handover requested'));
  $('#handover-accept').addEventListener('click', () => signal('handover_accept', 'Handover accepted'));
  $('#take-over').addEventListener('click', () => patch({ mic: 'on' }));
}

function onSignal(s) {
  if (s.kind === 'handover_request' && s.booth === booth().language && s.console !== cid) pending.push(s);
  if (s.kind === 'handover_accept' && s.booth === booth().language) pending = [];
  update();
}

/** The return feed with the floor video when the sitting has one and the Picture switch is on. */
function wantFeed() {
  const video = Boolean(session.video) && pictureOn.on;
  picture.setWanted(video);
  media.want({ url: `${consolePath}/whep`, token, video });
}

function startFeed(feed) {
  picture = pictureView($('#picture'), $('#floor-video'), $('#picture-caption'));
  picture.setLive(session.video);
  $('.picture-panel').hidden = !session.video; // a daemon without the floor video
  media = mediaSwitch({
    onAudio: (stream) => feed.connect(stream),
    onPicture: (track, answered) => picture.show(track, answered),
    onState: (s, e) => {
      showState($('#state-feed'), 'return feed', s);
      if (e && s === 'failed') showError(`Return feed: ${e.message}`);
    },
    onSwitchFailed: (e) => showError(`The picture could not be switched (${e.message}): the sound goes on as before.`),
  });
  pictureOn = pictureChoice($('#picture-on'), `tolk.picture.${sid}.${cid}`, wantFeed);
  wantFeed();
}

async function startMedia(feed) {
  const base = consolePath;
  startFeed(feed);
  try {
    const mic = await interpreterMicrophone();
    const ctx = audioContext();
    const micMeter = analyser(ctx, ctx.createMediaStreamSource(mic));
    registerProbe('mic', micMeter);
    runMeter(micMeter, $('#meter-in'));
    whip(`${base}/whip`, token, mic.getAudioTracks()[0], (s, e) => {
      showState($('#state-mic'), 'mic link', s);
      if (e && s === 'failed') showError(`Microphone link: ${e.message}`);
    });
  } catch (error) {
    showError(`No microphone: ${error.message}`);
  }
}

async function main() {
  if (!sid || !cid || !token) {
    showError('This page needs #session=…&console=…&token=… in its address (ask the technician for your link).');
    return;
  }
  $('#title').textContent = `Console ${cid} · ${sid}`;
  document.title = `Tolk console ${cid}`;
  const feed = headphoneChain();
  registerProbe('return', feed.out);
  runMeter(feed.out, $('#meter-feed'));
  unblockSoundWith($('#unblock'));
  wireControls(feed);
  try {
    session = await client.get(apiPath('sessions', sid));
  } catch (error) {
    showError(`Cannot load the sitting: ${error.message}`);
    return;
  }
  if (!booth()) {
    showError(`This sitting has no console ${cid}.`);
    return;
  }
  update();
  sessionEvents(sid, token, {
    session: (s) => {
      session = s;
      sessionEventCount += 1;
      if (!isLive(me())) pending = [];
      picture?.setLive(s.video);
      update();
    },
    levels: (l) => { showLevel($('#meter-out'), l.channels?.[outputChannel(booth(), me())]); loud.show(document); },
    loudness_warning: (w) => { loud.note(w); loud.show(document); },
    signal: onSignal,
    console: (e) => {
      if (e.console !== cid) return;
      if (e.event === 'overridden') showError(`${e.other || 'Another console'} took over your channel: your microphone is off.`);
      if (e.event === 'console_lost') showError('Your microphone stopped reaching the server: it was switched off.');
    },
    signal_cleared: ({ id }) => { pending = pending.filter((s) => s.id !== id); update(); },
  }, (s) => showState($('#state-events'), 'events', s));
  startMedia(feed);
}

main();
