import type { Database } from 'better-sqlite3';
import type { ChatMessage } from '../../../../shared/chat.js';
import {
  ChatWriteQueue,
  toChatMessage as toMessage,
  type ChatMessageRow as Row,
  type ChatRepository,
  type ChatRepositoryOptions,
  type NewChatMessage,
  type QueuedChatMessage,
} from '../chat-repository.js';

/** Chat in the embedded SQLite database. Call flush() before closing the database. */
export class SqliteChatRepository implements ChatRepository {
  private readonly statements;
  private readonly queue: ChatWriteQueue;

  constructor(db: Database, options: ChatRepositoryOptions) {
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
    const writeBatch = db.transaction((batch: readonly QueuedChatMessage[]) => {
      const touched = new Set<string>();
      const stored = batch.map(({ message: m, participantId }) => {
        touched.add(m.livestreamId);
        return this.statements.insert.run(m.id, m.livestreamId, participantId, m.name, m.text, m.sentAt, m.livestreamId).changes > 0;
      });
      for (const id of touched) this.statements.prune.run(id, id, options.historyLimit);
      return stored;
    });
    this.queue = new ChatWriteQueue(options, async (batch) => writeBatch(batch));
  }

  add(input: NewChatMessage): Promise<ChatMessage | undefined> {
    return this.queue.add(input);
  }

  flush(): Promise<void> {
    return this.queue.flush();
  }

  async recent(livestreamId: string, limit: number): Promise<ChatMessage[]> {
    return this.statements.recent.all(livestreamId, limit).reverse().map(toMessage);
  }

  async delete(livestreamId: string, messageId: string): Promise<boolean> {
    return this.statements.delete.run(livestreamId, messageId).changes > 0;
  }

  async authorOf(livestreamId: string, messageId: string): Promise<string | undefined> {
    return this.statements.authorOf.get(livestreamId, messageId)?.participant_id;
  }

  async ban(livestreamId: string, participantId: string): Promise<void> {
    this.statements.ban.run(livestreamId, participantId, new Date().toISOString());
  }

  async isBanned(livestreamId: string, participantId: string): Promise<boolean> {
    return this.statements.isBanned.get(livestreamId, participantId) !== undefined;
  }
}
