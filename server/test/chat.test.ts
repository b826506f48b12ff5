import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CHAT_HISTORY_SIZE,
  ChatEvents,
  type ChatJoinResponse,
  type ChatMessage,
  type ReactionBurst,
  type ViewerCount,
} from '../../shared/chat.js';
import { SIGNALLING_MAX_BYTES } from '../../shared/constants.js';
import { attachChat, type ChatService } from '../src/chat/chat-service.js';
import { AdminAuth } from '../src/http/admin-auth.js';
import type { Logger } from '../src/log.js';
import { SqliteChatRepository } from '../src/store/sqlite/chat-repository.js';
import { openDatabase } from '../src/store/db.js';
import type { LivestreamRecord } from '../src/store/livestream-repository.js';
import { SqliteLivestreamRepository } from '../src/store/sqlite/livestream-repository.js';
import { ask, connectChat, record, type ChatSocket } from './fixtures/chat-clients.js';
import { waitFor } from './fixtures/wait-for.js';
import { tempDirs } from './fixtures/temp-dirs.js';

const TOKEN = 'chat-test-admin-token-0123';
const RATE = 5;

const quiet: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => quiet };

interface ChatServer {
  url: string;
  chat: ChatService;
  livestreams: SqliteLivestreamRepository;
  close(): Promise<void>;
}

/** A real Socket.IO server on a real HTTP server, with chat over SQLite in `dataDir`, as main.ts builds it. */
async function startChat(dataDir: string): Promise<ChatServer> {
  const db = openDatabase(dataDir);
  const livestreams = new SqliteLivestreamRepository(db);
  const http = createServer();
  const io = new Server(http, { maxHttpBufferSize: SIGNALLING_MAX_BYTES });
  // Batches written every few ms: the many messages sent one after the other here do not wait 100 ms each.
  const store = new SqliteChatRepository(db, { historyLimit: 500, flushMs: 5, onWriteError: (error) => expect.fail(String(error)) });
  const chat = attachChat(io, {
    livestreams,
    adminAuth: new AdminAuth(TOKEN),
    store,
    // Every client here is 127.0.0.1: the limits per address are out of the way (chat-flood.test.ts tests them).
    config: { chatRate: RATE, chatIpRate: 10_000, maxSocketsPerIp: 10_000, redisUrl: undefined },
    log: quiet,
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    chat,
    livestreams,
    close: async () => {
      chat.close();
      await io.close();
      await store.flush();
      db.close();
    },
  };
}

const tempDir = tempDirs();
const makeTempDir = () => tempDir('axon-chat-');

describe('chat over Socket.IO', () => {
  let server: ChatServer;
  let ls: LivestreamRecord;
  const sockets: ChatSocket[] = [];

  const client = async (auth: Record<string, unknown> = {}) => {
    const socket = await connectChat(server.url, auth);
    sockets.push(socket);
    return socket;
  };
  /** A connected client that joined `ls` (optionally with a name). */
  const viewer = async (name?: string, auth: Record<string, unknown> = {}) => {
    const socket = await client(auth);
    const ack = await ask<ChatJoinResponse>(socket, ChatEvents.join, { livestreamId: ls.id, ...(name !== undefined && { name }) });
    expect(ack.ok, JSON.stringify(ack)).toBe(true);
    return socket;
  };
  const send = (socket: ChatSocket, text: unknown) => ask<{ message: ChatMessage }>(socket, ChatEvents.send, { text });

  beforeEach(async () => {
    server = await startChat(makeTempDir());
    ls = await server.livestreams.create({ name: 'Chat test', record: false });
  });
  afterEach(async () => {
    sockets.splice(0).forEach((s) => s.close());
    await server.close();
  });

  it('delivers every message to every one of 50 viewers in the room, and to no other room', async () => {
    const other = await server.livestreams.create({ name: 'Other', record: false });
    const viewers = await Promise.all(Array.from({ length: 50 }, () => viewer()));
    const inbox = viewers.map((s) => record<ChatMessage>(s, ChatEvents.message));
    const elsewhere = await client();
    expect((await ask(elsewhere, ChatEvents.join, { livestreamId: other.id })).ok).toBe(true);
    const elsewhereInbox = record<ChatMessage>(elsewhere, ChatEvents.message);

    const sender = await viewer('Ann');
    const acks = [];
    for (const text of ['one', 'two', 'three']) acks.push(await send(sender, text));
    const sent = acks.map((a) => (a.ok ? a.message : expect.fail(JSON.stringify(a))));
    expect(Object.keys(sent[0]!).sort()).toEqual(['id', 'livestreamId', 'name', 'sentAt', 'text']);
    expect(sent[0]).toMatchObject({ livestreamId: ls.id, name: 'Ann', text: 'one' });

    await waitFor('all 50 viewers to receive 3 messages', () => inbox.every((m) => m.length === 3));
    for (const messages of inbox) expect(messages).toEqual(sent);
    expect(elsewhereInbox).toEqual([]);
  });

  it('gives a late joiner the last 50 messages, oldest first, without deleted ones', async () => {
    // 12 senders × 5 messages stay within each connection's rate limit.
    const senders = await Promise.all(Array.from({ length: 12 }, (_, i) => viewer(`s${i}`)));
    const texts: string[] = [];
    for (let round = 0; round < RATE; round++) {
      for (const [i, s] of senders.entries()) {
        const text = `m${round}-${i}`;
        texts.push(text);
        expect((await send(s, text)).ok).toBe(true);
      }
    }
    const late = await client();
    const ack = await ask<ChatJoinResponse>(late, ChatEvents.join, { livestreamId: ls.id });
    if (!ack.ok) expect.fail(ack.error);
    expect(ack.history).toHaveLength(CHAT_HISTORY_SIZE);
    expect(ack.history.map((m) => m.text)).toEqual(texts.slice(-CHAT_HISTORY_SIZE));
    expect(ack.moderator).toBe(false);
    expect(ack.viewers).toBe(13);
  });

  it('trims texts and names, and enforces their lengths in characters', async () => {
    const s = await viewer('  Ann  ');
    const sent = await send(s, '  \r\n hello\r\nworld \t ');
    expect(sent).toMatchObject({ ok: true, message: { name: 'Ann', text: 'hello\nworld' } });
    expect(await send(s, 'x'.repeat(501))).toEqual({ ok: false, error: 'too_long' });
    expect(await send(s, ` ${'x'.repeat(500)} `)).toMatchObject({ ok: true, message: { text: 'x'.repeat(500) } });
    // 500 emoji are 500 characters (1000 UTF-16 units); 501 are too many.
    expect((await send(s, '🔥'.repeat(500))).ok).toBe(true);
    expect(await send(s, '🔥'.repeat(501))).toEqual({ ok: false, error: 'too_long' });
    expect(await send(s, '   \n\t ')).toEqual({ ok: false, error: 'invalid' });
    expect(await send(s, '')).toEqual({ ok: false, error: 'invalid' });
    expect(await send(s, 'bell\u0007')).toEqual({ ok: false, error: 'invalid' });

    expect(await ask(s, ChatEvents.name, { name: 'n'.repeat(41) })).toEqual({ ok: false, error: 'too_long' });
    expect(await ask(s, ChatEvents.name, { name: '   ' })).toEqual({ ok: false, error: 'invalid' });
    expect(await ask(s, ChatEvents.name, { name: 'two\nlines' })).toEqual({ ok: false, error: 'invalid' });
    expect(await ask(s, ChatEvents.name, { name: ` ${'n'.repeat(40)} ` })).toEqual({ ok: true, name: 'n'.repeat(40) });
    const joinLongName = await client();
    expect(await ask(joinLongName, ChatEvents.join, { livestreamId: ls.id, name: 'n'.repeat(41) })).toEqual({ ok: false, error: 'too_long' });
  });

  it('lets a viewer without a name read and react, and asks for a name only to send', async () => {
    const reader = await viewer();
    const inbox = record<ChatMessage>(reader, ChatEvents.message);
    expect(await send(reader, 'hi')).toEqual({ ok: false, error: 'name_required' });
    expect(await ask(reader, ChatEvents.react, { emoji: '🔥' })).toEqual({ ok: true });
    const talker = await viewer('Bob');
    expect((await send(talker, 'hello')).ok).toBe(true);
    await waitFor('the message', () => inbox.length === 1);
    expect(await ask(reader, ChatEvents.name, { name: 'Cy' })).toEqual({ ok: true, name: 'Cy' });
    expect(await send(reader, 'hi')).toMatchObject({ ok: true, message: { name: 'Cy', text: 'hi' } });
  });

  it('limits messages and reactions per connection', async () => {
    const a = await viewer('A');
    const b = await viewer('B');
    for (let i = 0; i < RATE; i++) expect((await send(a, `m${i}`)).ok).toBe(true);
    expect(await send(a, 'one too many')).toEqual({ ok: false, error: 'rate_limited' });
    // A refused message is not stored or broadcast; another connection is not affected.
    expect((await send(b, 'b is fine')).ok).toBe(true);
    for (let i = 0; i < RATE; i++) expect(await ask(a, ChatEvents.react, { emoji: '👏' })).toEqual({ ok: true });
    expect(await ask(a, ChatEvents.react, { emoji: '👏' })).toEqual({ ok: false, error: 'rate_limited' });
    expect(await ask(b, ChatEvents.react, { emoji: '👏' })).toEqual({ ok: true });
    const late = await client();
    const ack = await ask<ChatJoinResponse>(late, ChatEvents.join, { livestreamId: ls.id });
    expect(ack.ok && ack.history.map((m) => m.text)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'b is fine']);
  });

  it('disconnects a connection that keeps sending after being told it is too fast', async () => {
    const spammer = await viewer('Spam');
    const gone = new Promise<string>((resolve) => spammer.once('disconnect', resolve));
    for (let i = 0; i < RATE; i++) expect((await send(spammer, `s${i}`)).ok).toBe(true);
    // A person told to wait would: twenty answers of "too fast" in one window, and the server stops answering.
    for (let i = 0; i < 20; i++) expect(await send(spammer, 'again')).toEqual({ ok: false, error: 'rate_limited' });
    expect(spammer.connected).toBe(true);
    await expect(send(spammer, 'and again')).rejects.toThrow('socket has been disconnected');
    expect(await gone).toBe('io server disconnect');
  });

  it('refuses every payload of the wrong shape and keeps serving', async () => {
    const fresh = await client();
    // Not joined yet.
    expect(await send(fresh, 'hi')).toEqual({ ok: false, error: 'not_joined' });
    expect(await ask(fresh, ChatEvents.react, { emoji: '🔥' })).toEqual({ ok: false, error: 'not_joined' });
    expect(await ask(fresh, ChatEvents.name, { name: 'Ann' })).toEqual({ ok: false, error: 'not_joined' });
    expect(await ask(fresh, ChatEvents.delete, { messageId: 'abcdefghij' })).toEqual({ ok: false, error: 'not_joined' });
    expect(await ask(fresh, ChatEvents.ban, { messageId: 'abcdefghij' })).toEqual({ ok: false, error: 'not_joined' });

    const badJoins: unknown[][] = [
      [],
      [null],
      ['x'],
      [42],
      [[]],
      [{}],
      [{ livestreamId: 42 }],
      [{ livestreamId: 'bad id!' }],
      [{ livestreamId: ls.id, name: 42 }],
      [{ livestreamId: ls.id, admin: true }],
      [{ livestreamId: ls.id }, { livestreamId: ls.id }],
    ];
    for (const args of badJoins) expect(await ask(fresh, ChatEvents.join, ...args), JSON.stringify(args)).toEqual({ ok: false, error: 'invalid' });
    expect(await ask(fresh, ChatEvents.join, { livestreamId: 'no-such-livestream' })).toEqual({ ok: false, error: 'unknown_livestream' });

    const s = await viewer('Ann');
    const badSends: unknown[][] = [[], [null], ['hi'], [{}], [{ text: 42 }], [{ text: ['hi'] }], [{ text: 'hi', name: 'Eve' }], [{ text: 'a' }, { text: 'b' }]];
    for (const args of badSends) expect(await ask(s, ChatEvents.send, ...args), JSON.stringify(args)).toEqual({ ok: false, error: 'invalid' });
    const badReactions: unknown[][] = [[{}], [{ emoji: '💩' }], [{ emoji: 'fire' }], [{ emoji: '🔥', count: 100 }], ['🔥']];
    for (const args of badReactions) expect(await ask(s, ChatEvents.react, ...args), JSON.stringify(args)).toEqual({ ok: false, error: 'invalid' });
    expect(await ask(s, ChatEvents.name, { name: 'Ann', text: 'x' })).toEqual({ ok: false, error: 'invalid' });
    expect(await ask(s, ChatEvents.delete, { messageId: '../../etc' })).toEqual({ ok: false, error: 'invalid' });
    expect(await ask(s, 'chat:shout', { text: 'hi' })).toEqual({ ok: false, error: 'unknown_event' });

    // Large enough to be refused as too long; larger than the transport's buffer and the connection is dropped.
    expect(await send(s, 'x'.repeat(60_000))).toEqual({ ok: false, error: 'too_long' });
    const hog = await viewer('Hog');
    const dropped = new Promise((resolve) => hog.once('disconnect', resolve));
    hog.emit(ChatEvents.send, { text: 'x'.repeat(SIGNALLING_MAX_BYTES + 1) }, () => {});
    await dropped;

    // None of it stopped the server, counted against the rate limit, or reached the room.
    for (let i = 0; i < RATE; i++) expect((await send(s, `still here ${i}`)).ok).toBe(true);
    const late = await client();
    const ack = await ask<ChatJoinResponse>(late, ChatEvents.join, { livestreamId: ls.id });
    expect(ack.ok && ack.history.map((m) => m.text)).toEqual(['still here 0', 'still here 1', 'still here 2', 'still here 3', 'still here 4']);
  });

  it('refuses a connection whose handshake credentials have the wrong shape', async () => {
    await expect(connectChat(server.url, { streamKey: 42 })).rejects.toThrow(/invalid handshake auth/);
    await expect(connectChat(server.url, { participant: 'short' })).rejects.toThrow(/invalid handshake auth/);
    await expect(connectChat(server.url, { role: 'moderator' })).rejects.toThrow(/invalid handshake auth/);
  });

  it('lets the streamer delete messages for everyone and ban their authors', async () => {
    const streamer = await viewer('Streamer', { streamKey: ls.streamKey });
    const inbox = record<ChatMessage>(streamer, ChatEvents.message);
    const deletions = record<{ id: string }>(streamer, ChatEvents.deleted);
    const participant = 'spammer-participant-0001';
    const spammer = await viewer('Spam', { participant });
    const spammerTab = await viewer('Spam', { participant });
    const bystander = await viewer('Bea');
    const bystanderDeletions = record<{ id: string }>(bystander, ChatEvents.deleted);
    const bannedNotices = [spammer, spammerTab, bystander].map((s) => record<object>(s, ChatEvents.banned));

    const spam = await send(spammer, 'buy now');
    const fine = await send(bystander, 'nice stream');
    if (!spam.ok || !fine.ok) expect.fail('sending failed');
    await waitFor('both messages', () => inbox.length === 2);

    // Viewers cannot moderate.
    expect(await ask(bystander, ChatEvents.delete, { messageId: spam.message.id })).toEqual({ ok: false, error: 'forbidden' });
    expect(await ask(bystander, ChatEvents.ban, { messageId: spam.message.id })).toEqual({ ok: false, error: 'forbidden' });

    expect(await ask(streamer, ChatEvents.delete, { messageId: spam.message.id })).toEqual({ ok: true });
    await waitFor('the deletion broadcast', () => bystanderDeletions.length === 1 && deletions.length === 1);
    expect(bystanderDeletions).toEqual([{ id: spam.message.id }]);
    expect(await ask(streamer, ChatEvents.delete, { messageId: spam.message.id })).toEqual({ ok: false, error: 'not_found' });
    expect(await ask(streamer, ChatEvents.delete, { messageId: 'unknownmessage' })).toEqual({ ok: false, error: 'not_found' });

    // The author of a deleted message can still be banned: every one of their connections stops sending.
    expect(await ask(streamer, ChatEvents.ban, { messageId: spam.message.id })).toEqual({ ok: true });
    await waitFor('the ban notices', () => bannedNotices[0]!.length === 1 && bannedNotices[1]!.length === 1);
    expect(bannedNotices[2]).toEqual([]);
    expect(await send(spammer, 'again')).toEqual({ ok: false, error: 'banned' });
    expect(await send(spammerTab, 'again')).toEqual({ ok: false, error: 'banned' });
    expect(await ask(spammer, ChatEvents.react, { emoji: '🔥' })).toEqual({ ok: false, error: 'banned' });
    expect((await send(bystander, 'still fine')).ok).toBe(true);
    // A reload with the page's participant id is still banned.
    const reloaded = await viewer('Spam', { participant });
    expect(await send(reloaded, 'again')).toEqual({ ok: false, error: 'banned' });

    const late = await client();
    const ack = await ask<ChatJoinResponse>(late, ChatEvents.join, { livestreamId: ls.id });
    expect(ack.ok && ack.history.map((m) => m.text)).toEqual(['nice stream', 'still fine']);
  });

  it('makes a moderator of the API token, and refuses wrong credentials', async () => {
    const admin = await client({ token: TOKEN });
    const ack = await ask<ChatJoinResponse>(admin, ChatEvents.join, { livestreamId: ls.id });
    expect(ack.ok && ack.moderator).toBe(true);
    const other = await server.livestreams.create({ name: 'Other', record: false });
    for (const auth of [{ streamKey: 'wrong-key' }, { streamKey: other.streamKey }, { token: 'wrong-token-0123456789' }, { token: TOKEN, streamKey: 'wrong' }]) {
      const s = await client(auth);
      expect(await ask(s, ChatEvents.join, { livestreamId: ls.id }), JSON.stringify(auth)).toEqual({ ok: false, error: 'forbidden' });
      expect(await ask(s, ChatEvents.delete, { messageId: 'abcdefghij' })).toEqual({ ok: false, error: 'not_joined' });
    }
  });

  it('batches reactions: a burst from many viewers becomes a few events with the right counts', async () => {
    const viewers = await Promise.all(Array.from({ length: 20 }, () => viewer()));
    const bursts = viewers.map((s) => record<ReactionBurst>(s, ChatEvents.reaction));
    const acks = await Promise.all(
      viewers.flatMap((s, i) => Array.from({ length: RATE }, () => ask(s, ChatEvents.react, { emoji: i % 2 === 0 ? '🔥' : '❤️' }))),
    );
    expect(acks.every((a) => a.ok)).toBe(true);
    const total = (seen: ReactionBurst[], emoji: string) => seen.filter((b) => b.emoji === emoji).reduce((sum, b) => sum + b.count, 0);
    await waitFor('every reaction to be counted', () => bursts.every((seen) => total(seen, '🔥') === 50 && total(seen, '❤️') === 50));
    // One event per reaction would be 100 per viewer (2000 in all).
    for (const seen of bursts) expect(seen.length).toBeLessThanOrEqual(25);
  });

  it('counts viewers (not moderators) and announces changes throttled', async () => {
    const first = await viewer();
    const counts = record<ViewerCount>(first, ChatEvents.viewers);
    await client({ streamKey: ls.streamKey }).then((s) => ask(s, ChatEvents.join, { livestreamId: ls.id }));
    const more = await Promise.all(Array.from({ length: 29 }, () => viewer()));
    expect(server.chat.viewerCount(ls.id)).toBe(30);
    await waitFor('the count of 30', () => counts.at(-1)?.count === 30);
    // 29 joins in a burst are announced in a few ticks, not one event per join.
    expect(counts.length).toBeLessThan(10);
    more.slice(0, 10).forEach((s) => s.close());
    await waitFor('the count to drop to 20', () => counts.at(-1)?.count === 20);
    expect(server.chat.viewerCount(ls.id)).toBe(20);
    expect(server.chat.viewerCount('some-other-livestream')).toBe(0);
  });

  it('keeps history across a restart of the server on the same database', async () => {
    const dir = makeTempDir();
    const first = await startChat(dir);
    const { id } = await first.livestreams.create({ name: 'Persistent', record: false });
    const s = await connectChat(first.url);
    expect((await ask(s, ChatEvents.join, { livestreamId: id, name: 'Ann' })).ok).toBe(true);
    expect((await send(s, 'before the restart')).ok).toBe(true);
    s.close();
    await first.close();

    const second = await startChat(dir);
    try {
      const late = await connectChat(second.url);
      const ack = await ask<ChatJoinResponse>(late, ChatEvents.join, { livestreamId: id });
      late.close();
      expect(ack.ok && ack.history.map((m) => [m.name, m.text])).toEqual([['Ann', 'before the restart']]);
    } finally {
      await second.close();
    }
  });
});
