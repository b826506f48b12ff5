import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import type { Logger } from '../log.js';

export interface RedisAdapterConnection {
  /** For `io.adapter(...)`. */
  adapter: ReturnType<typeof createAdapter>;
  /** Quits both Redis clients; call after io.close(). */
  close(): Promise<void>;
}

/** Connection attempts at start-up before Axon gives up on Redis (a misconfigured URL should fail fast). */
const STARTUP_ATTEMPTS = 5;

/**
 * Connects the publishing and the subscribing Redis client the Socket.IO Redis adapter needs (ioredis, the
 * client the rate limiter uses too). Rejects when Redis cannot be reached at start; once connected, a lost
 * connection is retried for as long as it takes.
 */
export async function connectRedisAdapter(url: string, log: Logger): Promise<RedisAdapterConnection> {
  let connected = false;
  const pub = new Redis(url, {
    lazyConnect: true,
    // null ends the retries: only before the first connection, so that a wrong URL stops the start.
    retryStrategy: (attempt) => (!connected && attempt >= STARTUP_ATTEMPTS ? null : Math.min(100 * 2 ** attempt, 5000)),
  });
  const sub = pub.duplicate();
  const lastError = new Map<Redis, Error>();
  for (const [role, client] of [['publish', pub], ['subscribe', sub]] as const) {
    client.on('error', (error: Error) => {
      lastError.set(client, error);
      log.warn('redis connection error', { role, error });
    });
  }
  try {
    await Promise.all([pub, sub].map((c) => ready(c, () => lastError.get(c))));
  } catch (err) {
    // The other client may still be retrying: stop it without waiting for a reply that cannot come.
    for (const c of [pub, sub]) c.disconnect();
    throw new Error(`cannot reach Redis at ${redactUrl(url)}: ${err instanceof Error ? err.message : String(err)}`);
  }
  connected = true;
  log.info('Socket.IO shares rooms through Redis', { url: redactUrl(url) });
  return {
    adapter: createAdapter(pub, sub),
    close: async () => {
      await Promise.all([pub, sub].map((c) => c.quit().catch(() => undefined)));
    },
  };
}

/**
 * Resolves when the client is ready, rejects when it stops retrying. (ioredis' own connect() rejects at the
 * first failed attempt while it goes on retrying, which is not what a start-up with retries needs.)
 */
function ready(client: Redis, lastError: () => Error | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onReady = () => {
      client.off('end', onEnd);
      resolve();
    };
    const onEnd = () => {
      client.off('ready', onReady);
      reject(lastError() ?? new Error('the connection ended'));
    };
    client.once('ready', onReady);
    client.once('end', onEnd);
    client.connect().catch(() => undefined);
  });
}

/** Keeps a password in the URL out of logs. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'REDIS_URL';
  }
}
