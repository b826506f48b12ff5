import type { FastifyInstance, FastifyRequest } from 'fastify';
import { livestreamIdSchema } from '../../../shared/livestream.js';
import type { PATHS } from '../../../shared/public-paths.js';
import { SDP_CONTENT_TYPE, SDPFRAG_CONTENT_TYPE } from '../../../shared/whip.js';
import type { OfferForwarder } from '../cluster/offer-forwarder.js';
import { HeldCounts } from '../held-counts.js';
import { HttpError, parseInput } from '../http/http-error.js';
import type { RtcHttpSession } from './rtc-http-session.js';
import { buildRestartFrag, readFragCredentials } from './sdp-frag.js';
import { SdpError } from './sdp-offer.js';

/** Largest offer or fragment accepted: real offers are a few KiB. */
const SDP_BODY_LIMIT = 64 * 1024;

/** A STUN or TURN server handed to clients in Link headers (RFC 9725 §4.6). */
export interface IceServer {
  url: string;
  username?: string;
  credential?: string;
}

/** A POST of an SDP offer to `<prefix>/<livestreamId>`. */
interface OfferRoute {
  Params: { id: string };
  Body: string;
}
export type OfferRequest = FastifyRequest<OfferRoute>;

/** The protocol's own part of a WHIP or WHEP endpoint; the rest is RFC 9725's, the same for both. */
export interface RtcHttpEndpoint<S extends RtcHttpSession> {
  prefix: typeof PATHS.whip | typeof PATHS.whep;
  /** Handed to clients as Link headers; none by default (mediasoup is ICE-lite on a reachable address). */
  iceServers?: readonly IceServer[];
  /** Runs before the body is read (WHIP: the stream key). Throws an HttpError to refuse. */
  onRequest?: (request: OfferRequest) => Promise<void>;
  /**
   * In a cluster: the endpoint URL on another node that takes this offer (the node hosting the broadcast, one
   * with room); undefined serves it here. Without a `forwarder` it answers 307 so that the client posts it there (RFC
   * 9725 §4.5; WHEP, whose viewers send no credentials); with one, the forwarder posts it there and relays the
   * answer (WHIP: see cluster/offer-forwarder.ts).
   */
  elsewhere?: (livestreamId: string, request: OfferRequest) => Promise<{ url: string; forwarder?: Pick<OfferForwarder, 'forward'> } | undefined>;
  /** The endpoint's own checks, then the session for the offer and its answer. An SdpError becomes a 400. */
  open(livestreamId: string, request: OfferRequest): Promise<{ session: S; answer: string }>;
  /** Throws an HttpError when the request may not act on the session (WHIP: the publisher's token). */
  authorize(session: S, request: FastifyRequest): void;
  /** Sessions one client address, and one livestream, may hold at once (open or being opened). */
  limits: SessionLimits;
}

export interface SessionLimits {
  perIp: number;
  perLivestream?: number;
}

const EXPOSED_HEADERS = 'Location, ETag, Link, Accept-Patch, Accept-Post, Retry-After';

export const sessionUrl = (prefix: string, livestreamId: string, sessionId: string) =>
  `${prefix}/${encodeURIComponent(livestreamId)}/sessions/${sessionId}`;

/** The entity tag of a session's ICE generation: it changes with every ICE restart (RFC 9725 §4.3.1). */
export const sessionEtag = (session: RtcHttpSession) => `"${session.transport.iceParameters.usernameFragment}"`;

/**
 * Serves a WHIP or WHEP endpoint (RFC 9725) in a plugin's encapsulated scope: `POST <prefix>/<livestreamId>`
 * with an SDP offer opens a session, answered 201 with the SDP answer, Location, ETag and ICE server links;
 * the session's resource takes PATCH and DELETE until the session ends; closing the server ends them all.
 * Returns the sessions open now.
 */
export function serveRtcHttpEndpoint<S extends RtcHttpSession>(app: FastifyInstance, endpoint: RtcHttpEndpoint<S>): ReadonlyMap<string, S> {
  const { prefix } = endpoint;
  const sessions = new Map<string, S>();
  const links = iceServerLinks(endpoint.iceServers ?? []);
  const quota = new SessionQuota(endpoint.limits, prefix.slice(1).toUpperCase());
  prepareEndpointScope(app, prefix);

  const options = { bodyLimit: SDP_BODY_LIMIT, ...(endpoint.onRequest && { onRequest: endpoint.onRequest }) };
  app.post<OfferRoute>(`${prefix}/:id`, options, async (request, reply) => {
    const livestreamId = parseInput(livestreamIdSchema, request.params.id);
    requireContentType(request, SDP_CONTENT_TYPE);
    const elsewhere = await endpoint.elsewhere?.(livestreamId, request);
    if (elsewhere?.forwarder) return elsewhere.forwarder.forward(request, reply, elsewhere.url);
    if (elsewhere) return reply.code(307).header('Location', elsewhere.url).send();
    const giveBack = quota.take(request.ip, livestreamId);
    let opened: Awaited<ReturnType<typeof endpoint.open>>;
    try {
      opened = await readingSdp(() => endpoint.open(livestreamId, request));
    } catch (err) {
      giveBack();
      throw err;
    }
    const { session, answer } = opened;
    sessions.set(session.id, session);
    void session.ended.then(() => {
      sessions.delete(session.id);
      giveBack();
    });
    reply
      .code(201)
      .type(SDP_CONTENT_TYPE)
      .header('Location', sessionUrl(prefix, session.livestreamId, session.id))
      .header('ETag', sessionEtag(session));
    if (links.length > 0) reply.header('Link', links);
    return reply.send(answer);
  });

  registerSessionRoutes(app, prefix, sessions, endpoint.authorize);

  app.addHook('onClose', async () => {
    await Promise.all([...sessions.values()].map((s) => s.end('the server is shutting down')));
  });
  return sessions;
}

/**
 * Sessions held per client address and per livestream, counted from the offer's arrival (so that offers
 * racing each other cannot overshoot) to the session's end. Refusals say when to try again: an address
 * over its share is asked to end one of its own (429); a livestream at its limit is busy for everyone (503).
 */
class SessionQuota {
  private readonly byIp: HeldCounts;
  private readonly byLivestream: HeldCounts;

  constructor(
    limits: SessionLimits,
    private readonly protocol: string,
  ) {
    this.byIp = new HeldCounts(limits.perIp);
    this.byLivestream = new HeldCounts(limits.perLivestream ?? Infinity);
  }

  /** Counts one more session, or throws the refusal. Returns what gives it back (once). */
  take(ip: string, livestreamId: string): () => void {
    const forIp = this.byIp.take(ip);
    if (!forIp) {
      throw new HttpError(429, `too many ${this.protocol} sessions from your address (${this.byIp.limit}): end one first`, { 'Retry-After': '30' }, 'too_many_sessions');
    }
    const forLivestream = this.byLivestream.take(livestreamId);
    if (!forLivestream) {
      forIp();
      throw new HttpError(503, `this livestream has ${this.byLivestream.limit} ${this.protocol} sessions, its limit: try again later or watch over HLS`, {
        'Retry-After': '30',
      });
    }
    return () => {
      forIp();
      forLivestream();
    };
  }
}

function requireContentType(request: FastifyRequest, type: string): void {
  const essence = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  if (essence !== type) throw new HttpError(415, `Content-Type must be ${type}`);
}

/** Runs a step that reads client SDP: its SdpError becomes a 400 with the reason. */
async function readingSdp<T>(step: () => T | Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    if (err instanceof SdpError) throw new HttpError(400, err.message);
    throw err;
  }
}

function iceServerLinks(servers: readonly IceServer[]): string[] {
  const quote = (s: string) => `"${s.replace(/["\\]/g, '\\$&')}"`;
  return servers.map((s) => {
    let link = `<${s.url}>; rel="ice-server"`;
    if (s.username !== undefined) link += `; username=${quote(s.username)}`;
    if (s.credential !== undefined) link += `; credential=${quote(s.credential)}; credential-type="password"`;
    return link;
  });
}

/**
 * Prepares a plugin's encapsulated scope for a WebRTC-HTTP endpoint: SDP bodies instead of JSON (anything
 * else is a 415), CORS on every response so browser clients on other origins work (the bearer token is a
 * header, never a cookie, so any origin may send it), and the preflight.
 */
function prepareEndpointScope(app: FastifyInstance, prefix: string): void {
  app.removeAllContentTypeParsers();
  for (const type of [SDP_CONTENT_TYPE, SDPFRAG_CONTENT_TYPE]) {
    app.addContentTypeParser(type, { parseAs: 'string', bodyLimit: SDP_BODY_LIMIT }, (_request, body, done) => done(null, body));
  }
  app.addContentTypeParser('*', (_request, _payload, done) => {
    done(new HttpError(415, `Content-Type must be ${SDP_CONTENT_TYPE} (offers) or ${SDPFRAG_CONTENT_TYPE} (PATCH)`), undefined);
  });
  app.addHook('onRequest', (_request, reply, done) => {
    reply.header('Access-Control-Allow-Origin', '*').header('Access-Control-Expose-Headers', EXPOSED_HEADERS).header('Cache-Control', 'no-store');
    done();
  });
  app.options(`${prefix}/*`, async (_request, reply) =>
    reply
      .code(204)
      .header('Access-Control-Allow-Methods', 'POST, PATCH, DELETE, OPTIONS')
      .header('Access-Control-Allow-Headers', 'Authorization, Content-Type, If-Match')
      .header('Access-Control-Max-Age', '86400')
      .header('Accept-Post', SDP_CONTENT_TYPE)
      .header('Accept-Patch', SDPFRAG_CONTENT_TYPE)
      .send(),
  );
}

interface SessionParams {
  id: string;
  sessionId: string;
}

/**
 * The session resource (RFC 9725 §4.3): DELETE ends it; PATCH with an SDP fragment is accepted (204) as
 * trickled candidates, which an ICE-lite server has no use for, or restarts ICE when it carries new
 * credentials (200 with the new local ones and an ETag). If-Match must name the current ICE generation.
 */
function registerSessionRoutes<S extends RtcHttpSession>(
  app: FastifyInstance,
  prefix: string,
  sessions: ReadonlyMap<string, S>,
  authorize: RtcHttpEndpoint<S>['authorize'],
): void {
  const url = `${prefix}/:id/sessions/:sessionId`;
  const find = (request: FastifyRequest<{ Params: SessionParams }>) => {
    const session = sessions.get(request.params.sessionId);
    if (!session || session.livestreamId !== request.params.id) throw new HttpError(404, 'no such session');
    authorize(session, request);
    return session;
  };

  app.delete<{ Params: SessionParams }>(url, async (request, reply) => {
    await find(request).end('the client deleted its session');
    return reply.code(200).send();
  });

  app.patch<{ Params: SessionParams; Body: string }>(url, { bodyLimit: SDP_BODY_LIMIT }, async (request, reply) => {
    const session = find(request);
    requireContentType(request, SDPFRAG_CONTENT_TYPE);
    const credentials = await readingSdp(() => readFragCredentials(request.body));
    const ifMatch = request.headers['if-match']?.trim();
    const restart = credentials !== undefined && credentials.usernameFragment !== session.remoteIce.usernameFragment;
    if (ifMatch !== undefined && ifMatch !== '*' && ifMatch !== sessionEtag(session)) {
      throw new HttpError(412, 'the session has another ICE generation (ETag) than If-Match names');
    }
    if (!restart) return reply.code(204).send();
    const ice = await session.transport.restartIce();
    session.remoteIce = credentials;
    return reply
      .code(200)
      .type(SDPFRAG_CONTENT_TYPE)
      .header('ETag', sessionEtag(session))
      .send(buildRestartFrag(ice, session.transport.iceCandidates, session.bundle));
  });
}
