import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { livestreamIdSchema } from '../../../../shared/livestream.js';
import type { PublishRefusalCode } from '../../../../shared/publish-refusal.js';
import { PATHS, whipPath } from '../../../../shared/public-paths.js';
import type { IngestPlacement } from '../../cluster/ingest-placement.js';
import type { OfferForwarder } from '../../cluster/offer-forwarder.js';
import type { Config } from '../../config.js';
import { bearerToken, unauthorized } from '../../http/bearer.js';
import { HttpError, parseInput } from '../../http/http-error.js';
import type { Logger } from '../../log.js';
import { publishAuthRefusal, type PublishAuthorizer } from '../../session/publish-auth.js';
import { PublishRefusedError } from '../../session/publish-refused.js';
import { AtCapacityError, type SessionRegistry } from '../../session/session-registry.js';
import type { WorkerPool } from '../../sfu/worker-pool.js';
import { serveRtcHttpEndpoint, type IceServer } from '../../webrtc-http/http-endpoint.js';
import { parseOffer } from '../../webrtc-http/sdp-offer.js';
import { WhipSession } from './whip-session.js';
import { resumesHere } from '../webrtc/publisher-hold.js';

export interface WhipRoutesOptions {
  pool: WorkerPool;
  registry: SessionRegistry;
  auth: PublishAuthorizer;
  rtc: Config['rtc'];
  /** Handed to clients as Link headers; none by default (mediasoup is ICE-lite on a reachable address). */
  iceServers?: IceServer[];
  /** Publish sessions one client address may hold (a livestream takes one publisher anyway). */
  sessionsPerIp: number;
  reconnectWindowS: number;
  /** In a cluster: a node without room sends the publisher to one that has some. */
  placement?: IngestPlacement;
  /** With placement: posts an offer to the node placement chose, and tells an offer another node posted here. */
  offers?: OfferForwarder;
  log: Logger;
}

/** The HTTP status of each publish refusal WHIP can answer. */
const REFUSAL_STATUS: Partial<Record<PublishRefusalCode, number>> = {
  unknown_livestream: 404,
  wrong_key: 401,
  disabled: 403,
  already_live: 409,
  at_capacity: 503,
};

function publishToken(request: FastifyRequest): string {
  const token = bearerToken(request, 'wrong_key');
  if (token === undefined) throw unauthorized('missing Authorization: Bearer <stream key>', 'wrong_key');
  return token;
}

/** A refused publish as WHIP answers it: its status, with the code and message in the JSON body. */
function refusalAnswer(err: PublishRefusedError): HttpError {
  if (err.code === 'wrong_key') return unauthorized(err.message, err.code);
  const headers = err instanceof AtCapacityError ? { 'Retry-After': String(err.retryAfterS) } : undefined;
  return new HttpError(REFUSAL_STATUS[err.code] ?? 400, err.message, headers, err.code);
}

/**
 * The WHIP endpoint (RFC 9725), the livestream's `whipUrl`: `POST /whip/<id>` with an SDP offer and
 * `Authorization: Bearer <streamKey>` answers 201 with the SDP answer and the session's URL; DELETE on
 * that URL ends the broadcast, PATCH takes trickled candidates and ICE restarts. OBS 30+ (Service WHIP),
 * browsers and native WebRTC clients publish here into the same broadcast pipeline as the studio.
 */
export const whipRoutes: FastifyPluginAsync<WhipRoutesOptions> = async (app, o) => {
  const deps = { pool: o.pool, registry: o.registry, rtc: o.rtc, reconnectWindowS: o.reconnectWindowS, log: o.log };
  const { placement, offers } = o;
  serveRtcHttpEndpoint(app, {
    prefix: PATHS.whip,
    iceServers: o.iceServers,
    limits: { perIp: o.sessionsPerIp },
    // Before the body is read: a publisher without the key learns nothing else.
    onRequest: async (request) => {
      const id = parseInput(livestreamIdSchema, request.params.id);
      const result = await o.auth.authorizePublish(id, publishToken(request));
      if (result !== 'ok') throw refusalAnswer(publishAuthRefusal(result));
    },
    elsewhere:
      placement &&
      offers &&
      (async (livestreamId, request) => {
        // A returning publisher stays with its broadcast; an offer another node placed here is served here.
        if (resumesHere(o.registry, livestreamId) || offers.passedOn(request)) return undefined;
        try {
          const node = await placement.elsewhere();
          return node === undefined ? undefined : { url: `${node}${whipPath(livestreamId)}`, forwarder: offers };
        } catch (err) {
          throw err instanceof PublishRefusedError ? refusalAnswer(err) : err;
        }
      }),
    open: async (livestreamId, request) => {
      const offer = parseOffer(request.body);
      try {
        return await WhipSession.open(deps, livestreamId, publishToken(request), offer);
      } catch (err) {
        throw err instanceof PublishRefusedError ? refusalAnswer(err) : err;
      }
    },
    authorize: (session, request) => {
      if (!session.acceptsToken(bearerToken(request))) throw unauthorized('this session belongs to another token');
    },
  });
};
