import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { livestreamIdSchema } from '../../../../shared/livestream.js';
import { PATHS } from '../../../../shared/public-paths.js';
import type { OriginProxy } from '../../cluster/origin-proxy.js';
import type { FileCache } from '../../origin/file-cache.js';
import { sendFile } from '../../origin/file-response.js';
import { serveFromLiveEdge } from '../../origin/live-edge-origin.js';
import { resolveMediaFile } from '../../origin/media-files.js';
import { pathOfUrl } from '../../origin/safe-path.js';
import { livestreamDir } from '../../media/media-layout.js';
import { LIVE_EDGES, type LiveEdges } from '../../packager/live-edge.js';

export interface LiveRoutesOptions {
  mediaDir: string;
  files: FileCache;
  /** In a cluster: livestreams another node broadcasts are served from that node. */
  proxy?: OriginProxy;
  /** Broadcasts packaged in this process: parts, held playlist requests (default: the process's edges). */
  edges?: LiveEdges;
}

const PREFIX = `${PATHS.live}/`;
const EXPOSED_HEADERS = 'Content-Length, Content-Range, Accept-Ranges, ETag, Last-Modified';
const DEFAULT_ALLOWED_HEADERS = 'Range, If-Range, If-None-Match, If-Modified-Since';
const HEADER_LIST = /^[A-Za-z0-9-]+(?: *, *[A-Za-z0-9-]+)*$/;

const allowAnyOrigin = (reply: FastifyReply) =>
  reply.header('Access-Control-Allow-Origin', '*').header('Access-Control-Expose-Headers', EXPOSED_HEADERS);

/**
 * The origin: `/live/<id>/<path>` from `<mediaDir>/<id>/<path>`, readable by players on any site.
 * The hot path for viewers: no database, no body parsing; files come from memory while unchanged.
 */
export const liveRoutes: FastifyPluginAsync<LiveRoutesOptions> = async (app, { mediaDir, files, proxy, edges = LIVE_EDGES }) => {
  // Media, not pages or API answers: the viewers' hot path goes without the security headers' and the rate limit's work.
  const media = { securityHeaders: 'none', rateLimit: false } as const;
  app.options(`${PREFIX}*`, { config: media }, async (request, reply) => {
    // Public, credential-less content: any header a player wants to send is fine.
    const requested = request.headers['access-control-request-headers'];
    const allowHeaders = requested !== undefined && requested.length <= 512 && HEADER_LIST.test(requested) ? requested : DEFAULT_ALLOWED_HEADERS;
    return allowAnyOrigin(reply)
      .code(204)
      .header('Access-Control-Allow-Methods', 'GET, HEAD, OPTIONS')
      .header('Access-Control-Allow-Headers', allowHeaders)
      .header('Access-Control-Max-Age', '86400')
      .send();
  });

  app.route({
    method: ['GET', 'HEAD'],
    url: `${PREFIX}:id/*`,
    exposeHeadRoute: false,
    config: media,
    handler: async (request, reply) => {
      allowAnyOrigin(reply);
      // The raw, still-encoded path: decoding is left to the safe-path check.
      const rest = pathOfUrl(request.url).slice(PREFIX.length);
      const slash = rest.indexOf('/');
      const id = rest.slice(0, slash);
      if (!livestreamIdSchema.safeParse(id).success) return reply.code(400).send({ error: 'invalid livestream id' });
      const host = proxy && (await proxy.hostUrl(request, id));
      if (proxy && host !== undefined) return proxy.forward(request, reply, host);
      const target = resolveMediaFile(mediaDir, id, rest.slice(slash + 1));
      if (target && (await serveFromLiveEdge(request, reply, { edges, livestreamRoot: livestreamDir(mediaDir, id), target, files }))) return reply;
      const file = target && (await files.open(target.absPath));
      if (file) return sendFile(request, reply, file, target.type);
      const holder = proxy && (await proxy.recordingElsewhere(request, id, rest.slice(slash + 1)));
      if (proxy && holder) return proxy.fromHolder(request, reply, holder);
      return reply.code(404).send({ error: 'not found' });
    },
  });
};
