import type { FastifyPluginAsync } from 'fastify';
import { livestreamIdSchema } from '../../../../shared/livestream.js';
import { manifestPath, watchPath } from '../../../../shared/public-paths.js';
import { RECORDING_QUERY_PARAM, recordingIdSchema, type Recording, type RecordingList } from '../../../../shared/recording.js';
import type { OriginProxy } from '../../cluster/origin-proxy.js';
import type { RecordingLibrary } from '../../recordings/recording-library.js';
import type { LivestreamRepository } from '../../store/livestream-repository.js';
import type { FinishedRecording } from '../../store/recording-repository.js';
import { thumbnailUrl } from '../../thumbnails/thumbnail-url.js';
import type { AdminAuth } from '../admin-auth.js';
import { HttpError, parseInput } from '../http-error.js';

export interface RecordingRoutesOptions {
  recordings: RecordingLibrary;
  livestreams: Pick<LivestreamRepository, 'get'>;
  auth: AdminAuth;
  publicUrl: string;
  /** In a cluster: a recording whose files another node holds is deleted by that node. */
  proxy?: Pick<OriginProxy, 'recordingHolder' | 'forward'>;
}

interface Params {
  id: string;
  recordingId: string;
}

/** A recording as the API shows it; its media is served by the origin from the broadcast's directory. */
export function recordingView(publicUrl: string, rec: FinishedRecording): Recording {
  return {
    id: rec.id,
    status: rec.status,
    startedAt: rec.startedAt,
    endedAt: rec.endedAt,
    duration: Number(rec.durationS.toFixed(3)),
    hlsUrl: `${publicUrl}${manifestPath(rec.livestreamId, 'hls', rec.id)}`,
    dashUrl: `${publicUrl}${manifestPath(rec.livestreamId, 'dash', rec.id)}`,
    playerUrl: `${publicUrl}${watchPath(rec.livestreamId)}?${RECORDING_QUERY_PARAM}=${rec.id}`,
    thumbnailUrl: thumbnailUrl(publicUrl, { livestreamId: rec.livestreamId, recordingId: rec.id, version: rec.thumbnailVersion }),
  };
}

/**
 * A livestream's recordings. Reading is public, like the media itself (the watch page links a finished
 * broadcast to its replay); deleting takes the API token.
 */
export const recordingRoutes: FastifyPluginAsync<RecordingRoutesOptions> = async (app, opts) => {
  const { recordings, livestreams, auth, publicUrl, proxy } = opts;

  const livestreamOf = async (rawId: string) => {
    const id = parseInput(livestreamIdSchema, rawId);
    if (!(await livestreams.get(id))) throw new HttpError(404, 'no livestream with this id');
    return id;
  };
  const view = (rec: FinishedRecording) => recordingView(publicUrl, rec);
  const find = async (params: Params) => {
    const livestreamId = await livestreamOf(params.id);
    const rec = await recordings.get(livestreamId, parseInput(recordingIdSchema, params.recordingId));
    if (!rec) throw new HttpError(404, 'no recording with this id');
    return rec;
  };

  // A recording can be deleted at any moment: nothing may keep an old answer.
  app.addHook('onRequest', async (_request, reply) => {
    reply.header('Cache-Control', 'no-store');
  });

  app.get<{ Params: Pick<Params, 'id'> }>('/api/livestreams/:id/recordings', async (request): Promise<RecordingList> => {
    const livestreamId = await livestreamOf(request.params.id);
    return { items: (await recordings.list(livestreamId)).map(view) };
  });

  app.get<{ Params: Params }>('/api/livestreams/:id/recordings/:recordingId', async (request): Promise<Recording> => view(await find(request.params)));

  app.delete<{ Params: Params }>('/api/livestreams/:id/recordings/:recordingId', async (request, reply) => {
    auth.require(request);
    const rec = await find(request.params);
    // Forwarded rather than marked for later: the files go at once, and no half-deleted state shows anywhere.
    const holder = await proxy?.recordingHolder(request, rec.livestreamId, rec.id);
    if (holder?.at === 'down') throw new HttpError(503, 'the node holding this recording is down; try again once it is back');
    if (proxy && holder?.at === 'node') return proxy.forward(request, reply, holder.url, ['authorization']);
    await recordings.remove(rec.livestreamId, rec.id);
    return reply.code(204).send();
  });
};
