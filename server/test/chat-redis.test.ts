import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatEvents, type ChatJoinResponse, type ChatMessage, type ReactionBurst, type ViewerCount } from '../../shared/chat.js';
import type { Livestream, PublicLivestream } from '../../shared/livestream.js';
import { ask, connectChat, record, type ChatSocket } from './fixtures/chat-clients.js';
import { waitFor } from './fixtures/wait-for.js';

/**
 * Scale-out: a real redis-server and two real Axon processes (main.ts) with REDIS_URL set. Both share one
 * AXON_DATA_DIR, as processes on one host would: SQLite in WAL mode lets them share the livestreams, the
 * chat history and the bans, while Redis carries what is live (messages, deletions, bans, reactions,
 * viewer counts) between their Socket.IO servers.
 */

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TOKEN = 'chat-redis-test-token-0123';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A child process whose output is kept (the tail) for the failure message. */
class Child {
  private output = '';
  readonly exited: Promise<number | null>;

  constructor(
    readonly name: string,
    readonly process: ChildProcess,
  ) {
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-4000);
    };
    process.stdout?.on('data', keep);
    process.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => process.once('exit', (code) => resolve(code)));
  }

  get tail(): string {
    return `--- ${this.name} ---\n${this.output}`;
  }

  async stop(): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    this.process.kill('SIGTERM');
    const timer = setTimeout(() => this.process.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(timer);
  }
}

async function startRedis(port: number): Promise<Child> {
  const redis = new Child(
    'redis-server',
    spawn('/usr/bin/redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  await waitFor(`redis-server to start\n${redis.tail}`, () => redis.tail.includes('Ready to accept connections'));
  return redis;
}

async function startAxon(name: string, env: Record<string, string>): Promise<{ child: Child; url: string }> {
  const port = await freePort();
  const child = new Child(
    name,
    spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', AXON_PUBLIC_URL: `http://127.0.0.1:${port}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.process.exitCode !== null) throw new Error(`${name} exited\n${child.tail}`);
    if (Date.now() > deadline) throw new Error(`${name} did not become healthy\n${child.tail}`);
    const healthy = await fetch(`${url}/healthz`).then((r) => r.ok, () => false);
    if (healthy) return { child, url };
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('chat across two Axon processes sharing Redis', () => {
  const children: Child[] = [];
  const sockets: ChatSocket[] = [];
  let dataDir: string;
  let a: string;
  let b: string;
  let ls: Livestream;

  const viewerCount = async (base: string) => {
    const response = await fetch(`${base}/api/livestreams/${ls.id}`);
    return ((await response.json()) as PublicLivestream).viewers;
  };
  const join = async (base: string, name?: string, auth: Record<string, unknown> = {}) => {
    const socket = await connectChat(base, auth);
    sockets.push(socket);
    const ack = await ask<ChatJoinResponse>(socket, ChatEvents.join, { livestreamId: ls.id, ...(name !== undefined && { name }) });
    expect(ack.ok, JSON.stringify(ack)).toBe(true);
    return socket;
  };

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'axon-chat-redis-'));
    const redisPort = await freePort();
    children.push(await startRedis(redisPort));
    const common = {
      AXON_DATA_DIR: dataDir,
      AXON_API_TOKEN: TOKEN,
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      AXON_MEDIASOUP_WORKERS: '1',
      AXON_LOG_LEVEL: 'warn',
      // Low, so that the shared count can be seen to be shared.
      AXON_RATE_LIMIT: '12',
    };
    // One after the other: the first start creates and migrates the shared database.
    const first = await startAxon('axon-a', { ...common, RTC_MIN_PORT: '46000', RTC_MAX_PORT: '46099', RTMP_PORT: String(await freePort()) });
    children.push(first.child);
    const second = await startAxon('axon-b', { ...common, RTC_MIN_PORT: '46100', RTC_MAX_PORT: '46199', RTMP_PORT: String(await freePort()) });
    children.push(second.child);
    a = first.url;
    b = second.url;
    const response = await fetch(`${a}/api/livestreams`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Scaled out', record: false }),
    });
    expect(response.status).toBe(201);
    ls = (await response.json()) as Livestream;
  }, 90_000);

  afterAll(async () => {
    sockets.forEach((s) => s.close());
    for (const child of children.reverse()) await child.stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('carries messages, reactions, moderation and the viewer count from one process to the other', async () => {
    try {
      const onA = await join(a, 'Ann');
      const onB = await join(b, 'Bob');
      const inboxA = record<ChatMessage>(onA, ChatEvents.message);
      const inboxB = record<ChatMessage>(onB, ChatEvents.message);
      const countsA = record<ViewerCount>(onA, ChatEvents.viewers);
      const countsB = record<ViewerCount>(onB, ChatEvents.viewers);

      // Each process counts its own viewer; the gossip makes both see two, over Socket.IO and HTTP.
      await waitFor('both viewers to see a count of 2', () => countsA.at(-1)?.count === 2 && countsB.at(-1)?.count === 2, 15_000);
      expect(await viewerCount(a)).toBe(2);
      expect(await viewerCount(b)).toBe(2);

      const fromB = await ask<{ message: ChatMessage }>(onB, ChatEvents.send, { text: 'hello from B' });
      if (!fromB.ok) expect.fail(fromB.error);
      await waitFor('the message sent through B to reach A', () => inboxA.length === 1);
      expect(inboxA).toEqual([fromB.message]);
      expect((await ask(onA, ChatEvents.send, { text: 'hello from A' })).ok).toBe(true);
      await waitFor('the message sent through A to reach B', () => inboxB.length === 2);
      expect(inboxB.map((m) => m.text)).toEqual(['hello from B', 'hello from A']);

      const burstsA = record<ReactionBurst>(onA, ChatEvents.reaction);
      for (let i = 0; i < 3; i++) expect((await ask(onB, ChatEvents.react, { emoji: '👏' })).ok).toBe(true);
      await waitFor('the reactions sent through B to reach A', () => burstsA.reduce((sum, r) => sum + r.count, 0) === 3);

      // A late joiner on A gets the history written through B: both processes share the database.
      const late = await join(a);
      const history = await ask<ChatJoinResponse>(late, ChatEvents.join, { livestreamId: ls.id });
      expect(history.ok && history.history.map((m) => m.text)).toEqual(['hello from B', 'hello from A']);

      // The streamer, moderating through A, deletes and bans a participant connected to B.
      const streamer = await join(a, undefined, { streamKey: ls.streamKey });
      const deletionsB = record<{ id: string }>(onB, ChatEvents.deleted);
      const bannedB = record<object>(onB, ChatEvents.banned);
      expect(await ask(streamer, ChatEvents.delete, { messageId: fromB.message.id })).toEqual({ ok: true });
      await waitFor('the deletion to reach B', () => deletionsB.length === 1);
      expect(deletionsB).toEqual([{ id: fromB.message.id }]);
      expect(await ask(streamer, ChatEvents.ban, { messageId: fromB.message.id })).toEqual({ ok: true });
      await waitFor('the ban to reach B', () => bannedB.length === 1);
      expect(await ask(onB, ChatEvents.send, { text: 'let me in' })).toEqual({ ok: false, error: 'banned' });

      // The late joiner is a third viewer (the streamer is not counted); B's viewer leaving takes the count to 2.
      await waitFor('the count of 3', () => countsA.at(-1)?.count === 3);
      onB.close();
      await waitFor('the count to drop when the viewer on B leaves', () => countsA.at(-1)?.count === 2, 15_000);
      expect(await viewerCount(b)).toBe(2);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${children.map((c) => c.tail).join('\n')}`, { cause: err });
    }
  });

  it('counts the API requests of one address across both processes (the rate limit lives in Redis)', async () => {
    const list = (base: string) => fetch(`${base}/api/livestreams`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const statuses: number[] = [];
    // The POST in beforeAll counted one; twelve a minute in all, wherever they land.
    for (let i = 0; i < 12; i++) statuses.push((await list(i % 2 === 0 ? a : b)).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(11);
    expect(statuses.at(-1)).toBe(429);
    expect((await list(a)).status).toBe(429);
  });
});
