import type { FastifyReply, FastifyRequest } from 'fastify';
import type { LiveEdge } from '../packager/live-edge.js';
import type { MediaType } from './media-types.js';

/**
 * Answers a request from a broadcast's live edge, the file at `relPath` (from the livestream's root): true
 * once answered, false to leave it to the disk. Not the reply itself: a FastifyReply is thenable, so an
 * async function returning it resolves only when the response has ended, and to undefined.
 */
export type EdgeHandler = (request: FastifyRequest, reply: FastifyReply, edge: LiveEdge, relPath: string, type: MediaType) => Promise<boolean>;

/** Marks a request answered (the reply is sent, or streaming). */
export const answered = (_reply: FastifyReply): true => true;

export type EdgeWait<T> = { ready: T } | { outcome: 'timeout' | 'closed' | 'gone' };

/**
 * Holds a request until `ready` finds what it waits for in the live edge, checked now and at each edge
 * update (no polling, no disk read). Gives up after timeoutMs, when the broadcast's edge closes, or when
 * the client goes away (the response's 'close', which HTTP/1.1 and HTTP/2 responses both emit).
 */
export function waitOnEdge<T>(reply: FastifyReply, edge: LiveEdge, timeoutMs: number, ready: () => T | undefined): Promise<EdgeWait<T>> {
  const now = ready();
  if (now !== undefined) return Promise.resolve({ ready: now });
  if (edge.closed) return Promise.resolve({ outcome: 'closed' });
  return new Promise((resolve) => {
    const done = (result: EdgeWait<T>) => {
      clearTimeout(timer);
      edge.off('update', onUpdate);
      edge.off('closed', onClosed);
      reply.raw.off('close', onGone);
      resolve(result);
    };
    const onUpdate = () => {
      const found = ready();
      if (found !== undefined) done({ ready: found });
    };
    const onClosed = () => done({ outcome: 'closed' });
    const onGone = () => done({ outcome: 'gone' });
    const timer = setTimeout(() => done({ outcome: 'timeout' }), timeoutMs);
    edge.on('update', onUpdate);
    edge.on('closed', onClosed);
    reply.raw.on('close', onGone);
  });
}
