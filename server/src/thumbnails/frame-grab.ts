import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { buildThumbnailArgs } from '../transcode/ffmpeg-args.js';

/** A segment FFmpeg wrote: the init segment of its rendition and the media segment. */
export interface SegmentFiles {
  init: string;
  segment: string;
}

export interface FrameGrabOptions {
  ffmpegPath: string;
  /** FFmpeg is killed after this long: one frame's decode takes a fraction of it even on a busy machine. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const JPEG_START = Buffer.from([0xff, 0xd8]);
const STDERR_TAIL_CHARS = 500;

/**
 * The first frame of a CMAF segment as a JPEG, decoded by one short FFmpeg process that reads the segment
 * on stdin (no temporary file, nothing in the media directory to clean up). Rejects with FFmpeg's own
 * words when it fails or gives no picture.
 */
export async function grabFrame(files: SegmentFiles, o: FrameGrabOptions): Promise<Buffer> {
  const child = spawn(o.ffmpegPath, buildThumbnailArgs(), { stdio: ['pipe', 'pipe', 'pipe'] });
  const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const out: Buffer[] = [];
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-STDERR_TAIL_CHARS)));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code));
  });
  // FFmpeg stops reading once it has its frame: the rest of the segment has nowhere to go (EPIPE).
  let unread = '';
  const fed = feed(child.stdin, files).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') unread = ` (${err.message})`;
  });
  try {
    const code = await exited;
    await fed;
    const jpeg = Buffer.concat(out);
    if (code !== 0 || !jpeg.subarray(0, 2).equals(JPEG_START)) {
      throw new Error(`ffmpeg made no picture (exit ${code})${unread}: ${stderr.trim() || 'no output'}`);
    }
    return jpeg;
  } finally {
    clearTimeout(timer);
  }
}

async function feed(stdin: NodeJS.WritableStream, files: SegmentFiles): Promise<void> {
  await pipeline(fs.createReadStream(files.init), stdin, { end: false });
  await pipeline(fs.createReadStream(files.segment), stdin);
}
