import type { Server } from 'socket.io';
import { CHAT_RATE_WINDOW_MS, ChatEvents, type ChatAuth, type ViewerCount } from '../../../shared/chat.js';
import { chatAuthSchema } from '../../../shared/chat-schemas.js';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { ChatRepository } from '../store/chat-repository.js';
import type { LivestreamRepository } from '../store/livestream-repository.js';
import { ChatConnection, livestreamRoom, type ChatContext } from './chat-connection.js';
import { IpLimits } from './ip-limits.js';
import type { ApiTokenCheck } from './moderator-auth.js';
import { ReactionBatcher } from './reaction-batcher.js';
import { ViewerCounter, type ViewerReport } from './viewer-counter.js';

export interface ChatDeps {
  livestreams: Pick<LivestreamRepository, 'get' | 'authorizePublish'>;
  /** The HTTP API's AdminAuth: the API token makes a moderator of every livestream. */
  adminAuth: ApiTokenCheck;
  store: ChatRepository;
  /** With `redisUrl` set, viewer counts are shared with the other processes through the adapter. */
  config: Pick<Config, 'chatRate' | 'chatIpRate' | 'maxSocketsPerIp' | 'redisUrl'>;
  log: Logger;
}

export interface ChatTiming {
  /** How often reactions are flushed as bursts. */
  reactionFlushMs: number;
  /** How often viewer counts are gossiped and changed totals announced. */
  viewerTickMs: number;
  /** Viewer ticks between full reports to the other processes. */
  heartbeatTicks: number;
  /** The window of the chat rate limits, per connection and per address. */
  rateWindowMs: number;
}

export const DEFAULT_CHAT_TIMING: ChatTiming = { reactionFlushMs: 250, viewerTickMs: 1000, heartbeatTicks: 5, rateWindowMs: CHAT_RATE_WINDOW_MS };

export interface ChatService {
  /** Viewers of a livestream across every process (moderators are not counted). */
  viewerCount(livestreamId: string): number;
  /** Stops the timers and withdraws this process's viewers from the others' counts. Call before io.close(). */
  close(): void;
}

/** Server-to-server event of the viewer gossip; never sent to clients. */
const VIEWER_REPORT_EVENT = 'axon:viewers';

/**
 * Chat, reactions and viewer counts (shared/chat.ts) on the default namespace of `io`. With a cluster
 * adapter (Redis) rooms span processes, so messages, deletions, bans and reaction bursts reach viewers on
 * every process; viewer counts travel as server-side events.
 */
export function attachChat(io: Server, deps: ChatDeps, timing: ChatTiming = DEFAULT_CHAT_TIMING): ChatService {
  const nsp = io.of('/');
  const log = deps.log.child('chat');
  const clustered = deps.config.redisUrl !== undefined;

  const viewers = new ViewerCounter({
    tickMs: timing.viewerTickMs,
    heartbeatTicks: timing.heartbeatTicks,
    // Every process tells its own sockets, so the count goes only to local ones.
    onChange: (livestreamId, count) => nsp.local.to(livestreamRoom(livestreamId)).emit(ChatEvents.viewers, { count } satisfies ViewerCount),
    ...(clustered && { publish: (report: ViewerReport) => nsp.serverSideEmit(VIEWER_REPORT_EVENT, report) }),
  });
  if (clustered) nsp.on(VIEWER_REPORT_EVENT, (report: ViewerReport) => viewers.receive(report));

  const reactions = new ReactionBatcher();
  const ctx: ChatContext = {
    nsp,
    store: deps.store,
    livestreams: deps.livestreams,
    apiToken: deps.adminAuth,
    viewers,
    reactions,
    rate: deps.config.chatRate,
    rateWindowMs: timing.rateWindowMs,
    log,
  };
  // Per process: with REDIS_URL, a load balancer that keeps each client address on one process keeps them exact.
  const { maxSocketsPerIp } = deps.config;
  const limits = new IpLimits({ maxSockets: maxSocketsPerIp, rate: deps.config.chatIpRate, windowMs: timing.rateWindowMs });

  nsp.use((socket, next) => {
    const auth = chatAuthSchema.safeParse(socket.handshake.auth);
    if (!auth.success) return next(new Error('invalid handshake auth: expected { streamKey?, token?, participant? }'));
    if (!limits.admits(socket.handshake.address)) {
      return next(new Error(`too many chat connections from your address (at most ${maxSocketsPerIp}): close some, or try again later`));
    }
    socket.data.chatAuth = auth.data;
    next();
  });
  // Counted once connected rather than in the middleware: a client may leave in between, unnoticed.
  nsp.on('connection', (socket) => {
    const address = socket.handshake.address;
    socket.once('disconnect', () => limits.release(address));
    return new ChatConnection(socket, socket.data.chatAuth as ChatAuth, limits.connect(address), ctx);
  });

  const timers = [
    setInterval(() => {
      for (const { livestreamId, burst } of reactions.drain()) nsp.to(livestreamRoom(livestreamId)).emit(ChatEvents.reaction, burst);
    }, timing.reactionFlushMs),
    setInterval(() => viewers.tick(), timing.viewerTickMs),
    setInterval(() => limits.sweep(), timing.rateWindowMs),
  ];
  for (const timer of timers) timer.unref();

  return {
    viewerCount: (livestreamId) => viewers.total(livestreamId),
    close: () => {
      for (const timer of timers) clearInterval(timer);
      viewers.close();
    },
  };
}
