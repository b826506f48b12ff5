import type { FastifyPluginAsync } from 'fastify';
import { PATHS, whepPath } from '../../../../shared/public-paths.js';
import type { Config } from '../../config.js';
import { HttpError } from '../../http/http-error.js';
import type { Logger } from '../../log.js';
import type { SessionRegistry } from '../../session/session-registry.js';
import type { LiveSession } from '../../session/stream-session.js';
import type { WorkerPool } from '../../sfu/worker-pool.js';
import type { LivestreamRepository } from '../../store/livestream-repository.js';
import { serveRtcHttpEndpoint, type IceServer, type SessionLimits } from '../../webrtc-http/http-endpoint.js';
import { parseOffer } from '../../webrtc-http/sdp-offer.js';
import { ViewerRouters } from './viewer-routers.js';
import { WhepSession } from './whep-session.js';

export interface WhepRoutesOptions {
  pool: WorkerPool;
  registry: Pick<SessionRegistry, 'get' | 'isLive' | 'isLiveAnywhere' | 'on' | 'off'>;
  livestreams: Pick<LivestreamRepository, 'get'>;
  rtc: Config['rtc'];
  /** Handed to clients as Link headers; none by default (mediasoup is ICE-lite on a reachable address). */
  iceServers?: IceServer[];
  /** Real-time viewers one client address, and one livestream, may have at once. */
  limits: SessionLimits;
  /** In a cluster: the base URL of the node broadcasting a livestream, when another node does. */
  hostUrl?: (livestreamId: string) => Promise<string | undefined>;
  log: Logger;
}

/** Real-time viewers this process serves at most; each costs a transport and its consumers. */
export const MAX_WHEP_SESSIONS = 500;
/** How long a viewer's offer waits for a broadcast whose publisher is still connecting (then 503, Retry-After). */
export const STARTING_WAIT_MS = 5000;

/**
 * The WHEP endpoint, `POST /whep/<id>` with an SDP offer: the live broadcast straight from the SFU,
 * sub-second behind the publisher. No token: livestreams are public. Only a broadcast published over
 * WebRTC or WHIP passes through mediasoup; an RTMP broadcast is answered 409 and players use HLS.
 */
export const whepRoutes: FastifyPluginAsync<WhepRoutesOptions> = async (app, o) => {
  const routes = new ViewerRouters(o.pool);

  /** A viewer who comes while the publisher is still connecting gets the broadcast as soon as it starts. */
  const started = (livestreamId: string) =>
    new Promise<LiveSession | 'timeout'>((resolve) => {
      const done = (result: LiveSession | 'timeout') => {
        clearTimeout(timer);
        o.registry.off('started', onStarted);
        resolve(result);
      };
      const onStarted = (session: LiveSession) => {
        if (session.livestreamId === livestreamId) done(session);
      };
      const timer = setTimeout(() => done(o.registry.get(livestreamId) ?? 'timeout'), STARTING_WAIT_MS);
      o.registry.on('started', onStarted);
    });

  const sessions = serveRtcHttpEndpoint<WhepSession>(app, {
    prefix: PATHS.whep,
    iceServers: o.iceServers,
    limits: o.limits,
    elsewhere: async (livestreamId) => {
      // The broadcast's media is in the SFU of the node that took the publish.
      const host = o.registry.isLive(livestreamId) ? undefined : await o.hostUrl?.(livestreamId);
      return host === undefined ? undefined : { url: `${host}${whepPath(livestreamId)}` };
    },
    open: async (livestreamId, request) => {
      if (!(await o.livestreams.get(livestreamId))) throw new HttpError(404, 'no livestream with this id');
      const broadcast = o.registry.get(livestreamId) ?? (o.registry.isLive(livestreamId) ? await started(livestreamId) : undefined);
      if (broadcast === 'timeout') throw new HttpError(503, 'the broadcast is still starting', { 'Retry-After': '1' });
      if (!broadcast || broadcast.state === 'ended') {
        // Its media is in the SFU of the process that took the publish; HLS and DASH play from any process.
        if (await o.registry.isLiveAnywhere(livestreamId)) throw new HttpError(409, 'this livestream is broadcast by another Axon process: real-time playback is served there; play HLS');
        throw new HttpError(409, 'this livestream is not live');
      }
      const media = broadcast.realtime;
      if (!media) throw new HttpError(409, `real-time playback needs a WebRTC or WHIP publish; this broadcast comes over ${broadcast.protocol.toUpperCase()}`);
      if (sessions.size >= MAX_WHEP_SESSIONS) throw new HttpError(503, 'this server has no room for another real-time viewer; play HLS');
      return WhepSession.open({ routes, rtc: o.rtc, log: o.log }, livestreamId, media, parseOffer(request.body));
    },
    // Anyone may watch; the session URL itself (128 random bits) is what lets a viewer act on its session.
    authorize: () => undefined,
  });
};
