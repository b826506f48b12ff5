import {
  CHAT_NAME_MAX,
  CHAT_TEXT_MAX,
  checkChatName,
  checkChatText,
  type ChatError,
  type ChatMessage,
  type ReactionBurst,
  type ReactionEmoji,
} from '../../../shared/chat.js';
import { Emitter } from '../emitter.js';
import type { ChatClient } from './chat-client.js';

const errorText: Record<ChatError, string> = {
  invalid: 'That cannot be sent.',
  too_long: `Messages are at most ${CHAT_TEXT_MAX} characters.`,
  rate_limited: 'You are sending too fast: wait a few seconds.',
  not_joined: 'The chat is not connected yet.',
  name_required: 'Choose a name first.',
  banned: 'The streamer has stopped you from sending messages here.',
  unknown_livestream: 'This livestream does not exist.',
  forbidden: 'The stream key does not moderate this chat.',
  not_found: 'That message is gone already.',
  unknown_event: 'The chat did not understand that.',
  internal: 'The chat did not answer: try again.',
};
const nameErrorText: Partial<Record<ChatError, string>> = {
  invalid: 'Enter a name on one line.',
  too_long: `Names are at most ${CHAT_NAME_MAX} characters.`,
};

/** A status that is not sticky leaves after this long. */
export const STATUS_MS = 5000;

/** What the chat panel shows besides the messages. */
export interface ChatPanelModel {
  /** Connected and not banned: messages and reactions may go out. */
  canSend: boolean;
  /** A message is on its way. */
  sending: boolean;
  status: string | null;
  /** Null until the chat is joined. */
  viewers: number | null;
}

/** What the viewer can ask of the chat panel; each answer says how it went, for the view to follow up. */
export interface ChatIntents {
  /** True when sent: the view may clear what was typed. */
  send(text: string): Promise<boolean>;
  /** True when the name was taken. */
  chooseName(name: string): Promise<boolean>;
  /** False when the reaction was refused. */
  react(emoji: ReactionEmoji): Promise<boolean>;
  deleteMessage(message: ChatMessage): Promise<void>;
  ban(message: ChatMessage): Promise<void>;
}

export interface ChatPanelEvents {
  changed: [ChatPanelModel];
  /** After every (re)join: the messages to show, and whether this viewer moderates them. */
  history: [messages: ChatMessage[], moderator: boolean];
  message: [ChatMessage];
  removed: [id: string];
  reaction: [ReactionBurst];
  /** Sending needs a name first: the view asks for one. */
  nameNeeded: [];
}

export interface ChatControllerDeps {
  client: Pick<ChatClient, 'events' | 'hasName' | 'setName' | 'send' | 'react' | 'deleteMessage' | 'ban' | 'close'>;
  /** Asks the moderator before a ban. */
  confirm(dialog: { title: string; message: string; confirmLabel: string; danger: boolean }): Promise<boolean>;
  /** Keeps the chosen name for this browser's next visit. */
  saveName(name: string): void;
}

/** The chat panel's state and its talks with the chat server: connection, sending, naming, reactions, moderation. */
export class ChatController implements ChatIntents {
  readonly events = new Emitter<ChatPanelEvents>();
  private connected = false;
  private banned = false;
  private sending = false;
  private status: string | null = null;
  private viewers: number | null = null;
  private statusTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly client: ChatControllerDeps['client'];

  constructor(private readonly deps: ChatControllerDeps) {
    const client = deps.client;
    this.client = client;
    client.events.on('state', (state, detail) => {
      this.connected = state === 'connected';
      if (state === 'reconnecting') this.showStatus('Reconnecting to the chat…', true);
      else if (state === 'refused') this.showStatus(detail && detail in errorText ? errorText[detail as ChatError] : 'The chat refused the connection.', true);
      else if (state === 'connected' && !this.banned) this.showStatus(null);
      this.changed();
    });
    client.events.on('joined', (joined) => {
      this.events.emit('history', joined.history, joined.moderator);
      this.setViewers(joined.viewers);
    });
    client.events.on('message', (message) => this.events.emit('message', message));
    client.events.on('deleted', (id) => this.events.emit('removed', id));
    client.events.on('reaction', (burst) => this.events.emit('reaction', burst));
    client.events.on('viewers', (count) => this.setViewers(count));
    client.events.on('banned', () => {
      this.banned = true;
      this.showStatus(errorText.banned, true);
    });
  }

  get model(): ChatPanelModel {
    return { canSend: this.connected && !this.banned, sending: this.sending, status: this.status, viewers: this.viewers };
  }

  async send(text: string): Promise<boolean> {
    if (this.sending || !this.connected || this.banned) return false;
    const checked = checkChatText(text);
    if (!checked.ok) {
      if (checked.error === 'too_long') this.showStatus(errorText.too_long);
      return false;
    }
    if (!this.client.hasName) {
      this.events.emit('nameNeeded');
      return false;
    }
    this.sending = true;
    this.changed();
    const ack = await this.client.send(checked.value);
    this.sending = false;
    this.changed();
    if (ack.ok) {
      this.events.emit('message', ack.message);
      this.showStatus(null);
      return true;
    }
    if (ack.error === 'name_required') {
      this.events.emit('nameNeeded');
      return false;
    }
    if (ack.error === 'banned') this.banned = true;
    this.showStatus(errorText[ack.error], ack.error === 'banned');
    return false;
  }

  async chooseName(name: string): Promise<boolean> {
    const checked = checkChatName(name);
    if (!checked.ok) {
      this.showStatus(nameErrorText[checked.error] ?? errorText[checked.error]);
      return false;
    }
    const ack = await this.client.setName(checked.value);
    if (!ack.ok) {
      this.showStatus(nameErrorText[ack.error] ?? errorText[ack.error]);
      return false;
    }
    this.deps.saveName(ack.name);
    return true;
  }

  async react(emoji: ReactionEmoji): Promise<boolean> {
    const ack = await this.client.react(emoji);
    // Too many too fast shows on the button alone.
    if (!ack.ok && ack.error !== 'rate_limited') this.showStatus(errorText[ack.error]);
    return ack.ok;
  }

  async deleteMessage(message: ChatMessage): Promise<void> {
    const ack = await this.client.deleteMessage(message.id);
    if (ack.ok) this.events.emit('removed', message.id);
    else this.showStatus(errorText[ack.error]);
  }

  async ban(message: ChatMessage): Promise<void> {
    const confirmed = await this.deps.confirm({
      title: `Ban ${message.name}?`,
      message: 'They will no longer be able to send messages or reactions in this chat.',
      confirmLabel: 'Ban',
      danger: true,
    });
    if (!confirmed) return;
    const ack = await this.client.ban(message.id);
    this.showStatus(ack.ok ? `${message.name} can no longer send messages.` : errorText[ack.error]);
  }

  destroy(): void {
    clearTimeout(this.statusTimer);
    this.client.close();
    this.events.clear();
  }

  private showStatus(text: string | null, sticky = false): void {
    clearTimeout(this.statusTimer);
    this.status = text;
    if (text !== null && !sticky) this.statusTimer = setTimeout(() => this.showStatus(null), STATUS_MS);
    this.changed();
  }

  private setViewers(count: number): void {
    this.viewers = count;
    this.changed();
  }

  private changed(): void {
    this.events.emit('changed', this.model);
  }
}
