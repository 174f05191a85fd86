/* SPDX-License-Identifier: EUPL-1.2 */
// web/common/qr.js against reference matrices made by libqrencode (byte mode, level M).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { qrMatrix, qrSvg } from '../../web/common/qr.js';

const { vectors } = JSON.parse(readFileSync(new URL('./qr-vectors.json', import.meta.url)));

for (const { text, rows } of vectors) {
  test(`QR of ${text.length} bytes equals the reference (version ${(rows.length - 17) / 4})`, () => {
    const mine = qrMatrix(text).map((r) => r.map((d) => (d ? '1' : '0')).join(''));
    assert.deepEqual(mine, rows);
  });
}

test('QR refuses text longer than version 10-M holds', () => {
  assert.throws(() => qrMatrix('z'.repeat(300)), /too long/);
});

test('QR SVG has a quiet zone and one path', () => {
  const svg = qrSvg('hello');
  assert.match(svg, /viewBox="0 0 29 29"/);
  assert.equal((svg.match(/<path/g) || []).length, 1);
});
