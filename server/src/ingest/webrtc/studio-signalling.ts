import type { Server } from 'socket.io';
import type { z } from 'zod';
import { STUDIO_NAMESPACE } from '../../../../shared/constants.js';
import {
  connectRequestSchema,
  emptyRequestSchema,
  joinRequestSchema,
  produceRequestSchema,
  PublishEvents,
  startRequestSchema,
  type Ack,
} from '../../../../shared/signalling.js';
import type { PublishRefusalCode } from '../../../../shared/publish-refusal.js';
import { PlacedElsewhereError } from '../../cluster/ingest-placement.js';
import { HeldCounts } from '../../held-counts.js';
import { SocketRequests, type RouterRefusal } from '../../http/socket-requests.js';
import { PublishRefusedError } from '../../session/publish-refused.js';
import { StudioPublisher, type StudioDeps } from './studio-publisher.js';

/** Socket.IO's reasons for a disconnect the studio did not ask for. */
const DROPPED_SOCKET = new Set<string>(['ping timeout', 'transport close', 'transport error']);

/** Requests a socket may have waiting; mediasoup-client sends one at a time. */
const MAX_PENDING_REQUESTS = 8;
const MAX_ERROR_LENGTH = 300;

const ROUTER_REFUSALS: Record<RouterRefusal, PublishRefusalCode> = {
  unknown_event: 'invalid_request',
  invalid: 'invalid_request',
  busy: 'too_many_sessions',
  internal: 'internal',
};

/**
 * The studio's publish signalling (shared/signalling.ts) on the STUDIO_NAMESPACE of `io`. Every
 * request is validated and acknowledged, one at a time; a refusal carries its code beside the message.
 */
export function attachStudioSignalling(io: Server, deps: StudioDeps, connectionsPerIp: number): void {
  const studio = io.of(STUDIO_NAMESPACE);
  // A streamer opens one per publish; an address holding many is not publishing, it is holding sockets open.
  const perIp = new HeldCounts(connectionsPerIp);
  studio.use((socket, next) => {
    if (perIp.held(socket.handshake.address) < perIp.limit) return next();
    const refused = new Error(`too many studio connections from your address (at most ${connectionsPerIp}): close a studio, or try again later`);
    next(Object.assign(refused, { data: { code: 'too_many_sessions' satisfies PublishRefusalCode } }));
  });
  studio.on('connection', (socket) => {
    // Counted once connected: a client that leaves between the check and here is never counted.
    const giveBack = perIp.take(socket.handshake.address);
    if (!giveBack) return void socket.disconnect(true);
    socket.once('disconnect', giveBack);
    const socketLog = deps.log.child(socket.id);
    const publisher = new StudioPublisher(deps, (state) => socket.emit(PublishEvents.state, state), socketLog);
    const requests = new SocketRequests<Ack<object>>(socket, {
      name: 'studio',
      log: socketLog,
      maxPending: MAX_PENDING_REQUESTS,
      refuse: (reason, detail) => refusal(ROUTER_REFUSALS[reason], detail),
      refusalFor: (err) => {
        if (!(err instanceof PublishRefusedError)) return undefined;
        return { ...refusal(err.code, err.message), ...(err instanceof PlacedElsewhereError && { nodeUrl: err.nodeUrl }) };
      },
    });
    const handle = <S extends z.ZodType>(event: string, schema: S, run: (payload: z.infer<S>) => Promise<object> | object) =>
      requests.on(event, schema, async (payload) => ({ ok: true as const, ...(await run(payload)) }));

    handle(PublishEvents.join, joinRequestSchema, (req) => publisher.join(req));
    handle(PublishEvents.transport, emptyRequestSchema, () => publisher.createTransport());
    handle(PublishEvents.connect, connectRequestSchema, (req) => publisher.connect(req));
    handle(PublishEvents.produce, produceRequestSchema, (req) => publisher.produce(req));
    handle(PublishEvents.start, startRequestSchema, (req) => publisher.start(req));
    handle(PublishEvents.end, emptyRequestSchema, () => publisher.end());

    socket.on('disconnect', (reason) => {
      // A network that died (ping timeout, transport closed or failed) is a drop; anything else was meant.
      const cleanly = !DROPPED_SOCKET.has(reason);
      // Queued behind any request in flight, so whatever that request creates is released too.
      requests.afterPending(() => publisher.close(cleanly)).catch((error: unknown) => socketLog.error('closing the publisher failed', { error }));
    });
  });
}

/** A refusal as the studio's acknowledgement carries it, its message cut to a length a page shows. */
function refusal(code: PublishRefusalCode, message: string): Ack<never> {
  return { ok: false, error: message.length > MAX_ERROR_LENGTH ? `${message.slice(0, MAX_ERROR_LENGTH)}…` : message, code };
}
