import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SEGMENT_DURATION_S } from '../shared/constants.js';
import { initSegmentName, mediaSegmentName } from '../server/src/media/media-layout.js';
import { startAxonServer } from './lib/axon-server.js';
import { axonDefaultLadder } from './lib/bare-ladder.js';
import type { Benchmark, BenchSettings, Figure } from './lib/benchmark.js';
import { segmentCompletions } from './lib/ffmpeg-run-dir.js';
import { measureAxonLadder, measureBareLadder } from './lib/ladder-legs.js';
import type { LadderWindow } from './lib/ladder-window.js';
import { measureRungQuality, type RungQuality } from './lib/rung-quality.js';
import { TEST_STREAM, TEST_STREAM_1080, testStreamFile, type TestStream } from './lib/test-stream.js';

interface Durations {
  /** Length of the recording published: longer than everything below, so it never ends inside a window. */
  inputS: number;
  warmUpS: number;
  windowS: number;
  /** Frames of each rung compared with the source. */
  qualityFrames: number;
  sources: readonly TestStream[];
}

const FULL: Durations = { inputS: 120, warmUpS: 5, windowS: 30, qualityFrames: 60, sources: [TEST_STREAM, TEST_STREAM_1080] };
const QUICK: Durations = { inputS: 20, warmUpS: 1, windowS: 6, qualityFrames: 5, sources: [TEST_STREAM] };
/** How far from where its segment number puts it a rung's first frame is looked for in the source (frames). */
const MATCH_SEARCH_FRAMES = 30;

/** AXON_TOP_RUNG: `encode` re-encodes every rung; `auto` passes a qualifying source through as the top rung. */
type TopRung = 'encode' | 'auto';

interface AxonLeg {
  window: LadderWindow;
  /** One per rung, top first. */
  quality: RungQuality[];
}

const label = (s: TestStream) => `${s.height}p${s.fps}`;

/** A rung's newest complete segment behind its init segment, as one file FFmpeg reads, and where it starts (frames). */
async function newestSegment(runDir: string, rendition: string, into: string, fps: number): Promise<{ file: string; firstFrame: number }> {
  const newest = (await segmentCompletions(runDir, rendition)).at(-1);
  if (!newest) throw new Error(`rendition ${rendition} has no complete segment in ${runDir}`);
  const file = path.join(into, `rung-${rendition}.mp4`);
  const parts = await Promise.all([initSegmentName(rendition), mediaSegmentName(rendition, newest.number)].map((name) => fsp.readFile(path.join(runDir, name))));
  await fsp.writeFile(file, Buffer.concat(parts));
  // Segment 1 starts with the run's first frame, the recording's first: each holds one 2 s GOP.
  return { file, firstFrame: (newest.number - 1) * SEGMENT_DURATION_S * fps };
}

/** PSNR and SSIM of every rung of a running broadcast against the recording it was published from. */
async function ladderQuality(runDir: string, input: string, source: TestStream, frames: number): Promise<RungQuality[]> {
  const into = fs.mkdtempSync(path.join(os.tmpdir(), 'axon-bench-quality-'));
  try {
    const out: RungQuality[] = [];
    for (const [i, rung] of axonDefaultLadder(source).ladder.rungs.entries()) {
      const { file, firstFrame } = await newestSegment(runDir, String(i), into, source.fps);
      out.push(
        await measureRungQuality({ source: input, rung: file, width: rung.width, height: rung.height, expectedSourceFrame: firstFrame, searchFrames: MATCH_SEARCH_FRAMES, frames }),
      );
    }
    return out;
  } finally {
    fs.rmSync(into, { recursive: true, force: true });
  }
}

/** Axon with AXON_TOP_RUNG=`mode`: a fresh server, the recording published over RTMP; every process of the server counts. */
async function axonLeg(input: string, source: TestStream, mode: TopRung, d: Durations): Promise<AxonLeg> {
  const server = await startAxonServer({ env: { AXON_TOP_RUNG: mode } });
  try {
    const { window, after } = await measureAxonLadder(server, input, d, (runDir) => ladderQuality(runDir, input, source, d.qualityFrames));
    return { window, quality: after };
  } finally {
    await server.stop();
  }
}

interface SourceRuns {
  encode: AxonLeg[];
  auto: AxonLeg[];
  bare: LadderWindow[];
}

function sourceFigures(source: TestStream, r: SourceRuns): Figure[] {
  const name = label(source);
  const cpu = (ws: LadderWindow[]) => ws.map((w) => w.totalCpuSPerMin);
  const windows = (legs: AxonLeg[]) => legs.map((l) => l.window);
  const bareCpu = { name: 'bare FFmpeg, full ladder', values: cpu(r.bare) };
  const bareSpeed = { name: 'bare FFmpeg', values: r.bare.map((w) => w.speed) };
  const realTime = { op: '>=', value: 0.99 } as const;
  const figures: Figure[] = [
    { metric: `${name}: CPU per minute of input, encoded ladder (AXON_TOP_RUNG=encode), all processes (CPU-s)`, values: cpu(windows(r.encode)), reference: bareCpu },
    {
      metric: `${name}: CPU per minute of input, top rung passed through (AXON_TOP_RUNG=auto), all processes (CPU-s)`,
      values: cpu(windows(r.auto)),
      reference: bareCpu,
      target: { op: '<=', value: 0.7, of: 'ratio' },
    },
    ...(['encode', 'auto'] as const).flatMap((mode): Figure[] => [
      {
        metric: `${name}: … of which FFmpeg, AXON_TOP_RUNG=${mode} (CPU-s)`,
        values: windows(r[mode]).map((w) => w.ffmpegCpuSPerMin),
        reference: bareCpu,
      },
      // The server's own share: RTMP in, the pipe into FFmpeg, the packager (idle workers included).
      { metric: `${name}: … of which Node and mediasoup, AXON_TOP_RUNG=${mode} (CPU-s)`, values: windows(r[mode]).map((w) => w.nodeCpuSPerMin + w.mediasoupCpuSPerMin) },
    ]),
    { metric: `${name}: encoded ladder's speed (× real time)`, values: windows(r.encode).map((w) => w.speed), reference: bareSpeed, target: realTime },
    { metric: `${name}: passthrough ladder's speed (× real time)`, values: windows(r.auto).map((w) => w.speed), reference: bareSpeed, target: realTime },
  ];
  for (const [i, rung] of axonDefaultLadder(source).ladder.rungs.entries()) {
    const of = (legs: AxonLeg[], pick: (q: RungQuality) => number) => legs.map((l) => pick(l.quality[i]!));
    figures.push(
      {
        metric: `${name} ${rung.name}: PSNR against the source, passthrough mode (dB)`,
        values: of(r.auto, (q) => q.psnrDb),
        reference: { name: 'encoded ladder', values: of(r.encode, (q) => q.psnrDb) },
      },
      {
        metric: `${name} ${rung.name}: SSIM against the source, passthrough mode`,
        values: of(r.auto, (q) => q.ssim),
        reference: { name: 'encoded ladder', values: of(r.encode, (q) => q.ssim) },
      },
    );
  }
  return figures;
}

const describe = (w: LadderWindow) => `${w.totalCpuSPerMin.toFixed(1)} CPU-s/min (FFmpeg ${w.ffmpegCpuSPerMin.toFixed(1)}), speed ${w.speed.toFixed(3)}`;
const describeQuality = (qs: RungQuality[]) => qs.map((q) => `${q.psnrDb.toFixed(1)} dB/${q.ssim.toFixed(3)}`).join(' ');

/**
 * Issue 21: what each ladder mode costs and what it looks like, for a 720p30 and a 1080p30 RTMP source:
 * Axon encoding every rung, Axon passing the source through as the top rung, and bare FFmpeg encoding
 * the full ladder in the same run; PSNR and SSIM of every rung against the source. Simulcast layers as
 * rungs are not a mode: bench/README.md says what was measured and why.
 */
export const ladderModes: Benchmark = {
  name: 'ladder-modes',
  title: 'Ladder modes: CPU, real time and PSNR/SSIM per rung of encoded and passed-through top rungs, vs bare FFmpeg',
  async run({ quick, runs, log }: BenchSettings): Promise<Figure[]> {
    const d = quick ? QUICK : FULL;
    const figures: Figure[] = [];
    for (const source of d.sources) {
      const input = await testStreamFile(d.inputS, source);
      const r: SourceRuns = { encode: [], auto: [], bare: [] };
      // Interleaved (encode, auto, bare; again): slow drift of the machine's load hits every side alike.
      for (let i = 1; i <= runs; i++) {
        for (const mode of ['encode', 'auto'] as const) {
          r[mode].push(await axonLeg(input, source, mode, d));
          log(`${label(source)} run ${i}: Axon ${mode}: ${describe(r[mode].at(-1)!.window)}; PSNR/SSIM ${describeQuality(r[mode].at(-1)!.quality)}`);
        }
        r.bare.push(await measureBareLadder(input, d, false, source));
        log(`${label(source)} run ${i}: bare FFmpeg: ${describe(r.bare.at(-1)!)}`);
      }
      figures.push(...sourceFigures(source, r));
    }
    return figures;
  },
};
