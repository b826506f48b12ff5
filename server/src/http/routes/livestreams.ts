import type { FastifyPluginAsync } from 'fastify';
import {
  createLivestreamSchema,
  listLivestreamsQuerySchema,
  livestreamIdSchema,
  updateLivestreamSchema,
  type LivestreamList,
} from '../../../../shared/livestream.js';
import { livestreamApiPath } from '../../../../shared/public-paths.js';
import type { Logger } from '../../log.js';
import { removeLivestreamMedia } from '../../origin/media-files.js';
import type { SessionRegistry } from '../../session/session-registry.js';
import { InvalidCursorError, type LivestreamRepository } from '../../store/livestream-repository.js';
import type { AdminAuth } from '../admin-auth.js';
import { HttpError, parseInput } from '../http-error.js';
import type { LivestreamViews } from '../livestream-view.js';

export interface LivestreamRoutesOptions {
  livestreams: LivestreamRepository;
  registry: SessionRegistry;
  views: LivestreamViews;
  auth: AdminAuth;
  mediaDir: string;
  log: Logger;
}

/** Why a broadcast ended, as its publisher is told (the studio shows "The stream ended: <reason>"). */
export const KICK_REASONS = {
  keyRotated: 'the stream key was rotated; publish again with the new key',
  disabled: 'the livestream was disabled',
} as const;

interface IdParams {
  id: string;
}

/** The livestream REST API. The stream key is in the owner's responses only, never in a log line. */
export const livestreamRoutes: FastifyPluginAsync<LivestreamRoutesOptions> = async (app, opts) => {
  const { livestreams, registry, views, auth, mediaDir, log } = opts;

  const find = async (rawId: string) => {
    const record = await livestreams.get(parseInput(livestreamIdSchema, rawId));
    if (!record) throw new HttpError(404, 'no livestream with this id');
    return record;
  };

  // Responses carry secrets (stream keys): no cache may keep them.
  app.addHook('onRequest', async (_request, reply) => {
    reply.header('Cache-Control', 'no-store');
  });

  app.post('/api/livestreams', async (request, reply) => {
    auth.require(request);
    const input = parseInput(createLivestreamSchema, request.body);
    const record = await livestreams.create(input);
    log.info('livestream created', { id: record.id });
    return reply.code(201).header('Location', livestreamApiPath(record.id)).send(await views.full(record));
  });

  app.get('/api/livestreams', async (request): Promise<LivestreamList> => {
    auth.require(request);
    const query = parseInput(listLivestreamsQuerySchema, request.query);
    try {
      const page = await livestreams.list(query);
      return { items: await Promise.all(page.items.map((r) => views.full(r))), nextCursor: page.nextCursor };
    } catch (err) {
      if (err instanceof InvalidCursorError) throw new HttpError(400, 'cursor: not a cursor from a previous page');
      throw err;
    }
  });

  app.get<{ Params: IdParams }>('/api/livestreams/:id', async (request) => {
    const admin = auth.isAdmin(request);
    const record = await find(request.params.id);
    return admin ? views.full(record) : views.publicView(record);
  });

  app.patch<{ Params: IdParams }>('/api/livestreams/:id', async (request) => {
    auth.require(request);
    const id = parseInput(livestreamIdSchema, request.params.id);
    const changes = parseInput(updateLivestreamSchema, request.body);
    const record = await livestreams.update(id, changes);
    if (!record) throw new HttpError(404, 'no livestream with this id');
    log.info('livestream updated', { id, fields: Object.keys(changes) });
    // Stored first, so no new publish is accepted while the broadcast winds down.
    if (changes.enabled === false) await registry.end(id, KICK_REASONS.disabled);
    return views.full(record);
  });

  app.delete<{ Params: IdParams }>('/api/livestreams/:id', async (request, reply) => {
    auth.require(request);
    const id = parseInput(livestreamIdSchema, request.params.id);
    if (!(await livestreams.delete(id))) throw new HttpError(404, 'no livestream with this id');
    // Deleted first, so no new publish is accepted while the broadcast winds down.
    await registry.end(id, 'livestream deleted');
    await removeLivestreamMedia(mediaDir, id);
    log.info('livestream deleted', { id });
    return reply.code(204).send();
  });

  app.post<{ Params: IdParams }>('/api/livestreams/:id/rotate-key', async (request) => {
    auth.require(request);
    const id = parseInput(livestreamIdSchema, request.params.id);
    const record = await livestreams.rotateKey(id);
    if (!record) throw new HttpError(404, 'no livestream with this id');
    log.info('stream key rotated', { id });
    // Whoever holds the old key (a leaked one) is cut off: its broadcast ends, it cannot publish again.
    await registry.end(id, KICK_REASONS.keyRotated);
    return views.full(record);
  });
};
