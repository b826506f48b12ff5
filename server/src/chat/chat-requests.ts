import type { Socket } from 'socket.io';
import type { z } from 'zod';
import type { ChatAck, ChatError } from '../../../shared/chat.js';
import type { Logger } from '../log.js';

type AckFn = (response: ChatAck<object>) => void;
type Handler<S extends z.ZodType> = (payload: z.infer<S>) => ChatAck<object> | Promise<ChatAck<object>>;

export const refuse = (error: ChatError): { ok: false; error: ChatError } => ({ ok: false, error });

/**
 * Routes requests on a socket: each event carries exactly one payload and an acknowledgement callback;
 * the payload is validated before `run` sees it, and every request is answered (a handler that throws
 * answers `internal`). Events without a callback are ignored: there is nobody to tell.
 */
export class ChatRequests {
  private readonly known = new Set<string>();

  constructor(
    private readonly socket: Socket,
    private readonly log: Logger,
  ) {
    socket.onAny((event: unknown, ...args: unknown[]) => {
      const ack = args.at(-1);
      if (typeof event === 'string' && this.known.has(event)) return;
      if (typeof ack === 'function') (ack as AckFn)(refuse('unknown_event'));
    });
  }

  on<S extends z.ZodType>(event: string, schema: S, run: Handler<S>): void {
    this.known.add(event);
    this.socket.on(event, (...args: unknown[]) => {
      const ack = args.pop();
      if (typeof ack !== 'function') return;
      void this.answer(event, schema, args, run).then(ack as AckFn);
    });
  }

  private async answer<S extends z.ZodType>(event: string, schema: S, args: unknown[], run: Handler<S>): Promise<ChatAck<object>> {
    if (args.length !== 1) return refuse('invalid');
    const parsed = schema.safeParse(args[0]);
    if (!parsed.success) return refuse('invalid');
    try {
      return await run(parsed.data);
    } catch (error) {
      this.log.error('chat request failed', { event, error });
      return refuse('internal');
    }
  }
}
