import type { ChatMessage } from '../../../shared/chat.js';
import { h } from '../dom.js';

/** Older messages leave the page beyond this; the server keeps them. */
const MAX_SHOWN = 200;
/** Within this distance of the bottom the list follows new messages; further up, the reader is reading. */
const FOLLOW_PX = 48;

export interface ModerationActions {
  delete(message: ChatMessage): void;
  ban(message: ChatMessage): void;
}

/** The chat's message list. Every name and text goes in as a text node, never as markup. */
export class MessageList {
  readonly element: HTMLOListElement;
  private readonly items = new Map<string, HTMLLIElement>();
  private moderation: ModerationActions | undefined;

  constructor() {
    this.element = h('ol', { className: 'chat-messages', attrs: { 'data-testid': 'chat-messages', 'aria-live': 'polite', 'aria-label': 'Chat messages' } });
  }

  /** Delete and ban buttons on the messages rendered from now on (set it before replace()). */
  setModeration(actions: ModerationActions | undefined): void {
    this.moderation = actions;
  }

  replace(history: ChatMessage[]): void {
    this.items.clear();
    this.element.replaceChildren();
    for (const message of history) this.add(message);
    this.element.scrollTop = this.element.scrollHeight;
  }

  /** Adds a message once, however many times it arrives (the sender gets both the ack and the broadcast). */
  add(message: ChatMessage): void {
    if (this.items.has(message.id)) return;
    const follow = this.element.scrollHeight - this.element.scrollTop - this.element.clientHeight < FOLLOW_PX;
    const item = this.render(message);
    this.items.set(message.id, item);
    this.element.append(item);
    while (this.items.size > MAX_SHOWN) {
      const [oldest] = this.items.keys();
      if (oldest === undefined) break;
      this.remove(oldest);
    }
    if (follow) this.element.scrollTop = this.element.scrollHeight;
  }

  remove(id: string): void {
    this.items.get(id)?.remove();
    this.items.delete(id);
  }

  private render(message: ChatMessage): HTMLLIElement {
    const time = new Date(message.sentAt);
    const item = h(
      'li',
      { className: 'chat-message', attrs: { 'data-message-id': message.id } },
      h('time', {
        className: 'chat-time',
        dateTime: message.sentAt,
        textContent: time.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }),
      }),
      h('span', { className: 'chat-author', textContent: message.name }),
      h('span', { className: 'chat-text', textContent: message.text }),
    );
    const moderation = this.moderation;
    if (moderation) {
      const remove = h('button', { type: 'button', className: 'chat-mod', textContent: 'Delete', attrs: { 'aria-label': `Delete message from ${message.name}` } });
      const ban = h('button', { type: 'button', className: 'chat-mod chat-mod-danger', textContent: 'Ban', attrs: { 'aria-label': `Ban ${message.name}` } });
      remove.addEventListener('click', () => moderation.delete(message));
      ban.addEventListener('click', () => moderation.ban(message));
      item.append(h('span', { className: 'chat-mod-actions' }, remove, ban));
    }
    return item;
  }
}
