import type { Writable } from 'node:stream';
import type { types } from 'mediasoup';

/**
 * What every ingest (browser WebRTC, WHIP, RTMP) hands a StreamSession. The session never looks
 * inside: protocol details stay in the ingest's own folder.
 */
export interface SourceVideo {
  width: number;
  height: number;
  frameRate?: number;
}

/** One FFmpeg run's view of the source. A restarted FFmpeg gets a fresh one. */
export interface MediaInput {
  /** FFmpeg arguments that open the source (everything before the output options). */
  ffmpegInputArgs: string[];
  /** False when the source has no audio; the transcoder then adds silence so every output has audio. */
  hasAudio: boolean;
  /** For a source FFmpeg reads from `pipe:0`: receives FFmpeg's stdin right after the spawn, before start(). */
  attachStdin?(stdin: Writable): void;
  /** Called once FFmpeg listens: e.g. resumes paused consumers. */
  start(): Promise<void>;
  /** Asks the publisher for a keyframe (no-op where the protocol cannot). */
  requestKeyFrame(): void;
  /** Releases what this run held (ports, consumers, temp files). Idempotent. */
  close(): Promise<void>;
}

export type IngestProtocol = 'webrtc' | 'whip' | 'rtmp';

/** The broadcast as a WebRTC SFU holds it: what real-time (WHEP) viewers consume. */
export interface RealtimeMedia {
  readonly router: types.Router;
  readonly video: types.Producer;
  readonly audio?: types.Producer;
}

export interface IngestSource {
  readonly protocol: IngestProtocol;
  readonly video: SourceVideo;
  /** Present when the publisher's media passes through mediasoup (WebRTC, WHIP), absent for RTMP. */
  readonly realtime?: RealtimeMedia;
  /** Prepares the source for one FFmpeg run. */
  openInput(): Promise<MediaInput>;
  /** Registers the callback fired once when the publisher is gone (closed, dropped, worker died). */
  onEnded(listener: (reason: string) => void): void;
  /** Tears the ingest down from the server side. Idempotent. */
  close(): Promise<void>;
}
