/* SPDX-License-Identifier: EUPL-1.2 */
// Screenshots of the pages at desktop (1280x800) and phone (390x844) width (the speaker page at
// phone width only), into docs/screenshots/. Run on demand: node tests/browser/screenshots.mjs
// [page...] (console, listen, operator, speaker; all by default).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Daemon, REPO, SITTING, TONE, floorSender, launchBrowser, waitFor } from './harness.mjs';

const OUT = join(REPO, 'docs', 'screenshots');
const SIZES = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } };
const ONLY = process.argv.slice(2);
const wanted = (name) => !ONLY.length || ONLY.includes(name);

const daemon = await new Daemon().start();
const session = await daemon.ok('POST', 'sessions', { ...SITTING, name: 'Plenary sitting' });
const floor = floorSender(session, TONE.floor);
const browser = await launchBrowser(TONE.a);
try {
  mkdirSync(OUT, { recursive: true });
  const sid = session.id;
  // A sitting in use: en/1 live on its page, fr/1 live from a relay, a signal in the queue.
  const desk = await daemon.pageUrl(sid, { role: 'console', console: 'en/1' });
  const deskPage = await browser.page(desk.href);
  await waitFor(() => deskPage.locator('#state-mic[data-state="connected"]').count(), 15000, 'the WHIP link');
  await daemon.ok('PATCH', `sessions/${sid}/booths/en/consoles/1`, { mic: 'on' });
  await daemon.ok('PATCH', `sessions/${sid}/booths/fr/consoles/1`, { listen: 'en', mic: 'on' });
  await daemon.ok('POST', `sessions/${sid}/signals`, { kind: 'slower', console: 'fr/1' });
  await daemon.ok('PATCH', `sessions/${sid}/channels/floor`, { public: true }); // listeners get the balance
  const ear = await daemon.pageUrl(sid, { role: 'listener', channel: 'en' });
  await daemon.pageUrl(sid, { role: 'listener', channel: 'fr' });
  const pages = {
    console: desk.href,
    listen: ear.href,
    operator: `${daemon.url}/operator/#session=${sid}&token=${daemon.token}`,
  };
  for (const [name, url] of Object.entries(pages)) {
    if (!wanted(name)) continue;
    for (const [size, viewport] of Object.entries(SIZES)) {
      const page = name === 'console' ? deskPage : await browser.page(url);
      await page.setViewportSize(viewport);
      await sleep(2500); // connections up, meters moving
      const path = join(OUT, `${name}-${size}.png`);
      await page.screenshot({ path });
      console.log(path);
      if (page !== deskPage) await page.close();
    }
  }
  if (wanted('speaker')) { // a remote speaker on the floor (the RTP floor sender stopped first)
    floor.stop();
    await deskPage.close();
    const speaker = await browser.page((await daemon.pageUrl(sid, { role: 'floor' })).href);
    await speaker.setViewportSize(SIZES.phone);
    await speaker.getByRole('button', { name: 'Start speaking' }).click();
    await waitFor(() => speaker.locator('#onair[data-live="true"]').count(), 15000, 'the speaker on air');
    await sleep(1500);
    const path = join(OUT, 'speaker-phone.png');
    await speaker.screenshot({ path });
    console.log(path);
  }
} finally {
  await browser.close();
  floor.stop();
  await daemon.stop();
}
