import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { capturedLogger } from '../../test/fixtures/captured-log.js';
import { SocketRequests, type RouterRefusal } from './socket-requests.js';

type Answer = { ok: true; [key: string]: unknown } | { ok: false; reason: string; detail: string };

class Refused extends Error {}

const log = capturedLogger();
const http = createServer();
const server = new Server(http);
let client: ClientSocket;
let release: () => void = () => undefined;

beforeAll(async () => {
  server.on('connection', (socket) => {
    const refuse = (reason: RouterRefusal | 'refused', detail: string): Answer => ({ ok: false, reason, detail });
    const requests = new SocketRequests<Answer>(socket, {
      name: 'test',
      log,
      maxPending: 2,
      refuse,
      refusalFor: (err) => (err instanceof Refused ? refuse('refused', err.message) : undefined),
    });
    requests.on('echo', z.object({ text: z.string().max(5) }).strict(), ({ text }) => ({ ok: true, text }));
    requests.on('refuse', z.object({}), () => {
      throw new Refused('not now');
    });
    requests.on('break', z.object({}), () => {
      throw new Error('a bug');
    });
    requests.on('hold', z.object({}), () => new Promise<Answer>((resolve) => void (release = () => resolve({ ok: true }))));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  client = connect(`http://127.0.0.1:${(http.address() as AddressInfo).port}`, { transports: ['websocket'] });
  await new Promise<void>((resolve) => client.once('connect', () => resolve()));
});

afterAll(async () => {
  client.close();
  await server.close();
});

const ask = (event: string, ...args: unknown[]) => client.timeout(5000).emitWithAck(event, ...args) as Promise<Answer>;

describe('SocketRequests', () => {
  it('answers a valid request with its handler, and refuses a malformed one before the handler sees it', async () => {
    expect(await ask('echo', { text: 'hi' })).toEqual({ ok: true, text: 'hi' });
    expect(await ask('echo', { text: 'too long' })).toMatchObject({ ok: false, reason: 'invalid', detail: expect.stringMatching(/^invalid echo payload: text: /) });
    expect(await ask('echo', { text: 'hi' }, 'more')).toEqual({ ok: false, reason: 'invalid', detail: 'echo takes exactly one payload object' });
    expect(await ask('nope', {})).toEqual({ ok: false, reason: 'unknown_event', detail: 'unknown event "nope"' });
  });

  it('answers what a handler threw on purpose with its refusal, anything else as internal, logged', async () => {
    expect(await ask('refuse', {})).toEqual({ ok: false, reason: 'refused', detail: 'not now' });
    expect(await ask('break', {})).toEqual({ ok: false, reason: 'internal', detail: 'internal server error' });
    expect(log.lines.at(-1)?.text).toMatch(/^test request failed .*"event":"break"/);
  });

  it('runs requests one at a time and refuses more than its waiting room holds', async () => {
    const held = ask('hold', {});
    const queued = ask('echo', { text: 'next' });
    expect(await ask('echo', { text: 'third' })).toEqual({ ok: false, reason: 'busy', detail: 'too many requests in flight' });
    release();
    expect(await held).toEqual({ ok: true });
    expect(await queued).toEqual({ ok: true, text: 'next' });
  });
});
