/* SPDX-License-Identifier: EUPL-1.2 */
// The browser half of the lip-sync benchmark (tests/bench/lipsync_bench.py runs it):
//   node tests/bench/lipsync_browser.mjs '<config JSON>'
// Headless Chromium opens one page on the daemon's origin (so /common/rtc.js is the real one
// the daemon serves), runs lipsync_page.js there, and prints what it timed as one JSON line.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(HERE, '..', 'browser', 'package.json'));
const { chromium } = require('playwright-core');

const cfg = JSON.parse(process.argv[2]);
const dir = mkdtempSync(join(tmpdir(), 'tolk-lipsync-'));
const context = await chromium.launchPersistentContext(join(dir, 'profile'), {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: false, // --headless=new below
  args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--autoplay-policy=no-user-gesture-required', '--disable-features=WebRtcHideLocalIpsWithMdns',
    '--disable-background-timer-throttling', '--disable-renderer-backgrounding'],
  viewport: { width: 800, height: 600 },
});
try {
  const page = await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error') console.error(`page: ${m.text()}`); });
  page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
  const html = '<!doctype html><meta charset="utf-8"><title>lip sync</title><body></body>';
  await page.route(`${cfg.base}/lipsync.html`, (r) => r.fulfill({ contentType: 'text/html', body: html }));
  await page.route(`${cfg.base}/lipsync_page.js`, (r) => r.fulfill({
    contentType: 'application/javascript', body: readFileSync(join(HERE, 'lipsync_page.js'), 'utf8'),
  }));
  await page.goto(`${cfg.base}/lipsync.html`);
  const result = await page.evaluate(async (c) => (await import('/lipsync_page.js')).run(c), cfg);
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await context.close();
  rmSync(dir, { recursive: true, force: true });
}
