import { REACTIONS, type ReactionBurst, type ReactionEmoji } from '../../../shared/chat.js';
import { h } from '../dom.js';

/** A burst of hundreds still floats a handful: enough to see, not enough to bury the page. */
const MAX_FLOATS_PER_BURST = 8;
const MAX_FLOATS_ON_SCREEN = 40;
/** Matches the chat-float animation in chat.css; also removes floats when reduced motion skips it. */
const FLOAT_MS = 2400;

/** The reaction buttons and the layer the reactions of everyone float up in. */
export class ReactionBar {
  readonly buttons: HTMLElement;
  readonly layer: HTMLElement;

  constructor(onReact: (emoji: ReactionEmoji, button: HTMLButtonElement) => void) {
    this.buttons = h(
      'div',
      { className: 'chat-reactions', attrs: { role: 'group', 'aria-label': 'Reactions' } },
      ...REACTIONS.map(({ emoji, name }) => {
        const button = h('button', {
          type: 'button',
          className: 'chat-reaction',
          textContent: emoji,
          attrs: { 'aria-label': `React ${name}`, 'data-emoji': emoji },
        });
        button.addEventListener('click', () => onReact(emoji, button));
        return button;
      }),
    );
    this.layer = h('div', { className: 'chat-float-layer', attrs: { 'aria-hidden': 'true', 'data-testid': 'reaction-floats' } });
  }

  /** Floats a burst's emoji (up to a few) from the bottom of the layer. */
  show(burst: ReactionBurst): void {
    const room = MAX_FLOATS_ON_SCREEN - this.layer.childElementCount;
    const floats = Math.min(burst.count, MAX_FLOATS_PER_BURST, room);
    for (let i = 0; i < floats; i++) {
      const float = h('span', { className: 'chat-float', textContent: burst.emoji });
      float.style.left = `${10 + Math.random() * 80}%`;
      float.style.animationDelay = `${i * 120}ms`;
      float.style.setProperty('--drift', `${Math.round((Math.random() - 0.5) * 60)}px`);
      this.layer.append(float);
      setTimeout(() => float.remove(), FLOAT_MS + i * 120);
    }
  }

  /** Marks a button for a moment when the server refused its reaction (too many too fast). */
  static refused(button: HTMLButtonElement): void {
    button.classList.add('chat-reaction-refused');
    setTimeout(() => button.classList.remove('chat-reaction-refused'), 600);
  }
}
