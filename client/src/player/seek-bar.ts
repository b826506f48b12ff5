import { h } from '../dom.js';
import { behindLiveText, formatClock, seeksToLive } from './dvr.js';
import type { LiveWindow, PlaybackEngine } from './playback-engine.js';

const REFRESH_MS = 500;

/**
 * The seek bar under the video. Live: the DVR window, how far behind live the viewer is, and "Go live".
 * Replay: the whole recording, the position, and play/pause. Hidden while there is nothing to seek in.
 */
export class SeekBar {
  readonly element: HTMLElement;
  private readonly range = h('input', {
    type: 'range',
    className: 'seek-range',
    step: '0.1',
    attrs: { 'data-testid': 'seek', 'aria-label': 'Position' },
  });
  private readonly readout = h('span', { className: 'seek-readout', attrs: { 'data-testid': 'seek-readout' } });
  private readonly goLiveButton = h('button', {
    type: 'button',
    className: 'btn btn-ghost',
    textContent: 'Go live',
    hidden: true,
    attrs: { 'data-testid': 'go-live' },
  });
  private readonly playButton = h('button', { type: 'button', className: 'btn btn-ghost', attrs: { 'data-testid': 'play-pause' } });
  private engine: PlaybackEngine | null = null;
  /** Live: playback follows the live edge (the engine keeps it there) rather than staying where the viewer sought. */
  private following = true;
  private dragging = false;
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly render = () => this.update();

  constructor(
    private readonly video: HTMLVideoElement,
    private readonly mode: 'live' | 'replay',
  ) {
    this.element = h(
      'div',
      { className: 'seek-bar', hidden: true },
      mode === 'replay' && this.playButton,
      this.range,
      this.readout,
      mode === 'live' && this.goLiveButton,
    );
    this.range.addEventListener('input', () => {
      this.dragging = true;
      this.showReadout(Number(this.range.value));
    });
    this.range.addEventListener('change', () => {
      this.dragging = false;
      this.seek(Number(this.range.value));
    });
    this.goLiveButton.addEventListener('click', () => this.goLive());
    this.playButton.addEventListener('click', () => {
      if (video.paused) void video.play().catch(() => undefined);
      else video.pause();
    });
    for (const event of ['timeupdate', 'play', 'pause', 'durationchange']) video.addEventListener(event, this.render);
    this.timer = setInterval(this.render, REFRESH_MS);
  }

  /** The engine now playing (null: none). A new engine starts at live. */
  attach(engine: PlaybackEngine | null): void {
    this.engine = engine;
    this.following = true;
    this.dragging = false;
    this.update();
  }

  destroy(): void {
    clearInterval(this.timer);
    for (const event of ['timeupdate', 'play', 'pause', 'durationchange']) this.video.removeEventListener(event, this.render);
  }

  /** Back to the live edge, following it from now on. */
  goLive(): void {
    const dvr = this.engine?.dvr;
    if (!dvr) return;
    this.following = true;
    dvr.followLive(true);
    const live = dvr.livePosition();
    if (live !== null) this.video.currentTime = live;
    this.update();
  }

  private seek(target: number): void {
    if (this.mode === 'replay') {
      this.video.currentTime = target;
      return;
    }
    const dvr = this.engine?.dvr;
    const live = dvr?.livePosition();
    if (!dvr || live === null || live === undefined) return;
    if (seeksToLive(target, live)) {
      this.goLive();
      return;
    }
    this.following = false;
    dvr.followLive(false);
    this.video.currentTime = target;
    this.update();
  }

  private window(): LiveWindow | null {
    if (this.mode === 'replay') {
      const duration = this.video.duration;
      return this.engine && Number.isFinite(duration) && duration > 0 ? { start: 0, end: duration } : null;
    }
    return this.engine?.dvr?.window() ?? null;
  }

  private update(): void {
    const window = this.window();
    this.element.hidden = window === null;
    if (!window) return;
    this.range.min = String(window.start);
    this.range.max = String(window.end);
    if (this.mode === 'live') {
      const live = this.engine?.dvr?.livePosition();
      // The engine may have brought playback back to live by itself (e.g. the position left the window).
      if (!this.following && live != null && seeksToLive(this.video.currentTime, live)) this.goLive();
      this.goLiveButton.hidden = this.following;
    } else {
      this.playButton.textContent = this.video.paused ? 'Play' : 'Pause';
    }
    if (this.dragging) return;
    this.range.value = String(this.video.currentTime);
    this.showReadout(this.video.currentTime);
  }

  private showReadout(position: number): void {
    if (this.mode === 'replay') {
      this.readout.textContent = `${formatClock(position)} / ${formatClock(this.video.duration)}`;
      return;
    }
    const live = this.engine?.dvr?.livePosition() ?? Number(this.range.max);
    this.readout.textContent = behindLiveText(this.following && !this.dragging, live - position);
  }
}
