import BetterSqlite3, { type Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MESSAGE_ID_PATTERN } from '../../../shared/chat.js';
import { SqliteChatRepository } from './chat-repository.js';
import { SqliteLivestreamRepository } from './livestream-repository.js';
import { migrations } from './migrations.js';
import { applyMigrations } from './migrator.js';

describe('SqliteChatRepository', () => {
  let db: Database;
  let chat: SqliteChatRepository;
  let livestreams: SqliteLivestreamRepository;
  beforeEach(() => {
    db = new BetterSqlite3(':memory:');
    db.pragma('foreign_keys = ON');
    applyMigrations(db, migrations);
    chat = new SqliteChatRepository(db);
    livestreams = new SqliteLivestreamRepository(db);
  });
  afterEach(() => db.close());

  it('keeps messages per livestream and returns the newest ones oldest first', () => {
    const a = livestreams.create({ name: 'A', record: false });
    const b = livestreams.create({ name: 'B', record: false });
    const sent = Array.from({ length: 5 }, (_, i) => chat.add({ livestreamId: a.id, participantId: 'p1', name: 'Ann', text: `m${i}` }));
    chat.add({ livestreamId: b.id, participantId: 'p1', name: 'Ann', text: 'elsewhere' });
    expect(sent[0]!.id).toMatch(MESSAGE_ID_PATTERN);
    expect(new Set(sent.map((m) => m.id)).size).toBe(5);
    expect(chat.recent(a.id, 3)).toEqual(sent.slice(2));
    expect(chat.recent(a.id, 50).map((m) => m.text)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    expect(chat.recent(b.id, 50).map((m) => m.text)).toEqual(['elsewhere']);
  });

  it('hides a deleted message but still knows its author', () => {
    const a = livestreams.create({ name: 'A', record: false });
    const b = livestreams.create({ name: 'B', record: false });
    const m = chat.add({ livestreamId: a.id, participantId: 'p1', name: 'Ann', text: 'spam' });
    expect(chat.delete(b.id, m.id)).toBe(false);
    expect(chat.delete(a.id, m.id)).toBe(true);
    expect(chat.delete(a.id, m.id)).toBe(false);
    expect(chat.recent(a.id, 50)).toEqual([]);
    expect(chat.authorOf(a.id, m.id)).toBe('p1');
    expect(chat.authorOf(b.id, m.id)).toBeUndefined();
    expect(db.prepare('SELECT text FROM chat_messages WHERE id = ?').get(m.id)).toEqual({ text: '' });
  });

  it('bans per livestream, idempotently', () => {
    const a = livestreams.create({ name: 'A', record: false });
    const b = livestreams.create({ name: 'B', record: false });
    chat.ban(a.id, 'p1');
    chat.ban(a.id, 'p1');
    expect(chat.isBanned(a.id, 'p1')).toBe(true);
    expect(chat.isBanned(a.id, 'p2')).toBe(false);
    expect(chat.isBanned(b.id, 'p1')).toBe(false);
  });

  it('goes with its livestream', () => {
    const a = livestreams.create({ name: 'A', record: false });
    chat.add({ livestreamId: a.id, participantId: 'p1', name: 'Ann', text: 'hi' });
    chat.ban(a.id, 'p2');
    livestreams.delete(a.id);
    expect(chat.recent(a.id, 50)).toEqual([]);
    expect(chat.isBanned(a.id, 'p2')).toBe(false);
    expect(() => chat.add({ livestreamId: a.id, participantId: 'p1', name: 'Ann', text: 'hi' })).toThrow(/FOREIGN KEY/);
  });
});
