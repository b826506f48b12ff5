/**
 * Keyboard shortcuts on the player: space and k play or pause, m mutes, f goes full screen, the left and
 * right arrows seek, up and down change the volume. Bound to the player's container, so typing in the chat
 * or anywhere else on the page never reaches them.
 */

/**
 * Seconds one arrow press seeks. More than AT_LIVE_S (dvr.ts), so one press back from live leaves live
 * instead of counting as a return to it.
 */
export const SEEK_STEP_S = 10;
export const VOLUME_STEP = 0.1;

export interface PlayerActions {
  togglePlay(): void;
  toggleMute(): void;
  toggleFullscreen(): void;
  seekBy(seconds: number): void;
  changeVolume(delta: number): void;
}

export type Shortcut =
  | { action: 'togglePlay' | 'toggleMute' | 'toggleFullscreen' }
  | { action: 'seekBy' | 'changeVolume'; by: number };

/** What has the focus, as far as the keys it uses itself go. */
export type FocusKind = 'text' | 'button' | 'range' | 'select' | 'other';

/** The part of an element focusKind reads. */
export interface FocusTarget {
  tagName: string;
  type?: string;
  isContentEditable?: boolean;
}

const BUTTON_INPUTS = new Set(['button', 'submit', 'reset', 'checkbox', 'radio']);

export function focusKind(target: FocusTarget | null): FocusKind {
  if (!target) return 'other';
  if (target.isContentEditable) return 'text';
  switch (target.tagName) {
    case 'TEXTAREA':
      return 'text';
    case 'BUTTON':
      return 'button';
    case 'SELECT':
      return 'select';
    case 'INPUT':
      if (target.type === 'range') return 'range';
      return BUTTON_INPUTS.has(target.type ?? '') ? 'button' : 'text';
    default:
      return 'other';
  }
}

/** The shortcut a key means where the focus is; null where the focused control uses the key itself. */
export function shortcutFor(key: string, focus: FocusKind): Shortcut | null {
  if (focus === 'text') return null;
  const arrowsFree = focus !== 'range' && focus !== 'select';
  switch (key.length === 1 ? key.toLowerCase() : key) {
    case ' ':
      return focus === 'other' ? { action: 'togglePlay' } : null;
    case 'k':
      return { action: 'togglePlay' };
    case 'm':
      return { action: 'toggleMute' };
    case 'f':
      return { action: 'toggleFullscreen' };
    case 'ArrowLeft':
      return arrowsFree ? { action: 'seekBy', by: -SEEK_STEP_S } : null;
    case 'ArrowRight':
      return arrowsFree ? { action: 'seekBy', by: SEEK_STEP_S } : null;
    case 'ArrowUp':
      return arrowsFree ? { action: 'changeVolume', by: VOLUME_STEP } : null;
    case 'ArrowDown':
      return arrowsFree ? { action: 'changeVolume', by: -VOLUME_STEP } : null;
    default:
      return null;
  }
}

export function runShortcut(shortcut: Shortcut, actions: PlayerActions): void {
  if ('by' in shortcut) actions[shortcut.action](shortcut.by);
  else actions[shortcut.action]();
}

export function bindShortcuts(container: HTMLElement, actions: PlayerActions): void {
  container.addEventListener('keydown', (event) => {
    // Browser and system shortcuts keep their modifiers; a control that handled the key itself wins.
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    const shortcut = shortcutFor(event.key, focusKind(event.target instanceof HTMLElement ? event.target : null));
    if (!shortcut) return;
    event.preventDefault();
    runShortcut(shortcut, actions);
  });
}
