import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { recordingIdSchema } from '../../../shared/recording.js';
import type { BroadcastClaims } from './broadcast-claims.js';
import type { HopHeader } from './hop-header.js';
import type { RecordingHolder, RecordingHolders } from './recording-holders.js';

/**
 * A node answers a request another node passed to it from its own files, except that the node hosting a
 * livestream passes a request for a recording held elsewhere on once more (to the holder, which always
 * answers itself).
 */
const MAX_HOPS = 2;
/** The request headers that decide the answer (ranges, revalidation); nothing else of the viewer's is passed on. */
const FORWARDED_REQUEST_HEADERS = ['range', 'if-range', 'if-none-match', 'if-modified-since', 'accept-encoding'] as const;
/** Connection-level headers (RFC 9110 §7.6.1): they describe one hop, not the answer. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade']);
/**
 * A hosting node that has not started answering by then is taken as unreachable (504). Longer than the
 * origin holds a blocking LL-HLS playlist reload or a part that is being written (6 s), which it answers late on purpose.
 */
const ANSWER_TIMEOUT_MS = 10_000;
/** How long a node keeps what Redis said of a livestream's host (or the store of a recording's): the origin's hot path asks for every request. */
const HOST_CACHE_MS = 1000;

type Cache<T> = Map<string, { value: T; until: number }>;

/**
 * Serves `/live/<id>/…` of a livestream another node broadcasts by streaming that node's answer through:
 * status and headers as they are (Cache-Control, ETag, Content-Type, Content-Length, Content-Range), the
 * body piped without buffering. Proxied rather than redirected, so that players and an edge cache in
 * front of any node keep one origin URL, and what they cache is keyed by it. A recording's files, which stay
 * on the node that recorded it, are served from that node the same way.
 */
export class OriginProxy {
  private readonly hosts: Cache<string | undefined> = new Map();
  private readonly holders: Cache<RecordingHolder | undefined> = new Map();
  private readonly agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };

  constructor(
    private readonly claims: Pick<BroadcastClaims, 'hostOf'>,
    private readonly hops: Pick<HopHeader, 'hopsOf' | 'passOn'>,
    private readonly recordings?: Pick<RecordingHolders, 'find'>,
    private readonly now: () => number = Date.now,
  ) {}

  /** The base URL of the node broadcasting the livestream, when it is another one and the request may be passed on. */
  async hostUrl(request: FastifyRequest, livestreamId: string): Promise<string | undefined> {
    if (this.hops.hopsOf(request) > 0) return undefined;
    return this.remember(this.hosts, livestreamId, async () => (await this.claims.hostOf(livestreamId))?.url);
  }

  /** Where a finished recording's files are; undefined when there is none, or the request must be answered here. */
  async recordingHolder(request: FastifyRequest, livestreamId: string, recordingId: string): Promise<RecordingHolder | undefined> {
    const { recordings } = this;
    if (!recordings || this.hops.hopsOf(request) >= MAX_HOPS) return undefined;
    return this.remember(this.holders, `${livestreamId}/${recordingId}`, () => recordings.find(livestreamId, recordingId));
  }

  /** For a file of the livestream missing here (`path` is below its root): the other node holding the recording it belongs to. */
  async recordingElsewhere(request: FastifyRequest, livestreamId: string, path: string): Promise<Exclude<RecordingHolder, { at: 'here' }> | undefined> {
    const recordingId = path.slice(0, path.indexOf('/'));
    if (!recordingIdSchema.safeParse(recordingId).success) return undefined;
    const holder = await this.recordingHolder(request, livestreamId, recordingId);
    return holder?.at === 'here' ? undefined : holder;
  }

  /** The holding node's answer, or 503 while that node is down. Returned to Fastify as it is: a reply must not be awaited. */
  fromHolder(request: FastifyRequest, reply: FastifyReply, holder: Exclude<RecordingHolder, { at: 'here' }>): Promise<FastifyReply> | FastifyReply {
    if (holder.at === 'node') return this.forward(request, reply, holder.url);
    // Short-lived: the node may be back in a moment.
    return reply.code(503).header('Cache-Control', 'max-age=1').send({ error: 'the node holding this recording is down' });
  }

  /**
   * Streams the other node's answer to the same path; 502 when it cannot be reached, 504 when it does not
   * answer. `passHeaders` are request headers passed on beyond those that decide a media answer.
   */
  forward(request: FastifyRequest, reply: FastifyReply, hostUrl: string, passHeaders: readonly string[] = []): Promise<FastifyReply> {
    const target = new URL(request.url, hostUrl);
    const headers: http.OutgoingHttpHeaders = this.hops.passOn(request, target);
    for (const name of [...FORWARDED_REQUEST_HEADERS, ...passHeaders]) {
      const value = request.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const client = target.protocol === 'https:' ? https : http;
    const agent = target.protocol === 'https:' ? this.agents.https : this.agents.http;
    return new Promise((resolve) => {
      const upstream = client.request(target, { method: request.method, headers, agent, timeout: ANSWER_TIMEOUT_MS }, (answer) => {
        resolve(this.relay(request, reply, answer));
      });
      upstream.once('timeout', () => upstream.destroy(new TimeoutError()));
      upstream.once('error', (err) => {
        if (reply.sent) return;
        const timedOut = err instanceof TimeoutError;
        resolve(
          reply
            .code(timedOut ? 504 : 502)
            // Short-lived: the broadcast may be back, or elsewhere, in a moment.
            .header('Cache-Control', 'max-age=1')
            .send({ error: timedOut ? 'the node serving this did not answer in time' : 'the node serving this cannot be reached' }),
        );
      });
      upstream.end();
    });
  }

  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  private async remember<T>(cache: Cache<T>, key: string, lookup: () => Promise<T>): Promise<T> {
    const cached = cache.get(key);
    if (cached && cached.until > this.now()) return cached.value;
    const value = await lookup();
    cache.set(key, { value, until: this.now() + HOST_CACHE_MS });
    // Forgotten entries would pile up with every livestream or recording ever asked for.
    if (cache.size > 10_000) cache.clear();
    return value;
  }

  private relay(request: FastifyRequest, reply: FastifyReply, answer: IncomingMessage): FastifyReply {
    reply.code(answer.statusCode ?? 502);
    for (const [name, value] of Object.entries(answer.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(name)) reply.header(name, value);
    }
    if (request.method === 'HEAD' || answer.statusCode === 304 || answer.statusCode === 204) {
      answer.resume();
      return reply.send();
    }
    return reply.send(answer);
  }
}

class TimeoutError extends Error {}
