import { describe, expect, it } from 'vitest';
import { focusKind, runShortcut, SEEK_STEP_S, shortcutFor, VOLUME_STEP, type PlayerActions } from './player-shortcuts.js';
import { AT_LIVE_S } from './dvr.js';

describe('player keyboard shortcuts', () => {
  it('maps space, k, m, f and the arrows on the player itself', () => {
    expect(shortcutFor(' ', 'other')).toEqual({ action: 'togglePlay' });
    expect(shortcutFor('k', 'other')).toEqual({ action: 'togglePlay' });
    expect(shortcutFor('M', 'other')).toEqual({ action: 'toggleMute' });
    expect(shortcutFor('f', 'other')).toEqual({ action: 'toggleFullscreen' });
    expect(shortcutFor('ArrowLeft', 'other')).toEqual({ action: 'seekBy', by: -SEEK_STEP_S });
    expect(shortcutFor('ArrowRight', 'other')).toEqual({ action: 'seekBy', by: SEEK_STEP_S });
    expect(shortcutFor('ArrowUp', 'other')).toEqual({ action: 'changeVolume', by: VOLUME_STEP });
    expect(shortcutFor('ArrowDown', 'other')).toEqual({ action: 'changeVolume', by: -VOLUME_STEP });
    expect(shortcutFor('x', 'other')).toBeNull();
    expect(shortcutFor('Enter', 'other')).toBeNull();
  });

  it('leaves a focused control the keys it uses itself', () => {
    expect(shortcutFor(' ', 'button')).toBeNull();
    expect(shortcutFor('k', 'button')).toEqual({ action: 'togglePlay' });
    expect(shortcutFor('ArrowLeft', 'range')).toBeNull();
    expect(shortcutFor('ArrowUp', 'select')).toBeNull();
    expect(shortcutFor(' ', 'select')).toBeNull();
    expect(shortcutFor('m', 'range')).toEqual({ action: 'toggleMute' });
    for (const key of [' ', 'k', 'm', 'f', 'ArrowLeft']) expect(shortcutFor(key, 'text')).toBeNull();
  });

  it('tells text fields from buttons, sliders and menus', () => {
    expect(focusKind({ tagName: 'INPUT', type: 'text' })).toBe('text');
    expect(focusKind({ tagName: 'INPUT', type: 'search' })).toBe('text');
    expect(focusKind({ tagName: 'TEXTAREA' })).toBe('text');
    expect(focusKind({ tagName: 'DIV', isContentEditable: true })).toBe('text');
    expect(focusKind({ tagName: 'INPUT', type: 'range' })).toBe('range');
    expect(focusKind({ tagName: 'INPUT', type: 'checkbox' })).toBe('button');
    expect(focusKind({ tagName: 'BUTTON' })).toBe('button');
    expect(focusKind({ tagName: 'SELECT' })).toBe('select');
    expect(focusKind({ tagName: 'DIV' })).toBe('other');
    expect(focusKind(null)).toBe('other');
  });

  it('seeks one step back from live far enough to leave live', () => {
    expect(SEEK_STEP_S).toBeGreaterThan(AT_LIVE_S);
  });

  it('runs the action a shortcut names, with its step', () => {
    const calls: string[] = [];
    const actions: PlayerActions = {
      togglePlay: () => calls.push('play'),
      toggleMute: () => calls.push('mute'),
      toggleFullscreen: () => calls.push('fullscreen'),
      seekBy: (s) => calls.push(`seek ${s}`),
      changeVolume: (d) => calls.push(`volume ${d}`),
    };
    for (const key of ['k', 'm', 'f', 'ArrowLeft', 'ArrowUp']) runShortcut(shortcutFor(key, 'other')!, actions);
    expect(calls).toEqual(['play', 'mute', 'fullscreen', `seek ${-SEEK_STEP_S}`, `volume ${VOLUME_STEP}`]);
  });
});
