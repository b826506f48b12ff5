import { MediaPlayer, type MediaPlayerClass, type MediaPlayerSettingClass, type Representation } from 'dashjs';
import { Emitter } from '../emitter.js';
import { latencyFromDash } from './latency.js';
import type { EngineEvents, LiveDvr, PlaybackEngine, QualityLevel } from './playback-engine.js';

/**
 * LL-DASH: no liveDelay here, so the manifest's ServiceDescription sets the latency target, and dash.js
 * reads the segment being written as it streams in (the manifest says availabilityTimeComplete="false").
 * Catch up at up to 1.2x, seek forward when 5 s further behind than the target.
 */
export const DASH_SETTINGS: MediaPlayerSettingClass = {
  streaming: {
    liveCatchup: { enabled: true, maxDrift: 5, playbackRate: { min: -0.2, max: 0.2 } },
    abr: { autoSwitchBitrate: { video: true } },
  },
};

const toLevel = (r: Representation): QualityLevel => ({ id: r.id, height: r.height, bitrate: r.bandwidth });

export class DashEngine implements PlaybackEngine {
  readonly kind = 'dash';
  readonly events = new Emitter<EngineEvents>();
  readonly library: { dash: MediaPlayerClass };
  private readonly player: MediaPlayerClass;
  private ended = false;
  /**
   * The Period in which dash.js could not load a media segment (one a run that ended had announced, when a
   * publisher drops or the ladder changes mode). Tearing the player down for it left the page without one for
   * seconds (issue 21). dash.js 5 skips the segment, but when none after it is listed yet, at the end of a run
   * whose successor is not in the manifest yet, it asks for no more segments, not even once the next Period
   * is there: when that one appears, the same player reloads the manifest and goes on from the live edge.
   */
  private skippedIn: string | undefined;
  readonly dvr: LiveDvr = {
    window: () => {
      if (!this.player.isReady() || !this.player.isDynamic()) return null;
      const { start, end } = this.player.getDvrWindow();
      return Number.isFinite(start) && end > start ? { start, end } : null;
    },
    livePosition: () => {
      const window = this.dvr.window();
      return window && Math.max(window.start, window.end - this.player.getTargetLiveDelay());
    },
    // Catch-up seeks back to live once playback drifts past maxDrift: not while the viewer watches the past.
    followLive: (on) => this.player.updateSettings({ streaming: { liveCatchup: { enabled: on } } }),
  };

  constructor(video: HTMLVideoElement, url: string) {
    const player = MediaPlayer().create();
    this.player = player;
    this.library = { dash: player };
    player.updateSettings(DASH_SETTINGS);
    const events = MediaPlayer.events;
    player.on(events.STREAM_INITIALIZED, (e) => {
      if (this.skippedIn !== undefined && e.streamInfo?.id !== this.skippedIn) {
        this.skippedIn = undefined;
        player.attachSource(url);
        return;
      }
      this.events.emit('levels', this.levels());
      this.events.emit('levelSwitched', this.currentLevel());
    });
    player.on(events.QUALITY_CHANGE_RENDERED, (e) => {
      if (e.mediaType === 'video') this.events.emit('levelSwitched', toLevel(e.newRepresentation));
    });
    // Fired on every MPD refresh: a static MPD means the broadcast is over.
    player.on(events.MANIFEST_LOADED, (e) => {
      if ((e.data as { type?: string }).type === 'static' && !this.ended) {
        this.ended = true;
        this.events.emit('ended');
      }
    });
    // dash.js has retried on its own before it reports an error.
    player.on(events.ERROR, (e) => {
      if (typeof e.error === 'object' && 'code' in e.error && e.error.code === MediaPlayer.errors.DOWNLOAD_ERROR_ID_CONTENT_CODE) {
        this.skippedIn ??= player.getActiveStream()?.getStreamInfo()?.id ?? '';
        return;
      }
      this.events.emit('failed', `dash.js: ${JSON.stringify(e.error)}`);
    });
    player.initialize(video, url, true);
  }

  levels(): QualityLevel[] {
    return this.player.getRepresentationsByType('video').map(toLevel);
  }

  selectLevel(id: string | null): void {
    this.player.updateSettings({ streaming: { abr: { autoSwitchBitrate: { video: id === null } } } });
    if (id !== null) this.player.setRepresentationForTypeById('video', id, true);
  }

  currentLevel(): QualityLevel | null {
    const representation = this.player.getCurrentRepresentationForType('video');
    return representation ? toLevel(representation) : null;
  }

  latencySeconds(): number | null {
    return latencyFromDash(this.player.getCurrentLiveLatency());
  }

  destroy(): void {
    this.events.clear();
    this.player.destroy();
  }
}
