import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ChatAck, ChatMessage, ReactionEmoji } from '../../../shared/chat.js';
import { Emitter } from '../emitter.js';
import type { ChatClientEvents } from './chat-client.js';
import { ChatController, STATUS_MS, type ChatControllerDeps, type ChatPanelModel } from './chat-controller.js';

const message = (id: string, text = 'hello'): ChatMessage => ({ id, livestreamId: 'ls1', name: 'Ada', text, sentAt: '2026-01-01T00:00:00.000Z' });

type ChatServer = ChatControllerDeps['client'];

/** The chat server as the panel sees it: each answer is set by the test. */
class FakeChatClient implements ChatServer {
  readonly events = new Emitter<ChatClientEvents>();
  hasName = true;
  readonly sent: string[] = [];
  sendAnswer: ChatAck<{ message: ChatMessage }> | null = null;
  nameAnswer: ChatAck<{ name: string }> = { ok: true, name: 'Ada' };
  reactAnswer: ChatAck<object> = { ok: true };
  moderationAnswer: ChatAck<object> = { ok: true };
  closed = false;

  async send(text: string): Promise<ChatAck<{ message: ChatMessage }>> {
    this.sent.push(text);
    return this.sendAnswer ?? { ok: true, message: message('m1', text) };
  }

  async setName(): Promise<ChatAck<{ name: string }>> {
    return this.nameAnswer;
  }

  async react(_emoji: ReactionEmoji): Promise<ChatAck<object>> {
    return this.reactAnswer;
  }

  async deleteMessage(): Promise<ChatAck<object>> {
    return this.moderationAnswer;
  }

  async ban(): Promise<ChatAck<object>> {
    return this.moderationAnswer;
  }

  close(): void {
    this.closed = true;
  }
}

function setUp(confirmed = true) {
  const client = new FakeChatClient();
  const saved: string[] = [];
  const controller = new ChatController({ client, confirm: async () => confirmed, saveName: (n) => saved.push(n) });
  const models: ChatPanelModel[] = [];
  const seen: string[] = [];
  controller.events.on('changed', (model) => models.push(model));
  controller.events.on('message', (m) => seen.push(`message ${m.id}`));
  controller.events.on('removed', (id) => seen.push(`removed ${id}`));
  controller.events.on('history', (messages, moderator) => seen.push(`history ${messages.length} ${moderator}`));
  controller.events.on('nameNeeded', () => seen.push('nameNeeded'));
  const join = () => {
    client.events.emit('state', 'connected');
    client.events.emit('joined', { history: [message('h1')], viewers: 3, moderator: false });
  };
  return { client, controller, models, seen, saved, join, last: () => controller.model };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('ChatController', () => {
  it('can send once joined, and shows the history and the viewers', () => {
    const { controller, seen, join } = setUp();
    expect(controller.model).toEqual({ canSend: false, sending: false, status: null, viewers: null });
    join();
    expect(controller.model).toEqual({ canSend: true, sending: false, status: null, viewers: 3 });
    expect(seen).toEqual(['history 1 false']);
  });

  it('sends a message, shows it at once and reports it sent', async () => {
    const { controller, client, seen, models, join } = setUp();
    join();
    expect(await controller.send('  hi there ')).toBe(true);
    expect(client.sent).toEqual(['hi there']);
    expect(seen).toContain('message m1');
    expect(models.some((m) => m.sending)).toBe(true);
    expect(controller.model.sending).toBe(false);
  });

  it('sends nothing before joining, and nothing empty', async () => {
    const { controller, client, join } = setUp();
    expect(await controller.send('hi')).toBe(false);
    join();
    expect(await controller.send('   ')).toBe(false);
    expect(client.sent).toEqual([]);
  });

  it('says a message is too long, and the status leaves after a while', async () => {
    vi.useFakeTimers();
    const { controller, join } = setUp();
    join();
    expect(await controller.send('x'.repeat(10_000))).toBe(false);
    expect(controller.model.status).toMatch(/^Messages are at most \d+ characters\.$/);
    vi.advanceTimersByTime(STATUS_MS);
    expect(controller.model.status).toBeNull();
  });

  it('asks for a name first, then keeps the chosen one', async () => {
    const { controller, client, seen, saved, join } = setUp();
    join();
    client.hasName = false;
    expect(await controller.send('hi')).toBe(false);
    expect(seen).toContain('nameNeeded');
    expect(await controller.chooseName('   ')).toBe(false);
    expect(controller.model.status).not.toBeNull();
    expect(await controller.chooseName(' Ada ')).toBe(true);
    expect(saved).toEqual(['Ada']);
  });

  it('shows the name the server refused', async () => {
    const { controller, client, saved } = setUp();
    client.nameAnswer = { ok: false, error: 'too_long' };
    expect(await controller.chooseName('Ada')).toBe(false);
    expect(controller.model.status).toMatch(/^Names are at most/);
    expect(saved).toEqual([]);
  });

  it('stops sending for good once banned, and says so until the end', async () => {
    vi.useFakeTimers();
    const { controller, client, join } = setUp();
    join();
    client.sendAnswer = { ok: false, error: 'banned' };
    expect(await controller.send('hi')).toBe(false);
    vi.advanceTimersByTime(STATUS_MS * 2);
    expect(controller.model).toMatchObject({ canSend: false, status: 'The streamer has stopped you from sending messages here.' });
    client.events.emit('state', 'connected');
    expect(controller.model.canSend).toBe(false);
  });

  it('a ban announced by the server stops sending too', () => {
    const { controller, client, join } = setUp();
    join();
    client.events.emit('banned');
    expect(controller.model.canSend).toBe(false);
  });

  it('says when the chat reconnects or refuses, and clears it once connected', () => {
    const { controller, client } = setUp();
    client.events.emit('state', 'reconnecting');
    expect(controller.model).toMatchObject({ canSend: false, status: 'Reconnecting to the chat…' });
    client.events.emit('state', 'refused', 'unknown_livestream');
    expect(controller.model.status).toBe('This livestream does not exist.');
    client.events.emit('state', 'refused', 'too many connections from your address');
    expect(controller.model.status).toBe('The chat refused the connection.');
    client.events.emit('state', 'connected');
    expect(controller.model).toMatchObject({ canSend: true, status: null });
  });

  it('reports a refused reaction, with a status unless it was only too fast', async () => {
    const { controller, client, join } = setUp();
    join();
    expect(await controller.react('👏' as ReactionEmoji)).toBe(true);
    client.reactAnswer = { ok: false, error: 'rate_limited' };
    expect(await controller.react('👏' as ReactionEmoji)).toBe(false);
    expect(controller.model.status).toBeNull();
    client.reactAnswer = { ok: false, error: 'banned' };
    expect(await controller.react('👏' as ReactionEmoji)).toBe(false);
    expect(controller.model.status).not.toBeNull();
  });

  it('deletes a message and bans its author only after the moderator confirms', async () => {
    const { controller, seen, join } = setUp();
    join();
    await controller.deleteMessage(message('m9'));
    expect(seen).toContain('removed m9');
    await controller.ban(message('m9'));
    expect(controller.model.status).toBe('Ada can no longer send messages.');

    const declined = setUp(false);
    await declined.controller.ban(message('m9'));
    expect(declined.controller.model.status).toBeNull();
  });

  it('closes the connection when destroyed', () => {
    const { controller, client } = setUp();
    controller.destroy();
    expect(client.closed).toBe(true);
  });
});
