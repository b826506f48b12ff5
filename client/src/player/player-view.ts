import type { PublicLivestream } from '../../../shared/livestream.js';
import { thumbnailPath } from '../../../shared/public-paths.js';
import { listRecordings } from '../api.js';
import { h, showPicture } from '../dom.js';
import { Emitter } from '../emitter.js';
import type { StreamFormat } from './engine-choice.js';
import { formatLatency } from './latency.js';
import { LivePlayback } from './live-playback.js';
import type { PlaybackState } from './playback.js';
import type { PlaybackEngine } from './playback-engine.js';
import { autohideControls } from './controls-autohide.js';
import { PlayerControls } from './player-controls.js';
import { PlayerController } from './player-controller.js';
import { exposePlayer } from './player-handle.js';
import { QualityMenu } from './quality-menu.js';
import { ReplayPlayback } from './replay-playback.js';
import { SeekBar } from './seek-bar.js';
import { bindShortcuts } from './player-shortcuts.js';

const stateText: Record<PlaybackState, string> = {
  loading: 'Loading…',
  offline: 'Offline — waiting for the stream',
  connecting: 'Connecting…',
  playing: '',
  ended: 'Stream ended',
  'not-found': 'This livestream does not exist',
  'recording-not-found': 'This recording does not exist',
  unsupported: 'This browser cannot play this stream',
};

export interface PlayerViewOptions {
  livestreamId: string;
  /** Plays this recording of the livestream instead of its live broadcast. */
  recordingId?: string | null;
  format: StreamFormat | null;
  /** The watch page shows the rung in play and the latency; the embed shows only quality and sound. */
  readouts: boolean;
  onInfo?: (info: PublicLivestream) => void;
}

/**
 * The player as a page shows it: video, state overlay, and controls (play, sound, seeking, quality,
 * readouts, picture-in-picture, fullscreen) that keyboard shortcuts on the player also reach.
 */
export class PlayerView {
  /** What the viewer asks for. */
  readonly events = new Emitter<{ selectLevel: [id: string | null] }>();
  readonly video = h('video', { muted: true, autoplay: true, playsInline: true, className: 'player-video' });
  private readonly stateLabel = h('span', { attrs: { 'data-testid': 'player-state' } });
  private readonly replayLink = h('a', { className: 'replay-link', textContent: 'Watch the replay', hidden: true, attrs: { 'data-testid': 'replay-link' } });
  private readonly overlay = h('div', { className: 'player-state', attrs: { role: 'status' } }, h('div', {}, this.stateLabel, this.replayLink));
  private readonly latency = h('span', { className: 'player-latency', attrs: { 'data-testid': 'latency' } });
  private readonly note = h('p', { className: 'note', hidden: true, attrs: { role: 'status', 'data-testid': 'player-note' } });
  private readonly quality: QualityMenu;
  private readonly seekBar: SeekBar;
  private readonly root: HTMLElement;

  constructor(
    container: HTMLElement,
    private readonly options: { readouts: boolean; replay: boolean },
  ) {
    this.quality = new QualityMenu((id) => this.events.emit('selectLevel', id));
    this.seekBar = new SeekBar(this.video, options.replay ? 'replay' : 'live');
    // Focusable, so that a click or Tab puts the keyboard shortcuts on the player and nowhere else.
    this.root = h('div', { className: 'player', tabIndex: 0, attrs: { role: 'region', 'aria-label': 'Video player' } }, this.video, this.overlay);
    const controls = new PlayerControls(this.root, this.video, {
      seekBar: this.seekBar.element,
      readouts: [options.readouts && !options.replay && this.latency, options.readouts && this.quality.current, this.quality.select],
    });
    bindShortcuts(this.root, {
      togglePlay: () => controls.togglePlay(),
      toggleMute: () => controls.toggleMute(),
      toggleFullscreen: () => controls.toggleFullscreen(),
      changeVolume: (delta) => controls.changeVolume(delta),
      seekBy: (seconds) => this.seekBar.seekBy(seconds),
    });
    autohideControls(this.root, controls.element, this.video);
    container.append(this.root, this.note);
  }

  showState(state: PlaybackState): void {
    this.root.dataset.state = state;
    this.stateLabel.textContent = stateText[state];
    this.overlay.hidden = state === 'playing';
    this.replayLink.hidden = true;
  }

  showReplay(playerUrl: string): void {
    this.replayLink.href = playerUrl;
    this.replayLink.hidden = false;
  }

  showNote(message: string): void {
    this.note.textContent = message;
    this.note.hidden = false;
  }

  /** Follows what each engine offers: its rungs, the rung in play, its live window. */
  showEngine(engine: PlaybackEngine | null): void {
    exposePlayer(engine, this.video);
    this.quality.reset();
    this.seekBar.attach(engine);
    if (!engine) return;
    engine.events.on('levels', (levels) => this.quality.setLevels(levels));
    engine.events.on('levelSwitched', (level) => this.quality.setCurrent(level));
  }

  /** Reads the latency out every second, where the page shows it. */
  readLatency(read: () => number | null): void {
    if (!this.options.readouts) return;
    const update = () => {
      this.latency.textContent = formatLatency(read());
    };
    update();
    setInterval(update, 1000);
  }
}

/** A player on the page: the view, the playback (live, or the replay of a recording) and the controller between them. */
export function mountPlayerView(container: HTMLElement, options: PlayerViewOptions): PlayerController {
  const { livestreamId, recordingId, format } = options;
  const view = new PlayerView(container, { readouts: options.readouts, replay: Boolean(recordingId) });
  const video = view.video;
  const playback = recordingId ? new ReplayPlayback({ livestreamId, recordingId, video, format }) : new LivePlayback({ livestreamId, video, format });
  const controller = new PlayerController(playback, { livestreamId, recordings: recordingId ? null : listRecordings });
  view.events.on('selectLevel', (id) => controller.selectLevel(id));
  view.showState(controller.state);
  controller.events.on('state', (state) => view.showState(state));
  controller.events.on('replay', (url) => view.showReplay(url));
  if (options.onInfo) controller.events.on('info', options.onInfo);
  // The poster: the recording's picture, or the livestream's newest (its last one while offline).
  if (recordingId) showPicture(video, thumbnailPath(livestreamId, recordingId));
  else controller.events.on('info', (info) => showPicture(video, info.thumbnailUrl));
  controller.events.on('note', (message) => view.showNote(message));
  controller.events.on('engine', (engine) => view.showEngine(engine));
  view.readLatency(() => controller.latencySeconds(Date.now()));
  controller.start();
  return controller;
}
