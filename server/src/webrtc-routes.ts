import type { FastifyInstance } from 'fastify';
import type { IngestPlacement } from './cluster/ingest-placement.js';
import type { OfferForwarder } from './cluster/offer-forwarder.js';
import type { Config } from './config.js';
import { whipRoutes } from './ingest/whip/whip-routes.js';
import type { Logger } from './log.js';
import { whepRoutes } from './playback/whep/whep-routes.js';
import type { SessionRegistry } from './session/session-registry.js';
import type { WorkerPool } from './sfu/worker-pool.js';
import type { LivestreamRepository } from './store/livestream-repository.js';

export interface WebRtcRoutesDeps {
  pool: WorkerPool;
  registry: SessionRegistry;
  livestreams: LivestreamRepository;
  config: Pick<Config, 'rtc' | 'limits' | 'reconnectWindowS'>;
  log: Logger;
  /** In a cluster: where publishers go when this node is full, and which node hosts a livestream. */
  cluster?: { placement: IngestPlacement; offers: OfferForwarder; hostUrl: (livestreamId: string) => Promise<string | undefined> };
}

/** WHIP publishing (RFC 9725) and WHEP real-time playback, with their limits; each plugin parses its own SDP bodies. */
export async function registerWebRtcRoutes(app: FastifyInstance, { pool, registry, livestreams, config, log, cluster }: WebRtcRoutesDeps): Promise<void> {
  const { rtc, limits } = config;
  await app.register(whipRoutes, {
    pool,
    registry,
    auth: livestreams,
    rtc,
    sessionsPerIp: limits.publishSessionsPerIp,
    reconnectWindowS: config.reconnectWindowS,
    placement: cluster?.placement,
    offers: cluster?.offers,
    log: log.child('whip'),
  });
  await app.register(whepRoutes, {
    pool,
    registry,
    livestreams,
    rtc,
    limits: { perIp: limits.whepSessionsPerIp, perLivestream: limits.whepSessionsPerLivestream },
    hostUrl: cluster?.hostUrl,
    log: log.child('whep'),
  });
}
