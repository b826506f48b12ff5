import type { AxonServer } from './axon-server.js';
import { axonDefaultLadder, renditionCount, startBareLadder } from './bare-ladder.js';
import { sleep } from './benchmark.js';
import { axonRunDir, waitForFirstSegments } from './ffmpeg-run-dir.js';
import { waitUntilPlayable } from './hls.js';
import { measureLadderWindow, type LadderWindow } from './ladder-window.js';
import { publishRtmp, type RtmpPublisher } from './rtmp-publisher.js';
import { TEST_STREAM, type TestStream } from './test-stream.js';

const START_TIMEOUT_MS = 60_000;

export interface LegTiming {
  /** After the stream is playable (every rendition has a segment), before measuring. */
  warmUpS: number;
  windowS: number;
}

/**
 * Publishes the recording over RTMP to a new livestream of `server` and measures one window of the server's
 * whole process tree once it is playable and warmed up; `after` then reads the run directory while the
 * broadcast still runs. Stops the publisher, not the server.
 */
export async function measureAxonLadder<T>(
  server: AxonServer,
  input: string,
  t: LegTiming,
  after: (runDir: string) => Promise<T>,
): Promise<{ window: LadderWindow; after: T }> {
  let publisher: RtmpPublisher | undefined;
  try {
    const livestream = await server.createLivestream('bench ladder');
    publisher = publishRtmp(input, [`${livestream.rtmpUrl}/${livestream.streamKey}`]);
    await waitUntilPlayable(`${server.baseUrl}/live/${livestream.id}/master.m3u8`, START_TIMEOUT_MS).catch((err: Error) => {
      throw new Error(`${err.message}\npublisher: ${publisher?.process.errors()}\nserver:\n${server.logTail()}`);
    });
    await sleep(t.warmUpS * 1000);
    // Throws if FFmpeg was restarted: the window would then include a restart.
    const runDir = () => axonRunDir(server.dataDir, livestream.id);
    const window = await measureLadderWindow(server.pid, runDir, t.windowS);
    if (publisher.process.hasExited) throw new Error(`the RTMP publisher ended inside the window: ${publisher.process.errors()}`);
    return { window, after: await after(runDir()) };
  } finally {
    await publisher?.stop();
  }
}

/** The reference: Axon's FFmpeg command run by itself on the recording (`-re`), nothing else. */
export async function measureBareLadder(input: string, t: LegTiming, passthroughTop: boolean, source: TestStream = TEST_STREAM): Promise<LadderWindow> {
  const bare = startBareLadder(input, passthroughTop, source);
  try {
    const renditions = renditionCount(axonDefaultLadder(source).ladder);
    await waitForFirstSegments(bare.runDir, renditions, START_TIMEOUT_MS, () => !bare.process.hasExited).catch((err: Error) => {
      throw new Error(`${err.message}\n${bare.process.errors()}`);
    });
    await sleep(t.warmUpS * 1000);
    const window = await measureLadderWindow(bare.process.pid, () => bare.runDir, t.windowS);
    if (bare.process.hasExited) throw new Error(`the bare FFmpeg ended inside the window: ${bare.process.errors()}`);
    return window;
  } finally {
    await bare.stop();
  }
}
