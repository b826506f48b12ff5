import { fileURLToPath } from 'node:url';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';
import type { OriginProxy } from '../cluster/origin-proxy.js';
import type { Config } from '../config.js';
import { pinoLoggerOf, type Logger } from '../log.js';
import type { TlsCertificate } from '../tls-certificate.js';
import { FileCache } from '../origin/file-cache.js';
import type { SessionRegistry } from '../session/session-registry.js';
import type { LivestreamRepository } from '../store/livestream-repository.js';
import type { AdminAuth } from './admin-auth.js';
import { HttpError } from './http-error.js';
import { LivestreamViews } from './livestream-view.js';
import { registerBroadcastMetrics } from './broadcast-metrics.js';
import { registerValue } from './prometheus.js';
import { REQUEST_ID_HEADER, requestId } from './request-id.js';
import { healthRoutes } from './routes/health.js';
import { liveRoutes } from './routes/live.js';
import { livestreamRoutes } from './routes/livestreams.js';
import { metricsRoutes } from './routes/metrics.js';
import { openApiRoutes } from './routes/openapi.js';
import { pageRoutes } from './routes/pages.js';
import { registerRateLimits } from './rate-limits.js';
import { securityHeaders, type SecurityHeaders } from './security-headers.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Which security headers a route's answers carry (security-headers.ts); 'api' when unset. */
    securityHeaders?: keyof SecurityHeaders | 'none';
  }
}

export interface HttpAppDeps {
  config: Config;
  /** Checks the admin API token (shared with chat moderation). */
  adminAuth: AdminAuth;
  livestreams: LivestreamRepository;
  registry: SessionRegistry;
  /** Viewers watching a livestream now (chat provides it). */
  viewerCount: (livestreamId: string) => number;
  /** What /metrics serves: the caller's own series; the app adds the origin's and each broadcast's. */
  metrics: Registry;
  log: Logger;
  /** Vite's output; defaults to `dist/client` at the repository root. */
  clientDir?: string;
  /** When given, the app serves HTTPS with HTTP/2 and HTTP/1.1 (ALPN), following the certificate's renewals. */
  tls?: TlsCertificate;
  /** In a cluster: serves `/live/<id>/…` of broadcasts other nodes host from those nodes. */
  originProxy?: OriginProxy;
  /** In a cluster: the live nodes' origins, which pages may connect to (security-headers.ts). */
  nodeOrigins?: () => readonly string[];
}

/** JSON bodies are small (a name, a flag); a route that takes more (e.g. SDP) sets its own `bodyLimit`. */
export const BODY_LIMIT = 16 * 1024;

const DEFAULT_CLIENT_DIR = fileURLToPath(new URL('../../../dist/client', import.meta.url));

/** A TLS client that has not finished its handshake by then is dropped (Node's default is 120 s). */
const TLS_HANDSHAKE_TIMEOUT_MS = 10_000;

/**
 * Plain HTTP/1.1, or HTTPS with HTTP/2 beside HTTP/1.1 for clients without it (and for WebSocket upgrades,
 * which Socket.IO makes over HTTP/1.1). Fastify picks the HTTP version per request from the raw request, so
 * the routes are the same either way; the cast keeps the one set of route types Axon's plugins are written
 * against, and no route touches the raw request or response.
 *
 * Fastify writes its own lines (and `request.log`'s, with the request's `reqId`) through Axon's pino logger
 * when `log` has one. Its per-request lines stay off: every viewer fetches a segment a second, and at info
 * they would bury everything else; buildHttpApp logs each request at debug instead.
 */
function createFastify(tls: TlsCertificate | undefined, log: Logger): FastifyInstance {
  const loggerInstance: FastifyBaseLogger | undefined = pinoLoggerOf(log);
  const common = {
    ...(loggerInstance ? { loggerInstance } : { logger: false }),
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: requestId,
    bodyLimit: BODY_LIMIT,
  } as const;
  if (!tls) return Fastify(common);
  const app = Fastify({
    ...common,
    http2: true,
    https: { allowHTTP1: true, handshakeTimeout: TLS_HANDSHAKE_TIMEOUT_MS, ...tls.pair },
    // Before Node 24 closing an HTTP/2 server waits for every open session (browsers keep theirs open).
    forceCloseConnections: true,
  });
  const removeRenewal = tls.onRenew((pair) => app.server.setSecureContext(pair));
  app.addHook('onClose', (_app, done) => {
    removeRenewal();
    done();
  });
  return app as unknown as FastifyInstance;
}

/**
 * The HTTP app: API, origin, pages, health and metrics; one plugin per route group under routes/.
 * Returned before listen() and before ready(), so the caller can attach Socket.IO to `app.server` and
 * register more route groups.
 */
export async function buildHttpApp(deps: HttpAppDeps): Promise<FastifyInstance> {
  const { config, log } = deps;
  const httpLog = log.child('http');
  const auth = deps.adminAuth;
  const views = new LivestreamViews(deps);

  const app = createFastify(deps.tls, httpLog);
  // Set before anything can answer, so that every answer (an error, a 404, a rate-limit refusal) carries it.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });

  // JSON only (Fastify also parses text/plain by default): anything else is a 415. An empty JSON body
  // counts as no body, so bodiless POSTs from clients that always send the header still work.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body: string, done) => {
    if (body === '') done(null, undefined);
    else parseJson(request, body, done);
  });

  // Exactly one log line per 5xx, with the error when there is one; never bodies, headers or queries.
  const failures = new WeakMap<FastifyRequest, Error>();
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply.code(400).send({ error: `request body is larger than ${request.routeOptions.bodyLimit} bytes` });
    }
    const status = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode <= 599 ? err.statusCode : 500;
    // A refusal the code chose (an HttpError such as 503 with Retry-After) is worth a line, not a stack.
    if (status >= 500 && !(err instanceof HttpError)) failures.set(request, err);
    if ('headers' in err && err.headers) reply.headers(err.headers as Record<string, string>);
    const code = err instanceof HttpError ? err.code : undefined;
    return reply.code(status).send({ error: status === 500 ? 'internal server error' : err.message, ...(code && { code }) });
  });
  // Callback style: runs on every origin request, where an extra promise per request is not free.
  app.addHook('onResponse', (request, reply, done) => {
    const line = { reqId: request.id, method: request.method, status: reply.statusCode };
    if (reply.statusCode >= 500) {
      const err = failures.get(request);
      (err ? httpLog.error : httpLog.warn)('request failed', { ...line, route: request.routeOptions.url ?? 'unmatched', ...(err && { error: err.message, stack: err.stack }) });
    } else {
      httpLog.debug('request', { ...line, path: request.url.split('?', 1)[0], ms: Math.round(reply.elapsedTime) });
    }
    done();
  });
  app.setNotFoundHandler(async (_request, reply) => reply.code(404).send({ error: 'not found' }));

  const headers = securityHeaders({ tls: deps.tls !== undefined, publicUrl: config.publicUrl, nodeOrigins: deps.nodeOrigins });
  app.addHook('onRequest', (request, reply, done) => {
    const kind = request.routeOptions.config.securityHeaders ?? 'api';
    if (kind === 'none') done();
    else headers[kind](request.raw, reply.raw, () => done());
  });

  const originFiles = new FileCache({ maxBytes: config.originCacheBytes });
  app.addHook('onClose', (_app, done) => {
    originFiles.close();
    done();
  });
  const metrics = deps.metrics;
  registerBroadcastMetrics(metrics, () => deps.registry.all());
  registerValue(metrics, { name: 'axon_origin_cache_bytes', help: 'Bytes of playlists and segments the origin holds in memory.' }, () => originFiles.stats().bytes);
  registerValue(metrics, { name: 'axon_origin_cache_hits_total', help: 'Origin requests answered from memory.', type: 'counter' }, () => originFiles.stats().hits);
  registerValue(metrics, { name: 'axon_origin_cache_misses_total', help: 'Origin requests that read the file from disk.', type: 'counter' }, () => originFiles.stats().misses);

  // Before every route it guards, WHIP and WHEP included (registered later, on the same app).
  const closeRateLimits = await registerRateLimits(app, {
    perMinute: config.limits.requestsPerMinute,
    redisUrl: config.redisUrl,
    log: httpLog,
  });
  app.addHook('onClose', async () => closeRateLimits());
  await app.register(healthRoutes);
  await app.register(metricsRoutes, { registry: metrics, token: config.metricsToken });
  await app.register(openApiRoutes, { publicUrl: config.publicUrl });
  await app.register(livestreamRoutes, {
    livestreams: deps.livestreams,
    registry: deps.registry,
    views,
    auth,
    mediaDir: config.mediaDir,
    log: log.child('api'),
  });
  await app.register(liveRoutes, { mediaDir: config.mediaDir, files: originFiles, proxy: deps.originProxy });
  await app.register(pageRoutes, {
    clientDir: deps.clientDir ?? DEFAULT_CLIENT_DIR,
    linkPreview: async (id) => {
      const record = await deps.livestreams.get(id);
      return record && views.publicView(record);
    },
  });
  return app;
}
