import { randomBytes } from 'node:crypto';
import type { ChatMessage } from '../../../shared/chat.js';

export interface NewChatMessage {
  livestreamId: string;
  /** Who sent it: never shown, only kept so a moderator can ban the author of a message. */
  participantId: string;
  name: string;
  text: string;
}

/** Chat history and bans, per livestream: SQLite (embedded) or PostgreSQL (cluster) behind it. Deleting a livestream deletes both. */
export interface ChatRepository {
  /**
   * Queues a message for the next batch; resolves to it once it is stored, or to undefined when its batch
   * could not be written (or its livestream was deleted meanwhile).
   */
  add(message: NewChatMessage): Promise<ChatMessage | undefined>;
  /** Writes the queued messages now, in one transaction, and trims the history of their livestreams. */
  flush(): Promise<void>;
  /** The newest `limit` messages that are not deleted, oldest first. */
  recent(livestreamId: string, limit: number): Promise<ChatMessage[]>;
  /** Clears a message's text and hides it from history; false when the livestream has no such message. */
  delete(livestreamId: string, messageId: string): Promise<boolean>;
  authorOf(livestreamId: string, messageId: string): Promise<string | undefined>;
  ban(livestreamId: string, participantId: string): Promise<void>;
  isBanned(livestreamId: string, participantId: string): Promise<boolean>;
}

export interface ChatRepositoryOptions {
  /** Messages kept per livestream, deleted ones included; older ones are removed as new ones are written. */
  historyLimit: number;
  /**
   * How long a message may wait for its batch to be written; 20 ms unless given. Every message's delivery
   * waits for its write, so this adds to chat latency; 20 ms still caps a flood at 50 commits a second.
   */
  flushMs?: number;
  /** Queued messages that are written at once rather than when flushMs has passed; 200 unless given. */
  maxBatch?: number;
  /** A batch could not be written: its `lost` messages are refused to their senders. */
  onWriteError: (error: unknown, lost: number) => void;
}

/** A message's row, as either database gives it. */
export interface ChatMessageRow {
  id: string;
  livestream_id: string;
  name: string;
  text: string;
  sent_at: string;
}

export const toChatMessage = (row: ChatMessageRow): ChatMessage => ({
  id: row.id,
  livestreamId: row.livestream_id,
  name: row.name,
  text: row.text,
  sentAt: row.sent_at,
});

/** A message waiting for its batch, with the participant who sent it. */
export interface QueuedChatMessage {
  message: ChatMessage;
  participantId: string;
}

/** Writes one batch in one transaction, trims the history of its livestreams, and tells which messages were stored. */
export type ChatBatchWriter = (batch: readonly QueuedChatMessage[]) => Promise<boolean[]>;

/** Random rather than the row number: ids stay unique when several processes write. */
const newMessageId = () => randomBytes(12).toString('base64url');

/**
 * The batching both stores share. Each commit syncs to disk, so one commit per message would make a chat
 * flood a flood of fsyncs: messages are queued and written together instead, at most `flushMs` later or as
 * soon as `maxBatch` are waiting. A message is given back (to be acknowledged and broadcast) only once
 * written, so whoever learns of it, on any process, finds it in history and can moderate it. Batches are
 * written one after another, so history keeps the order messages were sent in.
 */
export class ChatWriteQueue {
  private queue: (QueuedChatMessage & { settle: (stored: boolean) => void })[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly options: ChatRepositoryOptions,
    private readonly write: ChatBatchWriter,
  ) {}

  add(input: NewChatMessage): Promise<ChatMessage | undefined> {
    const message: ChatMessage = {
      id: newMessageId(),
      livestreamId: input.livestreamId,
      name: input.name,
      text: input.text,
      sentAt: new Date().toISOString(),
    };
    const added = new Promise<ChatMessage | undefined>((resolve) => {
      this.queue.push({ message, participantId: input.participantId, settle: (stored) => resolve(stored ? message : undefined) });
    });
    if (this.queue.length >= (this.options.maxBatch ?? 200)) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.options.flushMs ?? 20).unref();
    return added;
  }

  /** Writes what is queued now; resolves once every batch begun so far is written (or refused). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.queue;
    this.queue = [];
    if (batch.length > 0) {
      this.writing = this.writing.then(async () => {
        let stored: boolean[];
        try {
          stored = await this.write(batch);
        } catch (error) {
          this.options.onWriteError(error, batch.length);
          stored = [];
        }
        batch.forEach((queued, i) => queued.settle(stored[i] ?? false));
      });
    }
    return this.writing;
  }
}
