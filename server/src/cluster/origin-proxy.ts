import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { BroadcastClaims } from './broadcast-claims.js';

/** Marks a request one node passed to another: the receiving node answers from its own files, never passes it on. */
export const HOP_HEADER = 'x-axon-hop';
/** The request headers that decide the answer (ranges, revalidation); nothing else of the viewer's is passed on. */
const FORWARDED_REQUEST_HEADERS = ['range', 'if-range', 'if-none-match', 'if-modified-since', 'accept-encoding'] as const;
/** Connection-level headers (RFC 9110 §7.6.1): they describe one hop, not the answer. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade']);
/**
 * A hosting node that has not started answering by then is taken as unreachable (504). Longer than the
 * origin holds a blocking LL-HLS playlist reload or a part that is being written (6 s), which it answers late on purpose.
 */
const ANSWER_TIMEOUT_MS = 10_000;
/** How long a node keeps what Redis said of a livestream's host: the origin's hot path asks for every request. */
const HOST_CACHE_MS = 1000;

/**
 * Serves `/live/<id>/…` of a livestream another node broadcasts by streaming that node's answer through:
 * status and headers as they are (Cache-Control, ETag, Content-Type, Content-Length, Content-Range), the
 * body piped without buffering. Proxied rather than redirected, so that players and an edge cache in
 * front of any node keep one origin URL, and what they cache is keyed by it.
 */
export class OriginProxy {
  private readonly hosts = new Map<string, { url: string | undefined; until: number }>();
  private readonly agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };

  constructor(
    private readonly claims: Pick<BroadcastClaims, 'hostOf'>,
    private readonly now: () => number = Date.now,
  ) {}

  /** The base URL of the node broadcasting the livestream, when it is another one and the request may be passed on. */
  async hostUrl(request: FastifyRequest, livestreamId: string): Promise<string | undefined> {
    if (request.headers[HOP_HEADER] !== undefined) return undefined;
    const cached = this.hosts.get(livestreamId);
    if (cached && cached.until > this.now()) return cached.url;
    const url = (await this.claims.hostOf(livestreamId))?.url;
    this.hosts.set(livestreamId, { url, until: this.now() + HOST_CACHE_MS });
    // Forgotten entries would pile up with every livestream ever asked for.
    if (this.hosts.size > 10_000) this.hosts.clear();
    return url;
  }

  /** Streams the hosting node's answer to the same path; 502 when it cannot be reached, 504 when it does not answer. */
  forward(request: FastifyRequest, reply: FastifyReply, hostUrl: string): Promise<FastifyReply> {
    const target = new URL(request.url, hostUrl);
    const headers: http.OutgoingHttpHeaders = { [HOP_HEADER]: '1' };
    for (const name of FORWARDED_REQUEST_HEADERS) {
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
            .send({ error: timedOut ? 'the node broadcasting this livestream did not answer in time' : 'the node broadcasting this livestream cannot be reached' }),
        );
      });
      upstream.end();
    });
  }

  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
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
