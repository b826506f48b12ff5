import { randomBytes } from 'node:crypto';
import type { Namespace, Socket } from 'socket.io';
import {
  CHAT_HISTORY_SIZE,
  ChatEvents,
  checkChatName,
  checkChatText,
  type ChatAck,
  type ChatAuth,
  type ChatError,
  type ChatJoinRequest,
  type ChatJoinResponse,
  type ChatMessage,
  type ChatNameRequest,
  type ChatSendRequest,
  type ModerationRequest,
  type ReactionSendRequest,
} from '../../../shared/chat.js';
import { chatJoinSchema, chatNameSchema, chatSendSchema, moderationSchema, reactionSendSchema } from '../../../shared/chat-schemas.js';
import { SocketRequests } from '../http/socket-requests.js';
import type { Logger } from '../log.js';
import type { ChatRepository } from '../store/chat-repository.js';
import type { LivestreamRepository } from '../store/livestream-repository.js';
import type { IpBudget } from './ip-limits.js';
import { chatRole, type ApiTokenCheck } from './moderator-auth.js';
import { RateLimiter } from './rate-limiter.js';
import type { ReactionBatcher } from './reaction-batcher.js';
import type { ViewerCounter } from './viewer-counter.js';

const refuse = (error: ChatError): { ok: false; error: ChatError } => ({ ok: false, error });

/** "Too fast" answers a connection may draw per rate window before it is disconnected. */
const IGNORED_REFUSALS = 20;

/** What every connection shares. */
export interface ChatContext {
  nsp: Namespace;
  store: ChatRepository;
  livestreams: Pick<LivestreamRepository, 'get' | 'authorizePublish'>;
  apiToken: ApiTokenCheck;
  viewers: ViewerCounter;
  reactions: ReactionBatcher;
  /** Messages, and separately reactions, one connection may send per rateWindowMs. */
  rate: number;
  rateWindowMs: number;
  log: Logger;
}

export const livestreamRoom = (livestreamId: string) => `livestream:${livestreamId}`;
/** Every connection of one participant in one livestream, however many tabs or processes they span. */
const participantRoom = (livestreamId: string, participantId: string) => `participant:${livestreamId}:${participantId}`;

/** One socket's chat: which livestream it joined, as whom, and its rate limits, its own and its address's. */
export class ChatConnection {
  private joined: { livestreamId: string; moderator: boolean } | undefined;
  private name: string | undefined;
  /** The page's own id when it sent one, so a ban outlives a reload; else this connection's. */
  private readonly participantId: string;
  private readonly messageLimit: RateLimiter;
  private readonly reactionLimit: RateLimiter;
  /** How many "too fast" answers it may draw before it is taken for a script that ignores them. */
  private readonly ignoredRefusals: RateLimiter;

  constructor(
    private readonly socket: Socket,
    private readonly auth: ChatAuth,
    private readonly addressBudget: IpBudget,
    private readonly ctx: ChatContext,
  ) {
    this.participantId = auth.participant ?? randomBytes(16).toString('base64url');
    this.messageLimit = new RateLimiter(ctx.rate, ctx.rateWindowMs);
    this.reactionLimit = new RateLimiter(ctx.rate, ctx.rateWindowMs);
    this.ignoredRefusals = new RateLimiter(IGNORED_REFUSALS, ctx.rateWindowMs);
    // The router's refusals are chat error codes too; 'busy' never comes, as chat requests run side by side.
    const requests = new SocketRequests<ChatAck<object>>(socket, {
      name: 'chat',
      log: ctx.log,
      refuse: (reason) => refuse(reason === 'busy' ? 'rate_limited' : reason),
    });
    requests.on(ChatEvents.join, chatJoinSchema, (req) => this.join(req));
    requests.on(ChatEvents.name, chatNameSchema, (req) => this.setName(req));
    requests.on(ChatEvents.send, chatSendSchema, (req) => this.send(req));
    requests.on(ChatEvents.react, reactionSendSchema, (req) => this.react(req));
    requests.on(ChatEvents.delete, moderationSchema, (req) => this.deleteMessage(req));
    requests.on(ChatEvents.ban, moderationSchema, (req) => this.ban(req));
    socket.on('disconnect', () => this.leave());
  }

  private async join(req: ChatJoinRequest): Promise<ChatAck<ChatJoinResponse>> {
    const { livestreamId } = req;
    if (!(await this.ctx.livestreams.get(livestreamId))) return refuse('unknown_livestream');
    const role = await chatRole(this.auth, livestreamId, this.ctx.livestreams, this.ctx.apiToken);
    if (role === 'forbidden') return refuse('forbidden');
    // Gone while the store answered: joining now would count a viewer nobody will ever take away.
    if (this.socket.disconnected) return refuse('not_joined');
    let name = this.name;
    if (req.name !== undefined) {
      const checked = checkChatName(req.name);
      if (!checked.ok) return refuse(checked.error);
      name = checked.value;
    }
    this.leave();
    this.name = name;
    const moderator = role === 'moderator';
    this.joined = { livestreamId, moderator };
    void this.socket.join([livestreamRoom(livestreamId), participantRoom(livestreamId, this.participantId)]);
    this.ctx.viewers.join(livestreamId, !moderator);
    // Read after joining the room: a message sent meanwhile comes both ways, and the page keeps it once (by id).
    return {
      ok: true,
      history: await this.ctx.store.recent(livestreamId, CHAT_HISTORY_SIZE),
      viewers: this.ctx.viewers.total(livestreamId),
      moderator,
    };
  }

  private setName(req: ChatNameRequest): ChatAck<{ name: string }> {
    if (!this.joined) return refuse('not_joined');
    const checked = checkChatName(req.name);
    if (!checked.ok) return refuse(checked.error);
    this.name = checked.value;
    return { ok: true, name: checked.value };
  }

  private async send(req: ChatSendRequest): Promise<ChatAck<{ message: ChatMessage }>> {
    const joined = this.joined;
    if (!joined) return refuse('not_joined');
    if (this.name === undefined) return refuse('name_required');
    const checked = checkChatText(req.text);
    if (!checked.ok) return refuse(checked.error);
    // Before anything that reads the database: a flood is refused from memory.
    if (!RateLimiter.takeAll(this.messageLimit, this.addressBudget.messages)) return this.tooFast();
    if (await this.ctx.store.isBanned(joined.livestreamId, this.participantId)) return refuse('banned');
    const message = await this.ctx.store.add({
      livestreamId: joined.livestreamId,
      participantId: this.participantId,
      name: this.name,
      text: checked.value,
    });
    if (!message) return refuse('internal');
    this.ctx.nsp.to(livestreamRoom(joined.livestreamId)).emit(ChatEvents.message, message);
    return { ok: true, message };
  }

  private async react(req: ReactionSendRequest): Promise<ChatAck<object>> {
    const joined = this.joined;
    if (!joined) return refuse('not_joined');
    if (!RateLimiter.takeAll(this.reactionLimit, this.addressBudget.reactions)) return this.tooFast();
    if (await this.ctx.store.isBanned(joined.livestreamId, this.participantId)) return refuse('banned');
    this.ctx.reactions.add(joined.livestreamId, req.emoji);
    return { ok: true };
  }

  /**
   * The answer to a message or reaction over the limits. A person told to wait waits; a connection that
   * keeps sending through IGNORED_REFUSALS of these answers in one window is a script, and costs the server
   * an answer each time: it is disconnected.
   */
  private tooFast(): ChatAck<never> {
    if (!this.ignoredRefusals.take()) {
      this.ctx.log.info('chat connection closed: it kept sending after being told it was too fast', { address: this.socket.handshake.address });
      this.socket.disconnect(true);
    }
    return refuse('rate_limited');
  }

  private async deleteMessage(req: ModerationRequest): Promise<ChatAck<object>> {
    const joined = this.joined;
    if (!joined) return refuse('not_joined');
    if (!joined.moderator) return refuse('forbidden');
    if (!(await this.ctx.store.delete(joined.livestreamId, req.messageId))) return refuse('not_found');
    this.ctx.nsp.to(livestreamRoom(joined.livestreamId)).emit(ChatEvents.deleted, { id: req.messageId });
    return { ok: true };
  }

  private async ban(req: ModerationRequest): Promise<ChatAck<object>> {
    const joined = this.joined;
    if (!joined) return refuse('not_joined');
    if (!joined.moderator) return refuse('forbidden');
    const author = await this.ctx.store.authorOf(joined.livestreamId, req.messageId);
    if (author === undefined) return refuse('not_found');
    await this.ctx.store.ban(joined.livestreamId, author);
    this.ctx.nsp.to(participantRoom(joined.livestreamId, author)).emit(ChatEvents.banned, {});
    this.ctx.log.info('participant banned', { livestreamId: joined.livestreamId, messageId: req.messageId });
    return { ok: true };
  }

  private leave(): void {
    const joined = this.joined;
    if (!joined) return;
    this.joined = undefined;
    void this.socket.leave(livestreamRoom(joined.livestreamId));
    void this.socket.leave(participantRoom(joined.livestreamId, this.participantId));
    this.ctx.viewers.leave(joined.livestreamId, !joined.moderator);
  }
}
