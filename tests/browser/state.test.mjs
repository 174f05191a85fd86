/* SPDX-License-Identifier: EUPL-1.2 */
// The operator page tells when the sittings cannot be stored (here: a state file that is not a
// database), from /healthz as the page opens; a daemon whose state is fine shows nothing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Daemon, TONE, launchBrowser, skipUnlessReady, text, waitFor } from './harness.mjs';

const skip = skipUnlessReady();
const s = { bad: null, good: null, browser: null };
before(async () => {
  if (skip) return;
  s.bad = await new Daemon('browser-operator-token', [], { stateFile: randomBytes(8192) }).start();
  s.good = await new Daemon().start();
  s.browser = await launchBrowser(TONE.a);
});
after(async () => {
  await s.browser?.close();
  await s.bad?.stop();
  await s.good?.stop();
});

test('the operator page shows a state that cannot be written, and none when it is fine', { skip, timeout: 60000 }, async () => {
  const page = await s.browser.page(`${s.bad.url}/operator/#token=${s.bad.token}`);
  await waitFor(async () => /cannot be stored: .*tolk\.db.*not a database/.test(await text(page, '#state-fault') || ''),
    10000, 'the state fault on the operator page');
  const fine = await s.browser.page(`${s.good.url}/operator/#token=${s.good.token}`);
  await waitFor(() => fine.locator('#sittings').count(), 10000, 'the operator page');
  await new Promise((ok) => setTimeout(ok, 1000)); // /healthz has answered by now
  assert.equal(await text(fine, '#state-fault'), '');
});
