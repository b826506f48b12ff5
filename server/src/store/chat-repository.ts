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
  add(message: NewChatMessage): ChatMessage;
  /** The newest `limit` messages that are not deleted, oldest first. */
  recent(livestreamId: string, limit: number): ChatMessage[];
  /** Clears a message's text and hides it from history; false when the livestream has no such message. */
  delete(livestreamId: string, messageId: string): boolean;
  authorOf(livestreamId: string, messageId: string): string | undefined;
  ban(livestreamId: string, participantId: string): void;
  isBanned(livestreamId: string, participantId: string): boolean;
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

/** Random rather than the row number: ids stay unique when several processes write. */
const newMessageId = () => randomBytes(12).toString('base64url');

export class SqliteChatRepository implements ChatRepository {
  private readonly statements;

  constructor(db: Database) {
    this.statements = {
      insert: db.prepare<[string, string, string, string, string, string]>(
        'INSERT INTO chat_messages (id, livestream_id, participant_id, name, text, sent_at) VALUES (?, ?, ?, ?, ?, ?)',
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
  }

  add(input: NewChatMessage): ChatMessage {
    const message: ChatMessage = {
      id: newMessageId(),
      livestreamId: input.livestreamId,
      name: input.name,
      text: input.text,
      sentAt: new Date().toISOString(),
    };
    this.statements.insert.run(message.id, message.livestreamId, input.participantId, message.name, message.text, message.sentAt);
    return message;
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
