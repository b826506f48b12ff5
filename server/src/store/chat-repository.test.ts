import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MESSAGE_ID_PATTERN, type ChatMessage } from '../../../shared/chat.js';
import { storeKinds, type StoreUnderTest } from '../../test/fixtures/stores.js';
import type { ChatRepository, ChatRepositoryOptions } from './chat-repository.js';
import type { LivestreamRepository } from './livestream-repository.js';

describe.each(storeKinds())('chat repository ($name)', (kind) => {
  let store: StoreUnderTest;
  let chat: ChatRepository;
  let livestreams: LivestreamRepository;
  const writeErrors: [unknown, number][] = [];
  const options: ChatRepositoryOptions = { historyLimit: 100, onWriteError: (error, lost) => writeErrors.push([error, lost]) };
  /** Rows in the table, whatever the repository still holds back. */
  const stored = async (livestreamId: string) =>
    (await store.rows<{ text: string }>('SELECT text FROM chat_messages WHERE livestream_id = ? ORDER BY seq', livestreamId)).map((r) => r.text);
  const say = (livestreamId: string, text: string) => chat.add({ livestreamId, participantId: 'p1', name: 'Ann', text });
  /** Adds and writes at once: the message as stored. */
  const stored1 = async (livestreamId: string, text: string) => {
    const added = say(livestreamId, text);
    await chat.flush();
    return (await added) ?? expect.fail(`${text} was not stored`);
  };
  const create = (name: string) => livestreams.create({ name, record: false });
  beforeEach(async () => {
    store = await kind.open();
    chat = store.chat(options);
    livestreams = store.livestreams;
    writeErrors.length = 0;
  });
  afterEach(async () => {
    vi.useRealTimers();
    await store.close();
  });

  it('keeps messages per livestream and returns the newest ones oldest first', async () => {
    const a = await create('A');
    const b = await create('B');
    const sent = await Promise.all(Array.from({ length: 5 }, (_, i) => say(a.id, `m${i}`)).concat(stored1(b.id, 'elsewhere')));
    expect(sent[0]!.id).toMatch(MESSAGE_ID_PATTERN);
    expect(new Set(sent.map((m) => m!.id)).size).toBe(6);
    expect(await chat.recent(a.id, 3)).toEqual(sent.slice(2, 5));
    expect((await chat.recent(a.id, 50)).map((m) => m.text)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    expect((await chat.recent(b.id, 50)).map((m) => m.text)).toEqual(['elsewhere']);
  });

  it('hides a deleted message but still knows its author', async () => {
    const a = await create('A');
    const b = await create('B');
    const m = await stored1(a.id, 'spam');
    expect(await chat.delete(b.id, m.id)).toBe(false);
    expect(await chat.delete(a.id, m.id)).toBe(true);
    expect(await chat.delete(a.id, m.id)).toBe(false);
    expect(await chat.recent(a.id, 50)).toEqual([]);
    expect(await chat.authorOf(a.id, m.id)).toBe('p1');
    expect(await chat.authorOf(b.id, m.id)).toBeUndefined();
    expect(await store.rows('SELECT text FROM chat_messages WHERE id = ?', m.id)).toEqual([{ text: '' }]);
  });

  it('bans per livestream, idempotently', async () => {
    const a = await create('A');
    const b = await create('B');
    await chat.ban(a.id, 'p1');
    await chat.ban(a.id, 'p1');
    expect(await chat.isBanned(a.id, 'p1')).toBe(true);
    expect(await chat.isBanned(a.id, 'p2')).toBe(false);
    expect(await chat.isBanned(b.id, 'p1')).toBe(false);
  });

  it('goes with its livestream, even a message still waiting to be written', async () => {
    const a = await create('A');
    const b = await create('B');
    await stored1(a.id, 'hi');
    await chat.ban(a.id, 'p2');
    await livestreams.delete(a.id);
    expect(await chat.recent(a.id, 50)).toEqual([]);
    expect(await chat.isBanned(a.id, 'p2')).toBe(false);
    // Queued beside a message of another livestream: only the orphan is dropped, not the batch.
    const orphan = say(a.id, 'too late');
    const fine = say(b.id, 'fine');
    await chat.flush();
    expect(await orphan).toBeUndefined();
    expect(await fine).toMatchObject({ text: 'fine' });
    expect(await stored(a.id)).toEqual([]);
    expect(await stored(b.id)).toEqual(['fine']);
    expect(writeErrors).toEqual([]);
  });

  it('writes messages in batches, after flushMs or at maxBatch, and gives each back once written', async () => {
    const a = await create('A');
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    chat = store.chat({ ...options, flushMs: 100, maxBatch: 10 });
    const given: string[] = [];
    const track = (added: Promise<ChatMessage | undefined>) => added.then((m) => void given.push(m!.text));
    const first = ['m0', 'm1', 'm2'].map((t) => track(say(a.id, t)));
    await vi.advanceTimersByTimeAsync(99);
    expect(await stored(a.id)).toEqual([]);
    expect(await chat.recent(a.id, 50)).toEqual([]);
    expect(given).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    await Promise.all(first);
    expect(await stored(a.id)).toEqual(['m0', 'm1', 'm2']);
    expect(given).toEqual(['m0', 'm1', 'm2']);

    // Ten waiting messages are written at once, without the timer.
    const more = Array.from({ length: 10 }, (_, i) => track(say(a.id, `m${i + 3}`)));
    await Promise.all(more);
    expect(await stored(a.id)).toHaveLength(13);
    expect(given).toHaveLength(13);
  });

  it('keeps at most historyLimit messages per livestream, deleting the oldest as it writes', async () => {
    chat = store.chat({ ...options, historyLimit: 3 });
    const a = await create('A');
    const b = await create('B');
    void say(b.id, 'b0');
    for (let i = 0; i < 5; i++) void say(a.id, `a${i}`);
    await chat.flush();
    expect(await stored(a.id)).toEqual(['a2', 'a3', 'a4']);
    for (let i = 5; i < 8; i++) void say(a.id, `a${i}`);
    await chat.flush();
    expect(await stored(a.id)).toEqual(['a5', 'a6', 'a7']);
    expect(await stored(b.id)).toEqual(['b0']);
  });

  it('writes a batch in one transaction, reports one it could not write, and keeps working', async () => {
    const a = await create('A');
    const mend = await store.failChatWritesOf('lost 2');
    const lost = [say(a.id, 'lost 1'), say(a.id, 'lost 2')];
    await chat.flush();
    expect(await Promise.all(lost)).toEqual([undefined, undefined]);
    // The first insert succeeded, and went with the second.
    expect(await chat.recent(a.id, 50)).toEqual([]);
    expect(writeErrors).toEqual([[expect.objectContaining({ message: 'disk full' }), 2]]);
    await mend();
    await stored1(a.id, 'kept');
    expect((await chat.recent(a.id, 50)).map((m) => m.text)).toEqual(['kept']);
  });

  it('writes the batches of a flood one after another, in the order they were sent', async () => {
    chat = store.chat({ ...options, maxBatch: 5 });
    const a = await create('A');
    const texts = Array.from({ length: 23 }, (_, i) => `f${i}`);
    await Promise.all(texts.map((t) => say(a.id, t)));
    expect(await stored(a.id)).toEqual(texts);
  });
});
