/* SPDX-License-Identifier: EUPL-1.2 */
// One AudioContext per page, remote streams into it, and a button for when sound is blocked.

let ctx = null;

export function audioContext() {
  if (!ctx) ctx = new AudioContext({ latencyHint: 'interactive' });
  return ctx;
}

/**
 * A MediaStreamAudioSourceNode for a received stream. Chromium only runs a remote WebRTC stream
 * through WebAudio while a media element plays it too, so a muted <audio> keeps it flowing.
 */
export function streamSource(stream) {
  const el = new Audio();
  el.muted = true;
  el.srcObject = stream;
  el.play().catch(() => {});
  const node = audioContext().createMediaStreamSource(stream);
  node.keepAlive = el;
  return node;
}

/** Shows `button` while the browser holds the sound back until a tap, and resumes on tap. */
export function unblockSoundWith(button) {
  const ac = audioContext();
  const update = () => {
    button.hidden = ac.state === 'running';
  };
  button.addEventListener('click', () => ac.resume().then(update));
  ac.addEventListener('statechange', update);
  update();
}
