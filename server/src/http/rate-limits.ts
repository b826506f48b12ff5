import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Redis } from 'ioredis';
import { PATHS } from '../../../shared/public-paths.js';
import { FirstPerWindow } from '../first-per-window.js';
import type { Logger } from '../log.js';
import { HttpError } from './http-error.js';

export interface RateLimitOptions {
  /** Limited requests one client address may make per minute. */
  perMinute: number;
  /** Shares the counts with the other Axon processes on this Redis. */
  redisUrl: string | undefined;
  log: Logger;
}

const WINDOW_MS = 60_000;

/**
 * What the limit counts: API calls, and WHIP and WHEP requests. Not the media, the pages, the public reads
 * every watch page makes (it asks for its livestream's status every 2 s: hundreds of viewers behind one NAT
 * must not be refused), nor CORS preflights.
 */
function isLimited(request: FastifyRequest): boolean {
  const { method, url } = request;
  if (method === 'OPTIONS') return false;
  if (url.startsWith(`${PATHS.whip}/`) || url.startsWith(`${PATHS.whep}/`)) return true;
  if (!url.startsWith(`${PATHS.api}/`)) return false;
  return !((method === 'GET' || method === 'HEAD') && request.headers.authorization === undefined);
}

/**
 * A request rate per client address on the API, WHIP and WHEP (a maintained limiter: @fastify/rate-limit),
 * kept in Redis when Axon runs as several processes so that a client spreading its requests over them
 * meets the same limit. Register before the routes it guards. Returns what closes its Redis connection.
 */
export async function registerRateLimits(app: FastifyInstance, o: RateLimitOptions): Promise<() => Promise<void>> {
  // A Redis outage must not refuse every API call: the limiter then lets requests through (skipOnError).
  const redis = o.redisUrl === undefined ? undefined : new Redis(o.redisUrl, { connectTimeout: 1000, maxRetriesPerRequest: 1, lazyConnect: false });
  redis?.on('error', (err: Error) => o.log.warn('rate limit store (Redis) unreachable; requests are not limited meanwhile', { err }));
  const refusals = new FirstPerWindow(WINDOW_MS);
  await app.register(rateLimit, {
    global: true,
    max: o.perMinute,
    timeWindow: WINDOW_MS,
    allowList: (request) => !isLimited(request),
    ...(redis && { redis, nameSpace: 'axon-rate-', skipOnError: true }),
    // The limit is no secret, but a header on every answer is bytes for nothing: only refusals say when to retry.
    addHeadersOnExceeding: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false },
    errorResponseBuilder: (_request, context) =>
      new HttpError(429, `too many requests from your address (${context.max} a minute): try again in ${context.after}`),
    onExceeded: (request, key) => {
      if (refusals.first(key)) o.log.warn('request rate limit reached; refusing this address for the rest of the minute', { ip: request.ip });
    },
  });
  return async () => {
    refusals.close();
    await redis?.quit().catch(() => undefined);
  };
}
