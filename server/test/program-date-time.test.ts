import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Livestream } from '../../shared/livestream.js';
import { sampleTree } from '../../bench/lib/process-tree.js';
import { apiCaller } from './fixtures/api-call.js';
import { type AxonProcess, startAxon } from './fixtures/axon-process.js';
import { FfmpegRtmpPublisher } from './fixtures/ffmpeg-rtmp-publisher.js';
import { tempDirs } from './fixtures/temp-dirs.js';
import { waitFor } from './fixtures/wait-for.js';

const TOKEN = 'program-date-time-token-0123456789';
const makeTempDir = tempDirs();
/** Axon's segment duration: segment n of a run starts (n - 1) × 2 s after the frame the run starts from. */
const SEGMENT_S = 2;
/**
 * How far a segment's PROGRAM-DATE-TIME may be from when the publisher sent its first frame: FFmpeg's start
 * before it paces its input (-re), the send and the arrival on loopback. Dating a segment from when FFmpeg
 * finished it would be later by the transcode's whole delay.
 */
const BOUND_MS = 400;
/** The publisher's keyframe interval: a run restarted within a GOP starts from its cached keyframe. */
const PUBLISHER_GOP_S = 10;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

let axon: AxonProcess;
const api = apiCaller(() => axon.base, TOKEN);

beforeAll(async () => {
  // Encoded from the start: a source with 10 s GOPs would otherwise begin with a copied top rung and switch
  // to encoding 2 s in (a run of its own), and the runs below are counted.
  axon = await startAxon(makeTempDir('axon-pdt-'), TOKEN, { AXON_TOP_RUNG: 'encode' });
}, 90_000);

afterAll(async () => {
  await axon?.kill();
});

interface DatedSegment {
  run: number;
  number: number;
  pdt: number;
}

/** The newest complete segment of the only rung's live playlist (run and number from its path) with the date the playlist gives it. */
async function newestSegment(livestreamId: string): Promise<DatedSegment | undefined> {
  const res = await fetch(`${axon.base}/live/${livestreamId}/144p.m3u8`);
  if (!res.ok) return undefined;
  let pdt: number | undefined;
  let newest: DatedSegment | undefined;
  for (const line of (await res.text()).split('\n')) {
    if (line.startsWith('#EXT-X-PROGRAM-DATE-TIME:')) pdt = Date.parse(line.slice('#EXT-X-PROGRAM-DATE-TIME:'.length));
    const m = /^[^#].*\/r(\d+)\/seg-\d+-(\d+)\.m4s$/.exec(line);
    if (m && pdt !== undefined) {
      newest = { run: Number(m[1]), number: Number(m[2]), pdt };
      pdt += SEGMENT_S * 1000;
    }
  }
  return newest;
}

/** Waits for the newest segment to be at least segment `number` of run `run`. */
function segmentOf(livestreamId: string, run: number, number: number): Promise<DatedSegment> {
  return waitFor(`segment ${number} of run ${run}`, async () => {
    const s = await newestSegment(livestreamId);
    return s && s.run === run && s.number >= number ? s : undefined;
  }, 30_000);
}

/** The transcoding FFmpeg of the server (not a thumbnail's), a child of the process this test started. */
async function transcoderPid(): Promise<number> {
  const children = (await sampleTree(axon.child.pid!)).filter((p) => p.ppid === axon.child.pid && p.comm === 'ffmpeg');
  const transcoder = children.find((p) => fs.readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').includes('\0dash\0'));
  if (!transcoder) throw new Error('no transcoding FFmpeg');
  return transcoder.pid;
}

describe('PROGRAM-DATE-TIME', () => {
  it('dates RTMP segments by when their first frame reached Axon, also in a run restarted from a cached GOP', async () => {
    const livestream = (await api('POST', '/api/livestreams', { body: { name: 'pdt rtmp', record: false } })).json as Livestream;
    const url = `rtmp://127.0.0.1:${axon.rtmpPort}/live/${livestream.streamKey}`;
    // The publisher paces its frames from its start (-re): the frame at t s of its clock goes out t s after it.
    const startedAt = Date.now();
    const publisher = new FfmpegRtmpPublisher({ url, width: 320, height: 180, keyframeIntervalS: PUBLISHER_GOP_S, durationS: 40 });
    const errorMs = (s: DatedSegment, publisherS: number) => s.pdt - (startedAt + publisherS * 1000);
    try {
      const first = await segmentOf(livestream.id, 1, 3);
      const firstError = errorMs(first, (first.number - 1) * SEGMENT_S);
      expect(firstError, `segment ${first.number}: ${firstError} ms after its first frame was sent`).toBeGreaterThanOrEqual(0);
      expect(firstError).toBeLessThan(BOUND_MS);

      // FFmpeg dies 3.5 s into the publisher's second GOP: the next run starts from that GOP's keyframe,
      // cached since it arrived. FFmpeg finishes the run's first segment at once, well after its frames came.
      await sleep(startedAt + (PUBLISHER_GOP_S + 3.5) * 1000 - Date.now());
      process.kill(await transcoderPid(), 'SIGKILL');
      const next = await segmentOf(livestream.id, 2, 2);
      const nextError = errorMs(next, PUBLISHER_GOP_S + (next.number - 1) * SEGMENT_S);
      expect(nextError, `segment ${next.number} of the restarted run: ${nextError} ms after its first frame was sent`).toBeGreaterThanOrEqual(0);
      expect(nextError).toBeLessThan(BOUND_MS);
    } finally {
      await publisher.kill();
    }
  }, 90_000);
});
