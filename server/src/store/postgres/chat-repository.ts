import type { Pool } from 'pg';
import type { ChatMessage } from '../../../../shared/chat.js';
import * as shared from '../chat-repository.js';
import type { ChatMessageRow as Row, ChatRepository, ChatRepositoryOptions, NewChatMessage, QueuedChatMessage } from '../chat-repository.js';
import { inTransaction } from './transaction.js';

const { toChatMessage: toMessage } = shared;

/**
 * One statement for the whole batch, in the order the messages were sent. Joining livestreams FOR KEY SHARE
 * waits for a livestream being deleted by another node and then leaves its messages out, not the whole batch.
 */
const INSERT_BATCH = `
  INSERT INTO chat_messages (id, livestream_id, participant_id, name, text, sent_at)
  SELECT m.id, l.id, m.participant_id, m.name, m.text, m.sent_at
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[])
    WITH ORDINALITY AS m (id, livestream_id, participant_id, name, text, sent_at, ord)
  JOIN livestreams l ON l.id = m.livestream_id
  ORDER BY m.ord
  FOR KEY SHARE OF l
  RETURNING id`;

const PRUNE = `
  DELETE FROM chat_messages WHERE livestream_id = $1 AND seq <= (
    SELECT seq FROM chat_messages WHERE livestream_id = $1 ORDER BY seq DESC LIMIT 1 OFFSET $2)`;

/** Chat in PostgreSQL, shared by every node of a cluster. Call flush() before closing the pool. */
export class PostgresChatRepository implements ChatRepository {
  private readonly queue: shared.ChatWriteQueue;

  constructor(
    private readonly pool: Pool,
    options: ChatRepositoryOptions,
  ) {
    this.queue = new shared.ChatWriteQueue(options, (batch) =>
      inTransaction(pool, async (client) => {
        const column = <T>(pick: (q: QueuedChatMessage) => T) => batch.map(pick);
        const inserted = await client.query<{ id: string }>(INSERT_BATCH, [
          column((q) => q.message.id),
          column((q) => q.message.livestreamId),
          column((q) => q.participantId),
          column((q) => q.message.name),
          column((q) => q.message.text),
          column((q) => q.message.sentAt),
        ]);
        const stored = new Set(inserted.rows.map((r) => r.id));
        for (const id of new Set(column((q) => q.message.livestreamId))) await client.query(PRUNE, [id, options.historyLimit]);
        return batch.map((q) => stored.has(q.message.id));
      }),
    );
  }

  add(input: NewChatMessage): Promise<ChatMessage | undefined> {
    return this.queue.add(input);
  }

  flush(): Promise<void> {
    return this.queue.flush();
  }

  async recent(livestreamId: string, limit: number): Promise<ChatMessage[]> {
    const { rows } = await this.pool.query<Row>(
      `SELECT id, livestream_id, name, text, sent_at FROM chat_messages
       WHERE livestream_id = $1 AND NOT deleted ORDER BY seq DESC LIMIT $2`,
      [livestreamId, limit],
    );
    return rows.reverse().map(toMessage);
  }

  async delete(livestreamId: string, messageId: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      "UPDATE chat_messages SET deleted = true, text = '' WHERE livestream_id = $1 AND id = $2 AND NOT deleted",
      [livestreamId, messageId],
    );
    return (rowCount ?? 0) > 0;
  }

  async authorOf(livestreamId: string, messageId: string): Promise<string | undefined> {
    const { rows } = await this.pool.query<{ participant_id: string }>(
      'SELECT participant_id FROM chat_messages WHERE livestream_id = $1 AND id = $2',
      [livestreamId, messageId],
    );
    return rows[0]?.participant_id;
  }

  async ban(livestreamId: string, participantId: string): Promise<void> {
    await this.pool.query('INSERT INTO chat_bans (livestream_id, participant_id, banned_at) VALUES ($1, $2, now()) ON CONFLICT DO NOTHING', [
      livestreamId,
      participantId,
    ]);
  }

  async isBanned(livestreamId: string, participantId: string): Promise<boolean> {
    const { rowCount } = await this.pool.query('SELECT 1 FROM chat_bans WHERE livestream_id = $1 AND participant_id = $2', [livestreamId, participantId]);
    return (rowCount ?? 0) > 0;
  }
}
