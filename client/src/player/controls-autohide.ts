/** How long the controls stay after the last pointer or keyboard activity while the video plays. */
export const HIDE_AFTER_MS = 3000;

export interface ControlsActivity {
  playing: boolean;
  /** A control has the keyboard's focus (or an open menu): hiding it would lose the viewer's place. */
  controlFocused: boolean;
  /** The mouse rests on the controls. */
  pointerOnControls: boolean;
}

/** Controls hide only over a playing video nobody is using them on. */
export function mayHideControls(activity: ControlsActivity): boolean {
  return activity.playing && !activity.controlFocused && !activity.pointerOnControls;
}

/** A focused select may have its menu open; a button or slider counts when the keyboard put the focus there. */
function keyboardFocusWithin(controls: HTMLElement): boolean {
  const focused = document.activeElement;
  return focused instanceof HTMLElement && controls.contains(focused) && (focused.tagName === 'SELECT' || focused.matches(':focus-visible'));
}

/**
 * Hides the controls (the container's data-controls="hidden") after HIDE_AFTER_MS without pointer or
 * keyboard activity on the player while it plays; any activity, a pause or keyboard focus brings them back.
 */
export function autohideControls(container: HTMLElement, controls: HTMLElement, video: HTMLVideoElement): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let pointerOnControls = false;
  const hideIfIdle = () => {
    clearTimeout(timer);
    if (mayHideControls({ playing: !video.paused, controlFocused: keyboardFocusWithin(controls), pointerOnControls })) {
      container.dataset.controls = 'hidden';
    } else timer = setTimeout(hideIfIdle, HIDE_AFTER_MS);
  };
  const show = () => {
    container.dataset.controls = 'shown';
    clearTimeout(timer);
    timer = setTimeout(hideIfIdle, HIDE_AFTER_MS);
  };
  for (const event of ['pointermove', 'pointerdown', 'keydown', 'focusin']) container.addEventListener(event, show);
  for (const event of ['play', 'pause']) video.addEventListener(event, show);
  controls.addEventListener('pointerenter', (event) => {
    pointerOnControls = event.pointerType === 'mouse';
  });
  controls.addEventListener('pointerleave', () => {
    pointerOnControls = false;
  });
  // A mouse that leaves the player is done with it for now.
  container.addEventListener('pointerleave', (event) => {
    if (event.pointerType === 'mouse') hideIfIdle();
  });
  show();
}
