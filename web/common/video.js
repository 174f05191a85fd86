/* SPDX-License-Identifier: EUPL-1.2 */
// The floor video on the console and listener pages: a WHEP link changed make before break (the
// ears are never cut), the <video> with its caption and its watchdog, and the remembered
// "Picture" switch. Everything runs on the page's main thread, from events and timers.

import { answeredVideo, whep } from './whep.js';

const STALL_MS = 3000; // no frame for this long while a source is live: the picture failed
const POLL_MS = 200;
const HANG_UP_MS = 250; // the old link plays on this long once the new one plays: past the crossfade

/** Resolves once the link's connection has received audio packets; false if `gone()` first. */
async function audioFlowing(link, gone) {
  while (!gone()) {
    const stats = await link.pc?.getStats().catch(() => null);
    for (const r of stats?.values() ?? []) {
      if (r.type === 'inbound-rtp' && r.kind === 'audio' && r.packetsReceived > 0) return true;
    }
    await new Promise((ok) => setTimeout(ok, POLL_MS));
  }
  return false;
}

/**
 * One WHEP reception at a time, changed make before break. want({url, token, video}) opens the
 * new link while the old one plays on; only once audio arrives on the new one are its stream
 * given to onAudio(stream, wish) and its picture to onPicture(track | null, answered | null),
 * and the old link ended (after the sound's crossfade). onState(state, error, wish) follows the
 * playing link (the first one until it plays); onSwitchFailed(error, wish) says that a new link
 * was refused while the old one plays on.
 */
export function mediaSwitch({ onAudio, onPicture = () => {}, onState = () => {}, onSwitchFailed = () => {} }) {
  let playing = null;
  let next = null;

  // answered: whether the answer sends the picture; null for a link that did not ask for it.
  const picture = (c) => onPicture(c.video ? c.track : null, c.video ? answeredVideo(c.link.pc) : null);

  function promote(c) {
    if (next !== c) return;
    const old = playing;
    playing = c;
    next = null;
    onAudio(c.stream, c.wish);
    picture(c);
    onState(c.state, null, c.wish);
    if (old) setTimeout(() => old.link.close(), HANG_UP_MS); // after the crossfade of the sound
  }

  function stateOf(c, state, error) {
    c.state = state;
    if (playing === c || (!playing && next === c)) onState(state, error, c.wish);
    if (state === 'connected' && next === c) audioFlowing(c.link, () => next !== c).then((ok) => ok && promote(c));
    if (state === 'failed' && next === c && playing) {
      next = null;
      onSwitchFailed(error, c.wish);
    }
  }

  function open(wish) {
    const { url, token, video } = wish;
    const c = { key: `${url} ${video}`, wish, video, stream: null, track: null, state: 'connecting', link: null };
    c.link = whep(url, token, (stream) => {
      c.stream = stream;
      if (playing === c) onAudio(stream, wish); // the playing link reconnected by itself
    }, (state, error) => stateOf(c, state, error), {
      video,
      onVideo: (track) => {
        c.track = track;
        if (playing === c) picture(c);
      },
    });
    return c;
  }

  return {
    want(wish) {
      const key = `${wish.url} ${Boolean(wish.video)}`;
      if ((next ?? playing)?.key === key) return;
      if (next) next.link.close(); // a newer wish replaces one not yet playing
      next = null;
      if (playing?.key === key) return; // back to what plays: nothing to change
      next = open({ ...wish, video: Boolean(wish.video) });
    },
    /** The link that plays now (its pc for stats), or null. */
    get link() {
      return playing?.link ?? null;
    },
    close() {
      for (const c of [next, playing]) c?.link.close();
      next = playing = null;
    },
  };
}

/**
 * The picture: a muted <video> (the sound goes through the page's audio path) and its caption.
 * show(track, answered) after every switch (answered null: the link did not ask for a picture);
 * setLive(session.video) on session changes; setWanted(on) with the Picture switch. data-state
 * on `box`: playing, waiting (for the first frame), none (nothing live), off, unavailable (the
 * answer has no picture), stalled (no frame for 3 s while a source is live).
 */
export function pictureView(box, video, caption) {
  let track = null;
  let answered = null; // unknown until the first link plays
  let wanted = true;
  let live = { live: false, live_name: null };
  let lastFrame = 0;
  let shownAt = 0;
  video.muted = true;
  video.playsInline = true;

  function frame() {
    lastFrame = performance.now();
    video.requestVideoFrameCallback(frame);
  }
  if ('requestVideoFrameCallback' in video) video.requestVideoFrameCallback(frame);

  function state() {
    if (!wanted) return ['off', 'Picture off: sound only'];
    if (!live.live) return ['none', 'No picture'];
    const name = live.live_name || 'Floor';
    if (answered === null) return ['waiting', `${name}: starting`]; // no link with the picture plays yet
    if (!answered) return ['unavailable', 'The picture is not available: sound only'];
    const since = Math.max(lastFrame, shownAt);
    if (performance.now() - since > STALL_MS) return ['stalled', 'The picture stopped: the sound goes on'];
    return lastFrame > shownAt ? ['playing', name] : ['waiting', `${name}: starting`];
  }

  function render() {
    const [s, text] = state();
    box.dataset.state = s;
    if (caption.textContent !== text) caption.textContent = text;
  }
  setInterval(render, 500);

  return {
    show(t, ok) {
      track = t;
      answered = ok;
      shownAt = performance.now();
      video.srcObject = track ? new MediaStream([track]) : null;
      if (track) video.play().catch(() => {});
      render();
    },
    setLive(v) {
      if (!live.live && v?.live) shownAt = performance.now(); // a picture comes: give it time to start
      live = v || { live: false, live_name: null };
      render();
    },
    setWanted(on) {
      if (on && !wanted) shownAt = performance.now(); // the stall watch starts with the new link
      wanted = on;
      render();
    },
  };
}

/** The Picture switch `input` (a checkbox), its choice kept in localStorage under `key`. */
export function pictureChoice(input, key, onChange) {
  const stored = (() => { try { return localStorage.getItem(key); } catch { return null; } })();
  input.checked = stored !== 'off';
  input.addEventListener('change', () => {
    try { localStorage.setItem(key, input.checked ? 'on' : 'off'); } catch { /* private mode: not kept */ }
    onChange(input.checked);
  });
  return { get on() { return input.checked; } };
}
