import path from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { mediaFileKind } from '../media/media-layout.js';
import type { LiveEdges } from '../packager/live-edge.js';
import { servePlaylistFromEdge } from './blocking-playlist.js';
import type { FileCache } from './file-cache.js';
import { sendFile } from './file-response.js';
import { answered } from './edge-wait.js';
import { serveGrowingSegment } from './growing-segment-response.js';
import type { MediaFile } from './media-files.js';

/**
 * What the live edge of a broadcast answers, before the files on disk: its media playlists (LL-HLS, with
 * blocking reload and delta updates) and the segments FFmpeg is still writing. A complete segment is a
 * file like any other. True once answered; false when the edge has no answer: the file on disk is the answer then.
 */
export async function serveFromLiveEdge(
  request: FastifyRequest,
  reply: FastifyReply,
  o: { edges: LiveEdges; livestreamRoot: string; target: MediaFile; files: FileCache },
): Promise<boolean> {
  const root = path.resolve(o.livestreamRoot);
  const edge = o.edges.get(root);
  if (!edge) return false;
  const relPath = path.relative(root, o.target.absPath).split(path.sep).join('/');
  const kind = mediaFileKind(path.basename(relPath));
  if (kind === 'playlist') return servePlaylistFromEdge(request, reply, edge, relPath, o.target.type);
  if (kind !== 'media-segment') return false;
  const complete = await o.files.open(o.target.absPath);
  if (complete) return answered(sendFile(request, reply, complete, o.target.type));
  return serveGrowingSegment(request, reply, edge, relPath, o.target.type);
}
