import type { Socket } from 'socket.io';
import type { z } from 'zod';
import type { Logger } from '../log.js';
import { describeIssues } from '../zod-issues.js';

/** Why the router answered a request itself: no such event, a malformed payload, too many waiting, or a handler that broke. */
export type RouterRefusal = 'unknown_event' | 'invalid' | 'busy' | 'internal';

export interface SocketRequestsOptions<A> {
  /** Names the requests in the log line of a handler that broke ("chat", "studio"). */
  name: string;
  log: Logger;
  /** The answer to a request the router refuses itself; `detail` says why in words. */
  refuse(reason: RouterRefusal, detail: string): A;
  /** The answer to an error a handler threw on purpose; undefined for any other, which is logged and answered 'internal'. */
  refusalFor?(error: unknown): A | undefined;
  /** Runs the socket's requests one at a time, at most this many waiting; without it they run side by side. */
  maxPending?: number;
}

type Handler<S extends z.ZodType, A> = (payload: z.infer<S>) => A | Promise<A>;

/**
 * Routes the requests of one socket: each event carries exactly one payload and an acknowledgement
 * callback; the payload is validated before its handler sees it, and every request is answered, its
 * handler's result or a refusal. Events without a callback are ignored: there is nobody to tell.
 */
export class SocketRequests<A> {
  private readonly known = new Set<string>();
  private readonly queue: RequestQueue | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly options: SocketRequestsOptions<A>,
  ) {
    this.queue = options.maxPending === undefined ? undefined : new RequestQueue(options.maxPending);
    socket.onAny((event: unknown, ...args: unknown[]) => {
      const ack = args.at(-1);
      if ((typeof event === 'string' && this.known.has(event)) || typeof ack !== 'function') return;
      (ack as (answer: A) => void)(options.refuse('unknown_event', `unknown event ${JSON.stringify(String(event).slice(0, 64))}`));
    });
  }

  on<S extends z.ZodType>(event: string, schema: S, run: Handler<S, A>): void {
    this.known.add(event);
    this.socket.on(event, (...args: unknown[]) => {
      const ack = args.pop();
      if (typeof ack !== 'function') return;
      void this.answer(event, schema, args, run).then(ack as (answer: A) => void);
    });
  }

  /** Runs `job` once every request accepted so far is answered (e.g. the socket's clean-up, so it releases what they created). */
  afterPending<T>(job: () => Promise<T> | T): Promise<T> {
    return this.queue ? this.queue.runAlways(job) : Promise.resolve().then(job);
  }

  private async answer<S extends z.ZodType>(event: string, schema: S, args: unknown[], run: Handler<S, A>): Promise<A> {
    const { refuse } = this.options;
    if (args.length !== 1) return refuse('invalid', `${event} takes exactly one payload object`);
    const parsed = schema.safeParse(args[0]);
    if (!parsed.success) return refuse('invalid', `invalid ${event} payload: ${describeIssues(parsed.error).join('; ')}`);
    if (this.queue?.full) return refuse('busy', 'too many requests in flight');
    try {
      return await (this.queue ? this.queue.runAlways(() => run(parsed.data)) : run(parsed.data));
    } catch (error) {
      const refusal = this.options.refusalFor?.(error);
      if (refusal !== undefined) return refusal;
      this.options.log.error(`${this.options.name} request failed`, { event, error });
      return refuse('internal', 'internal server error');
    }
  }
}

/** Runs jobs one after another. */
class RequestQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;

  constructor(private readonly maxPending: number) {}

  get full(): boolean {
    return this.pending >= this.maxPending;
  }

  runAlways<T>(job: () => Promise<T> | T): Promise<T> {
    this.pending++;
    const result = this.tail.then(job).finally(() => this.pending--);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
