import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../server/src/config.js';
import { buildTranscodeArgs } from '../../server/src/transcode/ffmpeg-args.js';
import { type FfmpegProgress, ProgressParser } from '../../server/src/transcode/ffmpeg-progress.js';
import { type Ladder, planLadder } from '../../server/src/transcode/ladder.js';
import { onCleanup } from './cleanup.js';
import { startProcess, type OwnedProcess } from './owned-process.js';
import { TEST_STREAM, type TestStream } from './test-stream.js';

/** What Axon runs for a test stream with its default configuration (AXON_LADDER, AXON_FPS, AXON_X264_PRESET unset). */
export function axonDefaultLadder(source: TestStream = TEST_STREAM): { ladder: Ladder; x264Preset: string } {
  const { transcode } = loadConfig({});
  return { ladder: planLadder(source, transcode.ladderHeights, transcode.fps), x264Preset: transcode.x264Preset };
}

/** Renditions FFmpeg writes for a ladder: one per rung, then the audio. */
export const renditionCount = (ladder: Ladder) => ladder.rungs.length + 1;

/** Replaces the first `name value` pair of an argument list; throws if it is not there (the arguments changed). */
function replaceOption(args: string[], name: string, replacement: (value: string) => string[]): void {
  const at = args.indexOf(name);
  if (at < 0 || at + 1 >= args.length) throw new Error(`Axon's FFmpeg arguments have no ${name} any more: update bench/lib/bare-ladder.ts`);
  args.splice(at, 2, ...replacement(args[at + 1]!));
}

/**
 * Axon's own FFmpeg command for the test stream, reading the recording in real time (`-re`) instead of
 * an RTMP publish on stdin. With `passthroughTop`, the top rung is the source's H.264 copied as it is
 * (possible because the source has keyframes every 2 s) and only the lower rungs are encoded.
 */
export function bareLadderArgs(inputFile: string, runDir: string, passthroughTop: boolean, source: TestStream = TEST_STREAM): string[] {
  const { ladder, x264Preset } = axonDefaultLadder(source);
  const encoded = passthroughTop ? { ...ladder, rungs: ladder.rungs.slice(1) } : ladder;
  const args = buildTranscodeArgs({ inputArgs: ['-re', '-f', 'flv', '-i', inputFile], hasAudio: true, ladder: encoded, x264Preset, runDir });
  if (!passthroughTop) return args;
  const copyIndex = encoded.rungs.length;
  const top = ladder.rungs[0]!;
  // Options that apply to every video stream would be applied to the copied one, which has no encoder to take them.
  const perEncodedStream = (name: string) => (value: string) => encoded.rungs.flatMap((_, i) => [`${name}:${i}`, value]);
  replaceOption(args, '-profile:v', perEncodedStream('-profile:v'));
  replaceOption(args, '-aspect', () => [...perEncodedStream('-aspect:v')(`${top.width}:${top.height}`)]);
  replaceOption(args, '-preset', (preset) => ['-map', '0:v:0', `-c:v:${copyIndex}`, 'copy', '-preset', preset]);
  return args;
}

export interface BareLadder {
  process: OwnedProcess;
  /** Where FFmpeg writes its segments. */
  runDir: string;
  /** FFmpeg's latest -progress report. */
  progress(): FfmpegProgress | undefined;
  /** Stops FFmpeg (as Axon does: SIGINT, so it finishes its segments) and removes its output. */
  stop(): Promise<void>;
}

/** Starts one bare-FFmpeg ladder on the recording of `source`, writing into a new temporary directory. */
export function startBareLadder(inputFile: string, passthroughTop = false, source: TestStream = TEST_STREAM): BareLadder {
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'axon-bench-ladder-'));
  const removeDir = () => fs.rmSync(runDir, { recursive: true, force: true });
  const unregister = onCleanup({ run: async () => removeDir(), runSync: removeDir });
  const process = startProcess('ffmpeg', bareLadderArgs(inputFile, runDir, passthroughTop, source), { stdout: 'pipe' });
  const parser = new ProgressParser();
  let last: FfmpegProgress | undefined;
  process.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    last = parser.push(chunk).at(-1) ?? last;
  });
  return {
    process,
    runDir,
    progress: () => last,
    stop: async () => {
      await process.stop('SIGINT', 3000);
      removeDir();
      unregister();
    },
  };
}
