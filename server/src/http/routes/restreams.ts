import type { FastifyPluginAsync } from 'fastify';
import { livestreamIdSchema } from '../../../../shared/livestream.js';
import type { RestreamTarget, RestreamTargetList } from '../../../../shared/restream.js';
import { createRestreamSchema, restreamIdSchema, updateRestreamSchema } from '../../../../shared/restream-schemas.js';
import { TooManyRestreamsError, type RestreamService } from '../../restream/restream-service.js';
import type { LivestreamRepository } from '../../store/livestream-repository.js';
import type { AdminAuth } from '../admin-auth.js';
import { HttpError, parseInput } from '../http-error.js';

export interface RestreamRoutesOptions {
  restreams: RestreamService;
  livestreams: Pick<LivestreamRepository, 'get'>;
  auth: AdminAuth;
}

interface LivestreamParams {
  id: string;
}

interface TargetParams extends LivestreamParams {
  restreamId: string;
}

/** The restream API, admin only. A target's stream key goes in and never comes out, only masked. */
export const restreamRoutes: FastifyPluginAsync<RestreamRoutesOptions> = async (app, { restreams, livestreams, auth }) => {
  const livestreamOf = async (rawId: string) => {
    const id = parseInput(livestreamIdSchema, rawId);
    if (!(await livestreams.get(id))) throw new HttpError(404, 'no livestream with this id');
    return id;
  };
  const found = (target: RestreamTarget | undefined) => {
    if (!target) throw new HttpError(404, 'no restream target with this id');
    return target;
  };

  app.addHook('onRequest', async (request, reply) => {
    reply.header('Cache-Control', 'no-store');
    auth.require(request);
  });

  app.get<{ Params: LivestreamParams }>('/api/livestreams/:id/restreams', async (request): Promise<RestreamTargetList> => ({
    items: await restreams.list(await livestreamOf(request.params.id)),
  }));

  app.post<{ Params: LivestreamParams }>('/api/livestreams/:id/restreams', async (request, reply) => {
    const livestreamId = await livestreamOf(request.params.id);
    const input = parseInput(createRestreamSchema, request.body);
    try {
      const created = await restreams.create(livestreamId, input);
      return reply.code(201).header('Location', `/api/livestreams/${livestreamId}/restreams/${created.id}`).send(created);
    } catch (err) {
      if (err instanceof TooManyRestreamsError) throw new HttpError(400, err.message);
      throw err;
    }
  });

  app.get<{ Params: TargetParams }>('/api/livestreams/:id/restreams/:restreamId', async (request): Promise<RestreamTarget> => {
    const livestreamId = await livestreamOf(request.params.id);
    return found(await restreams.get(livestreamId, parseInput(restreamIdSchema, request.params.restreamId)));
  });

  app.patch<{ Params: TargetParams }>('/api/livestreams/:id/restreams/:restreamId', async (request): Promise<RestreamTarget> => {
    const livestreamId = await livestreamOf(request.params.id);
    const id = parseInput(restreamIdSchema, request.params.restreamId);
    return found(await restreams.update(livestreamId, id, parseInput(updateRestreamSchema, request.body)));
  });

  app.delete<{ Params: TargetParams }>('/api/livestreams/:id/restreams/:restreamId', async (request, reply) => {
    const livestreamId = await livestreamOf(request.params.id);
    if (!(await restreams.delete(livestreamId, parseInput(restreamIdSchema, request.params.restreamId)))) {
      throw new HttpError(404, 'no restream target with this id');
    }
    return reply.code(204).send();
  });
};
