import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * The stream every RTMP benchmark publishes, and every bare-FFmpeg reference reads: what OBS sends by
 * default for 720p30 (H.264 High, keyframe every 2 s, constant bitrate ~3 Mbit/s, AAC 48 kHz stereo).
 */
export const TEST_STREAM = { width: 1280, height: 720, fps: 30, keyframeIntervalS: 2, videoKbps: 3000, audioKbps: 128 } as const;

export type TestStream = { readonly [K in keyof typeof TEST_STREAM]: number };

/** The same at 640x360, a quarter of the pixels at a quarter of the bitrate: for benchmarks that must not spend the machine on ladders. */
export const SMALL_TEST_STREAM: TestStream = { ...TEST_STREAM, width: 640, height: 360, videoKbps: 750 };

/** The same at 1080p30, at the 6 Mbit/s OBS suggests for it. */
export const TEST_STREAM_1080: TestStream = { ...TEST_STREAM, width: 1920, height: 1080, videoKbps: 6000 };

const cacheDir = () => path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'axon', 'bench');

export function testStreamArgs(durationS: number, file: string, s: TestStream = TEST_STREAM): string[] {
  const gop = String(s.fps * s.keyframeIntervalS);
  return [
    '-hide_banner', '-nostdin', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc2=size=${s.width}x${s.height}:rate=${s.fps}`,
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-t', String(durationS),
    '-map', '0:v', '-map', '1:a',
    '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-pix_fmt', 'yuv420p',
    '-g', gop, '-keyint_min', gop, '-sc_threshold', '0',
    '-b:v', `${s.videoKbps}k`, '-maxrate', `${s.videoKbps * 1.2}k`, '-bufsize', `${s.videoKbps * 2}k`,
    '-c:a', 'aac', '-b:a', `${s.audioKbps}k`, '-ar', '48000', '-ac', '2',
    '-f', 'flv', file,
  ];
}

/**
 * The path of a `durationS`-second recording of the test stream as FLV. Recorded once (a few CPU-seconds
 * per second of video) and kept in ~/.cache/axon/bench, so every run of every benchmark reads the same bytes.
 */
export async function testStreamFile(durationS: number, s: TestStream = TEST_STREAM): Promise<string> {
  const dir = cacheDir();
  const file = path.join(dir, `testsrc2-${s.width}x${s.height}p${s.fps}-gop${s.keyframeIntervalS}s-${s.videoKbps}k-${durationS}s.flv`);
  if (fs.existsSync(file)) return file;
  fs.mkdirSync(dir, { recursive: true });
  const partial = `${file}.${process.pid}.partial`;
  try {
    await promisify(execFile)('ffmpeg', testStreamArgs(durationS, partial, s));
    fs.renameSync(partial, file);
  } finally {
    fs.rmSync(partial, { force: true });
  }
  return file;
}
