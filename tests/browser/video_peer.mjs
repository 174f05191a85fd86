/* SPDX-License-Identifier: EUPL-1.2 */
// Shared by the floor video's browser tests: a video-peer process (tests/webrtc/video_peer.c),
// a webrtcbin camera or console viewer of the daemon, and its JSON reports as they come.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { REPO, waitFor } from './harness.mjs';

export const VIDEO_PEER = process.env.VIDEO_PEER_BIN || join(REPO, 'build', 'tests', 'webrtc', 'video-peer');

/** The `skip` option with `ready` (skipUnlessReady()): also a reason when video-peer is not built. */
export const videoSkip = (ready) => ready || (!existsSync(VIDEO_PEER) && !process.env.CI ? `no ${VIDEO_PEER} (build it)` : false);

/** `video-peer MODE PORT ARGS...` against the daemon on `port`; pushed to `peers` (to stop them). */
export function videoPeer(port, peers, mode, ...args) {
  const proc = spawn(VIDEO_PEER, [mode, String(port), ...args.map(String)], { stdio: ['ignore', 'pipe', 'ignore'] });
  const peer = {
    lines: [],
    first: () => waitFor(() => peer.lines[0], 25000, `the first line of video-peer ${mode}`),
    last: () => (peer.lines.length > 1 ? peer.lines.at(-1) : { frames: 0, red: 0, blue: 0, tone_blocks: 0 }),
    async until(test, what, ms = 15000) {
      try {
        return await waitFor(() => peer.lines.length > 1 && test(peer.lines.at(-1)) && peer.lines.at(-1), ms, what);
      } catch (error) {
        throw new Error(`${error.message.split(';')[0]}; the peer's last report: ${JSON.stringify(peer.last())}`);
      }
    },
    stop: () => proc.exitCode === null && proc.kill('SIGTERM'),
  };
  createInterface({ input: proc.stdout }).on('line', (line) => {
    try { peer.lines.push(JSON.parse(line)); } catch { /* not a report */ }
  });
  peers.push(peer);
  return peer;
}
