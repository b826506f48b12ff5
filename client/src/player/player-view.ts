import type { PublicLivestream } from '../../../shared/livestream.js';
import { listRecordings } from '../api.js';
import { h } from '../dom.js';
import type { Emitter } from '../emitter.js';
import { recordingOfEndedBroadcast } from './dvr.js';
import { formatLatency } from './latency.js';
import { LivePlayer, type LivePlayerEvents, type PlayerState } from './live-player.js';
import { exposePlayer } from './player-handle.js';
import type { Player, StreamFormat } from './player.js';
import { QualityMenu } from './quality-menu.js';
import { ReplayPlayer } from './replay-player.js';
import { SeekBar } from './seek-bar.js';

const stateText: Record<PlayerState, string> = {
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

/** What the view drives: a livestream's live playback, or the replay of one of its recordings. */
export interface Playback {
  readonly events: Emitter<LivePlayerEvents>;
  readonly currentState: PlayerState;
  readonly currentPlayer: Player | null;
  start(): void;
  destroy(): void;
}

/** The player as a page shows it: video, state overlay, and controls (sound, seeking, quality, readouts). */
export function mountPlayerView(container: HTMLElement, options: PlayerViewOptions): Playback {
  const video = h('video', { muted: true, autoplay: true, playsInline: true, className: 'player-video' });
  const stateLabel = h('span', { attrs: { 'data-testid': 'player-state' } });
  const replayLink = h('a', { className: 'replay-link', textContent: 'Watch the replay', hidden: true, attrs: { 'data-testid': 'replay-link' } });
  const overlay = h('div', { className: 'player-state', attrs: { role: 'status' } }, h('div', {}, stateLabel, replayLink));
  const playButton = h('button', { type: 'button', className: 'player-play', textContent: 'Play', hidden: true });
  const soundButton = h('button', { type: 'button', className: 'btn btn-ghost', attrs: { 'data-testid': 'unmute' } });
  const latency = h('span', { className: 'player-latency', attrs: { 'data-testid': 'latency' } });

  const { livestreamId, recordingId, format } = options;
  const playback: Playback = recordingId
    ? new ReplayPlayer({ livestreamId, recordingId, video, format })
    : new LivePlayer({ livestreamId, video, format });
  const quality = new QualityMenu((id) => playback.currentPlayer?.selectLevel(id));
  const seekBar = new SeekBar(video, recordingId ? 'replay' : 'live');

  const controls = h(
    'div',
    { className: 'player-controls' },
    soundButton,
    seekBar.element,
    h('span', { className: 'spacer' }),
    options.readouts && !recordingId && latency,
    options.readouts && quality.current,
    quality.select,
  );
  const note = h('p', { className: 'note', hidden: true, attrs: { role: 'status', 'data-testid': 'player-note' } });
  const root = h('div', { className: 'player' }, video, overlay, playButton, controls);
  container.append(root, note);

  // The recordings there were while live: the one that appears after the end is this broadcast's replay.
  let knownWhileLive: Promise<Set<string> | null> = Promise.resolve(null);
  const offerReplay = async () => {
    const before = await knownWhileLive;
    const after = before && (await listRecordings(livestreamId).catch(() => null));
    const recording = before && after && recordingOfEndedBroadcast(before, after.items);
    if (!recording || playback.currentState !== 'ended') return;
    replayLink.href = recording.playerUrl;
    replayLink.hidden = false;
  };
  const showState = (state: PlayerState) => {
    root.dataset.state = state;
    stateLabel.textContent = stateText[state];
    overlay.hidden = state === 'playing';
    replayLink.hidden = true;
    if (recordingId) return;
    if (state === 'connecting') {
      knownWhileLive = listRecordings(livestreamId).then(
        (list) => new Set(list.items.map((r) => r.id)),
        () => null,
      );
    } else if (state === 'ended') void offerReplay();
  };
  showState(playback.currentState);
  playback.events.on('state', showState);
  if (options.onInfo) playback.events.on('info', options.onInfo);
  playback.events.on('note', (message) => {
    note.textContent = message;
    note.hidden = false;
  });

  playback.events.on('player', (player) => {
    exposePlayer(player, video);
    quality.reset();
    seekBar.attach(player);
    if (!player) return;
    player.events.on('levels', (levels) => quality.setLevels(levels));
    player.events.on('levelSwitched', (level) => quality.setCurrent(level));
  });

  const syncSound = () => {
    soundButton.textContent = video.muted ? 'Unmute' : 'Mute';
    soundButton.setAttribute('aria-pressed', String(!video.muted));
  };
  syncSound();
  video.addEventListener('volumechange', syncSound);
  soundButton.addEventListener('click', () => {
    video.muted = !video.muted;
    if (!video.muted && video.volume === 0) video.volume = 1;
  });

  // Autoplay can be refused even when muted (e.g. power saving): then the viewer starts playback.
  video.addEventListener('canplay', () => {
    playButton.hidden = !video.paused;
  });
  video.addEventListener('playing', () => {
    playButton.hidden = true;
  });
  playButton.addEventListener('click', () => void video.play().catch(() => undefined));

  if (options.readouts) {
    const updateLatency = () => {
      const seconds = playback.currentState === 'playing' ? playback.currentPlayer?.latencySeconds(Date.now()) : null;
      latency.textContent = formatLatency(seconds ?? null);
    };
    updateLatency();
    setInterval(updateLatency, 1000);
  }

  playback.start();
  return playback;
}
