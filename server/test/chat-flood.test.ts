import fs from 'node:fs';
import path from 'node:path';
import { Server } from 'socket.io';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatEvents, type ChatJoinResponse, type ChatMessage } from '../../shared/chat.js';
import { attachChat, DEFAULT_CHAT_TIMING, type ChatService } from '../src/chat/chat-service.js';
import { loadConfig } from '../src/config.js';
import { AdminAuth } from '../src/http/admin-auth.js';
import { SqliteChatRepository } from '../src/store/sqlite/chat-repository.js';
import { ask, connectChat, record, type ChatSocket } from './fixtures/chat-clients.js';
import { capturedLogger } from './fixtures/captured-log.js';
import { startHttpServer, type TestHttpServer } from './fixtures/http-server.js';
import { IdleSession } from './fixtures/idle-session.js';
import { tempDirs } from './fixtures/temp-dirs.js';

const TOKEN = 'chat-flood-test-token-0123';
const MAX_SOCKETS = 150;
const IP_RATE = 100;
const HISTORY = 60;
const FLOOD_SOCKETS = 200;
const PLAYLIST = '#EXTM3U\n#EXT-X-VERSION:7\n';

const tempDir = tempDirs();

/**
 * A hostile client on one address against the whole HTTP server with chat on its Socket.IO, as main.ts
 * builds it: the limits per address refuse what is beyond them, and the server goes on answering others.
 */
describe('a chat flood from one address', () => {
  let server: TestHttpServer;
  let io: Server;
  let chat: ChatService;
  let store: SqliteChatRepository;
  const log = capturedLogger();
  const sockets: ChatSocket[] = [];

  beforeAll(async () => {
    const config = loadConfig({
      AXON_DATA_DIR: tempDir('axon-chat-flood-'),
      AXON_API_TOKEN: TOKEN,
      AXON_MAX_SOCKETS_PER_IP: String(MAX_SOCKETS),
      AXON_CHAT_IP_RATE: String(IP_RATE),
      AXON_CHAT_HISTORY: String(HISTORY),
    });
    server = await startHttpServer({
      config,
      log,
      createSession: (id) => new IdleSession(id),
      register: async (app, { livestreams, db }) => {
        io = new Server(app.server);
        store = new SqliteChatRepository(db, {
          historyLimit: config.chatHistory,
          onWriteError: (error) => log.error('write failed', { error }),
        });
        // A window longer than the test: how much gets through does not depend on how fast the machine is.
        const timing = { ...DEFAULT_CHAT_TIMING, rateWindowMs: 10 * 60_000 };
        chat = attachChat(io, { livestreams, adminAuth: new AdminAuth(TOKEN), store, config, log }, timing);
      },
    });
  });

  afterAll(async () => {
    sockets.splice(0).forEach((s) => s.close());
    chat.close();
    await io.close();
    await store.flush();
    await server.close();
  });

  it('refuses sockets and messages beyond the limits while the origin and other addresses are served', async () => {
    const ls = await server.livestreams.create({ name: 'Flooded', record: false });
    const playlist = path.join(server.config.mediaDir, ls.id, 'master.m3u8');
    fs.mkdirSync(path.dirname(playlist), { recursive: true });
    fs.writeFileSync(playlist, PLAYLIST);

    const attempts = await Promise.allSettled(Array.from({ length: FLOOD_SOCKETS }, () => connectChat(server.base)));
    const flood = attempts.flatMap((a) => (a.status === 'fulfilled' ? [a.value] : []));
    sockets.push(...flood);
    const refusals = attempts.flatMap((a) => (a.status === 'rejected' ? [String(a.reason)] : []));
    expect(flood).toHaveLength(MAX_SOCKETS);
    expect(refusals).toHaveLength(FLOOD_SOCKETS - MAX_SOCKETS);
    for (const r of refusals) expect(r).toContain(`too many chat connections from your address (at most ${MAX_SOCKETS})`);
    const joins = await Promise.all(flood.map((s, i) => ask(s, ChatEvents.join, { livestreamId: ls.id, name: `bot${i}` })));
    expect(joins.every((j) => j.ok)).toBe(true);

    // Every socket sends as fast as its own limit allows, messages and reactions, while a viewer plays.
    let flooding = true;
    const playing = (async () => {
      const statuses: number[] = [];
      while (flooding || statuses.length < 5) {
        const res = await fetch(`${server.base}/live/${ls.id}/master.m3u8`);
        statuses.push(res.status);
        await res.text();
      }
      return statuses;
    })();
    const acks = await Promise.all(
      flood.flatMap((s, i) =>
        Array.from({ length: 5 }, (_, n) => [
          ask<{ message: ChatMessage }>(s, ChatEvents.send, { text: `spam ${i}.${n}` }),
          ask(s, ChatEvents.react, { emoji: '🔥' }),
        ]).flat(),
      ),
    );
    flooding = false;
    const statuses = await playing;

    const messages = acks.filter((_, k) => k % 2 === 0);
    const reactions = acks.filter((_, k) => k % 2 === 1);
    // 150 connections × 5 would be 750 of each: the address's budget lets 100 through, the rest are refused.
    expect(messages.filter((a) => a.ok)).toHaveLength(IP_RATE);
    expect(reactions.filter((a) => a.ok)).toHaveLength(IP_RATE);
    for (const a of [...messages, ...reactions].filter((a) => !a.ok)) expect(a).toEqual({ ok: false, error: 'rate_limited' });
    expect(statuses.length).toBeGreaterThanOrEqual(5);
    expect(new Set(statuses)).toEqual(new Set([200]));

    // Another address is not held to the flood's budget. Someone joining while its message waits for its
    // batch gets it exactly once: in history if written, else live.
    const viewer = await connectChat(server.base, {}, '127.0.0.2');
    const late = await connectChat(server.base, {}, '127.0.0.3');
    sockets.push(viewer, late);
    expect((await ask(viewer, ChatEvents.join, { livestreamId: ls.id, name: 'Ann' })).ok).toBe(true);
    const live = record<ChatMessage>(late, ChatEvents.message);
    const saying = ask<{ message: ChatMessage }>(viewer, ChatEvents.send, { text: 'hello from elsewhere' });
    const joined = await ask<ChatJoinResponse>(late, ChatEvents.join, { livestreamId: ls.id });
    const said = await saying;
    if (!said.ok || !joined.ok) expect.fail(JSON.stringify({ said, joined }));
    // Answered after the broadcast was sent, on the same socket: whatever was broadcast to `late` has arrived.
    expect((await ask(late, ChatEvents.name, { name: 'Cy' })).ok).toBe(true);
    expect([...joined.history, ...live].filter((m) => m.id === said.message.id)).toHaveLength(1);

    // History stays bounded: 101 accepted messages, HISTORY kept.
    const { n } = server.db.prepare('SELECT count(*) AS n FROM chat_messages WHERE livestream_id = ?').get(ls.id) as { n: number };
    expect(n).toBe(HISTORY);
    expect(log.lines.filter((l) => l.level === 'error')).toEqual([]);
  });
});
