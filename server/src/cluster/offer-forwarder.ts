import type { FastifyReply, FastifyRequest } from 'fastify';
import type { HopHeader } from './hop-header.js';

/** The answer's headers a WHIP client reads (RFC 9725 §4.2), besides Location. */
const RELAYED_HEADERS = ['content-type', 'etag', 'link', 'accept-patch', 'retry-after'] as const;
/** The chosen node creates a transport and answers in well under a second; past this it is taken as unreachable. */
const FORWARD_TIMEOUT_MS = 10_000;

/**
 * Posts a WHIP offer to the endpoint of the node placement chose and relays that node's answer: 201 with its
 * SDP answer and a Location on that node, where the client then sends PATCH and DELETE itself. Forwarded
 * rather than redirected because a client following a 307 to another origin drops its Authorization header
 * (the Fetch standard; curl, so OBS, does the same), and the stream key travels in it. The chosen node serves
 * a forwarded offer itself, never passes it on: the hop header says another node sent it, which a client
 * cannot forge.
 */
export class OfferForwarder {
  constructor(private readonly hops: Pick<HopHeader, 'hopsOf' | 'passOn'>) {}

  async forward(request: FastifyRequest<{ Body: string }>, reply: FastifyReply, endpointUrl: string): Promise<FastifyReply> {
    const target = new URL(endpointUrl);
    const headers: Record<string, string> = { 'content-type': request.headers['content-type'] ?? 'application/sdp', ...this.hops.passOn(request, target) };
    if (request.headers.authorization !== undefined) headers.authorization = request.headers.authorization;
    let answer: Response;
    try {
      answer = await fetch(target, { method: 'POST', headers, body: request.body, redirect: 'manual', signal: AbortSignal.timeout(FORWARD_TIMEOUT_MS) });
    } catch {
      return reply.code(502).send({ error: 'the server chosen for this publish cannot be reached; try again' });
    }
    reply.code(answer.status);
    for (const name of RELAYED_HEADERS) {
      const value = answer.headers.get(name);
      if (value !== null) reply.header(name, value);
    }
    const location = answer.headers.get('location');
    if (location !== null) reply.header('location', new URL(location, target).href);
    return reply.send(Buffer.from(await answer.arrayBuffer()));
  }

  /** Whether another node passed this request on: it is served here, whatever this node's load. */
  passedOn(request: FastifyRequest): boolean {
    return this.hops.hopsOf(request) > 0;
  }
}
