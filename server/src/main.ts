import fsp from 'node:fs/promises';
import { Registry } from 'prom-client';
import { Server as SocketServer } from 'socket.io';
import { SIGNALLING_MAX_BYTES } from '../../shared/constants.js';
import { ConfigError, loadConfig } from './config.js';
import { attachChat } from './chat/chat-service.js';
import { ClusterMembership } from './cluster/cluster-membership.js';
import { connectRedisAdapter } from './chat/redis-adapter.js';
import { AdminAuth } from './http/admin-auth.js';
import { loadOrCreateApiToken } from './http/admin-token.js';
import { buildHttpApp } from './http/app.js';
import { recordingRoutes, recordingView } from './http/routes/recordings.js';
import { restreamRoutes } from './http/routes/restreams.js';
import { webhookRoutes } from './http/routes/webhooks.js';
import { registerServerMetrics } from './http/server-metrics.js';
import { startRtmpServer } from './ingest/rtmp/rtmp-publish-gate.js';
import { attachStudioSignalling } from './ingest/webrtc/studio-signalling.js';
import { setHeapGrowth } from './heap-growth.js';
import { createLogger, setLogFormat, setLogLevel } from './log.js';
import { sampleChildProcesses } from './process-metrics.js';
import { thisProcess } from './process-owner.js';
import { isLoopback } from './net-address.js';
import { RecordingLibrary } from './recordings/recording-library.js';
import { startRecordingRetention } from './recordings/recording-retention.js';
import { registerRestreamMetrics } from './restream/restream-metrics.js';
import { RestreamService } from './restream/restream-service.js';
import { SessionRegistry } from './session/session-registry.js';
import { StreamSession } from './session/stream-session.js';
import { WorkerPool } from './sfu/worker-pool.js';
import { LiveClaims } from './store/live-claims.js';
import { openStore, type Store } from './store/open-store.js';
import { TlsCertificate } from './tls-certificate.js';
import { registerWebRtcRoutes } from './webrtc-routes.js';
import { announceBroadcast, announceRecording } from './webhooks/broadcast-events.js';
import { WebhookService } from './webhooks/webhook-service.js';

/** Composition root: configuration → store → media services → HTTP and Socket.IO; graceful shutdown. */
async function main(): Promise<void> {
  setHeapGrowth();
  const config = loadConfig();
  setLogLevel(config.logLevel);
  setLogFormat(config.logFormat);
  const log = createLogger('axon');
  process.on('unhandledRejection', (err) => log.error('unhandled rejection', { err }));
  // First, so that a missing, unreadable or mismatched file stops the start before anything else happens.
  const tls = config.tls && TlsCertificate.load(config.tls, log.child('tls'));
  if (!tls && !isLoopback(config.host)) {
    log.warn(
      `serving plain HTTP on ${config.host}: browsers on other machines cannot publish from the studio (camera access needs HTTPS) ` +
        'and the dashboard sends its token in clear text. Set AXON_TLS_CERT and AXON_TLS_KEY, or put a TLS proxy in front (README: Deploying on a server).',
    );
  }

  await fsp.mkdir(config.mediaDir, { recursive: true });
  const store = await openStore(config, log.child('store'));
  const { livestreams } = store;
  // Who broadcasts what: in a cluster (REDIS_URL) an expiring lease in Redis; otherwise the database, which
  // other Axon processes on this data directory share.
  const cluster =
    config.redisUrl === undefined
      ? undefined
      : await ClusterMembership.connect({ redisUrl: config.redisUrl, dataDir: config.dataDir, nodeUrl: config.nodeUrl, log: log.child('cluster') });
  const claims = cluster?.leases ?? embeddedClaims(store);
  const webhooks = new WebhookService({ repository: store.webhooks, log: log.child('webhooks') });
  const recordings = new RecordingLibrary({
    store: store.recordings,
    mediaDir: config.mediaDir,
    log: log.child('recordings'),
    nodeId: cluster?.node.id,
    liveElsewhere: async (id) => (await claims.hostOf(id)) !== undefined,
    onReady: (recording) => {
      const view = recordingView(config.publicUrl, recording);
      announceRecording(recording, view, webhooks.emit);
    },
  });
  // Before any broadcast starts: recordings cut by a crash or a kill become replayable; live leftovers go.
  await recordings.recover();
  const retention = startRecordingRetention({ library: recordings, days: config.recordingRetentionDays, log: log.child('recordings') });
  const restreams = new RestreamService({
    repository: store.restreams,
    ffmpegPath: config.transcode.ffmpegPath,
    config: config.restream,
    emit: webhooks.emit,
    log: log.child('restream'),
  });
  const pool = await WorkerPool.create(config.rtc, log.child('mediasoup'));
  const registry = new SessionRegistry(async (livestreamId, ingest) => {
    // The livestream's settings are read at go-live, so a change applies from the next broadcast.
    const livestream = await livestreams.get(livestreamId);
    const session = new StreamSession(livestreamId, ingest, {
      config,
      log: log.child('session'),
      dvrWindowS: livestream?.dvrWindowS ?? undefined,
      topRung: livestream?.topRung ?? undefined,
      recordings: livestream?.record ? recordings : undefined,
      thumbnailVersions: store,
    });
    announceBroadcast(session, webhooks.emit);
    restreams.attach(session);
    return session;
  }, claims, config.maxBroadcasts);
  const routing = await cluster?.attach(registry, store.recordings);

  const processes = await sampleChildProcesses(['ffmpeg']);
  const metrics = new Registry();
  registerServerMetrics(metrics, { sessions: registry, processes, pool });
  registerRestreamMetrics(metrics, () => restreams.pushes());

  const adminAuth = new AdminAuth(loadOrCreateApiToken(config, log.child('auth')));
  const app = await buildHttpApp({
    config,
    adminAuth,
    livestreams,
    registry,
    // `chat` is attached below, before listen(): no request can ask earlier.
    viewerCount: (id) => chat.viewerCount(id),
    metrics,
    log,
    tls,
    originProxy: routing?.originProxy,
    nodeOrigins: routing?.nodeOrigins,
  });
  await app.register(recordingRoutes, { recordings, livestreams, auth: adminAuth, publicUrl: config.publicUrl, proxy: routing?.originProxy });
  await app.register(webhookRoutes, { webhooks, auth: adminAuth });
  await app.register(restreamRoutes, { restreams, livestreams, auth: adminAuth });
  await registerWebRtcRoutes(app, { pool, registry, livestreams, config, log, cluster: routing });
  // Short ping so a publisher whose page vanished without closing its socket is noticed in seconds.
  const io = new SocketServer(app.server, { maxHttpBufferSize: SIGNALLING_MAX_BYTES, pingInterval: 5000, pingTimeout: 5000 });
  // Before any namespace is attached, so that every namespace shares rooms with the other processes.
  const redis = config.redisUrl === undefined ? undefined : await connectRedisAdapter(config.redisUrl, log.child('redis'));
  if (redis) io.adapter(redis.adapter);
  attachStudioSignalling(
    io,
    { pool, registry, auth: livestreams, rtc: config.rtc, reconnectWindowS: config.reconnectWindowS, placement: routing?.placement, log: log.child('studio') },
    config.limits.publishSessionsPerIp,
  );
  const chat = attachChat(io, { livestreams, adminAuth, store: store.chat, config, log });

  const rtmp = await startRtmpServer({
    host: config.host,
    port: config.rtmpPort,
    tls: tls && { port: config.rtmpsPort, certificate: tls },
    maxConnectionsPerIp: config.limits.rtmpConnectionsPerIp,
    registry,
    keys: livestreams,
    reconnectWindowS: config.reconnectWindowS,
    log: log.child('rtmp'),
  });
  await app.listen({ port: config.port, host: config.host });
  // Also sends what a previous run left pending.
  webhooks.start();
  const rtmps = rtmp.tlsPort === undefined ? '' : `, RTMPS ${config.host}:${rtmp.tlsPort}`;
  log.info(`Axon is serving on ${config.publicUrl} (${tls ? 'HTTPS' : 'HTTP'} ${config.host}:${config.port}, RTMP ${config.host}:${rtmp.port}${rtmps})`);

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    log.info('shutting down', { signal });
    await registry.stopAll('the server is shutting down');
    await restreams.close();
    await rtmp.close();
    // After the broadcasts: their last events are queued, to be sent after the next start if not now.
    await webhooks.close();
    chat.close();
    io.close();
    await app.close();
    await redis?.close();
    await cluster?.close();
    pool.close();
    retention.close();
    processes.close();
    tls?.close();
    await store.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

/** Live claims in the embedded database: config refuses DATABASE_URL without REDIS_URL, so without a cluster the store is SQLite. */
function embeddedClaims(store: Store): LiveClaims {
  if (!store.sqlite) throw new Error('live claims need the embedded SQLite database');
  return new LiveClaims(store.sqlite, thisProcess());
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) console.error(`axon: ${err.message}`);
  else console.error('axon: failed to start:', err);
  process.exit(1);
});
