import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDirs } from '../../test/fixtures/temp-dirs.js';
import { waitFor } from '../../test/fixtures/wait-for.js';
import { createLogger } from '../log.js';
import type { IngestSource, MediaInput } from '../session/ingest.js';
import { planLadder } from './ladder.js';
import { Transcoder } from './transcoder.js';

const tempDir = tempDirs();
const transcoders: Transcoder[] = [];
afterEach(async () => {
  await Promise.all(transcoders.splice(0).map((t) => t.stop()));
});

/**
 * An "FFmpeg" whose first run reports progress and reaches the end of its input (exit 0, as FFmpeg does
 * when an RTMP publisher drops), and whose second run reports its own counts and keeps running.
 */
function scriptedFfmpeg(): string {
  const dir = tempDir('axon-scripted-ffmpeg-');
  const ffmpeg = path.join(dir, 'ffmpeg');
  const runs = path.join(dir, 'runs');
  fs.writeFileSync(
    ffmpeg,
    `#!/bin/sh
echo run >> ${runs}
if [ "$(wc -l < ${runs})" -eq 1 ]; then
  printf 'frame=60\\nfps=29.5\\nspeed=1.5x\\ndrop_frames=3\\ndup_frames=1\\nprogress=continue\\n'
  exit 0
fi
printf 'frame=30\\nfps=30\\nspeed=1.01x\\ndrop_frames=2\\ndup_frames=4\\nprogress=continue\\n'
exec sleep 30
`,
    { mode: 0o755 },
  );
  return ffmpeg;
}

function countingIngest() {
  const counts = { opened: 0, closed: 0 };
  const input = (): MediaInput => ({
    ffmpegInputArgs: [],
    hasAudio: true,
    start: async () => undefined,
    requestKeyFrame: () => undefined,
    close: async () => void (counts.closed += 1),
  });
  const ingest: IngestSource = {
    protocol: 'rtmp',
    video: { width: 640, height: 360 },
    openInput: async () => {
      counts.opened += 1;
      return input();
    },
    onEnded: () => undefined,
    close: async () => undefined,
  };
  return { ingest, counts };
}

describe('Transcoder', () => {
  it('starts a new run when FFmpeg reaches the end of its input, and keeps counting frames across runs', async () => {
    const { ingest, counts } = countingIngest();
    const runDir = tempDir('axon-runs-');
    const started: number[] = [];
    const ended: number[] = [];
    const transcoder = new Transcoder({
      ingest,
      ladder: planLadder(ingest.video, [360], 30),
      ffmpegPath: scriptedFfmpeg(),
      x264Preset: 'ultrafast',
      startRun: async (i) => (started.push(i), runDir),
      endRun: async (i) => void ended.push(i),
      log: createLogger('test'),
    });
    transcoders.push(transcoder);
    expect(transcoder.progress).toBeNull();
    await transcoder.start();

    const second = await waitFor('the second run to report', () => (transcoder.progress?.run === 2 ? transcoder.progress : undefined));
    expect(second).toEqual({ run: 2, speed: 1.01, fps: 30, droppedFrames: 5, duplicatedFrames: 5 });
    expect(Object.isFrozen(second)).toBe(true);
    expect(transcoder.restarts).toBe(1);
    expect(started).toEqual([1, 2]);
    expect(ended).toEqual([1]);
    expect(counts).toEqual({ opened: 2, closed: 1 });
    expect(transcoder.pid).toBeGreaterThan(0);

    await transcoder.stop();
    expect(ended).toEqual([1, 2]);
    expect(counts).toEqual({ opened: 2, closed: 2 });
    expect(transcoder.pid).toBeUndefined();
    expect(transcoder.progress).toBe(second);
  });
});
