/* SPDX-License-Identifier: EUPL-1.2 */
// The floor video panel's SRTP (or plain RTP) sources (docs/video.md "SRTP video sources"): the
// "Add SRTP source" form, and per source what its sender needs (port, key, SDP, a gst-launch-1.0
// and an ffmpeg command line for the sitting's codec), "New key" and its input's counters.
// Runs on the page's one thread. What the page's user set (the form's fields and its message,
// which sources' sender details are open) is kept here, so a redraw of the panel keeps it.

import { el, keepFocus } from '../common/dom.js';

const ui = { name: '', encrypted: true, message: '', open: new Set() };

/** The input's counters the panel shows (`input` of an RTP source), with their column titles:
 * what arrived, then what was dropped and why. */
export const INPUT_COUNTS = [
  ['received', 'Received', 'datagrams on the port'],
  ['media', 'Media', 'RTP packets taken'],
  ['rtcp', 'RTCP', 'RTCP packets taken'],
  ['auth_failed', 'Auth failed', 'dropped: not under this key (an old key, another sender)'],
  ['replayed', 'Replayed', 'dropped: seen before (a sender restarted with its SSRC: give it a new key)'],
  ['not_rtp', 'Not RTP', 'dropped: not RTP'],
  ['second_sender', 'Second sender', 'dropped: from a second address while the first one sends'],
  ['wrong_payload_type', 'Wrong type', 'dropped: a payload type not the sitting\'s codec'],
  ['oversized', 'Oversized', 'dropped: larger than a packet may be'],
  ['rtcp_failed', 'RTCP failed', 'dropped: RTCP that failed authentication'],
];

/** The add form's actions, on the page's client: `addVideoSource` throws the API's error (the
 * form shows it by itself), `rekeyVideoSource` asks first. */
export function rtpActions(client, videoPath, guard, shown) {
  return {
    addVideoSource: async (body) => {
      await client().post(videoPath('sources'), body);
      shown(await client().get(videoPath()));
    },
    rekeyVideoSource: guard(async (source) => {
      if (!confirm(`A new key for "${source.name}"? Its sender is refused until it sends under the new key.`)) return;
      await client().post(videoPath('sources', source.id, 'rekey'));
      shown(await client().get(videoPath()));
    }),
  };
}

/** "Add SRTP source": a name (empty: the daemon's "Camera N") and "encrypted"; a refusal (a
 * name too long, plain RTP the daemon does not allow) is shown under the form, in the API's words. */
export function addForm(act) {
  const message = el('p', { class: 'error', role: 'alert', 'data-video': 'add-message' }, ui.message);
  const name = el('input', { name: 'name', value: ui.name, placeholder: 'empty: Camera N', autocomplete: 'off',
    oninput: (e) => { ui.name = e.target.value; } });
  const encrypted = el('input', { type: 'checkbox', name: 'encrypted', checked: ui.encrypted,
    onchange: (e) => { ui.encrypted = e.target.checked; } });
  const submit = async (e) => {
    e.preventDefault();
    const body = { encrypted: ui.encrypted, ...(ui.name ? { name: ui.name } : {}) };
    ui.message = '';
    try {
      await act.addVideoSource(body);
      ui.name = '';
    } catch (error) {
      ui.message = error.message;
    }
    syncForms();
  };
  const form = el('form', { class: 'video-add', 'aria-label': 'Add SRTP source', onsubmit: submit },
    el('label', {}, 'Name ', name),
    el('label', { class: 'check', title: 'unchecked: plain RTP, only if the daemon allows it (--allow-plain-rtp)' },
      encrypted, ' encrypted (SRTP)'),
    el('button', { type: 'submit', class: 'small' }, 'Add SRTP source'), message);
  keepFocus(form, (old) => old.matches('#video form.video-add'));
  return form;
}

/** The forms on the page brought to `ui`: the panel may have been redrawn while the request ran. */
function syncForms() {
  for (const form of document.querySelectorAll('#video form.video-add')) {
    form.querySelector('input[name="name"]').value = ui.name;
    form.querySelector('[data-video="add-message"]').textContent = ui.message;
  }
}

/** The 30-byte key (base64) as hex, which GStreamer's srtpenc wants. */
const hexKey = (b64) => [...atob(b64)].map((c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join('');

const GST_ENCODER = {
  vp8: (pt) => `vp8enc keyframe-max-dist=60 deadline=1 target-bitrate=1500000 ! rtpvp8pay pt=${pt} mtu=1200`,
  // openh264enc (gstreamer1.0-plugins-bad) is in Debian; x264enc (-ugly) often is not installed.
  h264: (pt) => `openh264enc gop-size=60 bitrate=1500000 ! h264parse ! rtph264pay pt=${pt} mtu=1200 config-interval=-1`,
};
const FFMPEG_ENCODER = {
  vp8: '-c:v libvpx -deadline realtime -cpu-used 8 -b:v 1500k -g 60',
  h264: '-c:v libx264 -preset veryfast -tune zerolatency -profile:v baseline -pix_fmt yuv420p -g 60 -bsf:v dump_extra',
};

/** Sender command lines (a test pattern: put the camera in its place) for this source, to the
 * host of the page's address: as docs/api.md's, with the port and key filled in. */
export function senderCommands(src, codec, hostname = location.hostname) {
  const host = hostname.replace(/^\[|\]$/g, ''); // an IPv6 address: bare for udpsink, bracketed in a URL
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const key = src.srtp?.key;
  const srtpenc = key ? `srtpenc key=${hexKey(key)} rtp-cipher=aes-128-icm rtp-auth=hmac-sha1-80 `
    + 'rtcp-cipher=aes-128-icm rtcp-auth=hmac-sha1-80 ! ' : '';
  const gst = 'gst-launch-1.0 videotestsrc is-live=true ! video/x-raw,width=1280,height=720,framerate=30/1 ! '
    + `${GST_ENCODER[codec](src.payload_type)} ! ${srtpenc}udpsink host=${host} port=${src.port}`;
  const srtp = key ? `-srtp_out_suite ${src.srtp.suite} -srtp_out_params '${key}' ` : '';
  const ffmpeg = `ffmpeg -re -f lavfi -i testsrc=size=1280x720:rate=30 ${FFMPEG_ENCODER[codec]} `
    + `-payload_type ${src.payload_type} -f rtp ${srtp}'${key ? 'srtp' : 'rtp'}://${urlHost}:${src.port}`
    + `?rtcpport=${src.port}&pkt_size=1200'`;
  return { gst, ffmpeg };
}

/** `text` on the clipboard; without one (a page on plain HTTP but localhost) from a selected
 * text area, as browsers still allow. */
async function copy(text, button) {
  if (navigator.clipboard) {
    await navigator.clipboard.writeText(text);
  } else {
    const area = el('textarea', { class: 'offscreen' }, text);
    document.body.append(area);
    area.select();
    document.execCommand('copy');
    area.remove();
  }
  button.dataset.copied = 'true';
  setTimeout(() => delete button.dataset.copied, 2000);
}

function download(name, text) {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/sdp' }));
  const a = el('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

/** A copy button for `text`, named for `what` ("Copy the SDP of Hall"). */
const copyButton = (label, what, text) => el('button', { type: 'button', class: 'small', 'aria-label': what,
  onclick: (e) => copy(text, e.currentTarget).catch(() => {}) }, label);

const fileName = (src) => `${(src.name || src.id).replace(/[^\p{L}\p{N}._-]+/gu, '_')}.sdp`;

/** One command line with its copy button. */
const commandLine = (kind, label, text, name) => el('div', { class: 'command' },
  el('span', { class: 'muted' }, label), el('pre', { 'data-command': kind }, text),
  copyButton('Copy', `Copy the ${label} command for ${name}`, text));

/** The input's counters (in place: showRtpCounts writes them). */
function inputCounts(src) {
  return el('div', { class: 'table-wrap' }, el('table', { class: 'input-counts' },
    el('thead', {}, el('tr', {}, ...INPUT_COUNTS.map(([, label, title]) => el('th', { scope: 'col', title }, label)))),
    el('tbody', {}, el('tr', {}, ...INPUT_COUNTS.map(([key]) => el('td', { 'data-input-count': key },
      String(src.input?.[key] ?? '–')))))));
}

/** What the sender of RTP source `src` needs, under the table: open on demand (it shows the key). */
export function senderBlock(src, codec, act) {
  const name = src.name || src.id;
  const { gst, ffmpeg } = senderCommands(src, codec);
  const which = `${src.id}:${src.port}`; // ids repeat across sittings, ports do not
  const details = el('details', { open: ui.open.has(which), ontoggle: (e) => {
    if (e.target.open) ui.open.add(which); else ui.open.delete(which);
  } }, el('summary', {}, `Send to ${name}: port, key, SDP, commands`),
  el('p', { class: 'row' },
    el('span', {}, 'Port ', el('strong', { 'data-rtp': 'port' }, String(src.port))),
    el('span', {}, 'Payload type ', el('strong', {}, String(src.payload_type))),
    src.srtp ? el('span', {}, `Key (${src.srtp.suite}) `, el('code', { 'data-rtp': 'key' }, src.srtp.key), ' ',
      copyButton('Copy', `Copy the key of ${name}`, src.srtp.key))
      : el('span', { class: 'plain-badge', title: 'anyone on the hall network can send to it' }, 'plain RTP, not encrypted'),
    src.srtp ? el('button', { type: 'button', class: 'small danger', onclick: () => act.rekeyVideoSource(src) }, `New key for ${name}`) : null),
  el('p', { class: 'row' }, el('span', {}, 'SDP'),
    copyButton('Copy SDP', `Copy the SDP of ${name}`, src.sdp),
    el('button', { type: 'button', class: 'small', onclick: () => download(fileName(src), src.sdp) }, `Download ${fileName(src)}`)),
  commandLine('gst', 'gst-launch-1.0', gst, name), commandLine('ffmpeg', 'ffmpeg', ffmpeg, name),
  inputCounts(src));
  return el('div', { class: 'video-send', 'data-video-send': src.id }, details);
}

/** The input counters of RTP source `src` written into its sender block under `panel`. */
export function showRtpCounts(panel, src) {
  const row = panel.querySelector(`[data-video-send="${CSS.escape(src.id)}"]`);
  for (const [key] of INPUT_COUNTS) {
    const cell = row?.querySelector(`[data-input-count="${key}"]`);
    if (cell) cell.textContent = String(src.input?.[key] ?? '–');
  }
}
