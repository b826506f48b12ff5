import type { Writable } from 'node:stream';
import type { IngestProtocol } from '../../../shared/ingest-health.js';
import type { H264Facts, PictureSize } from '../ingest/h264-sps.js';
import type { RealtimeMedia } from '../sfu/realtime-media.js';
import type { IngestMeter } from './ingest-health.js';

/** The source's picture, which the ladder is planned from. */
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
  /** Releases what this run held (ports, consumers). Idempotent. */
  close(): Promise<void>;
  /**
   * When the frame this run's output starts from (output media time 0: FFmpeg's first decoded video frame,
   * from which it counts each rendition's time) reached Axon; undefined until that frame has been fed to
   * FFmpeg. The playlists' PROGRAM-DATE-TIME and the DASH availability times are anchored to it.
   */
  originArrival?(): Date | undefined;
  /**
   * Resolves when the source stops feeding this run although the broadcast goes on (a WebRTC publisher
   * that dropped): FFmpeg is then stopped, and the next run waits in openInput() for the publisher.
   */
  readonly ended?: Promise<void>;
}

/** One simulcast layer as the ingest's meter measured it over the publish so far. */
export interface LayerReading {
  frames: number;
  /** Media time of the layer's newest frame, counted from its own first packet. */
  mediaTimeS: number;
  /** Media times of its latest keyframes, oldest first. */
  keyframesAtS: readonly number[];
  /**
   * The publisher's capture clock (s) at this layer's media time 0, from the layer's RTCP sender reports:
   * the layers' RTP clocks start apart, and this puts them on one timeline. Undefined until a report came.
   */
  originS: number | undefined;
  /** The picture size of its latest SPS, where the meter reads them (the top layer's). */
  size?: PictureSize | undefined;
}

/** A publisher's H.264 simulcast layers, which a broadcast can package as its rungs without decoding them. */
export interface SimulcastSource {
  /** Each layer's SPS as its first keyframe had it, top (largest) first. */
  readonly layers: readonly H264Facts[];
  /** One FFmpeg run's input with a video stream per layer, top first, keyed together on the 2 s clock, and the audio. */
  openInput(): Promise<MediaInput>;
  /** Why the layers cannot be the rungs now (one is not received, the publisher is away), or undefined. */
  unavailable(): string | undefined;
  /** Each layer's video bitrate over the publish so far (bits/s), top first; 0 while not measured. */
  bitrates(): readonly number[];
  /** Each layer's frames and keyframes as measured, top first (empty while the publisher is away). */
  readLayers(): readonly LayerReading[];
}

export type { IngestProtocol } from '../../../shared/ingest-health.js';

/**
 * What every ingest (browser WebRTC, WHIP, RTMP) hands a StreamSession. The session never looks
 * inside: protocol details stay in the ingest's own folder. The session owns the ingest from then on:
 * it ends when the ingest does, and it is what closes the ingest.
 */
export interface IngestSource {
  readonly protocol: IngestProtocol;
  readonly video: SourceVideo;
  /** Present when the publisher's media passes through the SFU (WebRTC, WHIP), absent for RTMP. */
  readonly realtime?: RealtimeMedia;
  /** Measures the media as it arrives (codecs, bitrate, frames, keyframes); every real ingest has one. */
  readonly meter?: IngestMeter;
  /** Prepares the source for one FFmpeg run. */
  openInput(): Promise<MediaInput>;
  /**
   * Present when the source is H.264 (with AAC or no audio) FFmpeg can copy as it comes (RTMP): the same
   * source for one more FFmpeg that copies it, such as a restream push. Waits, like openInput, for a
   * dropped publisher to return.
   */
  openPassthroughInput?(): Promise<MediaInput>;
  /**
   * Present when the publisher sends H.264 simulcast (2 or more layers, each read from its first keyframe
   * at go-live): its layers can be the ladder's rungs as they come (transcode/layer-ladder.ts).
   */
  readonly simulcast?: SimulcastSource;
  /** Resolves, once, with why the publisher is gone (closed, dropped, worker died); not when close() ended it. */
  readonly ended: Promise<string>;
  /** Tears the ingest down from the server side. Idempotent. */
  close(): Promise<void>;
}
