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
import { HeldCounts } from '../../held-counts.js';
import { SignallingError, StudioPublisher, type StudioDeps } from './studio-publisher.js';

/** Requests a socket may have waiting; mediasoup-client sends one at a time. */
const MAX_PENDING_REQUESTS = 8;
const MAX_ERROR_LENGTH = 300;

type AckFn = (response: Ack<object>) => void;

/**
 * The studio's publish signalling (shared/signalling.ts) on the STUDIO_NAMESPACE of `io`. Every
 * request is validated and acknowledged; a request without an acknowledgement callback is ignored.
 */
export function attachStudioSignalling(io: Server, deps: StudioDeps, connectionsPerIp: number): void {
  const studio = io.of(STUDIO_NAMESPACE);
  // A streamer opens one per publish; an address holding many is not publishing, it is holding sockets open.
  const perIp = new HeldCounts(connectionsPerIp);
  studio.use((socket, next) => {
    if (perIp.held(socket.handshake.address) < perIp.limit) return next();
    next(new Error(`too many studio connections from your address (at most ${connectionsPerIp}): close a studio, or try again later`));
  });
  studio.on('connection', (socket) => {
    // Counted once connected: a client that leaves between the check and here is never counted.
    const giveBack = perIp.take(socket.handshake.address);
    if (!giveBack) return void socket.disconnect(true);
    socket.once('disconnect', giveBack);
    const socketLog = deps.log.child(socket.id);
    const publisher = new StudioPublisher(deps, (state) => socket.emit(PublishEvents.state, state), socketLog);
    const queue = new RequestQueue();

    const handle = <S extends z.ZodType, R extends object>(
      event: string,
      schema: S,
      run: (payload: z.infer<S>) => Promise<R> | R,
    ) => {
      socket.on(event, (...args: unknown[]) => {
        const ack = args.pop();
        if (typeof ack !== 'function') return;
        respond(ack as AckFn, async () => {
          if (args.length !== 1) throw new SignallingError(`${event} takes exactly one payload object`);
          const parsed = schema.safeParse(args[0]);
          if (!parsed.success) throw new SignallingError(`invalid ${event} payload: ${describeIssues(parsed.error)}`);
          return queue.run(() => run(parsed.data));
        });
      });
    };

    const respond = (ack: AckFn, request: () => Promise<object>) => {
      request().then(
        (result) => ack({ ok: true, ...result }),
        (err: unknown) => {
          if (!(err instanceof SignallingError)) socketLog.error('studio request failed', { error: err });
          const message = err instanceof SignallingError ? err.message : 'internal server error';
          ack({ ok: false, error: truncate(message) });
        },
      );
    };

    handle(PublishEvents.join, joinRequestSchema, (req) => publisher.join(req));
    handle(PublishEvents.transport, emptyRequestSchema, () => publisher.createTransport());
    handle(PublishEvents.connect, connectRequestSchema, (req) => publisher.connect(req));
    handle(PublishEvents.produce, produceRequestSchema, (req) => publisher.produce(req));
    handle(PublishEvents.start, startRequestSchema, (req) => publisher.start(req));
    handle(PublishEvents.end, emptyRequestSchema, () => publisher.end());

    const known = new Set<unknown>(Object.values(PublishEvents));
    socket.onAny((event: unknown, ...args: unknown[]) => {
      const ack = args.at(-1);
      if (known.has(event) || typeof ack !== 'function') return;
      respond(ack as AckFn, async () => {
        throw new SignallingError(`unknown event ${JSON.stringify(String(event).slice(0, 64))}`);
      });
    });

    socket.on('disconnect', () => {
      // Queued behind any request in flight, so whatever that request creates is released too.
      queue.runAlways(() => publisher.close()).catch((error: unknown) => socketLog.error('closing the publisher failed', { error }));
    });
  });
}

/** Runs a socket's requests one after another. */
class RequestQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;

  run<T>(job: () => Promise<T> | T): Promise<T> {
    if (this.pending >= MAX_PENDING_REQUESTS) return Promise.reject(new SignallingError('too many requests in flight'));
    return this.runAlways(job);
  }

  runAlways<T>(job: () => Promise<T> | T): Promise<T> {
    this.pending++;
    const result = this.tail.then(job).finally(() => this.pending--);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
}

function truncate(message: string): string {
  return message.length > MAX_ERROR_LENGTH ? `${message.slice(0, MAX_ERROR_LENGTH)}…` : message;
}
