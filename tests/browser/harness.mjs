/* SPDX-License-Identifier: EUPL-1.2 */
// Shared by the browser tests: the daemon, a floor sender, tone files, chromium, and waiting
// for a tone measured inside a page (window.tolkProbe).

import { after, before } from 'node:test';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const TOLK_BIN = process.env.TOLK_BIN || join(REPO, 'build', 'mixer', 'daemon', 'tolk');
export const TONE = { floor: 440, a: 880, b: 660 };

/** A 16-bit mono 48 kHz WAV of a sine at `freq` Hz (chromium loops it as the fake microphone). */
export function writeWav(path, freq, seconds = 4, amplitude = 0.3) {
  const rate = 48000;
  const n = rate * seconds;
  const buf = Buffer.alloc(44 + n * 2);
  buf.write('RIFF', 0);
  buf.writeUInt32LE(36 + n * 2, 4);
  buf.write('WAVEfmt ', 8);
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20); // PCM
  buf.writeUInt16LE(1, 22); // mono
  buf.writeUInt32LE(rate, 24);
  buf.writeUInt32LE(rate * 2, 28);
  buf.writeUInt16LE(2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36);
  buf.writeUInt32LE(n * 2, 40);
  for (let i = 0; i < n; i++) buf.writeInt16LE(Math.round(amplitude * 32767 * Math.sin((2 * Math.PI * freq * i) / rate)), 44 + i * 2);
  writeFileSync(path, buf);
  return path;
}

export function freeTcpPort() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

/** A UDP port no socket holds now (a TCP port that is free may be one of a daemon's input ports). */
export function freeUdpPort() {
  return new Promise((ok, fail) => {
    const sock = createSocket('udp4');
    sock.once('error', fail);
    sock.bind(0, '127.0.0.1', () => {
      const { port } = sock.address();
      sock.close(() => ok(port));
    });
  });
}

/** Polls `fn` until it returns a truthy value; throws with the last value after `ms`. */
export async function waitFor(fn, ms = 10000, what = 'condition', every = 100) {
  const deadline = Date.now() + ms;
  let last;
  while (Date.now() < deadline) {
    try {
      last = await fn();
      if (last) return last;
    } catch (error) {
      last = error;
    }
    await sleep(every);
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
}

/** Whether the browser tests can run here; without CI a missing dependency is a skip reason. */
export function missingDependency() {
  if (!existsSync(CHROMIUM)) return `no ${CHROMIUM} (apt-get install chromium)`;
  if (!existsSync(TOLK_BIN)) return `no daemon at ${TOLK_BIN} (build it or set TOLK_BIN)`;
  const gst = spawnSync('gst-launch-1.0', ['--version']);
  if (gst.status !== 0) return 'no gst-launch-1.0';
  return null;
}

/** The `skip` option of a test: a reason outside CI, else false (so CI fails loudly). */
export function skipUnlessReady() {
  const reason = missingDependency();
  return reason && !process.env.CI ? reason : false;
}

export class Daemon {
  /** stateFile: bytes the state file holds before the first start (a corrupt one, say). */
  constructor(token = 'browser-operator-token', extraArgs = [], { stateFile = null } = {}) {
    this.token = token;
    this.extraArgs = extraArgs;
    this.stateFile = stateFile;
    this.log = '';
  }

  async start() {
    this.port = await freeTcpPort();
    const lo = 20000 + 2 * Math.floor(Math.random() * 19000);
    const help = spawnSync(TOLK_BIN, ['--help'], { encoding: 'utf8' }).stdout || '';
    const args = ['--listen', `127.0.0.1:${this.port}`, '--media-address', '127.0.0.1',
      '--rtp-ports', `${lo}-${lo + 199}`, '--token', this.token];
    if (help.includes('--web-dir')) args.push('--web-dir', join(REPO, 'web'));
    if (help.includes('--ice-address')) args.push('--ice-address', '127.0.0.1');
    if (help.includes('--state-dir')) {
      this.stateRoot = mkdtempSync(join(tmpdir(), 'tolk-state-'));
      const dir = join(this.stateRoot, 'state');
      if (this.stateFile) {
        mkdirSync(dir, { mode: 0o700 });
        writeFileSync(join(dir, 'tolk.db'), this.stateFile, { mode: 0o600 });
      }
      args.push('--state-dir', dir);
    }
    args.push(...this.extraArgs);
    this.args = args;
    this.url = `http://127.0.0.1:${this.port}`;
    await this.spawn();
    return this;
  }

  async spawn() {
    this.proc = spawn(TOLK_BIN, this.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    for (const s of [this.proc.stdout, this.proc.stderr]) s.on('data', (d) => { this.log = (this.log + d).slice(-20000); });
    await waitFor(async () => (await fetch(`${this.url}/healthz`).catch(() => ({ ok: false }))).ok, 10000,
      'the daemon /healthz');
  }

  /** Stops the daemon with `signal` and starts it again on the same port, ports and state. */
  async restart(signal = 'SIGKILL') {
    const exited = new Promise((ok) => this.proc.once('exit', ok));
    this.proc.kill(signal);
    await exited;
    await this.spawn();
  }

  /** fetch under the daemon; JSON body in and out; returns {status, body}. */
  async api(method, path, body, token = this.token) {
    const headers = token ? { Authorization: `Bearer ${token}` } : {};
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const r = await fetch(this.url + (path.startsWith('/') ? path : `/api/v1/${path}`), {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    let json = null;
    try { json = JSON.parse(text); } catch { json = text; }
    return { status: r.status, body: json };
  }

  async ok(method, path, body, token) {
    const r = await this.api(method, path, body, token);
    if (r.status >= 300) throw new Error(`${method} ${path} -> ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  /** A page URL with a new token: role 'console' (console 'en/1') or 'listener' (channel 'en'). */
  async pageUrl(sid, tokenBody) {
    const t = await this.ok('POST', `sessions/${sid}/tokens`, tokenBody);
    return { ...t, href: new URL(t.url, this.url).href };
  }

  async stop() {
    if (!this.proc || this.proc.exitCode !== null) return;
    const exited = new Promise((ok) => this.proc.once('exit', ok));
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 8000);
    await exited;
    clearTimeout(timer);
    if (this.stateRoot) rmSync(this.stateRoot, { recursive: true, force: true });
  }
}

/** The sitting of the tests: floor German; booths en (2 consoles, retour fr) and fr (2). */
export const SITTING = {
  id: 'browser',
  name: 'Browser test sitting',
  floor_language: 'de',
  channels: ['de', 'en', 'fr'],
  booths: [{ language: 'en', consoles: 2, b_channels: ['fr'] }, { language: 'fr', consoles: 2 }],
};

/** The floor as a real SRTP Opus sender (as tests/e2e/tolkharness.py), at `freq` Hz. */
export function floorSender(session, freq = TONE.floor) {
  const floor = session.inputs.find((i) => i.id === 'floor');
  const key = Buffer.from(floor.srtp.key, 'base64').toString('hex');
  const pipeline = `audiotestsrc is-live=true wave=sine freq=${freq} volume=0.3 ! audioconvert ! audioresample ! `
    + 'audio/x-raw,rate=48000,channels=1 ! opusenc ! rtpopuspay pt=96 ! '
    + `srtpenc key=${key} rtp-cipher=aes-128-icm rtp-auth=hmac-sha1-80 rtcp-cipher=aes-128-icm rtcp-auth=hmac-sha1-80 ! `
    + `udpsink host=127.0.0.1 port=${floor.port} sync=false async=false`;
  const proc = spawn('gst-launch-1.0', ['-q', ...pipeline.split(' ')], { stdio: 'ignore' });
  return { stop: () => proc.kill('SIGTERM') };
}

/** Chromium with a fake microphone playing a `freq` Hz tone, and a fresh profile; `extraArgs`
 * after the others (a later switch wins: a fake camera's file, say). With `permissions`
 * (['microphone']), only those are granted and any other a page asks for is refused, as a
 * user would (no fake prompt that allows everything). */
export async function launchBrowser(freq, extraArgs = [], { permissions = null } = {}) {
  const { chromium } = await import('playwright-core');
  const dir = mkdtempSync(join(tmpdir(), 'tolk-browser-'));
  const wav = writeWav(join(dir, `tone-${freq}.wav`), freq);
  const context = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: CHROMIUM,
    headless: false, // --headless=new below
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      ...(permissions ? [] : ['--use-fake-ui-for-media-stream']), '--use-fake-device-for-media-stream',
      `--use-file-for-fake-audio-capture=${wav}`, '--autoplay-policy=no-user-gesture-required',
      '--disable-features=WebRtcHideLocalIpsWithMdns', ...extraArgs],
    viewport: { width: 1280, height: 800 },
    ...(permissions ? { permissions } : {}),
  });
  context.on('weberror', (e) => console.error('page error:', e.error().message));
  return {
    context,
    async page(url) {
      const page = await context.newPage();
      page.on('console', (m) => { if (m.type() === 'error') console.error(`[${url.split('#')[0]}] ${m.text()}`); });
      await page.goto(url);
      return page;
    },
    async close() {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The levels (dB) of `freqs` in a page's probe `name`. */
export const tones = (page, freqs, name) => page.evaluate(([f, n]) => window.tolkProbe.tones(f, n), [freqs, name]);

/** Waits until the page's probe hears `freq` clearly above every frequency in `others`. */
export async function waitTone(page, freq, others, name, ms = 15000) {
  return waitFor(async () => {
    const t = await tones(page, [freq, ...others], name);
    const ok = t[freq] > -70 && others.every((o) => t[freq] > t[o] + 20);
    return ok ? t : (waitTone.last = t, false);
  }, ms, `${freq} Hz in probe ${name || 'default'} (last ${JSON.stringify(waitTone.last)})`, 200);
}

/** The text of the first element matching `selector` in `page` now (null if none; no waiting). */
export const text = (page, selector) => page.evaluate((s) => document.querySelector(s)?.textContent ?? null, selector);

/**
 * What most browser tests start from: a daemon with the test sitting, a floor sender when
 * `floor` is a frequency, and one browser per tone in `tones`. Registers node:test's
 * before/after hooks; the returned object is filled in before the tests run.
 */
export function scene({ floor = null, tones: browserTones = [], daemonArgs = [] } = {}) {
  const s = { daemon: null, floor: null, browsers: [] };
  before(async () => {
    if (skipUnlessReady()) return;
    s.daemon = await new Daemon(undefined, daemonArgs).start();
    const session = await s.daemon.ok('POST', 'sessions', SITTING);
    if (floor) s.floor = floorSender(session, floor);
    s.browsers = await Promise.all(browserTones.map((f) => launchBrowser(f)));
  });
  after(async () => {
    for (const b of s.browsers) await b?.close();
    s.floor?.stop();
    await s.daemon?.stop();
  });
  return s;
}
