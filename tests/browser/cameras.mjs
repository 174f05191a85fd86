/* SPDX-License-Identifier: EUPL-1.2 */
// WHIP cameras for the floor video's browser tests and screenshots: video-peer (tests/webrtc,
// a webrtcbin peer) publishing a ball on a colour in VP8 and a sine, as the speaker page would.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { VIDEO_PEER } from './video_peer.mjs';

export { VIDEO_PEER };
export const RED = '0xffff0000';
export const BLUE = '0xff0000ff';

/** Why the cameras cannot run here (no video-peer built), or null. */
export const noCameras = () => (existsSync(VIDEO_PEER) ? null : `no ${VIDEO_PEER} (build it or set VIDEO_PEER_BIN)`);

/**
 * A WHIP camera on `path` (e.g. /api/v1/sessions/s/whip/floor?name=Speaker) for 5 minutes:
 * resolves to {proc, stop()} once it is connected; rejects when it was refused or never connected.
 */
export async function camera(daemon, path, token, colour, hz) {
  const proc = spawn(VIDEO_PEER, ['publish', String(daemon.port), path, token, '300', colour, String(hz)],
    { stdio: ['ignore', 'pipe', 'ignore'] });
  const lines = createInterface({ input: proc.stdout });
  const first = await new Promise((ok) => {
    lines.once('line', (l) => ok(JSON.parse(l)));
    proc.once('exit', () => ok(null));
  });
  if (!first?.connected) {
    proc.kill('SIGTERM');
    throw new Error(`the camera on ${path} did not connect: ${JSON.stringify(first)}`);
  }
  return { proc, stop: () => proc.kill('SIGTERM') };
}
