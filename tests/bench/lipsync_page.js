/* SPDX-License-Identifier: EUPL-1.2 */
// The in-page half of the lip-sync benchmark (tests/bench/lipsync_bench.py): one page, so one
// clock (performance.now) for the source and every receiver.
// - The source: a canvas camera (black, a white flash of 100 ms once a second) and a WebAudio
//   microphone (silence, a 30 ms 1 kHz click at the moment of each flash), both sent by WHIP to
//   the floor (the speaker page's route), through the real web/common/rtc.js.
// - Receivers by WHEP with audio and video in one peer connection, as the console page does:
//   each flash timed when its frame is shown (requestVideoFrameCallback, expectedDisplayTime),
//   each click when its sample reaches the output (an AudioWorklet, mapped to performance time
//   by AudioContext.getOutputTimestamp).
// - The console also interprets: what it hears (the floor, clicks and all) goes back by its
//   microphone's WHIP, so the interpretation channel carries the clicks one relay later.

import { rtcLink } from '/common/rtc.js';

const FLASH_EVERY_MS = 1000;
const FLASH_MS = 100;
const CLICK_S = 0.03;
const FIRST_FLASH_MS = 1500;

// A click is a sample above the threshold 300 ms after the last loud one (the click and its
// Opus ringing are one event). Counted in frames, since a silent input may come with no channel.
const DETECTOR = `
class ClickDetector extends AudioWorkletProcessor {
  constructor() { super(); this.loud = -1e9; this.peak = 0; }
  process(inputs) {
    const samples = inputs[0] && inputs[0][0];
    if (!samples) return true;
    for (let i = 0; i < samples.length; i++) {
      this.peak = Math.max(this.peak, Math.abs(samples[i]));
      if (Math.abs(samples[i]) <= 0.15) continue;
      const frame = currentFrame + i;
      if (frame - this.loud > 0.3 * sampleRate) this.port.postMessage(frame / sampleRate);
      this.loud = frame;
    }
    if (currentFrame % 48000 < samples.length) { this.port.postMessage({ peak: this.peak }); this.peak = 0; }
    return true;
  }
}
registerProcessor('click-detector', ClickDetector);
`;

/** The performance time at which the sample of context time `t` reaches the output. */
function outputTime(ctx, t) {
  const ts = ctx.getOutputTimestamp();
  if (ts.performanceTime) return ts.performanceTime + (t - ts.contextTime) * 1000;
  return performance.now() - (ctx.currentTime - t) * 1000 + (ctx.outputLatency || ctx.baseLatency || 0) * 1000;
}

function source(ctx, marks) {
  const canvas = document.createElement('canvas');
  canvas.width = 160;
  canvas.height = 120;
  const g = canvas.getContext('2d');
  const osc = ctx.createOscillator();
  osc.frequency.value = 1000;
  const gain = ctx.createGain();
  gain.gain.value = 0;
  const mic = ctx.createMediaStreamDestination();
  osc.connect(gain).connect(mic);
  osc.start();
  let next = performance.now() + FIRST_FLASH_MS;
  let flashUntil = 0;
  const frame = (now) => {
    if (now >= next) {
      const t = ctx.currentTime;
      gain.gain.setValueAtTime(0.8, t);
      gain.gain.setValueAtTime(0, t + CLICK_S);
      marks.push(performance.now());
      flashUntil = now + FLASH_MS;
      next += FLASH_EVERY_MS;
    }
    g.fillStyle = now < flashUntil ? '#ffffff' : '#000000';
    g.fillRect(0, 0, canvas.width, canvas.height);
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  return [mic.stream.getAudioTracks()[0], canvas.captureStream(30).getVideoTracks()[0]];
}

function timeFlashes(video, flashes) {
  const probe = document.createElement('canvas');
  probe.width = probe.height = 8;
  const g = probe.getContext('2d', { willReadFrequently: true });
  let bright = false;
  const onFrame = (now, meta) => {
    g.drawImage(video, 0, 0, 8, 8);
    const d = g.getImageData(0, 0, 8, 8).data;
    let sum = 0;
    for (let i = 0; i < d.length; i += 4) sum += d[i] + d[i + 1] + d[i + 2];
    const level = sum / (d.length / 4) / 3;
    if (level > 128 && !bright) flashes.push(meta.expectedDisplayTime);
    bright = level > 128;
    video.requestVideoFrameCallback(onFrame);
  };
  video.requestVideoFrameCallback(onFrame);
}

function timeClicks(ctx, track, got) {
  // Chromium feeds a remote track to WebAudio only while a media element plays it too.
  const sink = new Audio();
  sink.muted = true;
  sink.srcObject = new MediaStream([track]);
  sink.play().catch(() => {});
  const detector = new AudioWorkletNode(ctx, 'click-detector');
  detector.port.onmessage = (e) => {
    if (typeof e.data === 'number') got.clicks.push(outputTime(ctx, e.data));
    else got.peaks.push(Math.round(e.data.peak * 1000) / 1000);
  };
  ctx.createMediaStreamSource(new MediaStream([track])).connect(detector).connect(ctx.destination);
}

/** What a receiver timed, and the handler of its peer connection's tracks. */
function timed(ctx, onAudio) {
  const got = { flashes: [], clicks: [], peaks: [], video: false, state: 'new' };
  const video = document.createElement('video');
  video.muted = true;
  video.autoplay = true;
  video.playsInline = true;
  video.width = 160;
  document.body.append(video);
  const onTrack = (e) => {
    got[`${e.track.kind}Streams`] = e.streams.map((s) => s.id);
    if (e.track.kind === 'video') {
      got.video = true;
      video.srcObject = new MediaStream([e.track]);
      timeFlashes(video, got.flashes);
    } else {
      timeClicks(ctx, e.track, got);
      if (onAudio) onAudio(e.track);
    }
  };
  return [got, onTrack];
}

/** The browser's own view of its jitter buffers per kind (ms per frame or sample, averaged so
 * far): how long a machine's load makes them hold what comes. */
async function buffers(pc) {
  const out = {};
  if (!pc) return out;
  (await pc.getStats()).forEach((s) => {
    if (s.type !== 'inbound-rtp' || !s.jitterBufferEmittedCount) return;
    const per = (v) => Math.round((1000 * (v || 0)) / s.jitterBufferEmittedCount);
    out[s.kind] = { delay: per(s.jitterBufferDelay), target: per(s.jitterBufferTargetDelay),
      minimum: per(s.jitterBufferMinimumDelay) };
  });
  return out;
}

function receiver(ctx, url, token, onAudio) {
  const [got, onTrack] = timed(ctx, onAudio);
  got.link = rtcLink({
    url,
    token,
    onState: (s) => { got.state = s; },
    setup(pc) {
      pc.addTransceiver('audio', { direction: 'recvonly' });
      pc.addTransceiver('video', { direction: 'recvonly' });
      pc.addEventListener('track', onTrack);
    },
  });
  return got;
}

/** The reference: the same camera and microphone straight to a peer connection in the page
 * (one MediaStream, so the browser lip-syncs them by the sender's own reports), no Tolk. */
async function direct(ctx, mic, camera) {
  const [got, onTrack] = timed(ctx, null);
  const a = new RTCPeerConnection();
  const b = new RTCPeerConnection();
  a.addEventListener('icecandidate', (e) => e.candidate && b.addIceCandidate(e.candidate));
  b.addEventListener('icecandidate', (e) => e.candidate && a.addIceCandidate(e.candidate));
  b.addEventListener('track', onTrack);
  b.addEventListener('connectionstatechange', () => { got.state = b.connectionState; });
  got.link = { pc: b };
  const both = new MediaStream([mic, camera]);
  a.addTrack(mic, both);
  a.addTrack(camera, both);
  await a.setLocalDescription();
  await b.setRemoteDescription(a.localDescription);
  await b.setLocalDescription();
  await a.setRemoteDescription(b.localDescription);
  return got;
}

/** Runs the source and the receivers (cfg from lipsync_bench.py); resolves with every time. */
export async function run(cfg) {
  const ctx = new AudioContext({ sampleRate: 48000, latencyHint: 'interactive' });
  await ctx.audioWorklet.addModule(URL.createObjectURL(new Blob([DETECTOR], { type: 'application/javascript' })));
  await ctx.resume();
  const marks = [];
  const [mic, camera] = source(ctx, marks);
  const floorLink = { state: 'new' };
  rtcLink({
    url: cfg.floorWhip,
    token: cfg.floorToken,
    onState: (s) => { floorLink.state = s; },
    setup(pc) {
      pc.addTransceiver(mic, { direction: 'sendonly' });
      pc.addTransceiver(camera, { direction: 'sendonly' });
    },
  });
  const interpreter = { state: 'new' };
  const interpret = (heard) => rtcLink({
    url: cfg.consoleWhip,
    token: cfg.consoleToken,
    onState: async (s) => {
      interpreter.state = s;
      if (s !== 'connected') return;
      const r = await fetch(cfg.consolePatch, {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${cfg.consoleToken}` },
        body: JSON.stringify({ mic: 'on' }),
      });
      interpreter.mic = r.status;
    },
    setup(pc) {
      pc.addTransceiver(heard, { direction: 'sendonly' });
    },
  });
  const receivers = { direct: await direct(ctx, mic, camera) };
  for (const r of cfg.receivers) receivers[r.name] = receiver(ctx, r.url, r.token, r.interprets ? interpret : null);
  await new Promise((done) => setTimeout(done, (cfg.seconds + 2) * 1000 + FIRST_FLASH_MS));
  for (const got of Object.values(receivers)) {
    got.buffers = await buffers(got.link.pc);
    delete got.link;
  }
  return { marks, receivers, floorLink, interpreter, outputTimestamp: ctx.getOutputTimestamp().performanceTime > 0,
    outputLatency: ctx.outputLatency, baseLatency: ctx.baseLatency };
}
