/**
 * Live chat, reactions and viewer counts over Socket.IO (default namespace, default path). Requests are
 * events with an acknowledgement callback; the server validates every payload with shared/chat-schemas.ts
 * (kept apart so that the page does not load zod).
 *
 *   chat:join      ChatJoinRequest      -> ChatAck<ChatJoinResponse>
 *   chat:name      ChatNameRequest      -> ChatAck<{ name: string }>
 *   chat:send      ChatSendRequest      -> ChatAck<{ message: ChatMessage }>
 *   reaction:send  ReactionSendRequest  -> ChatAck<{}>
 *   chat:delete    ModerationRequest    -> ChatAck<{}>    moderators only
 *   chat:ban       ModerationRequest    -> ChatAck<{}>    moderators only: bans the message's author
 * Server -> client (to everyone in the livestream's room):
 *   chat:message   ChatMessage
 *   chat:delete    ChatDeleted          a moderator deleted this message
 *   reaction       ReactionBurst        batched: one event per emoji per flush interval
 *   viewers        ViewerCount          when the count changes, at most once per tick
 *   chat:banned    {}                   only to the banned participant's connections
 *
 * A moderator (the streamer) connects with handshake `auth: { streamKey }` or `auth: { token }` (the API
 * token); `auth.participant` is an optional id the page keeps so a ban outlives a reload.
 */

export const CHAT_TEXT_MAX = 500;
export const CHAT_NAME_MAX = 40;
/** Messages a joining viewer receives. */
export const CHAT_HISTORY_SIZE = 50;
/** Rate limits count what one connection, and separately all the connections of one address, sent in this window. */
export const CHAT_RATE_WINDOW_MS = 5000;
export const DEFAULT_CHAT_RATE = 5;

export const REACTIONS = [
  { emoji: '🔥', name: 'fire' },
  { emoji: '❤️', name: 'heart' },
  { emoji: '😂', name: 'laugh' },
  { emoji: '👏', name: 'clap' },
  { emoji: '😮', name: 'wow' },
] as const;
export type ReactionEmoji = (typeof REACTIONS)[number]['emoji'];

export const ChatEvents = {
  join: 'chat:join',
  name: 'chat:name',
  send: 'chat:send',
  react: 'reaction:send',
  delete: 'chat:delete',
  ban: 'chat:ban',
  message: 'chat:message',
  /** The same name as the request: the server broadcasts the deletion it was asked for. */
  deleted: 'chat:delete',
  reaction: 'reaction',
  viewers: 'viewers',
  banned: 'chat:banned',
} as const;

export type ChatError =
  | 'invalid'
  | 'too_long'
  | 'rate_limited'
  | 'not_joined'
  | 'name_required'
  | 'banned'
  | 'unknown_livestream'
  | 'forbidden'
  | 'not_found'
  | 'unknown_event'
  | 'internal';

export type ChatAck<T> = ({ ok: true } & T) | { ok: false; error: ChatError };

export interface ChatMessage {
  id: string;
  livestreamId: string;
  name: string;
  text: string;
  /** ISO 8601. */
  sentAt: string;
}

export interface ChatJoinResponse {
  /** The last CHAT_HISTORY_SIZE messages, oldest first. */
  history: ChatMessage[];
  viewers: number;
  /** Whether this connection's credentials let it delete messages and ban. */
  moderator: boolean;
}

export interface ChatDeleted {
  id: string;
}

export interface ReactionBurst {
  emoji: ReactionEmoji;
  count: number;
}

export interface ViewerCount {
  count: number;
}

export interface ChatJoinRequest {
  livestreamId: string;
  name?: string;
}
export interface ChatNameRequest {
  name: string;
}
export interface ChatSendRequest {
  text: string;
}
export interface ReactionSendRequest {
  emoji: ReactionEmoji;
}
export interface ModerationRequest {
  messageId: string;
}
/** Handshake `auth` of a chat connection. */
export interface ChatAuth {
  streamKey?: string;
  token?: string;
  participant?: string;
}

export const MESSAGE_ID_PATTERN = /^[A-Za-z0-9_-]{8,32}$/;
export const PARTICIPANT_ID_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;

export type Checked = { ok: true; value: string } | { ok: false; error: 'invalid' | 'too_long' };

// Line feeds and tabs may stay in a message; every other control character is refused.
const TEXT_CONTROL = /(?![\t\n])\p{Cc}/u;
const NAME_CONTROL = /\p{Cc}/u;

/** Lengths count code points, so an emoji is one character as a person counts it. */
function checkLength(value: string, max: number): Checked {
  // A code point is at most two UTF-16 units: a longer string cannot fit, and is not split to find out.
  if (value.length > 2 * max || [...value].length > max) return { ok: false, error: 'too_long' };
  if (value.length === 0) return { ok: false, error: 'invalid' };
  return { ok: true, value };
}

/** A message's text as stored: CRLF as LF, trimmed, 1..CHAT_TEXT_MAX characters. */
export function checkChatText(raw: string): Checked {
  const text = raw.replace(/\r\n?/g, '\n').trim();
  if (TEXT_CONTROL.test(text)) return { ok: false, error: 'invalid' };
  return checkLength(text, CHAT_TEXT_MAX);
}

/** A display name: trimmed, on one line, 1..CHAT_NAME_MAX characters. */
export function checkChatName(raw: string): Checked {
  const name = raw.trim();
  if (NAME_CONTROL.test(name)) return { ok: false, error: 'invalid' };
  return checkLength(name, CHAT_NAME_MAX);
}
