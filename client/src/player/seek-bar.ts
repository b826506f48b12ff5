import { h } from '../dom.js';
import { behindLiveText, formatClock, seeksToLive } from './dvr.js';
import type { LiveWindow, PlaybackEngine } from './playback-engine.js';
import { SEEK_STEP_S } from './player-shortcuts.js';

const REFRESH_MS = 500;

/**
 * The seek bar in the player's controls. Live: the DVR window, how far behind live the viewer is, and "Go
 * live"; pausing leaves live (playback resumes where it paused). Replay: the whole recording and the
 * position. Hidden while there is nothing to seek in.
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
    className: 'player-button player-go-live',
    textContent: 'Go live',
    hidden: true,
    attrs: { 'data-testid': 'go-live' },
  });
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
    // The arrows seek by the same step as the player's shortcuts, not the range's tenth of a second.
    this.range.addEventListener('keydown', (event) => {
      const direction = { ArrowLeft: -1, ArrowRight: 1 }[event.key];
      if (!direction || event.ctrlKey || event.metaKey || event.altKey) return;
      event.preventDefault();
      this.seekBy(direction * SEEK_STEP_S);
    });
    this.goLiveButton.addEventListener('click', () => this.goLive());
    video.addEventListener('pause', () => this.holdPosition());
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

  /** Back to the live edge, playing and following it from now on. */
  goLive(): void {
    const dvr = this.engine?.dvr;
    if (!dvr) return;
    this.following = true;
    dvr.followLive(true);
    const live = dvr.livePosition();
    if (live !== null) this.video.currentTime = live;
    if (this.video.paused) void this.video.play().catch(() => undefined);
    this.update();
  }

  /** Seeks `seconds` forward (or back, when negative) within what can be sought; nothing without a window. */
  seekBy(seconds: number): void {
    const window = this.window();
    if (!window) return;
    this.seek(Math.min(window.end, Math.max(window.start, this.video.currentTime + seconds)));
  }

  /** A paused live broadcast stays where it paused: the engine must not jump it back to the edge. */
  private holdPosition(): void {
    const dvr = this.engine?.dvr;
    if (this.mode !== 'live' || !dvr || !this.following) return;
    this.following = false;
    dvr.followLive(false);
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
      if (!this.following && !this.video.paused && live != null && seeksToLive(this.video.currentTime, live)) this.goLive();
      this.goLiveButton.hidden = this.following;
    }
    if (this.dragging) return;
    this.range.value = String(this.video.currentTime);
    this.showReadout(this.video.currentTime);
  }

  /** The readout, which screen readers also hear as the slider's value. */
  private showReadout(position: number): void {
    const text = this.mode === 'replay' ? `${formatClock(position)} / ${formatClock(this.video.duration)}` : this.behindLive(position);
    this.readout.textContent = text;
    this.range.setAttribute('aria-valuetext', text);
  }

  private behindLive(position: number): string {
    const live = this.engine?.dvr?.livePosition() ?? Number(this.range.max);
    return behindLiveText(this.following && !this.dragging, live - position);
  }
}
