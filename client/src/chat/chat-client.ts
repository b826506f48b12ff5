import { io, type Socket } from 'socket.io-client';
import {
  ChatEvents,
  type ChatAck,
  type ChatAuth,
  type ChatDeleted,
  type ChatJoinResponse,
  type ChatMessage,
  type ReactionBurst,
  type ReactionEmoji,
  type ViewerCount,
} from '../../../shared/chat.js';
import { Emitter } from '../emitter.js';

export type ChatConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'refused';

export interface ChatClientEvents {
  /** After every (re)connection: the history replaces what was shown. */
  joined: [ChatJoinResponse];
  message: [ChatMessage];
  deleted: [string];
  reaction: [ReactionBurst];
  viewers: [number];
  banned: [];
  state: [ChatConnectionState, string?];
}

export interface ChatClientOptions {
  livestreamId: string;
  /** Joins as the streamer: may delete messages and ban. */
  streamKey?: string;
  /** Kept by the page across reloads, so that a ban sticks. */
  participant: string;
  name?: string;
}

const REQUEST_TIMEOUT_MS = 10_000;

/** The page's side of shared/chat.ts: one socket on the default namespace, joined again after every reconnection. */
export class ChatClient {
  readonly events = new Emitter<ChatClientEvents>();
  private readonly socket: Socket;
  private name: string | undefined;

  constructor(private readonly options: ChatClientOptions) {
    this.name = options.name;
    const auth: ChatAuth = { participant: options.participant, ...(options.streamKey && { streamKey: options.streamKey }) };
    this.socket = io({ auth });
    this.socket.on('connect', () => void this.join());
    this.socket.on('disconnect', () => this.events.emit('state', 'reconnecting'));
    this.socket.on('connect_error', (err) => {
      // The server refused the handshake itself: retrying would not change its answer.
      if (!this.socket.active) this.events.emit('state', 'refused', err.message);
      else this.events.emit('state', 'reconnecting');
    });
    this.socket.on(ChatEvents.message, (m: ChatMessage) => this.events.emit('message', m));
    this.socket.on(ChatEvents.deleted, (d: ChatDeleted) => this.events.emit('deleted', d.id));
    this.socket.on(ChatEvents.reaction, (r: ReactionBurst) => this.events.emit('reaction', r));
    this.socket.on(ChatEvents.viewers, (v: ViewerCount) => this.events.emit('viewers', v.count));
    this.socket.on(ChatEvents.banned, () => this.events.emit('banned'));
    this.events.emit('state', 'connecting');
  }

  get hasName(): boolean {
    return this.name !== undefined;
  }

  async setName(name: string): Promise<ChatAck<{ name: string }>> {
    const ack = await this.request<{ name: string }>(ChatEvents.name, { name });
    if (ack.ok) this.name = ack.name;
    return ack;
  }

  send(text: string): Promise<ChatAck<{ message: ChatMessage }>> {
    return this.request(ChatEvents.send, { text });
  }

  react(emoji: ReactionEmoji): Promise<ChatAck<object>> {
    return this.request(ChatEvents.react, { emoji });
  }

  deleteMessage(messageId: string): Promise<ChatAck<object>> {
    return this.request(ChatEvents.delete, { messageId });
  }

  ban(messageId: string): Promise<ChatAck<object>> {
    return this.request(ChatEvents.ban, { messageId });
  }

  close(): void {
    this.socket.close();
    this.events.clear();
  }

  private async join(): Promise<void> {
    const ack = await this.request<ChatJoinResponse>(ChatEvents.join, {
      livestreamId: this.options.livestreamId,
      ...(this.name !== undefined && { name: this.name }),
    });
    if (!ack.ok) {
      this.events.emit('state', 'refused', ack.error);
      return;
    }
    this.events.emit('state', 'connected');
    this.events.emit('joined', ack);
  }

  private async request<T extends object>(event: string, payload: object): Promise<ChatAck<T>> {
    try {
      return (await this.socket.timeout(REQUEST_TIMEOUT_MS).emitWithAck(event, payload)) as ChatAck<T>;
    } catch {
      // No answer in time: the connection is gone or going; the caller shows it like any refusal.
      return { ok: false, error: 'internal' };
    }
  }
}
