import { getPublicLivestream } from '../api.js';
import { EnginePlayback } from './engine-playback.js';
import { chooseEngine, createEngine, detectPlaybackSupport, manifestUrl, type StreamFormat } from './engine-choice.js';
import type { EngineKind, PlaybackEngine } from './playback-engine.js';

export interface ReplayPlaybackOptions {
  livestreamId: string;
  recordingId: string;
  video: HTMLVideoElement;
  format: StreamFormat | null;
}

/** After an engine gave up, how long to wait before loading the recording again. */
const RETRY_DELAY_MS = 2000;

/** One recording's playback (VOD): loads its manifest once; the viewer seeks and pauses at will. */
export class ReplayPlayback extends EnginePlayback {
  constructor(private readonly options: ReplayPlaybackOptions) {
    // A recording is HLS or DASH: real-time (WebRTC) playback exists only while live.
    super(options.video, chooseEngine(options.format === 'webrtc' ? null : options.format, detectPlaybackSupport(options.video)));
  }

  protected begin(kind: EngineKind): void {
    getPublicLivestream(this.options.livestreamId).then(
      (info) => !this.destroyed && this.events.emit('info', info),
      () => undefined,
    );
    void this.load(kind);
  }

  protected playing(): void {
    this.setState('playing');
  }

  private async load(kind: EngineKind): Promise<void> {
    const { livestreamId, recordingId, video } = this.options;
    const url = new URL(manifestUrl(livestreamId, kind, recordingId), location.href).href;
    const found = await fetch(url, { method: 'HEAD', cache: 'no-store' }).then(
      (r) => r.status !== 404,
      () => true,
    );
    if (this.destroyed) return;
    if (!found) {
      this.setState('recording-not-found');
      return;
    }
    let engine: PlaybackEngine;
    try {
      engine = await createEngine(kind, video, url);
    } catch (error) {
      this.retry(kind, String(error));
      return;
    }
    if (this.destroyed) {
      engine.destroy();
      return;
    }
    this.engine = engine;
    // An engine's 'ended' means a live broadcast ended; a recording simply stops at its end.
    engine.events.on('failed', (reason) => this.retry(kind, reason));
    this.events.emit('engine', engine);
  }

  private retry(kind: EngineKind, reason: string): void {
    console.warn(`replay failed (${reason}); loading it again`);
    this.stopPlayback();
    this.setState('connecting');
    setTimeout(() => {
      if (!this.destroyed) void this.load(kind);
    }, RETRY_DELAY_MS);
  }
}
