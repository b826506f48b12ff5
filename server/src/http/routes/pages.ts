import fsp from 'node:fs/promises';
import path from 'node:path';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { livestreamIdSchema } from '../../../../shared/livestream.js';
import { PATHS } from '../../../../shared/public-paths.js';
import { openFile, sendFile } from '../../origin/file-response.js';
import { parseSafeRelativePath, pathOfUrl } from '../../origin/safe-path.js';
import { HttpError, parseInput } from '../http-error.js';
import { type LinkPreview, withLinkPreview } from '../link-preview.js';

export interface PageRoutesOptions {
  /** Vite's output directory (index.html, studio.html, watch.html, embed.html, assets/). */
  clientDir: string;
  /** What the watch and embed pages of a livestream tell link previews (Open Graph); undefined for an unknown id. */
  linkPreview?: (livestreamId: string) => Promise<LinkPreview | undefined>;
}

const HTML_HEADERS = { contentType: 'text/html; charset=utf-8', cacheControl: 'no-cache' };
/** Vite puts a content hash in every asset name. */
const ASSET_CACHE = 'public, max-age=31536000, immutable';
const ASSET_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

interface IdParams {
  id: string;
}

/** The web client's pages and assets, as built by Vite. */
export const pageRoutes: FastifyPluginAsync<PageRoutesOptions> = async (app, { clientDir, linkPreview }) => {
  const notBuilt = (file: string) => new HttpError(503, `the web client is not built (${file} is missing): run \`npm run build:client\``);
  const page = (file: string) => async (request: FastifyRequest, reply: FastifyReply) => {
    const opened = await openFile(path.join(clientDir, file));
    if (!opened) throw notBuilt(file);
    return sendFile(request, reply, opened, HTML_HEADERS);
  };
  /** A livestream's page; with `preview`, its link-preview tags are written into the page as it is sent. */
  const pageWithId = (file: string, preview?: PageRoutesOptions['linkPreview']) => {
    const send = page(file);
    return async (request: FastifyRequest<{ Params: IdParams }>, reply: FastifyReply) => {
      // The page itself says when no livestream has this id; only the format is checked here.
      const id = parseInput(livestreamIdSchema, request.params.id);
      // A preview is never worth a page that fails to load: without one, the page goes out as built.
      const tags = preview && (await preview(id).catch(() => undefined));
      if (!tags) return send(request, reply);
      const html = await fsp.readFile(path.join(clientDir, file), 'utf8').catch(() => undefined);
      if (html === undefined) throw notBuilt(file);
      return reply.header('Content-Type', HTML_HEADERS.contentType).header('Cache-Control', HTML_HEADERS.cacheControl).send(withLinkPreview(html, tags));
    };
  };

  const framedByAxon = { config: { securityHeaders: 'page' } } as const;
  app.get('/', framedByAxon, page('index.html'));
  app.get(`${PATHS.studio}/:id`, framedByAxon, pageWithId('studio.html'));
  app.get(`${PATHS.watch}/:id`, framedByAxon, pageWithId('watch.html', linkPreview));
  // Embeds are meant to be framed by any site.
  app.get(`${PATHS.embed}/:id`, { config: { securityHeaders: 'embed' } }, pageWithId('embed.html', linkPreview));

  app.get('/assets/*', async (request, reply) => {
    const segments = parseSafeRelativePath(pathOfUrl(request.url).slice('/assets/'.length));
    const fileName = segments?.at(-1);
    const contentType = fileName && ASSET_TYPES[path.extname(fileName)];
    const file = segments && contentType ? await openFile(path.join(clientDir, 'assets', ...segments)) : undefined;
    if (!file || !contentType) throw new HttpError(404, 'not found');
    return sendFile(request, reply, file, { contentType, cacheControl: ASSET_CACHE });
  });
};
