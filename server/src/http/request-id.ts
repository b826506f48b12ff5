import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Carries a request's id in, from a proxy or a client that set one, and out, in every answer. */
export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * What an incoming id may look like to be kept: UUIDs, trace ids, base64; no spaces or control
 * characters, so that it can go into a log line and back into a response header unchanged.
 */
const SANE_ID = /^[\w.:=+/-]{1,128}$/;

/** Fastify's genReqId: the client's or proxy's id when it is a sane one, else a new UUID. */
export function requestId(request: Pick<IncomingMessage, 'headers'>): string {
  const given = request.headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && SANE_ID.test(given) ? given : randomUUID();
}
