import type { Writable } from 'node:stream';
import type { MediaInput } from '../session/ingest.js';

/** One push's view of the broadcast: how FFmpeg opens it and which of its streams go out, copied. */
export interface PushInput {
  /** FFmpeg arguments that open the source (everything before the output options). */
  readonly inputArgs: readonly string[];
  /** Output options that pick the source's streams and copy them (audio is encoded only when it is silence FFmpeg makes). */
  readonly mapArgs: readonly string[];
  /** FFmpeg reads the source from this many pipes: stdin, then file descriptor 3. */
  readonly pipes: 1 | 2;
  /** Receives FFmpeg's input pipes right after the spawn, before start(). */
  attach(pipes: readonly Writable[]): void;
  start(): Promise<void>;
  /** Releases the source; FFmpeg then reads to the end of its input. Idempotent. */
  close(): Promise<void>;
}

/** Silence FFmpeg makes for a publisher without audio: the platforms behind RTMP expect an audio track. */
const SILENCE = ['-f', 'lavfi', '-i', 'anullsrc=channel_layout=stereo:sample_rate=48000'];

/**
 * The publisher's own H.264 (and AAC) as the ingest hands it to FFmpeg, copied: no decode, no encode.
 * A source without audio gets AAC silence, the one thing encoded.
 */
export function passthroughInput(media: MediaInput): PushInput {
  const [inputArgs, mapArgs] = media.hasAudio
    ? [media.ffmpegInputArgs, ['-map', '0:v:0', '-map', '0:a:0', '-c', 'copy']]
    : [[...media.ffmpegInputArgs, ...SILENCE], ['-map', '0:v:0', '-map', '1:a:0', '-c:v', 'copy', '-c:a', 'aac', '-b:a', '128k', '-shortest']];
  return {
    inputArgs,
    mapArgs,
    pipes: 1,
    attach: ([stdin]) => {
      if (media.attachStdin && stdin) media.attachStdin(stdin);
    },
    start: () => media.start(),
    close: () => media.close(),
  };
}
