import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/** A rung's picture against the source's, on the same frames. */
export interface RungQuality {
  /** Mean PSNR over the frames (dB, all planes); identical frames count as PSNR_CAP_DB. */
  psnrDb: number;
  /** Mean SSIM over the frames (all planes); 1 for identical pictures. */
  ssim: number;
  frames: number;
  /** The source frame the rung's first frame was matched with. */
  sourceFrame: number;
}

/** FFmpeg's psnr filter says `inf` for identical frames: counted as this, so that means stay finite. */
export const PSNR_CAP_DB = 100;

export interface RungQualityOptions {
  /** The source as published (any file FFmpeg reads). */
  source: string;
  /** The rung: an init segment and its media segments joined, or any file FFmpeg reads. */
  rung: string;
  width: number;
  height: number;
  /** Where the rung's first frame is expected in the source (frames); the match is searched around it. */
  expectedSourceFrame: number;
  /** How far either side of it to search (frames). */
  searchFrames: number;
  /** Frames compared once matched (fewer if the rung is shorter). */
  frames: number;
}

const run = promisify(execFile);

/** FFmpeg with a filter graph over the rung (input 0) and the source (input 1); stdout carries the filters' stats. */
async function compare(o: RungQualityOptions, graph: string, frames: number): Promise<{ stdout: string; stderr: string }> {
  const args = ['-hide_banner', '-nostdin', '-nostats', '-i', o.rung, '-i', o.source, '-lavfi', graph, '-frames:v', String(frames), '-f', 'null', '-'];
  return run('ffmpeg', args, { maxBuffer: 64 * 1024 * 1024 });
}

/**
 * The source from frame `from` on, framed in the rung's size as the ladder frames it (scaled within it,
 * even-sized, padded to it: 1280x720 becomes 852x480 inside 854x480), so that the figures measure what
 * coding lost, not a pixel of padding.
 */
const scaledSource = (o: RungQualityOptions, from: number) =>
  `[1:v]trim=start_frame=${from},setpts=N/30/TB,scale=${o.width}:${o.height}:flags=bicubic:force_original_aspect_ratio=decrease:force_divisible_by=2,` +
  `pad=${o.width}:${o.height}:-1:-1,format=yuv420p`;

/** Per-frame PSNR from the psnr filter's stats lines (`n:1 mse_avg:... psnr_avg:31.2 ...`). */
export function parsePsnrStats(text: string): number[] {
  return [...text.matchAll(/psnr_avg:(inf|[\d.]+)/g)].map((m) => (m[1] === 'inf' ? PSNR_CAP_DB : Math.min(PSNR_CAP_DB, Number(m[1]))));
}

/** Per-frame SSIM from the ssim filter's stats lines (`n:1 Y:0.99 U:0.99 V:0.99 All:0.991 (20.4)`). */
export function parseSsimStats(text: string): number[] {
  return [...text.matchAll(/All:([\d.]+)/g)].map((m) => Number(m[1]));
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * The source frame the rung's first frame shows: that frame held still and compared with each source
 * frame of the search range in one FFmpeg pass; the best PSNR wins. A moving pattern (testsrc2) has one
 * clear best match, so no timestamps need to be trusted across FFmpeg runs, ingest and packaging.
 */
export async function matchFirstFrame(o: RungQualityOptions): Promise<number> {
  const from = Math.max(0, o.expectedSourceFrame - o.searchFrames);
  const count = o.expectedSourceFrame + o.searchFrames + 1 - from;
  const graph = [
    `[0:v]trim=end_frame=1,loop=loop=${count}:size=1,setpts=N/30/TB,format=yuv420p[still]`,
    `${scaledSource(o, from)}[src]`,
    '[still][src]psnr=stats_file=-',
  ].join(';');
  const psnr = parsePsnrStats((await compare(o, graph, count)).stdout);
  if (psnr.length === 0) throw new Error(`no frame of ${o.source} to match ${o.rung} against`);
  return from + psnr.indexOf(Math.max(...psnr));
}

/**
 * PSNR and SSIM of a rung against the source on the same frames: the rung's first frame is matched in
 * the source (matchFirstFrame), then each following frame of the rung is compared with the source frame
 * as far after it, the source framed in the rung's size as the ladder frames it.
 */
export async function measureRungQuality(o: RungQualityOptions): Promise<RungQuality> {
  const sourceFrame = await matchFirstFrame(o);
  const graph = [
    '[0:v]setpts=N/30/TB,format=yuv420p,split[a][b]',
    `${scaledSource(o, sourceFrame)},split[c][d]`,
    '[a][c]psnr=stats_file=-',
    '[b][d]ssim=stats_file=-',
  ].join(';');
  const { stdout } = await compare(o, graph, o.frames);
  // The filters may log a frame past -frames:v before FFmpeg stops.
  const psnr = parsePsnrStats(stdout).slice(0, o.frames);
  const ssim = parseSsimStats(stdout).slice(0, o.frames);
  if (psnr.length === 0 || ssim.length === 0) throw new Error(`FFmpeg compared no frames of ${o.rung}`);
  return { psnrDb: mean(psnr), ssim: mean(ssim), frames: Math.min(psnr.length, ssim.length), sourceFrame };
}
