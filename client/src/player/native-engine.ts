import { Emitter } from '../emitter.js';
import { latencyFromFrameTime } from './latency.js';
import type { EngineEvents, PlaybackEngine, QualityLevel } from './playback-engine.js';
import { videoLevel } from './video-level.js';

/** Safari's getStartDate(): the PROGRAM-DATE-TIME of media time 0, NaN when the stream has none. */
type SafariVideo = HTMLVideoElement & { getStartDate?: () => Date };

/** The browser's own HLS (Safari without MSE): it picks the rung itself and reports none. */
export class NativeEngine implements PlaybackEngine {
  readonly kind = 'native';
  readonly events = new Emitter<EngineEvents>();
  readonly library = {};
  private readonly listeners: Array<[string, () => void]>;

  constructor(
    private readonly video: SafariVideo,
    url: string,
  ) {
    this.listeners = [
      ['resize', () => this.events.emit('levelSwitched', this.currentLevel())],
      ['ended', () => this.events.emit('ended')],
      ['error', () => this.events.emit('failed', `media error ${video.error?.code ?? ''}`.trim())],
    ];
    for (const [type, listener] of this.listeners) video.addEventListener(type, listener);
    video.src = url;
    video.play().catch(() => {
      // Autoplay refused: the page's play control takes over.
    });
  }

  levels(): QualityLevel[] {
    return [];
  }

  selectLevel(): void {
    // Safari gives no control over its rung choice.
  }

  currentLevel(): QualityLevel | null {
    return videoLevel(this.video, 'native');
  }

  latencySeconds(nowMs: number): number | null {
    const start = this.video.getStartDate?.().getTime();
    if (start === undefined || !Number.isFinite(start)) return null;
    return latencyFromFrameTime(nowMs, start + this.video.currentTime * 1000);
  }

  destroy(): void {
    this.events.clear();
    for (const [type, listener] of this.listeners) this.video.removeEventListener(type, listener);
    this.video.removeAttribute('src');
    this.video.load();
  }
}
