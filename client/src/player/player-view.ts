import type { PublicLivestream } from '../../../shared/livestream.js';
import { h } from '../dom.js';
import { formatLatency } from './latency.js';
import { LivePlayer, type PlayerState } from './live-player.js';
import { exposePlayer } from './player-handle.js';
import type { StreamFormat } from './player.js';
import { QualityMenu } from './quality-menu.js';

const stateText: Record<PlayerState, string> = {
  loading: 'Loading…',
  offline: 'Offline — waiting for the stream',
  connecting: 'Connecting…',
  playing: '',
  ended: 'Stream ended',
  'not-found': 'This livestream does not exist',
  unsupported: 'This browser cannot play this stream',
};

export interface PlayerViewOptions {
  livestreamId: string;
  format: StreamFormat | null;
  /** The watch page shows the rung in play and the latency; the embed shows only quality and sound. */
  readouts: boolean;
  onInfo?: (info: PublicLivestream) => void;
}

/** The player as a page shows it: video, state overlay, and controls (sound, quality, readouts). */
export function mountPlayerView(container: HTMLElement, options: PlayerViewOptions): LivePlayer {
  const video = h('video', { muted: true, autoplay: true, playsInline: true, className: 'player-video' });
  const overlay = h('div', {
    className: 'player-state',
    attrs: { 'data-testid': 'player-state', role: 'status' },
  });
  const playButton = h('button', { type: 'button', className: 'player-play', textContent: 'Play', hidden: true });
  const soundButton = h('button', { type: 'button', className: 'btn btn-ghost', attrs: { 'data-testid': 'unmute' } });
  const latency = h('span', { className: 'player-latency', attrs: { 'data-testid': 'latency' } });

  const livePlayer = new LivePlayer({ livestreamId: options.livestreamId, video, format: options.format });
  const quality = new QualityMenu((id) => livePlayer.currentPlayer?.selectLevel(id));

  const controls = h(
    'div',
    { className: 'player-controls' },
    soundButton,
    h('span', { className: 'spacer' }),
    options.readouts && latency,
    options.readouts && quality.current,
    quality.select,
  );
  const root = h('div', { className: 'player' }, video, overlay, playButton, controls);
  container.append(root);

  const showState = (state: PlayerState) => {
    root.dataset.state = state;
    overlay.textContent = stateText[state];
    overlay.hidden = state === 'playing';
  };
  showState(livePlayer.currentState);
  livePlayer.events.on('state', showState);
  if (options.onInfo) livePlayer.events.on('info', options.onInfo);

  livePlayer.events.on('player', (player) => {
    exposePlayer(player, video);
    quality.reset();
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
      const seconds = livePlayer.currentState === 'playing' ? livePlayer.currentPlayer?.latencySeconds(Date.now()) : null;
      latency.textContent = formatLatency(seconds ?? null);
    };
    updateLatency();
    setInterval(updateLatency, 1000);
  }

  livePlayer.start();
  return livePlayer;
}
