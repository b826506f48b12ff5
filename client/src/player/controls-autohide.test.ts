import { describe, expect, it } from 'vitest';
import { mayHideControls } from './controls-autohide.js';

describe('controls hiding', () => {
  const idle = { playing: true, controlFocused: false, pointerOnControls: false };

  it('hides them over a playing video nobody uses them on', () => {
    expect(mayHideControls(idle)).toBe(true);
  });

  it('keeps them while paused, while a control has the keyboard focus, or while the mouse rests on them', () => {
    expect(mayHideControls({ ...idle, playing: false })).toBe(false);
    expect(mayHideControls({ ...idle, controlFocused: true })).toBe(false);
    expect(mayHideControls({ ...idle, pointerOnControls: true })).toBe(false);
  });
});
