import BetterSqlite3, { type Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MESSAGE_ID_PATTERN, type ChatMessage } from '../../../shared/chat.js';
import { SqliteChatRepository, type ChatRepositoryOptions } from './chat-repository.js';
import { SqliteLivestreamRepository } from './livestream-repository.js';
import { migrations } from './migrations.js';
import { applyMigrations } from './migrator.js';

describe('SqliteChatRepository', () => {
  let db: Database;
  let chat: SqliteChatRepository;
  let livestreams: SqliteLivestreamRepository;
  const writeErrors: [unknown, number][] = [];
  const options: ChatRepositoryOptions = { historyLimit: 100, onWriteError: (error, lost) => writeErrors.push([error, lost]) };
  /** Rows in the table, whatever the repository still holds back. */
  const stored = (livestreamId: string) =>
    (db.prepare('SELECT text FROM chat_messages WHERE livestream_id = ? ORDER BY seq').all(livestreamId) as { text: string }[]).map((r) => r.text);
  const say = (livestreamId: string, text: string) => chat.add({ livestreamId, participantId: 'p1', name: 'Ann', text });
  /** Adds and writes at once: the message as stored. */
  const stored1 = async (livestreamId: string, text: string) => {
    const added = say(livestreamId, text);
    chat.flush();
    return (await added) ?? expect.fail(`${text} was not stored`);
  };
  beforeEach(() => {
    db = new BetterSqlite3(':memory:');
    db.pragma('foreign_keys = ON');
    applyMigrations(db, migrations);
    chat = new SqliteChatRepository(db, options);
    livestreams = new SqliteLivestreamRepository(db);
    writeErrors.length = 0;
  });
  afterEach(() => {
    chat.flush();
    db.close();
    vi.useRealTimers();
  });

  it('keeps messages per livestream and returns the newest ones oldest first', async () => {
    const a = livestreams.create({ name: 'A', record: false });
    const b = livestreams.create({ name: 'B', record: false });
    const sent = await Promise.all(Array.from({ length: 5 }, (_, i) => say(a.id, `m${i}`)).concat(stored1(b.id, 'elsewhere')));
    expect(sent[0]!.id).toMatch(MESSAGE_ID_PATTERN);
    expect(new Set(sent.map((m) => m!.id)).size).toBe(6);
    expect(chat.recent(a.id, 3)).toEqual(sent.slice(2, 5));
    expect(chat.recent(a.id, 50).map((m) => m.text)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    expect(chat.recent(b.id, 50).map((m) => m.text)).toEqual(['elsewhere']);
  });

  it('hides a deleted message but still knows its author', async () => {
    const a = livestreams.create({ name: 'A', record: false });
    const b = livestreams.create({ name: 'B', record: false });
    const m = await stored1(a.id, 'spam');
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

  it('goes with its livestream, even a message still waiting to be written', async () => {
    const a = livestreams.create({ name: 'A', record: false });
    const b = livestreams.create({ name: 'B', record: false });
    await stored1(a.id, 'hi');
    chat.ban(a.id, 'p2');
    livestreams.delete(a.id);
    expect(chat.recent(a.id, 50)).toEqual([]);
    expect(chat.isBanned(a.id, 'p2')).toBe(false);
    // Queued beside a message of another livestream: only the orphan is dropped, not the batch.
    const orphan = say(a.id, 'too late');
    const fine = say(b.id, 'fine');
    chat.flush();
    expect(await orphan).toBeUndefined();
    expect(await fine).toMatchObject({ text: 'fine' });
    expect(stored(a.id)).toEqual([]);
    expect(stored(b.id)).toEqual(['fine']);
    expect(writeErrors).toEqual([]);
  });

  it('writes messages in batches, after flushMs or at maxBatch, and gives each back once written', async () => {
    vi.useFakeTimers();
    chat = new SqliteChatRepository(db, { ...options, flushMs: 100, maxBatch: 10 });
    const a = livestreams.create({ name: 'A', record: false });
    const given: string[] = [];
    const track = (added: Promise<ChatMessage | undefined>) => void added.then((m) => given.push(m!.text));
    ['m0', 'm1', 'm2'].forEach((t) => track(say(a.id, t)));
    await vi.advanceTimersByTimeAsync(99);
    expect(stored(a.id)).toEqual([]);
    expect(chat.recent(a.id, 50)).toEqual([]);
    expect(given).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(stored(a.id)).toEqual(['m0', 'm1', 'm2']);
    expect(given).toEqual(['m0', 'm1', 'm2']);

    // Ten waiting messages are written at once, without the timer.
    for (let i = 3; i < 13; i++) track(say(a.id, `m${i}`));
    expect(stored(a.id)).toHaveLength(13);
    await Promise.resolve();
    expect(given).toHaveLength(13);
  });

  it('keeps at most historyLimit messages per livestream, deleting the oldest as it writes', () => {
    chat = new SqliteChatRepository(db, { ...options, historyLimit: 3 });
    const a = livestreams.create({ name: 'A', record: false });
    const b = livestreams.create({ name: 'B', record: false });
    void say(b.id, 'b0');
    for (let i = 0; i < 5; i++) void say(a.id, `a${i}`);
    chat.flush();
    expect(stored(a.id)).toEqual(['a2', 'a3', 'a4']);
    for (let i = 5; i < 8; i++) void say(a.id, `a${i}`);
    chat.flush();
    expect(stored(a.id)).toEqual(['a5', 'a6', 'a7']);
    expect(stored(b.id)).toEqual(['b0']);
  });

  it('writes a batch in one transaction, reports one it could not write, and keeps working', async () => {
    const a = livestreams.create({ name: 'A', record: false });
    db.exec("CREATE TRIGGER full_disk BEFORE INSERT ON chat_messages WHEN NEW.text = 'lost 2' BEGIN SELECT RAISE(ABORT, 'disk full'); END");
    const lost = [say(a.id, 'lost 1'), say(a.id, 'lost 2')];
    chat.flush();
    expect(await Promise.all(lost)).toEqual([undefined, undefined]);
    // The first insert succeeded, and went with the second.
    expect(chat.recent(a.id, 50)).toEqual([]);
    expect(writeErrors).toEqual([[expect.objectContaining({ message: 'disk full' }), 2]]);
    db.exec('DROP TRIGGER full_disk');
    await stored1(a.id, 'kept');
    expect(chat.recent(a.id, 50).map((m) => m.text)).toEqual(['kept']);
  });
});
