import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { livestreamIdSchema } from '../../../../shared/livestream.js';
import type { Config } from '../../config.js';
import { HttpError, parseInput } from '../../http/http-error.js';
import type { Logger } from '../../log.js';
import { publishAuthMessages, type PublishAuthorizer } from '../../session/publish-auth.js';
import { AlreadyLiveError, AtCapacityError, type SessionRegistry } from '../../session/session-registry.js';
import type { WorkerPool } from '../../sfu/worker-pool.js';
import { bearerToken, serveRtcHttpEndpoint, unauthorized, type IceServer } from '../../webrtc-http/http-endpoint.js';
import { parseOffer } from '../../webrtc-http/sdp-offer.js';
import { WhipSession } from './whip-session.js';

export interface WhipRoutesOptions {
  pool: WorkerPool;
  registry: SessionRegistry;
  auth: PublishAuthorizer;
  rtc: Config['rtc'];
  /** Handed to clients as Link headers; none by default (mediasoup is ICE-lite on a reachable address). */
  iceServers?: IceServer[];
  /** Publish sessions one client address may hold (a livestream takes one publisher anyway). */
  sessionsPerIp: number;
  log: Logger;
}

function publishToken(request: FastifyRequest): string {
  const token = bearerToken(request);
  if (token === undefined) throw unauthorized('missing Authorization: Bearer <stream key>');
  return token;
}

/**
 * The WHIP endpoint (RFC 9725), the livestream's `whipUrl`: `POST /whip/<id>` with an SDP offer and
 * `Authorization: Bearer <streamKey>` answers 201 with the SDP answer and the session's URL; DELETE on
 * that URL ends the broadcast, PATCH takes trickled candidates and ICE restarts. OBS 30+ (Service WHIP),
 * browsers and native WebRTC clients publish here into the same broadcast pipeline as the studio.
 */
export const whipRoutes: FastifyPluginAsync<WhipRoutesOptions> = async (app, o) => {
  const deps = { pool: o.pool, registry: o.registry, rtc: o.rtc, log: o.log };
  serveRtcHttpEndpoint(app, {
    prefix: '/whip',
    iceServers: o.iceServers,
    limits: { perIp: o.sessionsPerIp },
    // Before the body is read: a publisher without the key learns nothing else.
    onRequest: async (request) => {
      const id = parseInput(livestreamIdSchema, request.params.id);
      const result = o.auth.authorizePublish(id, publishToken(request));
      if (result === 'unknown_livestream') throw new HttpError(404, publishAuthMessages.unknown_livestream);
      if (result === 'wrong_key') throw unauthorized(publishAuthMessages.wrong_key);
      if (result === 'disabled') throw new HttpError(403, publishAuthMessages.disabled);
    },
    open: async (livestreamId, request) => {
      const offer = parseOffer(request.body);
      try {
        return await WhipSession.open(deps, livestreamId, publishToken(request), offer);
      } catch (err) {
        if (err instanceof AlreadyLiveError) throw new HttpError(409, err.message);
        if (err instanceof AtCapacityError) throw new HttpError(503, err.message, { 'Retry-After': String(err.retryAfterS) });
        throw err;
      }
    },
    authorize: (session, request) => {
      if (!session.acceptsToken(bearerToken(request))) throw unauthorized('this session belongs to another token');
    },
  });
};
