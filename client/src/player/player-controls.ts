import { h, type Child } from '../dom.js';
import { icon, type IconName } from './player-icons.js';
import './player-controls.css';

/** Safari on iPhone has no element fullscreen: only the <video>'s own, with the system's controls. */
type IosVideo = HTMLVideoElement & { webkitEnterFullscreen?: () => void };

function iconButton(label: string, name: IconName, testId: string, shortcut?: string): HTMLButtonElement {
  const attrs: Record<string, string> = { 'aria-label': label, 'data-testid': testId };
  if (shortcut) attrs['aria-keyshortcuts'] = shortcut;
  return h('button', { type: 'button', className: 'player-button', attrs }, icon(name));
}

/** The parts of the bar that belong to others: the seek bar, readouts and the quality menu, in order. */
export interface ControlSlots {
  seekBar: HTMLElement;
  readouts: Child[];
}

/**
 * The player's own controls, one set for every engine because they act on the <video> and the player's
 * container only: play and pause, mute and volume, picture-in-picture, fullscreen. Autoplay starts muted,
 * so the mute button then offers "Unmute" in words.
 */
export class PlayerControls {
  readonly element: HTMLElement;
  /** Large, over the video, where the browser refused to autoplay. */
  private readonly bigPlay = h('button', { type: 'button', className: 'player-play', textContent: 'Play', hidden: true });
  private readonly playButton = iconButton('Play', 'play', 'play-pause', 'k Space');
  private readonly muteHint = h('span', { className: 'player-hint', textContent: 'Unmute' });
  private readonly muteButton = iconButton('Unmute', 'muted', 'mute', 'm');
  private readonly volume = h('input', {
    type: 'range',
    min: '0',
    max: '1',
    step: '0.05',
    className: 'player-volume',
    attrs: { 'aria-label': 'Volume', 'data-testid': 'volume' },
  });
  private readonly pipButton = iconButton('Picture in picture', 'pip', 'pip');
  private readonly fullscreenButton = iconButton('Full screen', 'fullscreen', 'fullscreen', 'f');

  constructor(
    private readonly root: HTMLElement,
    private readonly video: HTMLVideoElement,
    slots: ControlSlots,
  ) {
    this.element = h(
      'div',
      { className: 'player-controls', attrs: { 'data-testid': 'player-controls' } },
      this.playButton,
      this.muteButton,
      this.volume,
      slots.seekBar,
      h('span', { className: 'player-spacer' }),
      ...slots.readouts,
      this.pipButton,
      this.fullscreenButton,
    );
    root.append(this.bigPlay, this.element);
    this.bindPlay();
    this.bindSound();
    this.bindScreens();
  }

  togglePlay(): void {
    if (this.video.paused) void this.video.play().catch(() => undefined);
    else this.video.pause();
  }

  toggleMute(): void {
    const video = this.video;
    if (video.muted || video.volume === 0) {
      video.muted = false;
      if (video.volume === 0) video.volume = 1;
    } else video.muted = true;
  }

  /** Louder or softer by `delta` (0 … 1); a muted player counts as silent, so louder unmutes it. */
  changeVolume(delta: number): void {
    const from = this.video.muted ? 0 : this.video.volume;
    this.setVolume(Math.min(1, Math.max(0, from + delta)));
  }

  toggleFullscreen(): void {
    if (document.fullscreenElement) {
      void document.exitFullscreen().catch(() => undefined);
      return;
    }
    // The container, not the bare <video>: the controls and the state overlay stay on screen.
    if (document.fullscreenEnabled) void this.root.requestFullscreen().catch(() => undefined);
    else (this.video as IosVideo).webkitEnterFullscreen?.();
  }

  togglePictureInPicture(): void {
    // A refusal (no media yet, no user gesture) changes nothing, and the button says so by staying unpressed.
    if (document.pictureInPictureElement) void document.exitPictureInPicture().catch(() => undefined);
    else void this.video.requestPictureInPicture().catch(() => undefined);
  }

  private bindPlay(): void {
    const { video, playButton, bigPlay } = this;
    const sync = () => {
      playButton.setAttribute('aria-label', video.paused ? 'Play' : 'Pause');
      playButton.replaceChildren(icon(video.paused ? 'play' : 'pause'));
    };
    for (const event of ['play', 'pause', 'emptied']) video.addEventListener(event, sync);
    sync();
    playButton.addEventListener('click', () => this.togglePlay());
    // Autoplay can be refused even when muted (e.g. power saving): then the viewer starts playback.
    video.addEventListener('canplay', () => {
      bigPlay.hidden = !video.paused;
    });
    video.addEventListener('play', () => {
      bigPlay.hidden = true;
    });
    bigPlay.addEventListener('click', () => this.togglePlay());
  }

  private bindSound(): void {
    const { video, muteButton, muteHint, volume } = this;
    const sync = () => {
      const silent = video.muted || video.volume === 0;
      muteButton.setAttribute('aria-label', silent ? 'Unmute' : 'Mute');
      muteButton.replaceChildren(icon(silent ? 'muted' : 'sound'), ...(silent ? [muteHint] : []));
      volume.value = String(silent ? 0 : video.volume);
      volume.setAttribute('aria-valuetext', silent ? 'muted' : `${Math.round(video.volume * 100)}%`);
    };
    video.addEventListener('volumechange', sync);
    sync();
    muteButton.addEventListener('click', () => this.toggleMute());
    volume.addEventListener('input', () => this.setVolume(Number(volume.value)));
  }

  private setVolume(level: number): void {
    this.video.volume = level;
    this.video.muted = level === 0;
  }

  private bindScreens(): void {
    const { video, root, pipButton, fullscreenButton } = this;
    fullscreenButton.hidden = !document.fullscreenEnabled && !(video as IosVideo).webkitEnterFullscreen;
    const syncFullscreen = () => {
      const on = document.fullscreenElement === root;
      fullscreenButton.setAttribute('aria-pressed', String(on));
      fullscreenButton.replaceChildren(icon(on ? 'exit-fullscreen' : 'fullscreen'));
    };
    document.addEventListener('fullscreenchange', syncFullscreen);
    syncFullscreen();
    fullscreenButton.addEventListener('click', () => this.toggleFullscreen());

    pipButton.hidden = !document.pictureInPictureEnabled;
    const syncPip = () => {
      pipButton.setAttribute('aria-pressed', String(document.pictureInPictureElement === video));
      // The browser refuses picture-in-picture before the first frame's metadata.
      pipButton.disabled = video.readyState === HTMLMediaElement.HAVE_NOTHING;
    };
    for (const event of ['enterpictureinpicture', 'leavepictureinpicture', 'loadedmetadata', 'emptied']) video.addEventListener(event, syncPip);
    syncPip();
    pipButton.addEventListener('click', () => this.togglePictureInPicture());
  }
}
