import { randomBytes } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { ChatMessage } from '../../../shared/chat.js';

export interface NewChatMessage {
  livestreamId: string;
  /** Who sent it: never shown, only kept so a moderator can ban the author of a message. */
  participantId: string;
  name: string;
  text: string;
}

/** Chat history and bans, per livestream. Deleting a livestream deletes both. */
export interface ChatRepository {
  /**
   * Queues a message for the next batch; resolves to it once it is stored, or to undefined when its batch
   * could not be written (or its livestream was deleted meanwhile).
   */
  add(message: NewChatMessage): Promise<ChatMessage | undefined>;
  /** Writes the queued messages now, in one transaction, and trims the history of their livestreams. */
  flush(): void;
  /** The newest `limit` messages that are not deleted, oldest first. */
  recent(livestreamId: string, limit: number): ChatMessage[];
  /** Clears a message's text and hides it from history; false when the livestream has no such message. */
  delete(livestreamId: string, messageId: string): boolean;
  authorOf(livestreamId: string, messageId: string): string | undefined;
  ban(livestreamId: string, participantId: string): void;
  isBanned(livestreamId: string, participantId: string): boolean;
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

interface Row {
  id: string;
  livestream_id: string;
  name: string;
  text: string;
  sent_at: string;
}

const toMessage = (row: Row): ChatMessage => ({
  id: row.id,
  livestreamId: row.livestream_id,
  name: row.name,
  text: row.text,
  sentAt: row.sent_at,
});

interface QueuedMessage {
  message: ChatMessage;
  participantId: string;
  settle: (stored: boolean) => void;
}

/** Random rather than the row number: ids stay unique when several processes write. */
const newMessageId = () => randomBytes(12).toString('base64url');

/**
 * Each commit syncs the WAL to disk (synchronous = FULL), so one commit per message would make a chat
 * flood a flood of fsyncs on the event loop: messages are queued and written together instead, at most
 * `flushMs` later or as soon as `maxBatch` are waiting. A message is given back (to be acknowledged and
 * broadcast) only once written, so whoever learns of it, on any process, finds it in history and can
 * moderate it. Call flush() before closing the database.
 */
export class SqliteChatRepository implements ChatRepository {
  private readonly statements;
  /** Whether each message was stored. */
  private readonly writeBatch: (batch: readonly QueuedMessage[]) => boolean[];
  private queue: QueuedMessage[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    db: Database,
    private readonly options: ChatRepositoryOptions,
  ) {
    this.statements = {
      // A livestream deleted while its message waited takes the message with it, not the whole batch.
      insert: db.prepare<[string, string, string, string, string, string, string]>(
        `INSERT INTO chat_messages (id, livestream_id, participant_id, name, text, sent_at)
         SELECT ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM livestreams WHERE id = ?)`,
      ),
      prune: db.prepare<[string, string, number]>(
        `DELETE FROM chat_messages WHERE livestream_id = ? AND seq <= (
           SELECT seq FROM chat_messages WHERE livestream_id = ? ORDER BY seq DESC LIMIT 1 OFFSET ?)`,
      ),
      recent: db.prepare<[string, number], Row>(
        `SELECT id, livestream_id, name, text, sent_at FROM chat_messages
         WHERE livestream_id = ? AND deleted = 0 ORDER BY seq DESC LIMIT ?`,
      ),
      delete: db.prepare<[string, string]>(
        "UPDATE chat_messages SET deleted = 1, text = '' WHERE livestream_id = ? AND id = ? AND deleted = 0",
      ),
      authorOf: db.prepare<[string, string], { participant_id: string }>(
        'SELECT participant_id FROM chat_messages WHERE livestream_id = ? AND id = ?',
      ),
      ban: db.prepare<[string, string, string]>(
        'INSERT INTO chat_bans (livestream_id, participant_id, banned_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
      ),
      isBanned: db.prepare<[string, string], { one: number }>(
        'SELECT 1 AS one FROM chat_bans WHERE livestream_id = ? AND participant_id = ?',
      ),
    };
    this.writeBatch = db.transaction((batch: readonly QueuedMessage[]) => {
      const touched = new Set<string>();
      const stored = batch.map(({ message: m, participantId }) => {
        touched.add(m.livestreamId);
        return this.statements.insert.run(m.id, m.livestreamId, participantId, m.name, m.text, m.sentAt, m.livestreamId).changes > 0;
      });
      for (const id of touched) this.statements.prune.run(id, id, this.options.historyLimit);
      return stored;
    });
  }

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
    if (this.queue.length >= (this.options.maxBatch ?? 200)) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.options.flushMs ?? 20).unref();
    return added;
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.queue;
    if (batch.length === 0) return;
    this.queue = [];
    let stored: boolean[];
    try {
      stored = this.writeBatch(batch);
    } catch (error) {
      this.options.onWriteError(error, batch.length);
      stored = [];
    }
    batch.forEach((queued, i) => queued.settle(stored[i] ?? false));
  }

  recent(livestreamId: string, limit: number): ChatMessage[] {
    return this.statements.recent.all(livestreamId, limit).reverse().map(toMessage);
  }

  delete(livestreamId: string, messageId: string): boolean {
    return this.statements.delete.run(livestreamId, messageId).changes > 0;
  }

  authorOf(livestreamId: string, messageId: string): string | undefined {
    return this.statements.authorOf.get(livestreamId, messageId)?.participant_id;
  }

  ban(livestreamId: string, participantId: string): void {
    this.statements.ban.run(livestreamId, participantId, new Date().toISOString());
  }

  isBanned(livestreamId: string, participantId: string): boolean {
    return this.statements.isBanned.get(livestreamId, participantId) !== undefined;
  }
}
