/* SPDX-License-Identifier: EUPL-1.2 */
// Screenshots of the floor video on the console (1280x800) and the listener page (390x844), into
// docs/screenshots/: a speaker's camera (a ball on red) live. Run on demand after a build:
// node tests/browser/screenshots-video.mjs
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { RED, camera } from './cameras.mjs';
import { Daemon, REPO, SITTING, TONE, launchBrowser, waitFor } from './harness.mjs';

const OUT = join(REPO, 'docs', 'screenshots');
const daemon = await new Daemon().start();
const session = await daemon.ok('POST', 'sessions', { ...SITTING, name: 'Plenary sitting' });
const sid = session.id;
const floorToken = (await daemon.ok('POST', `sessions/${sid}/tokens`, { role: 'floor' })).token;
const speaker = await camera(daemon, `/api/v1/sessions/${sid}/whip/floor?name=Speaker`, floorToken, RED, TONE.floor);
const browser = await launchBrowser(TONE.a);
try {
  mkdirSync(OUT, { recursive: true });
  await daemon.ok('PATCH', `sessions/${sid}/channels/en`, { video: true });
  const shots = [
    ['console-video-desktop.png', { role: 'console', console: 'en/1' }, { width: 1280, height: 800 }],
    ['listen-video-phone.png', { role: 'listener', channel: 'en' }, { width: 390, height: 844 }],
  ];
  for (const [name, token, viewport] of shots) {
    const page = await browser.page((await daemon.pageUrl(sid, token)).href);
    await page.setViewportSize(viewport);
    await waitFor(() => page.locator('#picture[data-state="playing"]').count(), 30000, `the picture on ${name}`);
    await sleep(2000); // meters moving
    const path = join(OUT, name);
    await page.screenshot({ path });
    console.log(path);
    await page.close();
  }
} finally {
  await browser.close();
  speaker.stop();
  await daemon.stop();
}
