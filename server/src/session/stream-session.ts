import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { HealthWarning, IngestHealth } from '../../../shared/ingest-health.js';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { broadcastDir, livestreamDir, thumbnailFile } from '../media/media-layout.js';
import { LivePackager } from '../packager/live-packager.js';
import type { ScannedSegment } from '../packager/segment-scanner.js';
import { BroadcastRecording } from '../recordings/broadcast-recording.js';
import type { RecordingLibrary } from '../recordings/recording-library.js';
import type { RealtimeMedia } from '../sfu/realtime-media.js';
import { Thumbnailer } from '../thumbnails/thumbnailer.js';
import { storeThumbnailVersion, type ThumbnailVersionStore } from '../thumbnails/thumbnail-version.js';
import { type Ladder, planLadder, type Rung } from '../transcode/ladder.js';
import { ladderFps } from '../transcode/ladder-fps.js';
import { copiedLayerRung, layerLadder, type RunMode } from '../transcode/layer-ladder.js';
import { LayersMonitor } from '../transcode/layers-monitor.js';
import { copiedRung, type TopRungSetting } from '../transcode/top-rung.js';
import { TopRungMonitor } from '../transcode/top-rung-monitor.js';
import { type TranscodeProgress, Transcoder } from '../transcode/transcoder.js';
import type { IngestProtocol, IngestSource } from './ingest.js';
import { IngestHealthMonitor } from './ingest-health.js';

export type SessionState = 'starting' | 'live' | 'ended';

export interface StreamSessionEvents {
  state: [SessionState];
  ended: [reason: string];
  /** A segment the packager found (what else reads the broadcast, such as restream pushes, follows these). */
  segment: [ScannedSegment];
  /** A health warning that appears (again): what webhooks and logs report. */
  warning: [HealthWarning];
}

/** What the registry and the ingests see of a broadcast. */
export interface LiveSession {
  readonly livestreamId: string;
  /** The source the broadcast was started from; outputs read what they need from the session itself. */
  readonly ingest: IngestSource;
  readonly protocol: IngestProtocol;
  /** What real-time (WHEP) viewers consume, when the publisher's media passes through the SFU. */
  readonly realtime: RealtimeMedia | undefined;
  readonly state: SessionState;
  /** How FFmpeg keeps up (for /metrics); null until it first reports. */
  readonly transcodeProgress: TranscodeProgress | null;
  /** The ingest as measured from its media, with FFmpeg's progress and warnings (admin view, /metrics). */
  readonly health: IngestHealth;
  start(): Promise<void>;
  stop(reason: string): Promise<void>;
  on<E extends keyof StreamSessionEvents>(event: E, listener: (...args: StreamSessionEvents[E]) => void): unknown;
  once<E extends keyof StreamSessionEvents>(event: E, listener: (...args: StreamSessionEvents[E]) => void): unknown;
  off<E extends keyof StreamSessionEvents>(event: E, listener: (...args: StreamSessionEvents[E]) => void): unknown;
}

/** Builds the session of a broadcast that is starting; it may read the livestream's settings from the store first. */
export type StreamSessionFactory = (livestreamId: string, ingest: IngestSource) => LiveSession | Promise<LiveSession>;

export interface StreamSessionDeps {
  config: Pick<Config, 'mediaDir' | 'dvrWindowS' | 'publicUrl' | 'transcode'>;
  log: Logger;
  /** The livestream's own DVR window in seconds, instead of config.dvrWindowS. */
  dvrWindowS?: number | undefined;
  /** Given when the broadcast is recorded: the library its recording joins. */
  recordings?: RecordingLibrary | undefined;
  /** The livestream's own top-rung setting, instead of config.transcode.topRung. */
  topRung?: TopRungSetting | undefined;
  /** Where the versions of the broadcast's thumbnails are kept; without it the API shows none of them. */
  thumbnailVersions?: ThumbnailVersionStore | undefined;
}

/**
 * One broadcast from start to end: its ingest, its transcoder and its outputs. Every ingest hands it the
 * same IngestSource; outputs read from its packager. It ends when the publisher goes, when FFmpeg cannot
 * be kept running, or when the server stops it.
 */
export class StreamSession extends EventEmitter<StreamSessionEvents> implements LiveSession {
  readonly broadcastId = `b${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  readonly startedAt = new Date();
  readonly ladder: Ladder;
  private currentState: SessionState = 'starting';
  private readonly packager: LivePackager;
  /** The broadcast's recording; null when the livestream is not recorded. */
  private readonly recording: BroadcastRecording | null;
  private readonly transcoder: Transcoder;
  private readonly healthMonitor: IngestHealthMonitor;
  /** How the runs make the ladder: the top rung's mode, or (simulcast) the layers as the rungs. */
  private readonly modes: TopRungMonitor | LayersMonitor;
  /** The rungs as planned, encoded; a copied run declares the copied streams' own in their place. */
  private readonly planned: readonly Rung[];
  private runMode: RunMode = 'encode';
  private readonly thumbnails: Thumbnailer;
  private readonly recordings: RecordingLibrary | null;
  /** The recording is registered in the library: it must be completed at the end. */
  private recordingBegun = false;
  private stopped: Promise<void> | null = null;
  private readonly log: Logger;

  constructor(
    readonly livestreamId: string,
    readonly ingest: IngestSource,
    deps: StreamSessionDeps,
  ) {
    super();
    const { transcode } = deps.config;
    this.log = deps.log.child(livestreamId);
    const setting = deps.topRung ?? transcode.topRung ?? 'auto';
    // Simulcast layers become the rungs unless the livestream asks for encoding.
    const simulcast = setting === 'auto' ? ingest.simulcast : undefined;
    const fps = ladderFps(transcode.fps, ingest.video.frameRate);
    this.ladder = simulcast ? layerLadder(simulcast.layers, fps) : planLadder(ingest.video, transcode.ladderHeights, fps);
    this.recordings = deps.recordings ?? null;
    const root = livestreamDir(deps.config.mediaDir, livestreamId);
    const windowS = deps.dvrWindowS ?? deps.config.dvrWindowS;
    const { broadcastId, ladder } = this;
    this.recording = this.recordings && new BroadcastRecording({ dir: broadcastDir(root, broadcastId), broadcastId, ladder, windowS, log: this.log.child('recording') });
    this.packager = new LivePackager({
      root,
      broadcastId,
      ladder,
      windowS,
      utcTimingUrl: `${deps.config.publicUrl}/api/time`,
      recording: this.recording ?? undefined,
      log: this.log.child('packager'),
    });
    // The livestream's picture, and the recording's: the broadcast directory is the recording's.
    const pictures = [root, ...(this.recording ? [broadcastDir(root, broadcastId)] : [])].map(thumbnailFile);
    const versions = deps.thumbnailVersions;
    this.thumbnails = new Thumbnailer({
      ffmpegPath: transcode.ffmpegPath,
      files: pictures,
      log: this.log.child('thumbnails'),
      onPicture: versions && storeThumbnailVersion(versions, livestreamId, this.recording ? broadcastId : undefined),
    });
    this.planned = [...this.ladder.rungs];
    const onChange = (state: { mode: RunMode; reason: string }) => {
      this.log.info('the ladder changes mode; restarting ffmpeg', { mode: state.mode, reason: state.reason });
      void this.transcoder.switchMode();
    };
    this.modes = simulcast
      ? new LayersMonitor({ simulcast, setting, fps, onChange })
      : new TopRungMonitor({ protocol: ingest.protocol, meter: ingest.meter, top: this.planned[0]!, setting, onChange });
    this.packager.on('segment', (segment) => {
      this.declareRungs();
      this.thumbnails.offer(segment);
      this.emit('segment', segment);
    });
    this.transcoder = new Transcoder({
      ingest,
      ladder: this.ladder,
      ffmpegPath: transcode.ffmpegPath,
      x264Preset: transcode.x264Preset,
      startRun: (i, originArrival) => this.packager.startRun(i, originArrival),
      endRun: (i) => this.packager.endRun(i),
      log: this.log.child('ffmpeg'),
      runMode: () => this.modes.state.mode,
    });
    this.transcoder.on('run', (_, mode) => {
      this.runMode = mode;
      this.declareRungs();
    });
    this.healthMonitor = new IngestHealthMonitor({
      protocol: ingest.protocol,
      meter: ingest.meter,
      transcode: () => this.transcoder.progress,
      topRung: () => this.modes.state,
      onWarning: (warning) => {
        this.log.warn('ingest health warning', { warning: warning.code, message: warning.message });
        this.emit('warning', warning);
      },
    });
  }

  get state(): SessionState {
    return this.currentState;
  }

  get protocol(): IngestProtocol {
    return this.ingest.protocol;
  }

  get realtime(): RealtimeMedia | undefined {
    return this.ingest.realtime;
  }

  /** PID of the running FFmpeg, if any (for metrics and tests). */
  get ffmpegPid(): number | undefined {
    return this.transcoder.pid;
  }

  get restarts(): number {
    return this.transcoder.restarts;
  }

  get transcodeProgress(): TranscodeProgress | null {
    return this.transcoder.progress;
  }

  get health(): IngestHealth {
    return this.healthMonitor.health;
  }

  async start(): Promise<void> {
    this.log.info('broadcast starting', {
      broadcast: this.broadcastId,
      protocol: this.ingest.protocol,
      source: `${this.ingest.video.width}x${this.ingest.video.height}`,
      rungs: this.ladder.rungs.map((r) => r.name),
      fps: this.ladder.rungs[0]!.fps,
      recorded: this.recordings !== null,
      mode: this.modes.state.mode,
      modeReason: this.modes.state.reason,
    });
    void this.ingest.ended.then((reason) => this.stop(reason));
    this.healthMonitor.start();
    this.modes.start();
    this.transcoder.on('failed', (reason) => void this.stop(reason));
    this.packager.once('playable', () => {
      if (this.currentState !== 'starting') return;
      this.currentState = 'live';
      this.log.info('broadcast is live', { afterMs: Date.now() - this.startedAt.getTime() });
      this.emit('state', 'live');
    });
    this.emit('state', 'starting');
    try {
      await this.beginRecording();
      await this.packager.prepare();
      await this.transcoder.start();
    } catch (err) {
      this.log.error('broadcast could not start', { err });
      await this.stop('the transcoder could not start');
    }
  }

  /** Ends the broadcast: FFmpeg flushes, the manifests get their end, the ingest is released. Idempotent. */
  stop(reason: string): Promise<void> {
    this.stopped ??= (async () => {
      this.log.info('broadcast ending', { reason });
      this.healthMonitor.close();
      this.modes.close();
      await this.transcoder.stop();
      await this.packager.endRuns();
      // The last segment's picture, before the recording is listed with it.
      await this.thumbnails.finish();
      // Before the live playlists end: a viewer told the broadcast ended finds its replay listed.
      await this.completeRecording();
      await this.packager.finish();
      this.packager.close();
      await this.ingest.close();
      this.currentState = 'ended';
      this.emit('state', 'ended');
      this.emit('ended', reason);
    })().catch((err: unknown) => {
      this.log.error('error while ending the broadcast', { err });
      this.currentState = 'ended';
      this.emit('ended', reason);
    });
    return this.stopped;
  }

  /**
   * The packager renders the manifests from this same ladder at every update: a copied stream's rung is
   * declared as the stream is (its SPS, its measured bitrate), an encoded one as planned.
   */
  private declareRungs(): void {
    const modes = this.modes;
    const simulcast = this.ingest.simulcast;
    this.planned.forEach((planned, i) => (this.ladder.rungs[i] = planned));
    if (this.runMode === 'copy' && modes instanceof TopRungMonitor) this.ladder.rungs[0] = copiedRung(this.planned[0]!, modes.reading());
    if (this.runMode === 'layers' && simulcast) {
      const bitrates = simulcast.bitrates();
      simulcast.layers.forEach((sps, i) => (this.ladder.rungs[i] = copiedLayerRung(this.planned[i]!, sps, bitrates[i] ?? 0)));
    }
  }

  private async beginRecording(): Promise<void> {
    if (!this.recordings) return;
    try {
      await this.recordings.begin(this.livestreamId, this.broadcastId, this.startedAt);
      this.recordingBegun = true;
    } catch (err) {
      this.recording?.stop(`the recording could not be registered (${(err as Error).message})`);
    }
  }

  private async completeRecording(): Promise<void> {
    const recorded = this.recording?.recorded;
    if (!this.recordings || !this.recordingBegun || !recorded) return;
    try {
      await this.recordings.complete(this.livestreamId, this.broadcastId, recorded, this.ladder);
    } catch (err) {
      this.log.error('the recording could not be finished; the next start will finish it', { err });
    }
  }
}
